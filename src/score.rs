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
}

#[derive(Debug, Clone, Deserialize)]
pub struct TruthClip {
    pub name: String,
    pub lift: String,
    pub facing: String,
    pub view: String,
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
}

pub const SCORED_JOINTS: [&str; 4] = ["shoulder", "hip", "knee", "ankle"];

pub fn load_truth(path: &Path) -> Result<Truth> {
    let err = |reason: String| Error::Truth {
        path: path.to_path_buf(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| err(e.to_string()))
}

/// Fused columns of poses.csv: frame -> joint -> (x, y).
fn read_fused(path: &Path) -> Result<Vec<BTreeMap<String, (f64, f64)>>> {
    let err = |line, reason: String| Error::PosesCsv {
        path: path.to_path_buf(),
        line,
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(0, e.to_string()))?;
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().ok_or_else(|| err(1, "empty".into()))?.split(',').collect();
    let mut out = Vec::new();
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        let mut m = BTreeMap::new();
        for j in crate::skeleton::Joint::ALL {
            let n = j.name();
            let ix = head.iter().position(|c| *c == format!("{n}_x"));
            let iy = head.iter().position(|c| *c == format!("{n}_y"));
            if let (Some(ix), Some(iy)) = (ix, iy) {
                if let (Ok(x), Ok(y)) = (cells[ix].parse::<f64>(), cells[iy].parse::<f64>()) {
                    m.insert(n.to_string(), (x, y));
                }
            }
        }
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
            let facing = if report.facing == crate::skeleton::Facing::Right {
                1.0
            } else {
                -1.0
            };
            let a = ((s.0 - h.0) * facing).atan2(h.1 - s.1).to_degrees();
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
    Ok(Score {
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

fn cell(v: Option<f64>, digits: usize) -> String {
    v.map(|v| format!("{v:.digits$}")).unwrap_or_else(|| "-".into())
}

/// The human table: one row per clip.
pub fn table(scores: &[Score]) -> String {
    let mut s = format!(
        "{:<34} {:>6} {:>6} {:>8} {:>8} {:>8} {:>8} {:>7} {:>7} {:>6}\n",
        "clip", "frames", "pose%", "kp px", "kp p90", "kp %T", "p90 %T", "torso°", "t p90", "jump"
    );
    for c in scores {
        let _ = writeln!(
            s,
            "{:<34} {:>6} {:>6.1} {:>8} {:>8} {:>8} {:>8} {:>7} {:>7} {:>6}",
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
        );
    }
    s += "kp = fused shoulder/hip/knee/ankle error where the plate does not hide them (px, and % of torso length);\n\
          torso° = |torso angle error| in degrees; jump = largest frame-to-frame fused knee move in shin lengths\n";
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
