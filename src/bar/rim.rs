//! The rim in one frame: gradient images, rays cast across the rim with
//! sub-pixel edges (taken at the middle of a motion-blur smear), robust
//! circle and ellipse fits, a plate's near face, and fits that hold a
//! known shape where too little rim shows to fit one.

use super::*;

/// Gradient images of a region of the frame.
pub(super) struct Gradients {
    origin: (i32, i32),
    w: usize,
    h: usize,
    gx: Vec<f32>,
    gy: Vec<f32>,
}

impl Gradients {
    /// `image` is BGR, or grey (frames kept for tracking back).
    pub(super) fn of(image: &Mat, region: Rect) -> Result<Self> {
        let roi = Mat::roi(image, region).cv("plate gradients")?;
        let mut grey = Mat::default();
        if image.channels() == 1 {
            roi.copy_to(&mut grey).cv("plate gradients")?;
        } else {
            imgproc::cvt_color(&roi, &mut grey, imgproc::COLOR_BGR2GRAY, 0).cv("plate gradients")?;
        }
        let mut smooth = Mat::default();
        imgproc::gaussian_blur(&grey, &mut smooth, Size::new(3, 3), 0.0, 0.0, core::BORDER_REPLICATE)
            .cv("plate gradients")?;
        let mut gx = Mat::default();
        let mut gy = Mat::default();
        imgproc::sobel(
            &smooth,
            &mut gx,
            core::CV_32F,
            1,
            0,
            3,
            1.0,
            0.0,
            core::BORDER_REPLICATE,
        )
        .cv("plate gradients")?;
        imgproc::sobel(
            &smooth,
            &mut gy,
            core::CV_32F,
            0,
            1,
            3,
            1.0,
            0.0,
            core::BORDER_REPLICATE,
        )
        .cv("plate gradients")?;
        Ok(Gradients {
            origin: (region.x, region.y),
            w: region.width as usize,
            h: region.height as usize,
            gx: gx.data_typed::<f32>().cv("plate gradients")?.to_vec(),
            gy: gy.data_typed::<f32>().cv("plate gradients")?.to_vec(),
        })
    }

    /// Bilinear sample of the gradient at image point (x, y); None outside.
    fn at(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        let (lx, ly) = (x - self.origin.0 as f64, y - self.origin.1 as f64);
        if lx < 0.0 || ly < 0.0 || lx >= (self.w - 1) as f64 || ly >= (self.h - 1) as f64 {
            return None;
        }
        let (x0, y0) = (lx.floor() as usize, ly.floor() as usize);
        let (fx, fy) = (lx - x0 as f64, ly - y0 as f64);
        let i = y0 * self.w + x0;
        let lerp = |g: &[f32]| {
            let a = g[i] as f64 * (1.0 - fx) + g[i + 1] as f64 * fx;
            let b = g[i + self.w] as f64 * (1.0 - fx) + g[i + self.w + 1] as f64 * fx;
            a * (1.0 - fy) + b * fy
        };
        Some((lerp(&self.gx), lerp(&self.gy)))
    }
}

/// Edge points found along rays from a centre: (angle index, x, y), up to
/// `edges_per_ray` per ray, strongest first, a ray's points together.
pub(super) struct RayEdges {
    pub(super) points: Vec<(usize, f64, f64)>,
    /// Where the rays start (the predicted or searched centre).
    pub(super) origin: (f64, f64),
    pub(super) in_frame: usize,
    /// Per ray: did it stay inside the picture?
    pub(super) inside: Vec<bool>,
    pub(super) rays: usize,
}

