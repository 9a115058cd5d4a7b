//! Hand-made lifts: joints in canonical metres per frame, drawn into an
//! image at 1 px = 1 mm (x right, y down, facing right), so every
//! expected value can be worked out by hand.
use super::*;
use crate::bar::{BarFrame, Scale};
use crate::pose::{Landmark, TorsoOutline};
use crate::skeleton::{Facing, FusedPoint, SagittalTrack, JOINTS};

const FPS: f64 = 30.0;
const N: usize = 90;

/// Canonical joint positions (m) for one frame, head to toe as `Joint::ALL`.
type Pose = [(f64, f64); JOINTS];

fn to_px(p: (f64, f64)) -> (f64, f64) {
    (500.0 + 1000.0 * p.0, 1000.0 - 1000.0 * p.1)
}

/// A lifter built from segment leans (deg from vertical, + forward).
fn body(hip: (f64, f64), torso_deg: f64, knee: (f64, f64), neck_deg: f64) -> Pose {
    let (t, n) = (torso_deg.to_radians(), (torso_deg + neck_deg).to_radians());
    let shoulder = (hip.0 + 0.5 * t.sin(), hip.1 + 0.5 * t.cos());
    let ear = (shoulder.0 + 0.2 * n.sin(), shoulder.1 + 0.2 * n.cos());
    let wrist = (shoulder.0, shoulder.1 - 0.6);
    let elbow = (shoulder.0, shoulder.1 - 0.3);
    [
        ear,
        shoulder,
        elbow,
        wrist,
        hip,
        knee,
        (0.0, 0.08),
        (-0.07, 0.0),
        (0.18, 0.0),
    ]
}

/// Deadlift progress 0 (floor) .. 1 (lockout): floor 0-14, pull 15-44,
/// lockout 45-59, lower 60-74, floor 75-89.
fn progress(i: usize) -> f64 {
    match i {
        0..=14 => 0.0,
        15..=44 => (i - 15) as f64 / 29.0,
        45..=59 => 1.0,
        60..=74 => 1.0 - (i - 60) as f64 / 14.0,
        _ => 0.0,
    }
}

fn lerp(a: f64, b: f64, s: f64) -> f64 {
    a + (b - a) * s
}

fn deadlift_pose(s: f64, lockout_torso: f64) -> Pose {
    let hip = (lerp(-0.15, 0.0, s), lerp(0.70, 0.95, s));
    let knee = (lerp(0.12, 0.02, s), lerp(0.45, 0.50, s));
    body(hip, lerp(45.0, lockout_torso, s), knee, 0.0)
}

struct Lift {
    poses: Vec<Pose>,
    bar: Vec<(f64, f64)>,
    outline: Vec<Option<TorsoOutline>>,
}

fn deadlift(lockout_torso: f64, bar_ahead: f64) -> Lift {
    let poses = (0..N).map(|i| deadlift_pose(progress(i), lockout_torso)).collect();
    let bar = (0..N)
        .map(|i| (0.055 + bar_ahead, 0.225 + 0.55 * progress(i)))
        .collect();
    Lift {
        poses,
        bar,
        outline: vec![None; N],
    }
}

/// `yaw_deg`: the camera turn the plate's ellipse reads.
fn build(l: &Lift, yaw_deg: f64) -> (Vec<f64>, SagittalTrack, BarTrack, Vec<Option<RawPose>>) {
    let times: Vec<f64> = (0..N).map(|i| i as f64 / FPS).collect();
    let joints = l
        .poses
        .iter()
        .map(|p| {
            std::array::from_fn(|j| {
                let (x, y) = to_px(p[j]);
                Some(FusedPoint { x, y, conf: 0.95 })
            })
        })
        .collect();
    let torso = l
        .poses
        .iter()
        .map(|p| {
            let (h, s) = (p[Joint::Hip.index()], p[Joint::Shoulder.index()]);
            Some((s.0 - h.0).atan2(s.1 - h.1).to_degrees())
        })
        .collect();
    let track = SagittalTrack {
        facing: Facing::Right,
        facing_doubt: None,
        joints,
        confident: vec![true; N],
        torso_angle_deg: torso,
        thigh_px: 450.0,
        analysed: 0..N,
    };
    let origin_x = 0.055; // midfoot between heel -0.07 and toe 0.18
    let frames = l
        .bar
        .iter()
        .map(|&(x, y)| {
            let (px, py) = to_px((x, y));
            Some(BarFrame {
                x_px: px,
                y_px: py,
                x_m: x - origin_x,
                y_m: y,
                confidence: 1.0,
                measured: true,
                ..Default::default()
            })
        })
        .collect();
    let bar = BarTrack {
        origin_px: to_px((origin_x, 0.0)),
        midfoot_px: Some(to_px((origin_x, 0.0)).0),
        source: BarSource::Plate,
        scale: Scale {
            camera_yaw_deg: Some(yaw_deg),
            ..Scale::plate_for_tests(0.001)
        },
        frames,
        fits: vec![None; N],
    };
    // The raw landmarks the outline was measured about: both shoulders
    // and both hips on the fused joints.
    let raw = l
        .outline
        .iter()
        .zip(&l.poses)
        .map(|(o, p)| {
            let mut points = [Landmark::default(); crate::pose::BODY_POINTS];
            for (ids, j) in [([11, 12], Joint::Shoulder), ([23, 24], Joint::Hip)] {
                let (x, y) = to_px(p[j.index()]);
                for k in ids {
                    points[k].x = x as f32;
                    points[k].y = y as f32;
                }
            }
            Some(RawPose {
                pose_flag: 1.0,
                points,
                outline: *o,
            })
        })
        .collect();
    (times, track, bar, raw)
}

fn rep(start: usize, key: usize, end: usize, rom: f64) -> Rep {
    crate::reps::test_rep(start, key, end, FPS, rom)
}

fn test_body<'a>(
    times: &'a [f64],
    track: &'a SagittalTrack,
    bar: &'a BarTrack,
    raw: &'a [Option<RawPose>],
) -> Body<'a> {
    Body::new(times, track, bar, raw, FaultProfile::default().standing_max_torso_deg)
}

fn run(l: &Lift, lift: crate::reps::Lift, r: &Rep) -> Vec<Fault> {
    run_turned(l, lift, r, 0.0)
}

fn run_turned(l: &Lift, lift: crate::reps::Lift, r: &Rep, yaw_deg: f64) -> Vec<Fault> {
    let (times, track, bar, raw) = build(l, yaw_deg);
    let body = test_body(&times, &track, &bar, &raw);
    detect(&body, lift, std::slice::from_ref(r), &FaultProfile::default()).0
}

fn kinds(f: &[Fault]) -> Vec<&'static str> {
    f.iter().map(|f| f.kind.name()).collect()
}

