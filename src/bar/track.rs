//! From per-frame plate fits to the bar track in metres: the scale from the
//! plate's diameter (or the lifter's height when no plate was tracked), the
//! bar's centre from the plate's near face, stand-ins over long plate gaps,
//! smoothed position, velocity and acceleration, and bar.csv. Runs once the
//! clip's fits are all in (`build_track`), after `BarTracker` has followed
//! the plate frame by frame.

use super::*;
use crate::signal::{fill_short_gaps, median, percentile, spread};
use crate::skeleton::{Facing, Joint, SagittalTrack};

/// What the bar position is taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BarSource {
    /// The near plate's centre (the real bar end).
    Plate,
    /// No plate tracked: the lifter's hands stand in (bar held below the shoulders).
    Hands,
    /// No plate tracked: the shoulders stand in (bar on the back).
    Shoulders,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Scale {
    pub metres_per_px: f64,
    /// "plate" (from the plate's diameter) or "lifter_height".
    pub source: String,
    pub plate_mm: f64,
    /// Median plate radius in pixels over measured frames (the ellipse's major semi-axis).
    pub plate_radius_px: Option<f64>,
    /// How far the camera is turned from side-on, from the plate's axis ratio
    /// (weak below ~10 degrees: a ratio of 0.99 already reads as 8). Where
    /// the near face was fitted, from its horizontal squeeze only: a turn
    /// about the vertical narrows the face, a tilt shortens it. This is how
    /// obliquely the plate is seen where it is in the picture, which sizes
    /// the bar-to-midfoot allowance; the camera's own turn, where the
    /// turned-camera refit found the camera, is `camera_fit`'s
    /// (`Scale::turn_deg`).
    pub camera_yaw_deg: Option<f64>,
    /// How far the camera is tilted up or down from level, from the near
    /// face's vertical squeeze (a phone held at chest height); absent
    /// without a near face. A level side-on camera sees the face, parallel
    /// to the picture, as a circle wherever it is in the frame.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub camera_tilt_deg: Option<f64>,
    /// The yaw was read from plates seen only in part (no fit saw 300
    /// degrees of rim): good enough to tell a side view from a front or
    /// 45-degree one, too rough to correct distances by.
    #[serde(default)]
    pub yaw_from_part_rim: bool,
    /// Metres per pixel of the bar's height at its highest and at its
    /// lowest point, when the plate's face was measured along its path and
    /// its height in the picture changes with where it is (a camera tilted
    /// down sees the plate nearer at the top: `VerticalScale`); absent when
    /// `metres_per_px` holds for the whole path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vertical_metres_per_px: Option<[f64; 2]>,
    /// On a turned camera's clip, the camera and plate the refit found
    /// (`bar::turn`), whose turn and tilt are the camera's own and are what
    /// the view and the notes report (`turn_deg`, `tilt_deg`): the two
    /// above stay the plate's squeeze where it is in the picture, which the
    /// bar-to-midfoot allowance was measured on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub camera_fit: Option<CameraFit>,
}

#[cfg(test)]
impl Scale {
    /// A 450 mm plate seen square on at `metres_per_px`: the scale the
    /// analysis tests build their bar tracks with.
    pub(crate) fn plate_for_tests(metres_per_px: f64) -> Scale {
        Scale {
            metres_per_px,
            source: "plate".into(),
            plate_mm: 450.0,
            plate_radius_px: Some(0.225 / metres_per_px),
            camera_yaw_deg: None,
            camera_tilt_deg: None,
            yaw_from_part_rim: false,
            vertical_metres_per_px: None,
            camera_fit: None,
        }
    }
}

impl Scale {
    /// How far the camera is turned from side-on: the fitted camera's
    /// turn where the turned-camera refit ran, else the plate's squeeze.
    pub fn turn_deg(&self) -> Option<f64> {
        self.camera_fit.map(|c| c.turn_deg.abs()).or(self.camera_yaw_deg)
    }

    /// How far the camera is tilted from level, likewise.
    pub fn tilt_deg(&self) -> Option<f64> {
        self.camera_fit.map(|c| c.tilt_deg.abs()).or(self.camera_tilt_deg)
    }

    /// How far the camera looks off the lifter's side-on axis, turned or
    /// tilted, whichever is more: what the near face's squeeze as a whole
    /// says.
    pub fn off_axis_deg(&self) -> Option<f64> {
        match (self.camera_yaw_deg, self.camera_tilt_deg) {
            (Some(y), Some(t)) => Some(y.max(t)),
            (y, t) => y.or(t),
        }
    }
}

