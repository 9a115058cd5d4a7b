//! Fault detectors: one function per fault, each reading the same per-frame
//! body and bar signals of one rep and returning at most one flag.
//!
//! Every detector measures one number with a unit, compares it with three
//! levels from the profile (`[faults]`: minor, moderate, major) and says how
//! much the evidence can be trusted (`confidence`): the pose's own point
//! confidence over the frames used, times how far past the first level the
//! value is, times a penalty when the bar position is a stand-in rather than
//! the tracked plate. Nothing is flagged on footage the view check declined.

use serde::{Deserialize, Serialize};

use crate::bar::{BarSource, BarTrack};
use crate::feet::HeelReading;
use crate::liftoff::LiftoffReading;
use crate::pose::outline::STATIONS;
use crate::pose::RawPose;
use crate::reps::{Lift, Rep};
use crate::signal::{median, percentile};
use crate::skeleton::{Joint, SagittalTrack};

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

/// Levels and windows of every detector (`[faults]` in the profile). Each
/// `*_levels` triple is minor, moderate, major; the first is the threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultProfile {
    /// Torso within this of vertical (deg): a standing frame, the lifter's
    /// own reference for rounding, neck angle and torso length.
    pub standing_max_torso_deg: f64,
    /// Squat: torso lean gained (deg) out of the bottom.
    pub good_morning_torso_gain_deg: [f64; 3],
    /// ...while the hips rise at least this many times as far as the bar.
    pub good_morning_min_hip_to_bar_rise: f64,
    /// Share of the ascent (from the bottom) watched.
    pub good_morning_window_share: f64,
    /// Deadlift: hip rise over shoulder rise in the first part of the pull.
    pub hips_rise_ratio_levels: [f64; 3],
    /// ...and the torso must not get more upright than this (deg) meanwhile.
    pub hips_rise_min_torso_change_deg: f64,
    /// The first part of the pull ends when the bar has risen this share of the ROM.
    pub hips_rise_window_rom_share: f64,
    /// Watch from this long (s) before the bar leaves the floor.
    pub hips_rise_lead_s: f64,
    /// When the window runs off the clip's start, the bar may rise no
    /// faster than this (m/s) there: faster, the pull began before the
    /// clip and is not judged.
    pub hips_rise_max_start_speed_mps: f64,
    /// A torso read more upright than this (deg, median over the
    /// `hips_rise_lead_s` before the bar leaves the floor) is no deadlift
    /// setup but a pose that took the plate for the hips: the hips' rise is
    /// not judged on that rep.
    pub hips_rise_min_setup_torso_deg: f64,
    /// Before the bar leaves the floor: the hips' rise beyond the
    /// shoulders' (m), read from the picture (`crate::liftoff`).
    pub hips_before_liftoff_m: [f64; 3],
    /// How long before the bar leaves the floor (s) that rise is watched.
    pub liftoff_window_s: f64,
    /// The bar counts as on the floor within this (m) of its lowest there.
    pub liftoff_bar_rest_m: f64,
    /// A hips or shoulders patch matching worse than this is lost.
    pub liftoff_min_match: f64,
    /// Below this match the patch is cut afresh where it was found.
    pub liftoff_reanchor_match: f64,
    /// Back outline bulge growth over the lifter's own standing outline, in
    /// hip-shoulder lengths.
    pub rounding_bulge_levels: [f64; 3],
    /// ...together with the hip-shoulder distance shrinking to at most this
    /// share of the standing length.
    pub rounding_max_torso_length_ratio: f64,
    /// Frames whose hip-shoulder chord leaves the person mask (body thinner
    /// than this share of the chord on either side at any station) are not
    /// read for rounding: pose and mask disagree there.
    pub rounding_min_torso_depth_share: f64,
    /// How far along the bar (m) the far plate's facing side lies from the
    /// near plate's outer face; a turned camera shows it beside the near
    /// plate, and back outline stations it covers are not read.
    pub rounding_far_plate_spacing_m: f64,
    /// The far plate's image is grown by this factor about its centre when
    /// testing outline stations: the mask's edge blurs a few pixels past it.
    pub rounding_far_plate_grow: f64,
    /// A station's outline edge is tested this far (px) back from where
    /// the mask's reach stopped: a reach that stopped on the plate's rim
    /// ends just outside it.
    pub rounding_far_plate_inset_px: f64,
    /// Torso angle at lockout (deg, negative = behind vertical).
    pub hyperextension_torso_deg: [f64; 3],
    /// A lean-back needing the shoulders further than this behind the ankles
    /// (m) would topple the lifter: the pose is wrong there, no flag.
    pub hyperextension_max_shoulder_behind_ankle_m: f64,
    /// The back's outline must dip at least this far (hip-shoulder lengths)
    /// inside the straight line across its ends somewhere in the lockout
    /// window: leaning back is a spine pushed into extension only when the
    /// back arches. Where the outline was not read the angle decides alone.
    pub hyperextension_min_back_arch: f64,
    /// Largest knee angle reached at lockout (deg, 180 = straight).
    pub soft_lockout_knee_deg: [f64; 3],
    /// Largest hip angle reached at lockout (deg, 180 = straight).
    pub soft_lockout_hip_deg: [f64; 3],
    /// A knee nearer the near plate's centre than this many plate radii is
    /// behind the plate: its angle is a guess and not judged.
    pub soft_lockout_knee_hidden_plate_radii: f64,
    /// A knee whose thigh or shin is more than this many times the
    /// lifter's usual length (or less than its inverse) is misplaced: the
    /// angles it makes are not judged at lockout.
    pub soft_lockout_max_limb_ratio: f64,
    /// Bar ahead of the midfoot (m).
    pub bar_drift_ahead_m: [f64; 3],
    /// Bar moving forward from where it started the rep (m).
    pub bar_drift_travel_m: f64,
    /// How much nearer the camera the near plate is than the foot the
    /// midfoot is read from, along the bar (m).
    pub bar_drift_plate_depth_m: f64,
    /// Camera turn assumed when the plate's ellipse could not be measured (deg).
    pub bar_drift_unknown_yaw_deg: f64,
    /// Camera turn the ellipse reads on a square-on camera (deg): turns
    /// within it are treated as none.
    pub bar_drift_yaw_noise_deg: f64,
    /// Thigh angle above horizontal at the bottom (deg, from joint centres).
    pub above_parallel_thigh_deg: [f64; 3],
    /// Squat depth from the bar alone, for reps whose hip and knee cannot be
    /// read: the bar's descent as a share of its standing height above the
    /// floor (lower = shallower).
    pub above_parallel_bar_drop_share: [f64; 3],
    /// A bar descent of at least this share of its standing height is a
    /// squat at depth whatever the pose reads for a hip the plate hides.
    pub deep_bar_drop_share: f64,
    /// Confidence of a depth read from the bar alone (before the bar's own
    /// per-frame confidence), as it rests on typical body proportions.
    pub bar_depth_confidence: f64,
    /// On a rep whose pose is doubted elsewhere (head or hips drawn where
    /// no body can be), the thigh still gives the depth when it is at least
    /// this share of the shin at the bottom (median): a real leg's are about
    /// equal, a pose collapsed under the plate shrinks the thigh.
    pub doubted_depth_min_thigh_to_shin: f64,
    /// How far the heel patch rose against the toe patch since the rep's
    /// standing frame (m), read from the picture (`crate::feet`).
    pub heel_lift_m: [f64; 3],
    /// Least normalised correlation of a heel or toe patch with its
    /// standing-frame self for the frame's rise to count.
    pub heel_min_match: f64,
    /// The standing frame's heel-to-toe line must lie within this of level
    /// (deg) to be the flat-foot reference.
    pub heel_ref_max_foot_deg: f64,
    /// ...and its heel-to-toe length within this range (m).
    pub heel_ref_foot_m: [f64; 2],
    /// Heel and toe patches may part sideways by at most this share of the
    /// foot's length (a planted foot's heel rises almost straight up).
    pub heel_max_slide_feet: f64,
    /// Each heel reading is the median of the readings this near in time (s).
    pub heel_median_s: f64,
    /// A deadlift's heel is watched from the bar leaving the floor until
    /// it has risen this share of the rep's range...
    pub heel_early_pull_rom_share: f64,
    /// ...and when fewer than this share of those frames read the heel
    /// (the plate hides the feet), a note says heel lift was not seen there.
    pub heel_early_pull_min_read_share: f64,
    /// Neck angle against the torso line, change from the lifter's standing angle (deg).
    pub head_neck_change_deg: [f64; 3],
    /// A change past this is beyond any neck: the rep's pose is wrong (deg).
    pub max_plausible_neck_change_deg: f64,
    /// An ear nearer the near plate's centre than this many plate radii is
    /// behind the plate: the neck angle there is not judged.
    pub head_ear_hidden_plate_radii: f64,
    /// Squat: a rep whose pose puts the hips nearer the bar than this (m,
    /// median over the rep) has drawn them on the plate: the pose is wrong.
    pub min_hip_to_bar_m: f64,
    /// The lockout (and the bottom) is watched this long either side (s).
    pub key_window_s: f64,
    /// Confidence multiplier for measures that need the bar when the plate
    /// was not tracked (hands/shoulders stand in).
    pub proxy_bar_confidence: f64,
}

impl Default for FaultProfile {
    fn default() -> Self {
        FaultProfile {
            standing_max_torso_deg: 20.0,
            good_morning_torso_gain_deg: [8.0, 12.0, 18.0],
            good_morning_min_hip_to_bar_rise: 1.3,
            good_morning_window_share: 0.5,
            hips_rise_ratio_levels: [0.95, 1.15, 1.4],
            hips_rise_min_torso_change_deg: -1.0,
            hips_rise_window_rom_share: 0.33,
            hips_rise_lead_s: 0.2,
            hips_rise_max_start_speed_mps: 0.1,
            hips_rise_min_setup_torso_deg: 20.0,
            hips_before_liftoff_m: [0.035, 0.06, 0.09],
            liftoff_window_s: 1.5,
            liftoff_bar_rest_m: 0.005,
            liftoff_min_match: 0.7,
            liftoff_reanchor_match: 0.9,
            rounding_bulge_levels: [0.2, 0.3, 0.4],
            rounding_max_torso_length_ratio: 0.845,
            rounding_min_torso_depth_share: 0.05,
            rounding_far_plate_spacing_m: 1.36,
            rounding_far_plate_grow: 1.1,
            rounding_far_plate_inset_px: 2.0,
            hyperextension_torso_deg: [-8.0, -15.0, -20.0],
            hyperextension_max_shoulder_behind_ankle_m: 0.17,
            hyperextension_min_back_arch: 0.03,
            soft_lockout_knee_deg: [145.0, 135.0, 125.0],
            soft_lockout_hip_deg: [150.0, 140.0, 130.0],
            soft_lockout_knee_hidden_plate_radii: 1.0,
            soft_lockout_max_limb_ratio: 1.75,
            bar_drift_ahead_m: [0.10, 0.15, 0.20],
            bar_drift_travel_m: 0.10,
            bar_drift_plate_depth_m: 0.55,
            bar_drift_unknown_yaw_deg: 10.0,
            bar_drift_yaw_noise_deg: 6.0,
            above_parallel_thigh_deg: [5.0, 15.0, 30.0],
            above_parallel_bar_drop_share: [0.30, 0.26, 0.21],
            deep_bar_drop_share: 0.40,
            bar_depth_confidence: 0.7,
            doubted_depth_min_thigh_to_shin: 0.85,
            heel_lift_m: [0.012, 0.025, 0.04],
            heel_min_match: 0.7,
            heel_ref_max_foot_deg: 35.0,
            heel_ref_foot_m: [0.14, 0.4],
            heel_max_slide_feet: 0.1,
            heel_median_s: 0.2,
            heel_early_pull_rom_share: 0.33,
            heel_early_pull_min_read_share: 0.5,
            head_neck_change_deg: [60.0, 75.0, 90.0],
            max_plausible_neck_change_deg: 110.0,
            head_ear_hidden_plate_radii: 1.0,
            min_hip_to_bar_m: 0.25,
            key_window_s: 0.3,
            proxy_bar_confidence: 0.6,
        }
    }
}

