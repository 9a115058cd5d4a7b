//! The plate seen by a camera turned off side-on, refitted once the whole
//! clip has been tracked.
//!
//! Turned, the plate's wall and far face show on the side towards where
//! the bar's line meets the horizon, which lies off to one side (for a
//! phone's lens, beyond the picture's edge past 30 degrees) rather than at
//! the picture's centre as `near_face` assumes while tracking: rendered
//! deadlift_oblique25 (25 degrees) shows a wall up to 14 px wide on the
//! side away from the camera, and the bar sat 5.9 px off the plate's
//! centre. Nor is the near face an upright ellipse: below or beside the
//! picture's centre a turned circle's image leans (22 degrees for a plate
//! on the floor 180 px below the centre there), and its centre is not the
//! image of the plate's. A turn leaves the plate's size the same wherever
//! it moves, so none of this can be read from the faces' sizes, as a tilt
//! can (`tilt`), and the face's squeeze gives the size of the turn but not
//! its side.
//!
//! So the outline is modelled as what it is: the hull of the images of the
//! plate's two faces, circles of the plate's radius a thickness apart in a
//! plane seen by a pinhole camera. The camera and the plane (focal length,
//! turn, tilt, distance, thickness) are fitted to the clip's full-rim
//! frames together, each frame with its own image of the plate's centre;
//! then every measured frame's centre is fitted with the rest held. The
//! bar follows those centres (`near_centre_px`).

use serde::{Deserialize, Serialize};

use super::{BarProfile, PlateFit, Rim};
use crate::signal::{median, solve};

/// The camera and the plate's plane as the turned-camera refit found them
/// (report.json `bar.scale.camera_fit`). Camera coordinates: x right, y
/// down, z along the camera's axis.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct CameraFit {
    pub focal_px: f64,
    /// The bar's direction from the camera's axis: turned about the
    /// vertical (positive: the bar's line meets the horizon left of the
    /// picture's centre) and tilted (positive: above it), degrees.
    pub turn_deg: f64,
    pub tilt_deg: f64,
    /// Distance of the plate's near face's plane from the camera (m).
    pub plane_m: f64,
    pub plate_thickness_mm: f64,
    /// The picture's centre, taken as the camera's axis.
    pub principal_px: (f64, f64),
    /// The near face's vertical semi-axis in the picture (px), the median
    /// over the full-rim frames: the plate's radius the scale comes from
    /// (the tracker's own face takes in the wall where it shows away from
    /// the picture's centre).
    pub plate_radius_px: f64,
}

impl CameraFit {
    /// The near face's vertical semi-axis (px) of a plate `plate_mm`
    /// across whose centre is seen at `at`: the plate's radius there, which
    /// changes with the row when the camera is tilted too.
    pub fn face_semi_axis_px(&self, at: (f64, f64), plate_mm: f64) -> Option<f64> {
        let model = self.model(plate_mm, self.plate_thickness_mm / 1000.0);
        model.faces(at).map(|[near, _]| vertical_semi_axis(&near))
    }

    /// The image (a polygon, px) of the face of the bar's other plate that
    /// faces the camera, `spacing_m` along the bar from the near face whose
    /// centre is seen at `at`: a turned camera shows it beside the near
    /// plate, where it can cover the lifter's back.
    pub fn far_plate_px(&self, at: (f64, f64), plate_mm: f64, spacing_m: f64) -> Option<Vec<(f64, f64)>> {
        self.model(plate_mm, spacing_m).faces(at).map(|[_, far]| far)
    }

    /// The fitted camera with a "plate" `depth_m` thick.
    fn model(&self, plate_mm: f64, depth_m: f64) -> Turn {
        let radius_m = plate_mm / 2000.0;
        Turn {
            focal_px: self.focal_px,
            turn_deg: self.turn_deg,
            tilt_deg: self.tilt_deg,
            plane_radii: self.plane_m / radius_m,
            thickness_radii: depth_m / radius_m,
            centre: self.principal_px,
            face_radius_px: self.plate_radius_px,
        }
    }
}

/// The bar's direction (near face to far face) for a turn and tilt
/// (degrees), a unit vector in camera coordinates.
fn bar_direction(turn_deg: f64, tilt_deg: f64) -> [f64; 3] {
    let (t, s) = (turn_deg.to_radians(), tilt_deg.to_radians());
    [-t.sin() * s.cos(), -s.sin(), t.cos() * s.cos()]
}

