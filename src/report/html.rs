//! report.html: the report a lifter or coach looks at rather than reads.
//! One file with no scripts, fonts or styles from the web, so it opens
//! offline and travels with its folder; the charts are inline SVG drawn
//! here (bar path, bar height and speed, torso, hip and knee angles over
//! time, speed per rep). It shows the worst-frame pictures in `frames/` and
//! plays `annotated.mp4` when they were written beside it.

use std::fmt::Write as _;

use super::Report;
use crate::bar::{BarFrame, BarSource};
use crate::faults::{Fault, Severity};
use crate::reps::{Lift, Phase, PhaseSpan, Rep, ViewVerdict};

/// Per-frame curves in the canonical frame (metres with y up and x towards
/// the toes, degrees), one entry per video frame.
pub struct Curves<'a> {
    pub times: &'a [f64],
    pub bar: &'a [Option<BarFrame>],
    /// Hip-to-shoulder line from vertical, + leaning towards the toes.
    pub torso_deg: &'a [Option<f64>],
    /// Shoulder-hip-knee and hip-knee-ankle angles (180 = straight).
    pub hip_deg: &'a [Option<f64>],
    pub knee_deg: &'a [Option<f64>],
    /// Hip joint above the knee joint (m, negative = below): squat depth.
    pub hip_above_knee_m: &'a [Option<f64>],
    /// x = 0 is the midfoot (the heel and toe were seen).
    pub midfoot_known: bool,
}

/// Files beside report.html that it shows, as relative paths.
#[derive(Default)]
pub struct Media {
    pub video: Option<String>,
    /// Per fault, in report order (reps, then each rep's faults), its
    /// worst-frame picture when one was written.
    pub fault_frames: Vec<Option<String>>,
}

const REP_COLOURS: [&str; 6] = ["#1f77b4", "#d95f02", "#2ca02c", "#7b3294", "#e7298a", "#8c6d31"];
const GREY: &str = "#b8b8b8";

fn severity_colour(s: Severity) -> &'static str {
    match s {
        Severity::Minor => "#e6a700",
        Severity::Moderate => "#e8590c",
        Severity::Major => "#c92a2a",
    }
}

fn rep_colour(index: usize) -> &'static str {
    REP_COLOURS[index % REP_COLOURS.len()]
}

/// One colour per phase, the same in the reps table and on the charts.
fn phase_colour(p: Phase) -> &'static str {
    match p {
        Phase::Setup => "#ced4da",
        Phase::Eccentric => "#74c0fc",
        Phase::Bottom | Phase::Floor => "#ffa94d",
        Phase::Concentric => "#51cf66",
        Phase::Lockout => "#b197fc",
    }
}

/// Width of the longest rep's phase strip in the reps table.
const PHASE_STRIP_PX: f64 = 150.0;

/// The key to `phase_colour`, for captions.
const PHASE_KEY: &str =
    "grey setup, blue down (eccentric), orange bottom or floor, green up (concentric), purple top (lockout)";

/// A rep's phases less a first rep's setup (it is not the lift).
fn lift_phases(r: &Rep) -> impl Iterator<Item = &PhaseSpan> {
    r.phases.iter().filter(|p| p.phase != Phase::Setup)
}

/// The time `lift_phases` cover.
fn lift_s(r: &Rep) -> f64 {
    lift_phases(r).map(|p| p.duration_s).sum()
}

/// A rep's phases as a strip of coloured blocks as long as each phase, on
/// one time scale for the set (the longest rep `longest_s` fills the cell)
/// so slower reps show longer, with their durations under it.
fn phase_strip(r: &Rep, longest_s: f64) -> String {
    let total = lift_s(r);
    if total <= 0.0 || longest_s <= 0.0 {
        return "–".into();
    }
    let mut h = format!(
        "<div class=\"phases\" style=\"width:{:.0}px\">",
        PHASE_STRIP_PX * total / longest_s
    );
    for p in lift_phases(r) {
        let _ = write!(
            h,
            "<span style=\"flex:{:.3};background:{}\" title=\"{} {:.2} s\"></span>",
            p.duration_s / total,
            phase_colour(p.phase),
            p.phase.name(),
            p.duration_s
        );
    }
    h += "</div>";
    let words: Vec<String> = lift_phases(r)
        .map(|p| format!("{} {:.1}", p.phase.plain(), p.duration_s))
        .collect();
    let _ = write!(h, "<div class=\"hint\">{} s</div>", words.join(" · "));
    h
}

/// Text for HTML element content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn opt(v: Option<f64>, digits: usize, unit: &str) -> String {
    // A value that rounds to zero reads 0, not -0.
    let zero = 0.5 * 10f64.powi(-(digits as i32));
    v.map_or("–".to_string(), |v| {
        let v = if v.abs() < zero { 0.0 } else { v };
        format!("{v:.digits$}{unit}")
    })
}

/// The whole page.
pub fn render(report: &Report, curves: &Curves, media: &Media) -> String {
    let mut h = String::with_capacity(64 * 1024);
    let name = report
        .video
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| report.video.path.display().to_string());
    let judged = report.view.as_ref().is_some_and(|v| v.judgeable);
    // Reps counted and the bar measured, from the plate alone.
    let bar_only = report.view.as_ref().is_some_and(|v| v.bar_only);
    let counted = report.view.as_ref().is_some_and(ViewVerdict::reps_counted);
    let title = match (report.lift, counted) {
        (Some(l), true) => format!(
            "{} · {} rep{}{}",
            lift_title(l),
            report.reps.len(),
            if report.reps.len() == 1 { "" } else { "s" },
            if bar_only { " · technique not judged" } else { "" }
        ),
        _ => "Not judged".to_string(),
    };
    let _ = writeln!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} – {}</title><style>{STYLE}</style></head><body>",
        esc(&name),
        esc(&title)
    );
    let _ = writeln!(
        h,
        "<header><h1>{}</h1><p class=\"sub\">{} · {}×{} · {:.1} s at {:.0} fps · facing {}{} · liftlens {}</p></header>",
        esc(&title),
        esc(&name),
        report.video.width,
        report.video.height,
        report.video.duration_s,
        report.video.fps,
        report.facing.name(),
        if report.facing_doubt.is_some() { " (in doubt)" } else { "" },
        esc(&report.liftlens_version)
    );
    if let Some(v) = report.view.as_ref().filter(|v| !v.judgeable) {
        let _ = writeln!(
            h,
            "<section class=\"callout\"><h2>{}</h2><p>{}</p></section>",
            if bar_only {
                "The technique was not judged"
            } else {
                "This video cannot be judged"
            },
            esc(v.advice.as_deref().unwrap_or("no lift was found in this video"))
        );
    }
    if counted {
        h += &cards(report, judged);
    }
    if let Some(video) = &media.video {
        let _ = writeln!(
            h,
            "<section><video id=\"clip\" src=\"{}\" controls preload=\"metadata\"></video></section>",
            esc(video)
        );
    }
    if judged {
        h += &faults_section(report, media);
    }
    if counted {
        h += &reps_table(report);
        h += &consistency_section(report);
        h += "<section><h2>Charts</h2>\n";
        h += &bar_path_chart(report, curves);
        h += &time_charts(report, curves);
        h += &rep_speed_chart(report);
        h += "</section>\n";
    }
    h += &measurement_section(report);
    let _ = writeln!(h, "<footer>{}</footer>", esc(&report.disclaimer));
    if media.video.is_some() {
        // The one script: a fault's "watch" button seeks the video.
        h += "<script>function seek(t){var v=document.getElementById('clip');v.currentTime=t;v.play();v.scrollIntoView({behavior:'smooth'});}</script>\n";
    }
    h += "</body></html>\n";
    h
}

