//! What liftlens writes: report.json (versioned, documented in
//! docs/report.md) and poses.csv (the pose track, reloadable so every later
//! stage can rerun without the network). Every file is written under a
//! temporary name and renamed when complete.

pub mod html;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::pose::outline::STATIONS;
use crate::pose::{Landmark, RawPose, TorsoOutline, BODY_POINTS, POINT_NAMES};
use crate::skeleton::{Facing, Joint, SagittalTrack};
use crate::video::VideoInfo;

/// Bumped whenever a field changes meaning or disappears (adding one does not).
pub const SCHEMA_VERSION: u32 = 1;

pub const DISCLAIMER: &str = "liftlens comments on lifting technique only. Pain that persists, sharp or radiating pain, numbness or weakness is for a clinician.";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub liftlens_version: String,
    pub video: VideoInfo,
    /// "onnxruntime" or "opencv-dnn"; "none (from poses.csv)" when rerun from a pose file.
    pub backend: String,
    /// Landmark model: "lite", "full" or "heavy".
    pub model: String,
    pub facing: Facing,
    /// Why the facing is in doubt, when its cues disagree (then no body
    /// fault is judged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facing_doubt: Option<String>,
    /// Share of frames (0-1) where the lifter's hip and shoulder were measured.
    pub pose_coverage: f64,
    pub frames_with_pose: usize,
    /// How often the person detector ran (1 = tracked throughout).
    pub detector_runs: usize,
    /// The lifter's thigh length in pixels (median): the yardstick for jump gating.
    pub thigh_px: f64,
    pub torso_angle_deg: Option<AngleSummary>,
    /// The bar: where its position comes from, the metric scale, tracking
    /// coverage and clip-wide kinematics (per-frame values in bar.csv).
    pub bar: Option<crate::bar::BarSummary>,
    /// Squat or deadlift (recognised, or as given with --lift).
    pub lift: Option<crate::reps::Lift>,
    /// Whether the footage can be judged (side-on, lifter found, a lift present).
    pub view: Option<crate::reps::ViewVerdict>,
    /// Reps with their timings and measures (per-rep rows also in reps.csv).
    pub reps: Vec<crate::reps::Rep>,
    pub set: Option<crate::reps::SetSummary>,
    /// Things the user should know about this analysis (weak evidence, fallbacks).
    pub notes: Vec<String>,
    pub disclaimer: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AngleSummary {
    pub min: f64,
    pub median: f64,
    pub max: f64,
}

/// Write `bytes` to `path` atomically: a crash leaves the old file or none.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = tmp_name(path);
    let fail = |e: std::io::Error| Error::OutputWrite {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let mut f = std::fs::File::create(&tmp).map_err(fail)?;
    f.write_all(bytes).map_err(fail)?;
    f.sync_all().map_err(fail)?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        fail(e)
    })
}

fn tmp_name(path: &Path) -> PathBuf {
    let name = path.file_name().and_then(|s| s.to_str()).unwrap_or("out");
    path.with_file_name(format!(".{name}.partial"))
}

pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| Error::OutputWrite {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    text.push('\n');
    write_atomic(path, text.as_bytes())
}

