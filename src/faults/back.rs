//! The back itself: `rounding` from the mask's back outline, a lean back at
//! the top (`hyperextension_lockout`) and a top not reached (`soft_lockout`).

use super::*;

/// Per frame of the rep whose back outline was read: the largest growth
/// at the three middle stations (the ends sit on the glutes and the
/// shoulder blades, which move with the arms), every station's growth, and
/// the hip-shoulder length as a share of standing. Stations the far plate
/// covers (a turned camera) read nothing, nor frames whose chord leaves the
/// body.
pub(super) fn back_readings(body: &Body, rep: &Rep, p: &FaultProfile) -> Vec<(usize, f64, [f64; 5], f64)> {
    (rep.start_frame..=rep.end_frame)
        .filter(|&i| body.track.confident.get(i).copied().unwrap_or(false))
        .filter(|&i| {
            body.torso_depth_share(i)
                .is_some_and(|d| d >= p.rounding_min_torso_depth_share)
        })
        .filter_map(|i| {
            let (mut g, len) = body.back_shape(i)?;
            let covered = body.stations_on_far_plate(i, p);
            for (gk, c) in g.iter_mut().zip(covered) {
                if c {
                    *gk = 0.0;
                }
            }
            let worst = (1..=3).filter(|&k| !covered[k]).map(|k| g[k]).reduce(f64::max)?;
            Some((i, worst, g, len))
        })
        .collect()
}

pub fn rounding(body: &Body, rep: &Rep, p: &FaultProfile) -> Option<Fault> {
    let per = back_readings(body, rep, p);
    if per.len() < MIN_READINGS {
        return None;
    }
    let shortest = percentile(per.iter().map(|r| r.3), 10.0)?;
    if shortest > p.rounding_max_torso_length_ratio {
        return None;
    }
    let bulges: Vec<(usize, f64)> = per.iter().map(|r| (r.0, r.1)).collect();
    let (worst, bulge) = sustained_worst(&bulges)?;
    let g = per.iter().find(|r| r.0 == worst)?.2;
    let (lower, upper) = (g[0].max(g[1]), g[3].max(g[4]));
    let region = if lower > 1.3 * upper.max(0.0) {
        "lower back"
    } else if upper > 1.3 * lower.max(0.0) {
        "upper back"
    } else {
        "whole back"
    };
    // The outline comes from a coarse mask: even good evidence stays below 0.9.
    let evidence = 0.9 * body.evidence(rep.start_frame..=rep.end_frame, &[Joint::Hip, Joint::Shoulder]);
    build(
        FaultKind::Rounding,
        rep,
        body,
        Found {
            frames: span_over(&bulges, p.rounding_bulge_levels[0], worst),
            value: bulge,
            levels: p.rounding_bulge_levels,
            evidence,
            region: Some(region.into()),
            allowance: 0.0,
            from_start: false,
        },
    )
}

pub fn hyperextension(body: &Body, lift: Lift, rep: &Rep, p: &FaultProfile) -> Option<Fault> {
    let top = lockout_frame(lift, rep);
    let frames = body.around(rep, top, p.key_window_s);
    let (worst, angle) = frames
        .clone()
        .filter_map(|i| Some((i, body.torso_deg(i)?)))
        .min_by(|a, b| a.1.total_cmp(&b.1))?;
    // Balance: holding a bar, the shoulders cannot sit far behind the
    // ankles. When they seem to, the hip point has slid onto the plate or
    // the hands (it hides the hip at lockout) and the line is not the torso.
    if let (Some(s), Some(a)) = (body.at(worst, Joint::Shoulder), body.at(worst, Joint::Ankle)) {
        if a.0 - s.0 > p.hyperextension_max_shoulder_behind_ankle_m {
            return None;
        }
    }
    // Extension: the back arches somewhere about the lockout. A straight or
    // rounded back behind vertical is the pose's line, not the spine (the
    // hip drawn on the plate of a lifter standing tall).
    let arch = frames
        .clone()
        .filter(|&i| body.track.confident.get(i).copied().unwrap_or(false))
        .filter_map(|i| Some((body.back_arch(i)?, body.torso_length_px(i)?)))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    if arch.is_some_and(|a| a.0 < p.hyperextension_min_back_arch) {
        return None;
    }
    let evidence = body.evidence(frames.clone(), &[Joint::Hip, Joint::Shoulder]);
    build(
        FaultKind::HyperextensionLockout,
        rep,
        body,
        Found {
            frames: (*frames.start(), worst, *frames.end()),
            value: angle,
            levels: p.hyperextension_torso_deg,
            evidence,
            region: None,
            allowance: 0.0,
            from_start: false,
        },
    )
    .map(|f| match arch {
        // The second sign, in words a lifter can check on the picture.
        Some((share, torso_px)) => Fault {
            explanation: format!(
                "{} Your back was arched too: its outline dipped {} in from a straight line across it.",
                f.explanation,
                cm_text(share * torso_px * body.mpp)
            ),
            ..f
        },
        None => f,
    })
}