impl FaultProfile {
    pub fn validate(&self) -> std::result::Result<(), String> {
        let rising = |name: &str, l: [f64; 3]| {
            if l.iter().all(|v| v.is_finite()) && l[0] <= l[1] && l[1] <= l[2] {
                Ok(())
            } else {
                Err(format!(
                    "faults.{name} = {l:?} must be three increasing numbers (minor, moderate, major)"
                ))
            }
        };
        let falling = |name: &str, l: [f64; 3]| {
            if l.iter().all(|v| v.is_finite()) && l[0] >= l[1] && l[1] >= l[2] {
                Ok(())
            } else {
                Err(format!(
                    "faults.{name} = {l:?} must be three decreasing numbers (minor, moderate, major)"
                ))
            }
        };
        rising("good_morning_torso_gain_deg", self.good_morning_torso_gain_deg)?;
        rising("hips_rise_ratio_levels", self.hips_rise_ratio_levels)?;
        rising("hips_before_liftoff_m", self.hips_before_liftoff_m)?;
        rising("rounding_bulge_levels", self.rounding_bulge_levels)?;
        falling("hyperextension_torso_deg", self.hyperextension_torso_deg)?;
        falling("soft_lockout_knee_deg", self.soft_lockout_knee_deg)?;
        falling("soft_lockout_hip_deg", self.soft_lockout_hip_deg)?;
        rising("bar_drift_ahead_m", self.bar_drift_ahead_m)?;
        rising("above_parallel_thigh_deg", self.above_parallel_thigh_deg)?;
        falling("above_parallel_bar_drop_share", self.above_parallel_bar_drop_share)?;
        rising("heel_lift_m", self.heel_lift_m)?;
        rising("head_neck_change_deg", self.head_neck_change_deg)?;
        let [shortest, longest] = self.heel_ref_foot_m;
        if !(shortest.is_finite() && longest.is_finite() && 0.0 < shortest && shortest < longest) {
            return Err(format!(
                "faults.heel_ref_foot_m = {:?} must be two increasing lengths in metres (shortest, longest foot)",
                self.heel_ref_foot_m
            ));
        }
        crate::profile::each(
            "faults",
            &[
                ("soft_lockout_max_limb_ratio", self.soft_lockout_max_limb_ratio),
                ("rounding_far_plate_grow", self.rounding_far_plate_grow),
            ],
            |v| v.is_finite() && v >= 1.0,
            "1 or more (a factor either way)",
        )?;
        crate::profile::shares(
            "faults",
            &[
                ("good_morning_window_share", self.good_morning_window_share),
                ("hips_rise_window_rom_share", self.hips_rise_window_rom_share),
                ("rounding_max_torso_length_ratio", self.rounding_max_torso_length_ratio),
                ("rounding_min_torso_depth_share", self.rounding_min_torso_depth_share),
                ("proxy_bar_confidence", self.proxy_bar_confidence),
                ("deep_bar_drop_share", self.deep_bar_drop_share),
                ("bar_depth_confidence", self.bar_depth_confidence),
                ("doubted_depth_min_thigh_to_shin", self.doubted_depth_min_thigh_to_shin),
                ("heel_min_match", self.heel_min_match),
                ("heel_max_slide_feet", self.heel_max_slide_feet),
                ("heel_early_pull_rom_share", self.heel_early_pull_rom_share),
                ("heel_early_pull_min_read_share", self.heel_early_pull_min_read_share),
                ("liftoff_min_match", self.liftoff_min_match),
                ("liftoff_reanchor_match", self.liftoff_reanchor_match),
            ],
        )?;
        crate::profile::each(
            "faults",
            &[
                ("standing_max_torso_deg", self.standing_max_torso_deg),
                (
                    "soft_lockout_knee_hidden_plate_radii",
                    self.soft_lockout_knee_hidden_plate_radii,
                ),
                ("hips_rise_lead_s", self.hips_rise_lead_s),
                ("hips_rise_max_start_speed_mps", self.hips_rise_max_start_speed_mps),
                ("hips_rise_min_setup_torso_deg", self.hips_rise_min_setup_torso_deg),
                ("liftoff_window_s", self.liftoff_window_s),
                ("liftoff_bar_rest_m", self.liftoff_bar_rest_m),
                ("key_window_s", self.key_window_s),
                ("bar_drift_travel_m", self.bar_drift_travel_m),
                ("max_plausible_neck_change_deg", self.max_plausible_neck_change_deg),
                ("head_ear_hidden_plate_radii", self.head_ear_hidden_plate_radii),
                ("min_hip_to_bar_m", self.min_hip_to_bar_m),
                ("heel_ref_max_foot_deg", self.heel_ref_max_foot_deg),
                ("heel_median_s", self.heel_median_s),
                ("bar_drift_plate_depth_m", self.bar_drift_plate_depth_m),
                ("bar_drift_unknown_yaw_deg", self.bar_drift_unknown_yaw_deg),
                ("bar_drift_yaw_noise_deg", self.bar_drift_yaw_noise_deg),
                ("rounding_far_plate_spacing_m", self.rounding_far_plate_spacing_m),
                ("rounding_far_plate_inset_px", self.rounding_far_plate_inset_px),
                (
                    "hyperextension_max_shoulder_behind_ankle_m",
                    self.hyperextension_max_shoulder_behind_ankle_m,
                ),
                ("hyperextension_min_back_arch", self.hyperextension_min_back_arch),
            ],
            |v| v.is_finite() && v >= 0.0,
            "zero or positive",
        )
    }
}

/// The per-frame signals every detector reads, in the canonical frame:
/// metres, x towards the lifter's toes, y up, origin at the midfoot on the
/// floor (the bar track's frame).
pub struct Body<'a> {
    pub times: &'a [f64],
    pub track: &'a SagittalTrack,
    pub bar: &'a BarTrack,
    raw: &'a [Option<RawPose>],
    sign: f64,
    origin: (f64, f64),
    mpp: f64,
    /// The lifter's standing hip-shoulder length (px) and back outline
    /// (reach / that length at each outline station).
    standing: Option<(f64, [f64; 5])>,
    /// Neck angle against the torso when standing (deg).
    standing_neck_deg: Option<f64>,
    /// Per frame, the heel's rise against the toes since the rep's standing
    /// frame and where the heel was (`crate::feet`); empty without the video.
    heels: &'a [Option<HeelReading>],
    /// Per frame before each pull's bar leaves the floor, the hips' and
    /// shoulders' rise (`crate::liftoff`); empty without the video.
    liftoff: &'a [Option<LiftoffReading>],
    /// The lifter's usual thigh and shin lengths (px; medians over the clip).
    limbs_px: Option<(f64, f64)>,
    /// Every rep's first frame, in order: a window read for one rep stops
    /// before the next one starts.
    rep_starts: Vec<usize>,
}

/// `q` inside the polygon grown by `grow` about its vertices' mean (even-odd
/// rule).
fn inside_polygon(q: (f64, f64), poly: &[(f64, f64)], grow: f64) -> bool {
    if poly.len() < 3 {
        return false;
    }
    let n = poly.len() as f64;
    let c = poly.iter().fold((0.0, 0.0), |a, p| (a.0 + p.0 / n, a.1 + p.1 / n));
    let q = (c.0 + (q.0 - c.0) / grow, c.1 + (q.1 - c.1) / grow);
    let mut inside = false;
    let mut j = poly.len() - 1;
    for i in 0..poly.len() {
        let (a, b) = (poly[i], poly[j]);
        if (a.1 > q.1) != (b.1 > q.1) && q.0 < a.0 + (q.1 - a.1) * (b.0 - a.0) / (b.1 - a.1) {
            inside = !inside;
        }
        j = i;
    }
    inside
}

/// An angle difference brought into [-180, 180): two angles in (-180, 180]
/// differ by up to a full turn.
fn wrap_deg(d: f64) -> f64 {
    (d + 180.0).rem_euclid(360.0) - 180.0
}

impl<'a> Body<'a> {
    /// `standing_max_torso_deg`: frames with the torso this close to
    /// vertical are the lifter's own standing reference (back outline,
    /// torso length, neck angle).
    pub fn new(
        times: &'a [f64],
        track: &'a SagittalTrack,
        bar: &'a BarTrack,
        raw: &'a [Option<RawPose>],
        standing_max_torso_deg: f64,
    ) -> Self {
        let sign = track.facing.sign();
        let mut body = Body {
            times,
            track,
            bar,
            raw,
            sign,
            // The bar track's origin, so joints and bar share one frame.
            origin: bar.origin_px,
            mpp: bar.scale.metres_per_px,
            standing: None,
            standing_neck_deg: None,
            heels: &[],
            liftoff: &[],
            rep_starts: Vec::new(),
            limbs_px: None,
        };
        let standing: Vec<usize> = (0..times.len())
            .filter(|&i| track.confident.get(i).copied().unwrap_or(false))
            .filter(|&i| body.torso_deg(i).is_some_and(|a| a.abs() < standing_max_torso_deg))
            .collect();
        let length = median(standing.iter().filter_map(|&i| body.torso_length_px(i)));
        body.standing = length.and_then(|len| {
            let reach: Vec<[f64; 5]> = standing.iter().filter_map(|&i| body.back_reach_px(i)).collect();
            if reach.len() < 3 {
                return None;
            }
            let per = |k: usize| median(reach.iter().map(|r| r[k] / len)).unwrap_or(0.0);
            Some((len, std::array::from_fn(per)))
        });
        body.standing_neck_deg = median(standing.iter().filter_map(|&i| body.neck_deg(i)));
        let limbs: Vec<(f64, f64)> = (0..times.len()).filter_map(|i| body.limbs_at(i)).collect();
        body.limbs_px = median(limbs.iter().map(|l| l.0)).zip(median(limbs.iter().map(|l| l.1)));
        body
    }

    /// A joint in canonical metres with its confidence.
    pub fn at(&self, i: usize, j: Joint) -> Option<(f64, f64, f64)> {
        let p = self.track.point(i, j)?;
        Some((
            (p.x - self.origin.0) * self.sign * self.mpp,
            (self.origin.1 - p.y) * self.mpp,
            p.conf,
        ))
    }

    pub fn bar_at(&self, i: usize) -> Option<(f64, f64)> {
        self.bar.at(i).map(|b| (b.x_m, b.y_m))
    }

    /// Lean of the segment lower -> upper from vertical (deg), + = towards the toes.
    pub fn lean_deg(&self, i: usize, lower: Joint, upper: Joint) -> Option<f64> {
        let (a, b) = (self.at(i, lower)?, self.at(i, upper)?);
        Some((b.0 - a.0).atan2(b.1 - a.1).to_degrees())
    }

    pub fn torso_deg(&self, i: usize) -> Option<f64> {
        self.track.torso_angle_deg.get(i).copied().flatten()
    }

    /// Angle at joint `b` between `a` and `c` (deg; 180 = straight).
    pub fn joint_deg(&self, i: usize, a: Joint, b: Joint, c: Joint) -> Option<f64> {
        let (a, b, c) = (self.at(i, a)?, self.at(i, b)?, self.at(i, c)?);
        let (u, v) = ((a.0 - b.0, a.1 - b.1), (c.0 - b.0, c.1 - b.1));
        let n = (u.0.hypot(u.1) * v.0.hypot(v.1)).max(1e-12);
        Some(((u.0 * v.0 + u.1 * v.1) / n).clamp(-1.0, 1.0).acos().to_degrees())
    }

    /// Neck against the torso line (deg): + = head dropped towards the chest.
    pub fn neck_deg(&self, i: usize) -> Option<f64> {
        Some(wrap_deg(
            self.lean_deg(i, Joint::Shoulder, Joint::Ear)? - self.lean_deg(i, Joint::Hip, Joint::Shoulder)?,
        ))
    }

    /// Heel height over the toe (px), from confident points only.
    /// The heel read from the picture (`crate::feet::HeelReader`).
    pub fn with_heels(mut self, heels: &'a [Option<HeelReading>]) -> Self {
        self.heels = heels;
        self
    }

    pub fn with_liftoff(mut self, liftoff: &'a [Option<LiftoffReading>]) -> Self {
        self.liftoff = liftoff;
        self
    }

    pub fn with_reps(mut self, reps: &[Rep]) -> Self {
        self.rep_starts = reps.iter().map(|r| r.start_frame).collect();
        self.rep_starts.sort_unstable();
        self
    }

    /// Thigh (hip-knee) and shin (knee-ankle) lengths (px).
    fn limbs_at(&self, i: usize) -> Option<(f64, f64)> {
        let (h, k, a) = (
            self.track.point(i, Joint::Hip)?,
            self.track.point(i, Joint::Knee)?,
            self.track.point(i, Joint::Ankle)?,
        );
        Some(((h.x - k.x).hypot(h.y - k.y), (k.x - a.x).hypot(k.y - a.y)))
    }

    /// The knee sits where the lifter's thigh and shin lengths allow: both
    /// within `max_ratio` of their usual lengths, either way. Seen from the
    /// side the legs move in the picture's plane and keep their length; a
    /// knee drawn on the plate's rim at hip height does not (mirrored
    /// mattiolato bad02: shin 2.4 times its usual length).
    pub fn knee_plausible(&self, i: usize, max_ratio: f64) -> bool {
        let (Some((thigh, shin)), Some((usual_thigh, usual_shin))) = (self.limbs_at(i), self.limbs_px) else {
            return false;
        };
        let fits = |v: f64, usual: f64| usual > 0.0 && (1.0 / max_ratio..=max_ratio).contains(&(v / usual));
        fits(thigh, usual_thigh) && fits(shin, usual_shin)
    }

    fn torso_length_px(&self, i: usize) -> Option<f64> {
        let (h, s) = (self.track.point(i, Joint::Hip)?, self.track.point(i, Joint::Shoulder)?);
        Some((h.x - s.x).hypot(h.y - s.y))
    }

    fn back_reach_px(&self, i: usize) -> Option<[f64; 5]> {
        let o = self.raw.get(i)?.as_ref()?.outline?;
        Some(o.back_px(self.sign).map(|v| v as f64))
    }

    /// `TorsoOutline::thinnest_share` of the frame's pose and mask.
    fn torso_depth_share(&self, i: usize) -> Option<f64> {
        let pose = self.raw.get(i)?.as_ref()?;
        pose.outline?.thinnest_share(&pose.points)
    }

    /// Back outline growth over the standing outline at each station, in
    /// standing hip-shoulder lengths, and the hip-shoulder length as a share
    /// of the standing length.
    pub fn back_shape(&self, i: usize) -> Option<([f64; 5], f64)> {
        let (len, rest) = self.standing?;
        let reach = self.back_reach_px(i)?;
        Some((
            std::array::from_fn(|k| reach[k] / len - rest[k]),
            self.torso_length_px(i)? / len,
        ))
    }

    /// How far the back's outline dips inside the straight line across its
    /// end stations (the low back and the shoulder blades), at its least
    /// dipped middle station, in hip-shoulder lengths of this frame: positive
    /// for an arched back, negative where it bulges. Measured against the
    /// outline's own ends, so a pose point that slid along or across the
    /// trunk (a hip drawn on the plate) shifts the reading little.
    pub fn back_arch(&self, i: usize) -> Option<f64> {
        let reach = self.back_reach_px(i)?;
        let len = self.torso_length_px(i)?;
        // The back's edge found at every station, or there is no outline.
        if len <= 0.0 || reach.iter().any(|&r| r <= 0.0) {
            return None;
        }
        let last = STATIONS.len() - 1;
        let (s0, s1) = (STATIONS[0] as f64, STATIONS[last] as f64);
        let bulge = (1..last)
            .map(|k| {
                let along = (STATIONS[k] as f64 - s0) / (s1 - s0);
                reach[k] - (reach[0] + along * (reach[last] - reach[0]))
            })
            .reduce(f64::max)?;
        Some(-bulge / len)
    }

    /// Which back outline stations reach into the image of the bar's far
    /// plate (placed by the turned-camera refit's camera): there the
    /// silhouette is the plate's edge, not the back.
    fn stations_on_far_plate(&self, i: usize, p: &FaultProfile) -> [bool; STATIONS.len()] {
        let none = [false; STATIONS.len()];
        let (Some(camera), Some(pose), Some(fit)) = (
            self.bar.scale.camera_fit,
            self.raw.get(i).and_then(|r| r.as_ref()),
            self.bar.fits.get(i).copied().flatten(),
        ) else {
            return none;
        };
        let (Some(outline), Some(at)) = (pose.outline, fit.near_centre_px) else {
            return none;
        };
        let Some(far) = camera.far_plate_px(at, self.bar.scale.plate_mm, p.rounding_far_plate_spacing_m) else {
            return none;
        };
        let Some(edges) = outline.back_edges_px(&pose.points, self.sign, p.rounding_far_plate_inset_px) else {
            return none;
        };
        edges.map(|edge| inside_polygon(edge, &far, p.rounding_far_plate_grow))
    }

