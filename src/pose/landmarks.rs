//! BlazePose landmark model (256x256) on a rotated square region of interest.

use std::path::Path;

use opencv::core::{self, Mat, Scalar, Size};
use opencv::imgproc;

use super::detector::fill_rgb;
use super::engine::{self, Backend, Engine};
use crate::error::{CvContext, Result};

pub const INPUT: usize = 256;
/// 33 body points plus the two ROI points (33, 34) and four unused rows.
pub const ROWS: usize = 39;
pub const BODY_POINTS: usize = 33;
const HEATMAP: usize = 64;
/// Heatmap refinement: 9x9 window, used when its peak is at least 0.5.
const REFINE_HALF: i64 = 4;
const REFINE_MIN_PEAK: f32 = 0.5;

/// Rotated square in image pixels; `rotation` in radians, clockwise in the
/// image (y down), 0 = upright.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Roi {
    pub cx: f32,
    pub cy: f32,
    pub size: f32,
    pub rotation: f32,
}

impl Roi {
    /// MediaPipe's rule for both detector keypoints and landmarks 33/34:
    /// centre on the first point, side 2.5 times the distance to the second,
    /// rotated so the second point is straight up.
    pub fn from_alignment(p0: (f32, f32), p1: (f32, f32)) -> Self {
        let (dx, dy) = (p1.0 - p0.0, p1.1 - p0.1);
        let angle = std::f32::consts::FRAC_PI_2 - (-dy).atan2(dx);
        let rotation = angle
            - 2.0 * std::f32::consts::PI * ((angle + std::f32::consts::PI) / (2.0 * std::f32::consts::PI)).floor();
        Roi {
            cx: p0.0,
            cy: p0.1,
            size: 2.0 * (dx * dx + dy * dy).sqrt() * 1.25,
            rotation,
        }
    }

    /// Crop pixel (u, v) of the 256x256 input to image pixels.
    pub fn to_image(&self, u: f32, v: f32) -> (f32, f32) {
        let (x, y) = (u / INPUT as f32 - 0.5, v / INPUT as f32 - 0.5);
        let (s, c) = self.rotation.sin_cos();
        (
            self.cx + self.size * (c * x - s * y),
            self.cy + self.size * (s * x + c * y),
        )
    }

    /// Image pixel to crop pixel (the inverse of `to_image`).
    pub fn to_crop(&self, x: f32, y: f32) -> (f32, f32) {
        let (s, c) = self.rotation.sin_cos();
        let (dx, dy) = (x - self.cx, y - self.cy);
        let u = (c * dx + s * dy) / self.size + 0.5;
        let v = (-s * dx + c * dy) / self.size + 0.5;
        (u * INPUT as f32, v * INPUT as f32)
    }

    /// 2x3 matrix mapping crop pixels to image pixels (for WARP_INVERSE_MAP).
    pub fn crop_to_image(&self) -> [[f64; 3]; 2] {
        let (s, c) = (self.rotation as f64).sin_cos();
        let k = self.size as f64 / INPUT as f64;
        let (o_x, o_y) = self.to_image(0.0, 0.0);
        [[c * k, -s * k, o_x as f64], [s * k, c * k, o_y as f64]]
    }
}

/// One landmark in image pixels; visibility and presence are probabilities.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Landmark {
    pub x: f32,
    pub y: f32,
    pub z: f32,
    pub visibility: f32,
    pub presence: f32,
}

/// What the landmark model says about one frame.
#[derive(Debug, Clone)]
pub struct LandmarkOutput {
    pub roi: Roi,
    pub pose_flag: f32,
    pub points: [Landmark; ROWS],
    /// Person probability in the 256x256 crop (map to the image with `roi`).
    pub mask: Vec<f32>,
}

