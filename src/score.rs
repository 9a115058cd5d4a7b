//! Grading an analysis against a rendered clip's exact ground truth
//! (`<name>.truth.json`, written by tools/synth and documented in
//! tools/synth/README.md).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::pipeline::{self, AnalyzeConfig, Progress};
use crate::pose::{Backend, PoseModel};
use crate::profile::Profile;
use crate::report::Report;
use crate::signal::{median, percentile};

#[derive(Debug, Clone, Deserialize)]
pub struct Truth {
    pub clip: TruthClip,
    pub frames: Vec<TruthFrame>,
    #[serde(default)]
    pub reps: Vec<TruthRep>,
    #[serde(default)]
    pub faults: Vec<TruthFault>,
}

/// An injected fault: its kind, rep and when it is active.
#[derive(Debug, Clone, Deserialize)]
pub struct TruthFault {
    pub kind: String,
    pub start_s: f64,
    pub end_s: f64,
}

/// A flag and a true fault match when they have the same kind and their
/// time windows overlap within this slack (s).
pub const FAULT_MATCH_SLACK_S: f64 = 0.5;

/// (true faults found, flags matching no true fault, their kinds).
pub fn match_faults(truth: &[TruthFault], flags: &[&crate::faults::Fault]) -> (usize, Vec<String>) {
    let overlaps = |t: &TruthFault, f: &crate::faults::Fault| {
        t.kind == f.kind.name()
            && f.start_s <= t.end_s + FAULT_MATCH_SLACK_S
            && f.end_s >= t.start_s - FAULT_MATCH_SLACK_S
    };
    let hit = truth.iter().filter(|t| flags.iter().any(|f| overlaps(t, f))).count();
    let false_kinds = flags
        .iter()
        .filter(|f| !truth.iter().any(|t| overlaps(t, f)))
        .map(|f| format!("{}@rep{}", f.kind.name(), f.rep + 1))
        .collect();
    (hit, false_kinds)
}

