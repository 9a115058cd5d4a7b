//! How far the hips and the shoulders rise before the bar leaves the
//! floor, read from the picture.
//!
//! With the bar still on the floor and the arms straight, hips that rise
//! more than the shoulders tip the back over the bar before the pull has
//! begun: the deadlift's form of the hips shooting up. The pose's points
//! cannot be trusted for it: after a quick descent to the floor the
//! rendered pulls' hip point kept settling for half a second while the body
//! was still (5-10 cm of false rise), as much as a real lifter's hips rise.
//! The picture does not settle: a patch of the hips and one of the upper
//! back, cut where the pose put them at the start of the window and found
//! again frame by frame, move only when the body does.
//!
//! Lifecycle: `LiftoffReader::plan` sets each deadlift rep's window (the
//! `liftoff_window_s` before the bar leaves the floor) and where its
//! patches sit; `process(index, frame)` follows them as the video is
//! decoded in order; `finish(frames)` gives the per-frame rises.

use opencv::core::{Mat, Rect};

use crate::bar::BarTrack;
use crate::error::Result;
use crate::faults::FaultProfile;
use crate::patch::{best_shift, grey_region, Window};
use crate::reps::{Lift, Rep};
use crate::skeleton::{Joint, SagittalTrack};

/// Patch half-size as a share of the hip-shoulder distance: big enough for
/// the shirt's folds and the outline of the back, small enough that the
/// torso's tipping (10-15 degrees in a second) barely turns it.
const PATCH_TORSO_SHARE: f64 = 0.12;
/// Search reach from the last frame's place, in patch half-sizes: the hips
/// rise about 3 cm a frame at most before the bar moves.
const REACH_HALVES: f64 = 0.5;

/// LIFTLENS_DEBUG_LIFTOFF=1 prints every patch match to stderr; read once,
/// not on every frame.
fn debug_trace() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("LIFTLENS_DEBUG_LIFTOFF").is_some())
}

/// One frame's reading: how far each patch has risen since the window's
/// first frame (px, up positive); the shoulders' patch may be lost while
/// the hips' is still followed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LiftoffReading {
    pub hip_rise_px: f64,
    pub shoulder_rise_px: Option<f64>,
}

/// One patch followed through the window: the template it is matched
/// with, where that was cut, and the body's rise when it was.
struct Follow {
    template: Mat,
    cut: Rect,
    /// The body's shift since the window began (px, y down) when
    /// `template` was cut.
    shift_at_cut: (f64, f64),
    /// Where the patch is now: the template's place shifted by this.
    now: (f64, f64),
    lost: bool,
}

impl Follow {
    fn start(bgr: &Mat, at: Rect) -> Result<Option<Follow>> {
        Ok(grey_region(bgr, at)?.map(|template| Follow {
            template,
            cut: at,
            shift_at_cut: (0.0, 0.0),
            now: (0.0, 0.0),
            lost: false,
        }))
    }

    /// The body's shift since the window began (px, y down).
    fn shift(&self) -> (f64, f64) {
        (self.shift_at_cut.0 + self.now.0, self.shift_at_cut.1 + self.now.1)
    }

    /// The template's place shifted to where the patch is now, to the pixel.
    fn placed(&self) -> Rect {
        Rect::new(
            self.cut.x + self.now.0.round() as i32,
            self.cut.y + self.now.1.round() as i32,
            self.cut.width,
            self.cut.height,
        )
    }

    /// Find the patch in the next frame near where it was; lost for good
    /// below `min_match`. Below `reanchor` (the shirt folding, the torso
    /// turning) the template is cut afresh where it was found, so a slow
    /// change of look is followed without letting the place drift.
    fn step(&mut self, bgr: &Mat, reach: i32, min_match: f64, reanchor: f64) -> Result<()> {
        if self.lost {
            return Ok(());
        }
        let guess = self.placed();
        // A best match on the search's edge may lie beyond it: look once
        // more, twice as far.
        let mut found = None;
        for r in [reach, 2 * reach] {
            found = match Window::around(bgr, guess, r)? {
                Some(w) => best_shift(&w, &self.template)?,
                None => None,
            };
            if found.is_some() {
                break;
            }
        }
        if debug_trace() {
            eprintln!("liftoff: patch at {:?} found {found:?}", (self.cut.x, self.cut.y));
        }
        let Some(((dx, dy), score)) = found.filter(|f| f.1 >= min_match) else {
            self.lost = true;
            return Ok(());
        };
        self.now = ((guess.x - self.cut.x) as f64 + dx, (guess.y - self.cut.y) as f64 + dy);
        if score < reanchor {
            let at = self.placed();
            if let Some(template) = grey_region(bgr, at)? {
                // The new template moves with the body from here: the
                // body's shift so far is where it starts counting.
                self.shift_at_cut = self.shift();
                self.now = (0.0, 0.0);
                self.template = template;
                self.cut = at;
            }
        }
        Ok(())
    }
}