fn dl_rep() -> Rep {
    rep(15, 52, 75, 0.55)
}

#[test]
fn clean_deadlift_flags_nothing() {
    let f = run(&deadlift(0.0, 0.0), crate::reps::Lift::Deadlift, &dl_rep());
    assert!(f.is_empty(), "{:?}", kinds(&f));
}

#[test]
fn heels_rising_from_the_picture_flag_heel_lift_in_metres() {
    let l = deadlift(0.0, 0.0);
    let (times, track, bar, raw) = build(&l, 0.0);
    let r = dl_rep();
    // Patch rises (px at 1 mm/px): a flat foot matches within a pixel;
    // a lift of 32 mm over the first half of the pull, hidden by the
    // plate at the floor.
    let reading = |rise_px: f64| {
        Some(HeelReading {
            rise_px,
            heel_px: (430.0, 990.0 - rise_px),
        })
    };
    let flat: Vec<_> = (0..N).map(|i| reading(if i % 2 == 0 { 0.6 } else { -0.4 })).collect();
    let lifted: Vec<_> = (0..N)
        .map(|i| match i {
            0..=17 => None,
            18..=30 => reading(32.0),
            _ => reading(0.3),
        })
        .collect();
    let check = |heels: Vec<Option<HeelReading>>| {
        let body = test_body(&times, &track, &bar, &raw).with_heels(&heels);
        heel_lift(&body, &r, &FaultProfile::default())
    };
    assert!(check(flat).is_none());
    let f = check(lifted).expect("flagged");
    assert!((f.value - 0.032).abs() < 1e-9, "{}", f.value);
    assert_eq!(f.severity, Severity::Moderate);
    assert!((18..=30).contains(&f.worst_frame), "{}", f.worst_frame);
    assert_eq!((f.start_frame, f.end_frame), (18, 30));
    // Drawn where the heel was read, not at the pose's heel point.
    assert_eq!(f.at_px, Some([430.0, 958.0]));
    // Without the video there is no reading, and no flag.
    assert!(check(Vec::new()).is_none());
}

/// A heel read flat on the floor, at the deadlift's foot.
const FLAT_HEEL: HeelReading = HeelReading {
    rise_px: 0.0,
    heel_px: (430.0, 990.0),
};

#[test]
fn heels_hidden_as_the_bar_leaves_the_floor_are_said_unseen() {
    let l = deadlift(0.0, 0.0);
    let (times, track, bar, raw) = build(&l, 0.0);
    let r = dl_rep();
    let p = FaultProfile::default();
    let probe = test_body(&times, &track, &bar, &raw);
    let to = risen_share(&probe, &r, p.heel_early_pull_rom_share).expect("the bar rises");
    assert!(to > r.start_frame + 2, "{to}");
    let reading = Some(FLAT_HEEL);
    let everywhere = vec![reading; N];
    // The plate in front of the feet from the floor to a third of the
    // way up: nothing read there.
    let hidden: Vec<_> = (0..N)
        .map(|i| {
            if (r.start_frame..=to).contains(&i) {
                None
            } else {
                reading
            }
        })
        .collect();
    let unseen = |heels: &[Option<HeelReading>]| {
        heel_unseen_off_the_floor(&test_body(&times, &track, &bar, &raw).with_heels(heels), &r, &p)
    };
    assert!(!unseen(&everywhere));
    assert!(unseen(&hidden));
    let body = test_body(&times, &track, &bar, &raw).with_heels(&hidden);
    let (_, notes, _) = detect(&body, crate::reps::Lift::Deadlift, std::slice::from_ref(&r), &p);
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("heel lift was read only once the bar had risen 33% of its way (rep 1)")),
        "{notes:?}"
    );
}

#[test]
fn a_check_without_readings_is_listed_as_not_checked() {
    let l = deadlift(0.0, 0.0);
    let (times, track, bar, raw) = build(&l, 0.0);
    let r = dl_rep();
    let p = FaultProfile::default();
    let kinds = |body: &Body, flagged: &[Fault]| -> Vec<FaultKind> {
        not_checked(body, crate::reps::Lift::Deadlift, &r, &p, flagged)
            .into_iter()
            .map(|n| n.kind)
            .collect()
    };
    // No picture readings (a rerun without the video, or feet and hips
    // never found): heel lift and the hips before lift-off are not
    // checked; the pose-based checks are.
    let bare = test_body(&times, &track, &bar, &raw);
    let missing = kinds(&bare, &[]);
    assert!(missing.contains(&FaultKind::HeelLift), "{missing:?}");
    assert!(missing.contains(&FaultKind::HipsRiseEarly), "{missing:?}");
    assert!(!missing.contains(&FaultKind::HyperextensionLockout), "{missing:?}");
    assert!(!missing.contains(&FaultKind::BarDrift), "{missing:?}");
    // The heels read on the rep's frames: checked.
    let heels = vec![Some(FLAT_HEEL); N];
    let with_heels = test_body(&times, &track, &bar, &raw).with_heels(&heels);
    assert!(!kinds(&with_heels, &[]).contains(&FaultKind::HeelLift));
    // Regression: a rerun without the picture said the plate or the
    // other leg had hidden the feet. Without any picture readings the
    // reason is the missing picture; with a picture read where the feet
    // were never found, it is the picture's.
    let why = |body: &Body, kind: FaultKind| -> String {
        not_checked(body, crate::reps::Lift::Deadlift, &r, &p, &[])
            .into_iter()
            .find(|n| n.kind == kind)
            .map(|n| n.why)
            .unwrap_or_default()
    };
    for kind in [FaultKind::HeelLift, FaultKind::HipsRiseEarly] {
        assert!(
            why(&bare, kind).contains("pass the video"),
            "{kind:?}: {}",
            why(&bare, kind)
        );
    }
    let unseen = vec![None; N];
    let unseen_rises = vec![None; N];
    let looked = test_body(&times, &track, &bar, &raw)
        .with_heels(&unseen)
        .with_liftoff(&unseen_rises);
    assert!(
        why(&looked, FaultKind::HeelLift).contains("hid them"),
        "{}",
        why(&looked, FaultKind::HeelLift)
    );
    assert!(
        why(&looked, FaultKind::HipsRiseEarly).contains("starts at the pull"),
        "{}",
        why(&looked, FaultKind::HipsRiseEarly)
    );
    // A kind flagged from other evidence (the ratio in the pull) is not
    // also listed as unchecked.
    let l = hips_first(|s| {
        if s < 0.5 {
            45.0 + 10.0 * s
        } else {
            lerp(50.0, 0.0, (s - 0.5) * 2.0)
        }
    });
    let flagged = run(&l, crate::reps::Lift::Deadlift, &r);
    assert!(flagged.iter().any(|f| f.kind == FaultKind::HipsRiseEarly));
    assert!(!kinds(&bare, &flagged).contains(&FaultKind::HipsRiseEarly));
}

