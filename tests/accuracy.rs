//! Accuracy on the rendered samples against their exact ground truth.
//! Each bound is a regression guard set just outside what was measured
//! (README, "Accuracy on the rendered samples"); where that is worse than the
//! goal, the README says so. A drop in accuracy fails here.

mod util;

use liftlens::score::{score_dir, Score};
use util::*;

fn analyze_and_score(name: &str) -> Score {
    analyze_into(tempdir().path(), name).score
}

/// A sample analysed into `<dir>/<name>`: that folder, the score against
/// the truth, the report.json it was scored from, and stdout.
struct Analysed {
    out: std::path::PathBuf,
    score: Score,
    report: serde_json::Value,
    stdout: String,
}

/// A sample with injected faults, analysed: every one found, nothing else flagged.
fn analyze_flagged(dir: &std::path::Path, name: &str) -> Analysed {
    let a = analyze_into(dir, name);
    assert_eq!(a.score.faults_found, a.score.faults_truth, "{name}: {:?}", a.score);
    assert!(a.score.faults_false.is_empty(), "{name}: {:?}", a.score.faults_false);
    a
}

fn analyze_into(dir: &std::path::Path, name: &str) -> Analysed {
    let out = dir.join(name);
    let video = sample(&format!("{name}.mp4"));
    let r = run(&["analyze", s(&video), "--out", s(&out), "--no-video"]);
    assert_eq!(r.code, 0, "{name}: {}", r.stderr);
    let score = score_dir(&out, &video.with_extension("truth.json")).unwrap();
    eprintln!("{name}: {score:?}");
    let report = report_in(&out);
    Analysed {
        out,
        score,
        report,
        stdout: r.stdout,
    }
}

/// Every flag of `kind` in a report.json.
fn flags_of(v: &serde_json::Value, kind: &str) -> Vec<serde_json::Value> {
    v["reps"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["faults"].as_array().unwrap().clone())
        .filter(|f| f["kind"] == kind)
        .collect()
}

/// An error's size; a missing one counts as infinitely off, so a bound on
/// it fails.
fn abs_err(x: Option<f64>) -> f64 {
    x.map(f64::abs).unwrap_or(f64::INFINITY)
}

/// The report.json in `dir`.
fn report_in(dir: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap()
}

/// The analysis in `out` rerun from its stored poses without the video,
/// into `again`, with `extra` arguments (e.g. a profile): the run, which
/// must succeed.
fn rerun_with(out: &std::path::Path, again: &std::path::Path, extra: &[&str]) -> Run {
    let poses = out.join("poses.csv");
    let mut args = vec!["analyze", "--from-poses", s(&poses), "--out", s(again), "--no-video"];
    args.extend_from_slice(extra);
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r
}

/// `rerun_with` no extra arguments: its report.json.
fn rerun_from_poses(out: &std::path::Path, again: &std::path::Path) -> serde_json::Value {
    rerun_with(out, again, &[]);
    report_in(again)
}

/// Bounds for one clip: pose (coverage, median keypoint error in % of torso
/// length, median torso angle error in degrees) and bar (measured share,
/// median centre error px, |scale error| %, |ROM error| cm, worst per-rep
/// |peak| and |mean| concentric velocity error m/s).
struct Guard {
    clip: &'static str,
    coverage: f64,
    kp_pct: f64,
    torso_deg: f64,
    bar_share: f64,
    bar_px: f64,
    scale_pct: f64,
    rom_cm: f64,
    v_peak: f64,
    v_mean: f64,
    /// |reported camera turn - the truth's|, degrees.
    yaw_deg: f64,
    /// |reported camera tilt from level - the truth's|, degrees.
    tilt_deg: f64,
    /// Injected faults that must be flagged (right kind, right time).
    faults_found: usize,
    /// |reported per-rep mean concentric velocity - the truth bar's|, m/s
    /// (the goal is 0.03; the side views read 0.008 or less since
    /// both rises are cut by the same rule between frames).
    rep_v: f64,
    /// Share of frames in the truth's phase, at least.
    phases: f64,
}

/// False flags known and left, each with its reason (docs/faults.md, "Known
/// misses and why"); any other fails the guard.
// None now. deadlift_hips_up_before_pull's clean pulls were both flagged
// for rounding from frames where the pose's hip lagged behind the plate
// and the hip-shoulder chord left the body (bulges 0.26 and 0.25); those
// frames are not read since `rounding_min_torso_depth_share`, and leaving
// the two out of this list is their regression test.
const KNOWN_FALSE_FLAGS: &[(&str, &str)] = &[];

