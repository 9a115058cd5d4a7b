//! The plate seen by a camera tilted up or down (a phone held at chest
//! height), refitted once the whole clip has been tracked.
//!
//! Tilted, the plate's wall and far face show on the side towards where
//! the bar's line meets the horizon, not towards the picture's centre as
//! `near_face` assumes while tracking: on rendered deadlift_pitched (18
//! degrees down) the wall shows 11.5 px tall above a plate on the floor
//! that sits right below the picture's centre. The outline then flips from
//! frame to frame between the wall's edge and the face's own, and the bar
//! steps with it. And a tilted circle's ellipse centre is not the image of
//! the plate's centre (2.4-3.2 px off there). Neither can be put right
//! while tracking: where the bar's line meets the horizon follows from how
//! the face's size changes with its row over the clip, so the rim each
//! frame's rays found is kept (`Rim`) and the faces and centres are fitted
//! again after the pass (`refine_for_tilt`).

use super::{
    away_from_far_face, held_fit, near_face, robust_line, BarProfile, Ellipse, NearFace, PlateFit, RayEdges,
    VerticalScale,
};
use crate::signal::{median, percentile};

/// One edge point per ray about a frame's final fit: the candidate nearest
/// the fit's mean radius, within a tenth of it (both the wall's edge and
/// the face's lie within 5 % of it; a plate's inner rings lie further in).
/// Kept for every measured frame of the clip, so compact: about 2 KB.
#[derive(Debug, Clone)]
pub struct Rim {
    /// The fit it was taken about, so a rim is never paired with another.
    about: (f64, f64),
    points: Vec<(u16, f32, f32)>,
    inside: Vec<bool>,
}

impl Rim {
    pub(super) fn around(edges: &RayEdges, fit: &PlateFit) -> Rim {
        let r = 0.5 * (fit.major + fit.minor);
        let misfit = |x: f64, y: f64| ((x - fit.cx).hypot(y - fit.cy) - r).abs();
        // Stored compact as it is chosen; `best` is the kept point's misfit.
        let mut points: Vec<(u16, f32, f32)> = Vec::new();
        let mut best = f64::INFINITY;
        for &(k, x, y) in &edges.points {
            let m = misfit(x, y);
            if m > 0.1 * r {
                continue;
            }
            let point = (k as u16, x as f32, y as f32);
            match points.last_mut() {
                Some(last) if last.0 as usize == k => {
                    if m < best {
                        *last = point;
                        best = m;
                    }
                }
                _ => {
                    points.push(point);
                    best = m;
                }
            }
        }
        Rim {
            about: (fit.cx, fit.cy),
            points,
            inside: edges.inside.clone(),
        }
    }

    pub(super) fn points(&self) -> Vec<(usize, f64, f64)> {
        self.points
            .iter()
            .map(|&(k, x, y)| (k as usize, x as f64, y as f64))
            .collect()
    }

    /// Rays cast about the fit, the rim's full circle.
    pub(super) fn rays(&self) -> usize {
        self.inside.len()
    }

    pub(super) fn belongs_to(&self, fit: &PlateFit) -> bool {
        (self.about.0 - fit.cx).abs() < 1e-6 && (self.about.1 - fit.cy).abs() < 1e-6
    }

    /// The points `keep` accepts as ray edges, x and y swapped when `swap`.
    fn edges(&self, keep: impl Fn(f64, f64) -> bool, swap: bool) -> RayEdges {
        let points: Vec<(usize, f64, f64)> = self
            .points()
            .into_iter()
            .filter(|&(_, x, y)| keep(x, y))
            .map(|(k, x, y)| if swap { (k, y, x) } else { (k, x, y) })
            .collect();
        RayEdges {
            points,
            origin: if swap { (self.about.1, self.about.0) } else { self.about },
            in_frame: self.inside.iter().filter(|&&i| i).count(),
            inside: self.inside.clone(),
            rays: self.inside.len(),
        }
    }
}