#[test]
fn hips_rising_before_the_bar_leaves_the_floor_are_hips_rise_early_in_metres() {
    let l = deadlift(0.0, 0.0);
    let (times, track, bar, raw) = build(&l, 0.0);
    let r = dl_rep();
    // Patch rises (px at 1 mm/px) over the 1.5 s before the rep starts
    // (frame 15): still, then the hips 50 mm up and the shoulders 8.
    let reading = |hip: f64, shoulder: Option<f64>| {
        Some(LiftoffReading {
            hip_rise_px: hip,
            shoulder_rise_px: shoulder,
        })
    };
    let rising = |i: usize| 50.0 * (i.saturating_sub(5) as f64 / 10.0).min(1.0);
    let tipped: Vec<_> = (0..N)
        .map(|i| {
            (i <= 15)
                .then(|| reading(rising(i) - 3.0, Some(0.16 * rising(i))))
                .flatten()
        })
        .collect();
    let still: Vec<_> = (0..N)
        .map(|i| {
            (i <= 15)
                .then(|| reading(if i % 2 == 0 { 0.5 } else { -0.5 }, Some(0.0)))
                .flatten()
        })
        .collect();
    // The shoulders' patch lost: the pose's shoulders (still here) count.
    let no_shoulders: Vec<_> = (0..N)
        .map(|i| (i <= 15).then(|| reading(rising(i), None)).flatten())
        .collect();
    let check = |rises: &[Option<LiftoffReading>]| {
        let body = test_body(&times, &track, &bar, &raw).with_liftoff(rises);
        hips_rise_early(&body, crate::reps::Lift::Deadlift, &r, &FaultProfile::default())
    };
    let f = check(&tipped).expect("flagged");
    assert!((f.value - 0.042).abs() < 1e-9, "{}", f.value);
    assert_eq!((f.unit.as_str(), f.severity), ("m", Severity::Minor));
    assert_eq!((f.start_frame, f.worst_frame), (0, 15));
    assert!(f.explanation.contains("4.2 cm"), "{}", f.explanation);
    assert!(check(&still).is_none());
    let f = check(&no_shoulders).expect("flagged");
    assert!((f.value - 0.05).abs() < 1e-6, "{}", f.value);
    // Without the video there is no reading, and the clean pull is clean.
    assert!(check(&[]).is_none());
}

#[test]
fn leaning_back_at_lockout_is_hyperextension_with_its_angle() {
    let f = run(&deadlift(-18.0, 0.0), crate::reps::Lift::Deadlift, &dl_rep());
    let h = f
        .iter()
        .find(|f| f.kind == FaultKind::HyperextensionLockout)
        .expect("flagged");
    assert!((h.value + 18.0).abs() < 0.5, "{}", h.value);
    assert_eq!(h.severity, Severity::Moderate);
    assert!((43..=61).contains(&h.worst_frame));
    assert!(h.confidence > 0.8);
    // The held-out renders' lean-backs read -9.6 to -12.3 deg; the
    // clean lockouts -6.6 at most (profile: hyperextension_torso_deg).
    let lean = |deg: f64| {
        run(&deadlift(deg, 0.0), crate::reps::Lift::Deadlift, &dl_rep())
            .into_iter()
            .find(|f| f.kind == FaultKind::HyperextensionLockout)
    };
    assert_eq!(lean(-9.5).map(|f| f.severity), Some(Severity::Minor));
    assert!(lean(-6.5).is_none());
}

#[test]
fn leaning_back_with_a_straight_back_is_not_hyperextension() {
    // Regression (mattiolato good01, a clean pull flagged at -25 deg: the
    // hip point slid onto the plate, the back's outline stayed straight).
    // Torso 0.5 m = 500 px; the back's edge 100 px from the chord.
    let straight = |l: &mut Lift, middle: f32| {
        for o in l.outline.iter_mut() {
            *o = Some(TorsoOutline {
                plus_px: [150.0; 5],
                minus_px: [100.0, middle, middle, middle, 100.0],
            });
        }
    };
    let dl = crate::reps::Lift::Deadlift;
    let mut flat = deadlift(-18.0, 0.0);
    straight(&mut flat, 100.0);
    assert!(run(&flat, dl, &dl_rep()).is_empty());
    // Arched: the middle of the back 40 px (0.08 torso lengths) in.
    let mut arched = deadlift(-18.0, 0.0);
    straight(&mut arched, 60.0);
    let f = run(&arched, dl, &dl_rep());
    assert_eq!(kinds(&f), vec!["hyperextension_lockout"]);
    // The arch is told in centimetres, the second sign a lifter can check.
    assert!(f[0].explanation.contains("dipped 4.0 cm in"), "{}", f[0].explanation);
    // Just inside the 0.03 limit (12.5 px = 0.025) is still straight.
    straight(&mut arched, 87.5);
    assert!(run(&arched, dl, &dl_rep()).is_empty());
}

#[test]
fn bar_ahead_of_midfoot_is_drift_in_metres() {
    let f = run(&deadlift(0.0, 0.16), crate::reps::Lift::Deadlift, &dl_rep());
    assert_eq!(kinds(&f), vec!["bar_drift"]);
    assert!((f[0].value - 0.16).abs() < 1e-6);
    assert_eq!(f[0].severity, Severity::Moderate);
    // 8 cm is inside the minor level.
    assert!(run(&deadlift(0.0, 0.08), crate::reps::Lift::Deadlift, &dl_rep()).is_empty());
}

/// Regression: squat_gymai_quarter's rep 2 read 10.0 cm of forward travel
/// on one frame of its blurred descent (9.9 held over 0.1 s) and was
/// flagged. A drift is what the bar holds for `bar_drift_min_s`.
#[test]
fn one_frame_forward_is_not_drift_but_a_held_move_is() {
    let dl = crate::reps::Lift::Deadlift;
    let r = dl_rep();
    let mid = (r.start_frame + r.end_frame) / 2;
    let moved = |frames: std::ops::Range<usize>| {
        let mut l = deadlift(0.0, 0.0);
        for i in frames {
            l.bar[i].0 += 0.15;
        }
        run(&l, dl, &r)
    };
    assert!(moved(mid..mid + 1).is_empty());
    assert!(moved(mid..mid + 3).is_empty(), "3 frames at 30 fps span 0.067 s");
    let f = moved(mid..mid + 4);
    assert_eq!(kinds(&f), vec!["bar_drift"]);
    assert!((f[0].value - 0.15).abs() < 1e-6, "{}", f[0].value);
}