#[rustfmt::skip]
const GUARDS: &[Guard] = &[
    // Regression: the plate's underside, seen from hip height as a dark
    // band below it, stretched the scale 1.4 % (ROM -1.25 cm) until the
    // scale was read from the near face alone, and held the centre 0.64 px
    // low until the bar took the face's centre (0.04).
    Guard { clip: "squat_clean", coverage: 0.93, kp_pct: 12.0, torso_deg: 4.5, bar_share: 0.95, bar_px: 0.3, scale_pct: 0.5, rom_cm: 1.0, v_peak: 0.03, v_mean: 0.015, yaw_deg: 4.0, tilt_deg: 4.0, faults_found: 0, rep_v: 0.02, phases: 0.9 },
    Guard { clip: "deadlift_clean", coverage: 0.97, kp_pct: 8.5, torso_deg: 5.0, bar_share: 0.97, bar_px: 0.4, scale_pct: 0.6, rom_cm: 0.5, v_peak: 0.03, v_mean: 0.015, yaw_deg: 4.0, tilt_deg: 4.0, faults_found: 0, rep_v: 0.02, phases: 0.9 },
    // The second rep's rounding reads 0.35 with OpenCV's network runner and
    // 0.31-0.32 on the machine the gates were set on, but 0.15 with ONNX
    // Runtime on an AVX2 machine (0.11 since frames whose hip-shoulder
    // chord leaves the body are not read): the pose at lockout, where the plate hides the
    // hip, goes either way with the last bits of the network's arithmetic
    // (docs/real-clips.md, "The same video on another machine"). The first rep is
    // found on every machine tried.
    Guard { clip: "deadlift_rounding", coverage: 0.93, kp_pct: 15.0, torso_deg: 6.5, bar_share: 0.97, bar_px: 0.4, scale_pct: 0.5, rom_cm: 0.7, v_peak: 0.02, v_mean: 0.01, yaw_deg: 4.0, tilt_deg: 4.0, faults_found: 1, rep_v: 0.02, phases: 0.9 },
    Guard { clip: "deadlift_hips_rise_early", coverage: 0.97, kp_pct: 8.0, torso_deg: 6.0, bar_share: 0.97, bar_px: 0.4, scale_pct: 0.5, rom_cm: 0.6, v_peak: 0.03, v_mean: 0.01, yaw_deg: 4.0, tilt_deg: 4.0, faults_found: 2, rep_v: 0.02, phases: 0.9 },
    Guard { clip: "deadlift_bar_drift", coverage: 0.97, kp_pct: 8.0, torso_deg: 5.0, bar_share: 0.97, bar_px: 0.4, scale_pct: 0.6, rom_cm: 1.0, v_peak: 0.03, v_mean: 0.015, yaw_deg: 4.0, tilt_deg: 4.0, faults_found: 2, rep_v: 0.02, phases: 0.9 },
    // The lean-back's 0.1 s speed bump (1.0 -> 1.3 -> 1.0 m/s): 0.081 m/s
    // peak error when the bar was smoothed by a 6 Hz low-pass, 0.022 with
    // the Kalman smoother. Its pose coverage and torso error move with the
    // machine's floating-point path: 78.1 % and 7.6 deg where set, 76.3 %
    // and 9.3 deg with ONNX Runtime on an AVX2 machine, 68.8 % and 7.9 deg
    // with OpenCV's network runner there.
    // Its pose is lost through most of each pull (hip 30-110 px off, on
    // the plate). Where the plate covers the near hip the far one stands in
    // (`skeleton::uncover_hips`); through the rise into the lean-back both
    // hip labels are 17-30 px off either way, and the far one's reading
    // took the torso median 9.3 -> 14.0 deg here while the side-on clean
    // pulls went 6.0 -> 3.2 (deadlift_clean), 6.9 -> 4.4, 4.8 -> 2.4 and
    // 3.9 -> 2.0; the lockout itself, where the bar hangs behind the hips,
    // is read as before.
    // Its truth's phases follow the body: the lean-back after the bar's top
    // (the bar sinks 3 mm) is the truth's concentric, our lockout (phases
    // 87 %; the velocity is scored against the bar's own rise).
    Guard { clip: "deadlift_hyperextension", coverage: 0.66, kp_pct: 11.0, torso_deg: 16.0, bar_share: 0.97, bar_px: 1.0, scale_pct: 0.5, rom_cm: 1.0, v_peak: 0.03, v_mean: 0.015, yaw_deg: 4.0, tilt_deg: 4.0, faults_found: 2, rep_v: 0.02, phases: 0.85 },
    // A portrait phone 1.5 m up, tilted 18 deg down: the plate's vertical
    // size runs 77.6 -> 90.2 px from the floor to lockout. One scale read
    // the ROM 8.2 cm short and the mean speed 0.079 m/s slow; the row-by-row
    // scale (`VerticalScale`) -1.0 cm and 0.022. Regression: the centre,
    // 3.5-8 px high where the plate's top wall shows from above, stepped
    // between fits that took in the wall and fits that did not (peak speed
    // 0.109 m/s off) until the faces and centres were refitted away from
    // where the tilt puts the wall (`refine_for_tilt`): 0.27 px, ROM 0.00
    // cm, peak 0.010 m/s. The tilt's vertical squash read as a 19 deg turn
    // until the face's squeeze was split into a turn and a tilt. The scale
    // column compares one figure for the whole path with the truth's for
    // the plate on the floor: -8 % by design here.
    Guard { clip: "deadlift_pitched", coverage: 0.97, kp_pct: 12.0, torso_deg: 4.0, bar_share: 0.97, bar_px: 0.6, scale_pct: 9.0, rom_cm: 0.5, v_peak: 0.03, v_mean: 0.01, yaw_deg: 4.0, tilt_deg: 2.0, faults_found: 0, rep_v: 0.02, phases: 0.9 },
    // Slow-motion capture, 120 fps played at that rate: the rules that
    // count frames or seconds (smoothing, tracking gates, still frames, the
    // repeat check) at four times the usual rate.
    Guard { clip: "deadlift_120fps", coverage: 0.97, kp_pct: 8.0, torso_deg: 4.5, bar_share: 0.97, bar_px: 0.4, scale_pct: 0.5, rom_cm: 0.5, v_peak: 0.03, v_mean: 0.01, yaw_deg: 4.0, tilt_deg: 4.0, faults_found: 0, rep_v: 0.02, phases: 0.9 },
    // A camera turned 25 deg: the plate's wall shows up to 14 px wide on
    // the side away from the camera, and the bar sat 5.9 px off the plate's
    // centre (ROM -0.86 cm, scale -0.88 %) until the outline was modelled
    // as the hull of the plate's two faces seen by a fitted camera
    // (`refine_for_turn`): 0.28 px, ROM -0.02 cm, scale -0.04 %.
    // A tripod a little high and round from side-on: turned 15 and tilted
    // 10 deg. Without the camera refit the bar sat 6.0 px off and the ROM
    // read 2.5 cm short; with it 0.16 px, -0.08 cm, the camera read to
    // 0.5 deg. The scale column compares one figure with the truth's at
    // the floor, which the tilt makes differ (heights go row by row).
    // The first pull's start was not measured (the track creeps 1.5 cm up
    // on the floor before the bar moves): its concentric reads 0.08 s
    // short and its mean velocity 0.017 m/s fast (0.13 s and 0.034 while
    // the phase edges and the truth's rise were cut at whole frames).
    Guard { clip: "deadlift_turned_tilted", coverage: 0.97, kp_pct: 8.0, torso_deg: 5.0, bar_share: 0.85, bar_px: 0.6, scale_pct: 6.0, rom_cm: 0.5, v_peak: 0.02, v_mean: 0.015, yaw_deg: 2.0, tilt_deg: 2.0, faults_found: 0, rep_v: 0.03, phases: 0.9 },
    // A portrait phone 3 m away, turned 14 and tilted 12 deg: the far plate
    // shows beside the hands and the near one out of round, further from
    // them. The track took the far plate (centre 146 px off, scale +47 %,
    // a false bar_drift on both pulls) until a seed looked beside itself
    // for its bar's bigger twin (`BarTracker::twin`): 0.13 px, ROM -0.28 cm.
    // Scale as deadlift_pitched: one figure against the floor's.
    Guard { clip: "deadlift_phone_turned", coverage: 0.97, kp_pct: 8.5, torso_deg: 4.0, bar_share: 0.97, bar_px: 0.4, scale_pct: 9.0, rom_cm: 0.5, v_peak: 0.02, v_mean: 0.01, yaw_deg: 2.0, tilt_deg: 2.0, faults_found: 0, rep_v: 0.02, phases: 0.9 },
    // A bumper with a light rim band round a dark face: the seed took the
    // face's edge (0.86 of the rim) and the scale read 17 % long, the ROM
    // 12.3 cm, the peak speed 0.21 m/s fast, until a seed looked for an
    // outer rim about its centre (`BarTracker::outer_rim`): 0.12 px, scale
    // 0.02 %, ROM 0.19 cm.
    Guard { clip: "deadlift_hips_up_before_pull", coverage: 0.97, kp_pct: 9.5, torso_deg: 4.5, bar_share: 0.97, bar_px: 0.4, scale_pct: 0.5, rom_cm: 0.5, v_peak: 0.02, v_mean: 0.01, yaw_deg: 4.0, tilt_deg: 4.0, faults_found: 1, rep_v: 0.02, phases: 0.9 },
    // A fast squat (peak 1.7 m/s) with the shutter open the whole frame
    // interval: the black plate's rim smears up to 14 px. The strongest
    // edge on each ray sat anywhere on the smear, 3 px off at speed (peak
    // speed 0.250 m/s off), until each edge was taken at the middle of its
    // smear (`blur_min_smear_px`): 0.015. The plates hide the head at the
    // bottom and the body is not judged (pose torso error 7.4 deg).
    // Regression: its rep mean read -0.036 m/s off when the phase edges
    // were whole frames (one frame is 5 % of its 0.67 s rise); timed
    // between frames, +0.002.
    Guard { clip: "squat_fast_blur", coverage: 0.9, kp_pct: 20.0, torso_deg: 8.5, bar_share: 0.97, bar_px: 0.3, scale_pct: 0.5, rom_cm: 0.5, v_peak: 0.03, v_mean: 0.01, yaw_deg: 4.0, tilt_deg: 4.0, faults_found: 0, rep_v: 0.02, phases: 0.9 },
    Guard { clip: "deadlift_oblique25", coverage: 0.97, kp_pct: 9.0, torso_deg: 12.5, bar_share: 0.97, bar_px: 0.8, scale_pct: 0.5, rom_cm: 0.5, v_peak: 0.02, v_mean: 0.01, yaw_deg: 4.0, tilt_deg: 4.0, faults_found: 0, rep_v: 0.02, phases: 0.9 },
];