/// Half the height of a face's image (px).
fn vertical_semi_axis(points: &[(f64, f64)]) -> f64 {
    let (lo, hi) = points
        .iter()
        .fold((f64::MAX, f64::MIN), |m, p| (m.0.min(p.1), m.1.max(p.1)));
    0.5 * (hi - lo)
}

/// The step (px) a frame's centre is moved by to take its misfits'
/// derivatives.
const CENTRE_STEP_PX: f64 = 0.05;

/// Points per face when drawing its image: a 96-gon lies within 0.03 px
/// of a 60 px circle.
const FACE_POINTS: usize = 96;

/// A pinhole camera (principal point at the picture's centre, square
/// pixels) and the plane of the plate's near face. Camera coordinates: x
/// right, y down, z along the axis, metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Turn {
    pub focal_px: f64,
    /// The bar's direction from the camera's axis: turned about the
    /// vertical (positive: the bar's line meets the horizon left of the
    /// centre) and tilted (positive: above it).
    pub turn_deg: f64,
    pub tilt_deg: f64,
    /// Distance of the near face's plane from the camera, and the plate's
    /// thickness, in plate radii (the plate's size in metres is the user's).
    pub plane_radii: f64,
    pub thickness_radii: f64,
    centre: (f64, f64),
    /// The near face's vertical semi-axis (px), median over full rims.
    face_radius_px: f64,
}

/// The fitted unknowns: turn, tilt (rad), ln plane distance, thickness, ln
/// focal length.
type Params = [f64; 5];

impl Turn {
    fn params(&self) -> Params {
        [
            self.turn_deg.to_radians(),
            self.tilt_deg.to_radians(),
            self.plane_radii.ln(),
            self.thickness_radii,
            self.focal_px.ln(),
        ]
    }

    fn with(&self, q: Params) -> Turn {
        Turn {
            turn_deg: q[0].to_degrees(),
            tilt_deg: q[1].to_degrees(),
            plane_radii: q[2].exp(),
            thickness_radii: q[3],
            focal_px: q[4].exp(),
            centre: self.centre,
            face_radius_px: self.face_radius_px,
        }
    }

    fn normal(&self) -> [f64; 3] {
        bar_direction(self.turn_deg, self.tilt_deg)
    }

    /// In metres, for a plate `plate_mm` across.
    pub fn camera_fit(&self, plate_mm: f64) -> CameraFit {
        let radius_m = plate_mm / 2000.0;
        CameraFit {
            focal_px: self.focal_px,
            turn_deg: self.turn_deg,
            tilt_deg: self.tilt_deg,
            plane_m: self.plane_radii * radius_m,
            plate_thickness_mm: self.thickness_radii * radius_m * 1000.0,
            principal_px: self.centre,
            plate_radius_px: self.face_radius_px,
        }
    }

    /// Where the bar's line meets the horizon, if in front of the camera.
    pub fn far_face_towards(&self) -> Option<(f64, f64)> {
        self.project(self.normal())
    }

    fn project(&self, p: [f64; 3]) -> Option<(f64, f64)> {
        (p[2] > 1e-9).then(|| {
            (
                self.centre.0 + self.focal_px * p[0] / p[2],
                self.centre.1 + self.focal_px * p[1] / p[2],
            )
        })
    }

    /// The plate's centre, in plate radii, whose image is `at`.
    fn centre_at(&self, at: (f64, f64)) -> Option<[f64; 3]> {
        let n = self.normal();
        let ray = [
            (at.0 - self.centre.0) / self.focal_px,
            (at.1 - self.centre.1) / self.focal_px,
            1.0,
        ];
        let along = n[0] * ray[0] + n[1] * ray[1] + n[2];
        (along > 1e-6).then(|| ray.map(|r| r * self.plane_radii / along))
    }

    /// The images of the two faces of a plate whose centre's image is `at`.
    fn faces(&self, at: (f64, f64)) -> Option<[Vec<(f64, f64)>; 2]> {
        let n = self.normal();
        let c = self.centre_at(at)?;
        // Axes in the plate's plane: the picture's up (y is down) less its
        // part along the bar, and across.
        let along = -n[1];
        let up = unit([-along * n[0], -1.0 - along * n[1], -along * n[2]])?;
        let across = [
            up[1] * n[2] - up[2] * n[1],
            up[2] * n[0] - up[0] * n[2],
            up[0] * n[1] - up[1] * n[0],
        ];
        let face = |depth: f64| -> Option<Vec<(f64, f64)>> {
            (0..FACE_POINTS)
                .map(|i| {
                    let a = i as f64 * std::f64::consts::TAU / FACE_POINTS as f64;
                    let (ca, sa) = (a.cos(), a.sin());
                    self.project(std::array::from_fn(|j| {
                        c[j] + ca * across[j] + sa * up[j] + depth * n[j]
                    }))
                })
                .collect()
        };
        Some([face(0.0)?, face(self.thickness_radii)?])
    }

