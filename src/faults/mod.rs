//! Fault detectors: one function per fault, each reading the same per-frame
//! body and bar signals of one rep and returning at most one flag.
//!
//! Every detector measures one number with a unit, compares it with three
//! levels from the profile (`[faults]`: minor, moderate, major) and says how
//! much the evidence can be trusted (`confidence`): the pose's own point
//! confidence over the frames used, times how far past the first level the
//! value is, times a penalty when the bar position is a stand-in rather than
//! the tracked plate. Nothing is flagged on footage the view check declined.
//!
//! This file holds what every detector shares (the kinds, grading, the
//! words a lifter reads, `detect` and the `not_checked` reasons); the
//! detectors live by what they look at: `hips` (good_morning,
//! hips_rise_early), `back` (rounding, hyperextension_lockout,
//! soft_lockout), `drift` (bar_drift), `depth` (above_parallel), `heel`
//! (heel_lift), `head` (head_position). `body` builds the per-frame signals
//! they read, `profile` holds `[faults]`, and `tests` runs each on
//! hand-made lifts.

use serde::{Deserialize, Serialize};

use crate::bar::{BarSource, BarTrack};
use crate::feet::HeelReading;
use crate::liftoff::LiftoffReading;
use crate::pose::outline::STATIONS;
use crate::pose::RawPose;
use crate::reps::{Lift, Rep};
use crate::signal::{median, percentile};
use crate::skeleton::{Joint, SagittalTrack};

mod back;
mod body;
mod depth;
mod drift;
mod head;
mod heel;
mod hips;
mod profile;
#[cfg(test)]
mod tests;

pub use back::*;
pub use body::*;
pub use depth::*;
pub use drift::*;
pub use head::*;
pub use heel::*;
pub use hips::*;
pub use profile::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    GoodMorning,
    HipsRiseEarly,
    Rounding,
    HyperextensionLockout,
    SoftLockout,
    BarDrift,
    AboveParallel,
    HeelLift,
    HeadPosition,
}

impl FaultKind {
    pub const ALL: [FaultKind; 9] = [
        FaultKind::GoodMorning,
        FaultKind::HipsRiseEarly,
        FaultKind::Rounding,
        FaultKind::HyperextensionLockout,
        FaultKind::SoftLockout,
        FaultKind::BarDrift,
        FaultKind::AboveParallel,
        FaultKind::HeelLift,
        FaultKind::HeadPosition,
    ];

    /// As written in report.json and reps.csv.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::GoodMorning => "good_morning",
            FaultKind::HipsRiseEarly => "hips_rise_early",
            FaultKind::Rounding => "rounding",
            FaultKind::HyperextensionLockout => "hyperextension_lockout",
            FaultKind::SoftLockout => "soft_lockout",
            FaultKind::BarDrift => "bar_drift",
            FaultKind::AboveParallel => "above_parallel",
            FaultKind::HeelLift => "heel_lift",
            FaultKind::HeadPosition => "head_position",
        }
    }

    /// For people: the banner and stdout.
    pub fn title(self) -> &'static str {
        match self {
            FaultKind::GoodMorning => "Hips shoot up (good-morning squat)",
            FaultKind::HipsRiseEarly => "Hips rise first",
            FaultKind::Rounding => "Back rounding",
            FaultKind::HyperextensionLockout => "Leaning back at lockout",
            FaultKind::SoftLockout => "Soft lockout",
            FaultKind::BarDrift => "Bar away from midfoot",
            FaultKind::AboveParallel => "Above parallel",
            FaultKind::HeelLift => "Heels lift",
            FaultKind::HeadPosition => "Head far from neutral",
        }
    }

    /// The four faults that load the spine most (domain.md).
    pub fn is_back_loading(self) -> bool {
        matches!(
            self,
            FaultKind::GoodMorning
                | FaultKind::HipsRiseEarly
                | FaultKind::Rounding
                | FaultKind::HyperextensionLockout
                | FaultKind::BarDrift
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Minor,
    Moderate,
    Major,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Minor => "minor",
            Severity::Moderate => "moderate",
            Severity::Major => "major",
        }
    }
}