/// Cast `rays` rays from (cx, cy) and keep, between `r_lo` and `r_hi`, the
/// strongest local maxima of the edge of the given polarity (sub-pixel by a
/// parabola through each peak). More than the single strongest: a plate's
/// printed letters and hub rings can out-edge a low-contrast rim (a green
/// bumper on a dark floor: its letters won 60 % of the rays), and the fit
/// then picks per ray the candidate on the rim. `smear` is the plate's
/// movement (px) over the frame interval; (0, 0) takes the peaks as they are.
pub(super) fn cast_rays(
    g: &Gradients,
    (cx, cy): (f64, f64),
    (r_lo, r_hi): (f64, f64),
    polarity: Polarity,
    smear: (f64, f64),
    p: &BarProfile,
) -> RayEdges {
    let step = 0.5;
    let n_steps = ((r_hi - r_lo) / step).ceil() as usize + 1;
    let keep = p.edges_per_ray.max(1);
    let mut points = Vec::with_capacity(p.rays * keep);
    let mut in_frame = 0;
    let mut inside_mask = vec![false; p.rays];
    let mut prof = vec![f64::NEG_INFINITY; n_steps];
    let mut peaks: Vec<(f64, f64)> = Vec::with_capacity(n_steps / 2);
    for (k, ray_inside) in inside_mask.iter_mut().enumerate() {
        let a = k as f64 * std::f64::consts::TAU / p.rays as f64;
        let (c, s) = (a.cos(), a.sin());
        let mut inside = true;
        for (j, v) in prof.iter_mut().enumerate() {
            let r = r_lo + j as f64 * step;
            match g.at(cx + r * c, cy + r * s) {
                Some((gx, gy)) => *v = polarity.along(gx, gy, c, s),
                None => {
                    inside = false;
                    break;
                }
            }
        }
        if !inside {
            continue;
        }
        in_frame += 1;
        *ray_inside = true;
        peaks.clear();
        for j in 1..n_steps - 1 {
            let (a0, a1, a2) = (prof[j - 1], prof[j], prof[j + 1]);
            if a1 < p.min_edge || a1 <= a0 || a1 < a2 {
                continue;
            }
            let denom = a0 - 2.0 * a1 + a2;
            let off = if denom.abs() > 1e-9 {
                (0.5 * (a0 - a2) / denom).clamp(-0.5, 0.5)
            } else {
                0.0
            };
            peaks.push((a1, r_lo + (j as f64 + off) * step));
        }
        peaks.sort_by(|a, b| b.0.total_cmp(&a.0));
        let along = (smear.0 * c + smear.1 * s).abs();
        if along > 0.0 && along >= p.blur_min_smear_px {
            centre_smeared_edges(&mut peaks, &prof, r_lo, step, along);
        }
        for &(_, r) in peaks.iter().take(keep) {
            points.push((k, cx + r * c, cy + r * s));
        }
    }
    RayEdges {
        points,
        origin: (cx, cy),
        in_frame,
        inside: inside_mask,
        rays: p.rays,
    }
}

/// Where the plate moved during the exposure its rim is a ramp, not a step:
/// the strongest gradient along a ray sits wherever the ramp happens to be
/// steepest, up to half the smear off the rim. A disc swept by less than its
/// chord covers half of each pixel exactly on its mid-exposure outline, so
/// the middle of the ramp is the rim at mid-exposure. Each peak moves to the
/// gradient-weighted middle of the stretch around it that stays above half
/// its height, searched at most `along` (the smear along this ray, px) plus
/// a pixel each side so a neighbouring edge is not swallowed; a stretch
/// under 2 px is a sharp edge and keeps its peak. squat_fast_blur (the
/// shutter open the whole frame, a black plate at 1.7 m/s): peak speed
/// error 0.250 -> 0.015 m/s; see `blur_min_smear_px` in the profile.
fn centre_smeared_edges(peaks: &mut Vec<(f64, f64)>, prof: &[f64], r_lo: f64, step: f64, along: f64) {
    let n = prof.len();
    let reach = ((along + 1.0) / step).ceil() as usize;
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(peaks.len());
    for &(a1, r) in peaks.iter() {
        let j = (((r - r_lo) / step).round().max(0.0) as usize).min(n - 1);
        // A weaker peak inside a stronger one's smear is part of it.
        if taken.iter().any(|&(lo, hi)| (lo..=hi).contains(&j)) {
            continue;
        }
        let half = 0.5 * a1;
        let (mut lo, mut hi) = (j, j);
        while lo > 0 && j - (lo - 1) <= reach && prof[lo - 1] >= half {
            lo -= 1;
        }
        while hi + 1 < n && hi + 1 - j <= reach && prof[hi + 1] >= half {
            hi += 1;
        }
        taken.push((lo, hi));
        let (mut sw, mut swr) = (0.0, 0.0);
        for (k, &v) in prof.iter().enumerate().take(hi + 1).skip(lo) {
            sw += v - half;
            swr += (v - half) * (r_lo + k as f64 * step);
        }
        let at = if (hi - lo) as f64 * step >= 2.0 && sw > 0.0 {
            swr / sw
        } else {
            r
        };
        out.push((a1, at));
    }
    *peaks = out;
}