    /// For each of the frame's rim points (in its order), how far it lies
    /// beyond the outline along the ray from the frame's origin.
    fn residuals(&self, at: (f64, f64), frame: &Frame) -> Option<Vec<f64>> {
        let [mut near, far] = self.faces(at)?;
        near.extend(far);
        let hull = convex_hull(near);
        let exits = ray_exits(&hull, frame.origin, &frame.rim)?;
        Some(frame.rim.iter().zip(exits).map(|(p, e)| p.dist - e).collect())
    }

    /// The frame's misfits at centre `at` (`residuals`) and each one's
    /// derivative by the centre, from steps of `CENTRE_STEP_PX`.
    fn centre_jacobian(&self, at: (f64, f64), frame: &Frame) -> Option<(Vec<f64>, Vec<[f64; 2]>)> {
        let h = CENTRE_STEP_PX;
        let r0 = self.residuals(at, frame)?;
        let rx = self.residuals((at.0 + h, at.1), frame)?;
        let ry = self.residuals((at.0, at.1 + h), frame)?;
        let jc = (0..r0.len())
            .map(|k| [(rx[k] - r0[k]) / h, (ry[k] - r0[k]) / h])
            .collect();
        Some((r0, jc))
    }

    /// This frame's centre image, fitted to its rim with the camera and
    /// plane held: Gauss-Newton, leaving out points farther off than a
    /// band that shrinks to 1.5 px. Returns the centre and the points kept.
    fn fit_centre(&self, rim: &Frame, start: (f64, f64)) -> Option<((f64, f64), usize)> {
        let mut at = start;
        let mut kept = 0;
        for band in [4.0, 2.5, 1.5, 1.5] {
            for _ in 0..3 {
                let (r0, jc) = self.centre_jacobian(at, rim)?;
                let (mut a, mut b) = ([[0.0f64; 2]; 2], [0.0f64; 2]);
                kept = 0;
                for k in 0..r0.len() {
                    if r0[k].abs() > band {
                        continue;
                    }
                    kept += 1;
                    let j = jc[k];
                    for p in 0..2 {
                        b[p] += j[p] * r0[k];
                        for q in 0..2 {
                            a[p][q] += j[p] * j[q];
                        }
                    }
                }
                if kept < 12 {
                    return None;
                }
                let step = solve(a, b)?;
                at = (at.0 - step[0], at.1 - step[1]);
            }
        }
        Some((at, kept))
    }

    /// What the frames' rims leave over the outlines at their centres,
    /// each point's square capped at `band`^2: the sum, and the points.
    fn cost(&self, frames: &[Frame], centres: &[(f64, f64)], band: f64) -> Option<(f64, usize)> {
        let mut sum = 0.0;
        let mut n = 0usize;
        for (f, &at) in frames.iter().zip(centres) {
            for r in self.residuals(at, f)? {
                sum += (r * r).min(band * band);
                n += 1;
            }
        }
        (n > 0).then_some((sum, n))
    }

