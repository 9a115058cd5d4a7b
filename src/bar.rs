//! The bar, tracked from the near plate.
//!
//! In a side view the near plate is the biggest circle in the picture (an
//! ellipse when the camera is turned) and its centre is the bar end. It is
//! found near the lifter's hands or shoulders, then followed frame to frame:
//! from a constant-velocity prediction, rays cast from the predicted centre
//! find the rim's edge with sub-pixel precision, an iterative robust fit
//! rejects edge points on hands, legs and clutter, and a frame only counts as
//! measured when enough of the rim was seen (the acceptance rules and their
//! reasons are in `BarProfile`). Unmeasured frames are bridged afterwards and
//! marked interpolated; they are never reported as measurements.
//!
//! This file finds the plate and follows it (`BarTracker`); `rim` reads
//! and fits the rim in one frame, `tilt` and `turn` refit the clip's
//! centres for a tilted or turned camera, `track` turns the fits into the
//! bar track, its scale and kinematics, and `profile` holds `[bar]`.

use opencv::core::{self, Mat, Point2f, Rect, Size, Vec3f, Vector};
use opencv::imgproc;
use opencv::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{CvContext, Result};
use crate::pose::RawPose;
use crate::signal::solve;

mod profile;
mod rim;
#[cfg(test)]
mod tests;
mod tilt;
mod track;
mod turn;
pub use profile::BarProfile;
use rim::*;
pub use tilt::{refine_for_tilt, Rim, Tilt};
pub use track::*;
pub use turn::{refine_for_turn, CameraFit, Turn};

/// LIFTLENS_DEBUG_BAR=1 prints every plate fit and search to stderr (for
/// diagnosing tracking on a clip).
fn debug_trace() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("LIFTLENS_DEBUG_BAR").is_some())
}

/// One frame's plate fit, image pixels (y down).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlateFit {
    pub cx: f64,
    pub cy: f64,
    /// Semi-axes (major >= minor); equal for a circle fit.
    pub major: f64,
    pub minor: f64,
    /// Share of in-frame rays that fit the rim.
    pub inlier_share: f64,
    /// Degrees of rim seen, and the widest unseen run inside the picture.
    pub visible_arc_deg: f64,
    /// Degrees of rim inside the picture (the rest is cut by the frame edge).
    pub in_frame_arc_deg: f64,
    pub hidden_arc_deg: f64,
    /// Passed every acceptance rule.
    pub measured: bool,
    /// The fit came from a fresh search rather than from tracking.
    pub seeded: bool,
    /// Centre fitted with the plate's shape held (too little rim for a free fit).
    pub held: bool,
    /// Not measured, but near the track's prediction with enough rim to
    /// steer it: where the plate went while too little of it was seen (a
    /// rack upright and motion blur on a fast descent). Gaps take it rather
    /// than a body point; it never counts as measured.
    pub followed: bool,
    /// The picture about the plate is the previous frame's again: a video
    /// converted up from a lower frame rate repeats frames, and a repeat
    /// is no new sample of the bar's motion (`repeat_max_grey_diff`).
    pub repeat: bool,
    /// The plate's near face, fitted to the rim away from the picture's
    /// centre (`near_face`), or on a tilted camera's clip away from where
    /// the tilt puts the far face (`refine_for_tilt`); only on free fits
    /// that saw the full rim. The scale, the camera angle and the bar's
    /// position are read from it.
    pub near_face_px: Option<NearFace>,
    /// The image of the plate's centre on a tilted or turned camera's clip,
    /// fitted after the pass from this frame's rim: away from the far face
    /// with the face's shape held (`refine_for_tilt`), or with the fitted
    /// camera held (`refine_for_turn`).
    pub near_centre_px: Option<(f64, f64)>,
}

/// The near face's ellipse (vertical and horizontal axes), image pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NearFace {
    pub cx: f64,
    pub cy: f64,
    /// Vertical and horizontal semi-axes.
    pub v: f64,
    pub h: f64,
}

impl PlateFit {
    /// A measured free fit that saw the whole rim, for a fit read back
    /// from bar.csv or made up by a test to set the other fields over.
    pub(crate) fn seen_whole(cx: f64, cy: f64, major: f64, minor: f64) -> PlateFit {
        PlateFit {
            cx,
            cy,
            major,
            minor,
            inlier_share: 1.0,
            visible_arc_deg: 360.0,
            in_frame_arc_deg: 360.0,
            hidden_arc_deg: 0.0,
            measured: true,
            seeded: false,
            held: false,
            followed: false,
            repeat: false,
            near_face_px: None,
            near_centre_px: None,
        }
    }

    pub fn radius(&self) -> f64 {
        self.major
    }

    /// A free fit (not shape-held) that saw the full rim: what a plate's
    /// size, shape and near face are read from.
    fn free_full_rim(&self, p: &BarProfile) -> bool {
        !self.held && self.visible_arc_deg >= p.full_rim_deg
    }

    /// Enough rim seen: `min_deg`, or three quarters of the rim inside the
    /// picture when the frame edge cuts the plate.
    fn enough_rim(&self, min_deg: f64) -> bool {
        self.visible_arc_deg >= min_deg.min(0.75 * self.in_frame_arc_deg) && self.in_frame_arc_deg >= 180.0
    }

    /// A free fit on enough of the rim to measure the plate by.
    fn sound_free(&self, p: &BarProfile) -> bool {
        self.inlier_share >= p.min_inlier_share
            && self.hidden_arc_deg <= p.max_hidden_arc_deg
            && self.enough_rim(p.min_visible_arc_deg)
    }

    /// A held (centre-only) fit on enough of the rim to measure the plate by.
    fn sound_held(&self, p: &BarProfile) -> bool {
        self.inlier_share >= p.held_min_inlier_share && self.enough_rim(p.held_min_visible_arc_deg)
    }
}

/// Which way the brightness steps at the rim. Holding one sign all the way
/// round rejects clutter. (Allowing the sign to flip round the rim, for a
/// coloured plate between a dark floor and a light wall, was tried: it
/// gained nothing on mattiolato bad02, whose oblique rim shows two edges,
/// and locked onto clutter on bichraix bad012.)
#[derive(Debug, Clone, Copy, PartialEq)]
enum Polarity {
    DarkInside,
    LightInside,
}

impl Polarity {
    fn other(self) -> Polarity {
        match self {
            Polarity::DarkInside => Polarity::LightInside,
            Polarity::LightInside => Polarity::DarkInside,
        }
    }

    /// Edge strength along a ray pointing outwards with unit vector (c, s).
    fn along(self, gx: f64, gy: f64, c: f64, s: f64) -> f64 {
        let v = gx * c + gy * s;
        match self {
            Polarity::DarkInside => v,
            Polarity::LightInside => -v,
        }
    }
}

