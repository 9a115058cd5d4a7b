//! `[bar]`: the plate finder's and tracker's thresholds.

use super::*;

/// Thresholds of plate finding and tracking (section `[bar]` of the profile).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BarProfile {
    /// Plate diameter in millimetres (450 for standard bumper and competition plates).
    pub plate_mm: f64,
    /// Rays cast around the rim per frame.
    pub rays: usize,
    /// Minimum share of in-frame rays whose edge fits the rim.
    pub min_inlier_share: f64,
    /// Largest run of rim (degrees) without a fitting edge while tracking
    /// (hands and thighs cover the plate at a deadlift lockout).
    pub max_hidden_arc_deg: f64,
    /// The same when searching afresh: stricter, as nothing else vouches for the circle.
    pub seed_max_hidden_arc_deg: f64,
    /// Least rim (degrees) that must be seen.
    pub min_visible_arc_deg: f64,
    /// Shape-held centre fits (plate partly hidden): least inlier share and
    /// least rim seen.
    pub held_min_inlier_share: f64,
    pub held_min_visible_arc_deg: f64,
    /// Rim seen (degrees) for the plate's shape to be fitted: an ellipse
    /// (rather than a circle) in a free fit, and the shape the track holds
    /// and the metric scale taken from such fits only. On half a rim an
    /// ellipse fit stretches along the missing side (the rendered pull off
    /// the floor: 72/68 px for a 68.4 px circle, seen on 180-240 degrees).
    pub full_rim_deg: f64,
    /// Least rim (degrees) of the free fits the camera angle is read from:
    /// 300 when any fit saw that much, else this (a rack upright or the
    /// lifter can hide a third of the rim all clip long). Such a reading
    /// tells a side view (a circle or a slight ellipse) from a front or
    /// 45-degree one (a line, or an ellipse of 0.7), but a part-rim fit is
    /// often taken as a circle (`full_rim_deg`), so it is not used to
    /// correct distances.
    pub yaw_part_rim_deg: f64,
    /// A camera turned or tilted more than this (degrees) gets a note on
    /// how to film (the "warn past 20 degrees").
    pub warn_camera_angle_deg: f64,
    /// Radius may differ from its recent median by this fraction.
    pub max_radius_change: f64,
    /// A held fit that misses the rim may let its size drift (by up to
    /// `max_radius_change`) once this many sound fits have taught the size.
    pub held_size_drift_min_fits: usize,
    /// A track whose rim polarity measures nothing takes the other where
    /// that measures the plate on this many times the rim.
    pub polarity_turn_min_rim_ratio: f64,
    /// Largest centre move per frame at 30 fps, in plate radii.
    pub max_speed_radii: f64,
    /// An edge point fits the rim when within this fraction of the radius.
    pub inlier_tolerance: f64,
    /// Minimum gradient along the ray (Sobel 3x3 on 8-bit grey) for an edge.
    pub min_edge: f64,
    /// Edge candidates kept per ray (its strongest local maxima); the rim
    /// fit takes, per ray, the one on the rim.
    pub edges_per_ray: usize,
    /// Seconds without a measurement before the plate is searched afresh.
    pub lost_after_s: f64,
    /// Longest gap (s) bridged by interpolation in the reported track.
    pub max_gap_s: f64,
    /// How far back (s) a plate first found mid-clip is tracked backwards
    /// over the frames before it (0 turns this off).
    pub backtrack_max_s: f64,
    /// A fit that is not measured still steers the track, and places the
    /// bar in a gap, when this share of rays fits its rim and it moved
    /// within the speed gate.
    pub follow_min_inlier_share: f64,
    /// A search's circle counts as the lifter's plate only with a wrist or
    /// shoulder within this many plate radii of its centre.
    pub lifter_link_radii: f64,
    /// A seed waits while a search in the last `seed_veto_s` seconds saw a
    /// plate-like circle this many times bigger (the near plate, cut by the
    /// frame edge or the shins, behind which the far plate showed whole).
    pub seed_veto_radius_ratio: f64,
    pub seed_veto_s: f64,
    /// ...and lies at least this many seed radii from the seed's centre.
    pub seed_veto_min_apart_radii: f64,
    /// OpenCV's circle-perfectness vote for a search's candidates (1 = a
    /// perfect circle).
    pub seed_roundness: f64,
    /// A seed gives way to a plate-like circle of its own rim polarity that
    /// is `seed_veto_radius_ratio` to `twin_max_radius_ratio` times bigger
    /// and within `twin_within_radii` of its own radii of the seed: the
    /// near plate of the bar whose far plate seeded. A turned and tilted
    /// camera draws the near plate out of round and away from the hands,
    /// so that search votes with `twin_roundness`.
    pub twin_max_radius_ratio: f64,
    pub twin_within_radii: f64,
    pub twin_roundness: f64,
    /// A seed gives way to a circle about its own centre (within
    /// `outer_rim_max_apart_radii` of its radius) `outer_rim_min_ratio` to
    /// `outer_rim_max_ratio` times bigger: the plate's outer rim round an
    /// inner ring of its face.
    pub outer_rim_min_ratio: f64,
    pub outer_rim_max_ratio: f64,
    pub outer_rim_max_apart_radii: f64,
    /// ...and fits with at least this share of rays on its rim.
    pub outer_rim_min_inlier_share: f64,
    /// Lifter height (m) for the scale when no plate is tracked.
    pub lifter_height_m: f64,
    /// Smoothing of the bar position before velocities are taken.
    pub smoothing: crate::signal::Smoothing,
    /// Standard error (px) of one frame's bar position by where it came
    /// from, which the Kalman smoothing weighs it by: a measured plate fit,
    /// a followed (weak) fit, and the carrying joint (when no plate was
    /// tracked, or standing in for the plate across a long gap: its motion
    /// is the joint's, whatever the offset).
    pub sigma_measured_px: f64,
    pub sigma_followed_px: f64,
    pub sigma_body_px: f64,
    /// A frame whose grey levels about the plate differ from the previous
    /// frame's by less than this on average repeats that frame.
    pub repeat_max_grey_diff: f64,
    /// A run of more repeats than this is a still scene, not a frame-rate
    /// conversion (which shows each frame at most 4 times, 15 to 60 fps):
    /// its frames stay samples.
    pub repeat_max_run: usize,
    /// The bar's height is scaled row by row (`VerticalScale`) when the
    /// plate's near face was measured over at least this share of the bar's
    /// vertical path...
    pub vertical_scale_min_cover: f64,
    /// ...and its vertical size changes by at least this share from the
    /// path's top to its bottom, and at most by the next.
    pub vertical_scale_min_change: f64,
    pub vertical_scale_max_change: f64,
    /// Faces count for it only where the plate moves at most this many
    /// pixels per second (motion blur is a speed times the exposure, the
    /// same at any frame rate).
    pub vertical_scale_still_px_per_s: f64,
    /// A near face is fitted only with this many degrees of rim outside
    /// the far face's reach (`near_face`).
    pub near_face_min_arc_deg: f64,
    /// Its centre places the bar only when its axes agree this well (the
    /// plate seen square on: `face_offsets`).
    pub face_centre_min_ratio: f64,
    /// On a turned camera's clip the refit's model of the camera and the
    /// plate must leave at most this RMS misfit (px) on the full rims it
    /// was fitted to, or the tracker's centres stand (`refine_for_turn`).
    pub turn_max_misfit_px: f64,
    /// The plate's usual thickness (mm), which that refit starts from and
    /// leans on where the clip cannot tell it from the focal length.
    pub plate_thickness_mm: f64,
    /// A track with no measured fit looks for the plate within this many
    /// plate radii of its prediction (0: off), in case the prediction has
    /// fallen behind it (`recapture`).
    pub recapture_within_radii: f64,
    /// A recapture's free fit may differ in radius from the track's by this
    /// fraction (the plate's size changes while the track is lost).
    pub recapture_max_radius_change: f64,
    /// Where the plate moved at least this many pixels in a frame interval,
    /// a measured fit is refitted to the middles of its rim's smears
    /// (`centre_smeared_edges`), and a frame nothing else measured tries a
    /// held-shape fit on them (0: every moving frame, a large value turns
    /// both off).
    pub blur_min_smear_px: f64,
}

