//! The torso's silhouette across the hip-shoulder chord, from the person mask.
//!
//! 2D keypoints have no spine points, so a rounding back is invisible to the
//! skeleton: the hip and shoulder centres barely move while the back bulges.
//! The landmark model's segmentation mask does see it. Per frame we keep how
//! far the silhouette reaches on each side of the chord at a few stations
//! along it; later stages pick the back side (from the facing) and compare
//! the bulge with the same lifter's own neutral posture. Ten numbers per
//! frame are small enough to store in poses.csv, so `--from-poses` reruns
//! keep the evidence.

use super::landmarks::{Landmark, Roi, INPUT};

/// Where along the chord (0 = mid-hip, 1 = mid-shoulder) the width is read.
pub const STATIONS: [f32; 5] = [0.2, 0.35, 0.5, 0.65, 0.8];

/// Person probability above which a crop pixel is "body".
const INSIDE: f32 = 0.5;
/// Search no further than this share of the chord from it.
const MAX_REACH: f32 = 0.7;

/// Silhouette reach from the chord in image pixels at each of `STATIONS`.
/// `plus` is the chord direction turned +90 degrees in image coordinates
/// (x right, y down): for a lifter facing right that is the front (chest),
/// for one facing left the back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TorsoOutline {
    pub plus_px: [f32; STATIONS.len()],
    pub minus_px: [f32; STATIONS.len()],
}

impl TorsoOutline {
    /// The reach on the lifter's back side.
    pub fn back_px(&self, facing_sign: f64) -> [f32; STATIONS.len()] {
        if facing_sign > 0.0 {
            self.minus_px
        } else {
            self.plus_px
        }
    }

    /// The thinnest the body reaches on either side of the chord, as a
    /// share of the chord's length. The hip and shoulder joint centres lie
    /// inside the trunk, so a pose and mask that agree leave flesh on both
    /// sides at every station; near nothing on one side means the chord
    /// runs out of the body (a pose lagging a fast movement, or a hip drawn
    /// on the plate) and the outline read from it says nothing of the back.
    pub fn thinnest_share(&self, points: &[Landmark]) -> Option<f64> {
        let c = Chord::of(points)?;
        let thinnest = self
            .plus_px
            .iter()
            .chain(&self.minus_px)
            .fold(f32::INFINITY, |a, &b| a.min(b));
        Some((thinnest / c.len) as f64)
    }

    /// Where the back's silhouette ends at each station (image px), each
    /// brought `inset_px` back towards the chord, for the pose the outline
    /// was measured on.
    pub fn back_edges_px(
        &self,
        points: &[Landmark],
        facing_sign: f64,
        inset_px: f64,
    ) -> Option<[(f64, f64); STATIONS.len()]> {
        let c = Chord::of(points)?;
        // The back is the minus side for a lifter facing +x (`back_px`).
        let side = if facing_sign > 0.0 { -1.0 } else { 1.0 };
        let reach = self.back_px(facing_sign);
        Some(std::array::from_fn(|k| {
            let (x, y) = c.at(STATIONS[k], side * (reach[k] as f64 - inset_px).max(0.0) as f32);
            (x as f64, y as f64)
        }))
    }
}

/// The hip-shoulder chord of a pose (mid-hip to mid-shoulder, image px) and
/// its normal turned +90 degrees.
struct Chord {
    hip: (f32, f32),
    d: (f32, f32),
    len: f32,
    normal: (f32, f32),
}

impl Chord {
    fn of(points: &[Landmark]) -> Option<Chord> {
        if points.len() < 25 {
            return None;
        }
        let hip = super::midpoint(points, 23, 24);
        let shoulder = super::midpoint(points, 11, 12);
        let d = (shoulder.0 - hip.0, shoulder.1 - hip.1);
        let len = (d.0 * d.0 + d.1 * d.1).sqrt();
        (len.is_finite() && len > 0.0).then(|| Chord {
            hip,
            d,
            len,
            normal: (-d.1 / len, d.0 / len),
        })
    }

    /// The point `t` along the chord (0 = mid-hip, 1 = mid-shoulder) and
    /// `off` px along its normal.
    fn at(&self, t: f32, off: f32) -> (f32, f32) {
        (
            self.hip.0 + t * self.d.0 + off * self.normal.0,
            self.hip.1 + t * self.d.1 + off * self.normal.1,
        )
    }
}

