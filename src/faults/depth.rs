//! Squat depth (`above_parallel`), from the hip against the knee or, where
//! the pose cannot be trusted there, from the bar's drop.

use super::*;

pub fn above_parallel(body: &Body, lift: Lift, rep: &Rep, p: &FaultProfile) -> Option<Fault> {
    if lift != Lift::Squat {
        return None;
    }
    // A bar that came down this far went to depth: a thigh read above
    // parallel is then the plate hiding the hip (squat_rounding: the pose
    // put the hip 3-5 cm above the knee on a bar drop of 0.49).
    let drop = bar_drop_share(body, rep);
    if drop.is_some_and(|(_, share)| share >= p.deep_bar_drop_share) {
        return None;
    }
    let frames = body.around(rep, rep.key_frame, p.key_window_s / 2.0);
    let thigh = |i: usize| -> Option<f64> {
        let (h, k) = (body.at(i, Joint::Hip)?, body.at(i, Joint::Knee)?);
        Some((h.1 - k.1).atan2((h.0 - k.0).abs()).to_degrees())
    };
    // The deepest point of the bottom.
    let Some((worst, angle)) = frames
        .clone()
        .filter_map(|i| Some((i, thigh(i)?)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
    else {
        // No hip and knee at the bottom (the plate hides the body there).
        return drop.and_then(|d| depth_from_bar(body, rep, d, p));
    };
    let evidence = body.evidence(frames.clone(), &[Joint::Hip, Joint::Knee]);
    build(
        FaultKind::AboveParallel,
        rep,
        body,
        Found {
            frames: (*frames.start(), worst, *frames.end()),
            value: angle,
            levels: p.above_parallel_thigh_deg,
            evidence,
            region: None,
            allowance: 0.0,
            from_start: false,
        },
    )
}

/// The bar's drop from the top of the rep to the bottom as a share of its
/// height above the floor at the top, and the bottom frame. At parallel a
/// lifter of usual proportions takes the bar down about 0.37-0.45 of its
/// standing height (thigh ~0.245 of body height, bar at ~0.8, plus the
/// torso's lean; rendered parallel squats 0.44-0.50, a deep real squat 0.61).
fn bar_drop_share(body: &Body, rep: &Rep) -> Option<(usize, f64)> {
    if body.bar.source != BarSource::Plate {
        return None;
    }
    let top = [rep.start_frame, rep.end_frame]
        .into_iter()
        .filter_map(|i| body.bar_at(i).map(|b| b.1))
        .fold(f64::NAN, f64::max);
    let (bottom, low) = (rep.start_frame..=rep.end_frame)
        .filter_map(|i| Some((i, body.bar_at(i)?.1)))
        .min_by(|a, b| a.1.total_cmp(&b.1))?;
    (top.is_finite() && top > 0.3).then(|| (bottom, (top - low) / top))
}

/// The unit of a squat depth read from the bar.
pub const BAR_DROP_UNIT: &str = "share of standing bar height";

/// A length in metres as centimetres for people: whole centimetres, but a
/// tenth under 5 cm, where a heel lift of 1.7 cm would read "2 cm".
pub fn cm_text(metres: f64) -> String {
    let cm = 100.0 * metres;
    if cm.abs() < 5.0 {
        format!("{cm:.1} cm")
    } else {
        format!("{cm:.0} cm")
    }
}

/// Squat depth from the bar alone, for reps whose pose cannot show the hip
/// and knee at the bottom.
pub fn above_parallel_from_bar(body: &Body, lift: Lift, rep: &Rep, p: &FaultProfile) -> Option<Fault> {
    if lift != Lift::Squat {
        return None;
    }
    depth_from_bar(body, rep, bar_drop_share(body, rep)?, p)
}

/// Squat depth on a rep whose pose is doubted because of its head or its
/// hips' distance from the bar. The plate hides the head in most back
/// squats, so the hip and knee may still be a real leg: they give the depth
/// when the thigh at the bottom is as long as a thigh beside its shin, and
/// the bar gives it otherwise. Measured at the bottom (median thigh over
/// shin): squat_gymai_quarter's quarter squats 1.00 and 1.21 where the image
/// shows the pose on the leg, 0.73 where it collapsed; the rendered squats
/// whose pose collapsed under the plate 0.50-0.65.
pub fn above_parallel_doubted(body: &Body, lift: Lift, rep: &Rep, p: &FaultProfile) -> Option<Fault> {
    if lift != Lift::Squat {
        return None;
    }
    let frames = body.around(rep, rep.key_frame, p.key_window_s / 2.0);
    let ratios = frames.filter_map(|i| body.limbs_at(i).filter(|l| l.1 > 0.0).map(|(thigh, shin)| thigh / shin));
    if median(ratios).is_some_and(|r| r >= p.doubted_depth_min_thigh_to_shin) {
        above_parallel(body, lift, rep, p)
    } else {
        above_parallel_from_bar(body, lift, rep, p)
    }
}

/// The above_parallel flag for a bar drop of `share` reached at `bottom`.
fn depth_from_bar(body: &Body, rep: &Rep, (bottom, share): (usize, f64), p: &FaultProfile) -> Option<Fault> {
    let frames = body.around(rep, bottom, p.key_window_s / 2.0);
    let bar_conf = frames
        .clone()
        .filter_map(|i| body.bar.at(i).map(|b| b.confidence))
        .sum::<f64>()
        / frames.clone().count().max(1) as f64;
    let mut fault = build(
        FaultKind::AboveParallel,
        rep,
        body,
        Found {
            frames: (*frames.start(), bottom, *frames.end()),
            value: share,
            levels: p.above_parallel_bar_drop_share,
            evidence: p.bar_depth_confidence * bar_conf,
            region: None,
            allowance: 0.0,
            from_start: false,
        },
    )?;
    fault.unit = BAR_DROP_UNIT.into();
    fault.explanation = format!(
        "The bar came down only {:.0}% of its standing height (a squat to parallel takes it down about 40%), \
         so your hips stayed well above your knees (read from the bar, as the pose could not place your hips here).",
        100.0 * share
    );
    Some(fault)
}
