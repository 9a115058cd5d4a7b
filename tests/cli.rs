//! The binary end to end on rendered samples, and its answers to bad input.

mod util;

use std::io::Write;

use util::*;

#[test]
fn analyze_writes_poses_report_and_a_playable_annotated_video() {
    let dir = tempdir();
    let out = dir.path().join("out");
    let video = sample("squat_clean.mp4");
    let r = run(&["analyze", s(&video), "--out", s(&out)]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    assert!(r.stdout.contains("facing right"), "{}", r.stdout);
    assert!(r.stdout.contains("clinician"), "the summary carries the health note");
    // Each rep's phases with their times, a squat's pause at the bottom too.
    assert!(r.stdout.contains("phases (s): setup 0.00-"), "{}", r.stdout);
    assert_eq!(r.stdout.matches(", bottom ").count(), 2, "{}", r.stdout);

    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let (frames, w, h) = decode_count(&video);
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["video"]["frames"], frames);
    assert_eq!(report["video"]["width"], w);
    assert_eq!(report["video"]["height"], h);
    assert_eq!(report["facing"], "right");
    assert_eq!(report["model"], "full");
    assert!(report["pose_coverage"].as_f64().unwrap() > 0.9);

    let csv = std::fs::read_to_string(out.join("poses.csv")).unwrap();
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("frame,time_s,ear_x,ear_y,ear_conf"));
    assert!(
        header.contains("raw_left_hip_x")
            && header.contains("pose_flag,torso_angle_deg")
            && header.ends_with("outline_minus_5_px")
    );
    assert_eq!(lines.count(), frames, "one row per frame");

    let bar = std::fs::read_to_string(out.join("bar.csv")).unwrap();
    assert_eq!(bar.lines().count(), frames + 1, "bar.csv has a row per frame");
    let reps = std::fs::read_to_string(out.join("reps.csv")).unwrap();
    assert_eq!(reps.lines().count(), 3, "two squat reps:\n{reps}");
    assert_eq!(report["lift"], "squat");
    // kinematics.csv: a row per frame, each rep's frames in its phases in
    // order, and the torso angle where the pose was found.
    let kin = std::fs::read_to_string(out.join("kinematics.csv")).unwrap();
    let mut rows = kin.lines();
    assert_eq!(
        rows.next().unwrap(),
        "frame,time_s,rep,phase,bar_y_m,bar_ahead_of_midfoot_m,bar_vy_mps,torso_angle_deg,hip_angle_deg,knee_angle_deg,hip_above_knee_m,faults"
    );
    let rows: Vec<Vec<&str>> = rows.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), frames);
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for r in &rows {
        if !r[3].is_empty() && seen.last() != Some(&(r[2], r[3])) {
            seen.push((r[2], r[3]));
        }
    }
    let want: Vec<(&str, &str)> = ["1", "2"]
        .iter()
        .flat_map(|rep| ["eccentric", "bottom", "concentric", "lockout"].map(|p| (*rep, p)))
        .collect();
    assert_eq!(seen[0], ("1", "setup"), "{seen:?}");
    assert_eq!(seen[1..], want[..], "{seen:?}");
    assert!(rows.iter().filter(|r| !r[7].is_empty()).count() > frames * 9 / 10);
    assert_eq!(report["bar"]["source"], "plate");
    // Rep to rep: the two rendered reps are alike (the same motion, within
    // the renderer's tempo jitter), and every squat measure is compared.
    let measures = report["set"]["consistency"]["measures"].as_array().unwrap();
    let names: Vec<&str> = measures.iter().map(|m| m["measure"].as_str().unwrap()).collect();
    assert_eq!(names, ["range_of_motion", "start_position", "bar_path", "descent"]);
    for m in measures {
        let bound = if m["measure"] == "descent" { 0.15 } else { 0.01 };
        assert!(m["spread"].as_f64().unwrap() < bound && m["varied"] == false, "{m}");
    }
    assert!(
        r.stdout.contains("rep to rep alike (spread): range of motion (<1 cm)"),
        "{}",
        r.stdout
    );
    let (n, aw, ah) = decode_count(&out.join("annotated.mp4"));
    assert_eq!(
        (n, aw, ah),
        (frames, w, h),
        "annotated video has the input's frames and size"
    );
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(page.contains("<h1>Squat · 2 reps</h1>"), "{page}");
    assert!(page.contains("<video id=\"clip\" src=\"annotated.mp4\""));
    assert_eq!(
        page.matches("<svg").count(),
        6,
        "bar path, height, speed, torso, joints, per rep"
    );
    assert!(page.contains("No faults flagged") && page.contains("clinician"));
    assert!(page.contains("<h2>Rep to rep</h2>") && !page.contains("class=\"varied\""));
    assert_eq!(
        page.matches("<div class=\"phases\"").count(),
        2,
        "a phase strip per rep"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary files left behind");

    // The formats people and scripts read, pinned (insta snapshots in
    // tests/snapshots): the stdout summary with its numbers and paths
    // blanked, every CSV's header, and report.json's fields with their
    // types. A change to any of them shows here and in docs/report.md.
    let summary = without_numbers(&r.stdout.replace(s(&out), "<OUT>").replace(s(&video), "<VIDEO>"));
    insta::assert_snapshot!("squat_clean_summary", summary);
    let headers: Vec<String> = [
        "poses.csv",
        "bar.csv",
        "heels.csv",
        "liftoff.csv",
        "kinematics.csv",
        "reps.csv",
    ]
    .iter()
    .map(|f| {
        let text = std::fs::read_to_string(out.join(f)).unwrap();
        format!("{f}: {}", text.lines().next().unwrap_or(""))
    })
    .collect();
    insta::assert_snapshot!("squat_clean_csv_headers", headers.join("\n"));
    // `bar.scale.camera_fit` is there only where the turned-camera refit
    // ran, which squat_clean's 2-degree reading of its faces sits at the
    // edge of (squat_heel_lift's 1.99 does not run it): left out here.
    let mut report = report.clone();
    if let Some(scale) = report["bar"]["scale"].as_object_mut() {
        scale.remove("camera_fit");
    }
    insta::assert_snapshot!(
        "squat_clean_report_fields",
        serde_json::to_string_pretty(&fields_of(&report)).unwrap()
    );
}

