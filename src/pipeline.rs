//! The analysis of one video, stage by stage:
//! decode (own thread) -> pose tracking -> sagittal fusion + smoothing ->
//! poses.csv + report.json -> second decode pass drawing annotated.mp4.
//!
//! The annotated video needs the smoothed track, which needs the whole clip,
//! so frames are decoded twice rather than held in memory (a 4K clip would
//! not fit).

use std::path::{Path, PathBuf};
use std::sync::mpsc::sync_channel;
use std::time::Instant;

use opencv::prelude::*;

use crate::bar::{self, BarTrack, BarTracker, PlateFit};
use crate::consistency;
use crate::error::{Error, Result};
use crate::faults;
use crate::feet::{self, HeelReader, HeelReading};
use crate::liftoff::{self, LiftoffReader, LiftoffReading};
use crate::overlay::{self, CoarseMask};
use crate::pose::{self, Backend, PoseModel, PoseTracker, RawPose};
use crate::profile::Profile;
use crate::report::{self, AngleSummary, Report};
use crate::reps::{self, Lift};
use crate::signal::{median, percentile};
use crate::skeleton::{self, Joint, SagittalTrack};
use crate::video::{self, AnnotatedWriter, ContentRect, CutDetector, Frame, VideoInfo, VideoReader};

/// A validated analysis request (see `cli` for how flags and profile files
/// become one).
#[derive(Debug, Clone)]
pub struct AnalyzeConfig {
    pub video: Option<PathBuf>,
    pub out_dir: PathBuf,
    pub from_poses: Option<PathBuf>,
    pub model: PoseModel,
    pub backend: Backend,
    pub profile: Profile,
    pub write_video: bool,
    pub allow_truncated: bool,
    /// The lift, when the user says it; otherwise recognised from the footage.
    pub lift: Option<Lift>,
}

/// Called as frames are processed: (pass name, frames done, frames expected).
pub trait Progress {
    fn start(&self, pass: &str, expected: usize);
    fn tick(&self, done: usize);
    fn finish(&self);
}

pub struct NoProgress;
impl Progress for NoProgress {
    fn start(&self, _: &str, _: usize) {}
    fn tick(&self, _: usize) {}
    fn finish(&self) {}
}

pub struct Analysis {
    pub report: Report,
    pub track: SagittalTrack,
    pub bar: BarTrack,
    pub written: Vec<PathBuf>,
}

/// What pass 1 gathers.
pub struct Tracked {
    pub width: i32,
    pub height: i32,
    pub times: Vec<f64>,
    pub raw: Vec<Option<RawPose>>,
    pub masks: Vec<Option<CoarseMask>>,
    pub fits: Vec<Option<PlateFit>>,
    /// Frames that start a new shot (an edited clip's cuts).
    pub cuts: Vec<usize>,
    /// The camera the turned-camera refit of the plate found.
    pub camera: Option<bar::CameraFit>,
    pub detector_runs: usize,
    pub plate_searches: usize,
    pub seconds: f64,
}