/// A camera tilted but not turned, from the clip's near faces.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tilt {
    /// Row where the plate's plane vanishes: the face's width, which only
    /// the distance sets, runs to zero there.
    pub vanishing_row: f64,
    /// Where the bar's line meets the horizon; the far face lies towards it.
    pub far_face_towards: (f64, f64),
}

impl Tilt {
    /// With f the focal length and t the tilt, the plate's plane vanishes
    /// D = f / tan t from the picture's centre (the row where the face's
    /// width runs to zero) and the bar's line meets the horizon f tan t =
    /// D tan^2 t the other way. A face on the picture's centre row is
    /// shortened to cos t; off it, perspective also stretches the ellipse
    /// away from the centre (rendered deadlift_pitched's face on the floor,
    /// 240 px below, reads 0.86 where the angle to its ray says 0.83), so
    /// the quarter of faces nearest that row give t. Only for a camera not
    /// turned (the face as wide as tall, or wider): a turn moves that point
    /// sideways by an amount and to a side the face cannot tell.
    fn from_faces(fits: &[Option<PlateFit>], centre: (f64, f64), p: &BarProfile) -> Option<Tilt> {
        let faces = measured_faces(fits);
        let turn = median(faces.iter().map(|(_, n)| (n.h / n.v).min(1.0)))?;
        if turn < p.face_centre_min_ratio {
            return None;
        }
        let path = path_of(fits)?;
        let widths: Vec<(f64, f64)> = faces.iter().map(|(y, n)| (*y, n.h)).collect();
        let width = VerticalScale::fit(&widths, path, 1.0, p)?;
        let vanishing_row = -width.a / width.b;
        let d = vanishing_row - centre.1;
        let mut by_row: Vec<(f64, f64)> = faces
            .iter()
            .map(|(y, n)| ((y - centre.1).abs(), (n.v / n.h).min(1.0)))
            .collect();
        by_row.sort_by(|a, b| a.0.total_cmp(&b.0));
        let nearest = (by_row.len() / 4).max(5).min(by_row.len());
        let tilt = median(by_row[..nearest].iter().map(|q| q.1))?.max(0.5).acos();
        Some(Tilt {
            vanishing_row,
            far_face_towards: (centre.0, centre.1 - d * tilt.tan().powi(2)),
        })
    }
}

/// (outline row, near face) of each measured fit that has a face.
fn measured_faces(fits: &[Option<PlateFit>]) -> Vec<(f64, NearFace)> {
    fits.iter()
        .flatten()
        .filter(|f| f.measured)
        .filter_map(|f| Some((f.cy, f.near_face_px?)))
        .collect()
}

/// The rows the measured plate spans (2nd to 98th percentile).
fn path_of(fits: &[Option<PlateFit>]) -> Option<(f64, f64)> {
    let rows = || fits.iter().flatten().filter(|f| f.measured).map(|f| f.cy);
    percentile(rows(), 2.0).zip(percentile(rows(), 98.0))
}

/// Each measured free full-rim fit's near face, fitted to its rim away
/// from where a far face lying `towards` that point can show.
fn refit_faces(fits: &mut [Option<PlateFit>], rims: &[Option<Rim>], towards: (f64, f64), p: &BarProfile) {
    for (fit, rim) in fits.iter_mut().zip(rims) {
        let (Some(f), Some(rim)) = (fit.as_mut(), rim.as_ref()) else {
            continue;
        };
        if !f.measured || !f.free_full_rim(p) || !rim.belongs_to(f) {
            continue;
        }
        let outline = Ellipse::circle(f.cx, f.cy, f.major);
        f.near_face_px = near_face(&rim.points(), rim.rays(), &outline, towards, p.near_face_min_arc_deg);
    }
}