#[derive(Clone)]
struct TrackState {
    cx: f64,
    cy: f64,
    vx: f64,
    vy: f64,
    r: f64,
    polarity: Polarity,
    t: f64,
    last_measured_t: f64,
    /// Where and when a fit last placed the plate: (x, y, t).
    last_usable: (f64, f64, f64),
    radii: Vec<f64>,
    ratios: Vec<f64>,
    /// The shape history holds only fits that saw the full rim.
    shape_from_full_rim: bool,
}

/// Follows the near plate through a clip: `process` each frame in order.
pub struct BarTracker {
    profile: BarProfile,
    state: Option<TrackState>,
    picture: Rect,
    /// Frames that tried a fresh search (for the report).
    pub searches: usize,
    /// Frames seen so far (the index of the next one).
    frames: usize,
    /// Grey frames since the plate was last measured: (index, time, image).
    untracked: std::collections::VecDeque<(usize, f64, Mat)>,
    /// Fits for earlier frames found by tracking back from a seed.
    backfill: Vec<(usize, PlateFit)>,
    /// (time, fit) of the biggest plate-like circle of each recent search,
    /// whether or not it showed enough rim to seed.
    likely_plates: Vec<(f64, PlateFit)>,
    /// The previous frame in grey, to tell a repeated frame.
    previous: Option<Mat>,
    /// Per frame so far: the picture about the plate repeats the previous
    /// frame's (see `PlateFit::repeat`).
    repeats: Vec<bool>,
    /// Per frame so far: the rim about its measured fit (`Rim`).
    rims: Vec<Option<Rim>>,
}

/// Most memory the frames kept for tracking back may take (a 1080p grey
/// frame is 2 MB: 6 s at 30 fps is 370 MB; 4K keeps the last 64 frames).
const MAX_BACKTRACK_BYTES: usize = 512 << 20;

/// A fit whose rays all stayed inside the picture (the rays' band runs
/// past the rim, so the whole plate is in the picture with room to spare)
/// reads 360 deg in frame; the rays are a few degrees apart.
const WHOLE_IN_PICTURE_DEG: f64 = 359.0;

/// Square around (cx, cy), clipped to the picture area.
fn region_around(cx: f64, cy: f64, half: f64, picture: Rect) -> Option<Rect> {
    let (px1, py1) = (picture.x + picture.width, picture.y + picture.height);
    let x0 = ((cx - half).floor() as i32).clamp(picture.x, px1 - 1);
    let y0 = ((cy - half).floor() as i32).clamp(picture.y, py1 - 1);
    let x1 = ((cx + half).ceil() as i32).clamp(picture.x, px1);
    let y1 = ((cy + half).ceil() as i32).clamp(picture.y, py1);
    (x1 - x0 >= 8 && y1 - y0 >= 8).then(|| Rect::new(x0, y0, x1 - x0, y1 - y0))
}

/// Mean absolute grey-level change between two frames in the square of
/// 2.4 plate radii about the plate (`about`: centre and radius), or over
/// the whole picture when no plate is placed. Measured on the real clips:
/// where the bar moves (over 0.1 m/s), consecutive frames differ by 1.9-24
/// levels about the plate; a 24 fps clip converted to 60 fps repeats
/// frames that differ by 0.000-0.02 (the encoder's rounding).
fn mean_grey_change(prev: &Mat, grey: &Mat, about: Option<(f64, f64, f64)>, picture: Rect) -> Result<f64> {
    let full = Rect::new(0, 0, grey.cols(), grey.rows());
    let picture = if prev.size().ok() == grey.size().ok() {
        picture & full
    } else {
        return Ok(f64::INFINITY);
    };
    let region = about
        .and_then(|(cx, cy, r)| region_around(cx, cy, 1.2 * r, picture))
        .unwrap_or(picture);
    if region.width <= 0 || region.height <= 0 {
        return Ok(f64::INFINITY);
    }
    let (a, b) = (
        Mat::roi(prev, region).cv("plate repeat check")?,
        Mat::roi(grey, region).cv("plate repeat check")?,
    );
    let mut diff = Mat::default();
    core::absdiff(&a, &b, &mut diff).cv("plate repeat check")?;
    Ok(core::mean(&diff, &core::no_array()).cv("plate repeat check")?[0])
}

/// OpenCV's circle search over `region` (image pixels in and out), on a
/// copy shrunk to at most 640 px a side: `roundness` is HOUGH_GRADIENT_ALT's
/// circle-perfectness vote (1 = a perfect circle).
fn hough_circles(bgr: &Mat, region: Rect, r_min: f64, r_max: f64, roundness: f64) -> Result<Vec<(f64, f64, f64)>> {
    let roi = Mat::roi(bgr, region).cv("plate search")?;
    let scale = (640.0 / region.width.max(region.height) as f64).min(1.0);
    let mut small = Mat::default();
    imgproc::resize(&roi, &mut small, Size::new(0, 0), scale, scale, imgproc::INTER_AREA).cv("plate search")?;
    let mut grey = Mat::default();
    imgproc::cvt_color(&small, &mut grey, imgproc::COLOR_BGR2GRAY, 0).cv("plate search")?;
    let mut blurred = Mat::default();
    imgproc::gaussian_blur(&grey, &mut blurred, Size::new(5, 5), 1.2, 1.2, core::BORDER_REPLICATE)
        .cv("plate search")?;
    let mut circles: Vector<Vec3f> = Vector::new();
    imgproc::hough_circles(
        &blurred,
        &mut circles,
        imgproc::HOUGH_GRADIENT_ALT,
        1.5,
        (r_min * scale).max(4.0),
        200.0,
        roundness,
        (r_min * scale) as i32,
        (r_max * scale).ceil() as i32,
    )
    .cv("plate search")?;
    Ok(circles
        .iter()
        .map(|c| {
            (
                region.x as f64 + c[0] as f64 / scale,
                region.y as f64 + c[1] as f64 / scale,
                c[2] as f64 / scale,
            )
        })
        .collect())
}

/// Where the bar should be: near the wrists (bar in the hands) or the
/// shoulders (bar on the back), with the body's scale for the plate size.
struct Anchors {
    points: Vec<(f64, f64)>,
    thigh_px: f64,
    /// Image y of the top of the head (ears, nose): no plate centre is above it.
    head_y: f64,
}