/// Regression: bichraix bad012 (labelled bar drift, 20 cm ahead) read
/// its turn off part rims only, 10.6 deg (flagged) or 16.5 (not) with
/// which frames the track happened to measure. A part-rim turn is
/// allowed for as an unknown one, whatever it reads.
#[test]
fn a_turn_read_off_part_rims_does_not_size_the_drift_allowance() {
    let dl = crate::reps::Lift::Deadlift;
    let l = deadlift(0.0, 0.20);
    let read = |part_rim: bool| {
        let (times, track, mut bar, raw) = build(&l, 16.5);
        bar.scale.yaw_from_part_rim = part_rim;
        let body = test_body(&times, &track, &bar, &raw);
        detect(&body, dl, std::slice::from_ref(&dl_rep()), &FaultProfile::default()).0
    };
    // Off the near face, 16.5 deg is a turn: 0.55 m x sin(15.4 deg) =
    // 15 cm allowed, 5 cm left.
    assert!(read(false).is_empty());
    // Off part rims, as unknown (10 deg): 0.55 x sin(8 deg) = 7.7 cm.
    let f = read(true);
    assert_eq!(kinds(&f), vec!["bar_drift"]);
    assert_eq!(f[0].severity, Severity::Minor, "0.20 - 0.077 = 0.12");
}

#[test]
fn a_turned_camera_earns_an_allowance_but_not_for_drift_during_the_rep() {
    // 15 deg off side-on: the near plate, 0.55 m nearer the camera than
    // the foot, may look sqrt(15^2 - 6^2) = 13.7 deg x 0.55 m = 13 cm off.
    let dl = crate::reps::Lift::Deadlift;
    assert!(run_turned(&deadlift(0.0, 0.16), dl, &dl_rep(), 15.0).is_empty());
    let f = run_turned(&deadlift(0.0, 0.30), dl, &dl_rep(), 15.0);
    assert_eq!(kinds(&f), vec!["bar_drift"]);
    assert!((f[0].value - 0.30).abs() < 1e-6);
    assert_eq!(f[0].severity, Severity::Moderate, "0.30 - 0.13 = 0.17");
    assert!(f[0].explanation.contains("camera angle"), "{}", f[0].explanation);
    // Within the square-on noise of the ellipse: no allowance.
    assert_eq!(run_turned(&deadlift(0.0, 0.16), dl, &dl_rep(), 5.0).len(), 1);
    // The bar swinging 12 cm forward during the pull needs no allowance.
    let mut swing = deadlift(0.0, 0.0);
    for (i, b) in swing.bar.iter_mut().enumerate() {
        b.0 += 0.12 * (progress(i) * std::f64::consts::PI).sin();
    }
    let f = run_turned(&swing, dl, &dl_rep(), 15.0);
    assert_eq!(kinds(&f), vec!["bar_drift"]);
    assert!((f[0].value - 0.12).abs() < 0.005, "{}", f[0].value);
    assert_eq!(f[0].severity, Severity::Minor);
    // Said as the move it is, not as a distance from the midfoot (the
    // bar ended 12 cm ahead of where it started, not of the midfoot).
    assert!(f[0].explanation.contains("moved 12 cm forward"), "{}", f[0].explanation);
    assert!(f[0].explanation.contains("started the rep"), "{}", f[0].explanation);
}

#[test]
fn a_rep_whose_pose_bends_the_neck_impossibly_is_not_judged() {
    // Lean back at lockout (a hyperextension), but early in the pull the
    // pose draws the head hanging below the shoulders.
    let mut l = deadlift(-18.0, 0.0);
    for p in l.poses[15..=25].iter_mut() {
        let s = p[Joint::Shoulder.index()];
        p[Joint::Ear.index()] = (s.0 - 0.05, s.1 - 0.14);
    }
    let (times, track, bar, raw) = build(&l, 0.0);
    let body = test_body(&times, &track, &bar, &raw);
    let (f, notes, doubted) = detect(
        &body,
        crate::reps::Lift::Deadlift,
        &[dl_rep()],
        &FaultProfile::default(),
    );
    assert!(f.is_empty(), "{:?}", kinds(&f));
    assert_eq!(notes.len(), 1);
    assert_eq!(doubted, vec![0]);
    assert!(
        notes[0].starts_with("rep 1:") && notes[0].contains("only the bar's drift and the heels"),
        "{}",
        notes[0]
    );
    // Regression (squat_heel_lift on an AVX2 machine: the pose bent the
    // neck 111 deg at the bottom of the rep whose heels came up, and the
    // heel lift read from the picture went unjudged): the heels are read
    // from the shoes, not the pose, and stay judged on a doubted rep.
    let heels: Vec<_> = (0..N)
        .map(|i| {
            let rise_px = if (30..=45).contains(&i) { 32.0 } else { 0.3 };
            Some(HeelReading {
                rise_px,
                heel_px: (430.0, 990.0 - rise_px),
            })
        })
        .collect();
    let body = test_body(&times, &track, &bar, &raw).with_heels(&heels);
    let (f, _, doubted) = detect(
        &body,
        crate::reps::Lift::Deadlift,
        &[dl_rep()],
        &FaultProfile::default(),
    );
    assert_eq!(doubted, vec![0]);
    assert_eq!(kinds(&f), vec!["heel_lift"]);
    // The same lift with the head in place is judged.
    assert_eq!(
        kinds(&run(&deadlift(-18.0, 0.0), crate::reps::Lift::Deadlift, &dl_rep())),
        vec!["hyperextension_lockout"]
    );
}

/// Regression (squat_gymai_quarter rep 1, mirrored lukestynes): in a
/// side-on back squat the plate covers the head, and a neck angle
/// drawn to a hidden ear flagged head_position.
#[test]
fn a_head_behind_the_plate_is_not_judged() {
    let mut l = deadlift(0.0, 0.0);
    // The head drops 70 degrees towards the chest through the pull.
    for (i, pose) in l.poses.iter_mut().enumerate().take(60).skip(15) {
        *pose = body(
            pose[Joint::Hip.index()],
            45.0 * (1.0 - progress(i)),
            pose[Joint::Knee.index()],
            70.0,
        );
    }
    let (times, track, mut bar, raw) = build(&l, 0.0);
    let p = FaultProfile::default();
    let body_now = |bar: &BarTrack| head_position(&test_body(&times, &track, bar, &raw), &dl_rep(), &p);
    let f = body_now(&bar).expect("a head in view is judged");
    assert!((f.value - 70.0).abs() < 1.0, "{}", f.value);
    // The plate (radius 225 px) drawn over the ear, by the bar track.
    for (i, b) in bar.frames.iter_mut().enumerate() {
        if let (Some(b), Some(e)) = (b.as_mut(), track.point(i, Joint::Ear)) {
            (b.x_px, b.y_px) = (e.x + 100.0, e.y);
        }
    }
    assert!(body_now(&bar).is_none());
}

