//! Small patches of the picture found again in later frames, by
//! normalised cross-correlation: how the heel's rise (`crate::feet`) and
//! the hips' rise before the bar leaves the floor (`crate::liftoff`) are
//! read from the video rather than from the pose's points, which wobble
//! more than those movements.

use opencv::core::{self, Mat, Point, Rect};
use opencv::imgproc;
use opencv::prelude::*;

use crate::error::{CvContext, Result};
use crate::video::inside;

/// Grey pixels a patch is looked for in, and where the patch's own place
/// sits in them: the reach each way, less where the frame's edge cut it
/// (feet filmed near the bottom of the picture).
pub struct Window {
    pub grey: Mat,
    pub before: Point,
}

impl Window {
    /// The pixels round `patch` in `bgr` within `reach`, cut by the frame's
    /// edges; none when the patch's own place is cut.
    pub fn around(bgr: &Mat, patch: Rect, reach: i32) -> Result<Option<Window>> {
        if !inside(bgr, patch) {
            return Ok(None);
        }
        let (x0, y0) = ((patch.x - reach).max(0), (patch.y - reach).max(0));
        let x1 = (patch.x + patch.width + reach).min(bgr.cols());
        let y1 = (patch.y + patch.height + reach).min(bgr.rows());
        Ok(
            grey_region(bgr, Rect::new(x0, y0, x1 - x0, y1 - y0))?.map(|grey| Window {
                grey,
                before: Point::new(patch.x - x0, patch.y - y0),
            }),
        )
    }
}

/// Grey copy of `r` in `bgr`, if all of `r` is in the frame.
pub fn grey_region(bgr: &Mat, r: Rect) -> Result<Option<Mat>> {
    if !inside(bgr, r) {
        return Ok(None);
    }
    let roi = Mat::roi(bgr, r).cv("patch region")?;
    let mut grey = Mat::default();
    imgproc::cvt_color(&roi, &mut grey, imgproc::COLOR_BGR2GRAY, 0).cv("patch region grey")?;
    Ok(Some(grey))
}

/// Where `patch` fits best inside `window`: its shift from the patch's
/// own place (px, sub-pixel in y) and the match's normalised correlation;
/// none on the search's edge, where the true fit may lie beyond it.
pub fn best_shift(window: &Window, patch: &Mat) -> Result<Option<((f64, f64), f64)>> {
    let mut score = Mat::default();
    imgproc::match_template(
        &window.grey,
        patch,
        &mut score,
        imgproc::TM_CCOEFF_NORMED,
        &core::no_array(),
    )
    .cv("patch match")?;
    let (mut best, mut at) = (0.0, Point::default());
    core::min_max_loc(&score, None, Some(&mut best), None, Some(&mut at), &core::no_array()).cv("patch peak")?;
    if at.x <= 0 || at.y <= 0 || at.x >= score.cols() - 1 || at.y >= score.rows() - 1 {
        return Ok(None);
    }
    let s = |y: i32| -> Result<f64> { Ok(*score.at_2d::<f32>(y, at.x).cv("patch score")? as f64) };
    let (up, mid, down) = (s(at.y - 1)?, s(at.y)?, s(at.y + 1)?);
    let curve = up - 2.0 * mid + down;
    let sub = if curve < 0.0 { 0.5 * (up - down) / curve } else { 0.0 };
    let (dx, dy) = (at.x - window.before.x, at.y - window.before.y);
    Ok(Some(((dx as f64, dy as f64 + sub.clamp(-0.5, 0.5)), best)))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A `size`-square grey picture of a soft round blob centred at (cx, cy).
    pub(crate) fn blob(cx: f64, cy: f64, size: i32) -> Mat {
        Mat::new_rows_cols_with_data(
            size,
            size,
            &(0..size * size)
                .map(|k| {
                    let (x, y) = ((k % size) as f64, (k / size) as f64);
                    (200.0 * (-((x - cx).powi(2) + (y - cy).powi(2)) / 30.0).exp()) as u8
                })
                .collect::<Vec<u8>>(),
        )
        .unwrap()
        .try_clone()
        .unwrap()
    }

    #[test]
    fn a_shift_is_found_to_a_fraction_of_a_pixel() {
        let reach = 6;
        let around = |grey: Mat| Window {
            grey,
            before: Point::new(reach, reach),
        };
        let patch = blob(8.0, 8.0, 16);
        let r = reach as f64;
        let window = around(blob(8.0 + r + 2.0, 8.0 + r + 3.4, 16 + 2 * reach));
        let ((dx, dy), score) = best_shift(&window, &patch).unwrap().unwrap();
        assert_eq!(dx, 2.0);
        assert!((dy - 3.4).abs() < 0.2, "dy {dy}");
        assert!(score > 0.95);
        // Past the reach: no answer rather than the edge of the search.
        let far = around(blob(8.0 + r + 7.0, 8.0 + r, 16 + 2 * reach));
        assert!(best_shift(&far, &patch).unwrap().is_none());
        // A window the frame's bottom edge cut (no room below the patch's
        // place) still finds a rise.
        let square = blob(8.0 + r, 8.0 + r - 3.0, 16 + 2 * reach);
        let cut = Mat::roi(&square, Rect::new(0, 0, 16 + 2 * reach, 16 + reach)).unwrap();
        let ((_, dy), _) = best_shift(&around(cut.try_clone().unwrap()), &patch).unwrap().unwrap();
        assert!((dy + 3.0).abs() < 0.2, "dy {dy}");
    }
}