/// Least-squares line v = a + b y through (y, v) points, fitted again
/// without the points a misfit put off it (beyond 3 MADs, the MAD at least
/// 1 % of the mean v: a still plate's faces agree to a tenth of a pixel,
/// and a MAD that small would drop a cluster of three).
pub(crate) fn robust_line(pts: &[(f64, f64)]) -> Option<(f64, f64)> {
    let line = |pts: &[(f64, f64)]| -> Option<(f64, f64)> {
        let n = pts.len() as f64;
        let (my, mv) = (
            pts.iter().map(|q| q.0).sum::<f64>() / n,
            pts.iter().map(|q| q.1).sum::<f64>() / n,
        );
        let sxx: f64 = pts.iter().map(|q| (q.0 - my).powi(2)).sum();
        let sxv: f64 = pts.iter().map(|q| (q.0 - my) * (q.1 - mv)).sum();
        (sxx > 1e-9).then(|| {
            let b = sxv / sxx;
            (mv - b * my, b)
        })
    };
    let (a, b) = line(pts)?;
    let resid: Vec<f64> = pts.iter().map(|q| (q.1 - a - b * q.0).abs()).collect();
    let size = pts.iter().map(|q| q.1).sum::<f64>() / pts.len() as f64;
    let mad = median(resid.iter().copied())?.max(0.01 * size);
    let kept: Vec<(f64, f64)> = pts
        .iter()
        .zip(&resid)
        .filter(|(_, &e)| e <= 3.0 * mad)
        .map(|(q, _)| *q)
        .collect();
    line(&kept)
}

/// The plate's vertical semi-axis against its row in the picture,
/// `v(y) = a + b y` pixels, and the plate's radius in metres. A bar moving
/// in the plate's plane travels `r_m / v(y)` metres per pixel at row y: a
/// camera tilted down (a phone held high) sees a plate nearer, so bigger,
/// the higher it is, and squashes it vertically as it drops below the
/// lens. One scale for the whole path misreads the range of motion by up
/// to half that change, or by all of it when the full-rim fits it comes
/// from bunch at one end (rendered deadlift_pitched: the face's vertical
/// semi-axis runs 77.6 -> 90.2 px from the floor to lockout, and one scale
/// read the ROM 8 cm short).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VerticalScale {
    pub a: f64,
    pub b: f64,
    pub r_m: f64,
    /// Rows beyond these (half the path's span past its ends) keep the
    /// scale of the nearer one: the line is not extrapolated far.
    lo: f64,
    hi: f64,
}

impl VerticalScale {
    /// One scale for every row.
    fn constant(metres_per_px: f64) -> Self {
        VerticalScale {
            a: 1.0,
            b: 0.0,
            r_m: metres_per_px,
            lo: f64::NEG_INFINITY,
            hi: f64::INFINITY,
        }
    }

    pub(super) fn semi_axis_px(&self, y: f64) -> f64 {
        self.a + self.b * y.clamp(self.lo, self.hi)
    }

    /// Metres per pixel of vertical travel at row y.
    pub fn metres_per_px(&self, y: f64) -> f64 {
        self.r_m / self.semi_axis_px(y)
    }

    /// Pixels-to-metres antiderivative (over r_m): ln v(y) / b inside the
    /// line's rows, continued at the end rows' scale beyond them.
    fn antiderivative(&self, y: f64) -> f64 {
        let inside = y.clamp(self.lo, self.hi);
        let core = if self.b.abs() < 1e-12 {
            inside / self.a
        } else {
            self.semi_axis_px(inside).ln() / self.b
        };
        core + (y - inside) / self.semi_axis_px(inside)
    }

    /// Metres from row `y` up to row `above` (image y down): the integral
    /// of the local scale between them.
    pub fn metres_between(&self, above: f64, y: f64) -> f64 {
        self.r_m * (self.antiderivative(y) - self.antiderivative(above))
    }

    /// Fitted to (row, vertical semi-axis) of the near faces measured along
    /// the bar's path `(top, bottom)` rows, when they cover at least half of
    /// it; None when they do not or the size does not change enough to
    /// matter (a level camera: rendered side-on clips change 0.1-0.3 %).
    pub(crate) fn fit(faces: &[(f64, f64)], path: (f64, f64), r_m: f64, p: &BarProfile) -> Option<Self> {
        let span = path.1 - path.0;
        if faces.len() < 10 || span <= 0.0 {
            return None;
        }
        let rows: Vec<f64> = faces.iter().map(|f| f.0).collect();
        if spread(&rows, 0.0, 100.0)? < p.vertical_scale_min_cover * span {
            return None;
        }
        let (a, b) = robust_line(faces)?;
        let (top, bottom) = (a + b * path.0, a + b * path.1);
        let change = (top - bottom).abs() / top.min(bottom);
        // A change past vertical_scale_max_change is no camera tilt a lifter
        // films with: the faces are wrong, and one scale is safer.
        (top > 0.0 && bottom > 0.0 && change >= p.vertical_scale_min_change && change <= p.vertical_scale_max_change)
            .then_some(VerticalScale {
                a,
                b,
                r_m,
                lo: path.0 - 0.5 * span,
                hi: path.1 + 0.5 * span,
            })
    }
}

/// One frame of the bar track. Pixels are image coordinates (y down); metres
/// are the canonical frame (x towards the lifter's toes from the midfoot, y up
/// from the floor), in the plane of the near plate.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BarFrame {
    pub x_px: f64,
    pub y_px: f64,
    pub x_m: f64,
    pub y_m: f64,
    pub vx_mps: f64,
    pub vy_mps: f64,
    pub ax_mps2: f64,
    pub ay_mps2: f64,
    pub confidence: f64,
    /// The plate was measured in this frame (not bridged, not a proxy).
    pub measured: bool,
    /// A long plate gap filled from the hands or shoulders (offset to the
    /// plate seen either side): a path for the reps and the drawing, too
    /// rough for the bar-to-midfoot distance.
    pub stand_in: bool,
}