fn anchors(pose: &RawPose) -> Option<Anchors> {
    let p = &pose.points;
    let d = |a: usize, b: usize| (((p[a].x - p[b].x).powi(2) + (p[a].y - p[b].y).powi(2)) as f64).sqrt();
    let thigh = d(23, 25).max(d(24, 26));
    if !(thigh.is_finite() && thigh > 4.0) {
        return None;
    }
    let head_y = [0usize, 7, 8]
        .iter()
        .map(|&i| p[i].y as f64)
        .fold(f64::INFINITY, f64::min);
    // Hands well below the shoulders hold the bar (deadlift): only the
    // wrists vouch for a plate then. Hands up by the shoulders (squat grip):
    // the bar is on the back, by the shoulders.
    let wrist_y = (p[15].y + p[16].y) as f64 / 2.0;
    let shoulder_y = (p[11].y + p[12].y) as f64 / 2.0;
    let idx: &[usize] = if wrist_y - shoulder_y > 0.5 * thigh {
        &[15, 16]
    } else {
        &[11, 12, 15, 16]
    };
    // Both sides count: in a turned view the near wrist is often the one
    // the model marks as hidden.
    let points: Vec<(f64, f64)> = idx.iter().map(|&i| (p[i].x as f64, p[i].y as f64)).collect();
    Some(Anchors {
        points,
        thigh_px: thigh,
        head_y,
    })
}

/// The fit about a track's prediction in one rim polarity, with whether a
/// free fit was sound, and the rim's edges the rays found.
type AtPrediction = (Option<(PlateFit, bool)>, Option<RayEdges>);

/// One tracking step of `st` on this frame (BGR or grey): predict, fit the
/// rim freely, else with the plate's shape held, and update the state.
/// The frame's fit, and the rim about it when it is measured.
type Followed = (Option<PlateFit>, Option<Rim>);