    fn frame_at_or_after(&self, t: f64) -> usize {
        self.times
            .partition_point(|&x| x < t)
            .min(self.times.len().saturating_sub(1))
    }

    /// Frames within `half_s` of frame `i`, from `rep`'s start until the
    /// next rep starts. A squat's lockout is its last frame, and the frames
    /// after it may be the next rep's descent already (squat_gymai_quarter's
    /// second rep read -117 deg of lean-back from the collapsed pose of the
    /// third, whose own reading was doubted); the standing frames between
    /// two reps are still this one's lockout.
    fn around(&self, rep: &Rep, i: usize, half_s: f64) -> std::ops::RangeInclusive<usize> {
        let t = self.times[i];
        let next = self.rep_starts.iter().copied().find(|&s| s > rep.start_frame);
        let lo = self.frame_at_or_after(t - half_s).max(rep.start_frame);
        let hi = self.times.partition_point(|&x| x <= t + half_s).saturating_sub(1);
        let hi = next.map_or(hi, |s| hi.min(s.saturating_sub(1)));
        lo..=hi.max(lo)
    }

    /// The joint lies inside the measured near plate's outline shrunk to
    /// `radii` of its radius: the plate is between it and the camera.
    pub fn behind_plate(&self, i: usize, joint: Joint, radii: f64) -> bool {
        let (Some(f), Some(q)) = (
            self.bar.fits.get(i).copied().flatten().filter(|f| f.measured),
            self.track.point(i, joint),
        ) else {
            return false;
        };
        (q.x - f.cx).hypot(q.y - f.cy) < radii * f.radius()
    }

    /// Like `behind_plate`, and where this frame's plate was not measured,
    /// the plate drawn at the bar track's position with the clip's plate
    /// radius (bridged frames; a plate only gets hidden more, not less).
    fn behind_plate_or_track(&self, i: usize, joint: Joint, radii: f64) -> bool {
        if self.behind_plate(i, joint, radii) {
            return true;
        }
        let (Some(b), Some(r), Some(q)) = (
            self.bar.at(i).filter(|_| self.bar.source == BarSource::Plate),
            self.bar.scale.plate_radius_px,
            self.track.point(i, joint),
        ) else {
            return false;
        };
        (q.x - b.x_px).hypot(q.y - b.y_px) < radii * r
    }

    /// Mean confidence of `joints` over `frames` (0 where missing).
    fn evidence(&self, frames: impl Iterator<Item = usize> + Clone, joints: &[Joint]) -> f64 {
        let mut sum = 0.0;
        let mut n = 0usize;
        for i in frames {
            for &j in joints {
                sum += self.track.point(i, j).map(|p| p.conf).unwrap_or(0.0);
                n += 1;
            }
        }
        if n == 0 {
            0.0
        } else {
            sum / n as f64
        }
    }