#[test]
fn pose_and_bar_accuracy_on_rendered_clips_does_not_regress() {
    let mut failures = Vec::new();
    for g in GUARDS {
        let sc = analyze_and_score(g.clip);
        let v = |x: Option<f64>| x.unwrap_or(f64::INFINITY);
        if sc.lift_right != Some(true) {
            failures.push(format!("{}: lift not recognised", g.clip));
        }
        if !sc.judged || sc.reps_found != sc.reps_truth {
            failures.push(format!(
                "{}: judged {}, {} reps found of {}",
                g.clip, sc.judged, sc.reps_found, sc.reps_truth
            ));
        }
        let mut check = |what: &str, got: f64, bound: f64, at_least: bool| {
            let ok = if at_least { got >= bound } else { got <= bound };
            if !ok {
                failures.push(format!("{}: {what} = {got:.3} (bound {bound})", g.clip));
            }
        };
        check("pose coverage", sc.pose_coverage, g.coverage, true);
        check(
            "keypoint error %torso",
            v(sc.keypoint_err_pct_torso_median),
            g.kp_pct,
            false,
        );
        check(
            "torso angle error deg",
            v(sc.torso_angle_err_deg_median),
            g.torso_deg,
            false,
        );
        check(
            "plate measured share",
            sc.bar_measured_share.unwrap_or(0.0),
            g.bar_share,
            true,
        );
        check("bar centre error px", v(sc.bar_err_px_median), g.bar_px, false);
        check("|scale error| %", v(sc.scale_err_pct).abs(), g.scale_pct, false);
        check("|ROM error| cm", v(sc.rom_err_cm).abs(), g.rom_cm, false);
        // The camera angle is read from the plate's near face; a fit to the
        // whole outline, which takes in the far face's edge, read a side-on
        // squat as turned 10.7 deg (see `near_face` in src/bar.rs).
        check("|camera angle error| deg", v(sc.yaw_err_deg).abs(), g.yaw_deg, false);
        check("|camera tilt error| deg", v(sc.tilt_err_deg).abs(), g.tilt_deg, false);
        check("peak velocity error m/s", v(sc.peak_velocity_err_mps), g.v_peak, false);
        check("mean velocity error m/s", v(sc.mean_velocity_err_mps), g.v_mean, false);
        check("bottom/lockout time error s", v(sc.rep_key_time_err_s), 0.1, false);
        // Regression: the mean concentric velocity was taken between the
        // bands 5 % of the range from each end, leaving out the slow start
        // and finish: deadlift_clean read 0.457 m/s for the truth bar's
        // 0.343 (the bar.csv velocities were right; the figure per rep was
        // not), squat_clean 0.781 for 0.602. Now from where the bar starts
        // moving to where it stops.
        check(
            "|rep mean concentric velocity error| m/s",
            v(sc.rep_mean_velocity_err_mps).abs(),
            g.rep_v,
            false,
        );
        check("phase agreement", sc.phase_agreement.unwrap_or(0.0), g.phases, true);
        check(
            "injected faults found",
            sc.faults_found as f64,
            g.faults_found as f64,
            true,
        );
        // Regression: deadlift_hips_rise_early's knee, hidden by the plate
        // at lockout, read 140 deg (truth 170) and made a false soft_lockout.
        let unexpected: Vec<&String> = sc
            .faults_false
            .iter()
            .filter(|f| !KNOWN_FALSE_FLAGS.contains(&(g.clip, f.as_str())))
            .collect();
        if !unexpected.is_empty() {
            failures.push(format!("{}: flags no fault was injected for: {unexpected:?}", g.clip));
        }
        let truth = liftlens::score::load_truth(&sample(&format!("{}.truth.json", g.clip))).unwrap();
        if sc.facing_right != (truth.clip.facing == "right") {
            failures.push(format!(
                "{}: facing {} but the lifter faces {}",
                g.clip,
                if sc.facing_right { "right" } else { "left" },
                truth.clip.facing
            ));
        }
    }
    assert!(failures.is_empty(), "accuracy dropped:\n{}", failures.join("\n"));
}