fn follow(p: &BarProfile, st: &mut TrackState, image: &Mat, t: f64, picture: Rect) -> Result<Followed> {
    let dt = (t - st.t).max(1e-3);
    // The plate's move over the frame interval at the track's speed: where
    // it is predicted, and how far its rim smears.
    let smear = (st.vx * dt, st.vy * dt);
    let (px, py) = (st.cx + smear.0, st.cy + smear.1);
    let median_r = crate::signal::median(st.radii.iter().copied()).unwrap_or(st.r);
    let ratio = crate::signal::median(st.ratios.iter().copied()).unwrap_or(1.0);
    let frames = (dt * 30.0).max(1.0);
    let gate = p.max_speed_radii * median_r * frames;
    let moved = |f: &PlateFit| ((f.cx - px).powi(2) + (f.cy - py).powi(2)).sqrt();
    let radius_ok =
        |f: &PlateFit| st.radii.len() < 5 || (f.radius() - median_r).abs() <= p.max_radius_change * median_r;
    // A held fit starts from a free fit inside the gate, else the prediction.
    let start_of = |fit: &Option<(PlateFit, bool)>| {
        fit.as_ref()
            .filter(|(f, _)| moved(f) <= gate)
            .map_or((px, py), |(f, _)| (f.cx, f.cy))
    };
    // Read once: both rim polarities cast their rays on it.
    let g = track_gradients(image, picture, px, py, median_r)?;
    let fit_with = |polarity: Polarity| -> AtPrediction {
        let (free, edges) = match &g {
            Some(g) => {
                let (free, edges) = track_at(p, g, picture, (px, py), median_r, polarity);
                (free, Some(edges))
            }
            None => (None, None),
        };
        // A free fit that sees enough rim is the best measurement.
        let mut fit = free.map(|mut f| {
            let sound = f.sound_free(p) && moved(&f) <= gate;
            f.measured = sound && radius_ok(&f);
            (f, sound)
        });
        // Otherwise, or when the free fit saw only part of the rim and the
        // track knows the plate's shape from full-rim fits, hold the shape and
        // fit only the centre: two unknowns instead of five on a part arc.
        let partial = fit
            .as_ref()
            .is_some_and(|(f, _)| f.visible_arc_deg < p.full_rim_deg && st.shape_from_full_rim);
        if partial || !fit.as_ref().is_some_and(|(f, _)| f.measured) {
            if let Some(edges) = &edges {
                let start = start_of(&fit);
                let held_as = |r: f64, q: f64, size_free: bool| {
                    held_fit(edges, start, r, q, size_free, p).map(|mut h| {
                        h.measured = h.sound_held(p) && moved(&h) <= gate;
                        h
                    })
                };
                // A shape learnt from part rims only may be an ellipse bent to
                // the seen arc (the seed on mattiolato bad02 at 960x540 read
                // 71.3/68.0 px for a round 68 px plate, and the held fits then
                // missed the rim on 25 % of frames), or a real one (bichraix
                // bad013's 12-sided plate, 89/84 px, seen turned). Until a
                // full-rim fit settles it, hold the circle of the same area too
                // and keep whichever fits the rim better. Measured on the real
                // clips (`liftlens analyze CLIP --from-poses poses.csv`): plate
                // coverage bad011 91.3 -> 94.8 %, good01 93.1 -> 95.2 %, bad012
                // 65.0 -> 67.5 %, the rest unchanged; rendered clips unchanged
                // but deadlift_bar_drift's mean velocity error 0.009 -> 0.004 m/s.
                let held = |size_free: bool| {
                    let e = held_as(median_r, ratio, size_free);
                    if st.shape_from_full_rim || ratio >= 0.999 {
                        return e;
                    }
                    let c = held_as(median_r * ratio.sqrt(), 1.0, size_free);
                    match (e, c) {
                        (Some(e), Some(c)) if c.measured && (!e.measured || c.inlier_share > e.inlier_share) => Some(c),
                        (e, c) => e.or(c),
                    }
                };
                // The size held too, first; when that misses the rim, the size
                // may drift as far as a free fit's may. The plate can grow while
                // no full-rim fit updates it: on bichraix bad011 it reads 77 px
                // at the top, 82 at the floor, where the lifter's legs and the
                // shadow leave only part arcs (plate measured on 70 % of frames
                // with the size held, 91 % with it free).
                // Only a size learnt from several sound fits may drift: on
                // mattiolato bad02 an unlearnt one let the inner edge of the
                // bumper's bevel hold the track, where a fresh search finds
                // the outer rim.
                let mut h = held(false);
                if st.radii.len() >= p.held_size_drift_min_fits && !h.as_ref().is_some_and(|h| h.measured) {
                    if let Some(free_size) = held(true).filter(|h| h.measured) {
                        h = Some(free_size);
                    }
                }
                if let Some(h) = h.filter(|h| h.measured || fit.is_none()) {
                    fit = Some((h, false));
                }
            }
        }
        (fit, edges)
    };
    let (mut fit, mut edges) = fit_with(st.polarity);
    // The rim's brightness step can turn over as the plate moves: bichraix
    // bad012's iron plate is lighter than the lifter's dark shorts at the
    // top and darker than the pale floor at the bottom, where a track seeded
    // at the top saw 90-110 degrees of rim in its own polarity (on the far
    // plate's edge beside it, 10 px off) and 150-165 in the other. Where
    // the track's own polarity measures nothing, a fit of the other that
    // measures, on the same rules, and sees `polarity_turn_min_rim_ratio`
    // times the rim takes the track. Without that margin a rim seen partly
    // against each background measures either way for a frame or two, and
    // tracks that measured well moved (mattiolato bad02's bumper held on
    // another of its edges, 10.8 px off and its scale 3.4 % different).
    if !fit.as_ref().is_some_and(|(f, _)| f.measured) {
        let own_rim = fit.as_ref().map_or(0.0, |(f, _)| f.visible_arc_deg);
        let other = st.polarity.other();
        let (turned, turned_edges) = fit_with(other);
        if turned
            .as_ref()
            .is_some_and(|(f, _)| f.measured && f.visible_arc_deg >= p.polarity_turn_min_rim_ratio * own_rim)
        {
            if debug_trace() {
                eprintln!("bar t={t:.3} rim polarity turns to {other:?}");
            }
            fit = turned;
            edges = turned_edges;
            st.polarity = other;
        }
    }
    // A fast plate's rim is a ramp as wide as its move, whose steepest
    // point (the edge a ray takes) can lie anywhere on it: on a part rim the
    // held fits then find too few edges on one circle to measure. Where
    // nothing measured and the track moves fast, hold the shape on the
    // edges at the middle of each smear instead (bichraix bad012's pull and
    // squat_gymai_quarter's descents: see `blur_min_smear_px`).
    if !fit.as_ref().is_some_and(|(f, _)| f.measured) {
        if let Some(g) = &g {
            if let Some((mut h, e)) = held_on_smear(p, g, start_of(&fit), (median_r, ratio), st.polarity, smear) {
                h.measured = h.sound_held(p) && moved(&h) <= gate;
                if debug_trace() {
                    eprintln!(
                        "bar t={t:.3} held on mid-smear edges: share={:.2} vis={:.0} moved={:.1} measured={}",
                        h.inlier_share,
                        h.visible_arc_deg,
                        moved(&h),
                        h.measured
                    );
                }
                if h.measured {
                    fit = Some((h, false));
                    edges = Some(e);
                }
            }
        }
    }
    // Where nothing fitted about the prediction, the prediction may have
    // fallen behind the plate: in a fast descent the blurred rim shows too
    // little to measure or follow, the prediction runs on at the last
    // speed, and by the bottom it is further from the plate than a frame's
    // gate (squat_gymai_quarter: 60-110 px at 72 px radius). Look for the
    // plate about it; what is found there takes the track and teaches it
    // its size, which may have changed while it was lost.
    let mut recaptured = false;
    if p.recapture_within_radii > 0.0 && !fit.as_ref().is_some_and(|(f, _)| f.measured) {
        if let Some(f) = recapture(p, image, picture, (px, py), median_r, st.polarity)? {
            fit = Some((f, true));
            recaptured = true;
        }
    }
    let Some((mut fit, sound)) = fit else {
        return Ok((None, None));
    };
    if let (true, Some(g)) = (fit.measured, &g) {
        if let Some(e) = refit_smeared(p, g, &mut fit, st.polarity, smear, t) {
            // The turn refit reads the rim from these edges: the unrefined
            // ones put its centres back where the smear's peaks were.
            edges = Some(e);
        }
    }
    if recaptured && (fit.radius() - median_r).abs() > p.max_radius_change * median_r {
        st.radii.clear();
        st.ratios.clear();
        st.shape_from_full_rim = false;
    }
    if debug_trace() {
        eprintln!(
            "bar t={t:.3} c=({:.1},{:.1}) r={:.1}/{:.1} share={:.2} vis={:.0} hid={:.0} moved={:.1} med_r={median_r:.1} held={} measured={}",
            fit.cx, fit.cy, fit.major, fit.minor, fit.inlier_share, fit.visible_arc_deg, fit.hidden_arc_deg, moved(&fit), fit.held, fit.measured
        );
    }
    // Weak fits still steer the prediction; only measured ones count as seen.
    let usable = fit.measured || recaptured || (fit.inlier_share >= p.follow_min_inlier_share && moved(&fit) <= gate);
    fit.followed = usable && !fit.measured;
    if recaptured {
        // The jump from the lagging prediction is not the plate's speed:
        // its move since a fit last placed it is (blending the jump sent
        // squat_lukestynes_a's prediction 170 px past the plate).
        let (lx, ly, lt) = st.last_usable;
        let since = (t - lt).max(dt);
        st.vx = (fit.cx - lx) / since;
        st.vy = (fit.cy - ly) / since;
        st.cx = fit.cx;
        st.cy = fit.cy;
    } else if usable {
        let (nvx, nvy) = ((fit.cx - st.cx) / dt, (fit.cy - st.cy) / dt);
        st.vx = 0.5 * st.vx + 0.5 * nvx;
        st.vy = 0.5 * st.vy + 0.5 * nvy;
        st.cx = fit.cx;
        st.cy = fit.cy;
    } else {
        st.cx = px;
        st.cy = py;
    }
    st.t = t;
    if usable {
        st.last_usable = (fit.cx, fit.cy, t);
    }
    if fit.measured {
        st.last_measured_t = t;
        st.r = fit.radius();
    }
    // The shape history learns from every sound free fit that saw the full
    // rim (from any sound fit until one has), so a jump (an inner ring, the
    // far plate) is refused but a slow change (the plate nearing the
    // camera) is followed.
    let full = fit.visible_arc_deg >= p.full_rim_deg;
    if sound && full && !st.shape_from_full_rim {
        st.radii.clear();
        st.ratios.clear();
        st.shape_from_full_rim = true;
    }
    // A plate the picture's edge cuts is fitted on the arc left inside it,
    // and an ellipse there stretches along the cut: the rendered deadlifts'
    // plates run 34 px below the frame on the floor, where sound fits read
    // up to 72/68 px for a round 68.4 px plate. Learnt, that shape was held
    // through a pull whose legs hid most of the rim (a heavy body) and put
    // the centre 1-3 px high, the peak speed 0.055 m/s fast. So a cut rim
    // teaches the shape only when the track has none yet (its seed: the
    // search's circle, or the first fit after a recapture cleared it).
    let cut = fit.in_frame_arc_deg < WHOLE_IN_PICTURE_DEG && !st.radii.is_empty();
    if sound && (full || !st.shape_from_full_rim) && !cut {
        st.radii.push(fit.radius());
        st.ratios.push(fit.minor / fit.major);
        if st.radii.len() > 9 {
            st.radii.remove(0);
            st.ratios.remove(0);
        }
    }
    let rim = edges.as_ref().filter(|_| fit.measured).map(|e| Rim::around(e, &fit));
    Ok((Some(fit), rim))
}

