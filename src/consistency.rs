//! Rep-to-rep consistency across a set. A lifter who sets up, travels and
//! lowers the same way every rep is resetting well; a set whose reps differ
//! in depth, starting bar position, bar path or descent is one where
//! something (fatigue, a lost brace, a rushed reset) changed between reps,
//! which coaches look for before judging any single rep. Each measure is
//! compared across the set's reps and called `varied` when its spread
//! passes a limit of `[consistency]` in the profile, set above what the
//! measurement itself scatters on identical reps.

use serde::{Deserialize, Serialize};

use crate::bar::{BarSource, BarTrack};
use crate::reps::{Lift, Rep};

/// Limits on rep-to-rep spread (`[consistency]`); see
/// `profiles/default.toml` for the measurements behind each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConsistencyProfile {
    /// Fewest reps with a value before a measure is compared.
    pub min_reps: usize,
    /// Range of motion: largest minus smallest (m).
    pub range_of_motion_m: f64,
    /// Bar's distance ahead of the midfoot where each rep starts (m).
    pub start_position_m: f64,
    /// Bar's furthest distance ahead of the midfoot during each rep (m).
    pub bar_path_m: f64,
    /// Deadlift: torso angle at the start of each pull (deg).
    pub setup_torso_deg: f64,
    /// Descent time: largest minus smallest, as a share of the median.
    pub descent_share: f64,
}

impl Default for ConsistencyProfile {
    fn default() -> Self {
        ConsistencyProfile {
            min_reps: 2,
            range_of_motion_m: 0.06,
            start_position_m: 0.05,
            bar_path_m: 0.05,
            setup_torso_deg: 10.0,
            descent_share: 0.35,
        }
    }
}

impl ConsistencyProfile {
    pub fn validate(&self) -> std::result::Result<(), String> {
        if self.min_reps < 2 {
            return Err(format!(
                "consistency.min_reps = {} must be at least 2 (a spread needs two reps)",
                self.min_reps
            ));
        }
        crate::profile::each(
            "consistency",
            &[
                ("range_of_motion_m", self.range_of_motion_m),
                ("start_position_m", self.start_position_m),
                ("bar_path_m", self.bar_path_m),
                ("setup_torso_deg", self.setup_torso_deg),
                ("descent_share", self.descent_share),
            ],
            crate::profile::positive,
            "positive",
        )
    }
}

/// What is compared between reps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    RangeOfMotion,
    StartPosition,
    BarPath,
    SetupTorso,
    Descent,
}

impl Measure {
    /// In the lifter's words, for the summary and report.html.
    pub fn title(self) -> &'static str {
        match self {
            Measure::RangeOfMotion => "range of motion",
            Measure::StartPosition => "start position",
            Measure::BarPath => "bar path",
            Measure::SetupTorso => "setup torso angle",
            Measure::Descent => "descent time",
        }
    }

    /// Unit of the rep values; the descent's spread is a share of the
    /// median instead (`MeasureSpread::spread`).
    pub fn unit(self) -> &'static str {
        match self {
            Measure::RangeOfMotion | Measure::StartPosition | Measure::BarPath => "m",
            Measure::SetupTorso => "deg",
            Measure::Descent => "s",
        }
    }

    fn cue(self, lift: Lift) -> &'static str {
        match (self, lift) {
            (Measure::RangeOfMotion, Lift::Squat) => {
                "Pick a depth you can own (hip crease below the top of the knee) and reach it on every rep."
            }
            (Measure::RangeOfMotion, Lift::Deadlift) => {
                "Finish every rep standing tall and return the bar all the way to the floor."
            }
            (Measure::StartPosition, Lift::Squat) => {
                "Settle the bar over the middle of your foot before every descent."
            }
            (Measure::StartPosition, Lift::Deadlift) => {
                "Before each pull, set the bar back over the middle of your foot, against the shins."
            }
            (Measure::BarPath, _) => "Keep the bar on the same line every rep: over the midfoot, close to you.",
            (Measure::SetupTorso, _) => "Reset the same way before each pull: same hip height, same brace.",
            (Measure::Descent, _) => "Lower every rep at the same controlled speed.",
        }
    }
}

/// One measure across the set's reps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasureSpread {
    pub measure: Measure,
    /// Unit of `values` (m, deg or s).
    pub unit: String,
    /// (rep index, value) for every rep where it was measured.
    pub values: Vec<(usize, f64)>,
    /// Largest minus smallest value, in `unit`; for the descent, as a share
    /// of the median descent time.
    pub spread: f64,
    /// The profile's limit on `spread`.
    pub limit: f64,
    pub varied: bool,
    /// When varied: the rep furthest from the set's median.
    pub furthest_rep: Option<usize>,
    /// When varied: what the lifter can do about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cue: Option<String>,
}