#[test]
fn fused_knee_does_not_flip_sides_on_a_smooth_clip() {
    for clip in ["squat_clean", "deadlift_hips_rise_early"] {
        let sc = analyze_and_score(clip);
        let jump = sc.knee_max_jump_shin.expect("knee tracked");
        assert!(
            jump <= 0.25,
            "{clip}: fused knee jumped {jump:.2} shin lengths between frames"
        );
    }
}

#[test]
fn facing_left_clips_are_recognised() {
    // Two clips filmed from the lifter's other side.
    for clip in ["deadlift_rounding", "squat_good_morning"] {
        let dir = tempdir();
        let r = run(&[
            "analyze",
            s(&sample(&format!("{clip}.mp4"))),
            "--out",
            s(dir.path()),
            "--no-video",
            "--json",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(v["facing"], "left", "{clip}");
    }
}

#[test]
fn a_front_view_is_declined_with_filming_advice_and_no_reps() {
    let dir = tempdir();
    let r = run(&[
        "analyze",
        s(&sample("squat_front_view.mp4")),
        "--out",
        s(dir.path()),
        "--no-video",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("not judged") && r.stdout.contains("film from the side"),
        "{}",
        r.stdout
    );
    let v = report_in(dir.path());
    assert_eq!(v["view"]["verdict"], "not_side_on");
    assert_eq!(v["view"]["judgeable"], false);
    assert_eq!(v["reps"].as_array().unwrap().len(), 0);
}

/// A short lifter whose head and shoulders the plates hide through every
/// descent: the pose is found on too few frames to judge the technique,
/// but the plate is tracked throughout, so the reps are counted and the
/// bar measured from it (they had been declined as "no person").
#[test]
fn a_lifter_the_plates_hide_still_gets_reps_and_bar_speed_from_the_plate() {
    let dir = tempdir();
    let a = analyze_into(dir.path(), "squat_plates_hide_head");
    let sc = &a.score;
    assert!(sc.pose_coverage < 0.5, "{sc:?}");
    assert_eq!(a.report["view"]["verdict"], "body_hidden");
    assert_eq!(a.report["view"]["bar_only"], true);
    assert!(!sc.judged && sc.bar_only);
    assert_eq!((sc.reps_found, sc.reps_truth), (2, 2), "{sc:?}");
    assert!(abs_err(sc.rep_key_time_err_s) <= 0.1, "{sc:?}");
    assert!(abs_err(sc.rep_mean_velocity_err_mps) <= 0.03, "{sc:?}");
    assert!(abs_err(sc.peak_velocity_err_mps) <= 0.03, "{sc:?}");
    assert!(abs_err(sc.rom_err_cm) <= 1.0, "{sc:?}");
    assert!(sc.phase_agreement.unwrap_or(0.0) >= 0.9, "{sc:?}");
    for rep in a.report["reps"].as_array().unwrap() {
        assert_eq!(rep["body_judged"], false);
        assert!(rep["faults"].as_array().unwrap().is_empty());
        assert!(rep["torso_angle_bottom_deg"].is_null());
    }
    assert!(
        a.stdout.contains("squat: 2 rep(s)") && a.stdout.contains("technique not judged"),
        "{}",
        a.stdout
    );
    assert!(a.stdout.contains("camera turned about 15 degrees"), "{}", a.stdout);
}

/// No plate on the bar (a technique set with the bar alone): the
/// shoulders stand in for the bar, the lifter's height sizes the picture,
/// and the report says so and marks every bar row as not measured.
/// Measured: ROM 0.35 cm off, peak speed 0.052 m/s, rep mean speed 0.082
/// (the shoulders' timing is not the bar's exactly), reps 2/2.
#[test]
fn without_plates_the_shoulders_stand_in_and_the_lifter_height_sets_the_scale() {
    let dir = tempdir();
    let a = analyze_into(dir.path(), "squat_no_plates");
    let sc = &a.score;
    assert_eq!(a.report["bar"]["source"], "shoulders");
    assert_eq!(a.report["bar"]["scale"]["source"], "lifter_height");
    assert_eq!(sc.bar_measured_share, Some(0.0), "{sc:?}");
    assert!(sc.judged, "{sc:?}");
    assert_eq!((sc.reps_found, sc.reps_truth), (2, 2), "{sc:?}");
    assert!(abs_err(sc.rep_key_time_err_s) <= 0.1, "{sc:?}");
    assert!(abs_err(sc.rom_err_cm) <= 2.0, "{sc:?}");
    assert!(abs_err(sc.peak_velocity_err_mps) <= 0.1, "{sc:?}");
    assert!(abs_err(sc.rep_mean_velocity_err_mps) <= 0.15, "{sc:?}");
    assert!(
        a.stdout.contains("from the shoulders (no plate tracked)"),
        "{}",
        a.stdout
    );
    assert!(a.stdout.contains("set --lifter-height-m"), "{}", a.stdout);
    let bar = std::fs::read_to_string(a.out.join("bar.csv")).unwrap();
    for row in bar.lines().skip(1) {
        let cols: Vec<&str> = row.split(',').collect();
        assert_eq!(cols[11], "0", "measured: {row}");
        assert!(cols[10].parse::<f64>().unwrap() <= 0.5, "confidence: {row}");
    }
    // A taller lifter: the same pixels are more metres.
    let again = dir.path().join("tall");
    rerun_with(&a.out, &again, &["--lifter-height-m", "2.0"]);
    let mpp = |r: &serde_json::Value| r["bar"]["scale"]["metres_per_px"].as_f64().unwrap();
    let ratio = mpp(&report_in(&again)) / mpp(&a.report);
    assert!((ratio - 2.0 / 1.75).abs() < 1e-3, "{ratio}");
}

#[test]
fn hyperextension_and_bar_drift_are_flagged_on_the_right_reps_with_pictures() {
    for (clip, kind) in [
        ("deadlift_hyperextension", "hyperextension_lockout"),
        ("deadlift_bar_drift", "bar_drift"),
    ] {
        let dir = tempdir();
        let Analysed {
            out, report: v, stdout, ..
        } = analyze_flagged(dir.path(), clip);
        for rep in v["reps"].as_array().unwrap() {
            let f = rep["faults"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["kind"] == kind)
                .unwrap_or_else(|| panic!("{clip}: rep {} has no {kind}", rep["index"]));
            let value = f["value"].as_f64().unwrap();
            // Truth: 15 deg behind vertical at lockout (measured -11.6 to
            // -11.9: the pose reads lockouts more upright) / 10-13 cm ahead
            // of the midfoot (measured 13).
            match kind {
                "bar_drift" => assert!((0.09..=0.16).contains(&value), "{clip}: {value}"),
                _ => assert!((-17.0..=-10.0).contains(&value), "{clip}: {value}"),
            }
            let c = f["confidence"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&c));
            let png = out.join("frames").join(format!(
                "rep{}_{kind}_{:05}.png",
                rep["index"].as_u64().unwrap() + 1,
                f["worst_frame"].as_u64().unwrap()
            ));
            assert!(png.is_file(), "{clip}: no picture {}", png.display());
            let page = std::fs::read_to_string(out.join("report.html")).unwrap();
            let name = png.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                page.contains(&format!("<img src=\"frames/{name}\"")),
                "{clip}: {name} not shown"
            );
        }
        let csv = std::fs::read_to_string(out.join("reps.csv")).unwrap();
        assert!(csv
            .lines()
            .next()
            .unwrap()
            .ends_with(",faults,body_judged,starts_before_clip,not_checked"));
        assert!(csv.contains(kind), "{csv}");
        assert!(stdout.contains("cue:"), "{stdout}");

        // Regression: a rerun into the same folder that no longer flags the
        // fault left the old pictures beside the new report.
        let strict = dir.path().join("strict.toml");
        std::fs::write(
            &strict,
            "[faults]\nbar_drift_ahead_m = [0.5, 0.6, 0.7]\nbar_drift_travel_m = 0.5\nhyperextension_torso_deg = [-40.0, -45.0, -50.0]\n",
        )
        .unwrap();
        rerun_with(&out, &out, &["--profile", s(&strict)]);
        let left: Vec<_> = std::fs::read_dir(out.join("frames"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(kind))
            .collect();
        assert!(left.is_empty(), "{clip}: stale pictures {left:?}");
        let page = std::fs::read_to_string(out.join("report.html")).unwrap();
        assert!(
            !page.contains("<img"),
            "{clip}: the rerun's page shows a picture it did not write"
        );
    }
}

#[test]
fn squat_depth_is_read_from_the_bar_where_the_plate_hides_the_hips() {
    // squat_above_parallel: the pose loses the small lifter at the bottom
    // (the plate covers her from the head to the hips), so depth comes from
    // the bar's drop (0.20 of its standing height; truth 45 deg above
    // parallel). squat_rounding: the pose drew the hidden hip 3-5 cm above
    // the knee while the bar dropped 0.49, a squat at depth: no flag.
    let sc = analyze_and_score("squat_above_parallel");
    assert_eq!((sc.faults_found, sc.faults_truth), (2, 2), "{:?}", sc.faults_false);
    let dir = tempdir();
    let Analysed { score: sc, report, .. } = analyze_into(dir.path(), "squat_rounding");
    assert!(
        !sc.faults_false.iter().any(|f| f.starts_with("above_parallel")),
        "{:?}",
        sc.faults_false
    );
    // The same pose put the hips 2-24 cm from the bar (truth 31-40 cm): it
    // took the plate for the body and read a soft lockout on rep 2. Such
    // reps are not judged on the body, and their angles are not reported.
    assert!(sc.faults_false.is_empty(), "{:?}", sc.faults_false);
    let notes: Vec<&str> = report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n.as_str())
        .collect();
    for rep in 1..=2 {
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with(&format!("rep {rep}: the pose put the hips"))),
            "{notes:?}"
        );
    }
    for rep in report["reps"].as_array().unwrap() {
        assert!(rep["torso_angle_bottom_deg"].is_null(), "{rep}");
        assert_eq!(rep["body_judged"], false, "{rep}");
    }
}