fn lift_title(l: Lift) -> &'static str {
    match l {
        Lift::Squat => "Squat",
        Lift::Deadlift => "Deadlift",
    }
}

fn all_faults(report: &Report) -> impl Iterator<Item = &Fault> {
    report.reps.iter().flat_map(|r| &r.faults)
}

/// The headline numbers, one card each; the flag counts only where the
/// technique was `judged`.
fn cards(report: &Report, judged: bool) -> String {
    let mut h = String::from("<section class=\"cards\">\n");
    let back = all_faults(report).filter(|f| f.kind.is_back_loading()).count();
    let other = all_faults(report).count() - back;
    // A zero is only good news where the body was judged.
    let zero = if report.reps.iter().any(|r| !r.body_judged) {
        ""
    } else {
        "ok"
    };
    let card = |h: &mut String, value: String, label: &str, class: &str| {
        let _ = writeln!(
            h,
            "<div class=\"card {class}\"><div class=\"value\">{value}</div><div class=\"label\">{}</div></div>",
            esc(label)
        );
    };
    card(&mut h, report.reps.len().to_string(), "reps", "");
    if judged {
        card(
            &mut h,
            back.to_string(),
            "flags that load the back",
            if back > 0 { "warn" } else { zero },
        );
        card(
            &mut h,
            other.to_string(),
            "other flags",
            if other > 0 { "note" } else { zero },
        );
    }
    if let Some(best) = report
        .reps
        .iter()
        .map(|r| r.mean_concentric_velocity_mps)
        .max_by(|a, b| a.total_cmp(b))
    {
        card(&mut h, format!("{best:.2} m/s"), "fastest rep (mean concentric)", "");
    }
    if let Some(loss) = report.set.as_ref().and_then(|s| s.velocity_loss_pct) {
        card(&mut h, format!("{loss:.0} %"), "velocity loss across the set", "");
    }
    h += "</section>\n";
    h
}

fn faults_section(report: &Report, media: &Media) -> String {
    let mut h = String::from("<section><h2>What to work on</h2>\n");
    let unjudged: Vec<String> = report
        .reps
        .iter()
        .filter(|r| !r.body_judged)
        .map(|r| (r.index + 1).to_string())
        .collect();
    if !unjudged.is_empty() {
        // "No faults" must not read as a clean bill where the body could
        // not be judged.
        let why = report
            .facing_doubt
            .as_deref()
            .map_or(String::new(), |w| format!(": {w}"));
        let _ = writeln!(
            h,
            "<p class=\"callout\">The body was not judged in rep{} {} of {}{}; only the bar{} was. See how it was measured, below.</p>",
            if unjudged.len() > 1 { "s" } else { "" },
            unjudged.join(", "),
            report.reps.len(),
            esc(&why),
            if report.lift == Some(crate::reps::Lift::Squat) && report.facing_doubt.is_none() {
                " (with the depth where the hip and knee still form a leg)"
            } else {
                ""
            }
        );
    } else if all_faults(report).next().is_none() {
        h += "<p class=\"good\">No faults flagged in this set.</p>\n";
    }
    for (k, f) in all_faults(report).enumerate() {
        let colour = severity_colour(f.severity);
        let _ = write!(
            h,
            "<article class=\"fault\" style=\"border-left-color:{colour}\"><div class=\"text\">\
             <h3>{} <span class=\"chip\" style=\"background:{colour}\">{}</span></h3>\
             <p class=\"meta\">rep {} · {:.1}–{:.1} s, worst at {:.1} s · measured {} (flagged from {}) · confidence {:.0} %{}</p>\
             <p>{}</p><p class=\"cue\"><b>Cue:</b> {}</p>",
            esc(f.kind.title()),
            f.severity.name(),
            f.rep + 1,
            f.start_s,
            f.end_s,
            f.worst_s,
            esc(&value_with_unit(f.value, &f.unit)),
            esc(&value_with_unit(f.threshold, &f.unit)),
            100.0 * f.confidence,
            f.region
                .as_deref()
                .map_or(String::new(), |r| format!(" · {}", esc(r))),
            esc(&f.explanation),
            esc(&f.cue)
        );
        if media.video.is_some() {
            let _ = write!(h, "<button onclick=\"seek({:.2})\">watch</button>", f.start_s);
        }
        h += "</div>";
        if let Some(Some(pic)) = media.fault_frames.get(k) {
            let _ = write!(
                h,
                "<a href=\"{0}\"><img src=\"{0}\" alt=\"worst frame of {1} in rep {2}\" loading=\"lazy\"></a>",
                esc(pic),
                esc(f.kind.title()),
                f.rep + 1
            );
        }
        h += "</article>\n";
    }
    // A check a rep could not get is not a clean bill: say which, once per
    // kind and reason, with the reps.
    let mut unchecked: Vec<(crate::faults::FaultKind, &str, Vec<String>)> = Vec::new();
    for r in &report.reps {
        for n in &r.not_checked {
            match unchecked.iter_mut().find(|(k, why, _)| *k == n.kind && *why == n.why) {
                Some((_, _, reps)) => reps.push((r.index + 1).to_string()),
                None => unchecked.push((n.kind, &n.why, vec![(r.index + 1).to_string()])),
            }
        }
    }
    for (kind, why, reps) in unchecked {
        let _ = writeln!(
            h,
            "<p class=\"hint\">Not checked: <b>{}</b> on rep{} {}: {}.</p>",
            esc(kind.title()),
            if reps.len() > 1 { "s" } else { "" },
            reps.join(", "),
            esc(why)
        );
    }
    h += "</section>\n";
    h
}

/// A value as a person reads it: metres as cm, shares as percent.
fn value_with_unit(v: f64, unit: &str) -> String {
    match unit {
        "m" => crate::faults::cm_text(v),
        "deg" => format!("{v:.0}°"),
        u if u.starts_with("share") => format!("{:.0} % {}", 100.0 * v, &u["share".len()..].trim()),
        "ratio" => format!("{v:.2}×"),
        "torso lengths" => format!("{:.0} % of torso length", 100.0 * v),
        u => format!("{v:.2} {u}"),
    }
}

