//! Helpers for integration tests that run the real binary in a temp dir.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_liftlens"))
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn sample(name: &str) -> PathBuf {
    let p = repo().join("sample_videos").join(name);
    assert!(
        p.is_file(),
        "missing sample {}: run tools/synth/make_samples.py",
        p.display()
    );
    p
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(args: &[&str]) -> Run {
    let out: Output = bin().args(args).output().expect("liftlens runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

pub fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("liftlens-test-").tempdir().unwrap()
}

/// Frame count and size of a video, decoded with the same reader liftlens uses.
pub fn decode_count(path: &Path) -> (usize, i32, i32) {
    let mut r = liftlens::video::VideoReader::open(path).unwrap();
    let (mut n, mut w, mut h) = (0, 0, 0);
    while let Some(f) = r.read().unwrap() {
        use opencv::prelude::*;
        w = f.image.cols();
        h = f.image.rows();
        n += 1;
    }
    (n, w, h)
}
