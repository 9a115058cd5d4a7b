//! BlazePose person detector (SSD, 224x224), run on the first frame and
//! whenever tracking is lost. Pre/post-processing follows MediaPipe's pose
//! detection graph: letterbox by a perspective warp built from the box
//! corners (no rounding of the scaled size), 2254 fixed-size anchors, sigmoid
//! scores, weighted non-maximum suppression at IoU 0.3.

use std::path::Path;

use opencv::core::{self, Mat, Point2f, Rect, Scalar, Size, Vector};
use opencv::imgproc;
use opencv::prelude::*;

use super::engine::{self, Backend, Engine};
use crate::error::{CvContext, Result};

const INPUT: usize = 224;
const MIN_SCORE: f32 = 0.5;
const NMS_IOU: f32 = 0.3;

/// A detected person in image pixels. `keypoints[0]` is the mid-hip,
/// `keypoints[1]` the point that fixes body size and rotation.
#[derive(Debug, Clone)]
pub struct Detection {
    pub score: f32,
    pub cx: f32,
    pub cy: f32,
    pub w: f32,
    pub h: f32,
    pub keypoints: [(f32, f32); 4],
}

pub struct Detector {
    engine: Box<dyn Engine>,
    anchors: Vec<(f32, f32)>,
    input: Vec<f32>,
}

