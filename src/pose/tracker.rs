//! Frame-to-frame tracking: the detector finds the lifter once, then the
//! landmark model's own alignment points (33, 34) place the next crop.

use std::path::Path;

use opencv::core::{Mat, Rect};
use opencv::prelude::*;

use super::detector::{Detection, Detector};
use super::engine::Backend;
use super::landmarks::{LandmarkModel, LandmarkOutput, Roi, BODY_POINTS, INPUT};
use super::{PoseModel, RawPose, DETECTOR_FILE};
use crate::error::Result;
use crate::profile::PoseProfile;
use crate::signal::OneEuro;

/// Re-crops tried per frame when the person runs off the crop's bottom edge.
const MAX_REFITS: usize = 3;
/// Each re-crop moves the crop this share of its side down the body axis.
const REFIT_STEP: f32 = 0.1;

pub struct PoseTracker {
    detector: Detector,
    landmarks: LandmarkModel,
    roi: Option<Roi>,
    /// Below `min_pose_flag` (MediaPipe's 0.5) the crop has lost the person.
    min_pose_flag: f32,
    /// A tracked crop whose flag dips below `min_pose_flag` but stays at or
    /// above `coast_min_flag` keeps following the body when the detector
    /// cannot re-find it. At the bottom of a side-on squat the plate hides
    /// the head and upper back; the detector (which keys on the face) then
    /// puts the person on the plate, while the crop that followed the body
    /// down still holds it. Such frames keep their low flag in poses.csv and
    /// `[pose] min_pose_flag` decides on them again in fusion.
    settings: crate::profile::TrackerProfile,
    /// When the current run of low-flag frames began.
    coast_since: Option<f64>,
    /// Where the lifter was last seen (centre, crop size): a re-detection
    /// picks the person nearest to it, not whoever walks past.
    last_seen: Option<(f32, f32, f32)>,
    /// MediaPipe steadies the alignment points before building the next crop.
    filters: [OneEuro; 4],
    pub detector_runs: usize,
}