impl Default for BarProfile {
    fn default() -> Self {
        BarProfile {
            plate_mm: 450.0,
            rays: 180,
            min_inlier_share: 0.4,
            max_hidden_arc_deg: 140.0,
            seed_max_hidden_arc_deg: 100.0,
            min_visible_arc_deg: 200.0,
            held_min_inlier_share: 0.3,
            held_min_visible_arc_deg: 120.0,
            full_rim_deg: 270.0,
            yaw_part_rim_deg: 180.0,
            warn_camera_angle_deg: 20.0,
            max_radius_change: 0.04,
            held_size_drift_min_fits: 2,
            polarity_turn_min_rim_ratio: 1.4,
            max_speed_radii: 0.3,
            inlier_tolerance: 0.015,
            min_edge: 24.0,
            edges_per_ray: 2,
            lost_after_s: 0.5,
            max_gap_s: 0.5,
            backtrack_max_s: 6.0,
            follow_min_inlier_share: 0.25,
            lifter_link_radii: 2.0,
            seed_veto_radius_ratio: 1.15,
            seed_veto_s: 1.0,
            seed_veto_min_apart_radii: 0.5,
            seed_roundness: 0.6,
            twin_max_radius_ratio: 3.0,
            twin_within_radii: 5.0,
            twin_roundness: 0.4,
            outer_rim_min_ratio: 1.06,
            outer_rim_max_ratio: 1.4,
            outer_rim_max_apart_radii: 0.1,
            outer_rim_min_inlier_share: 0.6,
            lifter_height_m: 1.75,
            smoothing: crate::signal::Smoothing::Kalman { jerk_psd: 700.0 },
            sigma_measured_px: 0.5,
            sigma_followed_px: 3.0,
            sigma_body_px: 4.0,
            repeat_max_grey_diff: 0.5,
            repeat_max_run: 3,
            vertical_scale_min_cover: 0.5,
            vertical_scale_min_change: 0.01,
            vertical_scale_max_change: 0.25,
            vertical_scale_still_px_per_s: 30.0,
            near_face_min_arc_deg: 150.0,
            face_centre_min_ratio: 0.985,
            turn_max_misfit_px: 1.0,
            plate_thickness_mm: 50.0,
            recapture_within_radii: 1.5,
            recapture_max_radius_change: 0.1,
            blur_min_smear_px: 2.0,
        }
    }
}