    /// Levenberg-Marquardt on the camera and plane and every frame's
    /// centre together, on the points within `band` of the outline. (Fitted
    /// in turn, the two crawl along the valley where a little more turn and
    /// centres a little aside fit nearly as well.) Each centre touches only
    /// its own frame, so the centres are solved out of the normal equations
    /// (Schur complement) and the system is five by five.
    fn refine_jointly(&self, frames: &[Frame], centres: &mut [(f64, f64)], band: f64, prior: &Prior) -> Option<Turn> {
        let mut q = self.params();
        let steps: Params = [1e-3; 5];
        let mut lambda = 1e-3;
        for _ in 0..30 {
            let model = self.with(q);
            let shifted: Vec<Turn> = (0..5)
                .map(|p| {
                    let mut qp = q;
                    qp[p] += steps[p];
                    self.with(qp)
                })
                .collect();
            // Per frame: W = Jg'Jc (5x2), V = Jc'Jc, ec = Jc'r; summed: U = Jg'Jg, eg = Jg'r.
            let mut u = [[0.0f64; 5]; 5];
            let mut eg = [0.0f64; 5];
            let mut blocks: Vec<FrameBlock> = Vec::with_capacity(frames.len());
            // The misfit before the step, summed as `cost` does from the
            // residuals the Jacobian needs anyway.
            let mut misfit = 0.0;
            for (f, &at) in frames.iter().zip(centres.iter()) {
                let (r0, jcs) = model.centre_jacobian(at, f)?;
                for r in &r0 {
                    misfit += (r * r).min(band * band);
                }
                let rg: Vec<Vec<f64>> = shifted.iter().map(|m| m.residuals(at, f)).collect::<Option<_>>()?;
                let (mut w, mut v, mut ec) = ([[0.0f64; 2]; 5], [[0.0f64; 2]; 2], [0.0f64; 2]);
                for k in 0..r0.len() {
                    if r0[k].abs() > band {
                        continue;
                    }
                    let jg: [f64; 5] = std::array::from_fn(|p| (rg[p][k] - r0[k]) / steps[p]);
                    let jc = jcs[k];
                    for a in 0..5 {
                        eg[a] += jg[a] * r0[k];
                        for b in 0..5 {
                            u[a][b] += jg[a] * jg[b];
                        }
                        for b in 0..2 {
                            w[a][b] += jg[a] * jc[b];
                        }
                    }
                    for a in 0..2 {
                        ec[a] += jc[a] * r0[k];
                        for b in 0..2 {
                            v[a][b] += jc[a] * jc[b];
                        }
                    }
                }
                blocks.push(FrameBlock { w, v, ec });
            }
            prior.add_to(&q, &mut u, &mut eg);
            let before = misfit + prior.cost(&q);
            let mut improved = false;
            for _ in 0..6 {
                let Some((dq, dc)) = damped_step(&u, &eg, &blocks, lambda) else {
                    lambda *= 10.0;
                    continue;
                };
                let trial: Params = std::array::from_fn(|p| q[p] - dq[p]);
                let moved: Vec<(f64, f64)> = centres.iter().zip(&dc).map(|(c, d)| (c.0 - d[0], c.1 - d[1])).collect();
                let plausible = trial[3] > 0.0 && trial[3] < 0.6 && trial[0].abs() < 1.2 && trial[1].abs() < 1.2;
                let after = self
                    .with(trial)
                    .cost(frames, &moved, band)
                    .map(|c| c.0 + prior.cost(&trial));
                if plausible && after.is_some_and(|c| c < before) {
                    q = trial;
                    centres.copy_from_slice(&moved);
                    lambda = (lambda * 0.3).max(1e-7);
                    improved = true;
                    break;
                }
                lambda *= 10.0;
            }
            if !improved {
                break;
            }
        }
        Some(self.with(q))
    }
}

/// What is known of the focal length and the plate's thickness before the
/// clip says: seen square on, the wall's width tells only their ratio (the
/// far face moves thickness / distance of the way to the picture's centre,
/// and the distance scales with the focal length for a plate of a given
/// size in the picture), so a weak pull towards the usual values settles
/// them where the clip leaves them free, and gives way where it does not
/// (a turned camera shows the plate's lean and its wall's side too).
struct Prior {
    ln_focal: f64,
    thickness_radii: f64,
}

impl Prior {
    /// Spreads: the focal length within about 30 % (phones' main lenses
    /// span 0.6-1.1 of the long side), the thickness within 2.2 cm for a
    /// 450 mm plate; each spread costs as much as 2 px of misfit.
    const LN_FOCAL_SPREAD: f64 = 0.3;
    const THICKNESS_SPREAD_RADII: f64 = 0.1;
    const WEIGHT: f64 = 4.0;

    fn terms(&self, q: &Params) -> [(usize, f64, f64); 2] {
        [
            (4, q[4] - self.ln_focal, Self::LN_FOCAL_SPREAD),
            (3, q[3] - self.thickness_radii, Self::THICKNESS_SPREAD_RADII),
        ]
    }

    fn cost(&self, q: &Params) -> f64 {
        self.terms(q)
            .iter()
            .map(|&(_, d, s)| Self::WEIGHT * (d / s).powi(2))
            .sum()
    }

    /// Adds the prior's rows to the normal equations.
    fn add_to(&self, q: &Params, u: &mut [[f64; 5]; 5], eg: &mut [f64; 5]) {
        for (i, d, s) in self.terms(q) {
            let w = Self::WEIGHT / (s * s);
            u[i][i] += w;
            eg[i] += w * d;
        }
    }
}