fn reps_table(report: &Report) -> String {
    let squat = report.lift == Some(Lift::Squat);
    let mut h = String::from("<section><h2>Reps</h2><div class=\"scroll\"><table>\n<tr><th>rep</th><th>time</th><th>range</th><th>mean speed up</th><th>peak speed up</th><th>phases</th>");
    h += if squat {
        "<th>torso at the bottom</th>"
    } else {
        "<th>torso off the floor</th>"
    };
    h += "<th>torso at the top</th><th>bar ahead of midfoot</th>";
    if squat {
        h += "<th>hip above knee</th>";
    }
    h += "<th>flags</th></tr>\n";
    let longest_s = report.reps.iter().map(lift_s).fold(0.0, f64::max);
    for r in &report.reps {
        let _ = write!(
            h,
            "<tr><td><span class=\"dot\" style=\"background:{}\"></span>{}</td><td>{:.1}–{:.1} s</td><td>{:.0} cm</td><td>{:.2} m/s</td><td>{:.2} m/s</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
            rep_colour(r.index),
            r.index + 1,
            r.start_s,
            r.end_s,
            100.0 * r.range_of_motion_m,
            r.mean_concentric_velocity_mps,
            r.peak_concentric_velocity_mps,
            phase_strip(r, longest_s),
            opt(r.torso_angle_bottom_deg, 0, "°"),
            opt(r.torso_angle_lockout_deg, 0, "°"),
            opt(r.max_bar_ahead_of_midfoot_m.map(|m| 100.0 * m), 0, " cm"),
        );
        if squat {
            h += &format!(
                "<td>{}</td>",
                opt(r.hip_above_knee_at_bottom_m.map(|m| 100.0 * m), 0, " cm")
            );
        }
        h += "<td>";
        if r.starts_before_clip {
            h += "<span class=\"chip muted\">began before the video</span> ";
        }
        if !r.body_judged {
            h += "<span class=\"chip muted\">body not judged</span> ";
        }
        for n in &r.not_checked {
            let _ = write!(
                h,
                "<span class=\"chip muted\" title=\"{}\">not checked: {}</span> ",
                esc(&n.why),
                esc(n.kind.title())
            );
        }
        for f in &r.faults {
            let _ = write!(
                h,
                "<span class=\"chip\" style=\"background:{}\">{}</span> ",
                severity_colour(f.severity),
                esc(f.kind.title())
            );
        }
        h += "</td></tr>\n";
    }
    let _ = writeln!(
        h,
        "</table></div><p class=\"hint\">Torso angles are the hip-to-shoulder line from vertical (0° upright, + leaning forward). Speeds are of the bar going up. Phases run from where the bar starts moving that way to where it stops: {PHASE_KEY}.</p></section>"
    );
    h
}

/// The set's rep-to-rep comparison: each measure's value per rep, its
/// spread against the profile's limit, and a cue for what varied.
fn consistency_section(report: &Report) -> String {
    use crate::consistency::Measure;
    let Some(c) = report.set.as_ref().and_then(|s| s.consistency.as_ref()) else {
        return String::new();
    };
    let mut h = String::from("<section><h2>Rep to rep</h2><div class=\"scroll\"><table>\n<tr><th></th>");
    for r in &report.reps {
        let _ = write!(h, "<th>rep {}</th>", r.index + 1);
    }
    h += "<th>spread</th><th></th></tr>\n";
    for m in &c.measures {
        let _ = write!(
            h,
            "<tr{}><td>{}</td>",
            if m.varied { " class=\"varied\"" } else { "" },
            esc(m.measure.title())
        );
        for r in &report.reps {
            let v = m.values.iter().find(|v| v.0 == r.index).map(|v| v.1);
            let cell = match m.measure {
                Measure::RangeOfMotion | Measure::StartPosition | Measure::BarPath => {
                    opt(v.map(|m| 100.0 * m), 0, " cm")
                }
                Measure::SetupTorso => opt(v, 0, "°"),
                Measure::Descent => opt(v, 1, " s"),
            };
            let _ = write!(h, "<td>{cell}</td>");
        }
        let _ = writeln!(
            h,
            "<td>{}</td><td>{}</td></tr>",
            esc(&m.spread_text()),
            if m.varied { "varied" } else { "alike" }
        );
    }
    h += "</table></div>\n";
    for m in c.varied() {
        let _ = writeln!(
            h,
            "<p class=\"callout\">{}. <b>Cue:</b> {}</p>",
            esc(&capitalised(&m.sentence())),
            esc(m.cue.as_deref().unwrap_or(""))
        );
    }
    h += "<p class=\"hint\">Each measure compared across the reps: range of motion, start position (where the bar sat when the rep began) and descent time leave out a rep that began before the video; start position and bar path (the bar's furthest point ahead of the midfoot) need the plate; the setup torso angle is a deadlift's, at the start of each pull. A measure is called varied when its spread passes the profile's limit (<code>[consistency]</code>).</p></section>\n";
    h
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn measurement_section(report: &Report) -> String {
    let mut h = String::from("<section class=\"small\"><h2>How this was measured</h2><ul>\n");
    let _ = writeln!(
        h,
        "<li>Body: BlazePose {} ({}); lifter found on {:.0} % of frames.</li>",
        esc(&report.model),
        esc(&report.backend),
        100.0 * report.pose_coverage
    );
    if let Some(b) = &report.bar {
        let source = match b.source {
            BarSource::Plate => format!(
                "the near plate, measured on {:.0} % of frames and bridged on {:.0} %",
                100.0 * b.measured_share,
                100.0 * (b.interpolated_share + b.stand_in_share)
            ),
            BarSource::Hands => "the hands (no plate could be tracked)".into(),
            BarSource::Shoulders => "the shoulders (no plate could be tracked)".into(),
        };
        let scale = match b.scale.source.as_str() {
            "plate" => format!("the {:.0} mm plate", b.scale.plate_mm),
            _ => "the lifter's height".into(),
        };
        let _ = writeln!(
            h,
            "<li>Bar: {source}. Scale {:.2} mm per pixel from {scale}.{}{}{}</li>",
            1000.0 * b.scale.metres_per_px,
            b.scale
                .vertical_metres_per_px
                .map_or(String::new(), |[top, bottom]| format!(
                    " The camera looks down or up at the plate, which changes size with its height, so heights are \
                 scaled row by row: {:.2} mm per pixel at the top of the bar's path, {:.2} at the bottom.",
                    1000.0 * top,
                    1000.0 * bottom
                )),
            b.scale
                .turn_deg()
                .map_or(String::new(), |y| format!(" Camera about {y:.0}° off side-on.")),
            b.scale
                .tilt_deg()
                .map_or(String::new(), |t| format!(" Camera tilted about {t:.0}° from level."))
        );
    }
    for n in &report.notes {
        let _ = writeln!(h, "<li>{}</li>", esc(n));
    }
    h += "</ul></section>\n";
    h
}

/// One video of a batch, for the folder's index page.
pub struct BatchEntry<'a> {
    pub video: &'a std::path::Path,
    /// Its output folder, relative to the index.
    pub folder: &'a str,
    /// The analysis, or why it failed.
    pub result: std::result::Result<&'a Report, &'a str>,
}