impl PoseTracker {
    pub fn load(backend: Backend, models: &Path, model: PoseModel, profile: &PoseProfile) -> Result<Self> {
        Ok(PoseTracker {
            detector: Detector::load(backend, &models.join(DETECTOR_FILE))?,
            landmarks: LandmarkModel::load(backend, &models.join(model.file_name()))?,
            roi: None,
            min_pose_flag: profile.min_pose_flag,
            settings: profile.tracker.clone(),
            coast_since: None,
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
        let image = (bgr.cols() as f32, bgr.rows() as f32);
        let mut out = None;
        let mut coast = None;
        let mut refitted = false;
        if let Some(roi) = self.roi {
            let tracked = self.landmarks.run(bgr, roi)?;
            let (tracked, moved) = self.refit(bgr, tracked, image)?;
            refitted |= moved;
            // A microsecond's slack so 45 frames at 30 fps make 1.5 s.
            let coasted_s = self.coast_since.map_or(0.0, |t0| time_s - t0);
            if tracked.pose_flag >= self.min_pose_flag {
                out = Some(tracked);
            } else if tracked.pose_flag >= self.settings.coast_min_flag && coasted_s < self.settings.max_coast_s - 1e-6
            {
                coast = Some(tracked);
            }
        }
        if out.is_none() {
            // Lost (or first frame): detect now, on this frame.
            self.detector_runs += 1;
            // Zoomed-in looks only until the lifter is first found: later,
            // on a frame that loses them, they could find a bystander.
            let dets = if self.last_seen.is_none() {
                self.detector.detect_or_zoom(bgr, region)?
            } else {
                self.detector.detect(bgr, region)?
            };
            if let Some(det) = pick_lifter(&dets, self.last_seen, bar_hint) {
                let roi = Roi::from_alignment(det.keypoints[0], det.keypoints[1]);
                let found = self.landmarks.run(bgr, roi)?;
                let (found, _) = self.refit(bgr, found, image)?;
                if found.pose_flag >= self.min_pose_flag {
                    refitted = true;
                    out = Some(found);
                }
            }
        }
        if out.is_some() {
            self.coast_since = None;
        } else if coast.is_some() {
            self.coast_since.get_or_insert(time_s);
            out = coast;
        }
        if refitted {
            // A new crop is a fresh start: do not smooth towards the old one.
            self.filters.iter_mut().for_each(OneEuro::reset);
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

    /// The clip cut to another shot: the lifter may be anywhere in it, so
    /// nothing learnt from the last shot (crop, where they were, the
    /// steadied alignment points) carries over.
    pub fn new_shot(&mut self) {
        self.roi = None;
        self.coast_since = None;
        self.last_seen = None;
        self.filters.iter_mut().for_each(OneEuro::reset);
    }

    /// Re-crop while the person mask runs off the bottom of the crop past
    /// the predicted feet. The landmark model can settle on a shrunken body
    /// that fits its crop: in a side-on squat the round plate sits where a
    /// head would be, the detector centres the person on it, and every later
    /// crop, built from the model's own alignment points, keeps the error
    /// (the feet land 20-30 % of the body height above the floor). The
    /// segmentation mask still shows the legs continuing below, so the crop
    /// is moved down the body axis until the feet are inside it. Measured
    /// with the scorer on the rendered squat_above_parallel: median keypoint
    /// error 64 -> 32 px, torso angle error 7.5 -> 3.1 deg; deadlifts and
    /// the real clips unchanged (their feet are always in the crop).
    fn refit(&mut self, bgr: &Mat, mut out: LandmarkOutput, image: (f32, f32)) -> Result<(LandmarkOutput, bool)> {
        let mut moved = false;
        for _ in 0..MAX_REFITS {
            let cut = feet_cut_off(&out, image, self.settings.feet_cut_min_share);
            if out.pose_flag < self.settings.coast_min_flag || cut.is_none() {
                break;
            }
            let r = out.roi;
            let (cx, cy) = r.to_image(INPUT as f32 / 2.0, INPUT as f32 * (0.5 + REFIT_STEP));
            let next = self.landmarks.run(bgr, Roi { cx, cy, ..r })?;
            let floor = out.pose_flag - self.settings.refit_max_flag_drop;
            if next.pose_flag < self.settings.coast_min_flag.max(floor) {
                break;
            }
            out = next;
            moved = true;
        }
        Ok((out, moved))
    }
}

/// How far (share of the crop side) the person mask runs on past the
/// lowest foot landmark when the crop's bottom edge cuts it, or `None` when
/// it is `min_share` or less, the feet are inside the crop, or the picture
/// itself ends there. With the
/// feet in view the mask ends 0.02-0.03 of the crop below the heel (shoe
/// and shadow; rendered squat frames); on the shrunken fits the heel sat
/// 0.10-0.20 above the crop's edge (`[pose.tracker] feet_cut_min_share`).
pub fn feet_cut_off(out: &LandmarkOutput, image: (f32, f32), min_share: f32) -> Option<f32> {
    let n = INPUT;
    if out.mask.len() != n * n {
        return None;
    }
    // The crop's bottom edge must lie inside the picture: a lifter cut by
    // the frame cannot be found by moving the crop.
    let (bx, by) = out.roi.to_image(n as f32 / 2.0, n as f32);
    if !(0.0..image.0).contains(&bx) || by > image.1 - 2.0 {
        return None;
    }
    let band = (n - 3..n)
        .map(|v| (0..n).filter(|&u| out.mask[v * n + u] > 0.5).count())
        .max()?;
    if band < 3 {
        return None;
    }
    let lowest_foot = (27..=32)
        .map(|k| out.roi.to_crop(out.points[k].x, out.points[k].y).1)
        .fold(f32::MIN, f32::max);
    let cut = 1.0 - lowest_foot / n as f32;
    (cut > min_share).then_some(cut)
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

    /// An upright 200 px crop centred at (500, 500) whose mask fills the
    /// middle columns from the top down to `mask_to` (crop share), with
    /// every foot point at `feet_at`.
    fn crop(mask_to: f32, feet_at: f32) -> LandmarkOutput {
        let roi = Roi {
            cx: 500.0,
            cy: 500.0,
            size: 200.0,
            rotation: 0.0,
        };
        let n = INPUT;
        let mut mask = vec![0.0; n * n];
        for v in 0..((mask_to * n as f32) as usize).min(n) {
            for u in n / 2 - 10..n / 2 + 10 {
                mask[v * n + u] = 1.0;
            }
        }
        let mut points = [crate::pose::Landmark::default(); crate::pose::landmarks::ROWS];
        let (x, y) = roi.to_image(n as f32 / 2.0, feet_at * n as f32);
        for p in points.iter_mut() {
            p.x = x;
            p.y = y;
        }
        LandmarkOutput {
            roi,
            pose_flag: 0.9,
            points,
            mask,
        }
    }

    #[test]
    fn a_body_running_off_the_crop_below_its_feet_is_cut_off() {
        let frame = (1000.0, 1000.0);
        let cut = feet_cut_off(&crop(1.0, 0.75), frame, 0.1).expect("legs continue below the feet");
        assert!((cut - 0.25).abs() < 0.01, "{cut}");
        // Feet at the crop's edge: the mask reaching it is shoe and shadow.
        assert!(feet_cut_off(&crop(1.0, 0.95), frame, 0.1).is_none());
        // The mask ends inside the crop: the whole body is in view.
        assert!(feet_cut_off(&crop(0.9, 0.75), frame, 0.1).is_none());
        // The picture ends at the crop's edge: moving the crop cannot help.
        assert!(feet_cut_off(&crop(1.0, 0.75), (1000.0, 600.0), 0.1).is_none());
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