/// On a camera found tilted, refits every full-rim frame's near face away
/// from where the tilt puts the far face, then fits each measured frame's
/// face centre with the face's shape held (its height and width along the
/// path, as lines over the row) and moves it to the image of the plate's
/// centre: `near_centre_px`. Returns the tilt, or None (fits untouched)
/// when the clip does not show one. Without the lines (too few faces), the
/// faces are refitted and the centres left to the outline.
pub fn refine_for_tilt(
    fits: &mut [Option<PlateFit>],
    rims: &[Option<Rim>],
    centre: (f64, f64),
    p: &BarProfile,
) -> Option<Tilt> {
    let first = Tilt::from_faces(fits, centre, p)?;
    let path = path_of(fits)?;
    // The tracker's faces took in some wall, which shortens a tilt read off
    // them, and a point read too near leaves a cone too narrow to drop the
    // wall again. So the faces are fitted afresh away from the whole side
    // the wall can show on (a far point that way), the tilt read off them,
    // and then the faces fitted away from the cone that tilt gives.
    let beyond = (centre.0, centre.1 - (first.vanishing_row - centre.1).signum() * 1e9);
    refit_faces(fits, rims, beyond, p);
    let tilt = Tilt::from_faces(fits, centre, p).unwrap_or(first);
    refit_faces(fits, rims, tilt.far_face_towards, p);
    let faces = measured_faces(fits);
    // The face's height and width as lines over the row, held within the
    // path (half its span past either end, as `VerticalScale` does).
    let span = path.1 - path.0;
    let along = |size: fn(&NearFace) -> f64| -> Option<(f64, f64)> {
        let pts: Vec<(f64, f64)> = faces.iter().map(|(y, n)| (*y, size(n))).collect();
        robust_line(&pts)
    };
    let (Some((va, vb)), Some((ha, hb))) = (along(|n| n.v), along(|n| n.h)) else {
        return Some(tilt);
    };
    let at = |y: f64| y.clamp(path.0 - 0.5 * span, path.1 + 0.5 * span);
    let height = |y: f64| va + vb * at(y);
    let width = |y: f64| ha + hb * at(y);
    for (fit, rim) in fits.iter_mut().zip(rims) {
        let (Some(f), Some(rim)) = (fit.as_mut(), rim.as_ref()) else {
            continue;
        };
        if !f.measured || !rim.belongs_to(f) {
            continue;
        }
        let (v, h) = (height(f.cy), width(f.cy));
        let keep = away_from_far_face((f.cx, f.cy), f.major, tilt.far_face_towards);
        // `held_fit` holds an ellipse whose major axis is vertical: a face
        // wider than tall is fitted with x and y swapped.
        let swap = h > v;
        let edges = rim.edges(keep, swap);
        let start = if swap { (f.cy, f.cx) } else { (f.cx, f.cy) };
        let Some(held) = held_fit(&edges, start, v.max(h), v.min(h) / v.max(h), false, p)
            .filter(|h| h.visible_arc_deg >= p.held_min_visible_arc_deg)
        else {
            continue;
        };
        let (cx, cy) = if swap { (held.cy, held.cx) } else { (held.cx, held.cy) };
        // The image of the plate's centre is the pole of its plane's
        // vanishing line: v^2 / (distance to that row) towards it.
        f.near_centre_px = Some((cx, cy + v * v / (tilt.vanishing_row - cy)));
    }
    if super::debug_trace() {
        let n = fits.iter().flatten().filter(|f| f.near_centre_px.is_some()).count();
        eprintln!("bar tilt: {tilt:?}, {n} centres refitted");
    }
    Some(tilt)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bar::{split_clip as split, tracked_outline};

    /// A pinhole camera `up` m high, tilted `tilt` degrees down (f = 831
    /// px, centre (270, 480)), and a plate 0.45 m across and 6 cm thick
    /// whose near face is 1.88 m away: x right, y up, z away, metres.
    fn project((tilt, up): (f64, f64), p: [f64; 3]) -> (f64, f64) {
        let t = tilt.to_radians();
        let (x, y, z) = (p[0], p[1] - up, p[2]);
        let forward = -y * t.sin() + z * t.cos();
        let down = -y * t.cos() - z * t.sin();
        (270.0 + 831.0 * x / forward, 480.0 + 831.0 * down / forward)
    }

    fn circle(tilt: (f64, f64), height: f64, z: f64) -> Vec<(f64, f64)> {
        (0..720)
            .map(|k| {
                let a = (k as f64 * 0.5).to_radians();
                project(tilt, [0.225 * a.cos(), height + 0.225 * a.sin(), z])
            })
            .collect()
    }

    /// The plate's outline as 180 rays see it (the farthest of the near
    /// and far faces along each ray from the outline's box centre), the
    /// outline's fit, and the image of the plate's centre.
    fn frame(tilt: (f64, f64), height: f64) -> (PlateFit, Rim, (f64, f64)) {
        let mut pts = circle(tilt, height, 1.88);
        pts.extend(circle(tilt, height, 1.94));
        let (fit, rim) = tracked_outline(&pts, (269.5, 479.5));
        (fit, rim, project(tilt, [0.0, height, 1.88]))
    }

    /// Regression (rendered deadlift_pitched): the plate's top wall, seen
    /// from above, put the outline's centre 3-8 px above the plate's and
    /// the bar stepped as fits took it in or not.
    #[test]
    fn a_tilted_cameras_plate_centre_is_found_past_its_wall() {
        let clip = |tilt: (f64, f64)| -> Vec<(PlateFit, Rim, (f64, f64))> {
            (0..40).map(|k| frame(tilt, 0.225 + 0.02 * k as f64)).collect()
        };
        // Each frame's refitted centre within 0.2 px across, 0.3 px down.
        let on_centre = |fits: &[Option<PlateFit>], frames: &[(PlateFit, Rim, (f64, f64))]| {
            for (fit, (_, _, truth)) in fits.iter().zip(frames) {
                let (x, y) = fit.and_then(|f| f.near_centre_px).expect("refitted");
                assert!(
                    (x - truth.0).abs() < 0.2 && (y - truth.1).abs() < 0.3,
                    "{:?} vs {truth:?}",
                    (x, y)
                );
            }
        };
        let frames = clip((18.0, 1.5));
        let (mut fits, rims) = split(&frames);
        let outline_err = frames.iter().map(|f| (f.0.cy - f.2 .1).abs()).fold(0.0, f64::max);
        assert!(outline_err > 3.0, "the wall moves the outline {outline_err} px");
        let tilt = refine_for_tilt(&mut fits, &rims, (269.5, 479.5), &BarProfile::default()).expect("tilted");
        // f / tan 18 = 2559 px below the centre; f tan 18 = 270 above.
        assert!((tilt.vanishing_row - 3039.0).abs() < 60.0, "{tilt:?}");
        assert!((tilt.far_face_towards.1 - 210.0).abs() < 40.0, "{tilt:?}");
        on_centre(&fits, &frames);
        // Level, the plate keeps its size wherever it is: no tilt, and
        // nothing is refitted.
        let (mut fits, rims) = split(&clip((0.0, 1.5)));
        let before = fits.clone();
        assert_eq!(
            refine_for_tilt(&mut fits, &rims, (269.5, 479.5), &BarProfile::default()),
            None
        );
        assert_eq!(fits, before);
        // A phone on the floor, 0.4 m up and tilted 15 degrees up: the wall
        // shows below the plate, and the bar's line meets the horizon
        // f tan 15 = 223 px below the centre.
        let frames = clip((-15.0, 0.4));
        let (mut fits, rims) = split(&frames);
        let tilt = refine_for_tilt(&mut fits, &rims, (269.5, 479.5), &BarProfile::default()).expect("tilted");
        assert!((tilt.far_face_towards.1 - 703.0).abs() < 40.0, "{tilt:?}");
        on_centre(&fits, &frames);
    }
}
