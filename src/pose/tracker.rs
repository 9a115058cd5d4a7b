//! Frame-to-frame tracking: the detector finds the lifter once, then the
//! landmark model's own alignment points (33, 34) place the next crop.

use std::path::Path;

use opencv::core::{Mat, Rect};

use super::detector::{Detection, Detector};
use super::engine::Backend;
use super::landmarks::{LandmarkModel, LandmarkOutput, Roi, BODY_POINTS};
use super::{PoseModel, RawPose, DETECTOR_FILE};
use crate::error::Result;
use crate::signal::OneEuro;

/// Below this pose flag the crop has lost the person (MediaPipe's threshold).
pub const MIN_POSE_FLAG: f32 = 0.5;

pub struct PoseTracker {
    detector: Detector,
    landmarks: LandmarkModel,
    roi: Option<Roi>,
    /// Where the lifter was last seen (centre, crop size): a re-detection
    /// picks the person nearest to it, not whoever walks past.
    last_seen: Option<(f32, f32, f32)>,
    /// MediaPipe steadies the alignment points before building the next crop.
    filters: [OneEuro; 4],
    pub detector_runs: usize,
}

impl PoseTracker {
    pub fn load(backend: Backend, models: &Path, model: PoseModel) -> Result<Self> {
        Ok(PoseTracker {
            detector: Detector::load(backend, &models.join(DETECTOR_FILE))?,
            landmarks: LandmarkModel::load(backend, &models.join(model.file_name()))?,
            roi: None,
            last_seen: None,
            filters: std::array::from_fn(|_| OneEuro::new(0.01, 10.0, 1.0)),
            detector_runs: 0,
        })
    }

    /// Pose of the lifter in this frame, or `None` when nobody is found.
    /// `region` is the picture part of the frame (pillarbox removed).
    /// `bar_hint`: where the plate was last measured, if anywhere; on a
    /// re-detection the person holding the bar is the lifter.
    pub fn process(
        &mut self,
        bgr: &Mat,
        time_s: f64,
        region: Rect,
        bar_hint: Option<(f32, f32)>,
    ) -> Result<Option<LandmarkOutput>> {
        let mut out = None;
        if let Some(roi) = self.roi {
            let tracked = self.landmarks.run(bgr, roi)?;
            if tracked.pose_flag >= MIN_POSE_FLAG {
                out = Some(tracked);
            }
        }
        if out.is_none() {
            // Lost (or first frame): detect now, on this frame.
            self.detector_runs += 1;
            let dets = self.detector.detect(bgr, region)?;
            if let Some(det) = pick_lifter(&dets, self.last_seen, bar_hint) {
                let roi = Roi::from_alignment(det.keypoints[0], det.keypoints[1]);
                let found = self.landmarks.run(bgr, roi)?;
                if found.pose_flag >= MIN_POSE_FLAG {
                    self.filters.iter_mut().for_each(OneEuro::reset);
                    out = Some(found);
                }
            }
        }
        match &out {
            Some(o) => {
                let (p0, p1) = (o.points[33], o.points[34]);
                // Scale the speed by the body's size in pixels (MediaPipe's
                // value scaling) so the filter acts alike near and far.
                let scale = ((p0.x - p1.x).abs() + (p0.y - p1.y).abs()).max(1.0) / 2.0;
                let s = 1.0 / scale as f64;
                let f = &mut self.filters;
                let a = (
                    f[0].filter(time_s, p0.x as f64, s) as f32,
                    f[1].filter(time_s, p0.y as f64, s) as f32,
                );
                let b = (
                    f[2].filter(time_s, p1.x as f64, s) as f32,
                    f[3].filter(time_s, p1.y as f64, s) as f32,
                );
                let roi = Roi::from_alignment(a, b);
                self.last_seen = Some((roi.cx, roi.cy, roi.size));
                self.roi = Some(roi);
            }
            None => self.roi = None,
        }
        Ok(out)
    }
}

/// The lifter among several people: the one whose body holds the bar
/// (when the plate is being tracked), else the one nearest to where the
/// lifter was last seen; on the first detection, the largest and most
/// confident person (the lifter is filmed close and whole; passers-by
/// are further away).
pub fn pick_lifter(
    dets: &[Detection],
    last_seen: Option<(f32, f32, f32)>,
    bar_hint: Option<(f32, f32)>,
) -> Option<&Detection> {
    if let Some((bx, by)) = bar_hint {
        // Distance from the bar to each person's box, in box sizes.
        let off = |d: &Detection| {
            let dx = ((bx - d.cx).abs() - d.w / 2.0).max(0.0);
            let dy = ((by - d.cy).abs() - d.h / 2.0).max(0.0);
            (dx * dx + dy * dy).sqrt() / d.w.max(d.h).max(1.0)
        };
        let holding: Vec<&Detection> = dets.iter().filter(|d| off(d) < 0.25).collect();
        if holding.len() == 1 {
            return Some(holding[0]);
        }
    }
    match last_seen {
        Some((x, y, size)) => dets.iter().min_by(|a, b| {
            let d = |d: &Detection| ((d.keypoints[0].0 - x).powi(2) + (d.keypoints[0].1 - y).powi(2)).sqrt() / size;
            d(a).total_cmp(&d(b))
        }),
        None => dets
            .iter()
            .max_by(|a, b| (a.w * a.h * a.score).total_cmp(&(b.w * b.h * b.score))),
    }
}

impl LandmarkOutput {
    pub fn raw_pose(&self) -> RawPose {
        RawPose {
            pose_flag: self.pose_flag,
            points: std::array::from_fn(|i| self.points[i.min(BODY_POINTS - 1)]),
            outline: super::outline::torso_outline(&self.points, &self.roi, &self.mask),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(cx: f32, w: f32) -> Detection {
        Detection {
            score: 0.9,
            cx,
            cy: 300.0,
            w,
            h: 2.0 * w,
            keypoints: [(cx, 320.0); 4],
        }
    }

    #[test]
    fn the_person_holding_the_bar_is_the_lifter_not_a_bigger_passer_by() {
        let dets = [person(800.0, 300.0), person(300.0, 150.0)];
        // First detection, no bar yet: the largest person.
        assert_eq!(pick_lifter(&dets, None, None).unwrap().cx, 800.0);
        // The plate is tracked at the smaller person's hands.
        assert_eq!(
            pick_lifter(&dets, Some((800.0, 320.0, 300.0)), Some((310.0, 380.0)))
                .unwrap()
                .cx,
            300.0
        );
        // Without a bar, continuity with where the lifter was.
        assert_eq!(pick_lifter(&dets, Some((290.0, 320.0, 150.0)), None).unwrap().cx, 300.0);
    }
}