#[derive(Debug, Clone, Deserialize)]
pub struct TruthRep {
    pub start_s: f64,
    pub end_s: f64,
    /// Squat: the middle of the bottom; deadlift: the middle of the lockout.
    #[serde(alias = "bottom_s", alias = "lockout_s")]
    pub key_s: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TruthClip {
    pub name: String,
    pub lift: String,
    pub facing: String,
    pub view: String,
    pub metres_per_px: f64,
    pub camera: TruthCamera,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TruthCamera {
    /// How far the camera is turned from side-on, about the vertical.
    pub yaw_deg: f64,
    /// How far it is tilted down from level (absent in older truth files).
    #[serde(default)]
    pub pitch_deg: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TruthFrame {
    pub frame: usize,
    /// Near-side surface keypoints (COCO convention), image pixels, y down.
    pub near: BTreeMap<String, [f64; 2]>,
    /// Joints the plate hides in this frame.
    #[serde(default)]
    pub hidden: Vec<String>,
    /// Torso angle of the near-side surface hip-to-shoulder line.
    pub torso_angle_deg: f64,
    pub time_s: f64,
    pub phase: String,
    pub rep: Option<usize>,
    /// Near plate centre in image pixels; bar centre (forward, up) in metres.
    pub bar_px: [f64; 2],
    pub bar_m: [f64; 2],
}

/// The scorer's figures for one clip.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Score {
    pub clip: String,
    pub frames: usize,
    pub pose_coverage: f64,
    pub facing_right: bool,
    /// Median / 90th percentile error of the fused shoulder, hip, knee and
    /// ankle on frames where the plate does not hide them.
    pub keypoint_err_px_median: Option<f64>,
    pub keypoint_err_px_p90: Option<f64>,
    pub keypoint_err_pct_torso_median: Option<f64>,
    pub keypoint_err_pct_torso_p90: Option<f64>,
    pub per_joint_err_pct_torso_median: BTreeMap<String, f64>,
    pub torso_angle_err_deg_median: Option<f64>,
    pub torso_angle_err_deg_p90: Option<f64>,
    /// Largest frame-to-frame move of the fused knee, in truth shin lengths.
    pub knee_max_jump_shin: Option<f64>,
    /// Bar centre error on frames where the plate was measured (px, mm).
    pub bar_err_px_median: Option<f64>,
    pub bar_err_px_p90: Option<f64>,
    pub bar_err_mm_median: Option<f64>,
    /// Share of frames with a measured plate.
    pub bar_measured_share: Option<f64>,
    /// Scale error in percent of the truth's metres per pixel.
    pub scale_err_pct: Option<f64>,
    /// Range of motion (highest minus lowest bar) error, cm.
    pub rom_err_cm: Option<f64>,
    /// Reported camera turn from side-on minus the truth's, degrees.
    pub yaw_err_deg: Option<f64>,
    /// Reported camera tilt from level minus the truth's, degrees.
    pub tilt_err_deg: Option<f64>,
    /// Worst per-rep error of peak and of mean concentric velocity (m/s),
    /// over the truth's concentric phases.
    pub peak_velocity_err_mps: Option<f64>,
    pub mean_velocity_err_mps: Option<f64>,
    /// Lift and view recognised, and reps found vs the truth's.
    pub lift_right: Option<bool>,
    pub judged: bool,
    /// Not judged, but the reps counted and the bar measured from the plate.
    #[serde(default)]
    pub bar_only: bool,
    pub reps_found: usize,
    pub reps_truth: usize,
    /// Largest |bottom or lockout time error| over matched reps (s).
    pub rep_key_time_err_s: Option<f64>,
    /// Worst error of the reported per-rep mean concentric velocity (m/s,
    /// signed) and concentric time (s) against the truth bar's own
    /// concentric: from its last frame at the starting height (within 1 mm)
    /// to its highest, inside the truth's concentric phase. The truth's
    /// phases follow the body, whose pull can start before the bar moves
    /// and whose lean-back can lower it after its top.
    #[serde(default)]
    pub rep_mean_velocity_err_mps: Option<f64>,
    #[serde(default)]
    pub rep_concentric_err_s: Option<f64>,
    /// Share of the truth's frames whose kinematics.csv phase is the
    /// truth's (a squat's "standing" is setup or lockout).
    #[serde(default)]
    pub phase_agreement: Option<f64>,
    pub faults_truth: usize,
    pub faults_found: usize,
    /// Flags with no matching injected fault, as kind@rep.
    pub faults_false: Vec<String>,
}

pub const SCORED_JOINTS: [&str; 4] = ["shoulder", "hip", "knee", "ankle"];

pub fn load_truth(path: &Path) -> Result<Truth> {
    let err = |reason: String| Error::Truth {
        path: path.to_path_buf(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    let mut truth: Truth = serde_json::from_str(&text).map_err(|e| err(e.to_string()))?;
    truth.bar_to_pixel_centres();
    Ok(truth)
}

/// The renderer projects like OpenGL: pixel `i` spans `[i, i + 1)`, so its
/// centre is at `i + 0.5`. The plate fit works on OpenCV's grid, where pixel
/// `i`'s centre is at `i`; that half pixel in x and y was most of the
/// bar-centre error the scorer printed (a steady -0.5 px in both axes on
/// every clip). The keypoints stay as rendered: the landmark decoding
/// follows MediaPipe's normalised coordinates (x times the width), the
/// renderer's convention.
pub const TRUTH_MINUS_LIFTLENS_PX: f64 = 0.5;

impl Truth {
    fn bar_to_pixel_centres(&mut self) {
        for f in &mut self.frames {
            f.bar_px[0] -= TRUTH_MINUS_LIFTLENS_PX;
            f.bar_px[1] -= TRUTH_MINUS_LIFTLENS_PX;
        }
    }
}

/// Fused columns of poses.csv: frame -> joint -> (x, y).
fn read_fused(path: &Path) -> Result<Vec<BTreeMap<String, (f64, f64)>>> {
    let file = crate::report::CsvFile::read(path)?;
    // Column positions of each fused joint, looked up once.
    let cols: Vec<(&str, usize, usize)> = crate::skeleton::Joint::ALL
        .iter()
        .filter_map(|j| {
            let n = j.name();
            Some((n, file.find(&format!("{n}_x"))?, file.find(&format!("{n}_y"))?))
        })
        .collect();
    let mut out = Vec::new();
    for (_, cells) in file.rows() {
        let num = |i: usize| cells.get(i).and_then(|c| c.parse::<f64>().ok());
        let m = cols
            .iter()
            .filter_map(|&(n, ix, iy)| Some((n.to_string(), (num(ix)?, num(iy)?))))
            .collect();
        out.push(m);
    }
    Ok(out)
}

fn dist(a: (f64, f64), b: [f64; 2]) -> f64 {
    ((a.0 - b[0]).powi(2) + (a.1 - b[1]).powi(2)).sqrt()
}

pub fn score_dir(out_dir: &Path, truth_path: &Path) -> Result<Score> {
    let truth = load_truth(truth_path)?;
    let report_path = out_dir.join("report.json");
    let report: Report = std::fs::read_to_string(&report_path)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .ok_or_else(|| {
            Error::Usage(format!(
                "{} is missing or unreadable: run liftlens analyze first",
                report_path.display()
            ))
        })?;
    let fused = read_fused(&out_dir.join("poses.csv"))?;

    let (mut err_px, mut err_pct, mut ang) = (Vec::new(), Vec::new(), Vec::new());
    let mut per_joint: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut jumps = Vec::new();
    for tf in &truth.frames {
        let Some(f) = fused.get(tf.frame) else { continue };
        let torso = match (tf.near.get("hip"), tf.near.get("shoulder")) {
            (Some(h), Some(s)) => dist((h[0], h[1]), *s),
            _ => continue,
        };
        for j in SCORED_JOINTS {
            if tf.hidden.iter().any(|h| h == j) {
                continue;
            }
            if let (Some(&p), Some(&t)) = (f.get(j), tf.near.get(j)) {
                let e = dist(p, t);
                err_px.push(e);
                err_pct.push(100.0 * e / torso);
                per_joint.entry(j.to_string()).or_default().push(100.0 * e / torso);
            }
        }
        if let (Some(&h), Some(&s)) = (f.get("hip"), f.get("shoulder")) {
            let a = crate::skeleton::torso_angle_deg(report.facing, h, s);
            ang.push((a - tf.torso_angle_deg).abs());
        }
        if tf.frame > 0 {
            if let (Some(prev), Some(&k), Some(tk), Some(ta)) = (
                fused.get(tf.frame - 1),
                f.get("knee"),
                tf.near.get("knee"),
                tf.near.get("ankle"),
            ) {
                if let Some(&pk) = prev.get("knee") {
                    let shin = dist((tk[0], tk[1]), *ta);
                    jumps.push(dist(k, [pk.0, pk.1]) / shin);
                }
            }
        }
    }
    let bar = score_bar(out_dir, &truth, &report)?;
    let lift_right = report.lift.map(|l| l.name() == truth.clip.lift);
    // Match each true rep to the found rep with the nearest key time.
    let key_err = truth
        .reps
        .iter()
        .filter_map(|t| report.reps.iter().map(|r| (r.key_s - t.key_s).abs()).reduce(f64::min))
        .reduce(f64::max);
    let flags: Vec<&crate::faults::Fault> = report.reps.iter().flat_map(|r| &r.faults).collect();
    let (faults_found, faults_false) = match_faults(&truth.faults, &flags);
    let (rep_mean_velocity_err_mps, rep_concentric_err_s) = score_rep_velocity(&truth, &report);
    Ok(Score {
        rep_mean_velocity_err_mps,
        rep_concentric_err_s,
        phase_agreement: score_phases(&out_dir.join("kinematics.csv"), &truth),
        faults_truth: truth.faults.len(),
        faults_found,
        faults_false,
        lift_right,
        judged: report.view.as_ref().is_some_and(|v| v.judgeable),
        bar_only: report.view.as_ref().is_some_and(|v| v.bar_only),
        reps_found: report.reps.len(),
        reps_truth: truth.reps.len(),
        rep_key_time_err_s: key_err,
        bar_err_px_median: bar.err_px_median,
        bar_err_px_p90: bar.err_px_p90,
        bar_err_mm_median: bar.err_mm_median,
        bar_measured_share: bar.measured_share,
        scale_err_pct: bar.scale_err_pct,
        rom_err_cm: bar.rom_err_cm,
        yaw_err_deg: bar.yaw_err_deg,
        tilt_err_deg: bar.tilt_err_deg,
        peak_velocity_err_mps: bar.peak_v_err,
        mean_velocity_err_mps: bar.mean_v_err,
        clip: truth.clip.name.clone(),
        frames: report.video.frames,
        pose_coverage: report.pose_coverage,
        facing_right: report.facing == crate::skeleton::Facing::Right,
        keypoint_err_px_median: median(err_px.iter().copied()),
        keypoint_err_px_p90: percentile(err_px.iter().copied(), 90.0),
        keypoint_err_pct_torso_median: median(err_pct.iter().copied()),
        keypoint_err_pct_torso_p90: percentile(err_pct.iter().copied(), 90.0),
        per_joint_err_pct_torso_median: per_joint
            .into_iter()
            .filter_map(|(k, v)| median(v).map(|m| (k, m)))
            .collect(),
        torso_angle_err_deg_median: median(ang.iter().copied()),
        torso_angle_err_deg_p90: percentile(ang.iter().copied(), 90.0),
        knee_max_jump_shin: jumps.iter().copied().reduce(f64::max),
    })
}

/// The worst signed errors (by size) of the reported reps' mean concentric
/// velocity and concentric time, each true rep against the reported rep
/// with the nearest key time. The truth's rise is cut by the tool's own
/// rule (where the speed crosses `still_below_mps`, between frames), on the
/// truth bar's frame-to-frame speed: cut instead from the first frame 1 mm
/// off the start to the top frame, a fast rise (0.7 s) lost about half a
/// frame and the slow last millimetre at each end, and read 4-8 % fast
/// against a tool that measured the bar exactly.
fn score_rep_velocity(truth: &Truth, report: &Report) -> (Option<f64>, Option<f64>) {
    let frames = &truth.frames;
    let n = frames.len();
    let worst = |a: Option<f64>, e: f64| Some(a.map_or(e, |a: f64| if e.abs() > a.abs() { e } else { a }));
    let still = crate::reps::RepProfile::default().still_below_mps;
    let times: Vec<f64> = frames.iter().map(|f| f.time_s).collect();
    let heights: Vec<f64> = frames.iter().map(|f| f.bar_m[1]).collect();
    let v = crate::signal::derivative(&times, &heights);
    // Where the speed crosses `still` between frames k - 1 and k.
    let crossing = |k: usize| -> (f64, f64) {
        let f = crate::signal::crossing_share(v[k - 1], v[k], still).unwrap_or(1.0);
        let (t, y) = (&times, &heights);
        (t[k - 1] + f * (t[k] - t[k - 1]), y[k - 1] + f * (y[k] - y[k - 1]))
    };
    let (mut v_err, mut t_err) = (None, None);
    for (k, tr) in truth.reps.iter().enumerate() {
        let Some(rep) = report
            .reps
            .iter()
            .min_by(|a, b| (a.key_s - tr.key_s).abs().total_cmp(&(b.key_s - tr.key_s).abs()))
        else {
            continue;
        };
        let idx: Vec<usize> = (0..n)
            .filter(|&i| frames[i].phase == "concentric" && frames[i].rep == Some(k))
            .collect();
        let (Some(&a), Some(&b)) = (idx.first(), idx.last()) else {
            continue;
        };
        let top = (a..=b).max_by(|&i, &j| heights[i].total_cmp(&heights[j])).unwrap_or(b);
        // The truth's phase may begin a frame or two before the bar moves
        // (a pull's slack) or after (its phases follow the body).
        let Some(rise) = (a.saturating_sub(3).max(1)..=top).find(|&i| v[i] >= still) else {
            continue;
        };
        let Some(stop) = (rise..n).find(|&i| v[i] < still) else {
            continue;
        };
        let ((t0, y0), (t1, y1)) = (crossing(rise), crossing(stop));
        if t1 <= t0 {
            continue;
        }
        v_err = worst(v_err, rep.mean_concentric_velocity_mps - (y1 - y0) / (t1 - t0));
        t_err = worst(t_err, rep.concentric_s - (t1 - t0));
    }
    (v_err, t_err)
}

/// Share of the truth's frames given the truth's phase in kinematics.csv.
fn score_phases(path: &Path, truth: &Truth) -> Option<f64> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut lines = text.lines();
    let col = lines.next()?.split(',').position(|h| h == "phase")?;
    let phases: Vec<String> = lines.map(|l| l.split(',').nth(col).unwrap_or("").to_string()).collect();
    let same = |t: &str, got: &str| t == got || (t == "standing" && (got == "setup" || got == "lockout"));
    let scored: Vec<bool> = truth
        .frames
        .iter()
        .filter_map(|f| phases.get(f.frame).map(|got| same(&f.phase, got)))
        .collect();
    (!scored.is_empty()).then(|| scored.iter().filter(|&&ok| ok).count() as f64 / scored.len() as f64)
}

#[derive(Default)]
struct BarScore {
    err_px_median: Option<f64>,
    err_px_p90: Option<f64>,
    err_mm_median: Option<f64>,
    measured_share: Option<f64>,
    scale_err_pct: Option<f64>,
    rom_err_cm: Option<f64>,
    yaw_err_deg: Option<f64>,
    tilt_err_deg: Option<f64>,
    peak_v_err: Option<f64>,
    mean_v_err: Option<f64>,
}

/// The bar.csv columns the scorer needs: (x_px, y_px, y_m, vy_mps, measured).
type BarRow = (f64, f64, f64, f64, bool);

fn read_bar(path: &Path) -> Option<Vec<Option<BarRow>>> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next()?.split(',').collect();
    let col = |n: &str| head.iter().position(|c| *c == n);
    let (cx, cy, cym, cv, cm) = (
        col("x_px")?,
        col("y_px")?,
        col("y_m")?,
        col("vy_mps")?,
        col("measured")?,
    );
    Some(
        lines
            .map(|l| {
                let c: Vec<&str> = l.split(',').collect();
                let f = |i: usize| c.get(i).and_then(|v| v.parse::<f64>().ok());
                Some((f(cx)?, f(cy)?, f(cym)?, f(cv)?, c.get(cm) == Some(&"1")))
            })
            .collect(),
    )
}

fn score_bar(out_dir: &Path, truth: &Truth, report: &Report) -> Result<BarScore> {
    let Some(rows) = read_bar(&out_dir.join("bar.csv")) else {
        return Ok(BarScore::default());
    };
    let mpp_truth = truth.clip.metres_per_px;
    let mut errs = Vec::new();
    let mut measured = 0usize;
    for tf in &truth.frames {
        if let Some(Some((x, y, _, _, m))) = rows.get(tf.frame) {
            if *m {
                measured += 1;
                errs.push(dist((*x, *y), tf.bar_px));
            }
        }
    }
    let scale = report.bar.as_ref().map(|b| b.scale.metres_per_px);
    let ys: Vec<f64> = rows.iter().flatten().map(|r| r.2).collect();
    let tz: Vec<f64> = truth.frames.iter().map(|f| f.bar_m[1]).collect();
    let range = |v: &[f64]| crate::signal::spread(v, 0.0, 100.0);
    // Truth velocity: central differences of the exact bar height.
    let times: Vec<f64> = truth.frames.iter().map(|f| f.time_s).collect();
    let tv = crate::signal::derivative(&times, &tz);
    let mut reps: BTreeMap<usize, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for (k, tf) in truth.frames.iter().enumerate() {
        if tf.phase != "concentric" {
            continue;
        }
        if let (Some(rep), Some(Some(r))) = (tf.rep, rows.get(tf.frame)) {
            let e = reps.entry(rep).or_default();
            e.0.push(r.3);
            e.1.push(tv[k]);
        }
    }
    let worst = |f: &dyn Fn(&[f64]) -> f64| reps.values().map(|(m, t)| (f(m) - f(t)).abs()).reduce(f64::max);
    let peak = |v: &[f64]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    // A reported camera angle (unsigned) minus the truth's.
    let angle_err = |reported: fn(&crate::bar::Scale) -> Option<f64>, truth: f64| {
        report
            .bar
            .as_ref()
            .and_then(|b| reported(&b.scale))
            .map(|a| a - truth.abs())
    };
    Ok(BarScore {
        err_px_median: median(errs.iter().copied()),
        err_px_p90: percentile(errs.iter().copied(), 90.0),
        err_mm_median: median(errs.iter().copied()).map(|e| e * mpp_truth * 1000.0),
        measured_share: Some(measured as f64 / truth.frames.len().max(1) as f64),
        scale_err_pct: scale.map(|s| 100.0 * (s - mpp_truth) / mpp_truth),
        rom_err_cm: range(&ys).zip(range(&tz)).map(|(a, b)| 100.0 * (a - b)),
        yaw_err_deg: angle_err(|s| s.turn_deg(), truth.clip.camera.yaw_deg),
        tilt_err_deg: angle_err(|s| s.tilt_deg(), truth.clip.camera.pitch_deg),
        peak_v_err: worst(&peak),
        mean_v_err: worst(&mean),
    })
}

fn cell(v: Option<f64>, digits: usize) -> String {
    v.map(|v| format!("{v:.digits$}")).unwrap_or_else(|| "-".into())
}

/// The human table: one row per clip.
pub fn table(scores: &[Score]) -> String {
    let mut s =
        format!(
        "{:<26} {:>6} {:>6} {:>7} {:>7} {:>7} {:>7} {:>6} {:>6} {:>5} | {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>5} {:>5} | {:>4} {:>5} {:>5} {:>5} {:>6} {:>6} {:>5} | {:>6} {}\n",
        "clip", "frames", "pose%", "kp px", "kp p90", "kp %T", "p90 %T", "torso°", "t p90", "jump",
        "bar%", "bar px", "bar mm", "scale%", "ROM cm", "vpk", "vmean", "yaw°", "tilt°", "lift", "judge", "reps", "key s",
        "rep v", "conc s", "phase%", "faults", "false flags"
    );
    for c in scores {
        let _ = writeln!(
            s,
            "{:<26} {:>6} {:>6.1} {:>7} {:>7} {:>7} {:>7} {:>6} {:>6} {:>5} | {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>5} {:>5} | {:>4} {:>5} {:>5} {:>5} {:>6} {:>6} {:>5} | {:>6} {}",
            c.clip,
            c.frames,
            c.pose_coverage * 100.0,
            cell(c.keypoint_err_px_median, 1),
            cell(c.keypoint_err_px_p90, 1),
            cell(c.keypoint_err_pct_torso_median, 1),
            cell(c.keypoint_err_pct_torso_p90, 1),
            cell(c.torso_angle_err_deg_median, 1),
            cell(c.torso_angle_err_deg_p90, 1),
            cell(c.knee_max_jump_shin, 2),
            cell(c.bar_measured_share.map(|v| v * 100.0), 1),
            cell(c.bar_err_px_median, 2),
            cell(c.bar_err_mm_median, 1),
            cell(c.scale_err_pct, 2),
            cell(c.rom_err_cm, 2),
            cell(c.peak_velocity_err_mps, 3),
            cell(c.mean_velocity_err_mps, 3),
            cell(c.yaw_err_deg, 1),
            cell(c.tilt_err_deg, 1),
            match c.lift_right {
                Some(true) => "ok",
                Some(false) => "WRONG",
                None => "-",
            },
            match (c.judged, c.bar_only) {
                (true, _) => "yes",
                (false, true) => "bar",
                _ => "no",
            },
            format!("{}/{}", c.reps_found, c.reps_truth),
            cell(c.rep_key_time_err_s, 2),
            cell(c.rep_mean_velocity_err_mps, 3),
            cell(c.rep_concentric_err_s, 2),
            cell(c.phase_agreement.map(|v| v * 100.0), 1),
            format!("{}/{}", c.faults_found, c.faults_truth),
            if c.faults_false.is_empty() {
                "-".to_string()
            } else {
                c.faults_false.join(" ")
            },
        );
    }
    s += "kp = fused shoulder/hip/knee/ankle error where the plate does not hide them (px, and % of torso length);\n\
          torso° = |torso angle error| in degrees; jump = largest frame-to-frame fused knee move in shin lengths;\n\
          bar% = frames with a measured plate; bar px/mm = median plate-centre error on those frames;\n\
          scale% = metres-per-pixel error; ROM cm = range-of-motion error; vpk/vmean = worst per-rep error of\n\
          peak/mean concentric bar velocity (m/s) over the truth's concentric phases;\n\
          yaw° / tilt° = reported camera turn from side-on / tilt from level minus the truth's (degrees;\n\
          - where the near face was never seen whole);\n\
          lift = squat/deadlift recognised right; judge = view judged side-on (bar: reps and bar only, the body\n\
          hidden); reps = found/true;\n\
          key s = largest bottom (squat) or lockout (deadlift) time error over the true reps;\n\
          rep v / conc s = worst error of the reported per-rep mean concentric velocity (m/s) and\n\
          concentric time (s) against the truth bar's own rise (cut by the tool's rule: where its speed\n\
          crosses [reps] still_below_mps, between frames);\n\
          phase% = frames whose kinematics.csv phase is the truth's;\n\
          faults = injected faults flagged with the right kind at the right time / injected;\n\
          false flags = flags matching no injected fault (kind@rep)\n";
    s
}

/// Every `<name>.mp4` in `samples` with a `<name>.truth.json` beside it.
pub fn samples_with_truth(samples: &Path) -> Result<Vec<(PathBuf, PathBuf)>> {
    let mut out: Vec<(PathBuf, PathBuf)> = std::fs::read_dir(samples)
        .map_err(|e| Error::Usage(format!("cannot list {}: {e}", samples.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("mp4"))
        .filter_map(|v| {
            let truth = v.with_extension("truth.json");
            truth.is_file().then_some((v, truth))
        })
        .collect();
    out.sort();
    Ok(out)
}

pub fn score_all(samples: &Path, out: &Path, model: PoseModel, json: bool, progress: &dyn Progress) -> Result<i32> {
    let mut scores = Vec::new();
    for (video, truth) in samples_with_truth(samples)? {
        let stem = video.file_stem().and_then(|s| s.to_str()).unwrap_or("clip").to_string();
        let cfg = AnalyzeConfig {
            video: Some(video.clone()),
            out_dir: out.join(&stem),
            from_poses: None,
            model,
            backend: Backend::Auto,
            profile: Profile::default(),
            write_video: false,
            allow_truncated: false,
            lift: None,
        };
        eprintln!("== {}", video.display());
        match pipeline::analyze(&cfg, progress) {
            Ok(_) => scores.push(score_dir(&cfg.out_dir, &truth)?),
            Err(e) => eprintln!("error: {e}"),
        }
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&scores).unwrap_or_default());
    } else {
        print!("{}", table(&scores));
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: the scorer compared OpenCV-grid plate centres with the
    /// renderer's OpenGL-grid truth, a steady half pixel in x and y.
    #[test]
    fn truth_plate_centres_are_moved_onto_the_opencv_pixel_grid() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clip.truth.json");
        let frame = r#"{"frame": 0, "near": {"hip": [100.0, 200.0]}, "torso_angle_deg": 10.0,
            "time_s": 0.0, "phase": "setup", "rep": null, "bar_px": [480.0, 270.0], "bar_m": [0.0, 0.2]}"#;
        let text = format!(
            r#"{{"clip": {{"name": "c", "lift": "deadlift", "facing": "left", "view": "side",
            "metres_per_px": 0.004, "camera": {{"yaw_deg": 0.0}}}}, "frames": [{frame}]}}"#
        );
        std::fs::write(&path, text).unwrap();
        let truth = load_truth(&path).unwrap();
        let f = &truth.frames[0];
        // A disc the renderer centres on the boundary between pixels 479 and
        // 480 has its centre at 479.5 on OpenCV's grid.
        assert_eq!(f.bar_px, [479.5, 269.5]);
        assert_eq!(f.near["hip"], [100.0, 200.0]);
    }
}