/// Make sure `dir` exists and accepts files before any work is done.
pub fn prepare_output_dir(dir: &Path) -> Result<()> {
    let fail = |source| Error::OutputUnwritable {
        path: dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let probe = dir.join(".liftlens-write-test");
    std::fs::write(&probe, b"").map_err(fail)?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// kinematics.csv: per frame, the rep and phase it belongs to, the bar and
/// the body angles in the canonical frame (metres, y up, x towards the
/// toes; degrees), and the faults whose window holds the frame. Empty cells
/// mean "not measured" (no pose, a rep whose pose was found wrong, the bar
/// stood in by the hands or shoulders for the midfoot distance). The
/// values in a spreadsheet-friendly form of what report.html plots.
pub fn write_kinematics_csv(
    path: &Path,
    curves: &html::Curves,
    phases: &[Option<(usize, crate::reps::Phase)>],
    faults: &[&crate::faults::Fault],
) -> Result<()> {
    let opt = |v: Option<f64>, d: usize| {
        v.filter(|v| v.is_finite())
            .map(|v| format!("{v:.d$}"))
            .unwrap_or_default()
    };
    let at = |v: &[Option<f64>], i: usize| v.get(i).copied().flatten();
    let mut out = String::from(
        "frame,time_s,rep,phase,bar_y_m,bar_ahead_of_midfoot_m,bar_vy_mps,torso_angle_deg,hip_angle_deg,knee_angle_deg,hip_above_knee_m,faults\n",
    );
    for (i, &t) in curves.times.iter().enumerate() {
        let bar = curves.bar.get(i).copied().flatten();
        let (rep, phase) = match phases.get(i).copied().flatten() {
            Some((r, p)) => ((r + 1).to_string(), p.name()),
            None => (String::new(), ""),
        };
        let active: Vec<&str> = faults
            .iter()
            .filter(|f| f.active_at(i))
            .map(|f| f.kind.name())
            .collect();
        let _ = writeln!(
            out,
            "{i},{t:.6},{rep},{phase},{},{},{},{},{},{},{},{}",
            opt(bar.map(|b| b.y_m), 4),
            opt(bar.filter(|b| curves.midfoot_known && !b.stand_in).map(|b| b.x_m), 4),
            opt(bar.map(|b| b.vy_mps), 3),
            opt(at(curves.torso_deg, i), 1),
            opt(at(curves.hip_deg, i), 1),
            opt(at(curves.knee_deg, i), 1),
            opt(at(curves.hip_above_knee_m, i), 3),
            active.join(";"),
        );
    }
    write_atomic(path, out.as_bytes())
}

/// One poses.csv row's worth of input.
pub struct PoseRow<'a> {
    pub time_s: f64,
    pub raw: Option<&'a RawPose>,
}

fn header() -> String {
    let mut h = String::from("frame,time_s");
    for j in Joint::ALL {
        let n = j.name();
        let _ = write!(h, ",{n}_x,{n}_y,{n}_conf");
    }
    for n in POINT_NAMES {
        let _ = write!(h, ",raw_{n}_x,raw_{n}_y,raw_{n}_vis");
    }
    h.push_str(",pose_flag,torso_angle_deg");
    for side in ["plus", "minus"] {
        for k in 1..=STATIONS.len() {
            let _ = write!(h, ",outline_{side}_{k}_px");
        }
    }
    h.push('\n');
    h
}

/// poses.csv: per frame the fused chain (image pixels, y down, confidence),
/// every raw BlazePose point (x, y, visibility), the pose flag and the torso
/// angle. Empty cells mean "no value".
pub fn write_poses_csv(path: &Path, times: &[f64], raw: &[Option<RawPose>], track: &SagittalTrack) -> Result<()> {
    let mut out = header();
    for (i, (&t, pose)) in times.iter().zip(raw).enumerate() {
        let _ = write!(out, "{i},{t:.6}");
        for j in Joint::ALL {
            match track.point(i, j) {
                Some(p) => {
                    let _ = write!(out, ",{:.2},{:.2},{:.3}", p.x, p.y, p.conf);
                }
                None => out.push_str(",,,"),
            }
        }
        match pose {
            Some(p) => {
                for l in &p.points {
                    let _ = write!(out, ",{:.3},{:.3},{:.4}", l.x, l.y, l.visibility);
                }
                let _ = write!(out, ",{:.4}", p.pose_flag);
            }
            None => {
                // Three empty cells per point, then an empty pose flag.
                out.push_str(&",,,".repeat(BODY_POINTS));
                out.push(',');
            }
        }
        match track.torso_angle_deg.get(i).copied().flatten() {
            Some(a) => {
                let _ = write!(out, ",{a:.2}");
            }
            None => out.push(','),
        }
        match pose.as_ref().and_then(|p| p.outline) {
            Some(o) => {
                for v in o.plus_px.iter().chain(&o.minus_px) {
                    let _ = write!(out, ",{v:.1}");
                }
            }
            None => out.push_str(&",".repeat(2 * STATIONS.len())),
        }
        out.push('\n');
    }
    write_atomic(path, out.as_bytes())
}

/// Read back the frame times and raw poses of a poses.csv.
/// A CSV file liftlens wrote (poses.csv, bar.csv, heels.csv): its header
/// and rows, with errors that name the file and the line.
pub struct CsvFile {
    path: PathBuf,
    head: Vec<String>,
    text: String,
}

impl CsvFile {
    pub fn read(path: &Path) -> Result<Self> {
        let mut file = CsvFile {
            path: path.to_path_buf(),
            head: Vec::new(),
            text: String::new(),
        };
        file.text = std::fs::read_to_string(path).map_err(|e| file.error(0, e.to_string()))?;
        let head = file
            .text
            .lines()
            .next()
            .ok_or_else(|| file.error(1, "the file is empty".into()))?;
        file.head = head.split(',').map(str::to_string).collect();
        Ok(file)
    }

    pub fn error(&self, line: usize, reason: String) -> Error {
        Error::PosesCsv {
            path: self.path.clone(),
            line,
            reason,
        }
    }

    /// The column named `name`, if the header has it.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.head.iter().position(|c| c == name)
    }

    /// The column named `name`; an error naming it when the header lacks it.
    pub fn col(&self, name: &str) -> Result<usize> {
        self.find(name)
            .ok_or_else(|| self.error(1, format!("no column {name}")))
    }

    pub fn columns(&self) -> usize {
        self.head.len()
    }

    /// The rows after the header, each with its line number in the file.
    pub fn rows(&self) -> impl Iterator<Item = (usize, Vec<&str>)> {
        self.text
            .lines()
            .skip(1)
            .enumerate()
            .map(|(k, l)| (k + 2, l.split(',').collect()))
    }

    /// The rows of a per-frame file kept beside poses.csv (bar.csv,
    /// heels.csv), each with its frame: an error at the first row past
    /// the clip's `frames` or with the wrong number of cells.
    pub fn frame_rows(&self, frames: usize) -> Result<Vec<(usize, Vec<&str>)>> {
        self.rows()
            .map(|(line, cells)| {
                let frame = line - 2;
                if frame >= frames || cells.len() != self.columns() {
                    Err(self.error(line, "does not match poses.csv (row count or columns)".into()))
                } else {
                    Ok((frame, cells))
                }
            })
            .collect()
    }
}

