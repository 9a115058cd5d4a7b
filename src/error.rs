//! One error type for the library. Every variant says what went wrong and what
//! the user can do about it; `main` prints it once and maps it to an exit code.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("video not found: {path}\n  check the path (a file, or a folder of videos for batch mode)")]
    VideoMissing { path: PathBuf },

    #[error("cannot decode {path} as a video ({reason})\n  liftlens reads what FFmpeg reads (MP4/MOV/MKV/AVI with H.264, HEVC, MPEG-4...);\n  if this is a video, re-encode it: ffmpeg -i INPUT -c:v libx264 -pix_fmt yuv420p OUTPUT.mp4")]
    VideoUnreadable { path: PathBuf, reason: String },

    #[error("{path} looks truncated: its header promises {expected} frames but only {decoded} could be decoded\n  copy or export the video again; pass --allow-truncated to analyse the part that decodes")]
    VideoTruncated {
        path: PathBuf,
        expected: usize,
        decoded: usize,
    },

    #[error("no person found in {path} ({frames} frames looked at)\n  film the whole body from the side, about level with the hips, 2-5 m away, with the lifter lit and in frame")]
    NoPerson { path: PathBuf, frames: usize },

    #[error("cannot write to the output folder {path}: {source}\n  choose a folder you can write to with --out")]
    OutputUnwritable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot write {path}: {reason}\n  check free disk space and permissions of the output folder")]
    OutputWrite { path: PathBuf, reason: String },

    #[error("pose model {path} not found\n  run `python3 models/build_models.py` (see models/README.md) or point LIFTLENS_MODELS at the folder that holds the .onnx files")]
    ModelMissing { path: PathBuf },

    #[error("ONNX Runtime library not found (looked in: {searched})\n  run scripts/setup, set LIFTLENS_ORT to libonnxruntime.so, or use --backend opencv")]
    OrtMissing { searched: String },

    #[error("inference failed in {stage}: {reason}")]
    Inference { stage: &'static str, reason: String },

    #[error(
        "{path}:{line}: {reason}\n  poses.csv must be a file written by `liftlens analyze` (same liftlens version)"
    )]
    PosesCsv { path: PathBuf, line: usize, reason: String },

    #[error("profile {path}: {reason}\n  see profiles/default.toml for every key, its unit and its default")]
    Profile { path: PathBuf, reason: String },

    #[error("{0}")]
    Usage(String),

    #[error("truth file {path}: {reason}")]
    Truth { path: PathBuf, reason: String },

    #[error("OpenCV error in {stage}: {source}")]
    OpenCv {
        stage: &'static str,
        #[source]
        source: opencv::Error,
    },
}

impl Error {
    /// Exit codes a script can branch on: 2 = the input or the call is wrong,
    /// 3 = the video holds nothing to analyse, 4 = output could not be written,
    /// 5 = installation problem, 1 = anything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::VideoMissing { .. }
            | Error::VideoUnreadable { .. }
            | Error::VideoTruncated { .. }
            | Error::PosesCsv { .. }
            | Error::Profile { .. }
            | Error::Usage(_)
            | Error::Truth { .. } => 2,
            Error::NoPerson { .. } => 3,
            Error::OutputUnwritable { .. } | Error::OutputWrite { .. } => 4,
            Error::ModelMissing { .. } | Error::OrtMissing { .. } => 5,
            Error::Inference { .. } | Error::OpenCv { .. } => 1,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Attach the pipeline stage to an OpenCV error so the message says where it happened.
pub(crate) trait CvContext<T> {
    fn cv(self, stage: &'static str) -> Result<T>;
}

impl<T> CvContext<T> for opencv::Result<T> {
    fn cv(self, stage: &'static str) -> Result<T> {
        self.map_err(|source| Error::OpenCv { stage, source })
    }
}