impl MeasureSpread {
    /// The spread as a lifter reads it ("4 cm", "12 deg", "30 %"; "<1 cm"
    /// rather than a bare 0).
    pub fn spread_text(&self) -> String {
        let (value, unit) = match self.measure {
            Measure::RangeOfMotion | Measure::StartPosition | Measure::BarPath => (100.0 * self.spread, "cm"),
            Measure::SetupTorso => (self.spread, "deg"),
            Measure::Descent => (100.0 * self.spread, "%"),
        };
        if value < 0.5 {
            format!("<1 {unit}")
        } else {
            format!("{value:.0} {unit}")
        }
    }

    /// One rep's value as a lifter reads it.
    pub fn value_text(&self, v: f64) -> String {
        match self.measure {
            Measure::RangeOfMotion => format!("{v:.2} m"),
            Measure::StartPosition | Measure::BarPath if v < 0.0 => {
                format!("{:.0} cm behind the midfoot", -100.0 * v)
            }
            Measure::StartPosition | Measure::BarPath => format!("{:.0} cm ahead of the midfoot", 100.0 * v),
            Measure::SetupTorso => format!("{v:.0} deg"),
            Measure::Descent => format!("{v:.1} s"),
        }
    }

    /// One sentence for a varied measure: with two reps both values ("range
    /// of motion varied by 4 cm across the reps (rep 1 0.64 m, rep 2 0.61
    /// m)"), with more the range and the rep furthest from the median.
    pub fn sentence(&self) -> String {
        let detail = if self.values.len() == 2 {
            self.values
                .iter()
                .map(|&(r, v)| format!("rep {} {}", r + 1, self.value_text(v)))
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            let (lo, hi) = bounds(&self.values);
            let rep = self
                .furthest_rep
                .map(|r| format!("; rep {} differed most", r + 1))
                .unwrap_or_default();
            format!("from {} to {}{rep}", self.value_text(lo), self.value_text(hi))
        };
        format!(
            "{} varied by {} across the reps ({detail})",
            self.measure.title(),
            self.spread_text()
        )
    }
}

/// The set's consistency: every measure that could be compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Consistency {
    pub measures: Vec<MeasureSpread>,
}

impl Consistency {
    pub fn varied(&self) -> impl Iterator<Item = &MeasureSpread> {
        self.measures.iter().filter(|m| m.varied)
    }
}

/// Compare the reps of a set. `None` with fewer than `min_reps` reps whose
/// values could be compared. Reps that began before the clip are left out
/// of the range of motion, the start position and the descent (only their
/// ascent was filmed); bar positions are compared only where the plate (not
/// a stand-in from the hands or shoulders) placed the bar, and only when
/// `facing_known` (which way is ahead of the midfoot).
pub fn compare(
    lift: Lift,
    reps: &[Rep],
    bar: &BarTrack,
    facing_known: bool,
    p: &ConsistencyProfile,
) -> Option<Consistency> {
    let whole = || reps.iter().filter(|r| !r.starts_before_clip);
    let positions = facing_known && bar.source == BarSource::Plate;
    let plate_x = |i: usize| {
        bar.at(i)
            .filter(|b| positions && !b.stand_in && b.x_m.is_finite())
            .map(|b| b.x_m)
    };
    let mut candidates: Vec<(Measure, Vec<(usize, f64)>)> = vec![
        (
            Measure::RangeOfMotion,
            whole().map(|r| (r.index, r.range_of_motion_m)).collect(),
        ),
        (
            Measure::StartPosition,
            whole()
                .filter_map(|r| Some((r.index, plate_x(r.start_frame)?)))
                .collect(),
        ),
        (
            Measure::BarPath,
            reps.iter()
                .filter(|_| positions)
                .filter_map(|r| Some((r.index, r.max_bar_ahead_of_midfoot_m?)))
                .collect(),
        ),
    ];
    if lift == Lift::Deadlift {
        candidates.push((
            Measure::SetupTorso,
            reps.iter()
                .filter(|r| r.body_judged)
                .filter_map(|r| Some((r.index, r.torso_angle_start_deg?)))
                .collect(),
        ));
    }
    candidates.push((
        Measure::Descent,
        whole().filter_map(|r| Some((r.index, r.eccentric_s?))).collect(),
    ));
    let measures: Vec<MeasureSpread> = candidates
        .into_iter()
        .map(|(measure, mut values)| {
            values.retain(|(_, v)| v.is_finite());
            (measure, values)
        })
        .filter(|(_, values)| values.len() >= p.min_reps)
        .map(|(measure, values)| spread_of(measure, lift, values, p))
        .collect();
    (!measures.is_empty()).then_some(Consistency { measures })
}