/// One flag on one rep.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Fault {
    pub kind: FaultKind,
    /// Rep index (0-based, as `reps[].index`).
    pub rep: usize,
    pub start_s: f64,
    pub worst_s: f64,
    pub end_s: f64,
    pub start_frame: usize,
    pub worst_frame: usize,
    pub end_frame: usize,
    /// The measured value at its worst, in `unit`.
    pub value: f64,
    pub unit: String,
    /// The profile's minor level the value was compared with.
    pub threshold: f64,
    pub severity: Severity,
    /// 0-1: how far the evidence can be trusted.
    pub confidence: f64,
    /// Rounding: "upper back", "lower back" or "whole back" when the outline says.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub region: Option<String>,
    /// Where in the worst frame the value was measured (px, y down), when
    /// that is not one of the pose's points (heel_lift: the heel patch).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub at_px: Option<[f64; 2]>,
    pub explanation: String,
    pub cue: String,
}

impl Fault {
    /// The fault's window holds `frame` (the video's banner, kinematics.csv).
    pub fn active_at(&self, frame: usize) -> bool {
        (self.start_frame..=self.end_frame).contains(&frame)
    }
}

/// Severity of `value` against minor/moderate/major levels (higher = worse
/// when the levels rise, lower = worse when they fall); `None` below minor.
pub fn grade(value: f64, levels: [f64; 3]) -> Option<Severity> {
    let rising = levels[2] >= levels[0];
    let past = |l: f64| if rising { value >= l } else { value <= l };
    if past(levels[2]) {
        Some(Severity::Major)
    } else if past(levels[1]) {
        Some(Severity::Moderate)
    } else if past(levels[0]) {
        Some(Severity::Minor)
    } else {
        None
    }
}

/// How far past the threshold, 0.6 at it, 1.0 from the moderate level on.
fn margin(value: f64, levels: [f64; 3]) -> f64 {
    let span = (levels[1] - levels[0]).abs().max(1e-9);
    let past = ((value - levels[0]) * (levels[1] - levels[0]).signum()).max(0.0) / span;
    0.6 + 0.4 * past.min(1.0)
}

/// The 90th percentile of a per-frame series (a sustained worst, not one
/// noisy frame) and the frame that reaches it.
fn sustained_worst(series: &[(usize, f64)]) -> Option<(usize, f64)> {
    let value = percentile(series.iter().map(|s| s.1), 90.0)?;
    let &(frame, _) = series
        .iter()
        .filter(|s| s.1 <= value + 1e-9)
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    Some((frame, value))
}

/// (start, worst, end): the first and last frame at or past `threshold`,
/// widened to include `worst`.
fn span_over(series: &[(usize, f64)], threshold: f64, worst: usize) -> (usize, usize, usize) {
    let over = |s: &&(usize, f64)| s.1 >= threshold;
    let start = series.iter().find(over).map_or(worst, |s| s.0);
    let end = series.iter().rev().find(over).map_or(worst, |s| s.0);
    (start.min(worst), worst, end.max(worst))
}

struct Found {
    frames: (usize, usize, usize),
    value: f64,
    levels: [f64; 3],
    evidence: f64,
    region: Option<String>,
    /// How much of `value` the measurement cannot vouch for (the camera
    /// angle's share of a bar offset): graded on `value - allowance`.
    allowance: f64,
    /// The value is the bar's travel from where it started the rep, not
    /// its distance from the midfoot (bar drift only).
    from_start: bool,
}

fn build(kind: FaultKind, rep: &Rep, body: &Body, f: Found) -> Option<Fault> {
    let judged = f.value - f.allowance;
    let severity = grade(judged, f.levels)?;
    let (s, w, e) = f.frames;
    let (unit, explanation, cue) = words(kind, f.value, f.allowance, f.from_start, f.region.as_deref());
    Some(Fault {
        kind,
        rep: rep.index,
        start_s: body.times[s],
        worst_s: body.times[w],
        end_s: body.times[e],
        start_frame: s,
        worst_frame: w,
        end_frame: e,
        value: f.value,
        unit: unit.to_string(),
        threshold: f.levels[0],
        severity,
        confidence: (f.evidence.clamp(0.0, 1.0) * margin(judged, f.levels)).clamp(0.0, 1.0),
        region: f.region,
        at_px: None,
        explanation,
        cue,
    })
}

