//! The neck far from its standing angle (`head_position`).

use super::*;

/// Per frame of the rep, how far the neck is from its standing angle
/// (deg); with `hidden_radii`, leaving out frames whose ear is behind the
/// near plate.
pub(super) fn neck_changes(body: &Body, rep: &Rep, hidden_radii: Option<f64>) -> Vec<(usize, f64)> {
    let Some(rest) = body.standing_neck_deg else {
        return Vec::new();
    };
    (rep.start_frame..=rep.end_frame)
        .filter(|&i| hidden_radii.is_none_or(|r| !body.behind_plate_or_track(i, Joint::Ear, r)))
        .filter_map(|i| Some((i, wrap_deg(body.neck_deg(i)? - rest).abs())))
        .collect()
}

pub fn head_position(body: &Body, rep: &Rep, p: &FaultProfile) -> Option<Fault> {
    // In a side-on back squat the near plate covers the head: an ear behind
    // it is the model's guess, and so is the angle it makes.
    let changes = neck_changes(body, rep, Some(p.head_ear_hidden_plate_radii));
    if changes.len() < MIN_READINGS {
        return None;
    }
    let (worst, value) = sustained_worst(&changes)?;
    // The ear is a small, often hidden point: cap the trust.
    let evidence = 0.7 * body.evidence(rep.start_frame..=rep.end_frame, &[Joint::Ear, Joint::Shoulder]);
    build(
        FaultKind::HeadPosition,
        rep,
        body,
        Found {
            frames: span_over(&changes, p.head_neck_change_deg[0], worst),
            value,
            levels: p.head_neck_change_deg,
            evidence,
            region: None,
            allowance: 0.0,
            from_start: false,
        },
    )
}
