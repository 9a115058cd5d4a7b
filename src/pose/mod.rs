//! Pose stage: BlazePose run as MediaPipe runs it (detector when tracking is
//! lost, landmark model on a crop that follows the body).
//!
//! Lifecycle: `PoseTracker::load` once, then `process(frame, time)` with
//! increasing times; every later stage only sees `RawPose` (which poses.csv
//! stores), so analysis can be rerun from the file without the network.

pub mod detector;
pub mod engine;
pub mod landmarks;
pub mod outline;
pub mod tracker;

use std::path::PathBuf;

pub use engine::Backend;
pub use landmarks::{Landmark, BODY_POINTS};
pub use outline::TorsoOutline;
pub use tracker::PoseTracker;

use crate::error::{Error, Result};

/// BlazePose names, index = model output row.
pub const POINT_NAMES: [&str; BODY_POINTS] = [
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
];

/// The landmark model's answer for one frame, in image pixels (y down).
#[derive(Debug, Clone, PartialEq)]
pub struct RawPose {
    pub pose_flag: f32,
    pub points: [Landmark; BODY_POINTS],
    /// The silhouette across the torso, when the mask was available.
    pub outline: Option<TorsoOutline>,
}

impl RawPose {
    /// The point halfway between landmarks `a` and `b` (`midpoint`).
    pub fn midpoint(&self, a: usize, b: usize) -> (f32, f32) {
        midpoint(&self.points, a, b)
    }
}

/// The point halfway between landmarks `a` and `b` (image px): the body's
/// centre line from a left/right pair, whichever side is near.
pub fn midpoint(points: &[Landmark], a: usize, b: usize) -> (f32, f32) {
    let (p, q) = (points[a], points[b]);
    ((p.x + q.x) / 2.0, (p.y + q.y) / 2.0)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum PoseModel {
    /// 5.5 MB, fastest.
    Lite,
    /// 12.8 MB, the default.
    Full,
    /// 55 MB, built on request by models/build_models.py --with-heavy.
    Heavy,
}

impl PoseModel {
    pub fn file_name(self) -> &'static str {
        match self {
            PoseModel::Lite => "pose_landmark_lite.onnx",
            PoseModel::Full => "pose_landmark_full.onnx",
            PoseModel::Heavy => "pose_landmark_heavy.onnx",
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            PoseModel::Lite => "lite",
            PoseModel::Full => "full",
            PoseModel::Heavy => "heavy",
        }
    }
}

pub const DETECTOR_FILE: &str = "pose_detection.onnx";

/// The folder with the .onnx files: LIFTLENS_MODELS, else `models/` beside
/// the checkout the binary was built from or two levels above the binary.
pub fn models_dir() -> Result<PathBuf> {
    let mut tried = Vec::new();
    if let Some(dir) = std::env::var_os("LIFTLENS_MODELS").filter(|v| !v.is_empty()) {
        tried.push(PathBuf::from(dir));
    }
    if let Ok(exe) = std::env::current_exe() {
        for up in exe.ancestors().skip(1).take(3) {
            tried.push(up.join("models"));
        }
    }
    tried.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models"));
    tried
        .iter()
        .find(|d| d.join(DETECTOR_FILE).is_file())
        .cloned()
        .ok_or_else(|| Error::ModelMissing {
            path: tried[0].join(DETECTOR_FILE),
        })
}