/// One rep's window: from `first` to `liftoff` (the bar's last frame on
/// the floor), and the patches' places at `first`.
struct RepPlan {
    first: usize,
    liftoff: usize,
    hip: Rect,
    shoulder: Rect,
    reach: i32,
    follows: Option<(Follow, Option<Follow>)>,
    readings: Vec<Option<LiftoffReading>>,
}

/// Follows the hips and shoulders before each deadlift rep's bar leaves
/// the floor, from one decode of the video.
pub struct LiftoffReader {
    plans: Vec<RepPlan>,
    min_match: f64,
    reanchor: f64,
}

/// The window's first frame and the frame the bar leaves the floor: the
/// last of the `window_s` before the rep's `start` (not before
/// `not_before`) where the bar's height (m) is within `rest_m` of its
/// lowest there. The rep's own start comes a few frames later, once the
/// bar is moving clearly. The window holds only the frames the bar rests
/// on the floor up to then: a bar lowered into it (a set that begins
/// standing) moves the whole body, and the hips' way down is not a rise.
pub fn liftoff_frame(
    times: &[f64],
    bar_height_m: impl Fn(usize) -> Option<f64>,
    start: usize,
    not_before: usize,
    window_s: f64,
    rest_m: f64,
) -> Option<(usize, usize)> {
    let start = start.min(times.len().checked_sub(1)?);
    let from = (not_before..=start).find(|&i| times[i] >= times[start] - window_s - 1e-9)?;
    let heights: Vec<(usize, f64)> = (from..=start).filter_map(|i| Some((i, bar_height_m(i)?))).collect();
    let rest = heights.iter().map(|h| h.1).reduce(f64::min)?;
    let resting = |h: &(usize, f64)| h.1 <= rest + rest_m;
    let at = heights.iter().rposition(resting)?;
    let settled = heights[..=at]
        .iter()
        .enumerate()
        .rev()
        .take_while(|(k, h)| resting(h) && (*k == at || heights[k + 1].0 == h.0 + 1))
        .last()
        .map_or(heights[at].0, |(_, h)| h.0);
    Some((settled, heights[at].0))
}

impl LiftoffReader {
    /// Each deadlift rep's window and patches; a rep without the hips and
    /// shoulders in the pose at the window's start, or whose start the
    /// clip cut, is not read.
    pub fn plan(
        times: &[f64],
        track: &SagittalTrack,
        bar: &BarTrack,
        reps: &[Rep],
        lift: Lift,
        p: &FaultProfile,
    ) -> Self {
        let mut plans = Vec::new();
        if lift == Lift::Deadlift {
            let mut not_before = 0;
            for rep in reps {
                let floor = not_before;
                not_before = rep.end_frame.max(not_before);
                if rep.starts_before_clip {
                    continue;
                }
                let Some((first, liftoff)) = liftoff_frame(
                    times,
                    |i| Some(bar.at(i)?.y_m),
                    rep.start_frame,
                    floor,
                    p.liftoff_window_s,
                    p.liftoff_bar_rest_m,
                ) else {
                    continue;
                };
                let sure = |j: Joint| track.point(first, j).filter(|q| q.conf >= 0.5).map(|q| (q.x, q.y));
                let (Some(hip), Some(shoulder)) = (sure(Joint::Hip), sure(Joint::Shoulder)) else {
                    continue;
                };
                let torso_px = (hip.0 - shoulder.0).hypot(hip.1 - shoulder.1);
                let half = (PATCH_TORSO_SHARE * torso_px).round().max(6.0) as i32;
                let patch = |at: (f64, f64)| {
                    Rect::new(
                        at.0.round() as i32 - half,
                        at.1.round() as i32 - half,
                        2 * half,
                        2 * half,
                    )
                };
                plans.push(RepPlan {
                    first,
                    liftoff,
                    hip: patch(hip),
                    shoulder: patch(shoulder),
                    reach: (REACH_HALVES * half as f64).round().max(3.0) as i32,
                    follows: None,
                    readings: vec![None; liftoff + 1 - first],
                });
            }
        }
        LiftoffReader {
            plans,
            min_match: p.liftoff_min_match,
            reanchor: p.liftoff_reanchor_match,
        }
    }