fn anchors() -> Vec<(f32, f32)> {
    // Strides 8, 16, 32, 32, 32 with 2 anchors each; the three stride-32
    // layers share a grid, giving 6 anchors per cell there.
    let mut out = Vec::with_capacity(2254);
    for (stride, per_cell) in [(8usize, 2usize), (16, 2), (32, 6)] {
        let f = INPUT.div_ceil(stride);
        for y in 0..f {
            for x in 0..f {
                for _ in 0..per_cell {
                    out.push(((x as f32 + 0.5) / f as f32, (y as f32 + 0.5) / f as f32));
                }
            }
        }
    }
    out
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl Detector {
    pub fn load(backend: Backend, model: &Path) -> Result<Self> {
        Ok(Detector {
            engine: engine::load(backend, model, &["Identity", "Identity_1"])?,
            anchors: anchors(),
            input: vec![0.0; INPUT * INPUT * 3],
        })
    }

    /// People in `region`; where the whole region shows nobody, also in
    /// overlapping squares of its short side. The detector sees a 224 px
    /// square, so a lifter filmed small in a wide frame (a half-size lifter
    /// in 1080p: 41 px tall there) can go unseen; a square of the short
    /// side enlarges them by the frame's aspect ratio (1.8x for 16:9).
    pub fn detect_or_zoom(&mut self, bgr: &Mat, region: Rect) -> Result<Vec<Detection>> {
        let dets = self.detect(bgr, region)?;
        let (short, long) = (region.width.min(region.height), region.width.max(region.height));
        if !dets.is_empty() || short < 8 || long < 4 * short / 3 {
            return Ok(dets);
        }
        // Tiles overlapping by at least a quarter of their side.
        let tiles = ((long - short) as f32 / (0.75 * short as f32)).ceil() as i32 + 1;
        let mut all = Vec::new();
        for k in 0..tiles {
            let offset = (long - short) * k / (tiles - 1).max(1);
            let tile = if region.width >= region.height {
                Rect::new(region.x + offset, region.y, short, short)
            } else {
                Rect::new(region.x, region.y + offset, short, short)
            };
            all.extend(self.detect(bgr, tile)?);
        }
        Ok(weighted_nms(all))
    }

    /// Detect people inside `region` (the picture part of a pillarboxed frame).
    pub fn detect(&mut self, bgr: &Mat, region: Rect) -> Result<Vec<Detection>> {
        // Square around the region, centred: the letterbox.
        let side = region.width.max(region.height) as f32;
        let cx = region.x as f32 + region.width as f32 / 2.0;
        let cy = region.y as f32 + region.height as f32 / 2.0;
        let (x0, y0) = (cx - side / 2.0, cy - side / 2.0);
        let src: Vector<Point2f> = Vector::from_iter([
            Point2f::new(x0, y0),
            Point2f::new(x0 + side, y0),
            Point2f::new(x0 + side, y0 + side),
            Point2f::new(x0, y0 + side),
        ]);
        let n = INPUT as f32;
        let dst: Vector<Point2f> = Vector::from_iter([
            Point2f::new(0.0, 0.0),
            Point2f::new(n, 0.0),
            Point2f::new(n, n),
            Point2f::new(0.0, n),
        ]);
        let m = imgproc::get_perspective_transform(&src, &dst, core::DECOMP_LU).cv("detector letterbox")?;
        let mut warped = Mat::default();
        imgproc::warp_perspective(
            bgr,
            &mut warped,
            &m,
            Size::new(INPUT as i32, INPUT as i32),
            imgproc::INTER_LINEAR,
            core::BORDER_CONSTANT,
            Scalar::all(0.0),
        )
        .cv("detector letterbox")?;
        fill_rgb(&warped, &mut self.input, |v| v / 127.5 - 1.0)?;
        let out = self.engine.run(&self.input, [1, INPUT, INPUT, 3])?;
        let (reg, scores) = (&out[0], &out[1]);

        let mut dets = Vec::new();
        for (i, &(ax, ay)) in self.anchors.iter().enumerate() {
            let score = sigmoid(scores[i].clamp(-100.0, 100.0));
            if score < MIN_SCORE {
                continue;
            }
            let r = &reg[i * 12..i * 12 + 12];
            let to_img = |u: f32, v: f32| (x0 + u * side, y0 + v * side);
            let (bx, by) = to_img(r[0] / n + ax, r[1] / n + ay);
            let mut keypoints = [(0.0, 0.0); 4];
            for (k, kp) in keypoints.iter_mut().enumerate() {
                *kp = to_img(r[4 + 2 * k] / n + ax, r[5 + 2 * k] / n + ay);
            }
            dets.push(Detection {
                score,
                cx: bx,
                cy: by,
                w: r[2] / n * side,
                h: r[3] / n * side,
                keypoints,
            });
        }
        Ok(weighted_nms(dets))
    }
}

/// NHWC float input from an 8-bit BGR image, RGB order, `f` applied per value.
pub(crate) fn fill_rgb(bgr: &Mat, out: &mut [f32], f: impl Fn(f32) -> f32) -> Result<()> {
    let data = bgr.data_bytes().cv("tensor input")?;
    for (px, dst) in data.chunks_exact(3).zip(out.chunks_exact_mut(3)) {
        dst[0] = f(px[2] as f32);
        dst[1] = f(px[1] as f32);
        dst[2] = f(px[0] as f32);
    }
    Ok(())
}

fn iou(a: &Detection, b: &Detection) -> f32 {
    let ix = ((a.cx + a.w / 2.0).min(b.cx + b.w / 2.0) - (a.cx - a.w / 2.0).max(b.cx - b.w / 2.0)).max(0.0);
    let iy = ((a.cy + a.h / 2.0).min(b.cy + b.h / 2.0) - (a.cy - a.h / 2.0).max(b.cy - b.h / 2.0)).max(0.0);
    let inter = ix * iy;
    let union = a.w * a.h + b.w * b.h - inter;
    if union > 0.0 {
        inter / union
    } else {
        0.0
    }
}

/// Blend each cluster of overlapping boxes into one, weighted by score: the
/// SSD fires on several neighbouring anchors for one person.
fn weighted_nms(mut dets: Vec<Detection>) -> Vec<Detection> {
    dets.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut out = Vec::new();
    while !dets.is_empty() {
        let top = dets[0].clone();
        let (cluster, rest): (Vec<_>, Vec<_>) = dets.into_iter().partition(|d| iou(&top, d) > NMS_IOU);
        dets = rest;
        let total: f32 = cluster.iter().map(|d| d.score).sum();
        let mut merged = top.clone();
        let avg = |f: &dyn Fn(&Detection) -> f32| cluster.iter().map(|d| f(d) * d.score).sum::<f32>() / total;
        merged.cx = avg(&|d| d.cx);
        merged.cy = avg(&|d| d.cy);
        merged.w = avg(&|d| d.w);
        merged.h = avg(&|d| d.h);
        for k in 0..4 {
            merged.keypoints[k] = (avg(&|d| d.keypoints[k].0), avg(&|d| d.keypoints[k].1));
        }
        out.push(merged);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchor_layout_matches_the_model_output() {
        let a = anchors();
        assert_eq!(a.len(), 2254);
        assert_eq!(a[0], (0.5 / 28.0, 0.5 / 28.0));
        assert_eq!(a[1], a[0]);
        assert_eq!(a[28 * 28 * 2], (0.5 / 14.0, 0.5 / 14.0));
        assert_eq!(*a.last().unwrap(), (6.5 / 7.0, 6.5 / 7.0));
    }

    #[test]
    fn nms_merges_overlapping_boxes_by_score() {
        let d = |score, cx| Detection {
            score,
            cx,
            cy: 50.0,
            w: 20.0,
            h: 20.0,
            keypoints: [(cx, 50.0); 4],
        };
        let out = weighted_nms(vec![d(0.9, 50.0), d(0.6, 52.0), d(0.8, 200.0)]);
        assert_eq!(out.len(), 2);
        assert!((out[0].cx - (0.9 * 50.0 + 0.6 * 52.0) / 1.5).abs() < 1e-4);
        assert_eq!(out[1].cx, 200.0);
    }
}