/// The unit, a one-sentence explanation with the measured value, and a cue.
fn words(
    kind: FaultKind,
    v: f64,
    allowance: f64,
    from_start: bool,
    region: Option<&str>,
) -> (&'static str, String, String) {
    match kind {
        FaultKind::GoodMorning => (
            "deg",
            format!(
                "Out of the bottom your hips rose faster than the bar and your torso tipped {v:.0} degrees further forward, \
                 so the lower back finished the lift like a good-morning."
            ),
            "Drive your upper back into the bar as you stand up: chest and hips rise together.".into(),
        ),
        FaultKind::HipsRiseEarly => (
            "ratio",
            format!(
                "In the first part of the pull your hips rose {v:.1} times as far as your shoulders, so your back \
                 tipped over the bar instead of your legs pushing the floor away."
            ),
            "Push the floor away with your legs and keep your chest up until the bar passes your knees.".into(),
        ),
        FaultKind::Rounding => (
            "torso lengths",
            format!(
                "Your {} rounded under load: its outline bulged {:.0}% of your torso length beyond your standing shape.",
                region.unwrap_or("back"),
                100.0 * v
            ),
            "Brace before the rep (big breath, ribs down) and keep your chest proud; lower the load until your back \
             holds its shape."
                .into(),
        ),
        FaultKind::HyperextensionLockout => (
            "deg",
            format!(
                "At lockout you leaned {:.0} degrees back behind vertical, pushing your lower back into extension.",
                -v
            ),
            "Finish tall: squeeze your glutes and stop when hips and shoulders are stacked over your heels.".into(),
        ),
        FaultKind::SoftLockout => (
            "deg",
            format!("At the top your joints stayed bent (largest angle {v:.0} degrees, 180 is straight)."),
            "Stand all the way up: knees and hips locked before the next rep.".into(),
        ),
        FaultKind::BarDrift => (
            "m",
            if from_start {
                format!(
                    "The bar moved {:.0} cm forward from where it started the rep, away from your body, which lengthens the lever on your lower back.",
                    100.0 * v
                )
            } else if allowance > 0.005 {
                format!(
                    "The bar was {:.0} cm ahead of your midfoot ({:.0} cm of that may be the camera angle), which lengthens the lever on your lower back.",
                    100.0 * v,
                    100.0 * allowance
                )
            } else {
                format!(
                    "The bar was {:.0} cm ahead of your midfoot, which lengthens the lever on your lower back.",
                    100.0 * v
                )
            },
            "Keep the bar over your midfoot: drag it up your legs (deadlift) or keep it over your feet (squat).".into(),
        ),
        FaultKind::AboveParallel => (
            "deg",
            format!("At the bottom your thighs were {v:.0} degrees above horizontal: the hip crease stayed above the knee."),
            "Sit a little deeper until the hip crease passes the top of the knee, if your mobility allows.".into(),
        ),
        FaultKind::HeelLift => (
            "m",
            format!(
                "Your heels came {:.1} cm off the floor, shifting your weight onto the toes.",
                100.0 * v
            ),
            "Keep your whole foot planted and the weight over the midfoot; work on ankle mobility or use lifting shoes."
                .into(),
        ),
        FaultKind::HeadPosition => (
            "deg",
            format!("Your neck moved {v:.0} degrees away from its standing position against your torso."),
            "Keep your neck in line with your back: eyes a few metres ahead on the floor, or slightly up.".into(),
        ),
    }
}