/// One frame's part of the normal equations: with Jg and Jc its rim's
/// derivatives by the geometry and by its centre, and r its misfits,
/// W = Jg'Jc, V = Jc'Jc and ec = Jc'r.
struct FrameBlock {
    w: [[f64; 2]; 5],
    v: [[f64; 2]; 2],
    ec: [f64; 2],
}

/// One Levenberg-Marquardt step (damping `lambda` on the diagonals) for
/// the geometry and the centres, from the normal equations' blocks: the
/// geometry's own (`u`, `eg`) and each frame's (W, V, ec).
fn damped_step(
    u: &[[f64; 5]; 5],
    eg: &[f64; 5],
    blocks: &[FrameBlock],
    lambda: f64,
) -> Option<([f64; 5], Vec<[f64; 2]>)> {
    let mut s = *u;
    for (a, row) in s.iter_mut().enumerate() {
        row[a] += lambda * u[a][a].max(1e-12);
    }
    let mut rhs = *eg;
    let mut inverses = Vec::with_capacity(blocks.len());
    for FrameBlock { w, v, ec } in blocks {
        let mut vd = *v;
        for a in 0..2 {
            vd[a][a] += lambda * v[a][a].max(1e-12);
        }
        let det = vd[0][0] * vd[1][1] - vd[0][1] * vd[1][0];
        if det.abs() < 1e-18 {
            return None;
        }
        let inv = [[vd[1][1] / det, -vd[0][1] / det], [-vd[1][0] / det, vd[0][0] / det]];
        // W V^-1, then S -= W V^-1 W' and rhs -= W V^-1 ec.
        let wv: [[f64; 2]; 5] =
            std::array::from_fn(|a| std::array::from_fn(|b| w[a][0] * inv[0][b] + w[a][1] * inv[1][b]));
        for a in 0..5 {
            for b in 0..5 {
                s[a][b] -= wv[a][0] * w[b][0] + wv[a][1] * w[b][1];
            }
            rhs[a] -= wv[a][0] * ec[0] + wv[a][1] * ec[1];
        }
        inverses.push(inv);
    }
    let dq = solve(s, rhs)?;
    let dc = blocks
        .iter()
        .zip(&inverses)
        .map(|(FrameBlock { w, ec, .. }, inv)| {
            let t: [f64; 2] = std::array::from_fn(|b| ec[b] - (0..5).map(|a| w[a][b] * dq[a]).sum::<f64>());
            [inv[0][0] * t[0] + inv[0][1] * t[1], inv[1][0] * t[0] + inv[1][1] * t[1]]
        })
        .collect();
    Some((dq, dc))
}

/// One measured frame's kept rim, as the refit uses it.
#[derive(Clone)]
struct Frame {
    index: usize,
    /// Its points as seen from `origin`, in order of angle.
    rim: Vec<RimPoint>,
    origin: (f64, f64),
    full: bool,
    rays: usize,
}

/// A rim point's angle (rad, -pi..pi) and distance from its frame's
/// origin, and the unit direction to it.
#[derive(Clone, Copy)]
struct RimPoint {
    angle: f64,
    dist: f64,
    dir: (f64, f64),
}

impl Frame {
    fn new(index: usize, points: &[(usize, f64, f64)], origin: (f64, f64), full: bool, rays: usize) -> Frame {
        let mut rim: Vec<RimPoint> = points
            .iter()
            .filter_map(|&(_, x, y)| {
                let (dx, dy) = (x - origin.0, y - origin.1);
                let dist = dx.hypot(dy);
                (dist > 1e-6).then(|| RimPoint {
                    angle: dy.atan2(dx),
                    dist,
                    dir: (dx / dist, dy / dist),
                })
            })
            .collect();
        rim.sort_by(|a, b| a.angle.total_cmp(&b.angle));
        Frame {
            index,
            rim,
            origin,
            full,
            rays,
        }
    }
}

fn unit(v: [f64; 3]) -> Option<[f64; 3]> {
    let n = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
    (n > 1e-12).then(|| v.map(|c| c / n))
}

/// Convex hull, counter-clockwise in image coordinates (monotone chain).
fn convex_hull(mut pts: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    pts.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let cross = |o: (f64, f64), a: (f64, f64), b: (f64, f64)| (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0);
    let mut hull: Vec<(f64, f64)> = Vec::with_capacity(pts.len() + 1);
    for pass in 0..2 {
        let start = hull.len();
        let iter: Box<dyn Iterator<Item = &(f64, f64)>> = if pass == 0 {
            Box::new(pts.iter())
        } else {
            Box::new(pts.iter().rev())
        };
        for &p in iter {
            while hull.len() >= start + 2 && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0.0 {
                hull.pop();
            }
            hull.push(p);
        }
        hull.pop();
    }
    hull
}

