//! Which lift, whether the footage can be judged, and the reps.
//!
//! The bar is the most reliable thing in a side view (a rigid object tracked
//! to a pixel), so reps are cut from its height: a squat rep is a valley
//! (stand, down, bottom, up, stand), a deadlift rep a peak (floor, up,
//! lockout, down, floor). A rep counts only with both its down and up
//! halves in the clip (or, for the deadlift, the pull from the floor), so a
//! clip that starts or ends mid-rep does not invent one.

use serde::{Deserialize, Serialize};

use crate::bar::BarTrack;
use crate::pose::RawPose;
use crate::signal::{crossing_share, median, percentile};
use crate::skeleton::{Joint, SagittalTrack};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Lift {
    Squat,
    Deadlift,
}

impl Lift {
    /// As written in report.json.
    pub fn name(self) -> &'static str {
        match self {
            Lift::Squat => "squat",
            Lift::Deadlift => "deadlift",
        }
    }
}

/// Thresholds of lift recognition, view checks and rep cutting (`[reps]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RepProfile {
    /// A rep moves the bar at least this far (m) down and up.
    pub min_rep_rom_m: f64,
    /// The same as a share of the clip's largest bar excursion (so a set of
    /// quarter squats still counts while a walkout wobble does not).
    pub min_rep_rom_share: f64,
    /// The bar is "at the top" / "at the bottom" within this share of the rep's ROM.
    pub phase_band_share: f64,
    /// Within those bands the bar counts as still below this speed (m/s):
    /// a phase begins where it starts to move and ends where it stops.
    pub still_below_mps: f64,
    /// A squat clip whose first frame sits more than this share of the
    /// first rep's ascent below the top it rises to opened mid-rep; a
    /// deadlift clip whose bar starts more than this share of the first
    /// pull's range above the floor was lowered into that pull (its phases
    /// read eccentric and floor, not setup).
    pub mid_rep_start_share: f64,
    /// Side-on: median |x(left hip) - x(right hip)| / torso length below this.
    /// Measured: side views 0.03-0.17, oblique and front 0.21-0.51.
    pub max_hip_spread_ratio: f64,
    /// Side-on: camera yaw estimated from the plate below this (degrees).
    pub max_camera_yaw_deg: f64,
    /// The plate's shape decides the view when it was measured on at least
    /// this share of frames (else the hips' spread does).
    pub min_plate_share_for_view: f64,
    /// The lifter must be found on at least this share of frames.
    pub min_pose_coverage: f64,
    /// Below `min_pose_coverage`, the reps are still counted and the bar
    /// measured (the body not judged) when the plate was measured on at
    /// least this share of frames.
    pub min_plate_share_for_bar_only: f64,
    /// Upright: median angle of the ankles-to-hips line from image-up below
    /// this (degrees); past it the lifter lies on their side in the picture.
    pub max_leg_tilt_deg: f64,
    /// Bar at least this many torso lengths below the shoulders (median) =
    /// bar in the hands (deadlift); else on the back (squat).
    pub deadlift_bar_below_shoulder_torso: f64,
}

impl Default for RepProfile {
    fn default() -> Self {
        RepProfile {
            min_rep_rom_m: 0.10,
            min_rep_rom_share: 0.4,
            phase_band_share: 0.05,
            still_below_mps: 0.02,
            mid_rep_start_share: 0.25,
            max_hip_spread_ratio: 0.2,
            max_camera_yaw_deg: 35.0,
            min_plate_share_for_view: 0.25,
            min_pose_coverage: 0.5,
            min_plate_share_for_bar_only: 0.75,
            max_leg_tilt_deg: 45.0,
            deadlift_bar_below_shoulder_torso: 0.6,
        }
    }
}

/// Can this footage be judged, and why (not).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ViewVerdict {
    /// "side_on", "not_side_on", "not_upright", "no_person", "body_hidden"
    /// or "no_lift".
    pub verdict: String,
    pub judgeable: bool,
    /// The body is not judged but the plate was: reps are counted and the
    /// bar measured from it ("body_hidden": a short lifter whose head and
    /// shoulders the plates hide loses the pose on most frames, while the
    /// plate is tracked throughout).
    #[serde(default)]
    pub bar_only: bool,
    /// Median hip spread over torso length (side views < 0.2).
    pub hip_spread_ratio: Option<f64>,
    /// Median angle of the ankles-to-hips line from image-up (degrees): 0
    /// standing, about 90 in a picture turned on its side.
    #[serde(default)]
    pub leg_tilt_deg: Option<f64>,
    pub camera_yaw_deg: Option<f64>,
    /// Tilt from level (a phone held high); a tilted side view is still
    /// side-on, and its heights are scaled row by row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub camera_tilt_deg: Option<f64>,
    pub pose_coverage: f64,
    /// What to change when filming, when the verdict is not side_on.
    pub advice: Option<String>,
}

impl ViewVerdict {
    /// The set has reps: judged side-on, or counted from the plate alone.
    pub fn reps_counted(&self) -> bool {
        self.judgeable || self.bar_only
    }
}

/// Where the lifter is in a rep. A squat runs setup (before the first
/// rep: unrack, walkout, brace), eccentric, bottom, concentric, lockout
/// (standing tall until the next descent); a deadlift setup (before the
/// first pull) or floor (the bar back on the floor between pulls),
/// concentric, lockout, eccentric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Setup,
    Eccentric,
    Bottom,
    Floor,
    Concentric,
    Lockout,
}

impl Phase {
    /// As written in report.json and kinematics.csv.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Setup => "setup",
            Phase::Eccentric => "eccentric",
            Phase::Bottom => "bottom",
            Phase::Floor => "floor",
            Phase::Concentric => "concentric",
            Phase::Lockout => "lockout",
        }
    }

    /// The lifter's word for it, short enough for a video caption or a
    /// table cell.
    pub fn plain(self) -> &'static str {
        match self {
            Phase::Setup => "setup",
            Phase::Eccentric => "down",
            Phase::Bottom => "bottom",
            Phase::Floor => "floor",
            Phase::Concentric => "up",
            Phase::Lockout => "top",
        }
    }
}

/// A run of frames in one phase: `frames` frames from `start_frame`,
/// lasting until the next phase begins (`duration_s`), so a rep's phase
/// durations add up to its length. A phase with no frames (a squat
/// bounced out of the bottom) is left out.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PhaseSpan {
    pub phase: Phase,
    pub start_frame: usize,
    pub frames: usize,
    pub start_s: f64,
    pub duration_s: f64,
}

impl PhaseSpan {
    /// Where the next phase begins (s).
    pub fn end_s(&self) -> f64 {
        self.start_s + self.duration_s
    }
}