    fn bar_trust(&self, p: &FaultProfile) -> f64 {
        if self.bar.source == BarSource::Plate {
            1.0
        } else {
            p.proxy_bar_confidence
        }
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
                    // drew the hips on the plate (README "Held-out renders").
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

pub fn good_morning(body: &Body, lift: Lift, rep: &Rep, p: &FaultProfile) -> Option<Fault> {
    if lift != Lift::Squat {
        return None;
    }
    let bottom = rep.key_frame;
    let last = bottom + ((rep.end_frame.saturating_sub(bottom)) as f64 * p.good_morning_window_share).round() as usize;
    // The bar sits on the upper back: hip-to-bar is the torso line even when
    // the plate hides the shoulders.
    let use_bar = body.bar.source == BarSource::Plate;
    let lean = |i: usize| -> Option<f64> {
        if use_bar {
            let (h, b) = (body.at(i, Joint::Hip)?, body.bar_at(i)?);
            Some((b.0 - h.0).atan2(b.1 - h.1).to_degrees())
        } else {
            body.torso_deg(i)
        }
    };
    let start = lean(bottom)?;
    let (worst, gain) = (bottom..=last)
        .filter_map(|i| Some((i, lean(i)? - start)))
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    let (h0, h1) = (body.at(bottom, Joint::Hip)?, body.at(worst, Joint::Hip)?);
    let (b0, b1) = (body.bar_at(bottom)?, body.bar_at(worst)?);
    let bar_rise = b1.1 - b0.1;
    let hip_rise = h1.1 - h0.1;
    let ratio = if bar_rise > 0.01 {
        hip_rise / bar_rise
    } else {
        f64::INFINITY
    };
    if ratio < p.good_morning_min_hip_to_bar_rise {
        return None;
    }
    let end = (worst..=rep.end_frame)
        .find(|&i| lean(i).is_some_and(|a| a - start < gain / 2.0))
        .unwrap_or(rep.end_frame);
    let evidence = body.evidence(bottom..=worst, &[Joint::Hip, Joint::Shoulder]) * body.bar_trust(p);
    build(
        FaultKind::GoodMorning,
        rep,
        body,
        Found {
            frames: (bottom, worst, end),
            value: gain,
            levels: p.good_morning_torso_gain_deg,
            evidence,
            region: None,
            allowance: 0.0,
            from_start: false,
        },
    )
}

/// The hips rising ahead of the shoulders, before the bar leaves the floor
/// or in the first part of the pull, whichever is the worse.
pub fn hips_rise_early(body: &Body, lift: Lift, rep: &Rep, p: &FaultProfile) -> Option<Fault> {
    if lift != Lift::Deadlift || upright_setup(body, lift, rep, p).is_some() {
        return None;
    }
    let during = hips_rise_in_pull(body, rep, p);
    let before = hips_rise_before_liftoff(body, rep, p);
    match (during, before) {
        (Some(d), Some(b)) => Some(if (b.severity, b.confidence) > (d.severity, d.confidence) {
            b
        } else {
            d
        }),
        (d, b) => d.or(b),
    }
}

/// The torso's angle just before the bar leaves the floor (median, deg),
/// when it reads more upright than any deadlift setup. With the arms
/// hanging to a bar on the floor the shoulders are a forearm and upper
/// arm above it, so the torso leans well forward (the rendered pulls read
/// 38-63 deg, the real ones 46-98); poses that put the hips on the plate
/// read -6 to 13 (README "Held-out renders"). Deadlifts only.
pub fn upright_setup(body: &Body, lift: Lift, rep: &Rep, p: &FaultProfile) -> Option<f64> {
    if lift != Lift::Deadlift {
        return None;
    }
    let start = *body.times.get(rep.start_frame)?;
    let first = body.frame_at_or_after(start - p.hips_rise_lead_s);
    median((first..=rep.start_frame).filter_map(|i| body.torso_deg(i))).filter(|a| *a < p.hips_rise_min_setup_torso_deg)
}

/// The first frame of the window before the rep's bar left the floor, and
/// the hips' and upper back's readings in it.
fn before_liftoff(body: &Body, rep: &Rep, p: &FaultProfile) -> (usize, Vec<(usize, LiftoffReading)>) {
    let Some(&start) = body.times.get(rep.start_frame) else {
        return (rep.start_frame, Vec::new());
    };
    let first = body.frame_at_or_after(start - p.liftoff_window_s);
    let read = (first..=rep.start_frame)
        .filter_map(|i| Some((i, (*body.liftoff.get(i)?)?)))
        .collect();
    (first, read)
}

/// Before the bar leaves the floor: how far the hips rose beyond the
/// shoulders from their lowest, read from the picture. The arms hang
/// straight from a bar that is not moving, so the shoulders can hardly
/// rise; hips that do tip the back over the bar before the pull begins.
pub fn hips_rise_before_liftoff(body: &Body, rep: &Rep, p: &FaultProfile) -> Option<Fault> {
    let (first, read) = before_liftoff(body, rep, p);
    let &(end, last) = read.last()?;
    // The shoulders' patch may be lost (an arm swinging across it): their
    // rise then comes from the pose, which is steady enough for the
    // shoulders at the floor.
    let shoulder_rise = |i: usize, r: &LiftoffReading| -> Option<f64> {
        match (r.shoulder_rise_px, last.shoulder_rise_px) {
            (Some(s), Some(e)) => Some((e - s) * body.mpp),
            _ => Some(body.at(end, Joint::Shoulder)?.1 - body.at(i, Joint::Shoulder)?.1),
        }
    };
    let (low, low_reading) = read
        .iter()
        .min_by(|a, b| a.1.hip_rise_px.total_cmp(&b.1.hip_rise_px))
        .copied()?;
    if low == end {
        return None;
    }
    let hip_rise = (last.hip_rise_px - low_reading.hip_rise_px) * body.mpp;
    let value = hip_rise - shoulder_rise(low, &low_reading)?;
    // The share of the window read: the hips' patch is lost where the
    // picture changes too much to follow it.
    let window = (rep.start_frame + 1).saturating_sub(first).max(1);
    let evidence = read.len() as f64 / window as f64 * body.bar_trust(p);
    build(
        FaultKind::HipsRiseEarly,
        rep,
        body,
        Found {
            frames: (low, end, end),
            value,
            levels: p.hips_before_liftoff_m,
            evidence,
            region: None,
            allowance: 0.0,
            from_start: false,
        },
    )
    .map(|f| {
        let (unit, explanation, cue) = hips_before_liftoff_words(value);
        Fault {
            unit: unit.into(),
            explanation,
            cue,
            ..f
        }
    })
}

fn hips_before_liftoff_words(v: f64) -> (&'static str, String, String) {
    (
        "m",
        format!(
            "Before the bar left the floor your hips rose {} more than your shoulders, so your back tipped over the \
             bar before the pull began and your legs had less left to do.",
            cm_text(v)
        ),
        "Set your hips where they will be as the bar breaks the floor, then push the floor away with your legs \
         and chest and hips rise together."
            .into(),
    )
}

/// The first frame where a pull's bar has risen `share` of the rep's range
/// from where it left the floor.
fn risen_share(body: &Body, rep: &Rep, share: f64) -> Option<usize> {
    let goal = body.bar_at(rep.start_frame)?.1 + share * rep.range_of_motion_m;
    (rep.start_frame..=rep.key_frame).find(|&i| body.bar_at(i).is_some_and(|b| b.1 >= goal))
}

/// A deadlift rep whose heel was read on too few frames of the pull's
/// start: the near plate stands in front of the feet while the bar is low,
/// so a heel that comes up there cannot be seen (a held-out render's 3.2 cm
/// lift went unseen, none of its 9 frames read). On the rendered and real
/// pulls 0-5 of 9-37 such frames read.
fn heel_unseen_off_the_floor(body: &Body, rep: &Rep, p: &FaultProfile) -> bool {
    let Some(to) = risen_share(body, rep, p.heel_early_pull_rom_share) else {
        return false;
    };
    let frames = to + 1 - rep.start_frame;
    let read = (rep.start_frame..=to)
        .filter(|&i| body.heels.get(i).is_some_and(|h| h.is_some()))
        .count();
    (read as f64) < p.heel_early_pull_min_read_share * frames as f64
}

/// Hip rise over shoulder rise from just before the bar leaves the floor
/// until it has risen a share of its range.
fn hips_rise_in_pull(body: &Body, rep: &Rep, p: &FaultProfile) -> Option<Fault> {
    let leave = rep.start_frame;
    let from = body.frame_at_or_after(body.times[leave] - p.hips_rise_lead_s);
    // The pull's start must be in the clip: when the window runs off the
    // clip's start and the bar is already rising there, the bar left the
    // floor before the video began and the hips' rise is measured from
    // mid-movement (bichraix bad013 starts at 0.25 m/s; mirrored, its
    // first, unsettled hip points read a 1.25 ratio on a clean pull).
    // The speed is the bar's rise over the clip's first `hips_rise_lead_s`,
    // not the smoother's velocity at the first frame, which has no frames
    // before it to steady it (mirrored bad013 read -0.18 m/s there while
    // the bar rose 0.23 m/s over its first frames).
    let cut_short = body.times[leave] - p.hips_rise_lead_s < body.times[0];
    let later = body.frame_at_or_after(body.times[from] + p.hips_rise_lead_s);
    let rising_at_start = match (body.bar_at(from), body.bar_at(later)) {
        (Some(a), Some(b)) if later > from => {
            (b.1 - a.1) / (body.times[later] - body.times[from]) > p.hips_rise_max_start_speed_mps
        }
        _ => false,
    };
    if cut_short && rising_at_start {
        return None;
    }
    let to = risen_share(body, rep, p.hips_rise_window_rom_share)?;
    let (h0, h1) = (body.at(from, Joint::Hip)?, body.at(to, Joint::Hip)?);
    let (s0, s1) = (body.at(from, Joint::Shoulder)?, body.at(to, Joint::Shoulder)?);
    let (hip_rise, shoulder_rise) = (h1.1 - h0.1, s1.1 - s0.1);
    let ratio = if shoulder_rise > 0.01 {
        hip_rise / shoulder_rise
    } else if hip_rise > 0.03 {
        3.0
    } else {
        return None;
    };
    let torso_change = body.torso_deg(to)? - body.torso_deg(from)?;
    if torso_change < p.hips_rise_min_torso_change_deg {
        return None;
    }
    let evidence = body.evidence(from..=to, &[Joint::Hip, Joint::Shoulder]) * body.bar_trust(p);
    build(
        FaultKind::HipsRiseEarly,
        rep,
        body,
        Found {
            frames: (from, to, to),
            value: ratio,
            levels: p.hips_rise_ratio_levels,
            evidence,
            region: None,
            allowance: 0.0,
            from_start: false,
        },
    )
}

/// Per frame of the rep whose back outline was read: the largest growth
/// at the three middle stations (the ends sit on the glutes and the
/// shoulder blades, which move with the arms), every station's growth, and
/// the hip-shoulder length as a share of standing. Stations the far plate
/// covers (a turned camera) read nothing, nor frames whose chord leaves the
/// body.
fn back_readings(body: &Body, rep: &Rep, p: &FaultProfile) -> Vec<(usize, f64, [f64; 5], f64)> {
    (rep.start_frame..=rep.end_frame)
        .filter(|&i| body.track.confident.get(i).copied().unwrap_or(false))
        .filter(|&i| {
            body.torso_depth_share(i)
                .is_some_and(|d| d >= p.rounding_min_torso_depth_share)
        })
        .filter_map(|i| {
            let (mut g, len) = body.back_shape(i)?;
            let covered = body.stations_on_far_plate(i, p);
            for (gk, c) in g.iter_mut().zip(covered) {
                if c {
                    *gk = 0.0;
                }
            }
            let worst = (1..=3).filter(|&k| !covered[k]).map(|k| g[k]).reduce(f64::max)?;
            Some((i, worst, g, len))
        })
        .collect()
}

pub fn rounding(body: &Body, rep: &Rep, p: &FaultProfile) -> Option<Fault> {
    let per = back_readings(body, rep, p);
    if per.len() < MIN_READINGS {
        return None;
    }
    let shortest = percentile(per.iter().map(|r| r.3), 10.0)?;
    if shortest > p.rounding_max_torso_length_ratio {
        return None;
    }
    let bulges: Vec<(usize, f64)> = per.iter().map(|r| (r.0, r.1)).collect();
    let (worst, bulge) = sustained_worst(&bulges)?;
    let g = per.iter().find(|r| r.0 == worst)?.2;
    let (lower, upper) = (g[0].max(g[1]), g[3].max(g[4]));
    let region = if lower > 1.3 * upper.max(0.0) {
        "lower back"
    } else if upper > 1.3 * lower.max(0.0) {
        "upper back"
    } else {
        "whole back"
    };
    // The outline comes from a coarse mask: even good evidence stays below 0.9.
    let evidence = 0.9 * body.evidence(rep.start_frame..=rep.end_frame, &[Joint::Hip, Joint::Shoulder]);
    build(
        FaultKind::Rounding,
        rep,
        body,
        Found {
            frames: span_over(&bulges, p.rounding_bulge_levels[0], worst),
            value: bulge,
            levels: p.rounding_bulge_levels,
            evidence,
            region: Some(region.into()),
            allowance: 0.0,
            from_start: false,
        },
    )
}

pub fn hyperextension(body: &Body, lift: Lift, rep: &Rep, p: &FaultProfile) -> Option<Fault> {
    let top = lockout_frame(lift, rep);
    let frames = body.around(rep, top, p.key_window_s);
    let (worst, angle) = frames
        .clone()
        .filter_map(|i| Some((i, body.torso_deg(i)?)))
        .min_by(|a, b| a.1.total_cmp(&b.1))?;
    // Balance: holding a bar, the shoulders cannot sit far behind the
    // ankles. When they seem to, the hip point has slid onto the plate or
    // the hands (it hides the hip at lockout) and the line is not the torso.
    if let (Some(s), Some(a)) = (body.at(worst, Joint::Shoulder), body.at(worst, Joint::Ankle)) {
        if a.0 - s.0 > p.hyperextension_max_shoulder_behind_ankle_m {
            return None;
        }
    }
    // Extension: the back arches somewhere about the lockout. A straight or
    // rounded back behind vertical is the pose's line, not the spine (the
    // hip drawn on the plate of a lifter standing tall).
    let arch = frames
        .clone()
        .filter(|&i| body.track.confident.get(i).copied().unwrap_or(false))
        .filter_map(|i| Some((body.back_arch(i)?, body.torso_length_px(i)?)))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    if arch.is_some_and(|a| a.0 < p.hyperextension_min_back_arch) {
        return None;
    }
    let evidence = body.evidence(frames.clone(), &[Joint::Hip, Joint::Shoulder]);
    build(
        FaultKind::HyperextensionLockout,
        rep,
        body,
        Found {
            frames: (*frames.start(), worst, *frames.end()),
            value: angle,
            levels: p.hyperextension_torso_deg,
            evidence,
            region: None,
            allowance: 0.0,
            from_start: false,
        },
    )
    .map(|f| match arch {
        // The second sign, in words a lifter can check on the picture.
        Some((share, torso_px)) => Fault {
            explanation: format!(
                "{} Your back was arched too: its outline dipped {} in from a straight line across it.",
                f.explanation,
                cm_text(share * torso_px * body.mpp)
            ),
            ..f
        },
        None => f,
    })
}

pub fn soft_lockout(body: &Body, lift: Lift, rep: &Rep, p: &FaultProfile) -> Option<Fault> {
    let top = lockout_frame(lift, rep);
    let frames = body.around(rep, top, p.key_window_s);
    let best = |deg: &dyn Fn(usize) -> Option<f64>, seen: &dyn Fn(usize) -> bool| {
        frames
            .clone()
            .filter(|&i| seen(i))
            .filter_map(|i| Some((i, deg(i)?)))
            .max_by(|x, y| x.1.total_cmp(&y.1))
    };
    // At a deadlift lockout the near plate hangs by the knees, and a knee
    // behind it is the model's guess: the rendered hips-rise clip's knee,
    // 0.35 plate radii from the plate's centre, read 140-145 deg where its
    // truth is 170. The hip angle then decides alone.
    // Both angles bend at a knee the lifter's leg lengths allow.
    let plausible = |i: usize| body.knee_plausible(i, p.soft_lockout_max_limb_ratio);
    let knee_seen =
        |i: usize| plausible(i) && !body.behind_plate(i, Joint::Knee, p.soft_lockout_knee_hidden_plate_radii);
    let knee = best(
        &|i| body.joint_deg(i, Joint::Hip, Joint::Knee, Joint::Ankle),
        &knee_seen,
    );
    // A hip angle bent at such a knee is the guess's too: there the leg runs
    // from the hip to the ankle. With the hip read where the plate covers it
    // (`skeleton::uncover_hips`), the rendered hips-rise clip's guessed knee,
    // 27 px ahead of its joint, bent the hip to 133-137 deg against a truth
    // of 171; hip to ankle it reads 158-166.
    let hip_deg = |i: usize| {
        let leg = if knee_seen(i) { Joint::Knee } else { Joint::Ankle };
        body.joint_deg(i, Joint::Shoulder, Joint::Hip, leg)
    };
    let hip = best(&hip_deg, &plausible);
    // Whichever joint is further from its threshold decides.
    let knee_f = knee.and_then(|(i, v)| Some((i, v, grade(v, p.soft_lockout_knee_deg)?, p.soft_lockout_knee_deg)));
    let hip_f = hip.and_then(|(i, v)| Some((i, v, grade(v, p.soft_lockout_hip_deg)?, p.soft_lockout_hip_deg)));
    let (worst, value, _, levels) = match (knee_f, hip_f) {
        (Some(k), Some(h)) => {
            if k.2 >= h.2 {
                k
            } else {
                h
            }
        }
        (Some(k), None) => k,
        (None, Some(h)) => h,
        (None, None) => return None,
    };
    let evidence = body.evidence(
        frames.clone(),
        &[Joint::Hip, Joint::Knee, Joint::Ankle, Joint::Shoulder],
    );
    build(
        FaultKind::SoftLockout,
        rep,
        body,
        Found {
            frames: (*frames.start(), worst, *frames.end()),
            value,
            levels,
            evidence,
            region: None,
            allowance: 0.0,
            from_start: false,
        },
    )
}

/// The bar's distance ahead of the midfoot (m) on each frame of the rep.
/// Frames where the hands stand in for a lost plate are left out: their
/// offset to the plate was taken elsewhere in the lift (bichraix bad011
/// read 18 cm ahead from them, its plate frames 10 cm).
fn bar_ahead(body: &Body, rep: &Rep) -> Vec<(usize, f64)> {
    (rep.start_frame..=rep.end_frame)
        .filter(|&i| !body.bar.at(i).is_some_and(|b| b.stand_in))
        .filter_map(|i| Some((i, body.bar_at(i)?.0)))
        .collect()
}

pub fn bar_drift(body: &Body, rep: &Rep, p: &FaultProfile) -> Option<Fault> {
    let xs = bar_ahead(body, rep);
    let &(_, setup) = xs.first()?;
    let &(worst, ahead) = xs.iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
    let allowance = yaw_allowance_m(body.bar, p);
    // Moving away from the body during the rep is drift whatever the
    // midfoot estimate and the camera angle say: it needs no allowance.
    let travel = ahead - setup;
    let from_start = travel >= p.bar_drift_travel_m && travel >= ahead - allowance;
    let (value, allowance) = if from_start { (travel, 0.0) } else { (ahead, allowance) };
    // The midfoot comes from the heel and toe; the plate often hides them at the floor.
    let feet = body.evidence(rep.start_frame..=rep.end_frame, &[Joint::Heel, Joint::Toe]);
    let evidence = (0.5 + 0.5 * feet) * body.bar_trust(p);
    build(
        FaultKind::BarDrift,
        rep,
        body,
        Found {
            frames: span_over(&xs, p.bar_drift_ahead_m[0] + allowance, worst),
            value,
            levels: p.bar_drift_ahead_m,
            evidence,
            region: None,
            allowance,
            from_start,
        },
    )
}

/// How far a turned camera can move the near plate along the lifter's
/// forward axis relative to the feet. The plate sits about half a metre
/// nearer the camera than the near foot, so a turn of `yaw` shifts it by
/// depth x sin(yaw), forwards or backwards: the ellipse gives the size of
/// the turn but not its direction. Measured: real clean pulls filmed 13-15
/// degrees off side-on read the bar 15-19 cm ahead of the midfoot, and the
/// rendered 25-degree clip reads it 22 cm behind. A bar stood in by the
/// hands or shoulders lies in the lifter's own plane: no allowance.
fn yaw_allowance_m(bar: &BarTrack, p: &FaultProfile) -> f64 {
    if bar.source != BarSource::Plate {
        return 0.0;
    }
    // A yaw read off part rims is too rough to size the allowance by: a
    // part-rim fit is often taken as a circle (0 deg), and one taken as an
    // ellipse stretches along the missing side. Such a turn is allowed for
    // as an unknown one. Sized by it, bichraix bad012's labelled drift came
    // and went with which frames' part rims the track measured (10.6 deg:
    // flagged; 16.5 once blurred rims were refitted: not).
    // The turn or the tilt, whichever is more: the allowance also absorbs
    // the plate's parallax against the feet behind it, which a camera
    // tilted down shows too (lukestynes' and nico's faces are shorter than
    // wide and their clean bars read 10-12 cm ahead without it).
    let yaw = match bar.scale.off_axis_deg() {
        Some(y) if !bar.scale.yaw_from_part_rim => y,
        _ => p.bar_drift_unknown_yaw_deg,
    };
    let turned = (yaw * yaw - p.bar_drift_yaw_noise_deg.powi(2)).max(0.0).sqrt();
    p.bar_drift_plate_depth_m * turned.to_radians().sin()
}

pub fn above_parallel(body: &Body, lift: Lift, rep: &Rep, p: &FaultProfile) -> Option<Fault> {
    if lift != Lift::Squat {
        return None;
    }
    // A bar that came down this far went to depth: a thigh read above
    // parallel is then the plate hiding the hip (squat_rounding: the pose
    // put the hip 3-5 cm above the knee on a bar drop of 0.49).
    let drop = bar_drop_share(body, rep);
    if drop.is_some_and(|(_, share)| share >= p.deep_bar_drop_share) {
        return None;
    }
    let frames = body.around(rep, rep.key_frame, p.key_window_s / 2.0);
    let thigh = |i: usize| -> Option<f64> {
        let (h, k) = (body.at(i, Joint::Hip)?, body.at(i, Joint::Knee)?);
        Some((h.1 - k.1).atan2((h.0 - k.0).abs()).to_degrees())
    };
    // The deepest point of the bottom.
    let Some((worst, angle)) = frames
        .clone()
        .filter_map(|i| Some((i, thigh(i)?)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
    else {
        // No hip and knee at the bottom (the plate hides the body there).
        return drop.and_then(|d| depth_from_bar(body, rep, d, p));
    };
    let evidence = body.evidence(frames.clone(), &[Joint::Hip, Joint::Knee]);
    build(
        FaultKind::AboveParallel,
        rep,
        body,
        Found {
            frames: (*frames.start(), worst, *frames.end()),
            value: angle,
            levels: p.above_parallel_thigh_deg,
            evidence,
            region: None,
            allowance: 0.0,
            from_start: false,
        },
    )
}

/// The bar's drop from the top of the rep to the bottom as a share of its
/// height above the floor at the top, and the bottom frame. At parallel a
/// lifter of usual proportions takes the bar down about 0.37-0.45 of its
/// standing height (thigh ~0.245 of body height, bar at ~0.8, plus the
/// torso's lean; rendered parallel squats 0.44-0.50, a deep real squat 0.61).
fn bar_drop_share(body: &Body, rep: &Rep) -> Option<(usize, f64)> {
    if body.bar.source != BarSource::Plate {
        return None;
    }
    let top = [rep.start_frame, rep.end_frame]
        .into_iter()
        .filter_map(|i| body.bar_at(i).map(|b| b.1))
        .fold(f64::NAN, f64::max);
    let (bottom, low) = (rep.start_frame..=rep.end_frame)
        .filter_map(|i| Some((i, body.bar_at(i)?.1)))
        .min_by(|a, b| a.1.total_cmp(&b.1))?;
    (top.is_finite() && top > 0.3).then(|| (bottom, (top - low) / top))
}

/// The unit of a squat depth read from the bar.
pub const BAR_DROP_UNIT: &str = "share of standing bar height";

/// A length in metres as centimetres for people: whole centimetres, but a
/// tenth under 5 cm, where a heel lift of 1.7 cm would read "2 cm".
pub fn cm_text(metres: f64) -> String {
    let cm = 100.0 * metres;
    if cm.abs() < 5.0 {
        format!("{cm:.1} cm")
    } else {
        format!("{cm:.0} cm")
    }
}

/// Squat depth from the bar alone, for reps whose pose cannot show the hip
/// and knee at the bottom.
pub fn above_parallel_from_bar(body: &Body, lift: Lift, rep: &Rep, p: &FaultProfile) -> Option<Fault> {
    if lift != Lift::Squat {
        return None;
    }
    depth_from_bar(body, rep, bar_drop_share(body, rep)?, p)
}

/// Squat depth on a rep whose pose is doubted because of its head or its
/// hips' distance from the bar. The plate hides the head in most back
/// squats, so the hip and knee may still be a real leg: they give the depth
/// when the thigh at the bottom is as long as a thigh beside its shin, and
/// the bar gives it otherwise. Measured at the bottom (median thigh over
/// shin): squat_gymai_quarter's quarter squats 1.00 and 1.21 where the image
/// shows the pose on the leg, 0.73 where it collapsed; the rendered squats
/// whose pose collapsed under the plate 0.50-0.65.
pub fn above_parallel_doubted(body: &Body, lift: Lift, rep: &Rep, p: &FaultProfile) -> Option<Fault> {
    if lift != Lift::Squat {
        return None;
    }
    let frames = body.around(rep, rep.key_frame, p.key_window_s / 2.0);
    let ratios = frames.filter_map(|i| body.limbs_at(i).filter(|l| l.1 > 0.0).map(|(thigh, shin)| thigh / shin));
    if median(ratios).is_some_and(|r| r >= p.doubted_depth_min_thigh_to_shin) {
        above_parallel(body, lift, rep, p)
    } else {
        above_parallel_from_bar(body, lift, rep, p)
    }
}

/// The above_parallel flag for a bar drop of `share` reached at `bottom`.
fn depth_from_bar(body: &Body, rep: &Rep, (bottom, share): (usize, f64), p: &FaultProfile) -> Option<Fault> {
    let frames = body.around(rep, bottom, p.key_window_s / 2.0);
    let bar_conf = frames
        .clone()
        .filter_map(|i| body.bar.at(i).map(|b| b.confidence))
        .sum::<f64>()
        / frames.clone().count().max(1) as f64;
    let mut fault = build(
        FaultKind::AboveParallel,
        rep,
        body,
        Found {
            frames: (*frames.start(), bottom, *frames.end()),
            value: share,
            levels: p.above_parallel_bar_drop_share,
            evidence: p.bar_depth_confidence * bar_conf,
            region: None,
            allowance: 0.0,
            from_start: false,
        },
    )?;
    fault.unit = BAR_DROP_UNIT.into();
    fault.explanation = format!(
        "The bar came down only {:.0}% of its standing height (a squat to parallel takes it down about 40%), \
         so your hips stayed well above your knees (read from the bar, as the pose could not place your hips here).",
        100.0 * share
    );
    Some(fault)
}

/// The heel patch's rise against the toe patch (m) on each frame of the
/// rep where both were found: rocking onto the toes raises the one and
/// not the other, while the camera moves both.
fn heel_lifts(body: &Body, rep: &Rep) -> Vec<(usize, f64)> {
    (rep.start_frame..=rep.end_frame)
        .filter_map(|i| Some((i, body.heels.get(i)?.as_ref()?.rise_px * body.mpp)))
        .collect()
}

pub fn heel_lift(body: &Body, rep: &Rep, p: &FaultProfile) -> Option<Fault> {
    let lifts = heel_lifts(body, rep);
    if lifts.len() < MIN_READINGS {
        return None;
    }
    let (worst, value) = sustained_worst(&lifts)?;
    // The share of the rep's frames whose heel and toe could both be read
    // (the plate hides the feet at a deadlift's floor).
    let evidence = lifts.len() as f64 / (rep.end_frame + 1 - rep.start_frame.min(rep.end_frame)) as f64;
    let at_px = body
        .heels
        .get(worst)
        .copied()
        .flatten()
        .map(|h| [h.heel_px.0, h.heel_px.1]);
    build(
        FaultKind::HeelLift,
        rep,
        body,
        Found {
            frames: span_over(&lifts, p.heel_lift_m[0], worst),
            value,
            levels: p.heel_lift_m,
            evidence,
            region: None,
            allowance: 0.0,
            from_start: false,
        },
    )
    .map(|f| Fault { at_px, ..f })
}

/// Per frame of the rep, how far the neck is from its standing angle
/// (deg); with `hidden_radii`, leaving out frames whose ear is behind the
/// near plate.
fn neck_changes(body: &Body, rep: &Rep, hidden_radii: Option<f64>) -> Vec<(usize, f64)> {
    let Some(rest) = body.standing_neck_deg else {
        return Vec::new();
    };
    (rep.start_frame..=rep.end_frame)
        .filter(|&i| hidden_radii.is_none_or(|r| !body.behind_plate_or_track(i, Joint::Ear, r)))
        .filter_map(|i| Some((i, wrap_deg(body.neck_deg(i)? - rest).abs())))
        .collect()
}

pub fn head_position(body: &Body, rep: &Rep, p: &FaultProfile) -> Option<Fault> {
    // In a side-on back squat the near plate covers the head: an ear behind
    // it is the model's guess, and so is the angle it makes.
    let changes = neck_changes(body, rep, Some(p.head_ear_hidden_plate_radii));
    if changes.len() < MIN_READINGS {
        return None;
    }
    let (worst, value) = sustained_worst(&changes)?;
    // The ear is a small, often hidden point: cap the trust.
    let evidence = 0.7 * body.evidence(rep.start_frame..=rep.end_frame, &[Joint::Ear, Joint::Shoulder]);
    build(
        FaultKind::HeadPosition,
        rep,
        body,
        Found {
            frames: span_over(&changes, p.head_neck_change_deg[0], worst),
            value,
            levels: p.head_neck_change_deg,
            evidence,
            region: None,
            allowance: 0.0,
            from_start: false,
        },
    )
}

#[cfg(test)]
mod tests {
    //! Hand-made lifts: joints in canonical metres per frame, drawn into an
    //! image at 1 px = 1 mm (x right, y down, facing right), so every
    //! expected value can be worked out by hand.
    use super::*;
    use crate::bar::{BarFrame, Scale};
    use crate::pose::{Landmark, TorsoOutline};
    use crate::skeleton::{Facing, FusedPoint, SagittalTrack, JOINTS};

    const FPS: f64 = 30.0;
    const N: usize = 90;

    /// Canonical joint positions (m) for one frame, head to toe as `Joint::ALL`.
    type Pose = [(f64, f64); JOINTS];

    fn to_px(p: (f64, f64)) -> (f64, f64) {
        (500.0 + 1000.0 * p.0, 1000.0 - 1000.0 * p.1)
    }

    /// A lifter built from segment leans (deg from vertical, + forward).
    fn body(hip: (f64, f64), torso_deg: f64, knee: (f64, f64), neck_deg: f64) -> Pose {
        let (t, n) = (torso_deg.to_radians(), (torso_deg + neck_deg).to_radians());
        let shoulder = (hip.0 + 0.5 * t.sin(), hip.1 + 0.5 * t.cos());
        let ear = (shoulder.0 + 0.2 * n.sin(), shoulder.1 + 0.2 * n.cos());
        let wrist = (shoulder.0, shoulder.1 - 0.6);
        let elbow = (shoulder.0, shoulder.1 - 0.3);
        [
            ear,
            shoulder,
            elbow,
            wrist,
            hip,
            knee,
            (0.0, 0.08),
            (-0.07, 0.0),
            (0.18, 0.0),
        ]
    }

    /// Deadlift progress 0 (floor) .. 1 (lockout): floor 0-14, pull 15-44,
    /// lockout 45-59, lower 60-74, floor 75-89.
    fn progress(i: usize) -> f64 {
        match i {
            0..=14 => 0.0,
            15..=44 => (i - 15) as f64 / 29.0,
            45..=59 => 1.0,
            60..=74 => 1.0 - (i - 60) as f64 / 14.0,
            _ => 0.0,
        }
    }

    fn lerp(a: f64, b: f64, s: f64) -> f64 {
        a + (b - a) * s
    }

    fn deadlift_pose(s: f64, lockout_torso: f64) -> Pose {
        let hip = (lerp(-0.15, 0.0, s), lerp(0.70, 0.95, s));
        let knee = (lerp(0.12, 0.02, s), lerp(0.45, 0.50, s));
        body(hip, lerp(45.0, lockout_torso, s), knee, 0.0)
    }

    struct Lift {
        poses: Vec<Pose>,
        bar: Vec<(f64, f64)>,
        outline: Vec<Option<TorsoOutline>>,
    }

    fn deadlift(lockout_torso: f64, bar_ahead: f64) -> Lift {
        let poses = (0..N).map(|i| deadlift_pose(progress(i), lockout_torso)).collect();
        let bar = (0..N)
            .map(|i| (0.055 + bar_ahead, 0.225 + 0.55 * progress(i)))
            .collect();
        Lift {
            poses,
            bar,
            outline: vec![None; N],
        }
    }

    /// `yaw_deg`: the camera turn the plate's ellipse reads.
    fn build(l: &Lift, yaw_deg: f64) -> (Vec<f64>, SagittalTrack, BarTrack, Vec<Option<RawPose>>) {
        let times: Vec<f64> = (0..N).map(|i| i as f64 / FPS).collect();
        let joints = l
            .poses
            .iter()
            .map(|p| {
                std::array::from_fn(|j| {
                    let (x, y) = to_px(p[j]);
                    Some(FusedPoint { x, y, conf: 0.95 })
                })
            })
            .collect();
        let torso = l
            .poses
            .iter()
            .map(|p| {
                let (h, s) = (p[Joint::Hip.index()], p[Joint::Shoulder.index()]);
                Some((s.0 - h.0).atan2(s.1 - h.1).to_degrees())
            })
            .collect();
        let track = SagittalTrack {
            facing: Facing::Right,
            facing_doubt: None,
            joints,
            confident: vec![true; N],
            torso_angle_deg: torso,
            thigh_px: 450.0,
            analysed: 0..N,
        };
        let origin_x = 0.055; // midfoot between heel -0.07 and toe 0.18
        let frames = l
            .bar
            .iter()
            .map(|&(x, y)| {
                let (px, py) = to_px((x, y));
                Some(BarFrame {
                    x_px: px,
                    y_px: py,
                    x_m: x - origin_x,
                    y_m: y,
                    confidence: 1.0,
                    measured: true,
                    ..Default::default()
                })
            })
            .collect();
        let bar = BarTrack {
            origin_px: to_px((origin_x, 0.0)),
            midfoot_px: Some(to_px((origin_x, 0.0)).0),
            source: BarSource::Plate,
            scale: Scale {
                camera_yaw_deg: Some(yaw_deg),
                ..Scale::plate_for_tests(0.001)
            },
            frames,
            fits: vec![None; N],
        };
        // The raw landmarks the outline was measured about: both shoulders
        // and both hips on the fused joints.
        let raw = l
            .outline
            .iter()
            .zip(&l.poses)
            .map(|(o, p)| {
                let mut points = [Landmark::default(); crate::pose::BODY_POINTS];
                for (ids, j) in [([11, 12], Joint::Shoulder), ([23, 24], Joint::Hip)] {
                    let (x, y) = to_px(p[j.index()]);
                    for k in ids {
                        points[k].x = x as f32;
                        points[k].y = y as f32;
                    }
                }
                Some(RawPose {
                    pose_flag: 1.0,
                    points,
                    outline: *o,
                })
            })
            .collect();
        (times, track, bar, raw)
    }

    fn rep(start: usize, key: usize, end: usize, rom: f64) -> Rep {
        crate::reps::test_rep(start, key, end, FPS, rom)
    }

    fn test_body<'a>(
        times: &'a [f64],
        track: &'a SagittalTrack,
        bar: &'a BarTrack,
        raw: &'a [Option<RawPose>],
    ) -> Body<'a> {
        Body::new(times, track, bar, raw, FaultProfile::default().standing_max_torso_deg)
    }

    fn run(l: &Lift, lift: crate::reps::Lift, r: &Rep) -> Vec<Fault> {
        run_turned(l, lift, r, 0.0)
    }

    fn run_turned(l: &Lift, lift: crate::reps::Lift, r: &Rep, yaw_deg: f64) -> Vec<Fault> {
        let (times, track, bar, raw) = build(l, yaw_deg);
        let body = test_body(&times, &track, &bar, &raw);
        detect(&body, lift, std::slice::from_ref(r), &FaultProfile::default()).0
    }

    fn kinds(f: &[Fault]) -> Vec<&'static str> {
        f.iter().map(|f| f.kind.name()).collect()
    }

    fn dl_rep() -> Rep {
        rep(15, 52, 75, 0.55)
    }

    #[test]
    fn clean_deadlift_flags_nothing() {
        let f = run(&deadlift(0.0, 0.0), crate::reps::Lift::Deadlift, &dl_rep());
        assert!(f.is_empty(), "{:?}", kinds(&f));
    }

    #[test]
    fn heels_rising_from_the_picture_flag_heel_lift_in_metres() {
        let l = deadlift(0.0, 0.0);
        let (times, track, bar, raw) = build(&l, 0.0);
        let r = dl_rep();
        // Patch rises (px at 1 mm/px): a flat foot matches within a pixel;
        // a lift of 32 mm over the first half of the pull, hidden by the
        // plate at the floor.
        let reading = |rise_px: f64| {
            Some(HeelReading {
                rise_px,
                heel_px: (430.0, 990.0 - rise_px),
            })
        };
        let flat: Vec<_> = (0..N).map(|i| reading(if i % 2 == 0 { 0.6 } else { -0.4 })).collect();
        let lifted: Vec<_> = (0..N)
            .map(|i| match i {
                0..=17 => None,
                18..=30 => reading(32.0),
                _ => reading(0.3),
            })
            .collect();
        let check = |heels: Vec<Option<HeelReading>>| {
            let body = test_body(&times, &track, &bar, &raw).with_heels(&heels);
            heel_lift(&body, &r, &FaultProfile::default())
        };
        assert!(check(flat).is_none());
        let f = check(lifted).expect("flagged");
        assert!((f.value - 0.032).abs() < 1e-9, "{}", f.value);
        assert_eq!(f.severity, Severity::Moderate);
        assert!((18..=30).contains(&f.worst_frame), "{}", f.worst_frame);
        assert_eq!((f.start_frame, f.end_frame), (18, 30));
        // Drawn where the heel was read, not at the pose's heel point.
        assert_eq!(f.at_px, Some([430.0, 958.0]));
        // Without the video there is no reading, and no flag.
        assert!(check(Vec::new()).is_none());
    }

    /// A heel read flat on the floor, at the deadlift's foot.
    const FLAT_HEEL: HeelReading = HeelReading {
        rise_px: 0.0,
        heel_px: (430.0, 990.0),
    };

    #[test]
    fn heels_hidden_as_the_bar_leaves_the_floor_are_said_unseen() {
        let l = deadlift(0.0, 0.0);
        let (times, track, bar, raw) = build(&l, 0.0);
        let r = dl_rep();
        let p = FaultProfile::default();
        let probe = test_body(&times, &track, &bar, &raw);
        let to = risen_share(&probe, &r, p.heel_early_pull_rom_share).expect("the bar rises");
        assert!(to > r.start_frame + 2, "{to}");
        let reading = Some(FLAT_HEEL);
        let everywhere = vec![reading; N];
        // The plate in front of the feet from the floor to a third of the
        // way up: nothing read there.
        let hidden: Vec<_> = (0..N)
            .map(|i| {
                if (r.start_frame..=to).contains(&i) {
                    None
                } else {
                    reading
                }
            })
            .collect();
        let unseen = |heels: &[Option<HeelReading>]| {
            heel_unseen_off_the_floor(&test_body(&times, &track, &bar, &raw).with_heels(heels), &r, &p)
        };
        assert!(!unseen(&everywhere));
        assert!(unseen(&hidden));
        let body = test_body(&times, &track, &bar, &raw).with_heels(&hidden);
        let (_, notes, _) = detect(&body, crate::reps::Lift::Deadlift, std::slice::from_ref(&r), &p);
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with("heel lift was read only once the bar had risen 33% of its way (rep 1)")),
            "{notes:?}"
        );
    }

    #[test]
    fn a_check_without_readings_is_listed_as_not_checked() {
        let l = deadlift(0.0, 0.0);
        let (times, track, bar, raw) = build(&l, 0.0);
        let r = dl_rep();
        let p = FaultProfile::default();
        let kinds = |body: &Body, flagged: &[Fault]| -> Vec<FaultKind> {
            not_checked(body, crate::reps::Lift::Deadlift, &r, &p, flagged)
                .into_iter()
                .map(|n| n.kind)
                .collect()
        };
        // No picture readings (a rerun without the video, or feet and hips
        // never found): heel lift and the hips before lift-off are not
        // checked; the pose-based checks are.
        let bare = test_body(&times, &track, &bar, &raw);
        let missing = kinds(&bare, &[]);
        assert!(missing.contains(&FaultKind::HeelLift), "{missing:?}");
        assert!(missing.contains(&FaultKind::HipsRiseEarly), "{missing:?}");
        assert!(!missing.contains(&FaultKind::HyperextensionLockout), "{missing:?}");
        assert!(!missing.contains(&FaultKind::BarDrift), "{missing:?}");
        // The heels read on the rep's frames: checked.
        let heels = vec![Some(FLAT_HEEL); N];
        let with_heels = test_body(&times, &track, &bar, &raw).with_heels(&heels);
        assert!(!kinds(&with_heels, &[]).contains(&FaultKind::HeelLift));
        // Regression: a rerun without the picture said the plate or the
        // other leg had hidden the feet. Without any picture readings the
        // reason is the missing picture; with a picture read where the feet
        // were never found, it is the picture's.
        let why = |body: &Body, kind: FaultKind| -> String {
            not_checked(body, crate::reps::Lift::Deadlift, &r, &p, &[])
                .into_iter()
                .find(|n| n.kind == kind)
                .map(|n| n.why)
                .unwrap_or_default()
        };
        for kind in [FaultKind::HeelLift, FaultKind::HipsRiseEarly] {
            assert!(
                why(&bare, kind).contains("pass the video"),
                "{kind:?}: {}",
                why(&bare, kind)
            );
        }
        let unseen = vec![None; N];
        let unseen_rises = vec![None; N];
        let looked = test_body(&times, &track, &bar, &raw)
            .with_heels(&unseen)
            .with_liftoff(&unseen_rises);
        assert!(
            why(&looked, FaultKind::HeelLift).contains("hid them"),
            "{}",
            why(&looked, FaultKind::HeelLift)
        );
        assert!(
            why(&looked, FaultKind::HipsRiseEarly).contains("starts at the pull"),
            "{}",
            why(&looked, FaultKind::HipsRiseEarly)
        );
        // A kind flagged from other evidence (the ratio in the pull) is not
        // also listed as unchecked.
        let l = hips_first(|s| {
            if s < 0.5 {
                45.0 + 10.0 * s
            } else {
                lerp(50.0, 0.0, (s - 0.5) * 2.0)
            }
        });
        let flagged = run(&l, crate::reps::Lift::Deadlift, &r);
        assert!(flagged.iter().any(|f| f.kind == FaultKind::HipsRiseEarly));
        assert!(!kinds(&bare, &flagged).contains(&FaultKind::HipsRiseEarly));
    }

    #[test]
    fn hips_rising_before_the_bar_leaves_the_floor_are_hips_rise_early_in_metres() {
        let l = deadlift(0.0, 0.0);
        let (times, track, bar, raw) = build(&l, 0.0);
        let r = dl_rep();
        // Patch rises (px at 1 mm/px) over the 1.5 s before the rep starts
        // (frame 15): still, then the hips 50 mm up and the shoulders 8.
        let reading = |hip: f64, shoulder: Option<f64>| {
            Some(LiftoffReading {
                hip_rise_px: hip,
                shoulder_rise_px: shoulder,
            })
        };
        let rising = |i: usize| 50.0 * (i.saturating_sub(5) as f64 / 10.0).min(1.0);
        let tipped: Vec<_> = (0..N)
            .map(|i| {
                (i <= 15)
                    .then(|| reading(rising(i) - 3.0, Some(0.16 * rising(i))))
                    .flatten()
            })
            .collect();
        let still: Vec<_> = (0..N)
            .map(|i| {
                (i <= 15)
                    .then(|| reading(if i % 2 == 0 { 0.5 } else { -0.5 }, Some(0.0)))
                    .flatten()
            })
            .collect();
        // The shoulders' patch lost: the pose's shoulders (still here) count.
        let no_shoulders: Vec<_> = (0..N)
            .map(|i| (i <= 15).then(|| reading(rising(i), None)).flatten())
            .collect();
        let check = |rises: &[Option<LiftoffReading>]| {
            let body = test_body(&times, &track, &bar, &raw).with_liftoff(rises);
            hips_rise_early(&body, crate::reps::Lift::Deadlift, &r, &FaultProfile::default())
        };
        let f = check(&tipped).expect("flagged");
        assert!((f.value - 0.042).abs() < 1e-9, "{}", f.value);
        assert_eq!((f.unit.as_str(), f.severity), ("m", Severity::Minor));
        assert_eq!((f.start_frame, f.worst_frame), (0, 15));
        assert!(f.explanation.contains("4.2 cm"), "{}", f.explanation);
        assert!(check(&still).is_none());
        let f = check(&no_shoulders).expect("flagged");
        assert!((f.value - 0.05).abs() < 1e-6, "{}", f.value);
        // Without the video there is no reading, and the clean pull is clean.
        assert!(check(&[]).is_none());
    }

    #[test]
    fn leaning_back_at_lockout_is_hyperextension_with_its_angle() {
        let f = run(&deadlift(-18.0, 0.0), crate::reps::Lift::Deadlift, &dl_rep());
        let h = f
            .iter()
            .find(|f| f.kind == FaultKind::HyperextensionLockout)
            .expect("flagged");
        assert!((h.value + 18.0).abs() < 0.5, "{}", h.value);
        assert_eq!(h.severity, Severity::Moderate);
        assert!((43..=61).contains(&h.worst_frame));
        assert!(h.confidence > 0.8);
        // The held-out renders' lean-backs read -9.6 to -12.3 deg; the
        // clean lockouts -6.6 at most (profile: hyperextension_torso_deg).
        let lean = |deg: f64| {
            run(&deadlift(deg, 0.0), crate::reps::Lift::Deadlift, &dl_rep())
                .into_iter()
                .find(|f| f.kind == FaultKind::HyperextensionLockout)
        };
        assert_eq!(lean(-9.5).map(|f| f.severity), Some(Severity::Minor));
        assert!(lean(-6.5).is_none());
    }

    #[test]
    fn leaning_back_with_a_straight_back_is_not_hyperextension() {
        // Regression (mattiolato good01, a clean pull flagged at -25 deg: the
        // hip point slid onto the plate, the back's outline stayed straight).
        // Torso 0.5 m = 500 px; the back's edge 100 px from the chord.
        let straight = |l: &mut Lift, middle: f32| {
            for o in l.outline.iter_mut() {
                *o = Some(TorsoOutline {
                    plus_px: [150.0; 5],
                    minus_px: [100.0, middle, middle, middle, 100.0],
                });
            }
        };
        let dl = crate::reps::Lift::Deadlift;
        let mut flat = deadlift(-18.0, 0.0);
        straight(&mut flat, 100.0);
        assert!(run(&flat, dl, &dl_rep()).is_empty());
        // Arched: the middle of the back 40 px (0.08 torso lengths) in.
        let mut arched = deadlift(-18.0, 0.0);
        straight(&mut arched, 60.0);
        let f = run(&arched, dl, &dl_rep());
        assert_eq!(kinds(&f), vec!["hyperextension_lockout"]);
        // The arch is told in centimetres, the second sign a lifter can check.
        assert!(f[0].explanation.contains("dipped 4.0 cm in"), "{}", f[0].explanation);
        // Just inside the 0.03 limit (12.5 px = 0.025) is still straight.
        straight(&mut arched, 87.5);
        assert!(run(&arched, dl, &dl_rep()).is_empty());
    }

    #[test]
    fn bar_ahead_of_midfoot_is_drift_in_metres() {
        let f = run(&deadlift(0.0, 0.16), crate::reps::Lift::Deadlift, &dl_rep());
        assert_eq!(kinds(&f), vec!["bar_drift"]);
        assert!((f[0].value - 0.16).abs() < 1e-6);
        assert_eq!(f[0].severity, Severity::Moderate);
        // 8 cm is inside the minor level.
        assert!(run(&deadlift(0.0, 0.08), crate::reps::Lift::Deadlift, &dl_rep()).is_empty());
    }

    /// Regression: bichraix bad012 (labelled bar drift, 20 cm ahead) read
    /// its turn off part rims only, 10.6 deg (flagged) or 16.5 (not) with
    /// which frames the track happened to measure. A part-rim turn is
    /// allowed for as an unknown one, whatever it reads.
    #[test]
    fn a_turn_read_off_part_rims_does_not_size_the_drift_allowance() {
        let dl = crate::reps::Lift::Deadlift;
        let l = deadlift(0.0, 0.20);
        let read = |part_rim: bool| {
            let (times, track, mut bar, raw) = build(&l, 16.5);
            bar.scale.yaw_from_part_rim = part_rim;
            let body = test_body(&times, &track, &bar, &raw);
            detect(&body, dl, std::slice::from_ref(&dl_rep()), &FaultProfile::default()).0
        };
        // Off the near face, 16.5 deg is a turn: 0.55 m x sin(15.4 deg) =
        // 15 cm allowed, 5 cm left.
        assert!(read(false).is_empty());
        // Off part rims, as unknown (10 deg): 0.55 x sin(8 deg) = 7.7 cm.
        let f = read(true);
        assert_eq!(kinds(&f), vec!["bar_drift"]);
        assert_eq!(f[0].severity, Severity::Minor, "0.20 - 0.077 = 0.12");
    }

    #[test]
    fn a_turned_camera_earns_an_allowance_but_not_for_drift_during_the_rep() {
        // 15 deg off side-on: the near plate, 0.55 m nearer the camera than
        // the foot, may look sqrt(15^2 - 6^2) = 13.7 deg x 0.55 m = 13 cm off.
        let dl = crate::reps::Lift::Deadlift;
        assert!(run_turned(&deadlift(0.0, 0.16), dl, &dl_rep(), 15.0).is_empty());
        let f = run_turned(&deadlift(0.0, 0.30), dl, &dl_rep(), 15.0);
        assert_eq!(kinds(&f), vec!["bar_drift"]);
        assert!((f[0].value - 0.30).abs() < 1e-6);
        assert_eq!(f[0].severity, Severity::Moderate, "0.30 - 0.13 = 0.17");
        assert!(f[0].explanation.contains("camera angle"), "{}", f[0].explanation);
        // Within the square-on noise of the ellipse: no allowance.
        assert_eq!(run_turned(&deadlift(0.0, 0.16), dl, &dl_rep(), 5.0).len(), 1);
        // The bar swinging 12 cm forward during the pull needs no allowance.
        let mut swing = deadlift(0.0, 0.0);
        for (i, b) in swing.bar.iter_mut().enumerate() {
            b.0 += 0.12 * (progress(i) * std::f64::consts::PI).sin();
        }
        let f = run_turned(&swing, dl, &dl_rep(), 15.0);
        assert_eq!(kinds(&f), vec!["bar_drift"]);
        assert!((f[0].value - 0.12).abs() < 0.005, "{}", f[0].value);
        assert_eq!(f[0].severity, Severity::Minor);
        // Said as the move it is, not as a distance from the midfoot (the
        // bar ended 12 cm ahead of where it started, not of the midfoot).
        assert!(f[0].explanation.contains("moved 12 cm forward"), "{}", f[0].explanation);
        assert!(f[0].explanation.contains("started the rep"), "{}", f[0].explanation);
    }

    #[test]
    fn a_rep_whose_pose_bends_the_neck_impossibly_is_not_judged() {
        // Lean back at lockout (a hyperextension), but early in the pull the
        // pose draws the head hanging below the shoulders.
        let mut l = deadlift(-18.0, 0.0);
        for p in l.poses[15..=25].iter_mut() {
            let s = p[Joint::Shoulder.index()];
            p[Joint::Ear.index()] = (s.0 - 0.05, s.1 - 0.14);
        }
        let (times, track, bar, raw) = build(&l, 0.0);
        let body = test_body(&times, &track, &bar, &raw);
        let (f, notes, doubted) = detect(
            &body,
            crate::reps::Lift::Deadlift,
            &[dl_rep()],
            &FaultProfile::default(),
        );
        assert!(f.is_empty(), "{:?}", kinds(&f));
        assert_eq!(notes.len(), 1);
        assert_eq!(doubted, vec![0]);
        assert!(
            notes[0].starts_with("rep 1:") && notes[0].contains("only the bar's drift and the heels"),
            "{}",
            notes[0]
        );
        // Regression (squat_heel_lift on an AVX2 machine: the pose bent the
        // neck 111 deg at the bottom of the rep whose heels came up, and the
        // heel lift read from the picture went unjudged): the heels are read
        // from the shoes, not the pose, and stay judged on a doubted rep.
        let heels: Vec<_> = (0..N)
            .map(|i| {
                let rise_px = if (30..=45).contains(&i) { 32.0 } else { 0.3 };
                Some(HeelReading {
                    rise_px,
                    heel_px: (430.0, 990.0 - rise_px),
                })
            })
            .collect();
        let body = test_body(&times, &track, &bar, &raw).with_heels(&heels);
        let (f, _, doubted) = detect(
            &body,
            crate::reps::Lift::Deadlift,
            &[dl_rep()],
            &FaultProfile::default(),
        );
        assert_eq!(doubted, vec![0]);
        assert_eq!(kinds(&f), vec!["heel_lift"]);
        // The same lift with the head in place is judged.
        assert_eq!(
            kinds(&run(&deadlift(-18.0, 0.0), crate::reps::Lift::Deadlift, &dl_rep())),
            vec!["hyperextension_lockout"]
        );
    }

    /// Regression (squat_gymai_quarter rep 1, mirrored lukestynes): in a
    /// side-on back squat the plate covers the head, and a neck angle
    /// drawn to a hidden ear flagged head_position.
    #[test]
    fn a_head_behind_the_plate_is_not_judged() {
        let mut l = deadlift(0.0, 0.0);
        // The head drops 70 degrees towards the chest through the pull.
        for (i, pose) in l.poses.iter_mut().enumerate().take(60).skip(15) {
            *pose = body(
                pose[Joint::Hip.index()],
                45.0 * (1.0 - progress(i)),
                pose[Joint::Knee.index()],
                70.0,
            );
        }
        let (times, track, mut bar, raw) = build(&l, 0.0);
        let p = FaultProfile::default();
        let body_now = |bar: &BarTrack| head_position(&test_body(&times, &track, bar, &raw), &dl_rep(), &p);
        let f = body_now(&bar).expect("a head in view is judged");
        assert!((f.value - 70.0).abs() < 1.0, "{}", f.value);
        // The plate (radius 225 px) drawn over the ear, by the bar track.
        for (i, b) in bar.frames.iter_mut().enumerate() {
            if let (Some(b), Some(e)) = (b.as_mut(), track.point(i, Joint::Ear)) {
                (b.x_px, b.y_px) = (e.x + 100.0, e.y);
            }
        }
        assert!(body_now(&bar).is_none());
    }

    #[test]
    fn neck_angle_wraps_instead_of_reading_a_full_turn() {
        // Regression: a head drawn just past straight down read 300 deg on
        // squat_good_morning because the two leans were subtracted unwrapped.
        let mut l = deadlift(0.0, 0.0);
        for p in l.poses.iter_mut() {
            let s = p[Joint::Shoulder.index()];
            p[Joint::Ear.index()] = (s.0 - 0.02, s.1 - 0.15);
        }
        let (times, track, bar, raw) = build(&l, 0.0);
        let body = test_body(&times, &track, &bar, &raw);
        for i in [0, 50] {
            let n = body.neck_deg(i).unwrap();
            assert!((-180.0..=180.0).contains(&n), "frame {i}: {n}");
        }
        // The change from the standing angle wraps too.
        assert!((wrap_deg(170.0 - -170.0) - -20.0).abs() < 1e-9);
        assert!((wrap_deg(-170.0 - 170.0) - 20.0).abs() < 1e-9);
    }

    /// A deadlift whose hips reach their lockout height twice as fast as
    /// the bar, the torso at `torso(progress)` meanwhile.
    fn hips_first(torso: impl Fn(f64) -> f64) -> Lift {
        let mut l = deadlift(0.0, 0.0);
        for i in 15..=44 {
            let s = progress(i);
            let sh = (2.0 * s).min(1.0);
            let hip = (lerp(-0.15, 0.0, s), lerp(0.70, 0.95, sh));
            let knee = (lerp(0.12, 0.02, sh), lerp(0.45, 0.50, sh));
            l.poses[i] = body(hip, torso(s), knee, 0.0);
        }
        l
    }

    #[test]
    fn hips_rising_before_the_shoulders_is_flagged() {
        // The torso stays near 45 degrees for the first half of the pull.
        let l = hips_first(|s| {
            if s < 0.5 {
                45.0 + 10.0 * s
            } else {
                lerp(50.0, 0.0, (s - 0.5) * 2.0)
            }
        });
        let f = run(&l, crate::reps::Lift::Deadlift, &dl_rep());
        let h = f.iter().find(|f| f.kind == FaultKind::HipsRiseEarly).expect("flagged");
        // Hips 0.25 m, shoulders about 0.22 m over the first third.
        assert!(h.value > 1.1 && h.value < 1.3, "ratio {}", h.value);
    }

    /// Regression (held-out ho2_dl_clean_male_left): a pose that put the
    /// hips on the plate drew the setup upright (10 deg) and flagged a
    /// clean pull's hips rising early. No deadlift setup stands that tall.
    #[test]
    fn a_setup_drawn_upright_is_not_judged_for_hips_rising() {
        let mut l = hips_first(|s| {
            if s < 0.5 {
                45.0 + 10.0 * s
            } else {
                lerp(50.0, 0.0, (s - 0.5) * 2.0)
            }
        });
        // The same pull, the torso drawn 8 deg from vertical until the bar
        // leaves the floor.
        for i in 0..=15 {
            let p = l.poses[i];
            l.poses[i] = body(p[Joint::Hip.index()], 8.0, p[Joint::Knee.index()], 0.0);
        }
        let (times, track, bar, raw) = build(&l, 0.0);
        let body = test_body(&times, &track, &bar, &raw);
        let (lift, r) = (crate::reps::Lift::Deadlift, dl_rep());
        let p = FaultProfile::default();
        assert!(hips_rise_early(&body, lift, &r, &p).is_none());
        let why = not_checked(&body, lift, &r, &p, &[]);
        let n = why
            .iter()
            .find(|n| n.kind == FaultKind::HipsRiseEarly)
            .expect("said why");
        assert!(n.why.contains("torso 8 degrees from vertical"), "{}", n.why);
        // The same reading keeps the angle out of the rep summary and the
        // set's comparison (pipeline); a squat has no such setup.
        assert_eq!(upright_setup(&body, lift, &r, &p).map(f64::round), Some(8.0));
        assert!(upright_setup(&body, crate::reps::Lift::Squat, &r, &p).is_none());
        // Without the limit the same pose would be flagged.
        let no_limit = FaultProfile {
            hips_rise_min_setup_torso_deg: 0.0,
            ..FaultProfile::default()
        };
        assert!(hips_rise_early(&body, lift, &r, &no_limit).is_some());
    }

    /// Regression (mirrored bichraix bad013): a clip that begins mid-pull
    /// has no start to measure the hips' rise from.
    #[test]
    fn a_pull_that_began_before_the_clip_is_not_judged_for_hips_rising() {
        let mut l = hips_first(|_| 50.0);
        // The clip starts two frames into the pull.
        l.poses.rotate_left(17);
        l.bar.rotate_left(17);
        let r = rep(0, 52 - 17, 75 - 17, 0.55);
        let (times, track, mut bar, raw) = build(&l, 0.0);
        let p = FaultProfile::default();
        let lift = crate::reps::Lift::Deadlift;
        let body = test_body(&times, &track, &bar, &raw);
        assert!(hips_rise_early(&body, lift, &r, &p).is_none());
        // The bar's rise over the first frames says so, not the smoother's
        // speed at the first frame, which has nothing before it (mirrored
        // bad013 read -0.18 m/s there on a bar rising at 0.23).
        bar.frames[0].as_mut().unwrap().vy_mps = -0.18;
        let body = test_body(&times, &track, &bar, &raw);
        assert!(hips_rise_early(&body, lift, &r, &p).is_none());
        // The same pull with the bar still on the floor over the clip's
        // first 0.2 s is judged.
        let first = l.bar[0];
        for b in l.bar.iter_mut().take(8) {
            *b = first;
        }
        let (times, track, bar, raw) = build(&l, 0.0);
        let body = test_body(&times, &track, &bar, &raw);
        assert!(hips_rise_early(&body, lift, &r, &p).is_some());
    }

    #[test]
    fn bent_knees_at_the_top_are_a_soft_lockout() {
        let mut l = deadlift(0.0, 0.0);
        for i in 40..=65 {
            // Knee forward so the knee angle stays near 130 degrees.
            l.poses[i][Joint::Knee.index()] = (0.17, 0.50);
        }
        let f = run(&l, crate::reps::Lift::Deadlift, &dl_rep());
        let s = f.iter().find(|f| f.kind == FaultKind::SoftLockout).expect("flagged");
        assert!(s.value < 145.0, "{}", s.value);
    }

    /// A deadlift whose knee sits at `knee` (m) through the lockout, with the
    /// plate's centre 0.1 m ahead of the knee (radius 0.225 m).
    fn knee_behind_plate(knee: (f64, f64)) -> (Vec<f64>, SagittalTrack, BarTrack, Vec<Option<RawPose>>) {
        let mut l = deadlift(0.0, 0.0);
        for i in 40..=65 {
            l.poses[i][Joint::Knee.index()] = knee;
        }
        let (times, track, mut bar, raw) = build(&l, 0.0);
        bar.fits = (0..N)
            .map(|i| {
                let k = track.point(i, Joint::Knee)?;
                Some(crate::bar::PlateFit {
                    inlier_share: 0.8,
                    visible_arc_deg: 300.0,
                    hidden_arc_deg: 60.0,
                    ..crate::bar::PlateFit::seen_whole(k.x + 100.0, k.y, 225.0, 225.0)
                })
            })
            .collect();
        (times, track, bar, raw)
    }

    /// Regression (rendered deadlift_hips_rise_early): the same bent knee
    /// behind the near plate is the model's guess, not a soft lockout.
    #[test]
    fn a_knee_behind_the_plate_is_not_judged_at_lockout() {
        let (times, track, mut bar, raw) = knee_behind_plate((0.17, 0.50));
        let p = FaultProfile::default();
        let body = test_body(&times, &track, &bar, &raw);
        let lift = crate::reps::Lift::Deadlift;
        assert!(soft_lockout(&body, lift, &dl_rep(), &p).is_none());
        // A plate 1.1 radii away leaves the knee in view: flagged again.
        for f in bar.fits.iter_mut().flatten() {
            f.cx += 150.0;
        }
        let body = test_body(&times, &track, &bar, &raw);
        assert!(soft_lockout(&body, lift, &dl_rep(), &p).is_some());
    }

    /// Regression (rendered deadlift_hips_rise_early, with the covered hip
    /// read from the far side): a guessed knee far enough ahead bends the
    /// shoulder-hip-knee angle to 145 deg; behind the plate the leg runs
    /// from the hip to the ankle, which is straight.
    #[test]
    fn a_hip_angle_bent_only_by_a_knee_behind_the_plate_is_not_a_soft_lockout() {
        let (times, track, bar, raw) = knee_behind_plate((0.30, 0.52));
        let body = test_body(&times, &track, &bar, &raw);
        let through_knee = body
            .joint_deg(55, Joint::Shoulder, Joint::Hip, Joint::Knee)
            .expect("angle");
        assert!(through_knee < 150.0, "{through_knee}");
        let lift = crate::reps::Lift::Deadlift;
        assert!(soft_lockout(&body, lift, &dl_rep(), &FaultProfile::default()).is_none());
    }

    /// Regression (mirrored mattiolato bad02): the model drew the knee on the
    /// plate's rim at hip height at lockout, and the thigh-shin and
    /// shoulder-hip-knee angles through it read a "63 deg" soft lockout.
    #[test]
    fn a_knee_the_legs_cannot_reach_is_not_judged_at_lockout() {
        let mut l = deadlift(0.0, 0.0);
        for i in 40..=65 {
            // Level with the hip and 0.2 m ahead: shin 2.2 times its length.
            l.poses[i][Joint::Knee.index()] = (l.poses[i][Joint::Hip.index()].0 + 0.2, 0.93);
        }
        let p = FaultProfile::default();
        let lift = crate::reps::Lift::Deadlift;
        let (times, track, bar, raw) = build(&l, 0.0);
        let body = test_body(&times, &track, &bar, &raw);
        assert!(soft_lockout(&body, lift, &dl_rep(), &p).is_none());
        // A profile that allows such legs judges the knee, and flags it.
        let loose = FaultProfile {
            soft_lockout_max_limb_ratio: 3.0,
            ..FaultProfile::default()
        };
        let f = soft_lockout(&body, lift, &dl_rep(), &loose).expect("judged");
        assert!(f.value < 100.0, "{}", f.value);
    }

    /// When the facing is in doubt, "ahead" and every body angle may be
    /// the wrong way round: nothing that needs them is flagged.
    #[test]
    fn a_facing_in_doubt_judges_no_body_fault_and_no_drift() {
        let l = deadlift(-18.0, 0.16);
        let (times, mut track, bar, raw) = build(&l, 0.0);
        let p = FaultProfile::default();
        let lift = crate::reps::Lift::Deadlift;
        let body = test_body(&times, &track, &bar, &raw);
        let found = detect(&body, lift, &[dl_rep()], &p).0;
        assert!(kinds(&found).contains(&"hyperextension_lockout") && kinds(&found).contains(&"bar_drift"));
        track.facing_doubt = Some("the toes point left".into());
        let body = test_body(&times, &track, &bar, &raw);
        let (found, notes, doubted) = detect(&body, lift, &[dl_rep()], &p);
        assert!(found.is_empty(), "{:?}", kinds(&found));
        assert_eq!(doubted, vec![0]);
        assert!(notes.iter().any(|n| n.contains("the toes point left")), "{notes:?}");
    }

    /// Squat progress 0 (standing) .. 1 (bottom): stand 0-14, down 15-39,
    /// bottom 40-44, up 45-74, stand 75-89.
    fn depth(i: usize) -> f64 {
        match i {
            0..=14 => 0.0,
            15..=39 => (i - 15) as f64 / 25.0,
            40..=44 => 1.0,
            45..=74 => 1.0 - (i - 45) as f64 / 29.0,
            _ => 0.0,
        }
    }

    /// A squat whose hips reach `bottom_hip_y`; the torso lean follows
    /// depth unless `torso` says otherwise. The bar sits 5 cm above the shoulder.
    fn squat(bottom_hip_y: f64, torso: impl Fn(usize, f64) -> f64, hip_y: impl Fn(usize, f64) -> f64) -> Lift {
        let mut poses = Vec::new();
        let mut bar = Vec::new();
        for i in 0..N {
            let d = depth(i);
            let hy = hip_y(i, lerp(0.95, bottom_hip_y, d));
            let hip = (lerp(0.0, -0.25, d), hy);
            let knee = (lerp(0.02, 0.25, d), lerp(0.50, 0.48, d));
            let p = body(hip, torso(i, d), knee, 0.0);
            let s = p[Joint::Shoulder.index()];
            bar.push((s.0, s.1 + 0.05));
            poses.push(p);
        }
        Lift {
            poses,
            bar,
            outline: vec![None; N],
        }
    }

    fn sq_rep() -> Rep {
        rep(15, 42, 75, 0.5)
    }

    /// Every detector on the test squat's one rep: faults, notes, doubted reps.
    fn detect_squat(l: &Lift, p: &FaultProfile) -> (Vec<Fault>, Vec<String>, Vec<usize>) {
        let (times, track, bar, raw) = build(l, 0.0);
        let body = test_body(&times, &track, &bar, &raw);
        detect(&body, crate::reps::Lift::Squat, &[sq_rep()], p)
    }

    /// Regression (squat_gymai_quarter on an AVX2 machine): a squat's
    /// lockout is its last frame, and the frames after it belong to the next
    /// rep, whose collapsed pose read as a lean-back of this one.
    #[test]
    fn a_squat_lockout_is_read_on_its_own_rep() {
        let r = sq_rep();
        let next = rep(r.end_frame + 2, r.end_frame + 10, N - 1, 0.5);
        let l = squat(
            0.42,
            |i, d| {
                if i > next.start_frame {
                    -17.0
                } else {
                    lerp(10.0, 35.0, d)
                }
            },
            |_, y| y,
        );
        let (times, track, bar, raw) = build(&l, 0.0);
        let p = FaultProfile::default();
        let body = test_body(&times, &track, &bar, &raw).with_reps(&[r.clone(), next.clone()]);
        assert!(hyperextension(&body, crate::reps::Lift::Squat, &r, &p).is_none());
        // With no rep after it, the same frames are this rep's lockout.
        let alone = test_body(&times, &track, &bar, &raw).with_reps(std::slice::from_ref(&r));
        let f = hyperextension(&alone, crate::reps::Lift::Squat, &r, &p).expect("flagged");
        assert!((f.value + 17.0).abs() < 1.0, "{}", f.value);
    }

    #[test]
    fn deep_upright_squat_flags_nothing() {
        let l = squat(0.42, |_, d| lerp(10.0, 35.0, d), |_, y| y);
        let f = run(&l, crate::reps::Lift::Squat, &sq_rep());
        assert!(f.is_empty(), "{:?}", kinds(&f));
    }

    #[test]
    fn squat_stopping_high_is_above_parallel() {
        // Hips 13 cm above the knees, 50 cm behind them: atan(0.13 / 0.5) = 14.6 deg.
        let l = squat(0.61, |_, d| lerp(10.0, 35.0, d), |_, y| y);
        let f = run(&l, crate::reps::Lift::Squat, &sq_rep());
        let a = f.iter().find(|f| f.kind == FaultKind::AboveParallel).expect("flagged");
        assert!((a.value - 14.6).abs() < 0.3, "{}", a.value);
        assert_eq!(a.severity, Severity::Minor);
    }

    #[test]
    fn a_squat_whose_hips_the_pose_loses_at_the_bottom_is_judged_from_the_bar() {
        // The same high squat with no hip or knee around the bottom: the bar
        // drops from 1.492 m to 0.61 + 0.5 cos 35 + 0.05 = 1.070 m, a share
        // of 0.283 of its standing height.
        let l = squat(0.61, |_, d| lerp(10.0, 35.0, d), |_, y| y);
        let (times, mut track, bar, raw) = build(&l, 0.0);
        for j in &mut track.joints[30..55] {
            j[Joint::Hip.index()] = None;
            j[Joint::Knee.index()] = None;
        }
        let body = test_body(&times, &track, &bar, &raw);
        let (f, _, _) = detect(&body, crate::reps::Lift::Squat, &[sq_rep()], &FaultProfile::default());
        let a = f.iter().find(|f| f.kind == FaultKind::AboveParallel).expect("flagged");
        assert!((a.value - 0.283).abs() < 0.005, "{}", a.value);
        assert_eq!(a.unit, "share of standing bar height");
        assert_eq!(a.severity, Severity::Minor);
        assert!((40..=44).contains(&a.worst_frame), "{}", a.worst_frame);
    }

    /// Regression (squat_gymai_quarter): the plate hid the head, the pose
    /// bent the neck past any body, and the rep's depth came from the bar
    /// alone, whose drop (0.38 of standing height on a lifter leaning
    /// forward) passed for parallel although the thighs stayed 40 deg above
    /// horizontal. A leg drawn at its length still gives the depth; a thigh
    /// shrunk under the plate leaves it to the bar.
    #[test]
    fn a_squat_pose_doubted_for_its_neck_reads_depth_from_a_whole_leg() {
        let mut l = squat(0.61, |_, d| lerp(10.0, 35.0, d), |_, y| y);
        for p in &mut l.poses[20..70] {
            let s = p[Joint::Shoulder.index()];
            p[Joint::Ear.index()] = (s.0 - 0.05, s.1 - 0.2);
        }
        let (f, notes, doubted) = detect_squat(&l, &FaultProfile::default());
        assert_eq!(doubted, vec![0]);
        assert!(notes[0].contains("neck bent"), "{}", notes[0]);
        let a = f.iter().find(|f| f.kind == FaultKind::AboveParallel).expect("flagged");
        // Thigh 0.52 m against a 0.47 m shin: the thigh angle, 14.6 deg.
        assert_eq!(a.unit, "deg");
        assert!((a.value - 14.6).abs() < 0.3, "{}", a.value);
        // The same rep with the thigh drawn at half the shin around the
        // bottom: the bar's drop, 0.283 of its standing height.
        for p in &mut l.poses[30..55] {
            let k = p[Joint::Knee.index()];
            p[Joint::Hip.index()] = (k.0 - 0.2, k.1 + 0.1);
        }
        let (f, _, doubted) = detect_squat(&l, &FaultProfile::default());
        assert_eq!(doubted, vec![0]);
        let a = f.iter().find(|f| f.kind == FaultKind::AboveParallel).expect("flagged");
        assert_eq!(a.unit, BAR_DROP_UNIT);
        assert!((a.value - 0.283).abs() < 0.005, "{}", a.value);
    }

    #[test]
    fn a_squat_pose_with_the_hips_on_the_plate_is_not_judged() {
        // Regression (squat_rounding): with the plate over the torso the
        // landmark model put the hips 2-24 cm from the bar, and that pose
        // read a soft lockout. Here the hips are drawn 0.2 m below the bar:
        // judged, the hips-high pose would read above parallel.
        let mut l = squat(0.42, |_, d| lerp(10.0, 35.0, d), |_, y| y);
        for (p, b) in l.poses.iter_mut().zip(&l.bar) {
            p[Joint::Hip.index()] = (b.0 - 0.05, b.1 - 0.2);
        }
        let (f, notes, doubted) = detect_squat(&l, &FaultProfile::default());
        assert_eq!(doubted, vec![0]);
        assert!(notes[0].contains("hips 21 cm from the bar"), "{}", notes[0]);
        assert!(f
            .iter()
            .all(|f| f.kind == FaultKind::BarDrift || f.kind == FaultKind::AboveParallel));
        // The bar itself is judged: it dropped to depth, so no depth flag.
        assert!(f.is_empty(), "{:?}", kinds(&f));
        // Judged, and with the bar's drop (0.41, a squat at depth) not let
        // overrule the pose, that pose reads above parallel.
        let lax = FaultProfile {
            min_hip_to_bar_m: 0.0,
            deep_bar_drop_share: 1.0,
            ..FaultProfile::default()
        };
        let judged = detect_squat(&l, &lax).0;
        assert_eq!(kinds(&judged), vec!["above_parallel"]);
        // The real squat, hips a torso below the bar, is judged.
        let l = squat(0.42, |_, d| lerp(10.0, 35.0, d), |_, y| y);
        assert!(detect_squat(&l, &FaultProfile::default()).2.is_empty());
    }

    #[test]
    fn a_deep_bar_drop_overrules_a_hip_the_pose_draws_high() {
        // The pose keeps the hip 13 cm above the knee (14.6 deg, a flag on
        // its own) while the bar drops to 0.30 + 0.41 + 0.05 m: 0.49 of its
        // standing height, a squat at depth.
        let mut l = squat(0.61, |_, d| lerp(10.0, 35.0, d), |_, y| y);
        l.bar = squat(0.30, |_, d| lerp(10.0, 35.0, d), |_, y| y).bar;
        let f = run(&l, crate::reps::Lift::Squat, &sq_rep());
        assert!(!f.iter().any(|f| f.kind == FaultKind::AboveParallel), "{:?}", kinds(&f));
        // Regression (a clean rendered squat at 120 fps whose pose
        // collapsed under the plate): the bar dropped 0.43 of its height,
        // as parallel squats do, and the hip drawn high was taken for the
        // depth (thighs 74 deg above horizontal). A drop of 0.43 overrules.
        l.bar = squat(0.39, |_, d| lerp(10.0, 35.0, d), |_, y| y).bar;
        let f = run(&l, crate::reps::Lift::Squat, &sq_rep());
        assert!(!f.iter().any(|f| f.kind == FaultKind::AboveParallel), "{:?}", kinds(&f));
        // A quarter squat leaning far forward drops the bar 0.38 (gymai's
        // fourth rep, thighs 40 deg above horizontal): the pose decides.
        l.bar = squat(0.465, |_, d| lerp(10.0, 35.0, d), |_, y| y).bar;
        let f = run(&l, crate::reps::Lift::Squat, &sq_rep());
        assert!(f.iter().any(|f| f.kind == FaultKind::AboveParallel), "{:?}", kinds(&f));
    }

    #[test]
    fn hips_shooting_up_out_of_the_hole_is_a_good_morning() {
        // From the bottom the hips rise 20 cm in 10 frames while the torso
        // tips from 35 to 60 degrees; the bar (on the shoulders) barely rises.
        let l = squat(
            0.42,
            |i, d| {
                if (45..=60).contains(&i) {
                    35.0 + 25.0 * ((i - 45) as f64 / 15.0)
                } else {
                    lerp(10.0, 35.0, d)
                }
            },
            |i, y| {
                if (45..=60).contains(&i) {
                    0.42 + 0.2 * ((i - 45) as f64 / 15.0)
                } else {
                    y
                }
            },
        );
        let f = run(&l, crate::reps::Lift::Squat, &sq_rep());
        let g = f.iter().find(|f| f.kind == FaultKind::GoodMorning).expect("flagged");
        assert!(g.value > 12.0, "{}", g.value);
        assert!((45..=62).contains(&g.worst_frame), "{}", g.worst_frame);
    }

    #[test]
    fn back_outline_bulging_and_torso_shortening_is_rounding() {
        let mut l = deadlift(0.0, 0.0);
        // Standing reach 0.1 m at every station (0.2 torso lengths); at the
        // floor the middle bulges 0.3 torso lengths further and the chord
        // shortens to 0.75.
        for i in 0..N {
            let s = progress(i);
            let bulge = 0.15 * (1.0 - s);
            let b = (100.0 + 1000.0 * bulge) as f32;
            l.outline[i] = Some(TorsoOutline {
                plus_px: [150.0; 5],
                minus_px: [100.0, b, b, 100.0, 100.0],
            });
            let hip = l.poses[i][Joint::Hip.index()];
            let sh = l.poses[i][Joint::Shoulder.index()];
            let k = 1.0 - 0.25 * (1.0 - s);
            l.poses[i][Joint::Shoulder.index()] = (hip.0 + k * (sh.0 - hip.0), hip.1 + k * (sh.1 - hip.1));
        }
        let f = run(&l, crate::reps::Lift::Deadlift, &dl_rep());
        let r = f.iter().find(|f| f.kind == FaultKind::Rounding).expect("flagged");
        // The 90th percentile over the rep: below the 0.3 peak at the floor.
        assert!(r.value > 0.2 && r.value <= 0.3, "{}", r.value);
        assert_eq!(r.region.as_deref(), Some("lower back"));
        // The same outline without the shortening is not enough.
        let mut l2 = deadlift(0.0, 0.0);
        l2.outline = l.outline.clone();
        assert!(run(&l2, crate::reps::Lift::Deadlift, &dl_rep())
            .iter()
            .all(|f| f.kind != FaultKind::Rounding));
        // Regression (deadlift_hips_up_before_pull, a clean pull flagged on
        // both reps): where the chord runs out of the body on the chest side
        // the pose and the mask disagree, and those frames are not read.
        let mut l3 = deadlift(0.0, 0.0);
        l3.poses = l.poses.clone();
        l3.outline = l.outline.clone();
        for o in l3.outline.iter_mut().flatten() {
            if o.minus_px[2] > 150.0 {
                o.plus_px[2] = 5.0;
            }
        }
        assert!(run(&l3, crate::reps::Lift::Deadlift, &dl_rep())
            .iter()
            .all(|f| f.kind != FaultKind::Rounding));
    }

    #[test]
    fn a_point_is_inside_a_grown_polygon_only_near_it() {
        let square = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)];
        assert!(inside_polygon((5.0, 5.0), &square, 1.0));
        assert!(!inside_polygon((10.4, 5.0), &square, 1.0));
        // Grown by a tenth about its centre: 0.5 past each side.
        assert!(inside_polygon((10.4, 5.0), &square, 1.1));
        assert!(!inside_polygon((10.6, 5.0), &square, 1.1));
        assert!(!inside_polygon((5.0, 5.0), &square[..2], 1.1));
    }

    #[test]
    fn grades_follow_the_levels_both_ways() {
        assert_eq!(grade(0.05, [0.06, 0.10, 0.15]), None);
        assert_eq!(grade(0.06, [0.06, 0.10, 0.15]), Some(Severity::Minor));
        assert_eq!(grade(0.2, [0.06, 0.10, 0.15]), Some(Severity::Major));
        assert_eq!(grade(-12.0, [-10.0, -15.0, -20.0]), Some(Severity::Minor));
        assert_eq!(grade(-9.0, [-10.0, -15.0, -20.0]), None);
        assert!(FaultProfile::default().validate().is_ok());
        let p = FaultProfile {
            heel_lift_m: [0.1, 0.05, 0.2],
            ..Default::default()
        };
        assert!(p.validate().is_err());
    }
}