/// Run every detector on every rep (`lift` decides which apply). Returns
/// the faults, a note for each rep whose pose was too implausible to flag
/// from, and those reps' indices (their body measurements should not be
/// reported).
pub fn detect(body: &Body, lift: Lift, reps: &[Rep], p: &FaultProfile) -> (Vec<Fault>, Vec<String>, Vec<usize>) {
    let mut out = Vec::new();
    let mut notes = Vec::new();
    let mut doubted = Vec::new();
    // Which way is ahead signs every body angle and the bar's distance
    // ahead of the midfoot: without it only the bar's depth is judged.
    if let Some(why) = &body.track.facing_doubt {
        notes.push(format!(
            "{why}, so no body fault and no bar-to-midfoot distance is judged; film from the side with the feet and knees in view"
        ));
        for rep in reps {
            doubted.push(rep.index);
            if body.bar.source == BarSource::Plate {
                out.extend(above_parallel_from_bar(body, lift, rep, p));
            }
        }
        return (out, notes, doubted);
    }
    for rep in reps {
        if let Some(why) = pose_doubt(body, lift, rep, p) {
            notes.push(format!(
                "rep {}: {why}, so the pose is wrong in this rep and {}",
                rep.index + 1,
                match lift {
                    // The turn is measured: the rendered squat_good_morning's
                    // lift filmed 15 deg towards the front had its pose on
                    // every frame (torso 1.5 deg median error) and its good
                    // morning found; a heavy body's (squat_rounding) still
                    // drew the hips on the plate (docs/accuracy.md "Held-out renders").
                    Lift::Squat => format!(
                        "only the bar's drift, the heels (read from the picture) and the squat's depth are judged (the depth from the hip and knee where they still form a whole leg); \
                         film with the camera turned {} from side-on towards the lifter's front, so the head and hips show beside the plates",
                        crate::reps::HIDDEN_HEAD_TURN
                    ),
                    Lift::Deadlift => "only the bar's drift and the heels (read from the picture) are judged; film from the side with the head and hips clear of the plates".to_string(),
                }
            ));
            doubted.push(rep.index);
            // These read the plate and the shoes in the picture against the
            // plate's scale; the pose only placed the shoes on a standing
            // frame, before the part of the rep it got wrong.
            if body.bar.source == BarSource::Plate {
                out.extend(bar_drift(body, rep, p));
                out.extend(above_parallel_doubted(body, lift, rep, p));
                out.extend(heel_lift(body, rep, p));
            }
            continue;
        }
        let found = [
            good_morning(body, lift, rep, p),
            hips_rise_early(body, lift, rep, p),
            rounding(body, rep, p),
            hyperextension(body, lift, rep, p),
            soft_lockout(body, lift, rep, p),
            bar_drift(body, rep, p),
            above_parallel(body, lift, rep, p),
            heel_lift(body, rep, p),
            head_position(body, rep, p),
        ];
        out.extend(found.into_iter().flatten());
    }
    if lift == Lift::Deadlift && !body.heels.is_empty() {
        let unseen: Vec<String> = reps
            .iter()
            .filter(|r| !out.iter().any(|f| f.kind == FaultKind::HeelLift && f.rep == r.index))
            .filter(|r| heel_unseen_off_the_floor(body, r, p))
            .map(|r| (r.index + 1).to_string())
            .collect();
        if !unseen.is_empty() {
            notes.push(format!(
                "heel lift was read only once the bar had risen {:.0}% of its way ({}): the heel was not found in the picture as the bar left the floor (seen from the side, the plate stands in front of the feet there), so heels that came up then would not be seen",
                100.0 * p.heel_early_pull_rom_share,
                match unseen.split_last() {
                    Some((last, [])) => format!("rep {last}"),
                    Some((last, rest)) => format!("reps {} and {last}", rest.join(", ")),
                    None => String::new(),
                }
            ));
        }
    }
    (out, notes, doubted)
}

/// Fewest frames a reading-based check needs in a rep.
const MIN_READINGS: usize = 3;

/// A check a rep did not get, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotChecked {
    pub kind: FaultKind,
    pub why: String,
}