pub fn read_poses_csv(path: &Path) -> Result<(Vec<f64>, Vec<Option<RawPose>>)> {
    let file = CsvFile::read(path)?;
    let err = |line: usize, reason: String| file.error(line, reason);
    let col = |name: &str| file.col(name);
    let time_col = col("time_s")?;
    let flag_col = col("pose_flag")?;
    let mut raw_cols = Vec::with_capacity(BODY_POINTS);
    for n in POINT_NAMES {
        raw_cols.push((
            col(&format!("raw_{n}_x"))?,
            col(&format!("raw_{n}_y"))?,
            col(&format!("raw_{n}_vis"))?,
        ));
    }
    // Files written before the outline existed have no outline columns.
    let outline_cols: Option<Vec<usize>> = ["plus", "minus"]
        .iter()
        .flat_map(|side| (1..=STATIONS.len()).map(move |k| format!("outline_{side}_{k}_px")))
        .map(|name| file.find(&name))
        .collect();
    let (mut times, mut poses) = (Vec::new(), Vec::new());
    for (lineno, cells) in file.rows() {
        if cells.len() != file.columns() {
            return Err(err(
                lineno,
                format!("{} cells, the header has {}", cells.len(), file.columns()),
            ));
        }
        let num = |c: usize| -> Result<Option<f32>> {
            let s = cells[c].trim();
            if s.is_empty() {
                return Ok(None);
            }
            s.parse::<f32>()
                .map(Some)
                .map_err(|_| err(lineno, format!("'{s}' is not a number")))
        };
        let t: f64 = cells[time_col]
            .trim()
            .parse()
            .map_err(|_| err(lineno, "bad time_s".into()))?;
        if let Some(&prev) = times.last() {
            if t <= prev {
                return Err(err(lineno, "time_s must increase from row to row".into()));
            }
        }
        times.push(t);
        let pose = match num(flag_col)? {
            None => None,
            Some(flag) => {
                let mut points = [Landmark::default(); BODY_POINTS];
                for (p, &(cx, cy, cv)) in points.iter_mut().zip(&raw_cols) {
                    p.x = num(cx)?.unwrap_or(0.0);
                    p.y = num(cy)?.unwrap_or(0.0);
                    p.visibility = num(cv)?.unwrap_or(0.0);
                    p.presence = 1.0;
                }
                let outline = match &outline_cols {
                    Some(oc) => {
                        let mut v = [0.0f32; 2 * STATIONS.len()];
                        let mut all = true;
                        for (slot, &c) in v.iter_mut().zip(oc) {
                            match num(c)? {
                                Some(x) => *slot = x,
                                None => all = false,
                            }
                        }
                        all.then(|| TorsoOutline {
                            plus_px: std::array::from_fn(|i| v[i]),
                            minus_px: std::array::from_fn(|i| v[STATIONS.len() + i]),
                        })
                    }
                    None => None,
                };
                Some(RawPose {
                    pose_flag: flag,
                    points,
                    outline,
                })
            }
        };
        poses.push(pose);
    }
    if times.is_empty() {
        return Err(err(2, "no frames".into()));
    }
    Ok((times, poses))
}