/// Where the plate moved `smear` px over the frame interval, cast the rays
/// again at `fit` with each edge at the middle of its smear
/// (`centre_smeared_edges`) and move the centre to the held-shape fit of
/// those edges when that fit is sound and moved at most half the smear
/// (plus a pixel): that is as far as the steepest part of a ramp can sit
/// from its middle. Returns the edges the centre now stands on.
fn refit_smeared(
    p: &BarProfile,
    g: &Gradients,
    fit: &mut PlateFit,
    polarity: Polarity,
    smear: (f64, f64),
    t: f64,
) -> Option<RayEdges> {
    let shape = (fit.major, fit.minor / fit.major);
    let (h, edges) = held_on_smear(p, g, (fit.cx, fit.cy), shape, polarity, smear)?;
    let shift = (h.cx - fit.cx).hypot(h.cy - fit.cy);
    let length = smear.0.hypot(smear.1);
    if debug_trace() {
        eprintln!(
            "bar t={t:.3} smear {length:.1} px: refit moves {shift:.2} px, sound {}",
            h.sound_held(p)
        );
    }
    if !(h.sound_held(p) && shift <= 0.5 * length + 1.0) {
        return None;
    }
    fit.cx = h.cx;
    fit.cy = h.cy;
    Some(edges)
}

/// The held-shape (`major`, minor/major `ratio`) fit about `centre` of
/// edges cast at the middle of each smear, with those edges, where the
/// plate moved at least `blur_min_smear_px` over the frame interval.
fn held_on_smear(
    p: &BarProfile,
    g: &Gradients,
    centre: (f64, f64),
    (major, ratio): (f64, f64),
    polarity: Polarity,
    smear: (f64, f64),
) -> Option<(PlateFit, RayEdges)> {
    if smear.0.hypot(smear.1) < p.blur_min_smear_px.max(f64::MIN_POSITIVE) {
        return None;
    }
    let edges = cast_rays(
        g,
        centre,
        (TRACK_BAND.0 * major, TRACK_BAND.1 * major),
        polarity,
        smear,
        p,
    );
    let h = held_fit(&edges, centre, major, ratio, false, p)?;
    Some((h, edges))
}

/// The plate near a prediction that has fallen behind it: rays cast from a
/// grid of centres a quarter radius apart (a ray's band, 0.72-1.3 radii,
/// then meets the rim from one of them wherever it is). A sound free fit
/// of about the track's size is measured. Failing one, the best held fit
/// (centre only, on the rim a held fit needs) steers the track without
/// being called measured: the track's own held fits then measure the
/// frames after it, and a lost track is still searched afresh and tracked
/// back (a held recapture called measured cost squat_lukestynes_a 4
/// points of coverage: it kept alive a track whose next frames were only
/// followed, where a fresh seed tracked back had measured them).
/// A plate's size can change while the track is lost (squat_gymai_quarter
/// reads 76-77 px at the top and 70-72 at the bottom, a handheld camera):
/// the held fits try the track's size and 8 % under it.
fn recapture(
    p: &BarProfile,
    image: &Mat,
    picture: Rect,
    (px, py): (f64, f64),
    r: f64,
    polarity: Polarity,
) -> Result<Option<PlateFit>> {
    let within = p.recapture_within_radii * r;
    let Some(region) = region_around(px, py, within + 1.45 * r, picture) else {
        return Ok(None);
    };
    let g = Gradients::of(image, region)?;
    let step = 0.25 * r;
    let n = (within / step).floor() as i32;
    let mut best: Option<PlateFit> = None;
    let mut held_best: Option<PlateFit> = None;
    for i in -n..=n {
        for j in -n..=n {
            let (dx, dy) = (i as f64 * step, j as f64 * step);
            if (i == 0 && j == 0) || dx.hypot(dy) > within {
                continue;
            }
            let (cx, cy) = (px + dx, py + dy);
            let edges = cast_rays(
                &g,
                (cx, cy),
                (TRACK_BAND.0 * r, TRACK_BAND.1 * r),
                polarity,
                (0.0, 0.0),
                p,
            );
            let Some(mut f) = robust_fit(&edges, r, centre_of(picture), p) else {
                continue;
            };
            let sound = f.sound_free(p)
                && (f.radius() - r).abs() <= p.recapture_max_radius_change * r
                && (f.cx - cx).hypot(f.cy - cy) <= 0.3 * r;
            if sound && best.as_ref().is_none_or(|b| f.inlier_share > b.inlier_share) {
                f.measured = true;
                best = Some(f);
            }
            // Centre-only fits at the track's size or 8 % under it (each
            // free to drift the usual 4 %), on the rim a held fit needs.
            for k in [0.92, 1.0] {
                if let Some(h) = held_fit(&edges, (cx, cy), k * r, 1.0, true, p) {
                    let ok = h.sound_held(p) && (h.cx - cx).hypot(h.cy - cy) <= 0.3 * r;
                    if ok
                        && held_best
                            .as_ref()
                            .is_none_or(|b: &PlateFit| h.inlier_share > b.inlier_share)
                    {
                        held_best = Some(h);
                    }
                }
            }
        }
    }
    let best = best.or(held_best);
    if debug_trace() {
        if let Some(f) = &best {
            eprintln!(
                "bar   recapture c=({:.1},{:.1}) r={:.1} share={:.2} from ({px:.1},{py:.1})",
                f.cx,
                f.cy,
                f.radius(),
                f.inlier_share
            );
        }
    }
    Ok(best)
}

/// Where a tracked rim is looked for along the rays, in radii from the
/// ray's centre (the prediction, or a recapture's grid point).
const TRACK_BAND: (f64, f64) = (0.72, 1.3);

/// The gradients a track's rays read about a predicted centre, for both
/// rim polarities; `None` where the region lies outside the picture.
fn track_gradients(image: &Mat, picture: Rect, cx: f64, cy: f64, r: f64) -> Result<Option<Gradients>> {
    region_around(cx, cy, 1.45 * r, picture)
        .map(|region| Gradients::of(image, region))
        .transpose()
}

/// Rim edges around a predicted centre and the free fit to them.
fn track_at(
    p: &BarProfile,
    g: &Gradients,
    picture: Rect,
    (cx, cy): (f64, f64),
    r: f64,
    polarity: Polarity,
) -> (Option<PlateFit>, RayEdges) {
    let edges = cast_rays(
        g,
        (cx, cy),
        (TRACK_BAND.0 * r, TRACK_BAND.1 * r),
        polarity,
        (0.0, 0.0),
        p,
    );
    (robust_fit(&edges, r, centre_of(picture), p), edges)
}