#[test]
fn heels_coming_up_at_the_squat_bottom_are_read_from_the_picture() {
    // squat_heel_lift: on the second rep the foot turns 12 deg about the
    // toes at the bottom (the heel rises about 3.5 cm; the heel patch
    // measured 3.02 cm); the first rep is the clean control (-0.17 cm).
    // Until the heel patch was cut to the sole's edge (2026-11-24) the
    // shin dragged it 0.85 cm up on that clean rep.
    let dir = tempdir();
    let Analysed {
        out,
        score,
        report: v,
        stdout,
    } = analyze_flagged(dir.path(), "squat_heel_lift");
    assert_eq!(score.faults_truth, 1);
    let heel_flags = |v: &serde_json::Value| flags_of(v, "heel_lift");
    let flags = heel_flags(&v);
    assert_eq!(flags.len(), 1, "{flags:?}");
    let f = &flags[0];
    assert_eq!(f["rep"], 1);
    let value = f["value"].as_f64().unwrap();
    assert!((0.018..=0.035).contains(&value), "{value}");
    // Inside the truth's heel-lift window, 4.13-6.0 s.
    let worst = f["worst_s"].as_f64().unwrap();
    assert!((4.1..=6.0).contains(&worst), "{worst}");
    assert!(f["confidence"].as_f64().unwrap() > 0.5, "{f}");
    assert!(stdout.contains("heel"), "{stdout}");
    // The clean rep's heel rises less than half a centimetre on every frame
    // read (heels.csv, px, times the scale), and
    // most of its frames are read.
    let reps = v["reps"].as_array().unwrap();
    let (a, b) = (
        reps[0]["start_frame"].as_u64().unwrap() as usize,
        reps[0]["end_frame"].as_u64().unwrap() as usize,
    );
    let metres_per_px = v["bar"]["scale"]["metres_per_px"].as_f64().unwrap();
    let heels = std::fs::read_to_string(out.join("heels.csv")).unwrap();
    let clean_rise_m: Vec<f64> = heels
        .lines()
        .skip(1)
        .filter_map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            let i: usize = c[0].parse().ok()?;
            let rise: f64 = c[2].parse().ok()?;
            (a..=b).contains(&i).then_some(rise * metres_per_px)
        })
        .collect();
    assert!(
        clean_rise_m.len() * 10 >= (b - a + 1) * 8,
        "{} of {}",
        clean_rise_m.len(),
        b - a + 1
    );
    assert!(
        clean_rise_m.iter().all(|r| (-0.01..0.005).contains(r)),
        "{clean_rise_m:?}"
    );

    // Rep to rep: with the heels up, rep 2's bar stops higher (the truth's
    // range of motion 0.644 and 0.608 m). The set's range-of-motion spread
    // reads that difference, alike under the default 6 cm limit and named,
    // with its cue, under a tighter profile.
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sample("squat_heel_lift.truth.json")).unwrap()).unwrap();
    let truth_rom: Vec<f64> = truth["reps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let (a, b) = (r["start_s"].as_f64().unwrap(), r["end_s"].as_f64().unwrap());
            let ys: Vec<f64> = truth["frames"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| (a - 0.2..=b + 0.2).contains(&f["time_s"].as_f64().unwrap()))
                .map(|f| f["bar_m"][1].as_f64().unwrap())
                .collect();
            ys.iter().copied().fold(f64::MIN, f64::max) - ys.iter().copied().fold(f64::MAX, f64::min)
        })
        .collect();
    let truth_spread = (truth_rom[0] - truth_rom[1]).abs();
    assert!(truth_spread > 0.03, "{truth_rom:?}");
    let rom_spread = |v: &serde_json::Value| {
        v["set"]["consistency"]["measures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["measure"] == "range_of_motion")
            .cloned()
            .unwrap()
    };
    let rom = rom_spread(&v);
    assert!(
        (rom["spread"].as_f64().unwrap() - truth_spread).abs() < 0.005,
        "{rom} against the truth's {truth_spread}"
    );
    assert_eq!(rom["varied"], false, "{rom}");
    let tight = dir.path().join("tight.toml");
    std::fs::write(&tight, "[consistency]\nrange_of_motion_m = 0.02\n").unwrap();
    let again = dir.path().join("tight");
    let r = rerun_with(&out, &again, &["--profile", s(&tight)]);
    assert!(
        r.stdout
            .contains("rep to rep: range of motion varied by 4 cm across the reps (rep 1 0.64 m, rep 2 0.61 m)")
            && r.stdout.contains("cue: Pick a depth"),
        "{}",
        r.stdout
    );
    assert_eq!(rom_spread(&report_in(&again))["varied"], true);

    // From the stored poses without the video the heel comes from the
    // heels.csv beside them: the same flag. Without that file it is not
    // judged, and the report says why.
    let rerun = |name: &str| rerun_from_poses(&out, &dir.path().join(name));
    let again = rerun("no_video");
    let stored = heel_flags(&again);
    assert_eq!(stored.len(), 1, "{stored:?}");
    for key in ["rep", "severity", "worst_frame", "start_frame", "end_frame"] {
        assert_eq!(stored[0][key], f[key], "{key}");
    }
    // heels.csv keeps a thousandth of a pixel.
    assert!((stored[0]["value"].as_f64().unwrap() - value).abs() < 1e-4);
    assert!(again["notes"].to_string().contains("heels.csv"), "{}", again["notes"]);
    std::fs::remove_file(out.join("heels.csv")).unwrap();
    let without = rerun("no_heels");
    assert!(heel_flags(&without).is_empty());
    let notes = without["notes"].to_string();
    assert!(notes.contains("heel lift is read from the picture"), "{notes}");
}