/// Distances from `o`, inside a convex polygon, along each rim point's
/// direction to the polygon's edge. The points come in order of angle, so
/// one walk round the polygon's corners (in order of angle about `o`)
/// finds each point's edge.
fn ray_exits(hull: &[(f64, f64)], o: (f64, f64), rim: &[RimPoint]) -> Option<Vec<f64>> {
    let n = hull.len();
    if n < 3 {
        return None;
    }
    let mut corners: Vec<(f64, (f64, f64))> = hull.iter().map(|&(x, y)| ((y - o.1).atan2(x - o.0), (x, y))).collect();
    corners.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut j = 0;
    rim.iter()
        .map(|p| {
            while j + 1 < n && corners[j + 1].0 <= p.angle {
                j += 1;
            }
            // Before the first corner or past the last: the edge that
            // wraps round from the last corner to the first.
            let (a, b) = if p.angle < corners[0].0 || j == n - 1 {
                (corners[n - 1].1, corners[0].1)
            } else {
                (corners[j].1, corners[j + 1].1)
            };
            let e = (b.0 - a.0, b.1 - a.1);
            let denom = p.dir.0 * e.1 - p.dir.1 * e.0;
            (denom.abs() > 1e-12).then(|| ((a.0 - o.0) * e.1 - (a.1 - o.1) * e.0) / denom)
        })
        .collect()
}