/// One rep with its phase times (seconds) and measures.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Rep {
    pub index: usize,
    pub start_s: f64,
    /// Squat: the bottom; deadlift: the lockout (middle of the band).
    pub key_s: f64,
    pub end_s: f64,
    pub start_frame: usize,
    pub key_frame: usize,
    pub end_frame: usize,
    /// The rep's phases in order, each from where the bar started moving
    /// that way to where it stopped (`still_below_mps`, looked for within
    /// `phase_band_share` of each end): a paused squat's pause is its
    /// `bottom`, a deadlift's hold at the top its `lockout`. The squat's
    /// lockout and the deadlift's setup or floor reach past `end_s`/before
    /// `start_s` to the neighbouring rep.
    #[serde(default)]
    pub phases: Vec<PhaseSpan>,
    pub eccentric_s: Option<f64>,
    pub concentric_s: f64,
    pub range_of_motion_m: f64,
    pub mean_concentric_velocity_mps: f64,
    pub peak_concentric_velocity_mps: f64,
    pub torso_angle_start_deg: Option<f64>,
    /// Squat: at the bottom; deadlift: at the floor break.
    pub torso_angle_bottom_deg: Option<f64>,
    pub torso_angle_lockout_deg: Option<f64>,
    /// Largest bar distance ahead of the midfoot during the rep (m).
    pub max_bar_ahead_of_midfoot_m: Option<f64>,
    /// Squat only: hip height above the knee at the bottom (m; negative =
    /// below parallel). From joint centres, not the hip crease.
    pub hip_above_knee_at_bottom_m: Option<f64>,
    /// What the fault detectors flagged on this rep.
    #[serde(default)]
    pub faults: Vec<crate::faults::Fault>,
    /// False when the pose in this rep was found wrong (a note says why):
    /// only the bar (and, in a squat, the depth) was judged and the body
    /// angles are left out.
    #[serde(default = "judged")]
    pub body_judged: bool,
    /// The clip begins during this rep's descent (a squat filmed from
    /// mid-rep): its start is the clip's first frame, and its eccentric
    /// time and starting torso angle are unknown.
    #[serde(default)]
    pub starts_before_clip: bool,
    /// Checks this judged rep could not get, and why: no flag of such a
    /// kind means "not looked at", not "clean" (`faults::not_checked`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_checked: Vec<crate::faults::NotChecked>,
}

impl Rep {
    /// What was read from the body in this rep is not a measurement (a pose
    /// found wrong, or a body hidden on most frames): no torso angle or
    /// depth in the summary, and the rep marked so.
    pub fn unjudge_body(&mut self) {
        self.body_judged = false;
        self.torso_angle_start_deg = None;
        self.torso_angle_bottom_deg = None;
        self.torso_angle_lockout_deg = None;
        self.hip_above_knee_at_bottom_m = None;
    }

    /// The pose drew this deadlift's setup upright, which no setup can be
    /// (`faults::upright_setup`): the angle is not a measurement. A
    /// deadlift's bottom is its setup, the frame the bar leaves the floor,
    /// so that figure goes too.
    pub fn forget_setup_torso(&mut self) {
        self.torso_angle_start_deg = None;
        self.torso_angle_bottom_deg = None;
    }
}

fn judged() -> bool {
    true
}

/// Set summary.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SetSummary {
    pub reps: usize,
    /// (fastest - slowest) / fastest mean concentric velocity, in percent.
    pub velocity_loss_pct: Option<f64>,
    /// How alike the reps were (`consistency`); absent with fewer than
    /// two comparable reps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consistency: Option<crate::consistency::Consistency>,
}

/// Squat or deadlift from where the bar sits on the body.
pub fn recognise_lift(track: &SagittalTrack, bar: &BarTrack, p: &RepProfile) -> Option<Lift> {
    let below: Vec<f64> = (0..track.joints.len())
        .filter_map(|i| {
            let (s, h) = (track.point(i, Joint::Shoulder)?, track.point(i, Joint::Hip)?);
            let b = bar.at(i)?;
            let torso = ((s.x - h.x).powi(2) + (s.y - h.y).powi(2)).sqrt().max(1.0);
            Some((b.y_px - s.y) / torso)
        })
        .collect();
    let m = median(below)?;
    Some(if m > p.deadlift_bar_below_shoulder_torso {
        Lift::Deadlift
    } else {
        Lift::Squat
    })
}

/// How far to turn the camera from side-on so a head the plates hide
/// shows beside them (measured on a rendered short lifter, and on the
/// squat_good_morning lift whose pose drew the hips on the plate; README
/// "Faults" and docs/accuracy.md "Held-out renders").
pub(crate) const HIDDEN_HEAD_TURN: &str = "about 15 degrees";

/// Side-on check from the hips' left/right spread and the plate's shape.
pub fn judge_view(
    raw: &[Option<RawPose>],
    track: &SagittalTrack,
    bar: &crate::bar::BarSummary,
    p: &RepProfile,
) -> ViewVerdict {
    let camera_yaw_deg = bar.scale.turn_deg();
    let bar_rom_m = bar.range_of_motion_m;
    let n = track.analysed.len().max(1);
    let coverage = track.confident.iter().filter(|&&c| c).count() as f64 / n as f64;
    let spread = median(raw.iter().flatten().filter_map(|q| {
        let (hip, shoulder) = (q.midpoint(23, 24), q.midpoint(11, 12));
        let torso = (hip.0 - shoulder.0).hypot(hip.1 - shoulder.1);
        (torso > 1.0).then(|| ((q.points[23].x - q.points[24].x).abs() / torso) as f64)
    }));
    // A picture stored on its side without a rotation tag (or with a wrong
    // one) shows the lifter lying down; every measure is then meaningless.
    let leg_tilt_deg = median(raw.iter().flatten().filter_map(|q| {
        let (hip, ankle) = (q.midpoint(23, 24), q.midpoint(27, 28));
        let (dx, up) = ((hip.0 - ankle.0).abs() as f64, (ankle.1 - hip.1) as f64);
        (dx.hypot(up) > 1.0).then(|| dx.atan2(up).to_degrees())
    }));
    let film = "film from the side, square to the lifter, about level with the hips, 2-5 m away, with the whole body and the plates in frame";
    let upright = leg_tilt_deg.is_none_or(|a| a <= p.max_leg_tilt_deg);
    let lifted = bar_rom_m.is_some_and(|r| r >= p.min_rep_rom_m);
    // Without the body the plate can still time the reps and measure the
    // bar: when it was measured nearly throughout and looks side-on.
    let plate_alone = bar.source == crate::bar::BarSource::Plate
        && bar.measured_share >= p.min_plate_share_for_bar_only
        && bar.scale.camera_yaw_deg.is_some_and(|y| y <= p.max_camera_yaw_deg);
    let (verdict, advice) = if coverage < p.min_pose_coverage && plate_alone && upright && lifted {
        (
            "body_hidden",
            Some(format!(
                "the lifter's body was found on only {:.0}% of frames; the reps and the bar were measured from the plate. \
                 Where the plates hide the lifter's head and shoulders, film with the camera turned {HIDDEN_HEAD_TURN} from side-on towards the lifter's front, \
                 about level with the hips, 2-5 m away, with the whole body in frame",
                coverage * 100.0
            )),
        )
    } else if coverage < p.min_pose_coverage {
        (
            "no_person",
            Some(format!(
                "the lifter was found on only {:.0}% of frames: {film}",
                coverage * 100.0
            )),
        )
    } else if !upright {
        (
            "not_upright",
            Some(format!(
                "the lifter lies on their side or upside down in the picture (legs {:.0} deg from upright): the video is probably stored turned; rotate it upright (or fix its rotation tag) and analyse it again",
                leg_tilt_deg.unwrap_or(f64::NAN)
            )),
        )
    } else if !side_on(bar, spread, p) {
        (
            "not_side_on",
            Some(format!("this looks like a front, back or angled view: {film}")),
        )
    } else if !lifted {
        (
            "no_lift",
            Some("no lift was found: the bar hardly moves. Film the whole set, from before the first rep".into()),
        )
    } else {
        ("side_on", None)
    };
    ViewVerdict {
        verdict: verdict.into(),
        judgeable: verdict == "side_on",
        bar_only: verdict == "body_hidden",
        hip_spread_ratio: spread,
        leg_tilt_deg,
        camera_yaw_deg,
        camera_tilt_deg: bar.scale.tilt_deg(),
        pose_coverage: coverage,
        advice,
    }
}