/// A search's seed (fit and rim polarity), and the biggest plate-like
/// circle it saw.
type SeedSearch = (Option<(PlateFit, Polarity)>, Option<PlateFit>);

/// A seed waits while a bigger plate-like circle seen lately may be the
/// near plate of the seed's bar, which needs it to lie beside the seed: a
/// far plate shows enough rim to seed only beside the near one (rendered
/// deadlift_oblique25: 1.7-2.5 of its radii apart). A bigger circle about
/// the seed's own centre is a misfit to the same plate, and waiting on it
/// lost squat_gymai_quarter's plate for a second (a 86 px circle 0.33
/// radii from a 72 px seed that fitted 70 % of the rim).
fn vetoed(seed: &PlateFit, likely: &[(f64, PlateFit)], p: &BarProfile) -> bool {
    likely.iter().any(|(_, l)| {
        l.radius() > p.seed_veto_radius_ratio * seed.radius()
            && (l.cx - seed.cx).hypot(l.cy - seed.cy) >= p.seed_veto_min_apart_radii * seed.radius()
    })
}

impl BarTracker {
    pub fn new(profile: BarProfile) -> Self {
        BarTracker {
            profile,
            state: None,
            picture: Rect::default(),
            searches: 0,
            frames: 0,
            untracked: Default::default(),
            backfill: Vec::new(),
            likely_plates: Vec::new(),
            previous: None,
            repeats: Vec::new(),
            rims: Vec::new(),
        }
    }

    /// Where the plate is being tracked (image pixels), if it is.
    pub fn last_centre(&self) -> Option<(f64, f64)> {
        self.state.as_ref().map(|s| (s.cx, s.cy))
    }

    /// The clip cut to another shot: the plate is searched for afresh, and
    /// no seed in the new shot tracks back over the old one's frames.
    pub fn new_shot(&mut self) {
        self.state = None;
        self.untracked.clear();
        self.likely_plates.clear();
        self.previous = None;
    }

    /// Fit the plate in this frame. `pose` (the lifter's raw landmarks) seeds
    /// the search and links the plate to the lifter.
    pub fn process(&mut self, bgr: &Mat, t: f64, pose: Option<&RawPose>, picture: Rect) -> Result<Option<PlateFit>> {
        let index = self.frames;
        self.frames += 1;
        // Work inside the picture area: pillarbox bars are not rim.
        self.picture = crate::video::picture_in(bgr, picture);
        if let Some(st) = &self.state {
            if t - st.last_measured_t > self.profile.lost_after_s {
                self.state = None;
            }
        }
        // One grey copy serves following the plate (its gradients), the
        // repeat check and the frames kept for tracking back.
        let mut grey = Mat::default();
        imgproc::cvt_color(bgr, &mut grey, imgproc::COLOR_BGR2GRAY, 0).cv("plate grey")?;
        let fit = if let Some(mut st) = self.state.take() {
            let (fit, rim) = follow(&self.profile, &mut st, &grey, t, self.picture)?;
            // A live track that measures the plate again after frames it
            // could not measure tracks back over them, as from a late seed:
            // in a fast descent its prediction runs on at the last speed
            // while the plate slows into the bottom, and from the far side
            // of the gap the plate is where the reversed track looks for it
            // (squat_gymai_quarter 82.5 -> 91.6 % of frames measured,
            // mattiolato good01 95.2 -> 98.6; no frame measured before lost
            // and the rendered clips unchanged). This also covers a track
            // whose rim polarity turned, which left its old polarity's
            // frames unmeasured (squat_lukestynes_a's fast descent, which a
            // later seed had measured while the old track was let go).
            if fit.as_ref().is_some_and(|f| f.measured) && !self.untracked.is_empty() {
                self.backtrack(st.clone())?;
            }
            self.state = Some(st);
            self.rims.push(rim);
            fit
        } else {
            self.rims.push(None);
            let fit = self.search(bgr, t, pose)?;
            if let (Some(f), Some(st)) = (&fit, &self.state) {
                if f.measured {
                    self.backtrack(st.clone())?;
                }
            }
            fit
        };
        let about = fit.as_ref().map(|f| (f.cx, f.cy, f.major)).or_else(|| {
            let st = self.state.as_ref()?;
            Some((st.cx, st.cy, st.r))
        });
        let repeat = match &self.previous {
            Some(prev) => mean_grey_change(prev, &grey, about, self.picture)? < self.profile.repeat_max_grey_diff,
            None => false,
        };
        self.repeats.push(repeat);
        let fit = fit.map(|f| PlateFit { repeat, ..f });
        self.remember(index, t, &grey, fit.as_ref().is_some_and(|f| f.measured))?;
        self.previous = Some(grey);
        Ok(fit)
    }

    /// Once the clip is tracked (`fits` as the pass kept them, backfill
    /// included): on a camera found tilted or turned, refit the faces and
    /// centres from the rims kept (`refine_for_tilt`, `refine_for_turn`),
    /// and return the camera the turned-camera refit found. The rims are
    /// let go.
    pub fn refine(&mut self, fits: &mut [Option<PlateFit>]) -> Option<CameraFit> {
        let rims = std::mem::take(&mut self.rims);
        let centre = centre_of(self.picture);
        if refine_for_tilt(fits, &rims, centre, &self.profile).is_some() {
            return None;
        }
        refine_for_turn(fits, &rims, centre, &self.profile).map(|t| t.camera_fit(self.profile.plate_mm))
    }

    /// Fits found by tracking backwards from a late seed, as (frame index,
    /// fit) for frames already returned by `process`; taking them empties
    /// the list.
    pub fn take_backfill(&mut self) -> Vec<(usize, PlateFit)> {
        std::mem::take(&mut self.backfill)
    }

    /// Keep this frame (grey) while the plate is not measured, so a seed
    /// found later can be tracked back over it; a measured frame ends the
    /// stretch. Bounded by `backtrack_max_s` and `MAX_BACKTRACK_BYTES`.
    fn remember(&mut self, index: usize, t: f64, grey: &Mat, measured: bool) -> Result<()> {
        if measured || self.profile.backtrack_max_s <= 0.0 {
            self.untracked.clear();
            return Ok(());
        }
        let grey = grey.try_clone().cv("plate backtrack")?;
        let bytes = |m: &Mat| m.total() * m.elem_size().unwrap_or(1);
        self.untracked.push_back((index, t, grey));
        let mut held: usize = self.untracked.iter().map(|u| bytes(&u.2)).sum();
        while let Some(front) = self.untracked.front() {
            if t - front.1 <= self.profile.backtrack_max_s && held <= MAX_BACKTRACK_BYTES {
                break;
            }
            held -= bytes(&front.2);
            self.untracked.pop_front();
        }
        Ok(())
    }