/// Every run of digits as `#`: the summary's wording and layout, not its
/// measurements (which tests/accuracy.rs checks with tolerances).
fn without_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_digit() {
            if !out.ends_with('#') {
                out.push('#');
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A JSON value's fields and their types, without the values: an array of
/// objects by its first element's fields, any other array as "array" (a
/// list of notes may be empty on one machine and not on another).
fn fields_of(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Null => "null".into(),
        Value::Bool(_) => "bool".into(),
        Value::Number(_) => "number".into(),
        Value::String(_) => "string".into(),
        Value::Array(items) => match items.first() {
            Some(first @ Value::Object(_)) => Value::Array(vec![fields_of(first)]),
            _ => "array".into(),
        },
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), fields_of(v))).collect()),
    }
}

#[test]
fn json_flag_prints_the_report() {
    let dir = tempdir();
    let r = run(&[
        "analyze",
        s(&sample("deadlift_clean.mp4")),
        "--out",
        s(dir.path()),
        "--no-video",
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("stdout is the JSON report");
    assert_eq!(v["facing"], "right");
    assert!(!dir.path().join("annotated.mp4").exists());
}

#[test]
fn rerun_from_poses_csv_reproduces_the_analysis_without_the_network() {
    let dir = tempdir();
    let first = dir.path().join("first");
    let again = dir.path().join("again");
    let video = sample("deadlift_clean.mp4");
    assert_eq!(run(&["analyze", s(&video), "--out", s(&first), "--no-video"]).code, 0);
    let csv = first.join("poses.csv");
    let r = run(&["analyze", "--from-poses", s(&csv), "--out", s(&again)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let a: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(first.join("report.json")).unwrap()).unwrap();
    let b: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(again.join("report.json")).unwrap()).unwrap();
    assert_eq!(b["backend"], "none (from poses.csv)");
    assert_eq!(a["facing"], b["facing"]);
    assert_eq!(a["pose_coverage"], b["pose_coverage"]);
    let (ma, mb) = (
        a["torso_angle_deg"]["median"].as_f64().unwrap(),
        b["torso_angle_deg"]["median"].as_f64().unwrap(),
    );
    // poses.csv stores 3 decimals: the rerun agrees to a hundredth of a degree.
    assert!((ma - mb).abs() < 0.01, "{ma} vs {mb}");
}

#[test]
fn missing_file_is_a_clear_error() {
    let dir = tempdir();
    let r = run(&["analyze", "/no/such/lift.mp4", "--out", s(dir.path())]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("video not found: /no/such/lift.mp4"), "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"));
}

#[test]
fn a_file_that_is_not_a_video_is_refused_with_a_fix() {
    let dir = tempdir();
    let fake = dir.path().join("notes.mp4");
    std::fs::write(&fake, "these are my training notes, not a video\n".repeat(50)).unwrap();
    let r = run(&["analyze", s(&fake), "--out", s(&dir.path().join("o"))]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("cannot decode") && r.stderr.contains("ffmpeg -i"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"));
}

#[test]
fn a_truncated_video_is_reported_as_truncated() {
    let dir = tempdir();
    let bytes = std::fs::read(sample("squat_clean.mp4")).unwrap();
    // faststart puts the index first: cutting the tail keeps the header's
    // frame count but loses frames.
    let cut = dir.path().join("cut.mp4");
    std::fs::File::create(&cut)
        .unwrap()
        .write_all(&bytes[..bytes.len() / 2])
        .unwrap();
    let out = dir.path().join("o");
    let r = run(&["analyze", s(&cut), "--out", s(&out)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("truncated") && r.stderr.contains("--allow-truncated"),
        "{}",
        r.stderr
    );
    assert!(!out.join("report.json").exists(), "nothing half-analysed is written");
    let r = run(&["analyze", s(&cut), "--out", s(&out), "--no-video", "--allow-truncated"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("truncated"), "{}", r.stdout);
}

fn write_empty_scene(path: &std::path::Path) {
    use opencv::core::{Mat, Scalar, Size, CV_8UC3};
    use opencv::prelude::*;
    use opencv::videoio::VideoWriter;
    let fourcc = VideoWriter::fourcc('a', 'v', 'c', '1').unwrap();
    let mut w = VideoWriter::new_with_backend(
        path.to_str().unwrap(),
        opencv::videoio::CAP_FFMPEG,
        fourcc,
        30.0,
        Size::new(640, 360),
        true,
    )
    .unwrap();
    for i in 0..30 {
        let frame = Mat::new_rows_cols_with_default(360, 640, CV_8UC3, Scalar::new(90.0 + i as f64, 110.0, 120.0, 0.0))
            .unwrap();
        w.write(&frame).unwrap();
    }
    w.release().unwrap();
}

#[test]
fn a_video_with_nobody_in_it_says_how_to_film() {
    let dir = tempdir();
    let empty = dir.path().join("empty.mp4");
    write_empty_scene(&empty);
    let r = run(&["analyze", s(&empty), "--out", s(&dir.path().join("o"))]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains("no person found") && r.stderr.contains("from the side"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_unwritable_output_folder_is_refused_before_any_work() {
    let dir = tempdir();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let r = run(&["analyze", s(&sample("squat_clean.mp4")), "--out", s(&file.join("out"))]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(
        r.stderr.contains("cannot write to the output folder") && r.stderr.contains("--out"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_bad_profile_names_the_key() {
    let dir = tempdir();
    let prof = dir.path().join("p.toml");
    std::fs::write(&prof, "[pose]\nmin_visibility = 1.5\n").unwrap();
    let r = run(&[
        "analyze",
        s(&sample("squat_clean.mp4")),
        "--out",
        s(dir.path()),
        "--profile",
        s(&prof),
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("pose.min_visibility"), "{}", r.stderr);
}

#[test]
fn batch_mode_goes_on_past_a_bad_file_and_keeps_what_it_wrote() {
    let dir = tempdir();
    let videos = dir.path().join("videos");
    std::fs::create_dir(&videos).unwrap();
    std::fs::copy(sample("deadlift_clean.mp4"), videos.join("a_good.mp4")).unwrap();
    std::fs::write(videos.join("b_broken.mp4"), b"not a video").unwrap();
    std::fs::write(videos.join("readme.txt"), b"ignored").unwrap();
    let out = dir.path().join("out");
    let r = run(&["analyze", s(&videos), "--out", s(&out), "--no-video"]);
    assert_eq!(r.code, 2, "the first failure's exit code: {}", r.stderr);
    assert!(out.join("a_good/report.json").is_file());
    assert!(
        r.stderr.contains("b_broken.mp4") && r.stderr.contains("1 analysed, 1 failed"),
        "{}",
        r.stderr
    );
    let index: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("batch.json")).unwrap()).unwrap();
    assert_eq!(index.as_array().unwrap().len(), 2);
    assert_eq!(index[0]["ok"], true);
    assert_eq!(index[1]["ok"], false);
    let page = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        page.contains("<a href=\"a_good/report.html\">a_good.mp4</a></td><td>Deadlift</td><td>2</td>"),
        "{page}"
    );
    assert!(page.contains("b_broken.mp4</td><td colspan=\"3\" class=\"failed\">not analysed:"));
    assert!(out.join("a_good/report.html").is_file());
    // The file that could not be read leaves no empty folder behind.
    assert!(!out.join("b_broken").exists());
}

fn ffmpeg(args: &[&str]) {
    let st = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-y"])
        .args(args)
        .status()
        .expect("ffmpeg (installed by scripts/setup)");
    assert!(st.success(), "ffmpeg {args:?}");
}

/// Re-encode `src` through ffmpeg `options` (filters and the like) to `dest`
/// as H.264 at near-source quality.
fn reencode(src: &std::path::Path, options: &[&str], dest: &std::path::Path) {
    let mut args = vec!["-i", s(src)];
    args.extend_from_slice(options);
    args.extend_from_slice(&["-c:v", "libx264", "-crf", "18", "-pix_fmt", "yuv420p", s(dest)]);
    ffmpeg(&args);
}

fn report_of(dir: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap()
}

/// `liftlens analyze VIDEO --out OUT --no-video`, which must succeed: its
/// stdout and report.json.
fn analyze_ok(video: &std::path::Path, out: &std::path::Path) -> (String, serde_json::Value) {
    let r = run(&["analyze", s(video), "--out", s(out), "--no-video"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    (r.stdout, report_of(out))
}

#[test]
fn portrait_phone_video_is_turned_upright_by_its_rotation_tag() {
    let dir = tempdir();
    let src = sample("squat_clean.mp4");
    // Store the frames sideways and tag them so a player shows them upright,
    // as phones do.
    let sideways = dir.path().join("sideways.mp4");
    let tagged = dir.path().join("portrait.mp4");
    reencode(&src, &["-vf", "transpose=1"], &sideways);
    ffmpeg(&[
        "-i",
        s(&sideways),
        "-c",
        "copy",
        "-metadata:s:v:0",
        "rotate=270",
        s(&tagged),
    ]);
    let (_, ra) = analyze_ok(&src, &dir.path().join("a"));
    let (_, rb) = analyze_ok(&tagged, &dir.path().join("b"));
    assert_eq!(rb["video"]["rotation"], 270);
    assert_eq!(rb["video"]["width"], ra["video"]["width"]);
    assert_eq!(rb["video"]["height"], ra["video"]["height"]);
    assert_eq!(rb["facing"], "right");
    let (ma, mb) = (
        ra["torso_angle_deg"]["median"].as_f64().unwrap(),
        rb["torso_angle_deg"]["median"].as_f64().unwrap(),
    );
    // The sideways copy is re-encoded, which moves BlazePose by a few
    // degrees (2.8 measured); an unrotated analysis is off by ~90 or 180.
    assert!(
        (ma - mb).abs() < 5.0,
        "upright analysis {ma} vs from the tagged portrait file {mb}"
    );
    // Without the tag the lifter lies on their side: declined with advice,
    // not measured (a wrongly tagged real squat read an 83 cm bar drift).
    let (stdout, rc) = analyze_ok(&sideways, &dir.path().join("c"));
    assert!(stdout.contains("rotate it upright"), "{stdout}");
    assert_eq!(rc["view"]["verdict"], "not_upright");
    let tilt = rc["view"]["leg_tilt_deg"].as_f64().unwrap();
    assert!((60.0..=120.0).contains(&tilt), "{tilt}");
    assert!(ra["view"]["leg_tilt_deg"].as_f64().unwrap() < 30.0);
    assert_eq!(rc["reps"].as_array().unwrap().len(), 0);
}

/// Regression: a lifter filmed small in a wide frame was found late or not
/// at all (the person detector sees the frame shrunk to 224 px; a
/// half-size real lifter in 1080p was not found on any frame).
#[test]
fn a_lifter_filmed_small_in_a_wide_frame_is_found_from_the_start() {
    let dir = tempdir();
    let far = dir.path().join("far.mp4");
    reencode(
        &sample("deadlift_clean.mp4"),
        &["-vf", "pad=iw*5/2:ih*5/2:(ow-iw)/2:(oh-ih)/2:color=0x808080"],
        &far,
    );
    let (_, v) = analyze_ok(&far, &dir.path().join("out"));
    // Found on 84 % of frames before (late), 99 % now.
    let coverage = v["view"]["pose_coverage"].as_f64().unwrap();
    assert!(coverage > 0.95, "{coverage}");
    assert_eq!(v["reps"].as_array().unwrap().len(), 2);
}

#[test]
fn variable_frame_rate_keeps_each_frames_own_time() {
    let dir = tempdir();
    let vfr = dir.path().join("vfr.mp4");
    // Frames 0-99 at 30 fps, then a 0.5 s hole (a phone dropping frames).
    reencode(
        &sample("deadlift_clean.mp4"),
        &["-vf", "setpts='(N/30+gte(N,100)*0.5)/TB'", "-fps_mode", "passthrough"],
        &vfr,
    );
    let out = dir.path().join("o");
    analyze_ok(&vfr, &out);
    let csv = std::fs::read_to_string(out.join("poses.csv")).unwrap();
    let times: Vec<f64> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    let gap = times[100] - times[99];
    assert!(
        (gap - (1.0 / 30.0 + 0.5)).abs() < 0.01,
        "gap between frames 99 and 100: {gap}"
    );
    assert!((times[50] - times[49] - 1.0 / 30.0).abs() < 0.005);
}

#[test]
fn without_the_ffmpeg_program_opencv_writes_the_annotated_video() {
    let dir = tempdir();
    let video = sample("deadlift_clean.mp4");
    let out = dir.path().join("o");
    let st = bin()
        .args(["analyze", s(&video), "--out", s(&out)])
        .env("LIFTLENS_FFMPEG", "/nonexistent/ffmpeg")
        .output()
        .unwrap();
    assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));
    let (frames, w, h) = decode_count(&video);
    assert_eq!(decode_count(&out.join("annotated.mp4")), (frames, w, h));
}

#[test]
fn plate_size_and_lift_flags_override_the_defaults() {
    let dir = tempdir();
    let video = sample("squat_clean.mp4");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    assert_eq!(run(&["analyze", s(&video), "--out", s(&a), "--no-video"]).code, 0);
    let r = run(&[
        "analyze",
        s(&video),
        "--out",
        s(&b),
        "--no-video",
        "--plate-mm",
        "400",
        "--lift",
        "deadlift",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (ra, rb) = (report_of(&a), report_of(&b));
    assert_eq!(rb["bar"]["scale"]["plate_mm"], 400.0);
    let (ma, mb) = (
        ra["bar"]["scale"]["metres_per_px"].as_f64().unwrap(),
        rb["bar"]["scale"]["metres_per_px"].as_f64().unwrap(),
    );
    // The plate size also sets the search's size range, so the fitted radius
    // median can differ by a hair; ignoring the flag would give a ratio of 1.
    assert!((mb / ma - 400.0 / 450.0).abs() < 0.005, "{ma} {mb}");
    assert_eq!(ra["lift"], "squat");
    assert_eq!(rb["lift"], "deadlift", "--lift wins over recognition");
}

/// Edit `inputs` with an ffmpeg `filter` graph whose output is `[v]`
/// into `dest` (H.264 at near-source quality).
fn edit(inputs: &[&std::path::Path], filter: &str, dest: &std::path::Path) {
    let mut args: Vec<&str> = inputs.iter().flat_map(|p| ["-i", s(p)]).collect();
    args.extend_from_slice(&["-filter_complex", filter, "-map", "[v]"]);
    args.extend_from_slice(&["-c:v", "libx264", "-crf", "18", "-pix_fmt", "yuv420p", s(dest)]);
    ffmpeg(&args);
}

/// The rendered squat's true bottoms, `offset_s` later, against the reps
/// found: as many, each within 0.1 s.
fn assert_squat_clean_bottoms(report: &serde_json::Value, offset_s: f64, stdout: &str) {
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sample("squat_clean.truth.json")).unwrap()).unwrap();
    let reps = report["reps"].as_array().unwrap();
    assert_eq!(reps.len(), 2, "{stdout}");
    for (r, t) in reps.iter().zip(truth["reps"].as_array().unwrap()) {
        let (found, true_s) = (r["key_s"].as_f64().unwrap(), t["bottom_s"].as_f64().unwrap() + offset_s);
        assert!((found - true_s).abs() < 0.1, "bottom at {found} s, truth {true_s} s");
    }
}

/// A compilation's clip: half a second of the rendered deadlift's setup,
/// then the rendered squat filmed from another place. Tracked across the
/// cut, the squat's first standing frames read as the end of a rep that
/// began in the deadlift shot (a third rep, 5 m/s peak).
#[test]
fn an_edited_clip_is_analysed_on_the_shot_with_the_lift() {
    let dir = tempdir();
    let edited = dir.path().join("edited.mp4");
    edit(
        &[&sample("deadlift_clean.mp4"), &sample("squat_clean.mp4")],
        "[0:v]trim=end_frame=15,setpts=PTS-STARTPTS[a];[1:v]setpts=PTS-STARTPTS[b];[a][b]concat=n=2:v=1[v]",
        &edited,
    );
    let out = dir.path().join("o");
    let (stdout, report) = analyze_ok(&edited, &out);
    assert_eq!(report["video"]["cuts"][0]["frame"], 15, "{}", report["video"]);
    assert_eq!(report["video"]["cuts"].as_array().unwrap().len(), 1);
    assert_eq!(report["video"]["analysed_frames"][0], 15);
    assert!(stdout.contains("cuts to another shot at 0.50 s"), "{stdout}");
    assert_eq!(report["lift"], "squat");
    // The squat's own reps, half a second later than in squat_clean.mp4.
    assert_squat_clean_bottoms(&report, 0.5, &stdout);
    // Nothing is drawn from the deadlift's frames.
    let bar = std::fs::read_to_string(out.join("bar.csv")).unwrap();
    let row = |i: usize| bar.lines().nth(i + 1).unwrap().split(',').nth(2).unwrap().to_string();
    assert!((0..15).all(|i| row(i).is_empty()), "{}", row(0));
    assert!(!row(15).is_empty());
    // A rerun from the stored poses, without the video, keeps the shot.
    let again = dir.path().join("again");
    let r = run(&["analyze", "--from-poses", s(&out.join("poses.csv")), "--out", s(&again)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("cuts to another shot at 0.50 s"), "{}", r.stdout);
    let rerun = report_of(&again);
    assert_eq!(rerun["video"]["cuts"], report["video"]["cuts"]);
    assert_eq!(rerun["video"]["analysed_frames"], report["video"]["analysed_frames"]);
    let key = |r: &serde_json::Value| -> Vec<u64> {
        r["reps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["key_frame"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(key(&rerun), key(&report));
}

/// The lift, then a replay of it zoomed in and slowed to half speed: the
/// same reps, in the longer shot. The lift as filmed is what is measured.
#[test]
fn a_slowed_replay_after_the_lift_is_not_what_is_measured() {
    let dir = tempdir();
    let edited = dir.path().join("replay.mp4");
    edit(
        &[&sample("squat_clean.mp4")],
        "[0:v]split[a][b];[b]setpts=2*PTS,crop=iw/1.2:ih/1.2,scale=960:540,setsar=1,fps=30[c];[a][c]concat=n=2:v=1[v]",
        &edited,
    );
    let (stdout, report) = analyze_ok(&edited, &dir.path().join("o"));
    assert_eq!(report["video"]["cuts"][0]["frame"], 210, "{}", report["video"]);
    assert_eq!(report["video"]["analysed_frames"][1], 209);
    assert_squat_clean_bottoms(&report, 0.0, &stdout);
}
