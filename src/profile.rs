//! Every threshold liftlens uses, in one place. `profiles/default.toml`
//! documents each key with its unit and the measurement behind its value;
//! `--profile FILE` overrides any subset (missing keys keep their defaults).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::signal::Smoothing;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Profile {
    pub video: VideoProfile,
    pub pose: PoseProfile,
    pub bar: crate::bar::BarProfile,
    pub reps: crate::reps::RepProfile,
    pub faults: crate::faults::FaultProfile,
    pub consistency: crate::consistency::ConsistencyProfile,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PoseProfile {
    /// Landmark model's pose flag below which a frame has no pose.
    pub min_pose_flag: f32,
    /// Landmark visibility below which a point is not used.
    pub min_visibility: f32,
    /// Largest believable move of a fused joint between frames at 30 fps,
    /// in thigh lengths (scaled up for lower frame rates).
    pub max_jump_thigh: f64,
    /// Longest gap (s) bridged by interpolation; also how long a jump must
    /// persist before the fused chain follows it.
    pub max_gap_s: f64,
    /// Bonus (in visibility units) for the side that faces the camera.
    pub near_side_prior: f64,
    /// Penalty per thigh length of distance from the previous fused point.
    pub continuity_weight: f64,
    /// Temporal smoothing of every fused keypoint.
    pub smoothing: Smoothing,
    /// How the crop follows the lifter from frame to frame.
    pub tracker: TrackerProfile,
    /// A facing cue (toes, nose, knees) with at least this much say
    /// (visibility-weighted side-frames) ...
    pub facing_cue_min_weight: f64,
    /// ... whose mean vote points the other way by at least this much
    /// (0-1) makes the facing doubtful.
    pub facing_cue_min_mean: f64,
    /// The far hip stands in for the one the plate covers in a deadlift
    /// (`skeleton::uncover_hips`) only with the camera turned at most this
    /// far from side-on (degrees, from the plate's ellipse) ...
    pub covered_hip_max_turn_deg: f64,
    /// ... and with both hips seen clear of the plate on at least this many
    /// frames, to learn how far apart the two sides sit.
    pub covered_hip_min_frames: usize,
}

/// Reading the clip itself (`[video]`): where an edited clip cuts from one
/// shot to another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VideoProfile {
    /// A frame starts a new shot when its thumbnail's mean change from the
    /// frame before (grey levels; each of its 4x4 cells' mean shift taken
    /// out, and the camera's move undone where that changes less) is at
    /// least this ...
    pub cut_min_change: f64,
    /// ... and at least this many times the median change over the
    /// `cut_history` frames before it (floored at 0.5 grey levels).
    pub cut_min_ratio: f64,
    pub cut_history: usize,
    /// ... and at least this share of the thumbnail's 4x4 cells changed by
    /// `cut_cell_min_change` grey levels or more.
    pub cut_min_changed_share: f64,
    pub cut_cell_min_change: f64,
}

impl Default for VideoProfile {
    fn default() -> Self {
        VideoProfile {
            cut_min_change: 10.0,
            cut_min_ratio: 8.0,
            cut_history: 10,
            cut_min_changed_share: 0.6,
            cut_cell_min_change: 4.0,
        }
    }
}

/// The pose tracker's crop decisions (`[pose.tracker]`). A change here
/// changes poses.csv, so it needs a run with inference, not `--from-poses`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrackerProfile {
    /// A crop whose pose flag falls below `min_pose_flag` but stays at or
    /// above this keeps following the body while the detector cannot
    /// re-find it (the plate hides the head at the bottom of a squat).
    pub coast_min_flag: f32,
    /// Longest run (s) of such frames before the crop is dropped.
    pub max_coast_s: f64,
    /// Feet this far (share of the crop side) above a person mask that
    /// leaves the crop's bottom edge mean a shrunken body: re-crop lower.
    pub feet_cut_min_share: f32,
    /// A re-crop whose flag falls more than this below the crop it
    /// replaces has slid off the body.
    pub refit_max_flag_drop: f32,
}

impl Default for TrackerProfile {
    fn default() -> Self {
        TrackerProfile {
            coast_min_flag: 0.1,
            max_coast_s: 1.5,
            feet_cut_min_share: 0.1,
            refit_max_flag_drop: 0.3,
        }
    }
}

impl Default for PoseProfile {
    fn default() -> Self {
        PoseProfile {
            min_pose_flag: 0.5,
            min_visibility: 0.5,
            max_jump_thigh: 0.25,
            max_gap_s: 0.25,
            near_side_prior: 0.1,
            continuity_weight: 0.5,
            smoothing: Smoothing::default(),
            tracker: TrackerProfile::default(),
            facing_cue_min_weight: 5.0,
            facing_cue_min_mean: 0.3,
            covered_hip_max_turn_deg: 10.0,
            covered_hip_min_frames: 10,
        }
    }
}