/// index.html of a batch: a row per video with its lift, reps and flags,
/// linking each video's report.html, so a coach sees at a glance which
/// clips need a look.
pub fn batch_index(entries: &[BatchEntry]) -> String {
    let mut h = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>liftlens: {} videos</title><style>{STYLE}</style></head><body>\n\
         <header><h1>{} videos</h1></header>\n<section><div class=\"scroll\"><table>\n\
         <tr><th>video</th><th>lift</th><th>reps</th><th>flags</th></tr>\n",
        entries.len(),
        entries.len()
    );
    let mut disclaimer = None;
    for e in entries {
        let name = e
            .video
            .file_name()
            .map_or_else(|| e.video.display().to_string(), |n| n.to_string_lossy().into_owned());
        match e.result {
            Ok(r) => {
                disclaimer = Some(&r.disclaimer);
                let judged = r.view.as_ref().is_some_and(|v| v.judgeable);
                let counted = r.view.as_ref().is_some_and(ViewVerdict::reps_counted);
                let _ = write!(
                    h,
                    "<tr><td><a href=\"{}/report.html\">{}</a></td><td>{}{}</td><td>{}</td><td>",
                    esc(e.folder),
                    esc(&name),
                    match (r.lift, counted) {
                        (Some(l), true) => lift_title(l),
                        _ => "not judged",
                    },
                    if counted && !judged {
                        " (technique not judged)"
                    } else {
                        ""
                    },
                    if counted {
                        r.reps.len().to_string()
                    } else {
                        "–".into()
                    }
                );
                for f in all_faults(r) {
                    let _ = write!(
                        h,
                        "<span class=\"chip\" style=\"background:{}\">rep {}: {}</span> ",
                        severity_colour(f.severity),
                        f.rep + 1,
                        esc(f.kind.title())
                    );
                }
                // What varied from rep to rep, beside the flags: a set-level
                // observation, so in grey.
                let varied: Vec<_> = r
                    .set
                    .iter()
                    .filter(|_| judged)
                    .filter_map(|s| s.consistency.as_ref())
                    .flat_map(|c| c.varied())
                    .collect();
                for m in &varied {
                    let _ = write!(
                        h,
                        "<span class=\"chip muted\">rep to rep: {} varied</span> ",
                        esc(m.measure.title())
                    );
                }
                if judged && all_faults(r).next().is_none() && varied.is_empty() {
                    h += "none";
                }
                h += "</td></tr>\n";
            }
            Err(why) => {
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td colspan=\"3\" class=\"failed\">not analysed: {}</td></tr>",
                    esc(&name),
                    esc(why)
                );
            }
        }
    }
    h += "</table></div></section>\n";
    if let Some(d) = disclaimer {
        let _ = writeln!(h, "<footer>{}</footer>", esc(d));
    }
    h += "</body></html>\n";
    h
}

// ---- charts -------------------------------------------------------------

/// A plot area: data ranges mapped onto an SVG box (y up in the data).
struct Plot {
    w: f64,
    h: f64,
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    x: (f64, f64),
    y: (f64, f64),
}

impl Plot {
    fn px(&self, x: f64) -> f64 {
        self.left + (x - self.x.0) / (self.x.1 - self.x.0) * (self.w - self.left - self.right)
    }
    fn py(&self, y: f64) -> f64 {
        self.h - self.bottom - (y - self.y.0) / (self.y.1 - self.y.0) * (self.h - self.top - self.bottom)
    }

    /// The figure's heading and legend (HTML, so they wrap on a narrow
    /// chart), then the SVG element.
    fn open(&self, title: &str, legend: &[(&str, &str, bool)]) -> String {
        let mut s = format!("<figure><div class=\"fighead\"><b>{}</b>", esc(title));
        for (name, colour, dashed) in legend {
            let style = if *dashed { "dashed" } else { "solid" };
            let _ = write!(
                s,
                "<span class=\"key\"><i style=\"border-top:3px {style} {colour}\"></i>{}</span>",
                esc(name)
            );
        }
        let _ = write!(
            s,
            "</div><svg viewBox=\"0 0 {:.0} {:.0}\" width=\"{:.0}\" role=\"img\" aria-label=\"{}\">",
            self.w,
            self.h,
            self.w,
            esc(title)
        );
        s
    }

    /// Grid lines and labelled ticks on the value axis, and its unit.
    fn y_axis(&self, label: &str) -> String {
        let mut s = String::new();
        for t in ticks(self.y.0, self.y.1, 5) {
            let y = self.py(t);
            grid_tick(
                &mut s,
                (self.left, y),
                (self.w - self.right, y),
                (self.left - 4.0, y + 4.0),
                "end",
                t,
            );
        }
        let _ = write!(
            s,
            "<text x=\"4\" y=\"{:.1}\" class=\"axis\">{}</text>",
            self.top - 4.0,
            esc(label)
        );
        s
    }

