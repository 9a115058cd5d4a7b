//! liftlens: side-on squat and deadlift analysis. See ARCHITECTURE.md for
//! how the modules map to pipeline stages.

pub mod bar;
pub mod bench;
pub mod cli;
pub mod consistency;
pub mod error;
pub mod faults;
pub mod feet;
pub mod liftoff;
pub mod overlay;
pub mod patch;
pub mod pipeline;
pub mod pose;
pub mod profile;
pub mod report;
pub mod reps;
pub mod score;
pub mod signal;
pub mod skeleton;
pub mod video;

pub use error::{Error, Result};
