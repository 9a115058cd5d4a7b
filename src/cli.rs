//! Command-line parsing in two steps: clap fills `AnalyzeArgs` with raw
//! flags, `resolve` merges them over the profile file over the defaults and
//! validates the result into a `pipeline::AnalyzeConfig`.

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::error::{Error, Result};
use crate::pipeline::AnalyzeConfig;
use crate::pose::{Backend, PoseModel};
use crate::profile::Profile;

#[derive(Debug, Parser)]
#[command(
    name = "liftlens",
    version,
    about = "Side-on squat and deadlift video analysis: pose, torso angle, bar path and velocity, reps and back-loading faults"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyse a video, or every video in a folder.
    Analyze(AnalyzeArgs),
    /// Compare an analysis against a rendered clip's ground truth.
    Score(ScoreArgs),
    /// Analyse and score every rendered sample (sample_videos/*.mp4 with .truth.json).
    ScoreAll(ScoreAllArgs),
    /// Measure decode and pose speed and peak memory on one video.
    Bench(BenchArgs),
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// A video file, or a folder of videos (batch mode: one sub-folder of
    /// --out per video; a bad file is reported and skipped).
    pub input: Option<PathBuf>,
    /// Folder for poses.csv, bar.csv, reps.csv, report.json and annotated.mp4.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Rerun every stage after pose estimation from a poses.csv.
    #[arg(long, value_name = "CSV")]
    pub from_poses: Option<PathBuf>,
    /// Landmark model.
    #[arg(long, value_enum, default_value_t = PoseModel::Full)]
    pub model: PoseModel,
    /// Inference backend.
    #[arg(long, value_enum, default_value_t = Backend::Auto)]
    pub backend: Backend,
    /// Profile TOML overriding thresholds (see profiles/default.toml).
    #[arg(long)]
    pub profile: Option<PathBuf>,
    /// Smoothing cutoff in Hz for the pose track (overrides the profile).
    #[arg(long, value_name = "HZ")]
    pub smoothing_hz: Option<f64>,
    /// The lift, when it should not be recognised from the footage.
    #[arg(long, value_enum)]
    pub lift: Option<crate::reps::Lift>,
    /// Plate diameter in millimetres (overrides the profile; 450 = standard plates).
    #[arg(long, value_name = "MM")]
    pub plate_mm: Option<f64>,
    /// Lifter height in metres, for the scale when no plate can be tracked.
    #[arg(long, value_name = "M")]
    pub lifter_height_m: Option<f64>,
    /// Skip the annotated video.
    #[arg(long)]
    pub no_video: bool,
    /// Analyse the frames that decode when a file is cut short.
    #[arg(long)]
    pub allow_truncated: bool,
    /// Print report.json to stdout instead of the summary.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// The --out folder of an analysis.
    pub out_dir: PathBuf,
    /// The clip's <name>.truth.json.
    pub truth: PathBuf,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ScoreAllArgs {
    #[arg(long, default_value = "sample_videos")]
    pub samples: PathBuf,
    #[arg(long, default_value = "out/score-all")]
    pub out: PathBuf,
    #[arg(long, value_enum, default_value_t = PoseModel::Full)]
    pub model: PoseModel,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    pub video: PathBuf,
    /// decode = decoding only; pose = decoding + pose tracking.
    #[arg(long, default_value = "pose")]
    pub stage: String,
    #[arg(long, value_enum, default_value_t = PoseModel::Full)]
    pub model: PoseModel,
    #[arg(long, value_enum, default_value_t = Backend::Auto)]
    pub backend: Backend,
}

pub const VIDEO_EXTENSIONS: [&str; 8] = ["mp4", "mov", "m4v", "mkv", "avi", "webm", "3gp", "mts"];

pub fn is_video_file(p: &Path) -> bool {
    p.is_file()
        && p.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| VIDEO_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

impl AnalyzeArgs {
    /// Defaults < profile file < command line, validated.
    pub fn resolve(&self) -> Result<AnalyzeConfig> {
        let mut profile = match &self.profile {
            Some(p) => Profile::load(p)?,
            None => Profile::default(),
        };
        if let Some(hz) = self.smoothing_hz {
            profile.pose.smoothing = crate::signal::Smoothing::Butterworth { cutoff_hz: hz };
        }
        if let Some(mm) = self.plate_mm {
            profile.bar.plate_mm = mm;
        }
        if let Some(m) = self.lifter_height_m {
            profile.bar.lifter_height_m = m;
        }
        profile.validate().map_err(|reason| Error::Profile {
            path: self.profile.clone().unwrap_or_else(|| PathBuf::from("(command line)")),
            reason,
        })?;
        if self.input.is_none() && self.from_poses.is_none() {
            return Err(Error::Usage(
                "give a video (or a folder of videos), or --from-poses CSV".into(),
            ));
        }
        Ok(AnalyzeConfig {
            video: self.input.clone(),
            out_dir: self.out.clone(),
            from_poses: self.from_poses.clone(),
            model: self.model,
            backend: self.backend,
            profile,
            write_video: !self.no_video,
            allow_truncated: self.allow_truncated,
            lift: self.lift,
        })
    }
}