#[test]
fn hips_rising_before_the_bar_leaves_the_floor_are_read_from_the_picture() {
    // deadlift_hips_up_before_pull: before the second pull the lifter sinks
    // the hips and straightens the knees over the last second while the bar
    // stays down (hip joint centres 9.7 cm up, shoulders still; the
    // patches read 10.7 cm); the first pull is the control (-0.1 cm).
    let dir = tempdir();
    let Analysed {
        out,
        score,
        report: v,
        stdout,
    } = analyze_into(dir.path(), "deadlift_hips_up_before_pull");
    assert_eq!((score.faults_found, score.faults_truth), (1, 1), "{score:?}");
    let early = |v: &serde_json::Value| flags_of(v, "hips_rise_early");
    let flags = early(&v);
    assert_eq!(flags.len(), 1, "{flags:?}");
    let f = &flags[0];
    assert_eq!((f["rep"].as_u64(), f["unit"].as_str()), (Some(1), Some("m")), "{f}");
    let value = f["value"].as_f64().unwrap();
    assert!((0.08..=0.13).contains(&value), "{value}");
    // The truth's rise runs 4.23-5.23 s; the bar leaves the floor at 5.23.
    let (start, worst) = (f["start_s"].as_f64().unwrap(), f["worst_s"].as_f64().unwrap());
    assert!(
        (3.9..=4.5).contains(&start) && (5.0..=5.4).contains(&worst),
        "{start} {worst}"
    );
    assert!(f["confidence"].as_f64().unwrap() > 0.6, "{f}");
    assert!(stdout.contains("Before the bar left the floor"), "{stdout}");

    // From the stored poses without the video the rises come from
    // liftoff.csv beside them: the same flag. Without it, not judged.
    let rerun = |name: &str| rerun_from_poses(&out, &dir.path().join(name));
    let stored = early(&rerun("no_video"));
    assert_eq!(stored.len(), 1, "{stored:?}");
    for key in ["rep", "severity", "worst_frame", "start_frame"] {
        assert_eq!(stored[0][key], f[key], "{key}");
    }
    assert!((stored[0]["value"].as_f64().unwrap() - value).abs() < 1e-4);
    std::fs::remove_file(out.join("liftoff.csv")).unwrap();
    let without = rerun("no_liftoff");
    assert!(early(&without).is_empty(), "{without}");
    let notes = without["notes"].to_string();
    assert!(notes.contains("liftoff.csv"), "{notes}");
}