/// Smallest and largest of the reps' values.
fn bounds(values: &[(usize, f64)]) -> (f64, f64) {
    values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &(_, v)| {
            (lo.min(v), hi.max(v))
        })
}

fn spread_of(measure: Measure, lift: Lift, values: Vec<(usize, f64)>, p: &ConsistencyProfile) -> MeasureSpread {
    let median = crate::signal::median(values.iter().map(|v| v.1)).unwrap_or(0.0);
    let (lo, hi) = bounds(&values);
    let (spread, limit) = match measure {
        Measure::RangeOfMotion => (hi - lo, p.range_of_motion_m),
        Measure::StartPosition => (hi - lo, p.start_position_m),
        Measure::BarPath => (hi - lo, p.bar_path_m),
        Measure::SetupTorso => (hi - lo, p.setup_torso_deg),
        Measure::Descent => ((hi - lo) / median.max(1e-9), p.descent_share),
    };
    let varied = spread > limit;
    // With two reps both sit as far from their median: neither stands out.
    let furthest_rep = values
        .iter()
        .max_by(|a, b| (a.1 - median).abs().total_cmp(&(b.1 - median).abs()))
        .map(|v| v.0)
        .filter(|_| varied && values.len() >= 3);
    MeasureSpread {
        measure,
        unit: measure.unit().to_string(),
        values,
        spread,
        limit,
        varied,
        furthest_rep,
        cue: varied.then(|| measure.cue(lift).to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bar::{BarFrame, Scale};

    /// A rep with the values the comparison reads; the rest left neutral.
    fn rep(index: usize, rom: f64, ahead: f64, descent: f64, torso: f64) -> Rep {
        Rep {
            index,
            start_s: 0.0,
            key_s: 0.0,
            end_s: 0.0,
            start_frame: index,
            key_frame: index,
            end_frame: index,
            phases: Vec::new(),
            eccentric_s: Some(descent),
            concentric_s: 1.0,
            range_of_motion_m: rom,
            mean_concentric_velocity_mps: 0.5,
            peak_concentric_velocity_mps: 1.0,
            torso_angle_start_deg: Some(torso),
            torso_angle_bottom_deg: Some(torso),
            torso_angle_lockout_deg: Some(0.0),
            max_bar_ahead_of_midfoot_m: Some(ahead),
            hip_above_knee_at_bottom_m: None,
            faults: Vec::new(),
            body_judged: true,
            starts_before_clip: false,
            not_checked: Vec::new(),
        }
    }

    /// A bar track whose frame `i` (a rep's start) sits `xs[i]` m ahead
    /// of the midfoot.
    fn bar(source: BarSource, xs: &[f64]) -> BarTrack {
        BarTrack {
            source,
            scale: Scale::plate_for_tests(0.004),
            origin_px: (0.0, 0.0),
            midfoot_px: None,
            frames: xs
                .iter()
                .map(|&x| {
                    Some(BarFrame {
                        x_m: x,
                        y_m: 0.2,
                        confidence: 1.0,
                        measured: true,
                        ..Default::default()
                    })
                })
                .collect(),
            fits: Vec::new(),
        }
    }

    fn measure(c: &Consistency, m: Measure) -> &MeasureSpread {
        c.measures.iter().find(|s| s.measure == m).expect("measure compared")
    }

    #[test]
    fn identical_reps_are_consistent() {
        let reps: Vec<Rep> = (0..3).map(|i| rep(i, 0.64, 0.01, 1.3, 45.0)).collect();
        let c = compare(
            Lift::Deadlift,
            &reps,
            &bar(BarSource::Plate, &[0.0; 3]),
            true,
            &ConsistencyProfile::default(),
        )
        .unwrap();
        assert_eq!(c.measures.len(), 5);
        assert_eq!(c.varied().count(), 0);
        assert!(c
            .measures
            .iter()
            .all(|m| m.spread.abs() < 1e-12 && m.furthest_rep.is_none() && m.cue.is_none()));
    }

    #[test]
    fn a_shallow_rep_a_forward_start_and_a_rushed_descent_are_named() {
        // Rep 3 of a squat set stops 14 cm higher and drops in 0.7 s; rep 2
        // starts with the bar 8 cm further forward.
        let reps = vec![
            rep(0, 0.64, 0.01, 1.3, 20.0),
            rep(1, 0.63, 0.02, 1.2, 20.0),
            rep(2, 0.50, 0.01, 0.7, 20.0),
        ];
        let c = compare(
            Lift::Squat,
            &reps,
            &bar(BarSource::Plate, &[0.00, 0.08, 0.01]),
            true,
            &ConsistencyProfile::default(),
        )
        .unwrap();
        // No setup torso for a squat.
        assert!(c.measures.iter().all(|m| m.measure != Measure::SetupTorso));
        let rom = measure(&c, Measure::RangeOfMotion);
        assert!(rom.varied && (rom.spread - 0.14).abs() < 1e-9 && rom.furthest_rep == Some(2));
        assert_eq!(
            rom.sentence(),
            "range of motion varied by 14 cm across the reps (from 0.50 m to 0.64 m; rep 3 differed most)"
        );
        let start = measure(&c, Measure::StartPosition);
        assert!(start.varied && start.furthest_rep == Some(1), "{start:?}");
        assert!(!measure(&c, Measure::BarPath).varied);
        let descent = measure(&c, Measure::Descent);
        // (1.3 - 0.7) / 1.2 = 50 % of the median descent.
        assert!(descent.varied && (descent.spread - 0.5).abs() < 1e-9 && descent.furthest_rep == Some(2));
        assert_eq!(descent.spread_text(), "50 %");
        assert!(descent
            .cue
            .as_deref()
            .is_some_and(|c| c.contains("same controlled speed")));
    }

    #[test]
    fn a_deadlift_pull_started_with_the_hips_higher_is_named() {
        let reps = vec![rep(0, 0.55, 0.0, 1.0, 70.0), rep(1, 0.55, 0.0, 1.0, 56.0)];
        let c = compare(
            Lift::Deadlift,
            &reps,
            &bar(BarSource::Plate, &[0.0; 2]),
            true,
            &ConsistencyProfile::default(),
        )
        .unwrap();
        let torso = measure(&c, Measure::SetupTorso);
        assert!(torso.varied && (torso.spread - 14.0).abs() < 1e-9 && torso.furthest_rep.is_none());
        assert_eq!(
            torso.sentence(),
            "setup torso angle varied by 14 deg across the reps (rep 1 70 deg, rep 2 56 deg)"
        );
        assert_eq!(c.varied().count(), 1);
    }

    #[test]
    fn partial_reps_stand_ins_and_single_reps_are_not_compared() {
        let p = ConsistencyProfile::default();
        // One rep: nothing to compare.
        assert!(compare(
            Lift::Squat,
            &[rep(0, 0.6, 0.0, 1.0, 20.0)],
            &bar(BarSource::Plate, &[0.0]),
            true,
            &p
        )
        .is_none());
        // A rep filmed from mid-descent has only its ascent: its short range
        // and missing descent are not a difference between reps.
        let mut first = rep(0, 0.30, 0.0, 1.0, 20.0);
        first.starts_before_clip = true;
        first.eccentric_s = None;
        let reps = vec![first, rep(1, 0.64, 0.0, 1.2, 20.0), rep(2, 0.63, 0.0, 1.1, 20.0)];
        let c = compare(Lift::Squat, &reps, &bar(BarSource::Plate, &[0.0; 3]), true, &p).unwrap();
        let rom = measure(&c, Measure::RangeOfMotion);
        assert_eq!(rom.values.len(), 2);
        assert!(!rom.varied);
        // Bar positions from the hands' stand-in are too rough to compare.
        let reps = vec![rep(0, 0.6, 0.0, 1.0, 20.0), rep(1, 0.6, 0.2, 1.0, 20.0)];
        let c = compare(Lift::Squat, &reps, &bar(BarSource::Hands, &[0.0, 0.2]), true, &p).unwrap();
        let no_positions = |c: &Consistency| {
            c.measures
                .iter()
                .all(|m| !matches!(m.measure, Measure::StartPosition | Measure::BarPath))
        };
        assert!(no_positions(&c));
        // Nor, from the plate, when the facing is in doubt: "ahead of the
        // midfoot" may be behind it.
        let c = compare(Lift::Squat, &reps, &bar(BarSource::Plate, &[0.0, 0.2]), false, &p).unwrap();
        assert!(no_positions(&c));
        assert!(
            compare(Lift::Squat, &reps, &bar(BarSource::Plate, &[0.0, 0.2]), true, &p)
                .unwrap()
                .varied()
                .any(|m| m.measure == Measure::StartPosition)
        );
    }
}