#[test]
fn neck_angle_wraps_instead_of_reading_a_full_turn() {
    // Regression: a head drawn just past straight down read 300 deg on
    // squat_good_morning because the two leans were subtracted unwrapped.
    let mut l = deadlift(0.0, 0.0);
    for p in l.poses.iter_mut() {
        let s = p[Joint::Shoulder.index()];
        p[Joint::Ear.index()] = (s.0 - 0.02, s.1 - 0.15);
    }
    let (times, track, bar, raw) = build(&l, 0.0);
    let body = test_body(&times, &track, &bar, &raw);
    for i in [0, 50] {
        let n = body.neck_deg(i).unwrap();
        assert!((-180.0..=180.0).contains(&n), "frame {i}: {n}");
    }
    // The change from the standing angle wraps too.
    assert!((wrap_deg(170.0 - -170.0) - -20.0).abs() < 1e-9);
    assert!((wrap_deg(-170.0 - 170.0) - 20.0).abs() < 1e-9);
}

/// A deadlift whose hips reach their lockout height twice as fast as
/// the bar, the torso at `torso(progress)` meanwhile.
fn hips_first(torso: impl Fn(f64) -> f64) -> Lift {
    let mut l = deadlift(0.0, 0.0);
    for i in 15..=44 {
        let s = progress(i);
        let sh = (2.0 * s).min(1.0);
        let hip = (lerp(-0.15, 0.0, s), lerp(0.70, 0.95, sh));
        let knee = (lerp(0.12, 0.02, sh), lerp(0.45, 0.50, sh));
        l.poses[i] = body(hip, torso(s), knee, 0.0);
    }
    l
}

#[test]
fn hips_rising_before_the_shoulders_is_flagged() {
    // The torso stays near 45 degrees for the first half of the pull.
    let l = hips_first(|s| {
        if s < 0.5 {
            45.0 + 10.0 * s
        } else {
            lerp(50.0, 0.0, (s - 0.5) * 2.0)
        }
    });
    let f = run(&l, crate::reps::Lift::Deadlift, &dl_rep());
    let h = f.iter().find(|f| f.kind == FaultKind::HipsRiseEarly).expect("flagged");
    // Hips 0.25 m, shoulders about 0.22 m over the first third.
    assert!(h.value > 1.1 && h.value < 1.3, "ratio {}", h.value);
}

/// Regression (held-out ho2_dl_clean_male_left): a pose that put the
/// hips on the plate drew the setup upright (10 deg) and flagged a
/// clean pull's hips rising early. No deadlift setup stands that tall.
#[test]
fn a_setup_drawn_upright_is_not_judged_for_hips_rising() {
    let mut l = hips_first(|s| {
        if s < 0.5 {
            45.0 + 10.0 * s
        } else {
            lerp(50.0, 0.0, (s - 0.5) * 2.0)
        }
    });
    // The same pull, the torso drawn 8 deg from vertical until the bar
    // leaves the floor.
    for i in 0..=15 {
        let p = l.poses[i];
        l.poses[i] = body(p[Joint::Hip.index()], 8.0, p[Joint::Knee.index()], 0.0);
    }
    let (times, track, bar, raw) = build(&l, 0.0);
    let body = test_body(&times, &track, &bar, &raw);
    let (lift, r) = (crate::reps::Lift::Deadlift, dl_rep());
    let p = FaultProfile::default();
    assert!(hips_rise_early(&body, lift, &r, &p).is_none());
    let why = not_checked(&body, lift, &r, &p, &[]);
    let n = why
        .iter()
        .find(|n| n.kind == FaultKind::HipsRiseEarly)
        .expect("said why");
    assert!(n.why.contains("torso 8 degrees from vertical"), "{}", n.why);
    // The same reading keeps the angle out of the rep summary and the
    // set's comparison (pipeline); a squat has no such setup.
    assert_eq!(upright_setup(&body, lift, &r, &p).map(f64::round), Some(8.0));
    assert!(upright_setup(&body, crate::reps::Lift::Squat, &r, &p).is_none());
    // Without the limit the same pose would be flagged.
    let no_limit = FaultProfile {
        hips_rise_min_setup_torso_deg: 0.0,
        ..FaultProfile::default()
    };
    assert!(hips_rise_early(&body, lift, &r, &no_limit).is_some());
}

/// Regression (mirrored bichraix bad013): a clip that begins mid-pull
/// has no start to measure the hips' rise from.
#[test]
fn a_pull_that_began_before_the_clip_is_not_judged_for_hips_rising() {
    let mut l = hips_first(|_| 50.0);
    // The clip starts two frames into the pull.
    l.poses.rotate_left(17);
    l.bar.rotate_left(17);
    let r = rep(0, 52 - 17, 75 - 17, 0.55);
    let (times, track, mut bar, raw) = build(&l, 0.0);
    let p = FaultProfile::default();
    let lift = crate::reps::Lift::Deadlift;
    let body = test_body(&times, &track, &bar, &raw);
    assert!(hips_rise_early(&body, lift, &r, &p).is_none());
    // The bar's rise over the first frames says so, not the smoother's
    // speed at the first frame, which has nothing before it (mirrored
    // bad013 read -0.18 m/s there on a bar rising at 0.23).
    bar.frames[0].as_mut().unwrap().vy_mps = -0.18;
    let body = test_body(&times, &track, &bar, &raw);
    assert!(hips_rise_early(&body, lift, &r, &p).is_none());
    // The same pull with the bar still on the floor over the clip's
    // first 0.2 s is judged.
    let first = l.bar[0];
    for b in l.bar.iter_mut().take(8) {
        *b = first;
    }
    let (times, track, bar, raw) = build(&l, 0.0);
    let body = test_body(&times, &track, &bar, &raw);
    assert!(hips_rise_early(&body, lift, &r, &p).is_some());
}

#[test]
fn bent_knees_at_the_top_are_a_soft_lockout() {
    let mut l = deadlift(0.0, 0.0);
    for i in 40..=65 {
        // Knee forward so the knee angle stays near 130 degrees.
        l.poses[i][Joint::Knee.index()] = (0.17, 0.50);
    }
    let f = run(&l, crate::reps::Lift::Deadlift, &dl_rep());
    let s = f.iter().find(|f| f.kind == FaultKind::SoftLockout).expect("flagged");
    assert!(s.value < 145.0, "{}", s.value);
}