/// A plate seen on most frames is the best witness of the camera angle (a
/// circle side-on, an ellipse when turned, a line from the front); the
/// hips' spread decides only without one, since a collapsed pose (plate
/// over the upper back) spreads them too.
fn side_on(bar: &crate::bar::BarSummary, hip_spread: Option<f64>, p: &RepProfile) -> bool {
    match bar.scale.camera_yaw_deg {
        Some(yaw) if bar.source == crate::bar::BarSource::Plate && bar.measured_share >= p.min_plate_share_for_view => {
            yaw <= p.max_camera_yaw_deg
        }
        _ => hip_spread.is_none_or(|s| s <= p.max_hip_spread_ratio),
    }
}

/// Turning points of a series: indices of alternating local extrema whose
/// swing from the previous one is at least `min_swing` (a hysteresis
/// zig-zag, robust to small wobbles).
fn zigzag(y: &[Option<f64>], min_swing: f64) -> Vec<(usize, bool)> {
    // (index, is_peak)
    let mut out: Vec<(usize, bool)> = Vec::new();
    let mut cand: Option<(usize, f64)> = None;
    let mut dir = 0i8; // +1 rising towards a peak, -1 falling towards a valley
    let mut lo: Option<(usize, f64)> = None;
    let mut hi: Option<(usize, f64)> = None;
    for (i, v) in y.iter().enumerate() {
        let Some(v) = *v else { continue };
        match dir {
            0 => {
                if lo.is_none_or(|(_, l)| v < l) {
                    lo = Some((i, v));
                }
                if hi.is_none_or(|(_, h)| v > h) {
                    hi = Some((i, v));
                }
                if let (Some((li, l)), Some((hi_i, h))) = (lo, hi) {
                    if h - l >= min_swing {
                        if li < hi_i {
                            out.push((li, false));
                            dir = 1;
                            cand = Some((hi_i, h));
                        } else {
                            out.push((hi_i, true));
                            dir = -1;
                            cand = Some((li, l));
                        }
                    }
                }
            }
            1 => {
                let (ci, c) = cand.expect("candidate while rising");
                if v > c {
                    cand = Some((i, v));
                } else if c - v >= min_swing {
                    out.push((ci, true));
                    dir = -1;
                    cand = Some((i, v));
                }
            }
            _ => {
                let (ci, c) = cand.expect("candidate while falling");
                if v < c {
                    cand = Some((i, v));
                } else if v - c >= min_swing {
                    out.push((ci, false));
                    dir = 1;
                    cand = Some((i, v));
                }
            }
        }
    }
    if let Some((ci, _)) = cand {
        out.push((ci, dir == 1));
    }
    out
}