    /// Both axes with grid lines, ticks and units.
    fn axes(&self, x_label: &str, y_label: &str) -> String {
        let mut s = self.y_axis(y_label);
        for t in ticks(self.x.0, self.x.1, 8) {
            let x = self.px(t);
            let bottom = self.h - self.bottom;
            grid_tick(&mut s, (x, self.top), (x, bottom), (x, bottom + 14.0), "middle", t);
        }
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"axis\" text-anchor=\"end\">{}</text>",
            self.w - self.right,
            self.h - 2.0,
            esc(x_label)
        );
        s
    }

    /// A path through the points; `None` breaks the line.
    fn path(&self, points: impl Iterator<Item = Option<(f64, f64)>>, colour: &str, dashed: bool) -> String {
        let mut d = String::new();
        let mut pen_down = false;
        for p in points {
            match p {
                Some((x, y)) => {
                    let _ = write!(
                        d,
                        "{}{:.1},{:.1}",
                        if pen_down { "L" } else { "M" },
                        self.px(x),
                        self.py(y)
                    );
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        if d.is_empty() {
            return d;
        }
        let dash = if dashed { " stroke-dasharray=\"5 4\"" } else { "" };
        format!(
            "<path d=\"{d}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" stroke-linejoin=\"round\"{dash}/>"
        )
    }
}

/// Round tick values (1, 2 or 5 x 10^k apart) inside [lo, hi].
fn ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    if !lo.is_finite() || !hi.is_finite() || hi <= lo {
        return Vec::new();
    }
    let raw = (hi - lo) / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// One grid line from `a` to `b` and the tick value `t` written at `at`.
fn grid_tick(s: &mut String, a: (f64, f64), b: (f64, f64), at: (f64, f64), anchor: &str, t: f64) {
    let _ = write!(
        s,
        "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" class=\"grid\"/><text x=\"{:.1}\" y=\"{:.1}\" class=\"tick\" text-anchor=\"{anchor}\">{}</text>",
        a.0,
        a.1,
        b.0,
        b.1,
        at.0,
        at.1,
        tick_label(t)
    );
}

fn tick_label(t: f64) -> String {
    let t = if t.abs() < 1e-9 { 0.0 } else { t };
    if t.fract().abs() < 1e-9 {
        format!("{t:.0}")
    } else if (t * 10.0).fract().abs() < 1e-6 {
        format!("{t:.1}")
    } else {
        format!("{t:.2}")
    }
}

/// Range of the values with a little room, never empty.
fn padded_range(values: impl Iterator<Item = f64>, pad_share: f64, min_span: f64) -> Option<(f64, f64)> {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if !lo.is_finite() {
        return None;
    }
    let span = (hi - lo).max(min_span);
    let mid = (hi + lo) / 2.0;
    Some((mid - span * (0.5 + pad_share), mid + span * (0.5 + pad_share)))
}

/// Rep bands (grey, labelled) and fault bands (severity colour, with a
/// tooltip) behind a time chart.
fn time_bands(plot: &Plot, report: &Report) -> String {
    let mut s = String::new();
    let (y0, y1) = (plot.top, plot.h - plot.bottom);
    for r in &report.reps {
        let (a, b) = (plot.px(r.start_s), plot.px(r.end_s));
        let _ = write!(
            s,
            "<rect x=\"{a:.1}\" y=\"{y0:.1}\" width=\"{:.1}\" height=\"{:.1}\" class=\"rep\"/><text x=\"{:.1}\" y=\"{:.1}\" class=\"replabel\" fill=\"{}\">rep {}</text>",
            (b - a).max(1.0),
            y1 - y0,
            a + 3.0,
            y0 + 12.0,
            rep_colour(r.index),
            r.index + 1
        );
    }
    for f in all_faults(report) {
        let (a, b) = (plot.px(f.start_s), plot.px(f.end_s));
        let _ = write!(
            s,
            "<rect x=\"{a:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"6\" fill=\"{}\"><title>{} (rep {}, {})</title></rect>",
            y1 - 6.0,
            (b - a).max(2.0),
            severity_colour(f.severity),
            esc(f.kind.title()),
            f.rep + 1,
            f.severity.name()
        );
    }
    s
}

/// Every rep's phases as blocks along the top of a time plot.
fn phase_bands(plot: &Plot, report: &Report) -> String {
    let mut s = String::new();
    for p in report.reps.iter().flat_map(|r| &r.phases) {
        let (a, b) = (plot.px(p.start_s), plot.px(p.end_s()));
        let _ = write!(
            s,
            "<rect x=\"{a:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"5\" fill=\"{}\"><title>{} {:.2} s</title></rect>",
            plot.top,
            (b - a).max(1.0),
            phase_colour(p.phase),
            p.phase.name(),
            p.duration_s
        );
    }
    s
}

fn time_plot(curves: &Curves, y: (f64, f64), height: f64) -> Option<Plot> {
    let (&t0, &t1) = (curves.times.first()?, curves.times.last()?);
    (t1 > t0).then_some(Plot {
        w: 760.0,
        h: height,
        left: 48.0,
        right: 12.0,
        top: 16.0,
        bottom: 30.0,
        x: (t0, t1),
        y,
    })
}

/// The bar's path as the camera saw it, one colour per rep, equal scale on
/// both axes; bridged stretches dashed.
fn bar_path_chart(report: &Report, curves: &Curves) -> String {
    let pts: Vec<(usize, BarFrame)> = curves
        .bar
        .iter()
        .enumerate()
        .filter_map(|(i, b)| Some((i, (*b)?)))
        .collect();
    if pts.is_empty() {
        return String::new();
    }
    let xs = pts.iter().map(|p| p.1.x_m).chain(curves.midfoot_known.then_some(0.0));
    let Some((mut x0, mut x1)) = padded_range(xs, 0.1, 0.1) else {
        return String::new();
    };
    let Some((y0, y1)) = padded_range(pts.iter().map(|p| p.1.y_m), 0.05, 0.2) else {
        return String::new();
    };
    // Equal metres per pixel on both axes.
    let (plot_h, max_w, min_w) = (380.0, 700.0, 260.0);
    let ppm = (plot_h / (y1 - y0)).min(max_w / (x1 - x0));
    let plot_w = ((x1 - x0) * ppm).max(min_w);
    let extra = (plot_w / ppm - (x1 - x0)) / 2.0;
    (x0, x1) = (x0 - extra, x1 + extra);
    let plot = Plot {
        w: plot_w + 60.0,
        h: (y1 - y0) * ppm + 60.0,
        left: 48.0,
        right: 12.0,
        top: 16.0,
        bottom: 30.0,
        x: (x0, x1),
        y: (y0, y1),
    };
    let mut legend: Vec<(String, &str, bool)> = report
        .reps
        .iter()
        .map(|r| (format!("rep {}", r.index + 1), rep_colour(r.index), false))
        .collect();
    legend.push(("bridged".into(), GREY, true));
    let legend_ref: Vec<(&str, &str, bool)> = legend.iter().map(|(n, c, d)| (n.as_str(), *c, *d)).collect();
    let mut s = plot.open("Bar path (side view, lifter facing right)", &legend_ref);
    s += &plot.axes("m forward", "m up");
    if curves.midfoot_known {
        let x = plot.px(0.0);
        let _ = write!(
            s,
            "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" class=\"midfoot\"/><text x=\"{:.1}\" y=\"{:.1}\" class=\"tick\">midfoot</text>",
            plot.top,
            plot.h - plot.bottom,
            x + 3.0,
            plot.h - plot.bottom - 4.0
        );
    }
    let rep_of = |i: usize| report.reps.iter().find(|r| (r.start_frame..=r.end_frame).contains(&i));
    // Outside the reps (walkout, setup) in grey underneath.
    s += &plot.path(
        curves
            .bar
            .iter()
            .enumerate()
            .map(|(i, b)| b.filter(|_| rep_of(i).is_none()).map(|b| (b.x_m, b.y_m))),
        GREY,
        false,
    );
    for r in &report.reps {
        s += &rep_path(&plot, curves, r);
    }
    s += "</svg><figcaption>Each rep's bar path: a circle marks where it starts, a square the ";
    s += if report.lift == Some(Lift::Squat) {
        "bottom"
    } else {
        "lockout"
    };
    s += ". A straight vertical line over the midfoot is the most efficient path; a path that bows forward loads the lower back.</figcaption></figure>\n";
    s
}

/// One rep's path: measured stretches solid, bridged ones dashed, each
/// stretch sharing its end point with the next so the line is unbroken.
fn rep_path(plot: &Plot, curves: &Curves, r: &Rep) -> String {
    let colour = rep_colour(r.index);
    let mut s = String::new();
    let frames: Vec<(usize, BarFrame)> = (r.start_frame..=r.end_frame)
        .filter_map(|i| Some((i, curves.bar.get(i).copied().flatten()?)))
        .collect();
    let mut k = 0;
    while k < frames.len() {
        let measured = frames[k].1.measured;
        let mut e = k;
        while e + 1 < frames.len() && frames[e + 1].1.measured == measured && frames[e + 1].0 == frames[e].0 + 1 {
            e += 1;
        }
        let end = (e + 1).min(frames.len() - 1);
        s += &plot.path(
            frames[k..=end].iter().map(|(_, b)| Some((b.x_m, b.y_m))),
            colour,
            !measured,
        );
        k = e + 1;
    }
    let mark = |i: usize| curves.bar.get(i).copied().flatten();
    if let Some(b) = mark(r.start_frame) {
        let _ = write!(
            s,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"5\" fill=\"white\" stroke=\"{colour}\" stroke-width=\"2\"/>",
            plot.px(b.x_m),
            plot.py(b.y_m)
        );
    }
    if let Some(b) = mark(r.key_frame) {
        let _ = write!(
            s,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"9\" height=\"9\" fill=\"{colour}\"/>",
            plot.px(b.x_m) - 4.5,
            plot.py(b.y_m) - 4.5
        );
    }
    s
}

/// A chart of curves against time: each line is a name, a colour and
/// per-frame values; the value axis spans the data (and zero, with a line,
/// when `zero`), at least `min_span`.
struct TimeChart<'a> {
    title: &'a str,
    unit: &'a str,
    lines: &'a [(&'a str, &'a str, &'a [Option<f64>])],
    zero: bool,
    min_span: f64,
    caption: &'a str,
    /// Each rep's phases as a coloured strip along the top.
    phases: bool,
}