pub fn soft_lockout(body: &Body, lift: Lift, rep: &Rep, p: &FaultProfile) -> Option<Fault> {
    let top = lockout_frame(lift, rep);
    let frames = body.around(rep, top, p.key_window_s);
    let best = |deg: &dyn Fn(usize) -> Option<f64>, seen: &dyn Fn(usize) -> bool| {
        frames
            .clone()
            .filter(|&i| seen(i))
            .filter_map(|i| Some((i, deg(i)?)))
            .max_by(|x, y| x.1.total_cmp(&y.1))
    };
    // At a deadlift lockout the near plate hangs by the knees, and a knee
    // behind it is the model's guess: the rendered hips-rise clip's knee,
    // 0.35 plate radii from the plate's centre, read 140-145 deg where its
    // truth is 170. The hip angle then decides alone.
    // Both angles bend at a knee the lifter's leg lengths allow.
    let plausible = |i: usize| body.knee_plausible(i, p.soft_lockout_max_limb_ratio);
    let knee_seen =
        |i: usize| plausible(i) && !body.behind_plate(i, Joint::Knee, p.soft_lockout_knee_hidden_plate_radii);
    let knee = best(
        &|i| body.joint_deg(i, Joint::Hip, Joint::Knee, Joint::Ankle),
        &knee_seen,
    );
    // A hip angle bent at such a knee is the guess's too: there the leg runs
    // from the hip to the ankle. With the hip read where the plate covers it
    // (`skeleton::uncover_hips`), the rendered hips-rise clip's guessed knee,
    // 27 px ahead of its joint, bent the hip to 133-137 deg against a truth
    // of 171; hip to ankle it reads 158-166.
    let hip_deg = |i: usize| {
        let leg = if knee_seen(i) { Joint::Knee } else { Joint::Ankle };
        body.joint_deg(i, Joint::Shoulder, Joint::Hip, leg)
    };
    let hip = best(&hip_deg, &plausible);
    // Whichever joint is further from its threshold decides.
    let knee_f = knee.and_then(|(i, v)| Some((i, v, grade(v, p.soft_lockout_knee_deg)?, p.soft_lockout_knee_deg)));
    let hip_f = hip.and_then(|(i, v)| Some((i, v, grade(v, p.soft_lockout_hip_deg)?, p.soft_lockout_hip_deg)));
    let (worst, value, _, levels) = match (knee_f, hip_f) {
        (Some(k), Some(h)) => {
            if k.2 >= h.2 {
                k
            } else {
                h
            }
        }
        (Some(k), None) => k,
        (None, Some(h)) => h,
        (None, None) => return None,
    };
    let evidence = body.evidence(
        frames.clone(),
        &[Joint::Hip, Joint::Knee, Joint::Ankle, Joint::Shoulder],
    );
    build(
        FaultKind::SoftLockout,
        rep,
        body,
        Found {
            frames: (*frames.start(), worst, *frames.end()),
            value,
            levels,
            evidence,
            region: None,
            allowance: 0.0,
            from_start: false,
        },
    )
}