/// Bilinear sample of the crop's person probability; 0 outside the crop.
fn sample(mask: &[f32], u: f32, v: f32) -> f32 {
    let n = INPUT as f32;
    if !(0.0..n - 1.0).contains(&u) || !(0.0..n - 1.0).contains(&v) {
        return 0.0;
    }
    let (x0, y0) = (u.floor() as usize, v.floor() as usize);
    let (fx, fy) = (u - x0 as f32, v - y0 as f32);
    let at = |x: usize, y: usize| mask[y * INPUT + x];
    let top = at(x0, y0) * (1.0 - fx) + at(x0 + 1, y0) * fx;
    let bottom = at(x0, y0 + 1) * (1.0 - fx) + at(x0 + 1, y0 + 1) * fx;
    top * (1.0 - fy) + bottom * fy
}

/// Measure the outline; `None` when the chord is degenerate or the mask is
/// missing.
pub fn torso_outline(points: &[Landmark], roi: &Roi, mask: &[f32]) -> Option<TorsoOutline> {
    if mask.len() != INPUT * INPUT {
        return None;
    }
    let chord = Chord::of(points)?;
    // A chord shorter than a few crop pixels says nothing.
    if chord.len < 4.0 * roi.size / INPUT as f32 {
        return None;
    }
    // One crop pixel per step.
    let step = roi.size / INPUT as f32;
    let steps = (MAX_REACH * chord.len / step).ceil() as usize;
    let reach = |t: f32, sign: f32| -> f32 {
        let mut last_inside = 0.0;
        for k in 0..=steps {
            let d = k as f32 * step;
            let (x, y) = chord.at(t, sign * d);
            let (u, v) = roi.to_crop(x, y);
            if sample(mask, u, v) < INSIDE {
                break;
            }
            last_inside = d;
        }
        last_inside
    };
    Some(TorsoOutline {
        plus_px: STATIONS.map(|t| reach(t, 1.0)),
        minus_px: STATIONS.map(|t| reach(t, -1.0)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pose_at(hip: (f32, f32), shoulder: (f32, f32)) -> Vec<Landmark> {
        let mut p = vec![Landmark::default(); 33];
        for i in [23, 24] {
            p[i].x = hip.0;
            p[i].y = hip.1;
        }
        for i in [11, 12] {
            p[i].x = shoulder.0;
            p[i].y = shoulder.1;
        }
        p
    }

    /// A rectangle of "body" around a vertical chord: 20 px in front, 30
    /// px behind; the crop maps 1:1 onto the image.
    #[test]
    fn reads_the_reach_on_each_side() {
        let roi = Roi {
            cx: 128.0,
            cy: 128.0,
            size: INPUT as f32,
            rotation: 0.0,
        };
        let mut mask = vec![0.0; INPUT * INPUT];
        for y in 60..200 {
            for x in 98..=148 {
                mask[y * INPUT + x] = 1.0;
            }
        }
        // Chord at x = 128, hip below (y 190), shoulder above (y 70).
        let o = torso_outline(&pose_at((128.0, 190.0), (128.0, 70.0)), &roi, &mask).unwrap();
        // Chord points up: +90 degrees in image coordinates is +x.
        for (p, m) in o.plus_px.iter().zip(o.minus_px) {
            assert!((p - 20.0).abs() <= 1.0, "plus {p}");
            assert!((m - 30.0).abs() <= 1.0, "minus {m}");
        }
        assert_eq!(o.back_px(1.0), o.minus_px);
        // The thinner side, 20 px, over the 120 px chord.
        let share = o.thinnest_share(&pose_at((128.0, 190.0), (128.0, 70.0))).unwrap();
        assert!((share - 20.0 / 120.0).abs() < 0.01, "{share}");
        assert_eq!(o.back_px(-1.0), o.plus_px);
    }

    #[test]
    fn a_rotated_crop_maps_back() {
        let roi = Roi {
            cx: 300.0,
            cy: 200.0,
            size: 400.0,
            rotation: 0.4,
        };
        let (x, y) = roi.to_image(37.0, 211.0);
        let (u, v) = roi.to_crop(x, y);
        assert!((u - 37.0).abs() < 1e-3 && (v - 211.0).abs() < 1e-3);
    }

    #[test]
    fn no_mask_no_outline() {
        let roi = Roi {
            cx: 0.0,
            cy: 0.0,
            size: 256.0,
            rotation: 0.0,
        };
        assert!(torso_outline(&pose_at((0.0, 10.0), (0.0, -100.0)), &roi, &[]).is_none());
    }
}