/// Per ray, one candidate within `band` of the shape (a ray's points come
/// strongest first): in the coarse passes the strongest, so the fit is not
/// held to the circle it started from; in the tight passes (bands under
/// `NEAREST_BELOW_BAND`) the nearest, so a weaker edge a few per cent inside
/// the rim (a lip, a shadow) does not pull the final fit. Measured on the
/// rendered clips: strongest throughout put deadlift_clean's ROM 0.7 cm
/// off (nearest 0.0); nearest throughout put deadlift_oblique25's peak
/// speed 0.043 m/s off (this mix 0.013).
fn per_ray(points: &[(usize, f64, f64)], band: f64, misfit: impl Fn(f64, f64) -> f64) -> Vec<(usize, f64, f64)> {
    let nearest = band < NEAREST_BELOW_BAND;
    let mut out: Vec<(usize, f64, f64)> = Vec::new();
    let mut best = f64::INFINITY;
    for &(k, x, y) in points {
        let m = misfit(x, y).abs();
        if m > band {
            continue;
        }
        if let Some(last) = out.last_mut() {
            if last.0 == k {
                if nearest && m < best {
                    *last = (k, x, y);
                    best = m;
                }
                continue;
            }
        }
        out.push((k, x, y));
        best = m;
    }
    out
}

const NEAREST_BELOW_BAND: f64 = 0.05;