/// The checks a judged rep could not get for want of readings (the feet
/// hidden by the plate, a clip that starts at the pull, an ear behind the
/// plate), so that a missing flag is not taken for a clean bill. Kinds
/// already flagged are left out (hips_rise_early may be flagged from the
/// pull when the hips before it could not be read).
pub fn not_checked(body: &Body, lift: Lift, rep: &Rep, p: &FaultProfile, flagged: &[Fault]) -> Vec<NotChecked> {
    let mut out = Vec::new();
    let mut missing = |kind: FaultKind, why: &str| {
        if !flagged.iter().any(|f| f.kind == kind && f.rep == rep.index) {
            out.push(NotChecked { kind, why: why.into() });
        }
    };
    // Both are read from the picture; a rerun from stored poses without the
    // video or the readings stored beside the poses has none at all.
    if body.heels.is_empty() {
        missing(
            FaultKind::HeelLift,
            "heel lift is read from the picture, and this rerun from stored poses had neither the video nor heels.csv: pass the video too",
        );
    } else if heel_lifts(body, rep).len() < MIN_READINGS {
        missing(
            FaultKind::HeelLift,
            "the heel and toe were not both found in the picture: the plate or the other leg hid them, or no standing frame showed them",
        );
    }
    if lift == Lift::Deadlift {
        if let Some(a) = upright_setup(body, lift, rep, p) {
            missing(
                FaultKind::HipsRiseEarly,
                &format!(
                    "the pose drew the torso {a:.0} degrees from vertical with the bar on the floor, more upright than a deadlift's setup can be: it took the plate for the hips"
                ),
            );
        } else if body.liftoff.is_empty() {
            missing(
                FaultKind::HipsRiseEarly,
                "the hips before the bar leaves the floor are read from the picture, and this rerun from stored poses had neither the video nor liftoff.csv: only their rise against the shoulders in the pull was judged; pass the video too",
            );
        } else if before_liftoff(body, rep, p).1.len() < 2 {
            missing(
                FaultKind::HipsRiseEarly,
                "the hips could not be followed before the bar left the floor, as the video starts at the pull or the picture there is covered; only their rise against the shoulders in the pull was judged",
            );
        }
    }
    if back_readings(body, rep, p).len() < MIN_READINGS {
        missing(FaultKind::Rounding, "the back's outline was not read on this rep");
    }
    if bar_ahead(body, rep).is_empty() {
        missing(
            FaultKind::BarDrift,
            "the plate was not tracked on this rep, the hands or shoulders standing in, or the feet were not found for the midfoot",
        );
    }
    if neck_changes(body, rep, Some(p.head_ear_hidden_plate_radii)).len() < MIN_READINGS {
        missing(
            FaultKind::HeadPosition,
            "the ear was hidden behind the plate or not found",
        );
    }
    out
}

/// Why this rep's pose cannot be a body, if it cannot. Such a rep gets no
/// body-based flag, only the plate-based ones.
fn pose_doubt(body: &Body, lift: Lift, rep: &Rep, p: &FaultProfile) -> Option<String> {
    // A neck bent further from its standing angle than any neck can bend
    // (on squat_good_morning, where the plate hides the head, it read 139
    // and 151 deg and the same pose produced rounding, depth and lockout
    // flags). Hidden ears count here: they are the pose's own drawing.
    let neck = neck_changes(body, rep, None);
    if let Some(v) = sustained_worst(&neck)
        .map(|w| w.1)
        .filter(|v| neck.len() >= 3 && *v > p.max_plausible_neck_change_deg)
    {
        return Some(format!(
            "the pose drew the neck bent {v:.0} degrees from its standing angle, which no neck can do"
        ));
    }
    // In a back squat the bar rests on the upper back, a torso's length
    // from the hip joints. When the plate covers the torso the landmark
    // model can take it for the body and put the hips on its rim.
    if lift == Lift::Squat && body.bar.source == BarSource::Plate {
        let d = median((rep.start_frame..=rep.end_frame).filter_map(|i| {
            let (h, b) = (body.at(i, Joint::Hip)?, body.bar_at(i)?);
            Some((h.0 - b.0).hypot(h.1 - b.1))
        }))?;
        if d < p.min_hip_to_bar_m {
            return Some(format!(
                "the pose put the hips {:.0} cm from the bar (median), nearer than a back squat can (the bar rests a torso's length above them): it took the plate for the body",
                d * 100.0
            ));
        }
    }
    None
}

/// The frame where the lifter is at the top of this rep.
fn lockout_frame(lift: Lift, rep: &Rep) -> usize {
    match lift {
        Lift::Deadlift => rep.key_frame,
        Lift::Squat => rep.end_frame,
    }
}