/// What runs on each decoded frame in pass 1.
pub enum PoseSource<'a> {
    /// Decode only (benchmarks, probing).
    None,
    /// Run the pose network.
    Track(&'a mut PoseTracker),
    /// Poses already known (from poses.csv).
    Known(&'a [Option<RawPose>]),
}

/// Decode on a second thread and hand each frame to `each` on this one, so
/// decoding and inference use both cores.
pub fn for_each_frame(
    reader: VideoReader,
    progress: &dyn Progress,
    mut each: impl FnMut(Frame) -> Result<()>,
) -> Result<(usize, Option<Error>)> {
    let (tx, rx) = sync_channel::<Result<Frame>>(4);
    std::thread::scope(|s| {
        s.spawn(move || {
            let mut reader = reader;
            loop {
                match reader.read() {
                    Ok(Some(f)) => {
                        if tx.send(Ok(f)).is_err() {
                            break;
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        break;
                    }
                }
            }
        });
        let mut n = 0;
        for item in rx {
            match item {
                Ok(frame) => {
                    each(frame)?;
                    n += 1;
                    progress.tick(n);
                }
                // A decode error mid-stream ends the stream; the caller decides
                // whether what came before is enough.
                Err(e) => return Ok((n, Some(e))),
            }
        }
        Ok((n, None))
    })
}

/// Pass 1: decode every frame and (unless `tracker` is None) track the pose.
/// `cuts`, when given, finds the cuts between shots; the trackers start
/// afresh at each. The plate's fits are refined for the camera
/// (`BarTracker::refine`) once the shot to analyse is chosen.
pub fn track_video(
    path: &Path,
    content: ContentRect,
    mut poses: PoseSource,
    mut bar: Option<&mut BarTracker>,
    mut cuts: Option<&mut CutDetector>,
    allow_truncated: bool,
    progress: &dyn Progress,
) -> Result<Tracked> {
    let reader = VideoReader::open(path)?;
    let expected = reader.header_frames();
    progress.start(
        if matches!(poses, PoseSource::Track(_)) {
            "pose"
        } else {
            "decode"
        },
        expected,
    );
    let started = Instant::now();
    let mut t = Tracked {
        width: 0,
        height: 0,
        times: Vec::new(),
        raw: Vec::new(),
        masks: Vec::new(),
        fits: Vec::new(),
        cuts: Vec::new(),
        camera: None,
        detector_runs: 0,
        plate_searches: 0,
        seconds: 0.0,
    };
    let (decoded, decode_error) = for_each_frame(reader, progress, |frame| {
        if t.times.is_empty() {
            t.width = frame.image.cols();
            t.height = frame.image.rows();
        }
        t.times.push(frame.time_s);
        if let Some(c) = cuts.as_deref_mut() {
            if c.process(&frame.image, content.rect())? {
                t.cuts.push(frame.index);
                if let PoseSource::Track(tr) = &mut poses {
                    tr.new_shot();
                }
                if let Some(b) = bar.as_deref_mut() {
                    b.new_shot();
                }
            }
        }
        let (raw, mask) = match &mut poses {
            PoseSource::Track(tr) => {
                let hint = bar
                    .as_deref()
                    .and_then(|b| b.last_centre())
                    .map(|(x, y)| (x as f32, y as f32));
                let out = tr.process(&frame.image, frame.time_s, content.rect(), hint)?;
                (
                    out.as_ref().map(|o| o.raw_pose()),
                    out.as_ref().map(|o| CoarseMask::from_probabilities(o.roi, &o.mask)),
                )
            }
            PoseSource::Known(list) => (list.get(frame.index).cloned().flatten(), None),
            PoseSource::None => (None, None),
        };
        let fit = match bar.as_deref_mut() {
            Some(b) => b.process(&frame.image, frame.time_s, raw.as_ref(), content.rect())?,
            None => None,
        };
        t.raw.push(raw);
        t.masks.push(mask);
        t.fits.push(fit);
        // A plate first found mid-clip was tracked back over earlier frames:
        // its fits replace what those frames had unless that was measured.
        for (k, back) in bar.as_deref_mut().map(|b| b.take_backfill()).unwrap_or_default() {
            if let Some(slot) = t.fits.get_mut(k) {
                if !slot.is_some_and(|f| f.measured) {
                    *slot = Some(back);
                }
            }
        }
        Ok(())
    })?;
    progress.finish();
    t.seconds = started.elapsed().as_secs_f64();
    if let PoseSource::Track(tr) = poses {
        t.detector_runs = tr.detector_runs;
    }
    t.plate_searches = bar.map(|b| b.searches).unwrap_or(0);
    if decoded == 0 {
        return Err(Error::VideoUnreadable {
            path: path.to_path_buf(),
            reason: decode_error
                .map(|e| e.to_string())
                .unwrap_or_else(|| "no frame could be decoded".into()),
        });
    }
    let short = expected > 0 && decoded + 2 < expected && (decoded as f64) < 0.9 * expected as f64;
    if (short || decode_error.is_some()) && !allow_truncated {
        return Err(Error::VideoTruncated {
            path: path.to_path_buf(),
            expected: expected.max(decoded + 1),
            decoded,
        });
    }
    Ok(t)
}

fn summarize_angles(values: &[Option<f64>]) -> Option<AngleSummary> {
    let v: Vec<f64> = values.iter().flatten().copied().collect();
    Some(AngleSummary {
        min: percentile(v.iter().copied(), 0.0)?,
        median: median(v.iter().copied())?,
        max: percentile(v.iter().copied(), 100.0)?,
    })
}

fn video_info_from(path: &Path, t: &Tracked, rotation: i32, content: ContentRect) -> VideoInfo {
    let frames = t.times.len();
    let span = t.times.last().copied().unwrap_or(0.0) - t.times.first().copied().unwrap_or(0.0);
    let fps = if frames > 1 && span > 0.0 {
        (frames - 1) as f64 / span
    } else {
        30.0
    };
    let cuts: Vec<video::ShotCut> = t
        .cuts
        .iter()
        .filter_map(|&frame| {
            Some(video::ShotCut {
                frame,
                time_s: *t.times.get(frame)?,
            })
        })
        .collect();
    VideoInfo {
        path: path.to_path_buf(),
        width: t.width,
        height: t.height,
        fps,
        frames,
        duration_s: span + 1.0 / fps,
        rotation,
        content,
        // Set once the shot to analyse is chosen.
        analysed_frames: None,
        cuts,
    }
}

pub fn backend_name(b: Backend) -> &'static str {
    match b {
        Backend::Ort => "onnxruntime",
        Backend::Opencv => "opencv-dnn",
        Backend::Auto => "auto",
    }
}

/// Analyse one video (or rerun the analysis from a poses.csv).
pub fn analyze(cfg: &AnalyzeConfig, progress: &dyn Progress) -> Result<Analysis> {
    let existed = cfg.out_dir.exists();
    report::prepare_output_dir(&cfg.out_dir)?;
    let result = analyze_into(cfg, progress);
    if result.is_err() && !existed {
        // A video that could not be read leaves no empty folder behind
        // (`remove_dir` only removes an empty one).
        let _ = std::fs::remove_dir(&cfg.out_dir);
    }
    result
}

fn analyze_into(cfg: &AnalyzeConfig, progress: &dyn Progress) -> Result<Analysis> {
    let mut notes = Vec::new();

    // Kept past pass 1: its rims refine the plate fits of the shot analysed.
    let mut plate_tracker: Option<BarTracker> = None;
    let (mut info, mut tracked, backend) = match &cfg.from_poses {
        Some(csv) => {
            let (times, raw) = report::read_poses_csv(csv)?;
            let n = times.len();
            let info_and_tracked = match &cfg.video {
                Some(v) => {
                    // The video is here: rerun the plate tracker (classical
                    // vision, no network) on the known poses.
                    let reader = VideoReader::open(v)?;
                    let rotation = reader.rotation();
                    let content = video::detect_content(v, reader.header_frames())?;
                    drop(reader);
                    let bar_tracker = plate_tracker.insert(BarTracker::new(cfg.profile.bar.clone()));
                    let mut t = track_video(
                        v,
                        content,
                        PoseSource::Known(&raw),
                        Some(bar_tracker),
                        Some(&mut CutDetector::new(&cfg.profile.video)),
                        cfg.allow_truncated,
                        progress,
                    )?;
                    if t.times.len() != n {
                        return Err(Error::Usage(format!(
                            "{} has {} frames but {} has {n} rows: pass the video the pose file was made from",
                            v.display(),
                            t.times.len(),
                            csv.display()
                        )));
                    }
                    t.times = times.clone();
                    (video_info_from(v, &t, rotation, content), t)
                }
                None => {
                    let prior = csv.with_file_name("report.json");
                    let old: Report = std::fs::read_to_string(&prior)
                        .ok()
                        .and_then(|s| serde_json::from_str(&s).ok())
                        .ok_or_else(|| {
                            Error::Usage(format!(
                                "--from-poses without a video needs {} (written with the poses) for the video's size; \
                                 or pass the video too: liftlens analyze VIDEO --from-poses {}",
                                prior.display(),
                                csv.display()
                            ))
                        })?;
                    let bar_csv = csv.with_file_name("bar.csv");
                    let fits = if bar_csv.is_file() {
                        bar::read_bar_fits(&bar_csv, n)?
                    } else {
                        vec![None; n]
                    };
                    let t = Tracked {
                        width: old.video.width,
                        height: old.video.height,
                        times: times.clone(),
                        raw: Vec::new(),
                        masks: vec![None; n],
                        fits,
                        cuts: old.video.cuts.iter().map(|c| c.frame).collect(),
                        camera: old.bar.as_ref().and_then(|b| b.scale.camera_fit),
                        detector_runs: 0,
                        plate_searches: 0,
                        seconds: 0.0,
                    };
                    (old.video, t)
                }
            };
            let (info, mut tracked) = info_and_tracked;
            tracked.raw = raw;
            notes.push(format!("poses read from {} (no pose inference run)", csv.display()));
            (info, tracked, "none (from poses.csv)".to_string())
        }
        None => {
            let video = cfg
                .video
                .as_ref()
                .ok_or_else(|| Error::Usage("no video given".into()))?;
            let reader = VideoReader::open(video)?;
            let rotation = reader.rotation();
            let expected = reader.header_frames();
            let content = video::detect_content(video, expected)?;
            drop(reader);
            let backend = pose::engine::resolve_backend(cfg.backend)?;
            let models = pose::models_dir()?;
            let mut tracker = PoseTracker::load(backend, &models, cfg.model, &cfg.profile.pose)?;
            let bar_tracker = plate_tracker.insert(BarTracker::new(cfg.profile.bar.clone()));
            let tracked = track_video(
                video,
                content,
                PoseSource::Track(&mut tracker),
                Some(bar_tracker),
                Some(&mut CutDetector::new(&cfg.profile.video)),
                cfg.allow_truncated,
                progress,
            )?;
            let info = video_info_from(video, &tracked, rotation, content);
            if !content.is_full(info.width, info.height) {
                notes.push(format!(
                    "picture found in a {}x{} strip of the {}x{} frame (pillarbox/letterbox); the person detector looks there",
                    content.width, content.height, info.width, info.height
                ));
            }
            if info.frames < expected {
                notes.push("the video ended early (truncated); analysed the frames that decode".into());
            }
            (info, tracked, backend_name(backend).to_string())
        }
    };

    // An edited clip: one shot is analysed, so nothing from another (a
    // previous clip's last frames, a replay) is taken for this lift or
    // tracked into it.
    let shot = match info.analysed_frames {
        // A rerun without the video: the shot the first run chose.
        Some([first, last]) if cfg.video.is_none() => first..last + 1,
        _ => choose_shot(cfg, &tracked),
    };
    if !tracked.cuts.is_empty() {
        keep_only(&mut tracked, &shot);
        info.analysed_frames = Some([shot.start, shot.end.saturating_sub(1)]);
        let at: Vec<String> = info.cuts.iter().map(|c| format!("{:.2} s", c.time_s)).collect();
        let span_s = |i: usize| tracked.times.get(i).copied().unwrap_or(0.0);
        notes.push(format!(
            "the video cuts to another shot at {}; only the shot at {:.2}-{:.2} s was analysed (the first with the most reps, as a replay repeats them, or with none the longest): trim the video to one shot to analyse another",
            at.join(", "),
            span_s(shot.start),
            span_s(shot.end.saturating_sub(1)),
        ));
    }
    if let Some(b) = plate_tracker.as_mut() {
        tracked.camera = b.refine(&mut tracked.fits);
    }
    let mut track = skeleton::fuse(&tracked.times, &tracked.raw, &cfg.profile.pose);
    track.analysed = shot.clone();
    let frames_with_pose = track.confident.iter().filter(|&&c| c).count();
    if frames_with_pose == 0 {
        return Err(Error::NoPerson {
            path: info.path.clone(),
            frames: info.frames,
        });
    }
    let pose_coverage = frames_with_pose as f64 / shot.len().max(1) as f64;
    let (bar_track, bar_summary) = bar::build_track(
        &tracked.times,
        tracked.fits.clone(),
        &track,
        &cfg.profile.bar,
        tracked.plate_searches,
        tracked.camera,
    );
    match bar_track.source {
        bar::BarSource::Plate => {
            let warn = cfg.profile.bar.warn_camera_angle_deg;
            if let Some(tilt) = bar_summary.scale.tilt_deg().filter(|t| *t > warn) {
                notes.push(format!(
                    "the plate looks shorter than wide: the camera is tilted about {tilt:.0} degrees from level; \
                     film from about hip height with the phone level for true heights and angles"
                ));
            }
            if let Some(yaw) = bar_summary.scale.turn_deg().filter(|y| *y > warn) {
                let seen = if bar_summary.scale.yaw_from_part_rim {
                    " (read from a partly hidden plate, so roughly)"
                } else {
                    ""
                };
                notes.push(format!(
                    "the plate looks like an ellipse: the camera is about {yaw:.0} degrees off side-on{seen}; film square to the side for true distances"
                ));
            }
        }
        other => notes.push(format!(
            "no plate could be tracked: the bar position stands in from the lifter's {} and the scale from a lifter height of {:.2} m (set --lifter-height-m); treat bar numbers as rough",
            if other == bar::BarSource::Hands { "hands" } else { "shoulders" },
            cfg.profile.bar.lifter_height_m
        )),
    }
    let lift = cfg
        .lift
        .or_else(|| reps::recognise_lift(&track, &bar_track, &cfg.profile.reps));
    if lift == Some(Lift::Deadlift) {
        track = uncover_hips(&tracked, track, &bar_track, &bar_summary, &cfg.profile.pose);
    }
    let view = reps::judge_view(&tracked.raw, &track, &bar_summary, &cfg.profile.reps);
    let (mut rep_list, mut set) = match lift {
        Some(l) if view.reps_counted() => reps::segment(&tracked.times, l, &track, &bar_track, &cfg.profile.reps),
        _ => (
            Vec::new(),
            reps::SetSummary {
                reps: 0,
                velocity_loss_pct: None,
                consistency: None,
            },
        ),
    };
    if let Some(advice) = &view.advice {
        let what = if view.bar_only {
            "technique not judged"
        } else {
            "not judged"
        };
        notes.push(format!("{what}: {advice}"));
    } else if pose_coverage < 0.5 {
        // Judged all the same under a profile's lower `min_pose_coverage`.
        notes.push(format!(
            "the lifter's hip and shoulder were found in only {:.0}% of frames: film the whole body from the side, well lit",
            pose_coverage * 100.0
        ));
    }
    if view.bar_only {
        // The bar's numbers stand; what was read from a body found on too
        // few frames does not (in the reps, the clip's angle range, the
        // video or the report's curves): the frames it was found on are
        // those the plates hid least, and its points there sat on the plate.
        track.torso_angle_deg.fill(None);
        for r in &mut rep_list {
            r.unjudge_body();
            r.max_bar_ahead_of_midfoot_m = None;
        }
    }
    // Hip and knee angles per frame, for report.html's curves (drawn only
    // for a judged lift).
    let (mut hip_deg, mut knee_deg, mut hip_above_knee_m) = (Vec::new(), Vec::new(), Vec::new());
    let mut picture = PictureReadings::default();
    if let (Some(l), true) = (lift, view.judgeable) {
        let picture_notes;
        (picture, picture_notes) = read_picture(cfg, &tracked.times, &track, &bar_track, &rep_list, l, progress)?;
        notes.extend(picture_notes);
        let body = faults::Body::new(
            &tracked.times,
            &track,
            &bar_track,
            &tracked.raw,
            cfg.profile.faults.standing_max_torso_deg,
        )
        .with_heels(&picture.heels)
        .with_liftoff(&picture.liftoff)
        .with_reps(&rep_list);
        let (found, rep_notes, doubted) = faults::detect(&body, l, &rep_list, &cfg.profile.faults);
        // A deadlift setup the pose drew upright is no setup's angle: not in
        // the rep summary, nor compared across the reps (a clean held-out
        // set read 15 and 51 deg and was told its setup varied).
        for r in rep_list.iter_mut() {
            if faults::upright_setup(&body, l, r, &cfg.profile.faults).is_some() {
                r.forget_setup_torso();
            }
        }
        let angle = |a: Joint, b: Joint, c: Joint| -> Vec<Option<f64>> {
            (0..tracked.times.len()).map(|i| body.joint_deg(i, a, b, c)).collect()
        };
        hip_deg = angle(Joint::Shoulder, Joint::Hip, Joint::Knee);
        knee_deg = angle(Joint::Hip, Joint::Knee, Joint::Ankle);
        hip_above_knee_m = (0..tracked.times.len())
            .map(|i| track.hip_above_knee_m(i, bar_track.scale.metres_per_px))
            .collect();
        // What a judged rep could not be checked for (doubted reps and a
        // facing in doubt have their own notes).
        if track.facing_doubt.is_none() {
            for r in rep_list.iter_mut().filter(|r| !doubted.contains(&r.index)) {
                r.not_checked = faults::not_checked(&body, l, r, &cfg.profile.faults, &found);
            }
        }
        for f in found {
            if let Some(r) = rep_list.get_mut(f.rep) {
                r.faults.push(f);
            }
        }
        // The angles of a pose found wrong are not measurements: not in the
        // rep summary, poses.csv, the clip's angle range, the video or the
        // report's curves.
        for r in rep_list.iter_mut().filter(|r| doubted.contains(&r.index)) {
            r.unjudge_body();
            for angles in [
                &mut track.torso_angle_deg,
                &mut hip_deg,
                &mut knee_deg,
                &mut hip_above_knee_m,
            ] {
                let end = (r.end_frame + 1).min(angles.len());
                angles[r.start_frame.min(end)..end].fill(None);
            }
        }
        notes.extend(rep_notes);
    }
    if let Some(l) = lift {
        set.consistency = consistency::compare(
            l,
            &rep_list,
            &bar_track,
            track.facing_doubt.is_none(),
            &cfg.profile.consistency,
        );
    }

    let report = Report {
        schema_version: report::SCHEMA_VERSION,
        liftlens_version: env!("CARGO_PKG_VERSION").to_string(),
        video: info.clone(),
        backend,
        model: cfg.model.name().to_string(),
        facing: track.facing,
        facing_doubt: track.facing_doubt.clone(),
        pose_coverage,
        frames_with_pose,
        detector_runs: tracked.detector_runs,
        thigh_px: track.thigh_px,
        torso_angle_deg: summarize_angles(&track.torso_angle_deg),
        bar: Some(bar_summary),
        lift,
        view: Some(view),
        reps: rep_list,
        set: Some(set),
        notes,
        disclaimer: report::DISCLAIMER.to_string(),
    };

    let mut written = Vec::new();
    let poses_csv = cfg.out_dir.join("poses.csv");
    if cfg.from_poses.as_deref() != Some(poses_csv.as_path()) {
        report::write_poses_csv(&poses_csv, &tracked.times, &tracked.raw, &track)?;
        written.push(poses_csv);
    }
    let bar_csv = cfg.out_dir.join("bar.csv");
    if cfg.from_poses.as_deref().map(|p| p.with_file_name("bar.csv")) != Some(bar_csv.clone()) {
        bar::write_bar_csv(&bar_csv, &tracked.times, &bar_track)?;
        written.push(bar_csv);
    }
    let heels_csv = cfg.out_dir.join("heels.csv");
    // Not over the file the readings came from (a rerun without the video).
    if cfg.video.is_some() || stored_beside_poses(cfg, "heels.csv").as_ref() != Some(&heels_csv) {
        feet::write_heels_csv(&heels_csv, &tracked.times, &picture.heels)?;
        written.push(heels_csv);
    }
    let liftoff_csv = cfg.out_dir.join("liftoff.csv");
    if cfg.video.is_some() || stored_beside_poses(cfg, "liftoff.csv").as_ref() != Some(&liftoff_csv) {
        liftoff::write_liftoff_csv(&liftoff_csv, &tracked.times, &picture.liftoff)?;
        written.push(liftoff_csv);
    }
    let reps_csv = cfg.out_dir.join("reps.csv");
    reps::write_reps_csv(&reps_csv, &report.reps)?;
    written.push(reps_csv);
    let report_json = cfg.out_dir.join("report.json");
    report::write_json(&report_json, &report)?;
    written.push(report_json);

    let all_faults: Vec<&faults::Fault> = report.reps.iter().flat_map(|r| &r.faults).collect();
    let curves = report::html::Curves {
        times: &tracked.times,
        bar: &bar_track.frames,
        torso_deg: &track.torso_angle_deg,
        hip_deg: &hip_deg,
        knee_deg: &knee_deg,
        hip_above_knee_m: &hip_above_knee_m,
        midfoot_known: bar_track.midfoot_px.is_some(),
    };
    let kinematics_csv = cfg.out_dir.join("kinematics.csv");
    let phases = reps::phase_per_frame(&report.reps, tracked.times.len());
    report::write_kinematics_csv(&kinematics_csv, &curves, &phases, &all_faults)?;
    written.push(kinematics_csv);
    let keep: Vec<String> = all_faults.iter().map(|f| fault_frame_name(f)).collect();
    prune_fault_frames(&cfg.out_dir.join("frames"), &keep)?;
    match &cfg.video {
        Some(video) if cfg.write_video || !all_faults.is_empty() => {
            let dest = cfg.write_video.then(|| cfg.out_dir.join("annotated.mp4"));
            let frames = render(
                video,
                dest.as_deref(),
                &cfg.out_dir.join("frames"),
                &info,
                &track,
                &bar_track,
                &tracked.masks,
                &all_faults,
                &phases,
                cfg.allow_truncated,
                progress,
            )?;
            written.extend(dest);
            written.extend(frames);
        }
        _ => {}
    }
    let html = cfg.out_dir.join("report.html");
    let page = report::html::render(&report, &curves, &page_media(&report, &cfg.out_dir, &written));
    report::write_atomic(&html, page.as_bytes())?;
    written.push(html);
    Ok(Analysis {
        report,
        track,
        bar: bar_track,
        written,
    })
}

/// The deadlift's chain fused again with the far hip standing in where the
/// plate covered the near one (`skeleton::uncover_hips`), with the camera
/// near enough side-on (`[pose] covered_hip_max_turn_deg`).
fn uncover_hips(
    tracked: &Tracked,
    track: skeleton::SagittalTrack,
    bar_track: &BarTrack,
    bar_summary: &bar::BarSummary,
    profile: &crate::profile::PoseProfile,
) -> skeleton::SagittalTrack {
    let turned = bar_summary
        .scale
        .turn_deg()
        .is_some_and(|t| t > profile.covered_hip_max_turn_deg);
    if bar_track.source != bar::BarSource::Plate || turned {
        return track;
    }
    let plates: Vec<Option<skeleton::Disc>> = bar_track
        .fits
        .iter()
        .map(|f| {
            f.filter(|f| f.measured).map(|f| skeleton::Disc {
                cx: f.cx,
                cy: f.cy,
                r: f.radius(),
            })
        })
        .collect();
    match skeleton::uncover_hips(&tracked.raw, track.facing, &plates, profile) {
        Some((poses, _)) => {
            let mut fused = skeleton::fuse_facing(
                &tracked.times,
                &poses,
                track.facing,
                track.facing_doubt.clone(),
                profile,
            );
            fused.analysed = track.analysed.clone();
            fused
        }
        None => track,
    }
}

/// Frames outside `shot` hold nothing.
fn keep_only(tracked: &mut Tracked, shot: &std::ops::Range<usize>) {
    for i in (0..tracked.times.len()).filter(|i| !shot.contains(i)) {
        if let Some(r) = tracked.raw.get_mut(i) {
            *r = None;
        }
        if let Some(f) = tracked.fits.get_mut(i) {
            *f = None;
        }
        if let Some(m) = tracked.masks.get_mut(i) {
            *m = None;
        }
    }
}

/// The shot of an edited clip to analyse: the one where the most reps are
/// found, the first of equals (a replay shows the same reps again, often
/// slowed down and so longer than the lift); the longest where no shot
/// shows a rep.
fn choose_shot(cfg: &AnalyzeConfig, tracked: &Tracked) -> std::ops::Range<usize> {
    let n = tracked.times.len();
    let shots = video::shots(&tracked.cuts, n);
    if shots.len() < 2 {
        return 0..n;
    }
    let reps_in = |shot: &std::ops::Range<usize>| -> usize {
        let inside = |i: usize| shot.contains(&i);
        let raw: Vec<Option<RawPose>> = (0..n)
            .map(|i| tracked.raw.get(i).cloned().flatten().filter(|_| inside(i)))
            .collect();
        let fits: Vec<Option<PlateFit>> = (0..n)
            .map(|i| tracked.fits.get(i).copied().flatten().filter(|_| inside(i)))
            .collect();
        let mut track = skeleton::fuse(&tracked.times, &raw, &cfg.profile.pose);
        track.analysed = shot.clone();
        let (bar, summary) = bar::build_track(&tracked.times, fits, &track, &cfg.profile.bar, 0, None);
        let Some(lift) = cfg
            .lift
            .or_else(|| reps::recognise_lift(&track, &bar, &cfg.profile.reps))
        else {
            return 0;
        };
        let view = reps::judge_view(&raw, &track, &summary, &cfg.profile.reps);
        if !view.reps_counted() {
            return 0;
        }
        reps::segment(&tracked.times, lift, &track, &bar, &cfg.profile.reps)
            .0
            .len()
    };
    let counts: Vec<usize> = shots.iter().map(reps_in).collect();
    let most = counts.iter().copied().max().unwrap_or(0);
    let pick = if most > 0 {
        counts.iter().position(|&c| c == most)
    } else {
        // The first of the longest.
        let longest = shots.iter().map(|s| s.len()).max().unwrap_or(0);
        shots.iter().position(|s| s.len() == longest)
    };
    pick.and_then(|k| shots.get(k).cloned()).unwrap_or(0..n)
}

/// Where a rerun from stored poses finds a file stored with them.
fn stored_beside_poses(cfg: &AnalyzeConfig, name: &str) -> Option<PathBuf> {
    cfg.from_poses.as_ref().map(|p| p.with_file_name(name))
}

/// On a rerun without the video: the readings of `what` that the file
/// `name` beside the poses keeps, with a note saying where they came from;
/// without that file none, with a note saying `what` is not judged.
fn stored_readings<T>(
    cfg: &AnalyzeConfig,
    name: &str,
    what: &str,
    notes: &mut Vec<String>,
    read: impl FnOnce(&Path) -> Result<Vec<Option<T>>>,
) -> Result<Vec<Option<T>>> {
    match stored_beside_poses(cfg, name).filter(|p| p.is_file()) {
        Some(csv) => {
            notes.push(format!(
                "{what} read from {} (measured on the video when it was analysed)",
                csv.display()
            ));
            read(&csv)
        }
        None => {
            notes.push(format!(
                "{what} is read from the picture, so it is not judged without the video \
                 or a {name} beside the poses: pass the video too (liftlens analyze VIDEO --from-poses ...)"
            ));
            Ok(Vec::new())
        }
    }
}

/// What is read from the picture itself rather than the pose: the heel's
/// rise (`crate::feet`) and the hips' and shoulders' before the bar leaves
/// the floor (`crate::liftoff`), per frame.
#[derive(Default)]
struct PictureReadings {
    heels: Vec<Option<HeelReading>>,
    liftoff: Vec<Option<LiftoffReading>>,
}

/// The picture readings, from one more decode of the video (up to the last
/// frame they need), or from the files stored beside the poses on a rerun
/// without it; and notes for the report on what could not be read.
fn read_picture(
    cfg: &AnalyzeConfig,
    times: &[f64],
    track: &SagittalTrack,
    bar_track: &bar::BarTrack,
    reps: &[reps::Rep],
    lift: Lift,
    progress: &dyn Progress,
) -> Result<(PictureReadings, Vec<String>)> {
    let mut notes = Vec::new();
    if reps.is_empty() {
        return Ok((PictureReadings::default(), notes));
    }
    let Some(video) = &cfg.video else {
        let frames = times.len();
        let mut out = PictureReadings {
            heels: stored_readings(cfg, "heels.csv", "heel lift", &mut notes, |p| {
                feet::read_heels_csv(p, frames)
            })?,
            ..PictureReadings::default()
        };
        if lift == Lift::Deadlift {
            out.liftoff = stored_readings(
                cfg,
                "liftoff.csv",
                "the hips' rise before the bar leaves the floor",
                &mut notes,
                |p| liftoff::read_liftoff_csv(p, frames),
            )?;
        }
        return Ok((out, notes));
    };
    let metres_per_px = bar_track.scale.metres_per_px;
    let mut heels = HeelReader::plan(times, track, metres_per_px, reps, lift, &cfg.profile.faults);
    let mut rises = LiftoffReader::plan(times, track, bar_track, reps, lift, &cfg.profile.faults);
    // With nothing to read the video is not decoded again; the readers
    // still give a row per frame, all empty, unlike a run without the
    // picture, whose readings are empty (`faults::not_checked` tells the
    // two apart).
    if !(heels.is_idle() && rises.is_idle()) {
        decode_for_picture(video, &mut heels, &mut rises, progress, &mut notes)?;
    }
    Ok((
        PictureReadings {
            heels: heels.finish(times)?,
            liftoff: rises.finish(times.len()),
        },
        notes,
    ))
}

/// Feed the video's frames, up to the last one either reader needs, to the
/// heel and lift-off readers. Decoding is all the work here.
fn decode_for_picture(
    video: &Path,
    heels: &mut HeelReader,
    rises: &mut LiftoffReader,
    progress: &dyn Progress,
    notes: &mut Vec<String>,
) -> Result<()> {
    let mut reader = VideoReader::open(video)?;
    let last = heels.last_frame().max(rises.last_frame());
    progress.start("feet", last + 1);
    loop {
        match reader.read() {
            Ok(Some(frame)) if frame.index <= last => {
                heels.process(frame.index, &frame.image)?;
                rises.process(frame.index, &frame.image)?;
                progress.tick(frame.index + 1);
            }
            Ok(_) => break,
            // The first pass read this video; a decode that now fails part
            // way leaves the frames it did read.
            Err(e) => {
                notes.push(format!(
                    "heel lift and the hips before lift-off read from part of the video only: {e}"
                ));
                break;
            }
        }
    }
    progress.finish();
    Ok(())
}

/// The pictures and video written beside report.html this run, as
/// relative paths (so the folder can move); nothing else is linked.
fn page_media(report: &Report, out_dir: &Path, written: &[PathBuf]) -> report::html::Media {
    let was_written = |p: PathBuf| written.contains(&p);
    report::html::Media {
        video: was_written(out_dir.join("annotated.mp4")).then(|| "annotated.mp4".to_string()),
        fault_frames: report
            .reps
            .iter()
            .flat_map(|r| &r.faults)
            .map(|f| {
                let name = fault_frame_name(f);
                was_written(out_dir.join("frames").join(&name)).then(|| format!("frames/{name}"))
            })
            .collect(),
    }
}

/// File name of a fault's worst-frame picture in `<DIR>/frames/`.
pub fn fault_frame_name(f: &faults::Fault) -> String {
    format!("rep{}_{}_{:05}.png", f.rep + 1, f.kind.name(), f.worst_frame)
}

/// Remove worst-frame pictures an earlier run left in `<DIR>/frames/` for
/// faults this report no longer has: beside a new report.json they would
/// show flags it does not make. Only files named like ours are touched.
fn prune_fault_frames(dir: &Path, keep: &[String]) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_fault_frame_name(&name) && !keep.contains(&name) {
            std::fs::remove_file(entry.path()).map_err(|e| Error::OutputWrite {
                path: entry.path(),
                reason: format!("could not remove a stale picture from an earlier run: {e}"),
            })?;
        }
    }
    Ok(())
}

