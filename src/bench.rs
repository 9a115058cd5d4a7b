//! `liftlens bench`: frames per second and peak memory of one pass over a
//! video, for scripts/bench. Figures are printed, never asserted.

use std::path::Path;

use crate::bar::{BarProfile, BarTracker};
use crate::error::{Error, Result};
use crate::pipeline::{self, NoProgress, PoseSource};
use crate::pose::{self, Backend, PoseModel, PoseTracker};
use crate::video::{self, VideoReader};

/// Peak resident memory of this process in MiB (Linux VmHWM).
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

pub fn run(path: &Path, stage: &str, model: PoseModel, backend: Backend) -> Result<i32> {
    let reader = VideoReader::open(path)?;
    let content = video::detect_content(path, reader.header_frames())?;
    drop(reader);
    let (label, tracked) = match stage {
        "decode" => (
            "decode",
            pipeline::track_video(path, content, PoseSource::None, None, None, true, &NoProgress)?,
        ),
        "pose" => {
            let backend = pose::engine::resolve_backend(backend)?;
            let mut tracker = PoseTracker::load(
                backend,
                &pose::models_dir()?,
                model,
                &crate::profile::PoseProfile::default(),
            )?;
            let mut bar = BarTracker::new(BarProfile::default());
            let t = pipeline::track_video(
                path,
                content,
                PoseSource::Track(&mut tracker),
                Some(&mut bar),
                Some(&mut crate::video::CutDetector::new(&Default::default())),
                true,
                &NoProgress,
            )?;
            (
                if model == PoseModel::Lite {
                    "decode+pose(lite)+bar"
                } else {
                    "decode+pose(full)+bar"
                },
                t,
            )
        }
        other => return Err(Error::Usage(format!("--stage {other}: use decode or pose"))),
    };
    let n = tracked.times.len();
    println!(
        "{}\t{}x{}\t{}\t{n} frames\t{:.1} fps\tpeak {:.0} MiB\tdetector runs {}",
        path.file_name().and_then(|s| s.to_str()).unwrap_or("?"),
        tracked.width,
        tracked.height,
        label,
        n as f64 / tracked.seconds.max(1e-9),
        peak_rss_mib().unwrap_or(f64::NAN),
        tracked.detector_runs
    );
    Ok(0)
}
