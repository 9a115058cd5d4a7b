//! The liftlens command: parses arguments, runs the library, prints.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};

use liftlens::cli::{self, Cli, Command};
use liftlens::pipeline::{self, Analysis, AnalyzeConfig, Progress};
use liftlens::report::html::BatchEntry;
use liftlens::{bench, score, Error};

/// Progress bar on stderr, shown only when stderr is a terminal.
struct Bar(ProgressBar);

impl Bar {
    fn new() -> Self {
        let bar = if std::io::stderr().is_terminal() {
            ProgressBar::new(0)
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template("{prefix:>6} [{bar:32}] {pos}/{len} frames {per_sec} eta {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        Bar(bar)
    }
}

impl Progress for Bar {
    fn start(&self, pass: &str, expected: usize) {
        self.0.reset();
        self.0.set_prefix(pass.to_string());
        self.0.set_length(expected as u64);
    }
    fn tick(&self, done: usize) {
        if done as u64 > self.0.length().unwrap_or(0) {
            self.0.set_length(done as u64);
        }
        self.0.set_position(done as u64);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

fn summary(a: &Analysis) -> String {
    let r = &a.report;
    let v = &r.video;
    let mut s = format!(
        "{}: {}x{} at {:.2} fps, {} frames ({:.1} s){}\n",
        v.path.display(),
        v.width,
        v.height,
        v.fps,
        v.frames,
        v.duration_s,
        if v.rotation != 0 {
            format!(", rotated {} deg", v.rotation)
        } else {
            String::new()
        }
    );
    // A rerun from poses.csv ran no network: say where the poses came from.
    let source = if r.backend.starts_with("none") {
        "read from poses.csv".to_string()
    } else {
        format!("BlazePose {} on {}", r.model, r.backend)
    };
    s += &format!(
        "pose: {source}; lifter found in {:.0}% of frames, facing {}{}\n",
        r.pose_coverage * 100.0,
        r.facing.name(),
        if r.facing_doubt.is_some() { " (in doubt)" } else { "" }
    );
    if let Some(t) = &r.torso_angle_deg {
        s += &format!(
            "torso angle from vertical: {:.0} to {:.0} deg (median {:.0}; + = leaning forward)\n",
            t.min, t.max, t.median
        );
    }
    if let Some(b) = &r.bar {
        s += &format!(
            "bar: from the {}; plate measured on {:.0}% of frames; scale {:.2} mm/px ({}){}\n",
            match b.source {
                liftlens::bar::BarSource::Plate => "near plate",
                liftlens::bar::BarSource::Hands => "hands (no plate tracked)",
                liftlens::bar::BarSource::Shoulders => "shoulders (no plate tracked)",
            },
            b.measured_share * 100.0,
            b.scale.metres_per_px * 1000.0,
            b.scale.source,
            b.scale
                .vertical_metres_per_px
                .map_or(String::new(), |[top, bottom]| format!(
                    "; heights {:.2} mm/px at the top to {:.2} at the bottom (the camera is tilted)",
                    1000.0 * top,
                    1000.0 * bottom
                ))
        );
    }
    if let (Some(lift), Some(view)) = (&r.lift, &r.view) {
        let name = lift.name();
        if view.reps_counted() {
            s += &format!("{name}: {} rep(s)\n", r.reps.len());
            if view.bar_only {
                s += "  counted and measured from the plate; technique not judged (see the note below)\n";
            }
            for rep in &r.reps {
                s += &format!(
                    "  rep {}: {:.2}-{:.2} s, range {:.2} m, concentric {:.2} s at {:.2} m/s mean, {:.2} m/s peak\n",
                    rep.index + 1,
                    rep.start_s,
                    rep.end_s,
                    rep.range_of_motion_m,
                    rep.concentric_s,
                    rep.mean_concentric_velocity_mps,
                    rep.peak_concentric_velocity_mps
                );
                if !rep.phases.is_empty() {
                    let spans: Vec<String> = rep
                        .phases
                        .iter()
                        .map(|p| format!("{} {:.2}-{:.2}", p.phase.name(), p.start_s, p.end_s()))
                        .collect();
                    s += &format!("    phases (s): {}\n", spans.join(", "));
                }
                if rep.starts_before_clip {
                    s += "    began before the video: counted from its ascent\n";
                }
                if !rep.body_judged && !view.bar_only {
                    s += "    body not judged: the pose in this rep is wrong (see the note below); only the bar, the heels and a squat's depth were judged\n";
                }
                if rep.faults.is_empty() && !view.bar_only {
                    s += "    no faults flagged\n";
                }
                for n in &rep.not_checked {
                    s += &format!("    not checked: {} ({})\n", n.kind.title(), n.why);
                }
                for f in &rep.faults {
                    s += &format!(
                        "    {} ({}, confidence {:.0}%, {:.1}-{:.1} s, worst at {:.1} s): {}\n      cue: {}\n",
                        f.kind.title(),
                        f.severity.name(),
                        100.0 * f.confidence,
                        f.start_s,
                        f.end_s,
                        f.worst_s,
                        f.explanation,
                        f.cue
                    );
                }
            }
            if let Some(loss) = r.set.as_ref().and_then(|s| s.velocity_loss_pct) {
                s += &format!("  velocity loss across the set: {loss:.0}%\n");
            }
            if let Some(c) = r.set.as_ref().and_then(|s| s.consistency.as_ref()) {
                s += &consistency_lines(c);
            }
        }
    }
    for n in &r.notes {
        s += &format!("note: {n}\n");
    }
    s += "wrote:";
    for w in &a.written {
        s += &format!(" {}", w.display());
    }
    s += &format!("\n{}\n", r.disclaimer);
    s
}

/// The set's rep-to-rep comparison: what varied, with its cue, or that
/// the reps were alike and how closely.
fn consistency_lines(c: &liftlens::consistency::Consistency) -> String {
    let mut s = String::new();
    for m in c.varied() {
        s += &format!("  rep to rep: {}\n", m.sentence());
        if let Some(cue) = &m.cue {
            s += &format!("    cue: {cue}\n");
        }
    }
    let alike: Vec<String> = c
        .measures
        .iter()
        .filter(|m| !m.varied)
        .map(|m| format!("{} ({})", m.measure.title(), m.spread_text()))
        .collect();
    if !alike.is_empty() {
        s += &format!("  rep to rep alike (spread): {}\n", alike.join(", "));
    }
    s
}

fn run_one(cfg: &AnalyzeConfig, json: bool) -> Result<liftlens::report::Report, Error> {
    let a = pipeline::analyze(cfg, &Bar::new())?;
    if json {
        println!("{}", serde_json::to_string_pretty(&a.report).unwrap_or_default());
    } else {
        print!("{}", summary(&a));
    }
    Ok(a.report)
}

/// Batch mode: every video in `dir`, each into its own folder; a failure is
/// reported and the rest go on. Exit code: the first failure's.
fn run_batch(dir: &Path, cfg: &AnalyzeConfig, json: bool) -> Result<i32, Error> {
    let mut videos: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| Error::Usage(format!("cannot list {}: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| cli::is_video_file(p))
        .collect();
    videos.sort();
    if videos.is_empty() {
        return Err(Error::Usage(format!(
            "no videos in {} (looked for {})",
            dir.display(),
            cli::VIDEO_EXTENSIONS.join(", ")
        )));
    }
    let mut first_failure = 0;
    // Per video: where it is, its output folder's name, and its report or
    // why it failed. batch.json and index.html are both written from it.
    let mut outcomes: Vec<(PathBuf, String, Result<liftlens::report::Report, String>)> = Vec::new();
    for v in &videos {
        let stem = v.file_stem().and_then(|s| s.to_str()).unwrap_or("video");
        let mut one = cfg.clone();
        one.video = Some(v.clone());
        one.out_dir = cfg.out_dir.join(stem);
        eprintln!("== {}", v.display());
        let result = run_one(&one, json).map_err(|e| {
            eprintln!("error: {e}");
            if first_failure == 0 {
                first_failure = e.exit_code();
            }
            e.to_string()
        });
        outcomes.push((v.clone(), stem.to_string(), result));
        // Rewritten after every video so an interrupted batch keeps its index.
        let rows: Vec<serde_json::Value> = outcomes
            .iter()
            .map(|(video, folder, result)| match result {
                Ok(_) => serde_json::json!({"video": video, "out": cfg.out_dir.join(folder), "ok": true}),
                Err(e) => serde_json::json!({"video": video, "ok": false, "error": e}),
            })
            .collect();
        liftlens::report::write_json(&cfg.out_dir.join("batch.json"), &rows)?;
        let entries: Vec<BatchEntry> = outcomes
            .iter()
            .map(|(video, folder, result)| BatchEntry {
                video,
                folder,
                result: result.as_ref().map_err(String::as_str),
            })
            .collect();
        let index = liftlens::report::html::batch_index(&entries);
        liftlens::report::write_atomic(&cfg.out_dir.join("index.html"), index.as_bytes())?;
    }
    let failed = outcomes.iter().filter(|o| o.2.is_err()).count();
    eprintln!(
        "batch: {} analysed, {} failed; open {} (index also in batch.json)",
        videos.len() - failed,
        failed,
        cfg.out_dir.join("index.html").display()
    );
    Ok(first_failure)
}

fn run(cli: Cli) -> Result<i32, Error> {
    match cli.command {
        Command::Analyze(args) => {
            let cfg = args.resolve()?;
            match &cfg.video {
                Some(dir) if dir.is_dir() => {
                    liftlens::report::prepare_output_dir(&cfg.out_dir)?;
                    run_batch(dir, &cfg, args.json)
                }
                _ => run_one(&cfg, args.json).map(|_| 0),
            }
        }
        Command::Score(args) => {
            let s = score::score_dir(&args.out_dir, &args.truth)?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&s).unwrap_or_default());
            } else {
                print!("{}", score::table(&[s]));
            }
            Ok(0)
        }
        Command::ScoreAll(args) => score::score_all(&args.samples, &args.out, args.model, args.json, &Bar::new()),
        Command::Bench(args) => bench::run(&args.video, &args.stage, args.model, args.backend),
    }
}

fn main() -> ExitCode {
    // FFmpeg's own log lines ("moov atom not found") would come before, and
    // say less than, liftlens's message on an unreadable file: keep only
    // its fatal ones, unless the user asked for more.
    if std::env::var_os("OPENCV_FFMPEG_LOGLEVEL").is_none() {
        std::env::set_var("OPENCV_FFMPEG_LOGLEVEL", "8");
    }
    let cli = Cli::parse();
    match run(cli) {
        Ok(0) => ExitCode::SUCCESS,
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