    /// Track from a fresh seed, or from a live track's first measured frame
    /// after a gap, back over the frames kept since the plate was last
    /// measured: the plate is often first found mid-lift (a setup hides it
    /// behind the shins, the pose comes late, it shows enough rim for a
    /// search only at lockout), and the frames before hold the pull. Time
    /// runs backwards by negating it, and the speed with it, so the
    /// tracker's motion model and gates apply unchanged.
    fn backtrack(&mut self, mut st: TrackState) -> Result<()> {
        st.t = -st.t;
        st.vx = -st.vx;
        st.vy = -st.vy;
        st.last_measured_t = st.t;
        st.last_usable = (st.cx, st.cy, st.t);
        for (index, t, grey) in self.untracked.iter().rev() {
            if -t - st.last_measured_t > self.profile.lost_after_s {
                break;
            }
            let (fit, rim) = follow(&self.profile, &mut st, grey, -t, self.picture)?;
            if let Some(fit) = fit {
                // Whether the frame repeated the one before, as the forward
                // pass saw it.
                let repeat = self.repeats.get(*index).copied().unwrap_or(false);
                self.backfill.push((*index, PlateFit { repeat, ..fit }));
                // The pass keeps a backfilled fit where its own was not
                // measured, and only measured fits leave a rim.
                if let Some(slot) = self.rims.get_mut(*index).filter(|s| s.is_none()) {
                    *slot = rim;
                }
            }
        }
        Ok(())
    }

    /// No track: search near the lifter and start one from a sound seed.
    fn search(&mut self, bgr: &Mat, t: f64, pose: Option<&RawPose>) -> Result<Option<PlateFit>> {
        let p = &self.profile;
        let Some(anchor) = pose.and_then(anchors) else {
            return Ok(None);
        };
        self.searches += 1;
        let (mut found, likely) = self.seed(bgr, &anchor)?;
        // A bigger circle by the lifter that fits like a plate but shows too
        // little rim to seed (the frame edge or the shins cut it) is likely
        // the near plate, and a smaller seed the far plate of the same bar (a
        // camera turned 25 degrees shows both). Wait up to a second for a
        // frame that shows the big one rather than track the far plate at
        // the wrong scale; tracking back recovers the frames waited.
        self.likely_plates.retain(|&(t0, _)| t - t0 <= p.seed_veto_s);
        if let Some(l) = likely {
            self.likely_plates.push((t, l));
        }
        if let Some((f, _)) = &found {
            if vetoed(f, &self.likely_plates, p) {
                found = None;
            }
        }
        if debug_trace() {
            eprintln!("bar t={t:.3} search (thigh {:.0} px): {found:?}", anchor.thigh_px);
        }
        let Some((mut fit, polarity)) = found else {
            return Ok(None);
        };
        fit.seeded = true;
        fit.measured = fit.inlier_share >= p.min_inlier_share
            && fit.hidden_arc_deg <= p.seed_max_hidden_arc_deg
            && fit.enough_rim(p.min_visible_arc_deg);
        if fit.measured {
            self.state = Some(TrackState {
                cx: fit.cx,
                cy: fit.cy,
                vx: 0.0,
                vy: 0.0,
                r: fit.radius(),
                polarity,
                t,
                last_measured_t: t,
                last_usable: (fit.cx, fit.cy, t),
                radii: vec![fit.radius()],
                ratios: vec![fit.minor / fit.major],
                shape_from_full_rim: fit.visible_arc_deg >= p.full_rim_deg,
            });
            return Ok(Some(fit));
        }
        Ok(None)
    }

    /// Circle candidates near the lifter's wrists and shoulders, sized like a
    /// plate for this body; the best-supported large one wins.
    /// Also returns the biggest circle that fitted like a plate on the rim
    /// a held fit needs, enough to seed or not.
    fn seed(&self, bgr: &Mat, a: &Anchors) -> Result<SeedSearch> {
        let p = &self.profile;
        // Plate-sized for this body: a 450 mm plate's radius is 0.45-0.8
        // of BlazePose's hip-to-knee length on real side-on clips (0.59 and
        // 0.69 measured); smaller plates scale with --plate-mm.
        let k = p.plate_mm / 450.0;
        let (r_min, r_max) = (
            (0.4 * k * a.thigh_px).max(6.0),
            (1.0 * k * a.thigh_px).min(0.45 * self.picture.width.min(self.picture.height) as f64),
        );
        if r_max <= r_min {
            return Ok((None, None));
        }
        let xs = a.points.iter().map(|q| q.0);
        let ys = a.points.iter().map(|q| q.1);
        let (x0, x1) = (
            xs.clone().fold(f64::INFINITY, f64::min),
            xs.fold(f64::NEG_INFINITY, f64::max),
        );
        let (y0, y1) = (
            ys.clone().fold(f64::INFINITY, f64::min),
            ys.fold(f64::NEG_INFINITY, f64::max),
        );
        let pad = 1.6 * r_max;
        let Some(region) = region_around(
            (x0 + x1) / 2.0,
            (y0 + y1) / 2.0,
            ((x1 - x0).max(y1 - y0)) / 2.0 + pad,
            self.picture,
        ) else {
            return Ok((None, None));
        };
        let circles = hough_circles(bgr, region, r_min, r_max, p.seed_roundness)?;
        let g = Gradients::of(bgr, self.picture)?;
        let mut best: Option<(f64, PlateFit, Polarity)> = None;
        let mut biggest_likely: Option<PlateFit> = None;
        for (cx, cy, r) in circles {
            // Linked to the lifter: a wrist (bar in the hands) or shoulder
            // (bar on the back) within 2 plate radii of the centre (a camera
            // 25 degrees off side-on shows the bar's length, putting the near
            // plate 1.3-1.9 radii from the hands: rendered deadlift_oblique25,
            // which then seeded on the far plate), and not clearly above
            // the head (wall clocks can be; a plate hiding the head makes the
            // model guess ears and nose below the bar, so allow a radius).
            let near = a
                .points
                .iter()
                .map(|q| ((q.0 - cx).powi(2) + (q.1 - cy).powi(2)).sqrt())
                .fold(f64::INFINITY, f64::min);
            let by_lifter = near <= p.lifter_link_radii * r && cy >= a.head_y - r;
            if debug_trace() {
                eprintln!(
                    "bar   candidate c=({cx:.0},{cy:.0}) r={r:.0} nearest anchor {near:.0} px{}",
                    if by_lifter { "" } else { " (not by the lifter)" }
                );
            }
            if !by_lifter {
                continue;
            }
            for polarity in [Polarity::DarkInside, Polarity::LightInside] {
                let edges = cast_rays(&g, (cx, cy), (0.8 * r, 1.2 * r), polarity, (0.0, 0.0), p);
                let Some(fit) = robust_fit(&edges, r, centre_of(self.picture), p) else {
                    continue;
                };
                if debug_trace() {
                    eprintln!(
                        "bar     {polarity:?}: c=({:.1},{:.1}) r={:.1}/{:.1} share={:.2} vis={:.0} in={:.0} hid={:.0}",
                        fit.cx,
                        fit.cy,
                        fit.major,
                        fit.minor,
                        fit.inlier_share,
                        fit.visible_arc_deg,
                        fit.in_frame_arc_deg,
                        fit.hidden_arc_deg
                    );
                }
                // The near plate is the biggest well-supported circle (the
                // far plate of the same bar is smaller, and often more
                // visible beside the legs).
                let score = fit.radius();
                let plate_like = fit.inlier_share >= p.min_inlier_share;
                if plate_like
                    && fit.enough_rim(p.held_min_visible_arc_deg)
                    && biggest_likely.is_none_or(|b| score > b.radius())
                {
                    biggest_likely = Some(fit);
                }
                if plate_like && fit.enough_rim(p.min_visible_arc_deg) && best.as_ref().is_none_or(|b| score > b.0) {
                    best = Some((score, fit, polarity));
                }
            }
        }
        let Some((_, fit, polarity)) = best else {
            return Ok((None, biggest_likely));
        };
        let found = match self.twin(bgr, &g, &fit, polarity, a)? {
            Some(near) => near,
            None => fit,
        };
        let found = self.outer_rim(&g, &found, polarity).unwrap_or(found);
        Ok((Some((found, polarity)), biggest_likely))
    }