/// Regression: where the pose drew a deadlift's setup upright (the hips on
/// the plate; a held-out male pull read 4 and -5 deg at the floor for a
/// truth of 53), the setup angle was dropped from the rep summary but the
/// same frame's reading stayed in it as the angle at the bottom, and
/// report.html's rep table showed it. A deadlift's bottom is its setup.
/// Here every setup counts as upright (the limit raised past the clean
/// pulls' 38-63 deg).
#[test]
fn a_deadlift_setup_drawn_upright_gives_no_setup_or_floor_torso_angle() {
    let dir = tempdir();
    let a = analyze_into(dir.path(), "deadlift_clean");
    let reps = a.report["reps"].as_array().unwrap();
    assert!(reps.iter().all(|r| r["torso_angle_bottom_deg"].is_number()), "{reps:?}");
    let upright = dir.path().join("upright.toml");
    std::fs::write(&upright, "[faults]\nhips_rise_min_setup_torso_deg = 80.0\n").unwrap();
    let again = dir.path().join("again");
    rerun_with(&a.out, &again, &["--profile", s(&upright)]);
    let v = report_in(&again);
    let reps = v["reps"].as_array().unwrap();
    assert_eq!(reps.len(), 2, "{v}");
    for r in reps {
        assert!(r["torso_angle_start_deg"].is_null(), "{r}");
        assert!(r["torso_angle_bottom_deg"].is_null(), "{r}");
        assert!(r["torso_angle_lockout_deg"].is_number(), "{r}");
    }
    let csv = std::fs::read_to_string(again.join("reps.csv")).unwrap();
    for row in csv.lines().skip(1) {
        let cells: Vec<&str> = row.split(',').collect();
        assert_eq!((cells[9], cells[10]), ("", ""), "{row}");
    }
}