/// Least-squares circle through points (Kasa): centre and radius.
pub(super) fn fit_circle(pts: &[(f64, f64)]) -> Option<(f64, f64, f64)> {
    if pts.len() < 3 {
        return None;
    }
    let n = pts.len() as f64;
    let (mx, my) = (
        pts.iter().map(|p| p.0).sum::<f64>() / n,
        pts.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let (mut suu, mut suv, mut svv, mut suuu, mut svvv, mut suvv, mut svuu) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    for &(x, y) in pts {
        let (u, v) = (x - mx, y - my);
        suu += u * u;
        suv += u * v;
        svv += v * v;
        suuu += u * u * u;
        svvv += v * v * v;
        suvv += u * v * v;
        svuu += v * u * u;
    }
    let det = suu * svv - suv * suv;
    if det.abs() < 1e-9 {
        return None;
    }
    let (b1, b2) = (0.5 * (suuu + suvv), 0.5 * (svvv + svuu));
    let uc = (b1 * svv - b2 * suv) / det;
    let vc = (suu * b2 - suv * b1) / det;
    let r = (uc * uc + vc * vc + (suu + svv) / n).sqrt();
    Some((mx + uc, my + vc, r))
}

/// Robust rim fit: shrink the inlier band around a circle fit, then (with
/// enough rim) an ellipse through the inliers.
/// An ellipse as OpenCV fits it: centre, semi-axes along its own axes, angle.
#[derive(Clone, Copy)]
pub(super) struct Ellipse {
    cx: f64,
    cy: f64,
    a: f64,
    b: f64,
    cos: f64,
    sin: f64,
}

impl Ellipse {
    pub(super) fn circle(cx: f64, cy: f64, r: f64) -> Self {
        Ellipse {
            cx,
            cy,
            a: r,
            b: r,
            cos: 1.0,
            sin: 0.0,
        }
    }
    /// Least-squares circle through ray edge points.
    fn circle_through(pts: &[(usize, f64, f64)]) -> Option<Self> {
        let xy: Vec<(f64, f64)> = pts.iter().map(|&(_, x, y)| (x, y)).collect();
        fit_circle(&xy).map(|(x, y, r)| Ellipse::circle(x, y, r))
    }
    /// Relative radial misfit of a point: 0 on the rim, 0.05 = 5 % out.
    fn misfit(&self, x: f64, y: f64) -> f64 {
        let (dx, dy) = (x - self.cx, y - self.cy);
        let (u, v) = (dx * self.cos + dy * self.sin, -dx * self.sin + dy * self.cos);
        ((u / self.a).powi(2) + (v / self.b).powi(2)).sqrt() - 1.0
    }
    fn fit(pts: &[(usize, f64, f64)]) -> Option<Self> {
        if pts.len() < 12 {
            return None;
        }
        let v: Vector<Point2f> = pts.iter().map(|&(_, x, y)| Point2f::new(x as f32, y as f32)).collect();
        let e = imgproc::fit_ellipse_ams(&v).ok()?;
        let (a, b) = (e.size.width as f64 / 2.0, e.size.height as f64 / 2.0);
        let ang = (e.angle as f64).to_radians();
        (a.is_finite() && b.is_finite() && a > 1.0 && b > 1.0).then_some(Ellipse {
            cx: e.center.x as f64,
            cy: e.center.y as f64,
            a,
            b,
            cos: ang.cos(),
            sin: ang.sin(),
        })
    }
}

/// Robust rim fit: a circle while the inlier band is wide (clutter
/// rejected), then, with enough rim, an ellipse (a camera turned off
/// side-on squeezes the plate horizontally: 10 % at 25 degrees, more than
/// the tight bands allow a circle) whose own misfit sets the tight bands.
pub(super) fn robust_fit(edges: &RayEdges, r_guess: f64, towards: (f64, f64), p: &BarProfile) -> Option<PlateFit> {
    let select = |shape: &Ellipse, band: f64| -> Vec<(usize, f64, f64)> {
        per_ray(&edges.points, band, |x, y| shape.misfit(x, y))
    };
    // Start from the circle the rays were cast for (the prediction, or the
    // search's candidate), which is within a few per cent of the rim.
    let mut shape = Ellipse::circle(edges.origin.0, edges.origin.1, r_guess);
    let mut inliers: Vec<(usize, f64, f64)> = Vec::new();

    for band in [0.12, 0.06] {
        inliers = select(&shape, band);
        shape = Ellipse::circle_through(&inliers)?;
    }
    let circle = shape;
    // Tight bands: refit the circle, or a plausible ellipse (near the
    // circle, not too squeezed) when half the rim or more is seen.
    let tighten = |mut shape: Ellipse, is_ellipse: bool| -> Option<Ellipse> {
        for band in [0.03, p.inlier_tolerance] {
            let candidate = select(&shape, band);
            shape = if is_ellipse {
                Ellipse::fit(&candidate)?
            } else {
                Ellipse::circle_through(&candidate)?
            };
        }
        Some(shape)
    };
    let seen = coverage(edges, &inliers).0;
    let ellipse = (seen >= 180.0)
        .then(|| Ellipse::fit(&inliers))
        .flatten()
        .filter(|e| {
            let (ea, eb) = (e.a.max(e.b), e.a.min(e.b));
            let near = ((e.cx - circle.cx).powi(2) + (e.cy - circle.cy).powi(2)).sqrt() < 0.15 * circle.a;
            near && eb >= 0.6 * ea && ea < 1.3 * circle.a && eb > 0.6 * circle.a
        })
        .and_then(|e| tighten(e, true));
    let round = tighten(circle, false);
    // On part of the rim an ellipse bends to fit noise and stretches along
    // the missing side, so there it must beat the circle clearly (a plate
    // seen 25 degrees off side-on does: the circle misses its tight band).
    let count = |e: &Ellipse| select(e, p.inlier_tolerance).len() as f64;
    let shape = match (ellipse, round) {
        (Some(e), Some(c)) if seen >= p.full_rim_deg || count(&e) >= 1.2 * count(&c) => e,
        (_, Some(c)) => c,
        (e, None) => e?,
    };
    let inliers = select(&shape, p.inlier_tolerance);
    let (cx, cy) = (shape.cx, shape.cy);
    let (major, minor) = (shape.a.max(shape.b), shape.a.min(shape.b));
    let (visible, hidden, in_frame_deg) = coverage(edges, &inliers);
    let share = if edges.in_frame > 0 {
        inliers.len() as f64 / edges.in_frame as f64
    } else {
        0.0
    };
    Some(PlateFit {
        cx,
        cy,
        major,
        minor,
        inlier_share: share,
        visible_arc_deg: visible,
        in_frame_arc_deg: in_frame_deg,
        hidden_arc_deg: hidden,
        measured: false,
        seeded: false,
        held: false,
        followed: false,
        repeat: false,
        near_face_px: (visible >= p.full_rim_deg)
            .then(|| near_face(&inliers, edges.rays, &shape, towards, p.near_face_min_arc_deg))
            .flatten(),
        near_centre_px: None,
    })
}

/// Test helper: a plate's outline drawn as points (the images of its two
/// faces) as the tracker sees it: one edge per 2-degree ray from the
/// points' box centre (the farthest point that way), the outline's
/// ellipse fit, its near face fitted away from the picture's centre
/// `picture_centre` as while tracking, and the rim kept.
#[cfg(test)]
pub(crate) fn tracked_outline(pts: &[(f64, f64)], picture_centre: (f64, f64)) -> (PlateFit, Rim) {
    let (x0, x1, y0, y1) = pts.iter().fold((f64::MAX, f64::MIN, f64::MAX, f64::MIN), |m, p| {
        (m.0.min(p.0), m.1.max(p.0), m.2.min(p.1), m.3.max(p.1))
    });
    let (cx, cy) = (0.5 * (x0 + x1), 0.5 * (y0 + y1));
    let mut best = vec![(0.0f64, 0.0f64, 0.0f64); 180];
    for &(x, y) in pts {
        let k = (((y - cy).atan2(x - cx).to_degrees() + 360.0) / 2.0).round() as usize % 180;
        let r = (x - cx).hypot(y - cy);
        if r > best[k].0 {
            best[k] = (r, x, y);
        }
    }
    let edges = RayEdges {
        points: best.iter().enumerate().map(|(k, b)| (k, b.1, b.2)).collect(),
        origin: (cx, cy),
        in_frame: 180,
        inside: vec![true; 180],
        rays: 180,
    };
    let e = Ellipse::fit(&edges.points).expect("an outline");
    let (major, minor) = (e.a.max(e.b), e.a.min(e.b));
    let outline = Ellipse::circle(e.cx, e.cy, major);
    let fit = PlateFit {
        near_face_px: near_face(&edges.points, 180, &outline, picture_centre, 150.0),
        ..PlateFit::seen_whole(e.cx, e.cy, major, minor)
    };
    (fit, Rim::around(&edges, &fit))
}

/// Test helper: a rendered clip's frames (fit, rim, truth) as the fits
/// and rims a refit takes.
#[cfg(test)]
pub(crate) fn split_clip(frames: &[(PlateFit, Rim, (f64, f64))]) -> (Vec<Option<PlateFit>>, Vec<Option<Rim>>) {
    (
        frames.iter().map(|f| Some(f.0)).collect(),
        frames.iter().map(|f| Some(f.1.clone())).collect(),
    )
}

/// Centre of the picture area: the camera's axis, as near as a video says.
pub(super) fn centre_of(picture: Rect) -> (f64, f64) {
    (
        picture.x as f64 + (picture.width - 1) as f64 / 2.0,
        picture.y as f64 + (picture.height - 1) as f64 / 2.0,
    )
}

/// The plate's near face: its centre and vertical and horizontal semi-axes.
///
/// A plate is a disc 3-9 cm thick. Off the camera's axis the far face and
/// the rim between show beyond the near face on the side towards the
/// picture's centre: a squat filmed from hip height shows the plate's
/// underside as a band below it. There the outline belongs to a farther,
/// so smaller, face, and a fit to the whole outline stretches towards it
/// (rendered squat_clean: vertical semi-axis 1.4 % long, read as a camera
/// turned 10.7 degrees). The far face (centre moved towards the picture's
/// centre by d.t/Z, radius smaller by r.t/Z) passes the near one only
/// where the rim's outward direction lies within acos(r/d) of the
/// direction to the picture's centre (d px away), whatever the thickness t
/// and distance Z; nowhere when the plate covers the centre. So the near
/// face is fitted to the rest: an ellipse with vertical and horizontal
/// axes (a camera turned about the vertical squeezes the plate
/// horizontally), by Gauss-Newton from the whole outline's fit.
pub(super) fn near_face(
    inliers: &[(usize, f64, f64)],
    rays: usize,
    outline: &Ellipse,
    towards: (f64, f64),
    min_arc_deg: f64,
) -> Option<NearFace> {
    let r = outline.a.max(outline.b);
    let away = away_from_far_face((outline.cx, outline.cy), r, towards);
    let kept: Vec<(usize, f64, f64)> = inliers.iter().copied().filter(|&(_, x, y)| away(x, y)).collect();
    // With the whole rim seen, the rest is at least half of it; four
    // unknowns need more than the 90 degrees a part-hidden rim can leave.
    let mut seen = vec![false; rays];
    for &(k, _, _) in &kept {
        seen[k % rays] = true;
    }
    if (seen.iter().filter(|&&s| s).count() as f64) * 360.0 / (rays as f64) < min_arc_deg {
        return None;
    }
    let pts: Vec<(f64, f64)> = kept.iter().map(|&(_, x, y)| (x, y)).collect();
    let mut q = [outline.cx, outline.cy, r, r];
    for _ in 0..8 {
        let (mut jtj, mut jtr) = ([[0.0f64; 4]; 4], [0.0f64; 4]);
        for &(x, y) in &pts {
            let (ex, ey) = (x - q[0], y - q[1]);
            let (u, v) = (ex / q[3], ey / q[2]);
            let rho = u.hypot(v).max(1e-9);
            // Residual in pixels along the radius: (rho - 1) times the size.
            let res = (rho - 1.0) * r;
            let j = [
                -u / q[3] / rho * r,
                -v / q[2] / rho * r,
                -v * v / q[2] / rho * r,
                -u * u / q[3] / rho * r,
            ];
            for a in 0..4 {
                jtr[a] += j[a] * res;
                for b in 0..4 {
                    jtj[a][b] += j[a] * j[b];
                }
            }
        }
        let step = solve(jtj, jtr)?;
        for (qi, s) in q.iter_mut().zip(step) {
            *qi -= s;
        }
    }
    let (v, h) = (q[2], q[3]);
    let plausible = v.is_finite() && h.is_finite() && (v.max(h) - r).abs() < 0.1 * r && v.min(h) > 0.5 * r;
    plausible.then_some(NearFace {
        cx: q[0],
        cy: q[1],
        v,
        h,
    })
}

/// Whether a rim point of a plate (centre, radius r) lies where its far
/// face cannot show: outside acos(r/d) of the direction `towards` the
/// far face lies (d px away), anywhere when that point is on the plate.
pub(super) fn away_from_far_face((cx, cy): (f64, f64), r: f64, towards: (f64, f64)) -> impl Fn(f64, f64) -> bool {
    let (dx, dy) = (towards.0 - cx, towards.1 - cy);
    let d = dx.hypot(dy);
    move |x, y| {
        let (ex, ey) = (x - cx, y - cy);
        d <= r || (ex * dx + ey * dy) / (ex.hypot(ey) * d).max(1e-9) <= r / d
    }
}

/// Centre-only fit with the plate's shape held (major semi-axis vertical,
/// `ratio` = minor/major from the track): with the size known, an arc of
/// 120 degrees pins the centre, so a plate partly hidden by legs or hands is
/// still measured. Gauss-Newton on the distance to the held ellipse, with
/// the inlier band shrinking as the centre settles.
pub(super) fn held_fit(
    edges: &RayEdges,
    (cx0, cy0): (f64, f64),
    major: f64,
    ratio: f64,
    size_free: bool,
    p: &BarProfile,
) -> Option<PlateFit> {
    let q = ratio.clamp(0.5, 1.0);
    // Stretch x so the held ellipse becomes a circle of radius `major`.
    let pts: Vec<(usize, f64, f64)> = edges.points.iter().map(|&(k, x, y)| (k, x / q, y)).collect();
    let (mut cx, mut cy, mut r) = (cx0 / q, cy0, major);
    // With `size_free` the size is a third unknown, kept within a free
    // fit's allowed change.
    let (r_lo, r_hi) = (major * (1.0 - p.max_radius_change), major * (1.0 + p.max_radius_change));
    let mut inliers: Vec<(usize, f64, f64)> = Vec::new();
    for band in [0.08, 0.04, 0.02, p.inlier_tolerance, p.inlier_tolerance] {
        inliers = per_ray(&pts, band, |x, y| {
            ((x - cx).powi(2) + (y - cy).powi(2)).sqrt() / r - 1.0
        });
        if inliers.len() < 8 {
            return None;
        }
        for _ in 0..3 {
            let (mut jtj, mut jtr) = ([[0.0f64; 3]; 3], [0.0f64; 3]);
            for &(_, x, y) in &inliers {
                let (dx, dy) = (x - cx, y - cy);
                let d = (dx * dx + dy * dy).sqrt().max(1e-9);
                let res = d - r;
                let j = [-dx / d, -dy / d, if size_free { -1.0 } else { 0.0 }];
                for a in 0..3 {
                    jtr[a] += j[a] * res;
                    for b in 0..3 {
                        jtj[a][b] += j[a] * j[b];
                    }
                }
            }
            if !size_free {
                // A held size: its row pinned, the step leaves it alone and
                // the centre is solved as the two-unknown system.
                jtj[2][2] = 1.0;
            }
            let step = solve(jtj, jtr)?;
            cx -= step[0];
            cy -= step[1];
            r = (r - step[2]).clamp(r_lo, r_hi);
        }
    }
    let (visible, hidden, in_frame_deg) = coverage(edges, &inliers);
    Some(PlateFit {
        cx: cx * q,
        cy,
        major: r,
        minor: r * q,
        inlier_share: if edges.in_frame > 0 {
            inliers.len() as f64 / edges.in_frame as f64
        } else {
            0.0
        },
        visible_arc_deg: visible,
        hidden_arc_deg: hidden,
        in_frame_arc_deg: in_frame_deg,
        measured: false,
        seeded: false,
        held: true,
        followed: false,
        repeat: false,
        near_face_px: None,
        near_centre_px: None,
    })
}

/// Degrees of rim with an inlier, the widest in-picture run without one, and
/// the degrees of rim inside the picture.
fn coverage(edges: &RayEdges, inliers: &[(usize, f64, f64)]) -> (f64, f64, f64) {
    let mut hit = vec![false; edges.rays];
    for &(k, _, _) in inliers {
        hit[k] = true;
    }
    let per_ray = 360.0 / edges.rays as f64;
    let visible = hit.iter().filter(|&&h| h).count() as f64 * per_ray;
    let mut widest = 0usize;
    let mut run = 0usize;
    for k in 0..2 * edges.rays {
        let k = k % edges.rays;
        if hit[k] || !edges.inside[k] {
            run = 0;
        } else {
            run += 1;
            widest = widest.max(run.min(edges.rays));
        }
    }
    (visible, widest as f64 * per_ray, edges.in_frame as f64 * per_ray)
}