    /// The plate's outer rim when `seed` is a ring inside it. Bumper plates
    /// show a face, a bevel and a rim band, each edge a circle about the
    /// same centre; the circle search keeps one circle per centre, and it
    /// may be an inner one (a rendered bumper seeded on its face at 0.86 of
    /// the rim's radius: scale 17 % off). The plate's size is its outermost
    /// ring, so a concentric circle up to `outer_rim_max_ratio` times bigger
    /// that fits like a plate on the rim a held fit needs (the band meets
    /// the shirt, the shorts and the wall, so its rim's polarity changes
    /// round it) is taken instead. A change plate in front of a 450 mm one
    /// is such an inner circle too.
    fn outer_rim(&self, g: &Gradients, seed: &PlateFit, polarity: Polarity) -> Option<PlateFit> {
        let p = &self.profile;
        let r = seed.radius();
        let steps = ((p.outer_rim_max_ratio - 1.0) / 0.1).floor().max(0.0) as usize;
        let mut best: Option<PlateFit> = None;
        for k in 1..=steps {
            let guess = r * (1.0 + 0.1 * k as f64);
            // Rays start clear of the seed's own rim (a 12-sided plate's
            // corners stand 3 % proud of it).
            let lo = (0.9 * guess).max((p.outer_rim_min_ratio - 0.02) * r);
            let edges = cast_rays(g, (seed.cx, seed.cy), (lo, 1.1 * guess), polarity, (0.0, 0.0), p);
            let Some(fit) = robust_fit(&edges, guess, centre_of(self.picture), p) else {
                continue;
            };
            let apart = (fit.cx - seed.cx).hypot(fit.cy - seed.cy);
            let ok = fit.radius() >= p.outer_rim_min_ratio * r
                && fit.radius() <= p.outer_rim_max_ratio * r
                && apart <= p.outer_rim_max_apart_radii * r
                && fit.inlier_share >= p.outer_rim_min_inlier_share
                && fit.enough_rim(p.held_min_visible_arc_deg);
            if debug_trace() {
                eprintln!(
                    "bar   outer rim c=({:.1},{:.1}) r={:.1} ({:.2} of the seed's) share={:.2} vis={:.0} apart={apart:.1}{}",
                    fit.cx,
                    fit.cy,
                    fit.radius(),
                    fit.radius() / r,
                    fit.inlier_share,
                    fit.visible_arc_deg,
                    if ok { " (taken)" } else { "" }
                );
            }
            if ok && best.is_none_or(|b| fit.radius() > b.radius()) {
                best = Some(fit);
            }
        }
        best
    }

    /// The near plate of the bar whose far plate `seed` may be: a turned
    /// camera shows both plates, and when it is also tilted the near one
    /// can sit further from the hands than the far one and too far out of
    /// round for the first search. Same rim polarity (a bar carries
    /// matching plates), bigger, beside the seed, not above the head, and
    /// plate-like on enough rim to seed.
    fn twin(
        &self,
        bgr: &Mat,
        g: &Gradients,
        seed: &PlateFit,
        polarity: Polarity,
        a: &Anchors,
    ) -> Result<Option<PlateFit>> {
        let p = &self.profile;
        let r = seed.radius();
        let (r_lo, r_hi) = (p.seed_veto_radius_ratio * r, p.twin_max_radius_ratio * r);
        let r_hi = r_hi.min(0.45 * self.picture.width.min(self.picture.height) as f64);
        if r_hi <= r_lo {
            return Ok(None);
        }
        let Some(region) = region_around(seed.cx, seed.cy, (p.twin_within_radii + 1.2) * r_hi, self.picture) else {
            return Ok(None);
        };
        let mut best: Option<PlateFit> = None;
        for (cx, cy, rc) in hough_circles(bgr, region, r_lo, r_hi, p.twin_roundness)? {
            let edges = cast_rays(g, (cx, cy), (0.8 * rc, 1.2 * rc), polarity, (0.0, 0.0), p);
            let Some(fit) = robust_fit(&edges, rc, centre_of(self.picture), p) else {
                continue;
            };
            let apart = (fit.cx - seed.cx).hypot(fit.cy - seed.cy);
            let ok = fit.radius() >= r_lo
                && fit.radius() <= r_hi
                && apart >= p.seed_veto_min_apart_radii * r
                && apart <= p.twin_within_radii * fit.radius()
                && fit.cy >= a.head_y - fit.radius()
                && fit.inlier_share >= p.min_inlier_share
                && fit.enough_rim(p.min_visible_arc_deg);
            if debug_trace() {
                eprintln!(
                    "bar   twin c=({:.1},{:.1}) r={:.1} share={:.2} vis={:.0} hid={:.0} apart={apart:.0}{}",
                    fit.cx,
                    fit.cy,
                    fit.radius(),
                    fit.inlier_share,
                    fit.visible_arc_deg,
                    fit.hidden_arc_deg,
                    if ok { " (near plate)" } else { "" }
                );
            }
            if ok && best.is_none_or(|b| fit.radius() > b.radius()) {
                best = Some(fit);
            }
        }
        Ok(best)
    }
}