impl TimeChart<'_> {
    /// The chart with the reps shaded and fault times marked.
    fn draw(&self, report: &Report, curves: &Curves) -> String {
        let values = self
            .lines
            .iter()
            .flat_map(|l| l.2.iter().flatten().copied())
            .chain(self.zero.then_some(0.0));
        let Some(plot) = padded_range(values, 0.08, self.min_span).and_then(|y| time_plot(curves, y, 220.0)) else {
            return String::new();
        };
        let legend: Vec<(&str, &str, bool)> = self.lines.iter().map(|l| (l.0, l.1, false)).collect();
        let mut s = plot.open(self.title, &legend);
        s += &time_bands(&plot, report);
        if self.phases {
            s += &phase_bands(&plot, report);
        }
        s += &plot.axes("s", self.unit);
        if self.zero {
            let _ = write!(
                s,
                "<line x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" class=\"zero\"/>",
                plot.left,
                plot.w - plot.right,
                y = plot.py(0.0)
            );
        }
        for (_, colour, values) in self.lines {
            s += &plot.path(
                curves.times.iter().zip(values.iter()).map(|(&t, v)| Some((t, (*v)?))),
                colour,
                false,
            );
        }
        s += "</svg>";
        if !self.caption.is_empty() {
            let _ = write!(s, "<figcaption>{}</figcaption>", esc(self.caption));
        }
        s += "</figure>\n";
        s
    }
}

/// Bar height and vertical speed, torso lean, hip and knee angles.
fn time_charts(report: &Report, curves: &Curves) -> String {
    let height: Vec<Option<f64>> = curves.bar.iter().map(|b| b.map(|b| b.y_m)).collect();
    let speed: Vec<Option<f64>> = curves.bar.iter().map(|b| b.map(|b| b.vy_mps)).collect();
    let phase_caption = format!("The strip along the top marks each rep's phases: {PHASE_KEY}.");
    let charts = [
        TimeChart {
            title: "Bar height above the floor",
            unit: "m",
            lines: &[("bar", "#333", &height)],
            zero: false,
            min_span: 0.2,
            caption: &phase_caption,
            phases: true,
        },
        TimeChart {
            title: "Bar speed (+ up)",
            unit: "m/s",
            lines: &[("vertical speed", "#1f77b4", &speed)],
            zero: true,
            min_span: 0.5,
            caption: "Coloured strips along the bottom mark when a fault was flagged (hover for its name).",
            phases: false,
        },
        TimeChart {
            title: "Torso lean from vertical (+ forward)",
            unit: "deg",
            lines: &[("torso", "#7b3294", curves.torso_deg)],
            zero: true,
            min_span: 30.0,
            caption: "",
            phases: false,
        },
        TimeChart {
            title: "Hip and knee angles (180 = straight)",
            unit: "deg",
            lines: &[("hip", "#d95f02", curves.hip_deg), ("knee", "#2ca02c", curves.knee_deg)],
            zero: false,
            min_span: 40.0,
            caption: "Gaps are frames where the pose was not trusted (hidden by the plate, or a rep whose pose was found wrong).",
            phases: false,
        },
    ];
    charts.iter().map(|c| c.draw(report, curves)).collect()
}