/// True for a finite number above zero (NaN is not).
pub(crate) fn positive(v: f64) -> bool {
    v.is_finite() && v > 0.0
}

/// Every value passing `ok`, else the first one that does not, named as
/// `section.name` with what it must be.
pub(crate) fn each(
    section: &str,
    values: &[(&str, f64)],
    ok: impl Fn(f64) -> bool,
    must_be: &str,
) -> std::result::Result<(), String> {
    match values.iter().find(|(_, v)| !ok(*v)) {
        Some((name, v)) => Err(format!("{section}.{name} = {v} must be {must_be}")),
        None => Ok(()),
    }
}

/// Every value a share between 0 and 1, else the first one that is not.
pub(crate) fn shares(section: &str, values: &[(&str, f64)]) -> std::result::Result<(), String> {
    each(section, values, |v| (0.0..=1.0).contains(&v), "between 0 and 1")
}

impl Profile {
    pub fn load(path: &Path) -> Result<Self> {
        let err = |reason: String| Error::Profile {
            path: path.to_path_buf(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let profile: Profile = toml::from_str(&text).map_err(|e| err(e.to_string()))?;
        profile.validate().map_err(err)?;
        Ok(profile)
    }

    pub fn validate(&self) -> std::result::Result<(), String> {
        let v = &self.video;
        each(
            "video",
            &[
                ("cut_min_change", v.cut_min_change),
                ("cut_min_ratio", v.cut_min_ratio),
                ("cut_history", v.cut_history as f64),
                ("cut_cell_min_change", v.cut_cell_min_change),
            ],
            positive,
            "positive",
        )?;
        shares("video", &[("cut_min_changed_share", v.cut_min_changed_share)])?;
        let p = &self.pose;
        shares(
            "pose",
            &[
                ("min_pose_flag", p.min_pose_flag as f64),
                ("min_visibility", p.min_visibility as f64),
                ("tracker.coast_min_flag", p.tracker.coast_min_flag as f64),
                ("tracker.feet_cut_min_share", p.tracker.feet_cut_min_share as f64),
                ("tracker.refit_max_flag_drop", p.tracker.refit_max_flag_drop as f64),
                ("facing_cue_min_mean", p.facing_cue_min_mean),
            ],
        )?;
        each(
            "pose",
            &[
                ("facing_cue_min_weight", p.facing_cue_min_weight),
                ("covered_hip_max_turn_deg", p.covered_hip_max_turn_deg),
            ],
            |v| v.is_finite() && v >= 0.0,
            "zero or positive",
        )?;
        if p.tracker.coast_min_flag > p.min_pose_flag {
            return Err(format!(
                "pose.tracker.coast_min_flag = {} must not exceed pose.min_pose_flag = {}",
                p.tracker.coast_min_flag, p.min_pose_flag
            ));
        }
        if !(0.0..=10.0).contains(&p.tracker.max_coast_s) {
            return Err(format!(
                "pose.tracker.max_coast_s = {} must be between 0 and 10 seconds",
                p.tracker.max_coast_s
            ));
        }
        each("pose", &[("max_jump_thigh", p.max_jump_thigh)], positive, "positive")?;
        if !(0.0..=2.0).contains(&p.max_gap_s) {
            return Err(format!(
                "pose.max_gap_s = {} must be between 0 and 2 seconds",
                p.max_gap_s
            ));
        }
        let b = &self.bar;
        if !positive(b.plate_mm) || b.plate_mm > 1000.0 {
            return Err(format!(
                "bar.plate_mm = {} must be a plate diameter in millimetres (e.g. 450)",
                b.plate_mm
            ));
        }
        if !positive(b.lifter_height_m) || b.lifter_height_m > 2.6 {
            return Err(format!(
                "bar.lifter_height_m = {} must be a height in metres",
                b.lifter_height_m
            ));
        }
        if !(b.yaw_part_rim_deg > 0.0 && b.yaw_part_rim_deg <= 360.0) {
            return Err(format!(
                "bar.yaw_part_rim_deg = {} must be degrees of rim, above 0 and at most 360",
                b.yaw_part_rim_deg
            ));
        }
        if !(b.warn_camera_angle_deg > 0.0 && b.warn_camera_angle_deg < 90.0) {
            return Err(format!(
                "bar.warn_camera_angle_deg = {} must be degrees between 0 and 90",
                b.warn_camera_angle_deg
            ));
        }
        if !(b.near_face_min_arc_deg > 0.0 && b.near_face_min_arc_deg <= 360.0) {
            return Err(format!(
                "bar.near_face_min_arc_deg = {} must be degrees of rim, above 0 and at most 360",
                b.near_face_min_arc_deg
            ));
        }
        if b.rays < 36 {
            return Err(format!("bar.rays = {} must be at least 36", b.rays));
        }
        shares(
            "bar",
            &[
                ("min_inlier_share", b.min_inlier_share),
                ("inlier_tolerance", b.inlier_tolerance),
                ("max_radius_change", b.max_radius_change),
                ("follow_min_inlier_share", b.follow_min_inlier_share),
                ("vertical_scale_min_cover", b.vertical_scale_min_cover),
                ("vertical_scale_min_change", b.vertical_scale_min_change),
                ("vertical_scale_max_change", b.vertical_scale_max_change),
                ("face_centre_min_ratio", b.face_centre_min_ratio),
                ("seed_roundness", b.seed_roundness),
                ("twin_roundness", b.twin_roundness),
                ("outer_rim_min_inlier_share", b.outer_rim_min_inlier_share),
                ("recapture_max_radius_change", b.recapture_max_radius_change),
            ],
        )?;
        each(
            "bar",
            &[("polarity_turn_min_rim_ratio", b.polarity_turn_min_rim_ratio)],
            |v| v >= 1.0,
            "at least 1 (times the rim the track's own polarity sees)",
        )?;
        each(
            "bar",
            &[("twin_max_radius_ratio", b.twin_max_radius_ratio)],
            |v| v >= 1.0,
            "at least 1 (seed radii; at or under seed_veto_radius_ratio turns the near-plate search off)",
        )?;
        if !(1.0 <= b.outer_rim_min_ratio && b.outer_rim_min_ratio <= b.outer_rim_max_ratio) {
            return Err(format!(
                "bar.outer_rim_min_ratio = {} and bar.outer_rim_max_ratio = {} must be seed radii with 1 <= min <= max \
                 (max under 1.1 turns the outer-rim search off)",
                b.outer_rim_min_ratio, b.outer_rim_max_ratio
            ));
        }
        each(
            "bar",
            &[("outer_rim_max_apart_radii", b.outer_rim_max_apart_radii)],
            |v| v >= 0.0,
            "0 or more (seed radii)",
        )?;
        each(
            "bar",
            &[("recapture_within_radii", b.recapture_within_radii)],
            |v| (0.0..=4.0).contains(&v),
            "0 to 4 (plate radii about the prediction; 0 turns the recapture off)",
        )?;
        each(
            "bar",
            &[
                ("lifter_link_radii", b.lifter_link_radii),
                ("twin_within_radii", b.twin_within_radii),
            ],
            positive,
            "positive (plate radii)",
        )?;
        each(
            "bar",
            &[("plate_thickness_mm", b.plate_thickness_mm)],
            positive,
            "positive (millimetres)",
        )?;
        each(
            "bar",
            &[("blur_min_smear_px", b.blur_min_smear_px)],
            |v| v >= 0.0,
            "0 or more (pixels of movement per frame; a large value turns the blur refit off)",
        )?;
        each(
            "bar",
            &[("seed_veto_min_apart_radii", b.seed_veto_min_apart_radii)],
            |v| v >= 0.0,
            "0 or more (seed radii; 0 lets any bigger circle hold a seed back)",
        )?;
        each(
            "bar",
            &[
                ("sigma_measured_px", b.sigma_measured_px),
                ("sigma_followed_px", b.sigma_followed_px),
                ("sigma_body_px", b.sigma_body_px),
                ("turn_max_misfit_px", b.turn_max_misfit_px),
            ],
            positive,
            "positive (pixels)",
        )?;
        each(
            "bar",
            &[("vertical_scale_still_px_per_s", b.vertical_scale_still_px_per_s)],
            |v| v >= 0.0,
            "0 or more (pixels per second)",
        )?;
        each(
            "bar",
            &[("repeat_max_grey_diff", b.repeat_max_grey_diff)],
            |v| v >= 0.0,
            "0 or more (grey levels; 0 counts no frame as a repeat)",
        )?;
        if b.vertical_scale_min_change > b.vertical_scale_max_change {
            return Err(format!(
                "bar.vertical_scale_min_change = {} is above bar.vertical_scale_max_change = {}: no size change could pass both",
                b.vertical_scale_min_change, b.vertical_scale_max_change
            ));
        }
        smoothing_valid("bar.smoothing", b.smoothing, true)?;
        if !(b.seed_veto_radius_ratio >= 1.0 && b.seed_veto_s >= 0.0) {
            return Err(format!(
                "bar.seed_veto_radius_ratio = {} must be at least 1 and bar.seed_veto_s = {} at least 0 (0 turns the veto off)",
                b.seed_veto_radius_ratio, b.seed_veto_s
            ));
        }
        let r = &self.reps;
        each(
            "reps",
            &[("min_rep_rom_m", r.min_rep_rom_m)],
            positive,
            "positive (metres)",
        )?;
        each(
            "reps",
            &[("still_below_mps", r.still_below_mps)],
            positive,
            "positive (m/s)",
        )?;
        each(
            "reps",
            &[("max_leg_tilt_deg", r.max_leg_tilt_deg)],
            |v| v > 0.0 && v <= 180.0,
            "between 0 and 180 (degrees)",
        )?;
        shares(
            "reps",
            &[
                ("min_rep_rom_share", r.min_rep_rom_share),
                ("phase_band_share", r.phase_band_share),
                ("mid_rep_start_share", r.mid_rep_start_share),
                ("min_pose_coverage", r.min_pose_coverage),
                ("min_plate_share_for_bar_only", r.min_plate_share_for_bar_only),
                ("min_plate_share_for_view", r.min_plate_share_for_view),
            ],
        )?;
        self.faults.validate()?;
        self.consistency.validate()?;
        smoothing_valid("pose.smoothing", p.smoothing, false)
    }
}

/// A smoothing's parameters; the Kalman kind only where each sample comes
/// with its precision (`weighted`).
fn smoothing_valid(table: &str, s: Smoothing, weighted: bool) -> std::result::Result<(), String> {
    match s {
        Smoothing::Butterworth { cutoff_hz } if !positive(cutoff_hz) => {
            Err(format!("{table}.cutoff_hz = {cutoff_hz} must be positive"))
        }
        Smoothing::OneEuro {
            min_cutoff_hz,
            d_cutoff_hz,
            beta,
        } if !(positive(min_cutoff_hz) && positive(d_cutoff_hz) && beta >= 0.0) => Err(format!(
            "{table}: one_euro needs min_cutoff_hz > 0, d_cutoff_hz > 0, beta >= 0"
        )),
        Smoothing::Kalman { .. } if !weighted => Err(format!(
            "{table}: kind = \"kalman\" needs each sample's precision, which only the bar has; use \"butterworth\" or \"one_euro\""
        )),
        Smoothing::Kalman { jerk_psd } if !positive(jerk_psd) => {
            Err(format!("{table}.jerk_psd = {jerk_psd} must be positive (m^2/s^5)"))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_default_profile_equals_the_built_in_defaults() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("profiles/default.toml");
        assert_eq!(Profile::load(&path).unwrap(), Profile::default());
    }

    #[test]
    fn partial_profile_keeps_other_defaults_and_rejects_typos() {
        let p: Profile = toml::from_str("[pose]\nmax_gap_s = 0.5\n").unwrap();
        assert_eq!(p.pose.max_gap_s, 0.5);
        assert_eq!(p.pose.min_visibility, 0.5);
        assert!(toml::from_str::<Profile>("[pose]\nmax_gap = 0.5\n").is_err());
        let p: Profile = toml::from_str(
            "[pose.smoothing]\nkind = \"one_euro\"\nmin_cutoff_hz = 1.0\nbeta = 0.1\nd_cutoff_hz = 1.0\n",
        )
        .unwrap();
        assert!(matches!(p.pose.smoothing, Smoothing::OneEuro { .. }));
    }

    #[test]
    fn the_kalman_smoothing_is_for_the_bar_only_and_needs_a_positive_jerk() {
        let check = |text: &str| toml::from_str::<Profile>(text).unwrap().validate();
        assert!(check("[bar.smoothing]\nkind = \"kalman\"\njerk_psd = 300.0\n").is_ok());
        let err = check("[bar.smoothing]\nkind = \"kalman\"\njerk_psd = 0.0\n").unwrap_err();
        assert!(err.contains("bar.smoothing.jerk_psd"), "{err}");
        let err = check("[pose.smoothing]\nkind = \"kalman\"\njerk_psd = 300.0\n").unwrap_err();
        assert!(err.contains("pose.smoothing") && err.contains("butterworth"), "{err}");
        let err = check("[bar]\nsigma_followed_px = -1.0\n").unwrap_err();
        assert!(err.contains("bar.sigma_followed_px"), "{err}");
    }
}