/// A deadlift whose knee sits at `knee` (m) through the lockout, with the
/// plate's centre 0.1 m ahead of the knee (radius 0.225 m).
fn knee_behind_plate(knee: (f64, f64)) -> (Vec<f64>, SagittalTrack, BarTrack, Vec<Option<RawPose>>) {
    let mut l = deadlift(0.0, 0.0);
    for i in 40..=65 {
        l.poses[i][Joint::Knee.index()] = knee;
    }
    let (times, track, mut bar, raw) = build(&l, 0.0);
    bar.fits = (0..N)
        .map(|i| {
            let k = track.point(i, Joint::Knee)?;
            Some(crate::bar::PlateFit {
                inlier_share: 0.8,
                visible_arc_deg: 300.0,
                hidden_arc_deg: 60.0,
                ..crate::bar::PlateFit::seen_whole(k.x + 100.0, k.y, 225.0, 225.0)
            })
        })
        .collect();
    (times, track, bar, raw)
}

/// Regression (rendered deadlift_hips_rise_early): the same bent knee
/// behind the near plate is the model's guess, not a soft lockout.
#[test]
fn a_knee_behind_the_plate_is_not_judged_at_lockout() {
    let (times, track, mut bar, raw) = knee_behind_plate((0.17, 0.50));
    let p = FaultProfile::default();
    let body = test_body(&times, &track, &bar, &raw);
    let lift = crate::reps::Lift::Deadlift;
    assert!(soft_lockout(&body, lift, &dl_rep(), &p).is_none());
    // A plate 1.1 radii away leaves the knee in view: flagged again.
    for f in bar.fits.iter_mut().flatten() {
        f.cx += 150.0;
    }
    let body = test_body(&times, &track, &bar, &raw);
    assert!(soft_lockout(&body, lift, &dl_rep(), &p).is_some());
}

/// Regression (rendered deadlift_hips_rise_early, with the covered hip
/// read from the far side): a guessed knee far enough ahead bends the
/// shoulder-hip-knee angle to 145 deg; behind the plate the leg runs
/// from the hip to the ankle, which is straight.
#[test]
fn a_hip_angle_bent_only_by_a_knee_behind_the_plate_is_not_a_soft_lockout() {
    let (times, track, bar, raw) = knee_behind_plate((0.30, 0.52));
    let body = test_body(&times, &track, &bar, &raw);
    let through_knee = body
        .joint_deg(55, Joint::Shoulder, Joint::Hip, Joint::Knee)
        .expect("angle");
    assert!(through_knee < 150.0, "{through_knee}");
    let lift = crate::reps::Lift::Deadlift;
    assert!(soft_lockout(&body, lift, &dl_rep(), &FaultProfile::default()).is_none());
}

/// Regression (mirrored mattiolato bad02): the model drew the knee on the
/// plate's rim at hip height at lockout, and the thigh-shin and
/// shoulder-hip-knee angles through it read a "63 deg" soft lockout.
#[test]
fn a_knee_the_legs_cannot_reach_is_not_judged_at_lockout() {
    let mut l = deadlift(0.0, 0.0);
    for i in 40..=65 {
        // Level with the hip and 0.2 m ahead: shin 2.2 times its length.
        l.poses[i][Joint::Knee.index()] = (l.poses[i][Joint::Hip.index()].0 + 0.2, 0.93);
    }
    let p = FaultProfile::default();
    let lift = crate::reps::Lift::Deadlift;
    let (times, track, bar, raw) = build(&l, 0.0);
    let body = test_body(&times, &track, &bar, &raw);
    assert!(soft_lockout(&body, lift, &dl_rep(), &p).is_none());
    // A profile that allows such legs judges the knee, and flags it.
    let loose = FaultProfile {
        soft_lockout_max_limb_ratio: 3.0,
        ..FaultProfile::default()
    };
    let f = soft_lockout(&body, lift, &dl_rep(), &loose).expect("judged");
    assert!(f.value < 100.0, "{}", f.value);
}

/// When the facing is in doubt, "ahead" and every body angle may be
/// the wrong way round: nothing that needs them is flagged.
#[test]
fn a_facing_in_doubt_judges_no_body_fault_and_no_drift() {
    let l = deadlift(-18.0, 0.16);
    let (times, mut track, bar, raw) = build(&l, 0.0);
    let p = FaultProfile::default();
    let lift = crate::reps::Lift::Deadlift;
    let body = test_body(&times, &track, &bar, &raw);
    let found = detect(&body, lift, &[dl_rep()], &p).0;
    assert!(kinds(&found).contains(&"hyperextension_lockout") && kinds(&found).contains(&"bar_drift"));
    track.facing_doubt = Some("the toes point left".into());
    let body = test_body(&times, &track, &bar, &raw);
    let (found, notes, doubted) = detect(&body, lift, &[dl_rep()], &p);
    assert!(found.is_empty(), "{:?}", kinds(&found));
    assert_eq!(doubted, vec![0]);
    assert!(notes.iter().any(|n| n.contains("the toes point left")), "{notes:?}");
}

/// Squat progress 0 (standing) .. 1 (bottom): stand 0-14, down 15-39,
/// bottom 40-44, up 45-74, stand 75-89.
fn depth(i: usize) -> f64 {
    match i {
        0..=14 => 0.0,
        15..=39 => (i - 15) as f64 / 25.0,
        40..=44 => 1.0,
        45..=74 => 1.0 - (i - 45) as f64 / 29.0,
        _ => 0.0,
    }
}

/// A squat whose hips reach `bottom_hip_y`; the torso lean follows
/// depth unless `torso` says otherwise. The bar sits 5 cm above the shoulder.
fn squat(bottom_hip_y: f64, torso: impl Fn(usize, f64) -> f64, hip_y: impl Fn(usize, f64) -> f64) -> Lift {
    let mut poses = Vec::new();
    let mut bar = Vec::new();
    for i in 0..N {
        let d = depth(i);
        let hy = hip_y(i, lerp(0.95, bottom_hip_y, d));
        let hip = (lerp(0.0, -0.25, d), hy);
        let knee = (lerp(0.02, 0.25, d), lerp(0.50, 0.48, d));
        let p = body(hip, torso(i, d), knee, 0.0);
        let s = p[Joint::Shoulder.index()];
        bar.push((s.0, s.1 + 0.05));
        poses.push(p);
    }
    Lift {
        poses,
        bar,
        outline: vec![None; N],
    }
}

fn sq_rep() -> Rep {
    rep(15, 42, 75, 0.5)
}

/// Every detector on the test squat's one rep: faults, notes, doubted reps.
fn detect_squat(l: &Lift, p: &FaultProfile) -> (Vec<Fault>, Vec<String>, Vec<usize>) {
    let (times, track, bar, raw) = build(l, 0.0);
    let body = test_body(&times, &track, &bar, &raw);
    detect(&body, crate::reps::Lift::Squat, &[sq_rep()], p)
}