/// Mean concentric speed per rep as bars, the peak as a tick: the set's
/// fatigue at a glance.
fn rep_speed_chart(report: &Report) -> String {
    if report.reps.is_empty() {
        return String::new();
    }
    let top = report
        .reps
        .iter()
        .map(|r| r.peak_concentric_velocity_mps.max(r.mean_concentric_velocity_mps))
        .fold(0.1f64, f64::max)
        * 1.15;
    let n = report.reps.len() as f64;
    let plot = Plot {
        w: (120.0 + 70.0 * n).min(760.0),
        h: 220.0,
        left: 48.0,
        right: 12.0,
        top: 16.0,
        bottom: 30.0,
        x: (0.0, n),
        y: (0.0, top),
    };
    let mut s = plot.open("Bar speed per rep", &[("mean", "#888", false), ("peak", "#222", false)]);
    s += &plot.y_axis("m/s");
    for (k, r) in report.reps.iter().enumerate() {
        let (a, b) = (plot.px(k as f64 + 0.2), plot.px(k as f64 + 0.8));
        let y = plot.py(r.mean_concentric_velocity_mps);
        let _ = write!(
            s,
            "<rect x=\"{a:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"><title>rep {}: mean {:.2} m/s, peak {:.2} m/s</title></rect>",
            b - a,
            plot.py(0.0) - y,
            rep_colour(r.index),
            r.index + 1,
            r.mean_concentric_velocity_mps,
            r.peak_concentric_velocity_mps
        );
        let yp = plot.py(r.peak_concentric_velocity_mps);
        let _ = write!(
            s,
            "<line x1=\"{a:.1}\" y1=\"{yp:.1}\" x2=\"{b:.1}\" y2=\"{yp:.1}\" stroke=\"#222\" stroke-width=\"2.5\"/><text x=\"{:.1}\" y=\"{:.1}\" class=\"tick\" text-anchor=\"middle\">rep {}</text>",
            (a + b) / 2.0,
            plot.h - plot.bottom + 14.0,
            r.index + 1
        );
    }
    s += "</svg><figcaption>";
    match report.set.as_ref().and_then(|s| s.velocity_loss_pct) {
        Some(loss) => {
            let _ = write!(s, "Velocity loss from the fastest to the slowest rep: {loss:.0} %.");
        }
        None => s += "One rep: no velocity loss to show.",
    }
    s += "</figcaption></figure>\n";
    s
}

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:900px;margin:0 auto;padding:16px;color:#222;background:#fafafa}
header h1{margin:0 0 4px;font-size:1.7em}
.sub{color:#666;margin:0 0 16px}
h2{font-size:1.2em;margin:24px 0 8px}
section{margin-bottom:16px}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{background:#fff;border:1px solid #ddd;border-radius:8px;padding:10px 14px;min-width:120px}
.card .value{font-size:1.6em;font-weight:600}
.card .label{color:#666;font-size:.85em}
.card.warn .value{color:#c92a2a}.card.note .value{color:#e8590c}.card.ok .value{color:#2b8a3e}
.callout{background:#fff4e6;border:1px solid #ffc078;border-radius:8px;padding:8px 16px}
.good{background:#ebfbee;border:1px solid #8ce99a;border-radius:8px;padding:10px 14px}
video{width:100%;max-height:520px;background:#000;border-radius:8px}
.fault{display:flex;gap:12px;background:#fff;border:1px solid #ddd;border-left:6px solid;border-radius:8px;padding:10px 14px;margin:10px 0}
.fault .text{flex:1}.fault h3{margin:0 0 4px;font-size:1.05em}
.fault img{width:260px;max-height:320px;object-fit:contain;border-radius:4px;align-self:flex-start}
.meta{color:#666;font-size:.85em;margin:0 0 6px}.cue{margin-top:4px}
.chip{display:inline-block;color:#fff;border-radius:10px;padding:1px 8px;font-size:.8em;font-weight:600;margin:1px 0}
.chip.muted{background:#868e96}
tr.varied td{background:#fff4e6;font-weight:600}
.dot{display:inline-block;width:10px;height:10px;border-radius:5px;margin-right:6px}
button{border:1px solid #888;background:#fff;border-radius:6px;padding:2px 10px;cursor:pointer}
.scroll{overflow-x:auto}
table{border-collapse:collapse;background:#fff;font-size:.9em}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;white-space:nowrap}
th{background:#f1f3f5}
.failed{color:#c92a2a;white-space:normal}
.hint,figcaption,.small{color:#666;font-size:.85em}
figure{margin:12px 0;background:#fff;border:1px solid #ddd;border-radius:8px;padding:8px;overflow-x:auto}
svg{max-width:100%;height:auto;font-size:11px}
.fighead{font-size:.9em;margin:0 0 4px 4px}
.key{margin-left:14px;color:#555;white-space:nowrap}
.key i{display:inline-block;width:18px;margin-right:5px;vertical-align:middle}
svg .tick,svg .axis{fill:#555}
svg .grid{stroke:#e9ecef}svg .zero{stroke:#999}
svg .midfoot{stroke:#2b8a3e;stroke-dasharray:3 3}
svg .rep{fill:#f1f3f5}svg .replabel{font-weight:600}
.phases{display:flex;height:10px;border-radius:3px;overflow:hidden}
footer{margin-top:24px;padding-top:8px;border-top:1px solid #ddd;color:#666;font-size:.85em}
@media (max-width:600px){.fault{flex-direction:column}.fault img{width:100%}}
";

#[cfg(test)]
mod tests {
    use super::*;

    /// A two-rep deadlift with one fault, as report.json would hold it.
    fn report(judged: bool) -> Report {
        let fault = r#"{"kind": "hips_rise_early", "rep": 1, "start_s": 2.1, "worst_s": 2.3, "end_s": 2.5,
            "start_frame": 21, "worst_frame": 23, "end_frame": 25, "value": 1.31, "unit": "ratio",
            "threshold": 0.95, "severity": "moderate", "confidence": 0.8,
            "explanation": "Your hips rose 1.3 times as far as your shoulders <early>.", "cue": "Chest up & push."}"#;
        let rep = |i: usize, faults: &str| {
            format!(
                r#"{{"index": {i}, "start_s": {s}, "key_s": {k}, "end_s": {e}, "start_frame": {sf}, "key_frame": {kf},
                "end_frame": {ef}, "eccentric_s": 0.6, "concentric_s": 0.8, "range_of_motion_m": 0.5,
                "mean_concentric_velocity_mps": {v}, "peak_concentric_velocity_mps": 0.9,
                "torso_angle_start_deg": 60.0, "torso_angle_bottom_deg": 58.0, "torso_angle_lockout_deg": 2.0,
                "max_bar_ahead_of_midfoot_m": 0.04, "hip_above_knee_at_bottom_m": null, "faults": [{faults}],
                "body_judged": true, "phases": [
                {{"phase": "{first}", "start_frame": {f0}, "frames": 2, "start_s": {t0}, "duration_s": 0.2}},
                {{"phase": "concentric", "start_frame": {f1}, "frames": 8, "start_s": {t1}, "duration_s": 0.8}},
                {{"phase": "lockout", "start_frame": {f2}, "frames": 3, "start_s": {t2}, "duration_s": 0.3}},
                {{"phase": "eccentric", "start_frame": {f3}, "frames": 7, "start_s": {t3}, "duration_s": 0.7}}]}}"#,
                first = if i == 0 { "setup" } else { "floor" },
                f0 = 20 * i,
                f1 = 2 + 20 * i,
                f2 = 10 + 20 * i,
                f3 = 13 + 20 * i,
                t0 = 2.0 * i as f64,
                t1 = 0.2 + 2.0 * i as f64,
                t2 = 1.0 + 2.0 * i as f64,
                t3 = 1.3 + 2.0 * i as f64,
                s = 0.2 + 2.0 * i as f64,
                k = 1.0 + 2.0 * i as f64,
                e = 1.9 + 2.0 * i as f64,
                sf = 2 + 20 * i,
                kf = 10 + 20 * i,
                ef = 19 + 20 * i,
                v = 0.6 - 0.1 * i as f64,
            )
        };
        let view = if judged {
            r#"{"verdict": "side_on", "judgeable": true, "hip_spread_ratio": 0.05, "camera_yaw_deg": 4.0, "pose_coverage": 1.0, "advice": null}"#
        } else {
            r#"{"verdict": "not_side_on", "judgeable": false, "hip_spread_ratio": 0.4, "camera_yaw_deg": null, "pose_coverage": 1.0, "advice": "film from the side, about level with the hips"}"#
        };
        let reps = if judged {
            format!("{}, {}", rep(0, ""), rep(1, fault))
        } else {
            String::new()
        };
        let json = format!(
            r#"{{"schema_version": 1, "liftlens_version": "0.1.0",
            "video": {{"path": "/clips/a&b.mp4", "width": 960, "height": 540, "fps": 10.0, "frames": 40,
              "duration_s": 4.0, "rotation": 0, "content": {{"x": 0, "y": 0, "width": 960, "height": 540}}}},
            "backend": "onnxruntime", "model": "full", "facing": "right", "pose_coverage": 1.0,
            "frames_with_pose": 40, "detector_runs": 1, "thigh_px": 100.0, "torso_angle_deg": null,
            "bar": {{"source": "plate", "scale": {{"metres_per_px": 0.003, "source": "plate", "plate_mm": 450.0,
              "plate_radius_px": 75.0, "camera_yaw_deg": 4.0}}, "measured_share": 0.9, "interpolated_share": 0.1,
              "range_of_motion_m": 0.5, "peak_up_velocity_mps": 0.9, "peak_down_velocity_mps": -0.8,
              "plate_searches": 1}},
            "lift": "deadlift", "view": {view}, "reps": [{reps}],
            "set": {{"reps": 2, "velocity_loss_pct": 17.0, "consistency": {{"measures": [
              {{"measure": "range_of_motion", "unit": "m", "values": [[0, 0.55], [1, 0.56]], "spread": 0.01, "limit": 0.06, "varied": false, "furthest_rep": null}},
              {{"measure": "setup_torso", "unit": "deg", "values": [[0, 70.0], [1, 55.5]], "spread": 14.5, "limit": 10.0, "varied": true, "furthest_rep": null,
               "cue": "Reset the same way before each pull: same hip height, same brace."}}]}}}}, "notes": ["a note with <markup>"],
            "disclaimer": "Technique only; pain is for a clinician."}}"#
        );
        serde_json::from_str(&json).unwrap()
    }

    /// Two pulls: the bar rises 0.5 m and comes down, 1 cm forward at the
    /// top; frame 5 bridged.
    fn curves_data() -> (Vec<f64>, Vec<Option<BarFrame>>, Vec<Option<f64>>) {
        let times: Vec<f64> = (0..40).map(|i| i as f64 / 10.0).collect();
        let bar = times
            .iter()
            .enumerate()
            .map(|(i, &t)| {
                let y = 0.225 + 0.25 * (1.0 - (std::f64::consts::PI * t).cos());
                Some(BarFrame {
                    x_m: 0.02 + 0.02 * (y - 0.225),
                    y_m: y,
                    vy_mps: 0.25 * std::f64::consts::PI * (std::f64::consts::PI * t).sin(),
                    measured: i != 5,
                    ..BarFrame::default()
                })
            })
            .collect();
        let torso = (0..40).map(|i| (i != 30).then_some(60.0 - i as f64)).collect();
        (times, bar, torso)
    }

    fn page(judged: bool, media: &Media) -> String {
        render_with_curves(&report(judged), media)
    }

    fn render_with_curves(report: &Report, media: &Media) -> String {
        let (times, bar, torso) = curves_data();
        let joints: Vec<Option<f64>> = (0..40).map(|i| Some(90.0 + 2.0 * i as f64)).collect();
        let curves = Curves {
            times: &times,
            bar: &bar,
            torso_deg: &torso,
            hip_deg: &joints,
            knee_deg: &joints,
            hip_above_knee_m: &joints,
            midfoot_known: true,
        };
        render(report, &curves, media)
    }

    #[test]
    fn the_page_shows_each_fault_with_its_picture_cue_and_charts() {
        let media = Media {
            video: Some("annotated.mp4".into()),
            fault_frames: vec![Some("frames/rep2_hips_rise_early_00023.png".into())],
        };
        let h = page(true, &media);
        assert!(h.contains("<h1>Deadlift · 2 reps</h1>"), "{h}");
        assert!(h.contains("Hips rise first"));
        assert!(h.contains("moderate"));
        assert!(h.contains("rep 2 · 2.1–2.5 s"));
        assert!(h.contains("<img src=\"frames/rep2_hips_rise_early_00023.png\""));
        assert!(h.contains("onclick=\"seek(2.10)\""));
        assert!(h.contains("<video id=\"clip\" src=\"annotated.mp4\""));
        // User and file text is escaped.
        assert!(h.contains("&lt;early&gt;") && h.contains("Chest up &amp; push.") && h.contains("a&amp;b.mp4"));
        assert!(!h.contains("<markup>"));
        // Bar path, bar height, bar speed, torso, hip and knee, speed per rep.
        assert_eq!(h.matches("<svg").count(), 6);
        assert!(
            h.contains("stroke-dasharray=\"5 4\""),
            "the bridged frame is drawn dashed"
        );
        assert!(h.contains("Velocity loss from the fastest to the slowest rep: 17 %"));
        assert!(h.contains("Technique only; pain is for a clinician."));
        assert!(!h.contains("NaN") && !h.contains("inf"), "every number is finite");
    }

    #[test]
    fn without_pictures_or_video_nothing_links_to_missing_files() {
        let h = page(true, &Media::default());
        assert!(!h.contains("<img") && !h.contains("<video") && !h.contains("<script"));
    }

    /// Regression (mirrored squat_gymai_quarter): with the facing in doubt
    /// no body fault was judged, and the page said "No faults flagged" in
    /// green.
    #[test]
    fn reps_whose_body_was_not_judged_are_not_a_clean_bill() {
        let mut r = report(true);
        for rep in &mut r.reps {
            rep.faults.clear();
            rep.body_judged = false;
        }
        r.facing_doubt = Some("the toes point right".into());
        let h = render_with_curves(&r, &Media::default());
        assert!(!h.contains("No faults flagged"), "a clean bill");
        assert!(
            h.contains("The body was not judged in reps 1, 2 of 2: the toes point right; only the bar was."),
            "{h}"
        );
        assert!(!h.contains("card ok"), "a green zero");
    }

    #[test]
    fn checks_a_rep_could_not_get_are_named_once_with_their_reps() {
        let mut r = report(true);
        let hidden = crate::faults::NotChecked {
            kind: crate::faults::FaultKind::HeadPosition,
            why: "the ear was hidden behind the plate or not found".into(),
        };
        for rep in &mut r.reps {
            rep.not_checked = vec![hidden.clone()];
        }
        let h = render_with_curves(&r, &Media::default());
        assert_eq!(h.matches("Not checked: <b>Head far from neutral</b>").count(), 1, "{h}");
        assert!(
            h.contains("on reps 1, 2: the ear was hidden behind the plate or not found."),
            "{h}"
        );
        assert!(h.contains("not checked: Head far from neutral</span>"), "{h}");
    }

    #[test]
    fn a_declined_video_says_how_to_film_and_draws_no_judgement() {
        let h = page(false, &Media::default());
        assert!(h.contains("This video cannot be judged"));
        assert!(h.contains("film from the side, about level with the hips"));
        assert!(!h.contains("<svg") && !h.contains("What to work on"));
    }

    /// The rep table read "-0 cm" for a bar 4 mm behind the midfoot.
    #[test]
    fn a_value_rounding_to_zero_reads_zero_not_minus_zero() {
        assert_eq!(opt(Some(-0.4), 0, " cm"), "0 cm");
        assert_eq!(opt(Some(-0.04), 1, " s"), "0.0 s");
        assert_eq!(opt(Some(-0.6), 0, " cm"), "-1 cm");
        assert_eq!(opt(None, 0, " cm"), "–");
    }

    #[test]
    fn the_page_format_is_stable() {
        let media = Media {
            video: Some("annotated.mp4".into()),
            fault_frames: vec![Some("frames/rep2_hips_rise_early_00023.png".into())],
        };
        insta::assert_snapshot!(page(true, &media));
    }

    #[test]
    fn the_batch_index_links_each_report_and_names_failures() {
        let (ok, declined) = (report(true), report(false));
        let entries = [
            BatchEntry {
                video: std::path::Path::new("/v/a.mp4"),
                folder: "a",
                result: Ok(&ok),
            },
            BatchEntry {
                video: std::path::Path::new("/v/side.mp4"),
                folder: "side",
                result: Ok(&declined),
            },
            BatchEntry {
                video: std::path::Path::new("/v/<bad>.mp4"),
                folder: "bad",
                result: Err("the file is not a video: re-export it as MP4"),
            },
        ];
        let h = batch_index(&entries);
        assert!(h.contains("<h1>3 videos</h1>"));
        assert!(h.contains("<a href=\"a/report.html\">a.mp4</a></td><td>Deadlift</td><td>2</td>"));
        assert!(h.contains("rep 2: Hips rise first"));
        assert!(h.contains("<span class=\"chip muted\">rep to rep: setup torso angle varied</span>"));
        assert!(h.contains("<a href=\"side/report.html\">side.mp4</a></td><td>not judged</td><td>–</td><td></td>"));
        assert!(
            h.contains("&lt;bad&gt;.mp4</td><td colspan=\"3\" class=\"failed\">not analysed: the file is not a video")
        );
        assert!(!h.contains("bad/report.html"));
    }

    #[test]
    fn ticks_are_round_numbers_inside_the_range() {
        assert_eq!(ticks(0.0, 1.0, 5), vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]);
        assert_eq!(ticks(-13.0, 71.0, 5), vec![-0.0, 20.0, 40.0, 60.0]);
        assert!(ticks(1.0, 1.0, 5).is_empty());
        assert!(ticks(f64::NAN, 1.0, 5).is_empty());
        assert_eq!(tick_label(0.6000000000000001), "0.6");
        assert_eq!(tick_label(-0.0), "0");
    }

    #[test]
    fn values_read_in_the_units_people_use() {
        assert_eq!(value_with_unit(0.134, "m"), "13 cm");
        assert_eq!(value_with_unit(-13.07, "deg"), "-13°");
        assert_eq!(
            value_with_unit(0.18, "share of standing bar height"),
            "18 % of standing bar height"
        );
        assert_eq!(value_with_unit(0.3, "torso lengths"), "30 % of torso length");
    }
}