/// Cut reps from the bar height.
pub fn segment(
    times: &[f64],
    lift: Lift,
    track: &SagittalTrack,
    bar: &BarTrack,
    p: &RepProfile,
) -> (Vec<Rep>, SetSummary) {
    let y: Vec<Option<f64>> = bar
        .frames
        .iter()
        .map(|f| f.map(|b| b.y_m).filter(|v| v.is_finite()))
        .collect();
    let vals: Vec<f64> = y.iter().flatten().copied().collect();
    let (Some(top), Some(bottom)) = (
        percentile(vals.iter().copied(), 100.0),
        percentile(vals.iter().copied(), 0.0),
    ) else {
        return (
            Vec::new(),
            SetSummary {
                reps: 0,
                velocity_loss_pct: None,
                consistency: None,
            },
        );
    };
    let swing = p.min_rep_rom_m.max(p.min_rep_rom_share * (top - bottom));
    let turns = zigzag(&y, swing);
    let v: Vec<Option<f64>> = bar
        .frames
        .iter()
        .map(|f| f.map(|b| b.vy_mps).filter(|v| v.is_finite()))
        .collect();
    // One frame's time, for a phase that runs to the clip's last frame.
    let frame_s = median(times.windows(2).map(|w| w[1] - w[0])).unwrap_or(0.0);
    let at = |i: usize| times.get(i).copied().unwrap_or(times[times.len() - 1] + frame_s);
    // When a phase that starts (or ends) at frame b began (or ended), in
    // seconds, and the bar's height then: where the speed along d (+1 up,
    // -1 down) crosses `still_below_mps` between frames b - 1 and b, or
    // frame b when it does not cross there or either speed is unknown.
    // Whole frames would put each edge up to a frame late: 5 % of a fast
    // rep's 0.7 s.
    let edge = |b: usize, d: f64| -> (f64, Option<f64>) {
        let speed = |i: usize| v.get(i).copied().flatten().map(|s| d * s);
        let share = match (b.checked_sub(1).and_then(speed), speed(b)) {
            (Some(va), Some(vb)) => crossing_share(va, vb, p.still_below_mps),
            _ => None,
        };
        match share {
            Some(f) => (
                at(b - 1) + f * (at(b) - at(b - 1)),
                y[b - 1].zip(y[b]).map(|(ya, yb)| ya + f * (yb - ya)),
            ),
            None => (at(b), y.get(b).copied().flatten()),
        }
    };
    let mut reps = Vec::new();
    let mut marks = Vec::new();
    // A squat rep is peak -> valley -> peak; a deadlift rep valley -> peak,
    // with the following valley (when present) ending it.
    let want_key_peak = lift == Lift::Deadlift;
    let first = y.iter().position(Option::is_some);
    for (k, &(key, is_peak)) in turns.iter().enumerate() {
        if is_peak != want_key_peak {
            continue;
        }
        let after = turns.get(k + 1).map(|t| t.0);
        if lift == Lift::Squat && after.is_none() {
            continue; // ends at the bottom: no ascent
        }
        // A squat clip may open on the way down or at the bottom: then
        // its first bottom comes before any top, or its first top is the
        // clip's first frame, well below the top the lifter rises to. That
        // rep began before the clip and its ascent is whole (a deadlift
        // clip opening mid-pull already has a low point at its first frame).
        let before = match k.checked_sub(1) {
            Some(j) => turns[j].0,
            None => match first {
                Some(f) if lift == Lift::Squat && f <= key => f,
                _ => continue,
            },
        };
        let after = after.unwrap_or(y.len() - 1);
        let (Some(y_key), Some(y_before)) = (y[key], y[before]) else {
            continue;
        };
        let ascent = y[after].map_or(0.0, |a| a - y_key);
        let starts_before_clip = lift == Lift::Squat
            && Some(before) == first
            && ascent > 0.0
            && (y_key + ascent - y_before) > p.mid_rep_start_share * ascent;
        // The rep's range runs from its top: the top it rose to when the
        // one before it is not in the clip.
        let rom = if starts_before_clip {
            ascent
        } else {
            (y_key - y_before).abs()
        };
        let band = p.phase_band_share * rom;
        // Leave the starting band, and reach the end band.
        let leave = if starts_before_clip {
            before
        } else {
            (before..=key)
                .rev()
                .find(|&i| y[i].is_some_and(|v| (v - y_before).abs() <= band))
                .unwrap_or(before)
        };
        let arrive = (key..=after)
            .find(|&i| y[i].is_some_and(|v| (v - y[after].unwrap_or(v)).abs() <= band))
            .unwrap_or(after);
        // The key band: the stretch around the key within `band` of it.
        let key_lo = (before..=key)
            .rev()
            .take_while(|&i| y[i].is_some_and(|v| (v - y_key).abs() <= band))
            .last()
            .unwrap_or(key);
        let key_hi = (key..=after)
            .take_while(|&i| y[i].is_some_and(|v| (v - y_key).abs() <= band))
            .last()
            .unwrap_or(key);
        let key_mid = (key_lo + key_hi) / 2;
        // A clip that ends in the lockout has no descent to end the rep:
        // it ends with the lockout band, not inside it.
        let arrive = arrive.max(key_hi);
        // The bands cut the rep where the bar is surely moving; its phases
        // run from where it starts moving to where it stops, so the slow
        // first and last centimetres count in the durations and the mean
        // velocity (as velocity trackers time a concentric). Each edge moves
        // from its band crossing towards the rest while the bar still moves.
        // `going(i, d)`: moving in direction d (+1 up, -1 down) on frame i.
        let going = |i: usize, d: f64| v[i].is_some_and(|s| s * d >= p.still_below_mps);
        let near = |i: usize, level: Option<f64>| matches!((y[i], level), (Some(h), Some(l)) if (h - l).abs() <= band);
        // The first half goes down in a squat, up in a deadlift.
        let out = if lift == Lift::Squat { -1.0 } else { 1.0 };
        let mut start = leave + usize::from(!starts_before_clip && leave < key);
        while !starts_before_clip && start > before && going(start - 1, out) && near(start - 1, Some(y_before)) {
            start -= 1;
        }
        let turn_lo = (key_lo..key).find(|&i| !going(i, out)).unwrap_or(key);
        // A deadlift clip that ends in the lockout or on the way down has no
        // whole eccentric: what it shows of one runs to the clip's end.
        let ends_in_turn = turns.get(k + 1).is_none();
        let turn_hi = (key..=key_hi)
            .rev()
            .find(|&i| !going(i, -out))
            .map_or(key, |i| i + 1)
            .max(turn_lo);
        let mut stop = arrive.max(turn_hi);
        while stop < y.len() && (ends_in_turn || going(stop, -out) && near(stop, y[after])) {
            stop += 1;
        }
        // After the rep the bar rests in its end band (the top for a squat,
        // the floor for a deadlift) until here.
        let mut rest_end = stop;
        while rest_end < y.len() && near(rest_end, y[after]) {
            rest_end += 1;
        }
        let (conc_from, conc_to) = if lift == Lift::Squat {
            (turn_hi, stop)
        } else {
            (start, turn_lo)
        };
        // A phase's edges, timed where the speed crosses `still_below_mps`
        // between the frames either side of them (`edge`).
        let ecc = if starts_before_clip {
            None
        } else if lift == Lift::Squat {
            Some(edge(turn_lo, out).0 - edge(start, out).0)
        } else {
            Some(edge(stop, -out).0 - edge(turn_hi, -out).0).filter(|_| !ends_in_turn)
        };
        let ((conc_t0, conc_y0), (conc_t1, conc_y1)) = (edge(conc_from, 1.0), edge(conc_to, 1.0));
        let vs: Vec<f64> = (conc_from..conc_to).filter_map(|i| v[i]).collect();
        // The mean concentric velocity is the rise over the time it took, as
        // velocity trackers give it. The mean of the frames' speeds counted
        // whole frames: one frame more or less at an edge (a speed of 0.0206
        // against 0.0189 m/s at the top) moved a 0.7 s rep's mean by 5 %.
        let mean_v = match (conc_y0, conc_y1) {
            (Some(a), Some(b)) if conc_t1 > conc_t0 => (b - a) / (conc_t1 - conc_t0),
            _ if vs.is_empty() => 0.0,
            _ => vs.iter().sum::<f64>() / vs.len() as f64,
        };
        let peak_v = vs.iter().copied().fold(0.0, f64::max);
        let angle = |i: usize| track.torso_angle_deg.get(i).copied().flatten();
        let bottom_i = if lift == Lift::Squat { key_mid } else { leave };
        let lockout_i = if lift == Lift::Squat { arrive } else { key_mid };
        let ahead = (leave..=arrive)
            .filter_map(|i| bar.frames[i].map(|b| b.x_m))
            .fold(f64::NEG_INFINITY, f64::max);
        let depth = (lift == Lift::Squat)
            .then(|| track.hip_above_knee_m(bottom_i, bar.scale.metres_per_px))
            .flatten();
        // A deadlift clip may open with the bar held high and lowered to the
        // floor for the first pull (bichraix bad011: 0.75 m down over 1.5 s):
        // that is an eccentric under load, not a setup, though its rep's
        // pull was before the clip.
        let lead_in_end = first
            .filter(|&f| {
                lift == Lift::Deadlift
                    && reps.is_empty()
                    && y[f].is_some_and(|h| h - y_before > p.mid_rep_start_share * rom)
            })
            .and_then(|f| (f..start).find(|&i| near(i, Some(y_before))));
        marks.push(Marks {
            start,
            turn_lo,
            turn_hi,
            stop,
            rest_end,
            lead_in_end,
        });
        reps.push(Rep {
            index: reps.len(),
            start_s: times[leave],
            key_s: times[key_mid],
            end_s: times[arrive],
            start_frame: leave,
            key_frame: key_mid,
            end_frame: arrive,
            phases: Vec::new(),
            eccentric_s: ecc.filter(|e| *e > 0.0),
            concentric_s: conc_t1 - conc_t0,
            range_of_motion_m: rom,
            mean_concentric_velocity_mps: mean_v,
            peak_concentric_velocity_mps: peak_v,
            torso_angle_start_deg: angle(leave).filter(|_| !starts_before_clip),
            torso_angle_bottom_deg: angle(bottom_i),
            torso_angle_lockout_deg: angle(lockout_i),
            max_bar_ahead_of_midfoot_m: ahead.is_finite().then_some(ahead),
            hip_above_knee_at_bottom_m: depth,
            faults: Vec::new(),
            body_judged: true,
            starts_before_clip,
            not_checked: Vec::new(),
        });
    }
    let mut from = first.unwrap_or(0);
    for (k, (r, m)) in reps.iter_mut().zip(&marks).enumerate() {
        let next_start = marks.get(k + 1).map(|m| m.start);
        r.phases = phases(at, lift, m, from.min(m.start), k == 0, next_start);
        from = r.phases.last().map_or(m.stop, |p| p.start_frame + p.frames).max(m.stop);
    }
    let speeds: Vec<f64> = reps.iter().map(|r| r.mean_concentric_velocity_mps).collect();
    let loss = (speeds.len() >= 2).then(|| {
        let fast = speeds.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let slow = speeds.iter().copied().fold(f64::INFINITY, f64::min);
        100.0 * (fast - slow) / fast.max(1e-9)
    });
    let n = reps.len();
    (
        reps,
        SetSummary {
            reps: n,
            velocity_loss_pct: loss,
            consistency: None,
        },
    )
}