/// On a camera found turned (faces narrower than tall, or outlines out of
/// round), fits the camera and the plate's plane to the clip's full-rim
/// outlines, then every measured frame's centre with them held:
/// `near_centre_px`. Returns the camera (with the modelled near face's
/// height, which the scale takes), or None (fits untouched) when the clip
/// shows no turn, too few full rims, or outlines the model does not fit
/// to `turn_max_misfit_px`.
pub fn refine_for_turn(
    fits: &mut [Option<PlateFit>],
    rims: &[Option<Rim>],
    centre: (f64, f64),
    p: &BarProfile,
) -> Option<Turn> {
    // Turned, the near face is narrower than tall, or, below or beside
    // the picture's centre, an ellipse leaning too far for an upright fit
    // to see it: then the outline as a whole is out of round.
    let measured = || fits.iter().flatten().filter(|f| f.measured);
    let squeeze = median(measured().filter_map(|f| f.near_face_px).map(|n| n.h / n.v)).unwrap_or(1.0);
    let round = median(
        measured()
            .filter(|f| f.visible_arc_deg >= p.full_rim_deg)
            .map(|f| f.minor / f.major),
    )?;
    if super::debug_trace() {
        eprintln!("bar turn: faces' squeeze {squeeze:.3}, outlines' {round:.3}");
    }
    if squeeze.min(round) >= p.face_centre_min_ratio {
        return None;
    }
    let frames: Vec<Frame> = fits
        .iter()
        .zip(rims)
        .enumerate()
        .filter_map(|(index, (fit, rim))| {
            let (f, rim) = (fit.as_ref()?, rim.as_ref()?);
            (f.measured && rim.belongs_to(f))
                .then(|| Frame::new(index, &rim.points(), (f.cx, f.cy), f.free_full_rim(p), rim.rays()))
        })
        .collect();
    let full: Vec<&Frame> = frames.iter().filter(|f| f.full).collect();
    if full.len() < 5 {
        return None;
    }
    // At most 30 full rims, spread over the clip, fit the camera.
    let every = full.len().div_ceil(30);
    let sample: Vec<Frame> = full.iter().step_by(every).map(|&f| f.clone()).collect();
    let radius_px = median(sample.iter().filter_map(|f| fits[f.index].map(|x| x.major)))?;
    let mid = (
        median(sample.iter().map(|f| f.origin.0))?,
        median(sample.iter().map(|f| f.origin.1))?,
    );
    let long_side = 2.0 * centre.0.max(centre.1) + 1.0;
    // A phone's lens: about 0.8 of the long side (rendered clips 0.82).
    let focal = 0.8 * long_side;
    let prior = Prior {
        ln_focal: focal.ln(),
        thickness_radii: 2.0 * p.plate_thickness_mm / p.plate_mm,
    };
    // The faces' squeeze gives the turn's size only roughly (an upright fit
    // to a leaning face reads it round), and not its side: start from
    // several, and keep the best fit.
    let fit_from = |turn0: f64| -> Option<(f64, Turn)> {
        // The plate lies focal / radius_px radii away along its ray, which
        // puts the plane that far times the cosine between ray and bar.
        let n = bar_direction(turn0, 0.0);
        let ray = [(mid.0 - centre.0) / focal, (mid.1 - centre.1) / focal, 1.0];
        let along = (n[0] * ray[0] + n[1] * ray[1] + n[2]) / ray[0].hypot(ray[1]).hypot(1.0);
        let mut model = Turn {
            focal_px: focal,
            turn_deg: turn0,
            tilt_deg: 0.0,
            plane_radii: focal / radius_px * along,
            thickness_radii: prior.thickness_radii,
            centre,
            face_radius_px: radius_px,
        };
        let mut centres: Vec<(f64, f64)> = sample
            .iter()
            .map(|f| model.fit_centre(f, f.origin).map_or(f.origin, |c| c.0))
            .collect();
        for band in [8.0, 4.0, 2.5, 1.5] {
            model = model.refine_jointly(&sample, &mut centres, band, &prior)?;
        }
        let (sum, n) = model.cost(&sample, &centres, 1.5)?;
        Some((sum / n as f64, model))
    };
    let (cost, model) = [12.0, -12.0, 25.0, -25.0, 40.0, -40.0]
        .into_iter()
        .filter_map(fit_from)
        .min_by(|a, b| a.0.total_cmp(&b.0))?;
    if super::debug_trace() {
        eprintln!("bar turn: {model:?}, misfit {:.2} px rms", cost.sqrt());
    }
    // The model must fit the outlines it was fitted to within a pixel.
    if cost.sqrt() > p.turn_max_misfit_px {
        return None;
    }
    let mut radii = Vec::new();
    for f in &frames {
        let Some((at, kept)) = model.fit_centre(f, f.origin) else {
            continue;
        };
        if 360.0 * kept as f64 / f.rays as f64 >= p.held_min_visible_arc_deg {
            if let Some(fit) = fits[f.index].as_mut() {
                fit.near_centre_px = Some(at);
            }
            if f.full {
                radii.extend(model.faces(at).map(|[near, _]| vertical_semi_axis(&near)));
            }
        }
    }
    Some(Turn {
        face_radius_px: median(radii).unwrap_or(radius_px),
        ..model
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bar::{split_clip as split, tracked_outline};

    /// A pinhole camera 1 m up, level, turned `turn` degrees about the
    /// vertical (f = 784 px, centre (479.5, 269.5), a 960 x 540 picture),
    /// and a plate 0.45 m across and 6 cm thick whose near face lies in
    /// the plane z = 3 m: x right, y up, z away, metres. Turned by t, the
    /// bar's line (along z) meets the horizon f tan t to the left.
    fn project(turn: f64, p: [f64; 3]) -> (f64, f64) {
        let t = turn.to_radians();
        let (x, y, z) = (p[0], p[1] - 1.0, p[2]);
        let right = x * t.cos() - z * t.sin();
        let forward = x * t.sin() + z * t.cos();
        (479.5 + 784.0 * right / forward, 269.5 - 784.0 * y / forward)
    }

    fn circle(turn: f64, centre: (f64, f64), z: f64) -> Vec<(f64, f64)> {
        (0..720)
            .map(|k| {
                let a = (k as f64 * 0.5).to_radians();
                project(turn, [centre.0 + 0.225 * a.cos(), centre.1 + 0.225 * a.sin(), z])
            })
            .collect()
    }

    /// The plate's outline as 180 rays see it (the farthest of the near
    /// and far faces' points along each ray from the outline's box
    /// centre), the outline's fit as the tracker makes it, its rim, and
    /// the image of the plate's centre.
    fn frame(turn: f64, centre: (f64, f64)) -> (PlateFit, Rim, (f64, f64)) {
        let mut pts = circle(turn, centre, 3.0);
        pts.extend(circle(turn, centre, 3.06));
        let (fit, rim) = tracked_outline(&pts, (479.5, 269.5));
        (fit, rim, project(turn, [centre.0, centre.1, 3.0]))
    }

    /// A deadlift's path: the bar rising from the floor to lockout, `x` m
    /// across from the camera's axis point on the plate's plane.
    fn clip(turn: f64, x: f64) -> Vec<(PlateFit, Rim, (f64, f64))> {
        (0..40).map(|k| frame(turn, (x, 0.225 + 0.02 * k as f64))).collect()
    }

    /// The worst distance between a frame's refitted centre and the image
    /// of the plate's centre (px).
    fn worst_error(fits: &[Option<PlateFit>], frames: &[(PlateFit, Rim, (f64, f64))]) -> f64 {
        fits.iter()
            .zip(frames)
            .map(|(fit, (_, _, truth))| {
                let (x, y) = fit.and_then(|f| f.near_centre_px).expect("refitted");
                (x - truth.0).hypot(y - truth.1)
            })
            .fold(0.0, f64::max)
    }

    /// Regression (rendered deadlift_oblique25): a camera turned 25
    /// degrees shows the plate's wall on the side away from it, up to 14
    /// px wide, and the outline's and the near face's centres sat 5-6 px
    /// off the plate's.
    /// The bar's other plate: square on, behind the near one and smaller
    /// by the depths' ratio; turned, towards where the bar's line meets the
    /// horizon.
    #[test]
    fn the_far_plate_is_drawn_along_the_bar() {
        let camera = |turn_deg: f64| CameraFit {
            focal_px: 800.0,
            turn_deg,
            tilt_deg: 0.0,
            plane_m: 3.0,
            plate_thickness_mm: 50.0,
            principal_px: (480.0, 270.0),
            plate_radius_px: 60.0,
        };
        let extent = |poly: &[(f64, f64)]| {
            let f = |g: fn(&(f64, f64)) -> f64, lo: bool| {
                poly.iter().map(g).fold(
                    if lo { f64::MAX } else { f64::MIN },
                    if lo { f64::min } else { f64::max },
                )
            };
            (f(|p| p.0, true), f(|p| p.0, false), f(|p| p.1, true), f(|p| p.1, false))
        };
        let far = camera(0.0).far_plate_px((480.0, 270.0), 450.0, 1.36).expect("in view");
        let (x0, x1, y0, y1) = extent(&far);
        let r = 800.0 * 0.225 / (3.0 + 1.36);
        assert!(((x1 - x0) / 2.0 - r).abs() < 0.05 && ((y1 - y0) / 2.0 - r).abs() < 0.05);
        assert!(((x0 + x1) / 2.0 - 480.0).abs() < 0.05 && ((y0 + y1) / 2.0 - 270.0).abs() < 0.05);
        let far = camera(15.0).far_plate_px((480.0, 270.0), 450.0, 1.36).expect("in view");
        let (x0, x1, y0, y1) = extent(&far);
        // 1.36 m along a bar turned 15 degrees: 0.35 m to the side.
        let cx = (x0 + x1) / 2.0;
        assert!(cx < 480.0 - 50.0 && cx > 480.0 - 120.0, "{cx}");
        assert!(((y0 + y1) / 2.0 - 270.0).abs() < 0.5);
    }

    #[test]
    fn a_turned_cameras_plate_centre_is_found_past_its_wall() {
        let p = BarProfile::default();
        let centre = (479.5, 269.5);
        // The plate's plane meets the camera's axis at x = z tan t.
        let axis_x = 3.0 * 25f64.to_radians().tan();
        for (x, what) in [
            (axis_x, "on the axis"),
            (axis_x - 0.6, "beside it"),
            (axis_x + 0.5, "the other side"),
        ] {
            let frames = clip(25.0, x);
            let (mut fits, rims) = split(&frames);
            let outline_err = frames
                .iter()
                .map(|f| (f.0.cx - f.2 .0).hypot(f.0.cy - f.2 .1))
                .fold(0.0, f64::max);
            assert!(outline_err > 3.0, "{what}: the wall moves the outline {outline_err} px");
            let turn = refine_for_turn(&mut fits, &rims, centre, &p).expect("turned");
            // f tan 25 = 366 px left of the centre.
            let v = turn.far_face_towards().expect("placed");
            assert!(
                (v.0 - 113.5).abs() < 40.0 && (v.1 - 269.5).abs() < 40.0,
                "{what}: {turn:?}"
            );
            let err = worst_error(&fits, &frames);
            eprintln!("{what}: worst {err:.3} px, {turn:?}");
            assert!(err < 0.5, "{what}: centre {err} px off");
        }
        // Side-on, the face is as wide as tall: nothing is refitted.
        let (mut fits, rims) = split(&clip(0.0, 0.0));
        let before = fits.clone();
        assert_eq!(refine_for_turn(&mut fits, &rims, centre, &p), None);
        assert_eq!(fits, before);
    }
}