#[derive(Debug, Clone)]
pub struct BarTrack {
    pub source: BarSource,
    pub scale: Scale,
    /// Image pixels of the metric frame's origin (midfoot x, floor y; the
    /// first bar position when the feet were never seen).
    pub origin_px: (f64, f64),
    /// Midfoot x in image pixels, when the heel and toe were seen.
    pub midfoot_px: Option<f64>,
    pub frames: Vec<Option<BarFrame>>,
    /// Plate fits per frame, for drawing.
    pub fits: Vec<Option<PlateFit>>,
}

impl BarTrack {
    /// The bar on frame `i`, if it is known there.
    pub fn at(&self, i: usize) -> Option<BarFrame> {
        self.frames.get(i).copied().flatten()
    }
}

/// Bar summary for report.json.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BarSummary {
    pub source: BarSource,
    pub scale: Scale,
    /// Share of frames with a measured plate.
    pub measured_share: f64,
    /// Share of frames bridged by interpolation.
    pub interpolated_share: f64,
    /// Share of frames in longer plate gaps where the hands or shoulders,
    /// offset to the plate seen either side, stand in for it.
    #[serde(default)]
    pub stand_in_share: f64,
    /// Highest minus lowest bar position over the clip (m).
    pub range_of_motion_m: Option<f64>,
    /// Fastest upward and downward bar speed over the clip (m/s).
    pub peak_up_velocity_mps: Option<f64>,
    pub peak_down_velocity_mps: Option<f64>,
    pub plate_searches: usize,
}

/// A 450 mm plate about 150 px across (a phone's 1080p side view): the
/// scale the bar's smoothing assumes when the clip gave none.
const NOMINAL_METRES_PER_PX: f64 = 0.003;

/// Ear height is about 93 % of stature (anthropometric tables).
const EAR_HEIGHT_OF_STATURE: f64 = 0.93;

/// Per frame, how far the plate's near face's centre lies from the
/// fitted outline's (x, y px): measured on full-rim free fits, linear in
/// time between them and held before the first and after the last. The
/// outline takes in the plate's wall on the side facing the picture's
/// centre (`near_face`), which moves its centre by up to half the wall's
/// width (rendered: 0.6 px on squat_clean, 3-8 px on deadlift_pitched,
/// whose plate's top shows from above). Part-rim and held fits have no face
/// of their own: they take their neighbours' offset, so the bar does not
/// step where the kind of fit changes. Zero without any face.
///
/// Only faces seen square on count: the far face lies towards the picture's
/// centre only while the plate faces the camera. Turned or tilted, it
/// lies towards where the bar's line meets the horizon, and the face's
/// centre misleads (rendered 25-degree clip: centre error 5.9 -> 7.9 px,
/// ROM -0.9 -> -2.1 cm; the tilted one's peak speed 0.109 -> 0.127 m/s).
///
/// On a tilted or turned camera's clip (`refine_for_tilt`,
/// `refine_for_turn`) every measured frame with enough rim has its own
/// centre, the image of the plate's centre, and that is taken instead.
pub(super) fn face_offsets(times: &[f64], fits: &[Option<PlateFit>], min_ratio: f64) -> Vec<(f64, f64)> {
    let refined = fits.iter().flatten().any(|f| f.near_centre_px.is_some());
    let known: Vec<(f64, (f64, f64))> = fits
        .iter()
        .zip(times)
        .filter_map(|(f, &t)| {
            let f = f.as_ref().filter(|f| f.measured)?;
            let (cx, cy) = if refined {
                f.near_centre_px?
            } else {
                let n = f.near_face_px.filter(|n| n.v.min(n.h) / n.v.max(n.h) >= min_ratio)?;
                (n.cx, n.cy)
            };
            Some((t, (cx - f.cx, cy - f.cy)))
        })
        .collect();
    if known.is_empty() {
        return vec![(0.0, 0.0); fits.len()];
    }
    let at: Vec<f64> = known.iter().map(|q| q.0).collect();
    let mut k = 0;
    times
        .iter()
        .map(|&t| {
            let (i, j, w) = crate::signal::bracket(&at, t, &mut k);
            let (a, b) = (known[i].1, known[j].1);
            if i == j || w == 0.0 {
                return a;
            }
            (a.0 + w * (b.0 - a.0), a.1 + w * (b.1 - a.1))
        })
        .collect()
}

fn lifter_height_px(track: &SagittalTrack) -> Option<f64> {
    let ext: Vec<f64> = track
        .joints
        .iter()
        .filter_map(|j| {
            let ear = j[Joint::Ear.index()]?;
            let foot = [Joint::Heel, Joint::Toe, Joint::Ankle]
                .iter()
                .filter_map(|&k| j[k.index()])
                .map(|p| p.y)
                .fold(f64::NEG_INFINITY, f64::max);
            foot.is_finite().then_some(foot - ear.y)
        })
        .collect();
    // Standing frames give the tallest extent.
    percentile(ext, 90.0)
        .map(|e| e / EAR_HEIGHT_OF_STATURE)
        .filter(|h| *h > 10.0)
}