/// Where a rep's bar started and stopped moving (frame indices; the
/// phases run from one to the next, each ending where the next begins).
struct Marks {
    /// Started to move (the eccentric of a squat, the pull of a deadlift).
    start: usize,
    /// At the turn (bottom or lockout): came to rest, moved again. Equal
    /// when the bar turned without stopping.
    turn_lo: usize,
    turn_hi: usize,
    /// Came to rest after the rep (the clip's length if it never did).
    stop: usize,
    /// Left the band it came to rest in (or the clip ended).
    rest_end: usize,
    /// A deadlift clip's first pull whose bar was first lowered from above:
    /// where it reached the floor (only ever set on the first rep).
    lead_in_end: Option<usize>,
}

/// A rep's phases from where its bar moved. `from` is the first frame no
/// earlier phase holds (the clip's first frame with a bar for the first
/// rep); `next_start` is where the next rep starts to move; `at` gives a
/// frame's time (one frame past the clip's last for its end).
fn phases(
    at: impl Fn(usize) -> f64,
    lift: Lift,
    m: &Marks,
    from: usize,
    first_rep: bool,
    next_start: Option<usize>,
) -> Vec<PhaseSpan> {
    let span = |phase: Phase, a: usize, b: usize| {
        (b > a).then(|| PhaseSpan {
            phase,
            start_frame: a,
            frames: b - a,
            start_s: at(a),
            duration_s: at(b) - at(a),
        })
    };
    // Resting after the rep, up to the next rep.
    let still = next_start.map_or(m.rest_end, |n| m.rest_end.min(n));
    let list = match lift {
        // Between squats the lifter stands locked out, then braces for the
        // next descent once the bar moves (a breath, a shift of the feet).
        Lift::Squat => vec![
            span(Phase::Setup, from, m.start),
            span(Phase::Eccentric, m.start, m.turn_lo),
            span(Phase::Bottom, m.turn_lo, m.turn_hi),
            span(Phase::Concentric, m.turn_hi, m.stop),
            span(Phase::Lockout, m.stop, still),
        ],
        // The bar back on the floor belongs to the pull it waits for.
        Lift::Deadlift => vec![
            m.lead_in_end.and_then(|floor| span(Phase::Eccentric, from, floor)),
            match m.lead_in_end {
                Some(floor) => span(Phase::Floor, floor, m.start),
                None => span(if first_rep { Phase::Setup } else { Phase::Floor }, from, m.start),
            },
            span(Phase::Concentric, m.start, m.turn_lo),
            span(Phase::Lockout, m.turn_lo, m.turn_hi),
            span(Phase::Eccentric, m.turn_hi, m.stop),
            next_start
                .is_none()
                .then(|| span(Phase::Floor, m.stop, still))
                .flatten(),
        ],
    };
    list.into_iter().flatten().collect()
}

/// The phase and rep index (0-based) of every frame; None outside the
/// reps' phases (after the set, or a walk between shots). A deadlift's bar
/// back on the floor after its last pull is `floor` of that rep.
pub fn phase_per_frame(reps: &[Rep], frames: usize) -> Vec<Option<(usize, Phase)>> {
    let mut out = vec![None; frames];
    for r in reps {
        for p in &r.phases {
            for slot in out.iter_mut().skip(p.start_frame).take(p.frames) {
                *slot = Some((r.index, p.phase));
            }
        }
    }
    out
}

/// reps.csv: one row per rep.
pub fn write_reps_csv(path: &std::path::Path, reps: &[Rep]) -> crate::error::Result<()> {
    use std::fmt::Write as _;
    let opt = |v: Option<f64>, d: usize| v.map(|v| format!("{v:.d$}")).unwrap_or_default();
    let mut out = String::from(
        "rep,start_s,key_s,end_s,eccentric_s,concentric_s,rom_m,mean_concentric_mps,peak_concentric_mps,\
         torso_start_deg,torso_bottom_deg,torso_lockout_deg,max_bar_ahead_of_midfoot_m,hip_above_knee_at_bottom_m,faults,body_judged,starts_before_clip,not_checked\n",
    );
    for r in reps {
        let _ = writeln!(
            out,
            "{},{:.3},{:.3},{:.3},{},{:.3},{:.3},{:.3},{:.3},{},{},{},{},{},{},{},{},{}",
            r.index + 1,
            r.start_s,
            r.key_s,
            r.end_s,
            opt(r.eccentric_s, 3),
            r.concentric_s,
            r.range_of_motion_m,
            r.mean_concentric_velocity_mps,
            r.peak_concentric_velocity_mps,
            opt(r.torso_angle_start_deg, 1),
            opt(r.torso_angle_bottom_deg, 1),
            opt(r.torso_angle_lockout_deg, 1),
            opt(r.max_bar_ahead_of_midfoot_m, 3),
            opt(r.hip_above_knee_at_bottom_m, 3),
            // Kinds joined with ';' (a CSV cell), each with its severity.
            r.faults
                .iter()
                .map(|f| format!("{}:{}", f.kind.name(), f.severity.name()))
                .collect::<Vec<_>>()
                .join(";"),
            if r.body_judged { "yes" } else { "no" },
            if r.starts_before_clip { "yes" } else { "no" },
            r.not_checked
                .iter()
                .map(|n| n.kind.name())
                .collect::<Vec<_>>()
                .join(";"),
        );
    }
    crate::report::write_atomic(path, out.as_bytes())
}