/// Regression (squat_gymai_quarter on an AVX2 machine): a squat's
/// lockout is its last frame, and the frames after it belong to the next
/// rep, whose collapsed pose read as a lean-back of this one.
#[test]
fn a_squat_lockout_is_read_on_its_own_rep() {
    let r = sq_rep();
    let next = rep(r.end_frame + 2, r.end_frame + 10, N - 1, 0.5);
    let l = squat(
        0.42,
        |i, d| {
            if i > next.start_frame {
                -17.0
            } else {
                lerp(10.0, 35.0, d)
            }
        },
        |_, y| y,
    );
    let (times, track, bar, raw) = build(&l, 0.0);
    let p = FaultProfile::default();
    let body = test_body(&times, &track, &bar, &raw).with_reps(&[r.clone(), next.clone()]);
    assert!(hyperextension(&body, crate::reps::Lift::Squat, &r, &p).is_none());
    // With no rep after it, the same frames are this rep's lockout.
    let alone = test_body(&times, &track, &bar, &raw).with_reps(std::slice::from_ref(&r));
    let f = hyperextension(&alone, crate::reps::Lift::Squat, &r, &p).expect("flagged");
    assert!((f.value + 17.0).abs() < 1.0, "{}", f.value);
}

#[test]
fn deep_upright_squat_flags_nothing() {
    let l = squat(0.42, |_, d| lerp(10.0, 35.0, d), |_, y| y);
    let f = run(&l, crate::reps::Lift::Squat, &sq_rep());
    assert!(f.is_empty(), "{:?}", kinds(&f));
}

#[test]
fn squat_stopping_high_is_above_parallel() {
    // Hips 13 cm above the knees, 50 cm behind them: atan(0.13 / 0.5) = 14.6 deg.
    let l = squat(0.61, |_, d| lerp(10.0, 35.0, d), |_, y| y);
    let f = run(&l, crate::reps::Lift::Squat, &sq_rep());
    let a = f.iter().find(|f| f.kind == FaultKind::AboveParallel).expect("flagged");
    assert!((a.value - 14.6).abs() < 0.3, "{}", a.value);
    assert_eq!(a.severity, Severity::Minor);
}

#[test]
fn a_squat_whose_hips_the_pose_loses_at_the_bottom_is_judged_from_the_bar() {
    // The same high squat with no hip or knee around the bottom: the bar
    // drops from 1.492 m to 0.61 + 0.5 cos 35 + 0.05 = 1.070 m, a share
    // of 0.283 of its standing height.
    let l = squat(0.61, |_, d| lerp(10.0, 35.0, d), |_, y| y);
    let (times, mut track, bar, raw) = build(&l, 0.0);
    for j in &mut track.joints[30..55] {
        j[Joint::Hip.index()] = None;
        j[Joint::Knee.index()] = None;
    }
    let body = test_body(&times, &track, &bar, &raw);
    let (f, _, _) = detect(&body, crate::reps::Lift::Squat, &[sq_rep()], &FaultProfile::default());
    let a = f.iter().find(|f| f.kind == FaultKind::AboveParallel).expect("flagged");
    assert!((a.value - 0.283).abs() < 0.005, "{}", a.value);
    assert_eq!(a.unit, "share of standing bar height");
    assert_eq!(a.severity, Severity::Minor);
    assert!((40..=44).contains(&a.worst_frame), "{}", a.worst_frame);
}

/// Regression (squat_gymai_quarter): the plate hid the head, the pose
/// bent the neck past any body, and the rep's depth came from the bar
/// alone, whose drop (0.38 of standing height on a lifter leaning
/// forward) passed for parallel although the thighs stayed 40 deg above
/// horizontal. A leg drawn at its length still gives the depth; a thigh
/// shrunk under the plate leaves it to the bar.
#[test]
fn a_squat_pose_doubted_for_its_neck_reads_depth_from_a_whole_leg() {
    let mut l = squat(0.61, |_, d| lerp(10.0, 35.0, d), |_, y| y);
    for p in &mut l.poses[20..70] {
        let s = p[Joint::Shoulder.index()];
        p[Joint::Ear.index()] = (s.0 - 0.05, s.1 - 0.2);
    }
    let (f, notes, doubted) = detect_squat(&l, &FaultProfile::default());
    assert_eq!(doubted, vec![0]);
    assert!(notes[0].contains("neck bent"), "{}", notes[0]);
    let a = f.iter().find(|f| f.kind == FaultKind::AboveParallel).expect("flagged");
    // Thigh 0.52 m against a 0.47 m shin: the thigh angle, 14.6 deg.
    assert_eq!(a.unit, "deg");
    assert!((a.value - 14.6).abs() < 0.3, "{}", a.value);
    // The same rep with the thigh drawn at half the shin around the
    // bottom: the bar's drop, 0.283 of its standing height.
    for p in &mut l.poses[30..55] {
        let k = p[Joint::Knee.index()];
        p[Joint::Hip.index()] = (k.0 - 0.2, k.1 + 0.1);
    }
    let (f, _, doubted) = detect_squat(&l, &FaultProfile::default());
    assert_eq!(doubted, vec![0]);
    let a = f.iter().find(|f| f.kind == FaultKind::AboveParallel).expect("flagged");
    assert_eq!(a.unit, BAR_DROP_UNIT);
    assert!((a.value - 0.283).abs() < 0.005, "{}", a.value);
}

#[test]
fn a_squat_pose_with_the_hips_on_the_plate_is_not_judged() {
    // Regression (squat_rounding): with the plate over the torso the
    // landmark model put the hips 2-24 cm from the bar, and that pose
    // read a soft lockout. Here the hips are drawn 0.2 m below the bar:
    // judged, the hips-high pose would read above parallel.
    let mut l = squat(0.42, |_, d| lerp(10.0, 35.0, d), |_, y| y);
    for (p, b) in l.poses.iter_mut().zip(&l.bar) {
        p[Joint::Hip.index()] = (b.0 - 0.05, b.1 - 0.2);
    }
    let (f, notes, doubted) = detect_squat(&l, &FaultProfile::default());
    assert_eq!(doubted, vec![0]);
    assert!(notes[0].contains("hips 21 cm from the bar"), "{}", notes[0]);
    assert!(f
        .iter()
        .all(|f| f.kind == FaultKind::BarDrift || f.kind == FaultKind::AboveParallel));
    // The bar itself is judged: it dropped to depth, so no depth flag.
    assert!(f.is_empty(), "{:?}", kinds(&f));
    // Judged, and with the bar's drop (0.41, a squat at depth) not let
    // overrule the pose, that pose reads above parallel.
    let lax = FaultProfile {
        min_hip_to_bar_m: 0.0,
        deep_bar_drop_share: 1.0,
        ..FaultProfile::default()
    };
    let judged = detect_squat(&l, &lax).0;
    assert_eq!(kinds(&judged), vec!["above_parallel"]);
    // The real squat, hips a torso below the bar, is judged.
    let l = squat(0.42, |_, d| lerp(10.0, 35.0, d), |_, y| y);
    assert!(detect_squat(&l, &FaultProfile::default()).2.is_empty());
}