/// Midfoot (x) and floor (y) in image pixels: the origin of the metric frame.
fn foot_origin(track: &SagittalTrack) -> Option<(f64, f64)> {
    let mid: Vec<(f64, f64)> = track
        .joints
        .iter()
        .filter_map(|j| {
            let (h, t) = (j[Joint::Heel.index()]?, j[Joint::Toe.index()]?);
            Some(((h.x + t.x) / 2.0, h.y.max(t.y)))
        })
        .collect();
    Some((median(mid.iter().map(|m| m.0))?, median(mid.iter().map(|m| m.1))?))
}

/// Fill the plate track's long gaps (after short ones were interpolated)
/// from the body point that carries the bar, shifted by its offset to the
/// plate on the measured or followed frames either side of the gap (blended
/// across it),
/// so a pull the plate was lost in still has a bar path for the reps and
/// the drawing. The carrier is whichever of wrist and shoulder keeps the
/// steadier offset to the plate over the clip: the hands in a deadlift, the
/// shoulders in a squat, whatever the model did with the hidden arm.
/// Returns which frames were filled.
fn stand_in_for_gaps(
    times: &[f64],
    xs: &mut [Option<f64>],
    ys: &mut [Option<f64>],
    skeleton: &SagittalTrack,
) -> Vec<bool> {
    let n = xs.len();
    let mut filled = vec![false; n];
    let (known_x, known_y) = (xs.to_vec(), ys.to_vec());
    let offset_of = |joint: Joint, i: usize| -> Option<(f64, f64)> {
        let p = skeleton.point(i, joint)?;
        Some((known_x[i]? - p.x, known_y[i]? - p.y))
    };
    let steadiness = |joint: Joint| -> Option<f64> {
        let dy: Vec<f64> = (0..n).filter_map(|i| offset_of(joint, i).map(|o| o.1)).collect();
        (dy.len() >= 5).then(|| spread(&dy, 10.0, 90.0)).flatten()
    };
    let carrier = match (steadiness(Joint::Wrist), steadiness(Joint::Shoulder)) {
        (Some(w), Some(s)) if s < w => Joint::Shoulder,
        (Some(_), _) => Joint::Wrist,
        (None, Some(_)) => Joint::Shoulder,
        (None, None) => return filled,
    };
    // Median offset over up to 15 measured frames next to the gap.
    let edge_offset = |range: &mut dyn Iterator<Item = usize>| -> Option<(f64, f64, f64)> {
        let found: Vec<(usize, (f64, f64))> = range
            .filter_map(|i| offset_of(carrier, i).map(|o| (i, o)))
            .take(15)
            .collect();
        let t = times[found.first()?.0];
        Some((
            t,
            median(found.iter().map(|f| f.1 .0))?,
            median(found.iter().map(|f| f.1 .1))?,
        ))
    };
    let known: Vec<bool> = (0..n).map(|i| xs[i].is_some() && ys[i].is_some()).collect();
    let mut i = 0;
    while i < n {
        if known[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < n && !known[i] {
            i += 1;
        }
        let end = i;
        let before = edge_offset(&mut (0..start).rev().take_while(|&k| known[k]));
        let after = edge_offset(&mut (end..n).take_while(|&k| known[k]));
        for k in start..end {
            let Some(p) = skeleton.point(k, carrier) else { continue };
            let (ox, oy) = match (before, after) {
                (Some(b), Some(a)) => {
                    let w = ((times[k] - b.0) / (a.0 - b.0).max(1e-9)).clamp(0.0, 1.0);
                    (b.1 + (a.1 - b.1) * w, b.2 + (a.2 - b.2) * w)
                }
                (Some(e), None) | (None, Some(e)) => (e.1, e.2),
                (None, None) => continue,
            };
            xs[k] = Some(p.x + ox);
            ys[k] = Some(p.y + oy);
            filled[k] = true;
        }
    }
    filled
}

pub fn build_track(
    times: &[f64],
    fits: Vec<Option<PlateFit>>,
    skeleton: &SagittalTrack,
    profile: &BarProfile,
    searches: usize,
    camera: Option<CameraFit>,
) -> (BarTrack, BarSummary) {
    let n = times.len();
    let measured: Vec<Option<&PlateFit>> = fits.iter().map(|f| f.as_ref().filter(|f| f.measured)).collect();
    let n_measured = measured.iter().flatten().count();
    let facing = skeleton.facing;

    // The body point that carries the bar: the hands when they hang below
    // the shoulders (bar in the hands), else the shoulders (bar on the back).
    let below = median(
        skeleton
            .joints
            .iter()
            .filter_map(|j| Some(j[Joint::Wrist.index()]?.y - j[Joint::Shoulder.index()]?.y)),
    );
    let hands = below.is_some_and(|d| d > 0.3 * skeleton.thigh_px);
    let carrier = if hands { Joint::Wrist } else { Joint::Shoulder };
    // Moving with the lifter: when the hands and shoulders both travel (more
    // than half a thigh length) while the plate is seen, it must travel at
    // least 0.3 as far
    // as the one that moves less; a still "plate" beside a moving lifter is a
    // wall disc or a graphic. The lesser of the two, because a plate hiding
    // the hands on a squat makes the model swing the wrists about (gymai:
    // wrists 270 px, plate and shoulders under 100).
    // Both over the frames the plate was measured on (a plate seen only
    // while the lifter stands between quarter squats moves little, and so
    // do the shoulders then).
    let range_of = |joint: Joint| {
        let y: Vec<f64> = (0..n)
            .filter(|&i| measured[i].is_some())
            .filter_map(|i| skeleton.point(i, joint).map(|p| p.y))
            .collect();
        spread(&y, 5.0, 95.0)
    };
    let carrier_range = match (range_of(Joint::Wrist), range_of(Joint::Shoulder)) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let plate_y: Vec<f64> = measured.iter().flatten().map(|f| f.cy).collect();
    let plate_range = spread(&plate_y, 5.0, 95.0);
    let moves_with_lifter = match (carrier_range, plate_range) {
        (Some(c), Some(p)) if c > 0.5 * skeleton.thigh_px => p >= 0.3 * c,
        _ => true,
    };

    if debug_trace() {
        eprintln!(
            "bar source: measured {n_measured}/{n}, lesser of hand and shoulder travel {carrier_range:?}, plate travel {plate_range:?}, thigh {:.0}",
            skeleton.thigh_px
        );
    }
    // Position source: the plate when it was tracked for a useful part of
    // the clip and moves with the lifter, else the body point.
    let (source, raw_x, raw_y): (BarSource, Vec<Option<f64>>, Vec<Option<f64>>) =
        if n_measured as f64 >= 0.2 * n as f64 && moves_with_lifter {
            let position = |f: &Option<PlateFit>| f.filter(|f| f.measured || f.followed);
            let to_face = face_offsets(times, &fits, profile.face_centre_min_ratio);
            (
                BarSource::Plate,
                fits.iter()
                    .zip(&to_face)
                    .map(|(f, o)| position(f).map(|f| f.cx + o.0))
                    .collect(),
                fits.iter()
                    .zip(&to_face)
                    .map(|(f, o)| position(f).map(|f| f.cy + o.1))
                    .collect(),
            )
        } else {
            (
                if hands { BarSource::Hands } else { BarSource::Shoulders },
                (0..n).map(|i| skeleton.point(i, carrier).map(|p| p.x)).collect(),
                (0..n).map(|i| skeleton.point(i, carrier).map(|p| p.y)).collect(),
            )
        };
    let measured: Vec<Option<&PlateFit>> = if source == BarSource::Plate {
        measured
    } else {
        vec![None; n]
    };

    // Scale only from free fits that saw the full rim (a held fit repeats
    // the track's radius; a part-rim fit stretches); any measured fit when
    // none did.
    // The near face's fit where there is one (a whole outline stretches
    // towards the far face: see `near_face`).
    let full_rim = |f: &&&PlateFit| f.free_full_rim(profile);
    let faces: Vec<(f64, f64)> = measured
        .iter()
        .flatten()
        .filter_map(|f| f.near_face_px.map(|n| (n.v, n.h)))
        .collect();
    let radius = camera
        .map(|c| c.plate_radius_px)
        .or_else(|| median(faces.iter().map(|&(v, h)| v.max(h))))
        .or_else(|| median(measured.iter().flatten().filter(full_rim).map(|f| f.radius())))
        .or_else(|| median(measured.iter().flatten().map(|f| f.radius())));
    // A held fit repeats the shape of the full-rim fits: it counts when it
    // saw 300 degrees, never as a part-rim reading.
    let ratio_over = |rim: f64, held: bool| {
        median(
            measured
                .iter()
                .flatten()
                .filter(|f| (held || !f.held) && f.visible_arc_deg >= rim)
                .map(|f| f.minor / f.major),
        )
    };
    // The face tells a turn (narrower) from a tilt (shorter); a whole
    // outline or a part rim does not, and its squeeze is read as a turn.
    let squeeze = |of: fn(f64, f64) -> f64| median(faces.iter().map(|&(v, h)| of(v, h) / v.max(h)));
    let full_ratio = squeeze(|_, h| h).or_else(|| ratio_over(300.0, true));
    let tilt_ratio = squeeze(|v, _| v);
    let yaw_from_part_rim = full_ratio.is_none();
    let ratio = full_ratio.or_else(|| ratio_over(profile.yaw_part_rim_deg, false));
    let degrees_from = |q: f64| q.clamp(0.0, 1.0).acos().to_degrees();
    let mut scale = match (source, radius) {
        (BarSource::Plate, Some(r)) => Scale {
            metres_per_px: profile.plate_mm / 1000.0 / (2.0 * r),
            source: "plate".into(),
            plate_mm: profile.plate_mm,
            plate_radius_px: Some(r),
            camera_yaw_deg: ratio.map(degrees_from),
            camera_tilt_deg: tilt_ratio.map(degrees_from),
            yaw_from_part_rim: yaw_from_part_rim && ratio.is_some(),
            vertical_metres_per_px: None,
            camera_fit: camera,
        },
        _ => Scale {
            metres_per_px: lifter_height_px(skeleton)
                .map(|h| profile.lifter_height_m / h)
                .unwrap_or(f64::NAN),
            source: "lifter_height".into(),
            plate_mm: profile.plate_mm,
            plate_radius_px: radius,
            camera_yaw_deg: None,
            camera_tilt_deg: None,
            yaw_from_part_rim: false,
            vertical_metres_per_px: None,
            camera_fit: None,
        },
    };
    let vertical = match scale.source.as_str() {
        "plate" => {
            let rows = || measured.iter().flatten().map(|f| f.cy);
            let path = percentile(rows(), 2.0).zip(percentile(rows(), 98.0));
            // Only where the plate is about still: motion blur stretches a
            // moving plate along its path (deadlift_pitched's faces read
            // 3-4 px tall mid-pull, where the frames still read true).
            // The neighbours are the nearest frames showing another picture:
            // a video converted up from a lower frame rate repeats frames,
            // and a plate seen twice in the same place has not stopped.
            let repeat = |j: usize| fits.get(j).copied().flatten().is_some_and(|f| f.repeat);
            let still = |i: usize| {
                let cy = |j: usize| measured.get(j).copied().flatten().map(|f| f.cy);
                let mut first = i;
                while first > 0 && repeat(first) {
                    first -= 1;
                }
                let mut next = i + 1;
                while next < n && repeat(next) {
                    next += 1;
                }
                match (first.checked_sub(1), (next < n).then_some(next)) {
                    (Some(a), Some(b)) => match (cy(a), cy(b)) {
                        (Some(ya), Some(yb)) => {
                            (yb - ya).abs() / (times[b] - times[a]).max(1e-6) <= profile.vertical_scale_still_px_per_s
                        }
                        _ => false,
                    },
                    _ => false,
                }
            };
            // The camera the turned-camera refit found draws every measured
            // frame's face exactly, blur or not.
            let faces: Vec<(f64, f64)> = match scale.camera_fit {
                Some(c) => measured
                    .iter()
                    .flatten()
                    .filter_map(|f| {
                        let at = f.near_centre_px?;
                        Some((f.cy, c.face_semi_axis_px(at, profile.plate_mm)?))
                    })
                    .collect(),
                None => (0..n)
                    .filter(|&i| still(i))
                    .filter_map(|i| measured[i].and_then(|f| f.near_face_px.map(|n| (f.cy, n.v))))
                    .collect(),
            };
            if debug_trace() {
                let rows: Vec<f64> = faces.iter().map(|q| q.0).collect();
                let over = spread(&rows, 0.0, 100.0);
                eprintln!(
                    "bar vertical scale: {} faces over {over:?} rows of the path {path:?}",
                    faces.len()
                );
            }
            path.and_then(|path| {
                VerticalScale::fit(&faces, path, profile.plate_mm / 2000.0, profile).map(|vs| (vs, path))
            })
        }
        _ => None,
    };
    if let Some((vs, (top, bottom))) = vertical {
        scale.vertical_metres_per_px = Some([vs.metres_per_px(top), vs.metres_per_px(bottom)]);
    }
    let vertical = vertical.map_or(VerticalScale::constant(scale.metres_per_px), |v| v.0);

    let (mut xs, mut filled) = fill_short_gaps(times, &raw_x, profile.max_gap_s);
    if source == BarSource::Plate {
        // Followed fits are estimates, reported like bridged gaps.
        for (f, fit) in filled.iter_mut().zip(&fits) {
            *f |= fit.is_some_and(|f| f.followed);
        }
    }
    let (mut ys, _) = fill_short_gaps(times, &raw_y, profile.max_gap_s);
    let stand_in = if source == BarSource::Plate {
        stand_in_for_gaps(times, &mut xs, &mut ys, skeleton)
    } else {
        vec![false; n]
    };
    // Frames bridged by interpolation are no measurement: the smoother
    // carries the bar across them on its motion model.
    let sigma: Vec<f64> = (0..n)
        .map(|i| match source {
            BarSource::Plate if measured[i].is_some() => profile.sigma_measured_px,
            BarSource::Plate if fits[i].as_ref().is_some_and(|f| f.followed) => profile.sigma_followed_px,
            BarSource::Plate if stand_in[i] => profile.sigma_body_px,
            BarSource::Plate => f64::INFINITY,
            _ if filled[i] => f64::INFINITY,
            _ => profile.sigma_body_px,
        })
        .collect();
    // Without any scale the jerk is read at a typical phone framing.
    let metres_per_px = Some(scale.metres_per_px)
        .filter(|m| m.is_finite() && *m > 0.0)
        .unwrap_or(NOMINAL_METRES_PER_PX);
    let repeats = repeated_frames(&fits, profile.repeat_max_run);
    let sx = kinematics_without_repeats(&profile.smoothing, times, &xs, &sigma, &repeats, metres_per_px);
    let sy = kinematics_without_repeats(&profile.smoothing, times, &ys, &sigma, &repeats, metres_per_px);
    let feet = foot_origin(skeleton);
    let (ox, oy) = feet.unwrap_or_else(|| (0..n).find_map(|i| Some((xs[i]?, ys[i]?))).unwrap_or((0.0, 0.0)));
    // Nothing goes below the floor. A plate resting on it (a deadlift's
    // setup) touches it with its lowest point, while the feet behind that
    // plate are guesses: on the rendered deadlifts they put the floor at
    // the bar's height, 0.12-0.38 m too high. The near plate's vertical
    // semi-axis is its major one (a camera turned about the vertical
    // foreshortens the horizontal diameter only).
    let plate_floor = percentile(measured.iter().flatten().map(|f| f.cy + f.major), 98.0);
    let oy = plate_floor.map_or(oy, |f| f.max(oy));
    let mpp = scale.metres_per_px;
    let sign = match facing {
        Facing::Right => 1.0,
        Facing::Left => -1.0,
    };

    let mut frames: Vec<Option<BarFrame>> = vec![None; n];
    for i in 0..n {
        // x grows toward where the lifter faces, y up from the floor.
        let (Some(mx), Some(my)) = (sx[i], sy[i]) else { continue };
        let confidence = match (source, measured[i]) {
            (BarSource::Plate, Some(f)) => (f.inlier_share * f.visible_arc_deg / 360.0).clamp(0.0, 1.0),
            (BarSource::Plate, None) if stand_in[i] => 0.2,
            (BarSource::Plate, None) => 0.3,
            _ => 0.25,
        };
        frames[i] = Some(BarFrame {
            x_px: mx.pos,
            y_px: my.pos,
            x_m: (mx.pos - ox) * mpp * sign,
            y_m: vertical.metres_between(my.pos, oy),
            vx_mps: mx.vel * mpp * sign,
            vy_mps: -my.vel * vertical.metres_per_px(my.pos),
            ax_mps2: mx.acc * mpp * sign,
            ay_mps2: -my.acc * vertical.metres_per_px(my.pos),
            confidence: if filled[i] { confidence.min(0.3) } else { confidence },
            measured: source == BarSource::Plate && measured[i].is_some(),
            stand_in: stand_in[i],
        });
    }

    let ys_m: Vec<f64> = frames
        .iter()
        .flatten()
        .map(|f| f.y_m)
        .filter(|v| v.is_finite())
        .collect();
    let vys: Vec<f64> = frames
        .iter()
        .flatten()
        .map(|f| f.vy_mps)
        .filter(|v| v.is_finite())
        .collect();
    // Shares of the frames analysed (an edited clip: the one shot chosen).
    let analysed = skeleton.analysed.len().min(n).max(1);
    let summary = BarSummary {
        source,
        scale: scale.clone(),
        measured_share: measured.iter().flatten().count() as f64 / analysed as f64,
        interpolated_share: filled.iter().filter(|&&f| f).count() as f64 / analysed as f64,
        stand_in_share: stand_in.iter().filter(|&&f| f).count() as f64 / analysed as f64,
        range_of_motion_m: spread(&ys_m, 0.0, 100.0),
        peak_up_velocity_mps: percentile(vys.iter().copied(), 100.0),
        peak_down_velocity_mps: percentile(vys.iter().copied(), 0.0),
        plate_searches: searches,
    };
    (
        BarTrack {
            source,
            scale,
            origin_px: (ox, oy),
            midfoot_px: feet.map(|f| f.0),
            frames,
            fits,
        },
        summary,
    )
}

/// Which frames repeat the one before, leaving out runs longer than
/// `max_run` (a still scene, whose frames stay samples).
pub(super) fn repeated_frames(fits: &[Option<PlateFit>], max_run: usize) -> Vec<bool> {
    let flags: Vec<bool> = fits.iter().map(|f| f.is_some_and(|f| f.repeat)).collect();
    let mut out = flags.clone();
    let mut i = 0;
    while i < flags.len() {
        let run = flags[i..].iter().take_while(|&&r| r).count();
        if run > max_run {
            out[i..i + run].fill(false);
        }
        i += run.max(1);
    }
    out
}

/// Smoothing with each repeated frame folded into the frame it repeats:
/// one sample per distinct picture, at the mean time of the frames that
/// show it, then read back at every frame's time. A conversion to a higher
/// frame rate shows each frame in the slots nearest its own time, so that
/// mean is when it was filmed; counted once per slot instead, the samples
/// turn the bar's motion into steps (a 24 fps pull converted to 60 fps read
/// a peak speed of 0.69 m/s for 0.57).
pub(super) fn kinematics_without_repeats(
    smoothing: &crate::signal::Smoothing,
    times: &[f64],
    values: &[Option<f64>],
    sigma: &[f64],
    repeats: &[bool],
    metres_per_unit: f64,
) -> Vec<Option<crate::signal::Motion>> {
    if !repeats.iter().any(|&r| r) {
        return smoothing.kinematics(times, values, sigma, metres_per_unit);
    }
    // Frame ranges [start, end) showing one picture.
    let mut groups: Vec<(usize, usize)> = Vec::new();
    for (i, &repeat) in repeats.iter().enumerate().take(times.len()) {
        match groups.last_mut() {
            Some(g) if repeat => g.1 = i + 1,
            _ => groups.push((i, i + 1)),
        }
    }
    let t: Vec<f64> = groups
        .iter()
        .map(|&(a, b)| times[a..b].iter().sum::<f64>() / (b - a) as f64)
        .collect();
    // The fits to one picture can differ where a fit depends on where it
    // started (the prediction): the median of three is the one they agree on.
    let v: Vec<Option<f64>> = groups
        .iter()
        .map(|&(a, b)| median(values[a..b].iter().flatten().copied()))
        .collect();
    let s: Vec<f64> = groups
        .iter()
        .map(|&(a, b)| sigma[a..b].iter().copied().fold(f64::INFINITY, f64::min))
        .collect();
    let m = smoothing.kinematics(&t, &v, &s, metres_per_unit);
    let mut k = 0;
    times
        .iter()
        .map(|&tj| {
            let (k, next, w) = crate::signal::bracket(&t, tj, &mut k);
            match (m[k], m[next]) {
                (Some(a), Some(b)) if next != k && t[next] > t[k] => {
                    let lerp = |x: f64, y: f64| x + w * (y - x);
                    Some(crate::signal::Motion {
                        pos: lerp(a.pos, b.pos),
                        vel: lerp(a.vel, b.vel),
                        acc: lerp(a.acc, b.acc),
                    })
                }
                (a, _) => a,
            }
        })
        .collect()
}

/// bar.csv: per frame the bar in pixels and metres, its velocity and
/// acceleration, the confidence and whether the plate was measured.
pub fn write_bar_csv(path: &std::path::Path, times: &[f64], track: &BarTrack) -> Result<()> {
    use std::fmt::Write as _;
    let mut out = String::from(
        "frame,time_s,x_px,y_px,x_m,y_m,vx_mps,vy_mps,ax_mps2,ay_mps2,confidence,measured,plate_cx_px,plate_cy_px,plate_major_px,plate_minor_px,plate_rim_deg,plate_held,plate_followed,plate_repeat,plate_face_v_px,plate_face_h_px,plate_face_cx_px,plate_face_cy_px,plate_near_cx_px,plate_near_cy_px\n",
    );
    for (i, (&t, f)) in times.iter().zip(&track.frames).enumerate() {
        match f {
            Some(b) => {
                let _ = write!(
                    out,
                    "{i},{t:.6},{:.3},{:.3},{:.5},{:.5},{:.4},{:.4},{:.3},{:.3},{:.3},{}",
                    b.x_px,
                    b.y_px,
                    b.x_m,
                    b.y_m,
                    b.vx_mps,
                    b.vy_mps,
                    b.ax_mps2,
                    b.ay_mps2,
                    b.confidence,
                    b.measured as u8
                );
            }
            None => {
                let _ = write!(out, "{i},{t:.6},,,,,,,,,0,0");
            }
        }
        match track
            .fits
            .get(i)
            .copied()
            .flatten()
            .filter(|f| f.measured || f.followed)
        {
            Some(f) => {
                let _ = writeln!(
                    out,
                    ",{:.3},{:.3},{:.3},{:.3},{:.0},{},{},{},{},{}",
                    f.cx,
                    f.cy,
                    f.major,
                    f.minor,
                    f.visible_arc_deg,
                    f.held as u8,
                    f.followed as u8,
                    f.repeat as u8,
                    f.near_face_px.map_or(",,,".into(), |n| format!(
                        "{:.3},{:.3},{:.3},{:.3}",
                        n.v, n.h, n.cx, n.cy
                    )),
                    f.near_centre_px.map_or(",".into(), |(x, y)| format!("{x:.3},{y:.3}"))
                );
            }
            None => out.push_str(",,,,,,,,,,,,,,\n"),
        }
    }
    crate::report::write_atomic(path, out.as_bytes())
}

/// The measured plate fits stored in a bar.csv (to rerun the bar stage
/// without the video).
pub fn read_bar_fits(path: &std::path::Path, frames: usize) -> Result<Vec<Option<PlateFit>>> {
    let file = crate::report::CsvFile::read(path)?;
    let col = |n: &str| file.col(n);
    let (cx, cy, ma, mi) = (
        col("plate_cx_px")?,
        col("plate_cy_px")?,
        col("plate_major_px")?,
        col("plate_minor_px")?,
    );
    // Older files lack these: every fit then counts as a full free measured one.
    let (rim, held) = (col("plate_rim_deg").ok(), col("plate_held").ok());
    let followed = col("plate_followed").ok();
    let repeat = col("plate_repeat").ok();
    let near = (col("plate_near_cx_px").ok(), col("plate_near_cy_px").ok());
    let face = [
        col("plate_face_v_px").ok(),
        col("plate_face_h_px").ok(),
        col("plate_face_cx_px").ok(),
        col("plate_face_cy_px").ok(),
    ];
    let mut out = vec![None; frames];
    for (k, c) in file.frame_rows(frames)? {
        let num = |i: usize| c[i].trim().parse::<f64>().ok();
        if let (Some(x), Some(y), Some(a), Some(b)) = (num(cx), num(cy), num(ma), num(mi)) {
            let weak = followed.is_some_and(|i| c[i].trim() == "1");
            out[k] = Some(PlateFit {
                visible_arc_deg: rim.and_then(num).unwrap_or(360.0),
                measured: !weak,
                held: held.is_some_and(|i| c[i].trim() == "1"),
                followed: weak,
                repeat: repeat.is_some_and(|i| c[i].trim() == "1"),
                near_face_px: match face.map(|c| c.and_then(num)) {
                    [Some(v), Some(h), Some(cx), Some(cy)] => Some(NearFace { cx, cy, v, h }),
                    _ => None,
                },
                near_centre_px: near.0.and_then(num).zip(near.1.and_then(num)),
                ..PlateFit::seen_whole(x, y, a, b)
            });
        }
    }
    Ok(out)
}