/// `rep<N>_<kind>_<frame>.png` with a known fault kind.
fn is_fault_frame_name(name: &str) -> bool {
    let Some(stem) = name.strip_prefix("rep").and_then(|n| n.strip_suffix(".png")) else {
        return false;
    };
    let Some((rep, rest)) = stem.split_once('_') else {
        return false;
    };
    let Some((kind, frame)) = rest.rsplit_once('_') else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(rep) && digits(frame) && faults::FaultKind::ALL.iter().any(|k| k.name() == kind)
}

/// Pass 2: draw every frame; write the annotated video (when `dest` is
/// given) and a picture of the worst frame of every fault.
#[allow(clippy::too_many_arguments)]
fn render(
    video: &Path,
    dest: Option<&Path>,
    frames_dir: &Path,
    info: &VideoInfo,
    track: &SagittalTrack,
    bar: &BarTrack,
    masks: &[Option<CoarseMask>],
    found: &[&faults::Fault],
    phases: &[Option<(usize, reps::Phase)>],
    allow_truncated: bool,
    progress: &dyn Progress,
) -> Result<Vec<PathBuf>> {
    let reader = VideoReader::open(video)?;
    let mut writer = match dest {
        Some(d) => Some(AnnotatedWriter::create(d, info.fps, info.width, info.height)?),
        None => None,
    };
    if !found.is_empty() {
        std::fs::create_dir_all(frames_dir).map_err(|e| Error::OutputWrite {
            path: frames_dir.to_path_buf(),
            reason: e.to_string(),
        })?;
    }
    let mut pictures = Vec::new();
    progress.start(if dest.is_some() { "video" } else { "frames" }, info.frames);
    let (_, err) = for_each_frame(reader, progress, |mut frame| {
        let i = frame.index;
        if i >= track.joints.len() {
            return Ok(());
        }
        let mask = masks.get(i).and_then(|m| m.as_ref());
        let phase = phases.get(i).copied().flatten();
        overlay::draw(&mut frame.image, track, bar, i, frame.time_s, mask, phase)?;
        let active: Vec<&faults::Fault> = found.iter().copied().filter(|f| f.active_at(i)).collect();
        overlay::draw_faults(&mut frame.image, track, bar, i, &active)?;
        for f in found.iter().filter(|f| f.worst_frame == i) {
            let path = frames_dir.join(fault_frame_name(f));
            video::write_png_atomic(&path, &frame.image)?;
            pictures.push(path);
        }
        if let Some(w) = writer.as_mut() {
            w.write(&frame.image)?;
        }
        Ok(())
    })?;
    progress.finish();
    if let (Some(e), false) = (err, allow_truncated) {
        return Err(e);
    }
    if let Some(w) = writer {
        w.finish()?;
    }
    Ok(pictures)
}