#[test]
fn a_deep_bar_drop_overrules_a_hip_the_pose_draws_high() {
    // The pose keeps the hip 13 cm above the knee (14.6 deg, a flag on
    // its own) while the bar drops to 0.30 + 0.41 + 0.05 m: 0.49 of its
    // standing height, a squat at depth.
    let mut l = squat(0.61, |_, d| lerp(10.0, 35.0, d), |_, y| y);
    l.bar = squat(0.30, |_, d| lerp(10.0, 35.0, d), |_, y| y).bar;
    let f = run(&l, crate::reps::Lift::Squat, &sq_rep());
    assert!(!f.iter().any(|f| f.kind == FaultKind::AboveParallel), "{:?}", kinds(&f));
    // Regression (a clean rendered squat at 120 fps whose pose
    // collapsed under the plate): the bar dropped 0.43 of its height,
    // as parallel squats do, and the hip drawn high was taken for the
    // depth (thighs 74 deg above horizontal). A drop of 0.43 overrules.
    l.bar = squat(0.39, |_, d| lerp(10.0, 35.0, d), |_, y| y).bar;
    let f = run(&l, crate::reps::Lift::Squat, &sq_rep());
    assert!(!f.iter().any(|f| f.kind == FaultKind::AboveParallel), "{:?}", kinds(&f));
    // A quarter squat leaning far forward drops the bar 0.38 (gymai's
    // fourth rep, thighs 40 deg above horizontal): the pose decides.
    l.bar = squat(0.465, |_, d| lerp(10.0, 35.0, d), |_, y| y).bar;
    let f = run(&l, crate::reps::Lift::Squat, &sq_rep());
    assert!(f.iter().any(|f| f.kind == FaultKind::AboveParallel), "{:?}", kinds(&f));
}

#[test]
fn hips_shooting_up_out_of_the_hole_is_a_good_morning() {
    // From the bottom the hips rise 20 cm in 10 frames while the torso
    // tips from 35 to 60 degrees; the bar (on the shoulders) barely rises.
    let l = squat(
        0.42,
        |i, d| {
            if (45..=60).contains(&i) {
                35.0 + 25.0 * ((i - 45) as f64 / 15.0)
            } else {
                lerp(10.0, 35.0, d)
            }
        },
        |i, y| {
            if (45..=60).contains(&i) {
                0.42 + 0.2 * ((i - 45) as f64 / 15.0)
            } else {
                y
            }
        },
    );
    let f = run(&l, crate::reps::Lift::Squat, &sq_rep());
    let g = f.iter().find(|f| f.kind == FaultKind::GoodMorning).expect("flagged");
    assert!(g.value > 12.0, "{}", g.value);
    assert!((45..=62).contains(&g.worst_frame), "{}", g.worst_frame);
}

#[test]
fn back_outline_bulging_and_torso_shortening_is_rounding() {
    let mut l = deadlift(0.0, 0.0);
    // Standing reach 0.1 m at every station (0.2 torso lengths); at the
    // floor the middle bulges 0.3 torso lengths further and the chord
    // shortens to 0.75.
    for i in 0..N {
        let s = progress(i);
        let bulge = 0.15 * (1.0 - s);
        let b = (100.0 + 1000.0 * bulge) as f32;
        l.outline[i] = Some(TorsoOutline {
            plus_px: [150.0; 5],
            minus_px: [100.0, b, b, 100.0, 100.0],
        });
        let hip = l.poses[i][Joint::Hip.index()];
        let sh = l.poses[i][Joint::Shoulder.index()];
        let k = 1.0 - 0.25 * (1.0 - s);
        l.poses[i][Joint::Shoulder.index()] = (hip.0 + k * (sh.0 - hip.0), hip.1 + k * (sh.1 - hip.1));
    }
    let f = run(&l, crate::reps::Lift::Deadlift, &dl_rep());
    let r = f.iter().find(|f| f.kind == FaultKind::Rounding).expect("flagged");
    // The 90th percentile over the rep: below the 0.3 peak at the floor.
    assert!(r.value > 0.2 && r.value <= 0.3, "{}", r.value);
    assert_eq!(r.region.as_deref(), Some("lower back"));
    // The same outline without the shortening is not enough.
    let mut l2 = deadlift(0.0, 0.0);
    l2.outline = l.outline.clone();
    assert!(run(&l2, crate::reps::Lift::Deadlift, &dl_rep())
        .iter()
        .all(|f| f.kind != FaultKind::Rounding));
    // Regression (deadlift_hips_up_before_pull, a clean pull flagged on
    // both reps): where the chord runs out of the body on the chest side
    // the pose and the mask disagree, and those frames are not read.
    let mut l3 = deadlift(0.0, 0.0);
    l3.poses = l.poses.clone();
    l3.outline = l.outline.clone();
    for o in l3.outline.iter_mut().flatten() {
        if o.minus_px[2] > 150.0 {
            o.plus_px[2] = 5.0;
        }
    }
    assert!(run(&l3, crate::reps::Lift::Deadlift, &dl_rep())
        .iter()
        .all(|f| f.kind != FaultKind::Rounding));
}

#[test]
fn a_point_is_inside_a_grown_polygon_only_near_it() {
    let square = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)];
    assert!(inside_polygon((5.0, 5.0), &square, 1.0));
    assert!(!inside_polygon((10.4, 5.0), &square, 1.0));
    // Grown by a tenth about its centre: 0.5 past each side.
    assert!(inside_polygon((10.4, 5.0), &square, 1.1));
    assert!(!inside_polygon((10.6, 5.0), &square, 1.1));
    assert!(!inside_polygon((5.0, 5.0), &square[..2], 1.1));
}

#[test]
fn grades_follow_the_levels_both_ways() {
    assert_eq!(grade(0.05, [0.06, 0.10, 0.15]), None);
    assert_eq!(grade(0.06, [0.06, 0.10, 0.15]), Some(Severity::Minor));
    assert_eq!(grade(0.2, [0.06, 0.10, 0.15]), Some(Severity::Major));
    assert_eq!(grade(-12.0, [-10.0, -15.0, -20.0]), Some(Severity::Minor));
    assert_eq!(grade(-9.0, [-10.0, -15.0, -20.0]), None);
    assert!(FaultProfile::default().validate().is_ok());
    let p = FaultProfile {
        heel_lift_m: [0.1, 0.05, 0.2],
        ..Default::default()
    };
    assert!(p.validate().is_err());
}