/// A rep for detector tests: frames `start`, `key`, `end` at `fps`, the
/// given range of motion, and plain kinematics.
#[cfg(test)]
pub(crate) fn test_rep(start: usize, key: usize, end: usize, fps: f64, rom: f64) -> Rep {
    let t = |i: usize| i as f64 / fps;
    Rep {
        index: 0,
        start_s: t(start),
        key_s: t(key),
        end_s: t(end),
        start_frame: start,
        key_frame: key,
        end_frame: end,
        phases: Vec::new(),
        eccentric_s: None,
        concentric_s: 1.0,
        range_of_motion_m: rom,
        mean_concentric_velocity_mps: 0.5,
        peak_concentric_velocity_mps: 0.8,
        torso_angle_start_deg: None,
        torso_angle_bottom_deg: None,
        torso_angle_lockout_deg: None,
        max_bar_ahead_of_midfoot_m: None,
        hip_above_knee_at_bottom_m: None,
        body_judged: true,
        starts_before_clip: false,
        not_checked: Vec::new(),
        faults: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(vals: &[f64]) -> Vec<Option<f64>> {
        vals.iter().map(|&v| Some(v)).collect()
    }

    use crate::bar::{BarFrame, BarSource, Scale};
    use crate::skeleton::{Facing, JOINTS};

    /// A bar track from heights sampled at 30 fps, and a matching empty skeleton.
    fn tracks(heights: &[f64]) -> (Vec<f64>, SagittalTrack, BarTrack) {
        let times: Vec<f64> = (0..heights.len()).map(|i| i as f64 / 30.0).collect();
        let v = crate::signal::derivative(&times, heights);
        let frames = heights
            .iter()
            .zip(&v)
            .map(|(&y, &vy)| {
                Some(BarFrame {
                    y_m: y,
                    vy_mps: vy,
                    x_m: 0.02,
                    confidence: 1.0,
                    measured: true,
                    ..Default::default()
                })
            })
            .collect();
        let n = heights.len();
        let skel = SagittalTrack {
            facing: Facing::Right,
            facing_doubt: None,
            joints: vec![[None; JOINTS]; n],
            confident: vec![true; n],
            torso_angle_deg: vec![Some(10.0); n],
            thigh_px: 100.0,
            analysed: 0..n,
        };
        let scale = Scale::plate_for_tests(0.004);
        (
            times,
            skel,
            BarTrack {
                source: BarSource::Plate,
                scale,
                origin_px: (0.0, 0.0),
                midfoot_px: None,
                frames,
                fits: vec![None; n],
            },
        )
    }

    /// Smooth move from a to b over `secs` at 30 fps.
    fn ramp(a: f64, b: f64, secs: f64) -> Vec<f64> {
        let n = (secs * 30.0).round() as usize;
        (0..n)
            .map(|i| {
                let u = i as f64 / n as f64;
                a + (b - a) * u * u * (3.0 - 2.0 * u)
            })
            .collect()
    }

    fn hold(v: f64, secs: f64) -> Vec<f64> {
        vec![v; (secs * 30.0).round() as usize]
    }

    /// The view verdict for a lifter found on `coverage` of 100 frames,
    /// a plate measured on `plate_share` of them and squeezed to read
    /// `yaw_deg`, and a bar that moved `rom_m`.
    fn view(coverage: f64, plate_share: f64, yaw_deg: f64, rom_m: f64) -> ViewVerdict {
        let (_, mut skel, bar) = tracks(&[1.0; 100]);
        let found = (coverage * 100.0).round() as usize;
        skel.confident = (0..100).map(|i| i < found).collect();
        let mut scale = bar.scale.clone();
        scale.camera_yaw_deg = Some(yaw_deg);
        let summary = crate::bar::BarSummary {
            source: BarSource::Plate,
            scale,
            measured_share: plate_share,
            interpolated_share: 1.0 - plate_share,
            stand_in_share: 0.0,
            range_of_motion_m: Some(rom_m),
            peak_up_velocity_mps: None,
            peak_down_velocity_mps: None,
            plate_searches: 0,
        };
        judge_view(&vec![None; 100], &skel, &summary, &RepProfile::default())
    }

    #[test]
    fn a_body_the_plates_hide_still_has_its_reps_counted_from_the_plate() {
        // The rendered short lifter: found on 41 % of frames, the plate on
        // all of them, side-on, through 0.5 m squats.
        let v = view(0.41, 1.0, 1.2, 0.5);
        assert_eq!(v.verdict, "body_hidden");
        assert!(v.bar_only && !v.judgeable);
        assert!(
            v.advice.as_deref().unwrap().contains("turned about 15 degrees"),
            "{v:?}"
        );
        // The plate too seldom measured, seen from the front or never
        // moved: nothing is counted.
        for (plate_share, yaw_deg, rom_m) in [(0.6, 1.2, 0.5), (1.0, 60.0, 0.5), (1.0, 1.2, 0.02)] {
            let v = view(0.41, plate_share, yaw_deg, rom_m);
            assert_eq!(v.verdict, "no_person", "{plate_share} {yaw_deg} {rom_m}");
            assert!(!v.bar_only && !v.judgeable);
        }
        // With the body found the set is judged as usual.
        let v = view(0.9, 1.0, 1.2, 0.5);
        assert_eq!(v.verdict, "side_on");
        assert!(v.judgeable && !v.bar_only);
    }

    /// A fast pull (0.42 m in 0.7 s, a smoothstep) sampled at 30 fps with
    /// its start at a quarter, half and three quarters of a frame: the
    /// reported duration and mean velocity must not step with where the
    /// frames happen to fall.
    #[test]
    fn a_fast_pull_reads_the_same_wherever_its_start_falls_between_frames() {
        let smooth = |u: f64| u.clamp(0.0, 1.0).powi(2) * (3.0 - 2.0 * u.clamp(0.0, 1.0));
        let height = |t: f64, t0: f64| {
            let up = 0.42 * smooth((t - t0) / 0.7);
            let down = 0.42 * smooth((t - t0 - 1.3) / 0.7);
            0.225 + up - down
        };
        let mut read = Vec::new();
        for offset in [0.0, 0.25, 0.5, 0.75] {
            let t0 = 0.5 + offset / 30.0;
            let h: Vec<f64> = (0..90).map(|i| height(i as f64 / 30.0, t0)).collect();
            let (t, skel, bar) = tracks(&h);
            let (reps, _) = segment(&t, Lift::Deadlift, &skel, &bar, &RepProfile::default());
            assert_eq!(reps.len(), 1, "{reps:?}");
            read.push((reps[0].mean_concentric_velocity_mps, reps[0].concentric_s));
        }
        let spread = |f: fn(&(f64, f64)) -> f64| {
            let v: Vec<f64> = read.iter().map(f).collect();
            v.iter().copied().fold(f64::MIN, f64::max) - v.iter().copied().fold(f64::MAX, f64::min)
        };
        // Whole-frame edges read 0.573-0.599 m/s and 0.700 or 0.733 s;
        // timed between the frames, 0.576-0.586 and 0.717-0.729.
        assert!(spread(|r| r.0) < 0.012, "mean velocity by offset: {read:?}");
        assert!(spread(|r| r.1) < 0.02, "concentric time by offset: {read:?}");
        // 0.6 m/s over the rise. The frame-to-frame speed leaks half a frame
        // of movement into the frames either side of it, so the edges sit a
        // little wide and the mean reads 2-4 % low.
        assert!(read.iter().all(|r| (r.0 - 0.6).abs() < 0.03), "{read:?}");
    }

    #[test]
    fn two_squat_reps_with_a_pause_are_found_with_their_bottoms() {
        let mut h = hold(1.5, 0.5);
        for _ in 0..2 {
            h.extend(ramp(1.5, 0.9, 1.2));
            h.extend(hold(0.9, 0.4)); // paused at the bottom
            h.extend(ramp(0.9, 1.5, 1.0));
            h.extend(hold(1.5, 0.5));
        }
        let (t, skel, bar) = tracks(&h);
        let (reps, set) = segment(&t, Lift::Squat, &skel, &bar, &RepProfile::default());
        assert_eq!(set.reps, 2, "{reps:?}");
        // First bottom: 0.5 + 1.2 s in, held 0.4 s: middle at 1.9 s.
        assert!((reps[0].key_s - 1.9).abs() < 0.1, "{:?}", reps[0]);
        assert!((reps[0].range_of_motion_m - 0.6).abs() < 0.01);
        assert!(reps[0].mean_concentric_velocity_mps > 0.4 && reps[0].peak_concentric_velocity_mps > 0.8);
        // The phases run from where the bar starts moving to where it
        // stops: the whole 1.2 s way down, the 0.4 s pause, the 1.0 s way up.
        let names: Vec<Phase> = reps[0].phases.iter().map(|p| p.phase).collect();
        use Phase::*;
        assert_eq!(
            names,
            [Setup, Eccentric, Bottom, Concentric, Lockout],
            "{:?}",
            reps[0].phases
        );
        assert_eq!(reps[1].phases[0].phase, Eccentric, "{:?}", reps[1].phases);
        let secs = |r: &Rep, p: Phase| r.phases.iter().find(|s| s.phase == p).map_or(0.0, |s| s.duration_s);
        for (p, want) in [(Setup, 0.5), (Eccentric, 1.2), (Bottom, 0.4), (Concentric, 1.0)] {
            assert!((secs(&reps[0], p) - want).abs() < 0.07, "{p:?}: {:?}", reps[0].phases);
        }
        assert!((reps[0].concentric_s - 1.0).abs() < 0.07, "{:?}", reps[0]);
        assert!((reps[0].eccentric_s.unwrap() - 1.2).abs() < 0.07, "{:?}", reps[0]);
        // Regression: the mean concentric velocity was taken between the
        // bands, leaving out the slow start and finish (0.74 m/s here for
        // 0.6 m in 1.0 s).
        assert!(
            (reps[0].mean_concentric_velocity_mps - 0.6).abs() < 0.03,
            "{:?}",
            reps[0]
        );
        // The lockout runs until the next descent: every frame from the
        // first setup to the last lockout has a phase.
        let per_frame = phase_per_frame(&reps, h.len());
        assert!(per_frame.iter().all(Option::is_some), "{per_frame:?}");
        assert_eq!(per_frame[reps[1].phases[0].start_frame - 1], Some((0, Lockout)));
    }

    /// A paused squat's pause is its bottom phase; a bounce has none.
    #[test]
    fn a_pause_at_the_bottom_is_its_bottom_phase() {
        for pause in [0.0, 1.5] {
            let mut h = hold(1.5, 0.5);
            h.extend(ramp(1.5, 0.9, 1.2));
            h.extend(hold(0.9, pause));
            h.extend(ramp(0.9, 1.5, 1.0));
            h.extend(hold(1.5, 0.5));
            let (t, skel, bar) = tracks(&h);
            let (reps, _) = segment(&t, Lift::Squat, &skel, &bar, &RepProfile::default());
            let bottom = reps[0]
                .phases
                .iter()
                .find(|p| p.phase == Phase::Bottom)
                .map_or(0.0, |p| p.duration_s);
            // A bounce turns within a frame or two.
            assert!((bottom - pause).abs() < 0.1, "pause {pause}: {:?}", reps[0].phases);
        }
    }

    #[test]
    fn a_squat_clip_ending_at_the_bottom_does_not_count_the_last_descent() {
        let mut h = hold(1.5, 0.5);
        h.extend(ramp(1.5, 0.9, 1.2));
        h.extend(ramp(0.9, 1.5, 1.0));
        h.extend(ramp(1.5, 0.9, 1.2));
        let (t, skel, bar) = tracks(&h);
        assert_eq!(segment(&t, Lift::Squat, &skel, &bar, &RepProfile::default()).1.reps, 1);
    }

    /// Regression (squat_gymai_quarter): the clip opens on the way down
    /// into the first of four quarter squats, and that rep, whose ascent
    /// is all in the clip, was not counted.
    #[test]
    fn a_squat_clip_opening_on_the_way_down_counts_that_rep_from_its_ascent() {
        let mut h = ramp(1.3, 0.9, 0.5); // the second half of a descent
        h.extend(ramp(0.9, 1.5, 1.0));
        h.extend(hold(1.5, 0.5));
        h.extend(ramp(1.5, 0.9, 1.2));
        h.extend(ramp(0.9, 1.5, 1.0));
        let (t, skel, bar) = tracks(&h);
        let (reps, set) = segment(&t, Lift::Squat, &skel, &bar, &RepProfile::default());
        assert_eq!(set.reps, 2, "{reps:?}");
        let first = &reps[0];
        assert!(first.starts_before_clip && !reps[1].starts_before_clip);
        assert_eq!(first.start_frame, 0);
        // Its range is the ascent's (0.6 m), not the 0.4 m of descent seen.
        assert!((first.range_of_motion_m - 0.6).abs() < 0.01, "{first:?}");
        assert!(first.eccentric_s.is_none() && first.torso_angle_start_deg.is_none());
        assert!((first.key_s - 0.5).abs() < 0.1, "{first:?}");
    }

    #[test]
    fn deadlift_starting_standing_counts_only_pulls_from_the_floor() {
        // Standing with the bar, lowered to the floor, pulled again (one rep).
        let mut h = hold(0.75, 0.5);
        h.extend(ramp(0.75, 0.225, 1.2));
        h.extend(hold(0.225, 0.3));
        h.extend(ramp(0.225, 0.75, 1.1));
        h.extend(hold(0.75, 0.6));
        let (t, skel, bar) = tracks(&h);
        let (reps, _) = segment(&t, Lift::Deadlift, &skel, &bar, &RepProfile::default());
        assert_eq!(reps.len(), 1, "{reps:?}");
        assert!(
            (reps[0].key_s - (0.5 + 1.2 + 0.3 + 1.1 + 0.3)).abs() < 0.15,
            "{:?}",
            reps[0]
        );
    }

    /// Regression (bichraix bad011): a pull whose clip ends in the lockout
    /// ended at the first frame near the top, before its lockout (end
    /// 3.03 s, lockout 3.30 s).
    #[test]
    fn a_deadlift_clip_ending_in_the_lockout_ends_the_rep_after_it() {
        let mut h = hold(0.225, 0.5);
        h.extend(ramp(0.225, 0.75, 1.1));
        h.extend(hold(0.75, 0.8));
        let (t, skel, bar) = tracks(&h);
        let (reps, _) = segment(&t, Lift::Deadlift, &skel, &bar, &RepProfile::default());
        assert_eq!(reps.len(), 1, "{reps:?}");
        let r = &reps[0];
        assert!(r.start_s < r.key_s && r.key_s <= r.end_s, "{r:?}");
        assert!(r.end_frame == h.len() - 1 && r.eccentric_s.is_none(), "{r:?}");
        // Its lockout runs to the clip's end; no way down is invented.
        let last = r.phases.last().unwrap();
        assert_eq!(last.phase, Phase::Lockout, "{:?}", r.phases);
        assert_eq!(last.start_frame + last.frames, h.len());
        assert!((last.duration_s - 0.8).abs() < 0.07, "{:?}", r.phases);
    }

    /// Regression (bichraix bad011): a clip that opens with the bar held at
    /// the top and lowered to the floor for the one pull called the 1.5 s
    /// of lowering "setup".
    #[test]
    fn a_bar_lowered_into_the_first_pull_is_an_eccentric_not_a_setup() {
        let mut h = hold(0.75, 0.3);
        h.extend(ramp(0.75, 0.225, 1.2));
        h.extend(hold(0.225, 0.4));
        h.extend(ramp(0.225, 0.75, 1.0));
        h.extend(hold(0.75, 0.5));
        let (t, skel, bar) = tracks(&h);
        let (reps, _) = segment(&t, Lift::Deadlift, &skel, &bar, &RepProfile::default());
        assert_eq!(reps.len(), 1, "{reps:?}");
        use Phase::*;
        let names: Vec<Phase> = reps[0].phases.iter().map(|p| p.phase).collect();
        assert_eq!(names, [Eccentric, Floor, Concentric, Lockout], "{:?}", reps[0].phases);
        // The lowering runs from the clip's start until the bar is about on
        // the floor (within the 5 % band of the 0.525 m pull).
        let down = &reps[0].phases[0];
        assert_eq!(down.start_frame, 0);
        assert!((down.duration_s - 1.45).abs() < 0.1, "{:?}", reps[0].phases);
        // The pull's own eccentric is not invented from it.
        assert!(reps[0].eccentric_s.is_none(), "{:?}", reps[0]);
    }

    #[test]
    fn touch_and_go_deadlifts_are_separate_reps_with_velocity_loss() {
        let mut h = hold(0.225, 0.5);
        for k in 0..3 {
            let up = 1.0 + 0.3 * k as f64; // each pull slower
            h.extend(ramp(0.225, 0.75, up));
            h.extend(hold(0.75, 0.3));
            h.extend(ramp(0.75, 0.225, 0.9)); // no pause on the floor
        }
        let (t, skel, bar) = tracks(&h);
        let (reps, set) = segment(&t, Lift::Deadlift, &skel, &bar, &RepProfile::default());
        assert_eq!(set.reps, 3, "{reps:?}");
        assert!(reps[0].mean_concentric_velocity_mps > reps[2].mean_concentric_velocity_mps);
        let loss = set.velocity_loss_pct.unwrap();
        assert!(loss > 25.0 && loss < 45.0, "velocity loss {loss}");
        // Setup, then each pull's concentric, lockout and eccentric; the
        // bar touches the floor for a frame at most between pulls.
        use Phase::*;
        let names: Vec<Phase> = reps[0].phases.iter().map(|p| p.phase).collect();
        assert_eq!(names, [Setup, Concentric, Lockout, Eccentric], "{:?}", reps[0].phases);
        for r in &reps[1..] {
            let floor: usize = r.phases.iter().filter(|p| p.phase == Floor).map(|p| p.frames).sum();
            assert!(floor <= 2, "{:?}", r.phases);
        }
        // Each concentric is the whole ramp (1.0, 1.3, 1.6 s).
        for (k, r) in reps.iter().enumerate() {
            assert!((r.concentric_s - (1.0 + 0.3 * k as f64)).abs() < 0.07, "{r:?}");
        }
    }

    #[test]
    fn zigzag_finds_turns_and_ignores_wobble() {
        // stand 1.5, wobble, down to 0.9, up to 1.5, down to 0.95, up
        let mut v = vec![1.5, 1.52, 1.49, 1.51];
        v.extend((0..10).map(|i| 1.5 - 0.06 * i as f64));
        v.extend((0..10).map(|i| 0.9 + 0.06 * i as f64));
        v.extend((0..10).map(|i| 1.5 - 0.055 * i as f64));
        v.extend((0..10).map(|i| 0.95 + 0.055 * i as f64));
        let turns = zigzag(&series(&v), 0.2);
        let kinds: Vec<bool> = turns.iter().map(|t| t.1).collect();
        assert_eq!(kinds, vec![true, false, true, false, true], "{turns:?}");
        assert!((v[turns[1].0] - 0.9).abs() < 0.07);
    }
}
