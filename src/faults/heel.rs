//! The heel rising off the floor (`heel_lift`), read from the picture.

use super::*;

/// The heel patch's rise against the toe patch (m) on each frame of the
/// rep where both were found: rocking onto the toes raises the one and
/// not the other, while the camera moves both.
pub(super) fn heel_lifts(body: &Body, rep: &Rep) -> Vec<(usize, f64)> {
    (rep.start_frame..=rep.end_frame)
        .filter_map(|i| Some((i, body.heels.get(i)?.as_ref()?.rise_px * body.mpp)))
        .collect()
}

pub fn heel_lift(body: &Body, rep: &Rep, p: &FaultProfile) -> Option<Fault> {
    let lifts = heel_lifts(body, rep);
    if lifts.len() < MIN_READINGS {
        return None;
    }
    let (worst, value) = sustained_worst(&lifts)?;
    // The share of the rep's frames whose heel and toe could both be read
    // (the plate hides the feet at a deadlift's floor).
    let evidence = lifts.len() as f64 / (rep.end_frame + 1 - rep.start_frame.min(rep.end_frame)) as f64;
    let at_px = body
        .heels
        .get(worst)
        .copied()
        .flatten()
        .map(|h| [h.heel_px.0, h.heel_px.1]);
    build(
        FaultKind::HeelLift,
        rep,
        body,
        Found {
            frames: span_over(&lifts, p.heel_lift_m[0], worst),
            value,
            levels: p.heel_lift_m,
            evidence,
            region: None,
            allowance: 0.0,
            from_start: false,
        },
    )
    .map(|f| Fault { at_px, ..f })
}