pub struct LandmarkModel {
    engine: Box<dyn Engine>,
    input: Vec<f32>,
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl LandmarkModel {
    pub fn load(backend: Backend, model: &Path) -> Result<Self> {
        Ok(LandmarkModel {
            engine: engine::load(backend, model, &["Identity", "Identity_1", "Identity_2", "Identity_3"])?,
            input: vec![0.0; INPUT * INPUT * 3],
        })
    }

    pub fn run(&mut self, bgr: &Mat, roi: Roi) -> Result<LandmarkOutput> {
        let m = roi.crop_to_image();
        let m = Mat::from_slice_2d(&m).cv("landmark crop")?;
        let mut crop = Mat::default();
        imgproc::warp_affine(
            bgr,
            &mut crop,
            &m,
            Size::new(INPUT as i32, INPUT as i32),
            imgproc::INTER_LINEAR | imgproc::WARP_INVERSE_MAP,
            core::BORDER_REPLICATE,
            Scalar::default(),
        )
        .cv("landmark crop")?;
        fill_rgb(&crop, &mut self.input, |v| v / 255.0)?;
        let out = self.engine.run(&self.input, [1, INPUT, INPUT, 3])?;
        let (raw, flag, seg, heat) = (&out[0], out[1][0], &out[2], &out[3]);

        let mut points = [Landmark::default(); ROWS];
        for (k, p) in points.iter_mut().enumerate() {
            let r = &raw[k * 5..k * 5 + 5];
            let (u, v) = refine(heat, k, r[0], r[1]);
            let (x, y) = roi.to_image(u, v);
            *p = Landmark {
                x,
                y,
                z: r[2],
                visibility: sigmoid(r[3]),
                presence: sigmoid(r[4]),
            };
        }
        Ok(LandmarkOutput {
            roi,
            pose_flag: flag,
            points,
            mask: seg.iter().map(|&l| sigmoid(l)).collect(),
        })
    }
}

/// Sharpen a landmark with the heatmap: score-weighted mean of the cells in a
/// 9x9 window around it (MediaPipe's RefineLandmarksFromHeatmap).
fn refine(heat: &[f32], k: usize, u: f32, v: f32) -> (f32, f32) {
    let scale = (INPUT / HEATMAP) as f32;
    let (col, row) = ((u / scale) as i64, (v / scale) as i64);
    let (mut sum, mut sx, mut sy, mut peak) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
    for r in (row - REFINE_HALF).max(0)..=(row + REFINE_HALF).min(HEATMAP as i64 - 1) {
        for c in (col - REFINE_HALF).max(0)..=(col + REFINE_HALF).min(HEATMAP as i64 - 1) {
            let conf = sigmoid(heat[(r as usize * HEATMAP + c as usize) * ROWS + k]);
            sum += conf;
            sx += c as f32 * conf;
            sy += r as f32 * conf;
            peak = peak.max(conf);
        }
    }
    if peak >= REFINE_MIN_PEAK && sum > 0.0 {
        (sx / sum * scale, sy / sum * scale)
    } else {
        (u, v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upright_roi_maps_crop_centre_to_roi_centre() {
        let roi = Roi::from_alignment((100.0, 200.0), (100.0, 100.0));
        assert!(roi.rotation.abs() < 1e-6);
        assert!((roi.size - 250.0).abs() < 1e-3);
        let (x, y) = roi.to_image(128.0, 128.0);
        assert!((x - 100.0).abs() < 1e-3 && (y - 200.0).abs() < 1e-3);
        // The top of the crop is towards the second point.
        let (_, y_top) = roi.to_image(128.0, 0.0);
        assert!(y_top < 200.0);
    }

    #[test]
    fn tilted_roi_turns_crop_up_towards_second_point() {
        let roi = Roi::from_alignment((0.0, 0.0), (10.0, 0.0));
        let (x, y) = roi.to_image(128.0, 0.0);
        assert!(x > 0.0 && y.abs() < 1e-3, "crop top maps to ({x}, {y})");
        let m = roi.crop_to_image();
        let (u, v) = (37.0f32, 201.0f32);
        let (ex, ey) = roi.to_image(u, v);
        let mx = m[0][0] as f32 * u + m[0][1] as f32 * v + m[0][2] as f32;
        let my = m[1][0] as f32 * u + m[1][1] as f32 * v + m[1][2] as f32;
        assert!((mx - ex).abs() < 1e-3 && (my - ey).abs() < 1e-3);
    }
}