    /// No rep can be read: the video need not be decoded for this.
    pub fn is_idle(&self) -> bool {
        self.plans.is_empty()
    }

    /// The last frame any rep needs.
    pub fn last_frame(&self) -> usize {
        self.plans.iter().map(|pl| pl.liftoff).max().unwrap_or(0)
    }

    /// Frames go in increasing order; frames outside the windows are skipped.
    pub fn process(&mut self, index: usize, bgr: &Mat) -> Result<()> {
        let (min_match, reanchor) = (self.min_match, self.reanchor);
        for plan in self
            .plans
            .iter_mut()
            .filter(|pl| (pl.first..=pl.liftoff).contains(&index))
        {
            if index == plan.first {
                plan.follows = Follow::start(bgr, plan.hip)?.map(|h| (h, None));
                if let Some((_, shoulder)) = plan.follows.as_mut() {
                    *shoulder = Follow::start(bgr, plan.shoulder)?;
                }
            } else if let Some((hip, shoulder)) = plan.follows.as_mut() {
                hip.step(bgr, plan.reach, min_match, reanchor)?;
                if let Some(s) = shoulder.as_mut() {
                    s.step(bgr, plan.reach, min_match, reanchor)?;
                }
            }
            let Some((hip, shoulder)) = &plan.follows else { continue };
            if !hip.lost {
                plan.readings[index - plan.first] = Some(LiftoffReading {
                    hip_rise_px: -hip.shift().1,
                    shoulder_rise_px: shoulder.as_ref().filter(|s| !s.lost).map(|s| -s.shift().1),
                });
            }
        }
        Ok(())
    }

    /// Per frame of a clip of `frames` frames, the rises read (`None`
    /// outside the windows and once the hips' patch was lost).
    pub fn finish(self, frames: usize) -> Vec<Option<LiftoffReading>> {
        let mut out = vec![None; frames];
        for plan in self.plans {
            for (k, r) in plan.readings.into_iter().enumerate() {
                if let Some(slot) = out.get_mut(plan.first + k) {
                    *slot = r;
                }
            }
        }
        out
    }
}

/// liftoff.csv: one row per frame (`frame,time_s,hip_rise_px,
/// shoulder_rise_px`, empty outside the windows), so a rerun from the
/// stored poses without the video still has them.
pub fn write_liftoff_csv(path: &std::path::Path, times: &[f64], rises: &[Option<LiftoffReading>]) -> Result<()> {
    use std::fmt::Write as _;
    let mut out = String::from("frame,time_s,hip_rise_px,shoulder_rise_px\n");
    for (i, &t) in times.iter().enumerate() {
        let _ = match rises.get(i).copied().flatten() {
            Some(r) => match r.shoulder_rise_px {
                Some(s) => writeln!(out, "{i},{t:.6},{:.3},{s:.3}", r.hip_rise_px),
                None => writeln!(out, "{i},{t:.6},{:.3},", r.hip_rise_px),
            },
            None => writeln!(out, "{i},{t:.6},,"),
        };
    }
    crate::report::write_atomic(path, out.as_bytes())
}

