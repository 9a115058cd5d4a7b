//! `[faults]`: every detector's levels and windows, validated.

use super::*;

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
    /// How long the bar must stay that far ahead or that far moved (s):
    /// one frame's reading is not a drift.
    pub bar_drift_min_s: f64,
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
            bar_drift_min_s: 0.1,
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
                ("bar_drift_min_s", self.bar_drift_min_s),
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