/// The readings a liftoff.csv stored, for a clip of `frames` frames.
pub fn read_liftoff_csv(path: &std::path::Path, frames: usize) -> Result<Vec<Option<LiftoffReading>>> {
    let file = crate::report::CsvFile::read(path)?;
    let (hip, shoulder) = (file.col("hip_rise_px")?, file.col("shoulder_rise_px")?);
    let mut out = vec![None; frames];
    for (k, c) in file.frame_rows(frames)? {
        let num = |i: usize| c[i].trim().parse::<f64>().ok();
        if let Some(hip_rise_px) = num(hip) {
            out[k] = Some(LiftoffReading {
                hip_rise_px,
                shoulder_rise_px: num(shoulder),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use opencv::core::{Scalar, Vec3b, CV_8UC3};
    use opencv::prelude::*;

    /// A 160x240 frame of plain wall with two textured blocks (a hip at
    /// x 40-80 and a shoulder at x 100-140); the hip block `hip_up` px
    /// higher than at y 120-160, the shoulder block at y 60-100.
    fn body_frame(hip_up: f64) -> Mat {
        let mut m = Mat::new_rows_cols_with_default(240, 160, CV_8UC3, Scalar::all(120.0)).unwrap();
        let texture =
            |x: f64, y: f64| (128.0 + 60.0 * (x / 3.0).sin() * (y / 4.0).cos() + 40.0 * (x * y / 50.0).sin()) as u8;
        for y in 0..240 {
            for x in 0..160 {
                let (xf, yf) = (x as f64, y as f64);
                let v = if (40..80).contains(&x) && (120.0 - hip_up..160.0 - hip_up).contains(&yf) {
                    Some(texture(xf, yf + hip_up))
                } else if (100..140).contains(&x) && (60..100).contains(&y) {
                    Some(texture(xf + 7.0, yf))
                } else {
                    None
                };
                if let Some(v) = v {
                    *m.at_2d_mut::<Vec3b>(y, x).unwrap() = Vec3b::from([v, v, v]);
                }
            }
        }
        m
    }

    #[test]
    fn a_rising_patch_is_followed_and_a_still_one_stays_put() {
        let (hip, shoulder) = (Rect::new(48, 128, 24, 24), Rect::new(108, 68, 24, 24));
        // Cut afresh every frame (a match below 1.01): the rise must still
        // add up without drifting.
        for reanchor in [0.9, 1.01] {
            let first = body_frame(0.0);
            let mut h = Follow::start(&first, hip).unwrap().unwrap();
            let mut s = Follow::start(&first, shoulder).unwrap().unwrap();
            for k in 1..=12 {
                let frame = body_frame(1.5 * k as f64);
                h.step(&frame, 6, 0.7, reanchor).unwrap();
                s.step(&frame, 6, 0.7, reanchor).unwrap();
            }
            assert!(!h.lost && !s.lost);
            assert!(
                (h.shift().1 + 18.0).abs() < 0.5,
                "reanchor {reanchor}: hip {:?}",
                h.shift()
            );
            assert!(s.shift().1.abs() < 0.5 && s.shift().0.abs() < 0.5, "{:?}", s.shift());
        }
        // A patch that leaves the picture's texture is lost, not guessed.
        let mut h = Follow::start(&body_frame(0.0), hip).unwrap().unwrap();
        let blank = Mat::new_rows_cols_with_default(240, 160, CV_8UC3, Scalar::all(120.0)).unwrap();
        h.step(&blank, 6, 0.7, 0.9).unwrap();
        assert!(h.lost);
    }

    #[test]
    fn the_bar_leaves_the_floor_at_its_last_frame_at_rest() {
        let times: Vec<f64> = (0..100).map(|i| i as f64 / 30.0).collect();
        // Resting at 0.225 m (a few mm of noise and the slack taken up),
        // moving from frame 70, the rep found moving at frame 75.
        let height = |i: usize| {
            Some(match i {
                0..=69 => 0.225 + 0.002 * (i % 3) as f64,
                _ => 0.225 + 0.01 * (i - 69) as f64,
            })
        };
        assert_eq!(liftoff_frame(&times, height, 75, 0, 1.5, 0.005), Some((30, 69)));
        // Not before the previous rep's end.
        assert_eq!(liftoff_frame(&times, height, 75, 50, 1.5, 0.005), Some((50, 69)));
        // A bar lowered to the floor at frame 60 (bichraix bad011 begins
        // standing): the window starts there.
        let lowered = |i: usize| height(i).map(|h| if i < 60 { h + 0.01 * (60 - i) as f64 } else { h });
        assert_eq!(liftoff_frame(&times, lowered, 75, 0, 1.5, 0.005), Some((60, 69)));
        // A frame with no bar breaks the rest too.
        let gap = |i: usize| (i != 64).then(|| height(i)).flatten();
        assert_eq!(liftoff_frame(&times, gap, 75, 0, 1.5, 0.005), Some((65, 69)));
        // No bar: no window.
        assert_eq!(liftoff_frame(&times, |_| None, 75, 0, 1.5, 0.005), None);
    }

    #[test]
    fn liftoff_csv_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("liftoff.csv");
        let times = [0.0, 0.1, 0.2, 0.3];
        let rises = vec![
            None,
            Some(LiftoffReading {
                hip_rise_px: 1.5,
                shoulder_rise_px: Some(-0.25),
            }),
            Some(LiftoffReading {
                hip_rise_px: 12.0,
                shoulder_rise_px: None,
            }),
            None,
        ];
        write_liftoff_csv(&path, &times, &rises).unwrap();
        assert_eq!(read_liftoff_csv(&path, 4).unwrap(), rises);
    }
}
