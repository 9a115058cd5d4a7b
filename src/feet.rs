//! The heel's rise read from the picture, not from the pose's heel point.
//!
//! BlazePose's heel and toe points wobble 3-7 cm on real clips whose feet
//! stay flat, more than a heel lift moves them, so the pose cannot say when
//! the heels come up. The shoe itself can: during a squat or a deadlift the
//! feet stay planted, so a patch of the heel that moves up against a patch
//! of the toes (which carry the weight when the heel lifts, and move with
//! the camera like everything else) is the heel coming off the floor.
//!
//! Lifecycle: once the reps are known, `HeelReader::plan` picks each rep's
//! flat-foot frame and where its heel and toe patches sit; `process(index,
//! frame)` over a decode of the video keeps those patches and the pixels
//! round them in the rep's frames (the planted feet stay put, so the
//! pose's per-frame foot points, which jump at a squat's bottom, are not
//! needed); `finish(times)` matches them.

use opencv::core::{Mat, Rect};

use crate::error::Result;
use crate::faults::FaultProfile;
use crate::patch::{best_shift, grey_region, Window};
use crate::reps::{Lift, Rep};
use crate::signal::median;
use crate::skeleton::{Joint, SagittalTrack};

/// Patch half-size as a share of the foot's length: a quarter keeps the
/// heel patch on the shoe's back and the toe patch on its front.
const PATCH_FOOT_SHARE: f64 = 0.25;
/// Patches sit this share of their half-size above the heel and toe
/// points, which BlazePose puts at the sole.
const PATCH_LIFT_SHARE: f64 = 0.3;
/// The heel patch is this much as tall as the toe patch, on the same sole
/// line: a square one reached up onto the ankle, and the shin tipping
/// forward at the bottom of a squat dragged it up (clean squats read
/// 0.76-1.21 cm of heel lift, a held-out one over the 1.2 cm flag). Half
/// as tall (and before the standing level below), clean squats read -0.14
/// to 0.08 cm, while jeffchen heellift's labelled lift rose 1.70 -> 2.01
/// cm and squat_heel_lift's 2.66 -> 2.62.
const HEEL_PATCH_HEIGHT_SHARE: f64 = 0.5;
/// A flat foot drawn within this share of its length of the lowest one is
/// as good a reference, and the one nearest the standing frame is taken:
/// the pose's planted feet wobble a few pixels, about as much as a heel
/// already rising (a 3 px slack moved jeffchen heellift's reference 13
/// frames off its lockout onto a heel 2.5 px up, and its lift read 1.40
/// cm instead of 1.70).
const LOWEST_FOOT_SLACK_FEET: f64 = 0.2;
/// How far before a squat's start its standing heel is read (s), and
/// how many readings there give its level.
const STANDING_LOOKBACK_S: f64 = 0.5;
const MIN_STANDING_READINGS: usize = 5;
/// Search reach either way, in patch half-sizes (0.375 foot lengths: a
/// 9 cm heel rise on a 24 cm shoe).
const SEARCH_HALVES: f64 = 1.5;

/// One frame's reading of the near heel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeelReading {
    /// How far the heel patch rose against the toe patch since the rep's
    /// flat-foot frame (px, up positive).
    pub rise_px: f64,
    /// Where the heel patch's centre was found in this frame (px, y down).
    pub heel_px: (f64, f64),
}

/// One rep's plan: its frames, the flat-foot frame and the patches' places.
struct RepPlan {
    /// The first frame read: a squat's standing stretch before the rep
    /// (the heel's level there is the floor's), else the rep's start.
    first: usize,
    rep_first: usize,
    last: usize,
    reference: usize,
    foot_px: f64,
    reach: i32,
    heel: Rect,
    toe: Rect,
    /// From the reference frame: the heel and toe patches.
    patches: Option<(Mat, Mat)>,
    /// Per frame of the rep: the grey pixels the heel and toe patches are
    /// looked for in (each patch's place grown by the reach).
    windows: Vec<Option<(Window, Window)>>,
}

/// Reads the heel's rise in every rep from one decode of the video.
pub struct HeelReader {
    plans: Vec<RepPlan>,
    profile: FaultProfile,
}

/// The frame a rep's flat foot is taken from: standing, where the lifter's
/// weight is over the whole foot. A deadlift stands at its lockout; a squat
/// before it goes down (after it comes up when the clip began mid-rep).
fn standing_frame(rep: &Rep, lift: Lift) -> usize {
    match lift {
        Lift::Deadlift => rep.key_frame,
        Lift::Squat if rep.starts_before_clip => rep.end_frame,
        Lift::Squat => rep.start_frame,
    }
}

/// The first frame of the stretch a squatter stands in before the rep,
/// read to find the heel's level on the floor: up to
/// `STANDING_LOOKBACK_S` before the rep, not before the previous rep's
/// end. The heels can start up with the first inch of the descent, so
/// the flat-foot frame the patches come from (the first in the rep whose
/// pose draws a flat foot) may have the heel up already: a held-out
/// rendered squat's came 0.3 s in, its heel 2.3 px up, and its 2.5 cm
/// lift read 1.20 cm. A deadlift stands at its lockout, inside the rep.
fn standing_before(times: &[f64], reps: &[Rep], k: usize, lift: Lift) -> usize {
    let rep = &reps[k];
    if lift != Lift::Squat || rep.starts_before_clip {
        return rep.start_frame;
    }
    let t0 = times.get(rep.start_frame).copied().unwrap_or(0.0) - STANDING_LOOKBACK_S;
    let lookback = times.partition_point(|&t| t < t0);
    let after_previous = reps[..k].iter().map(|r| r.end_frame + 1).max().unwrap_or(0);
    lookback.max(after_previous).min(rep.start_frame)
}

/// The near heel and toe (px) at frame `i`, when both are sure enough and
/// they draw a flat foot of a foot's length: heel and toe points put on
/// the shin or a foot seen end on are no reference.
fn flat_foot(
    track: &SagittalTrack,
    i: usize,
    metres_per_px: f64,
    p: &FaultProfile,
) -> Option<((f64, f64), (f64, f64))> {
    let heel = track.point(i, Joint::Heel).filter(|q| q.conf >= 0.5)?;
    let toe = track.point(i, Joint::Toe).filter(|q| q.conf >= 0.5)?;
    let (dx, dy) = (toe.x - heel.x, toe.y - heel.y);
    let slope_deg = dy.abs().atan2(dx.abs()).to_degrees();
    let length_m = dx.hypot(dy) * metres_per_px;
    let [shortest, longest] = p.heel_ref_foot_m;
    let foot_like = (shortest..=longest).contains(&length_m) && dx.hypot(dy) > 8.0;
    (foot_like && slope_deg <= p.heel_ref_max_foot_deg).then_some(((heel.x, heel.y), (toe.x, toe.y)))
}

impl HeelReader {
    /// Each rep's flat-foot frame and its patches' places; a rep with no
    /// flat foot of a foot's length in view is not read. Of the frames
    /// that show one, the patches are cut where the foot was drawn lowest
    /// (within a fifth of its length; the nearest such to the standing
    /// frame): the floor stops a foot going lower, while the pose can draw
    /// a whole flat foot up on the ankle. It did so at the start of a
    /// held-out rendered squat (40 px up, heel and toe sure enough), the
    /// heel patch sat on the shin, and the shin tipping forward read as a
    /// false 1.65 cm heel lift.
    pub fn plan(
        times: &[f64],
        track: &SagittalTrack,
        metres_per_px: f64,
        reps: &[Rep],
        lift: Lift,
        p: &FaultProfile,
    ) -> Self {
        let plans = reps
            .iter()
            .enumerate()
            .filter(|(_, r)| r.start_frame <= r.end_frame)
            .filter_map(|(k, rep)| {
                let (first, last) = (rep.start_frame, rep.end_frame);
                let anchor = standing_frame(rep, lift).clamp(first, last);
                let mut order: Vec<usize> = (first..=last).collect();
                order.sort_by_key(|&i| i.abs_diff(anchor));
                let feet: Vec<_> = order
                    .into_iter()
                    .filter_map(|i| flat_foot(track, i, metres_per_px, p).map(|f| (i, f)))
                    .collect();
                let low = |f: &((f64, f64), (f64, f64))| f.0 .1.max(f.1 .1);
                let lowest = feet.iter().map(|(_, f)| low(f)).fold(f64::NEG_INFINITY, f64::max);
                let (reference, (heel, toe)) = feet.into_iter().find(|(_, f)| {
                    let length = (f.1 .0 - f.0 .0).hypot(f.1 .1 - f.0 .1);
                    low(f) >= lowest - LOWEST_FOOT_SLACK_FEET * length
                })?;
                let foot_px = (toe.0 - heel.0).hypot(toe.1 - heel.1);
                let half = (PATCH_FOOT_SHARE * foot_px).round().max(6.0) as i32;
                let lift_px = PATCH_LIFT_SHARE * half as f64;
                let patch = |at: (f64, f64)| {
                    Rect::new(
                        at.0.round() as i32 - half,
                        (at.1 - lift_px).round() as i32 - half,
                        2 * half,
                        2 * half,
                    )
                };
                let standing_from = standing_before(times, reps, k, lift);
                Some(RepPlan {
                    first: standing_from,
                    rep_first: first,
                    last,
                    reference,
                    foot_px,
                    reach: (SEARCH_HALVES * half as f64).round() as i32,
                    heel: {
                        // Same sole line, less of the ankle above it.
                        let full = patch(heel);
                        let h = (HEEL_PATCH_HEIGHT_SHARE * full.height as f64).round() as i32;
                        Rect::new(full.x, full.y + full.height - h, full.width, h)
                    },
                    toe: patch(toe),
                    patches: None,
                    windows: (standing_from..=last).map(|_| None).collect(),
                })
            })
            .collect();
        HeelReader {
            plans,
            profile: p.clone(),
        }
    }

    /// No rep can be read: the video need not be decoded.
    pub fn is_idle(&self) -> bool {
        self.plans.is_empty()
    }

    /// The last frame any rep needs.
    pub fn last_frame(&self) -> usize {
        self.plans.iter().map(|pl| pl.last).max().unwrap_or(0)
    }

    /// Frames go in any order, each once; frames outside the reps are skipped.
    pub fn process(&mut self, index: usize, bgr: &Mat) -> Result<()> {
        for plan in self.plans.iter_mut().filter(|pl| (pl.first..=pl.last).contains(&index)) {
            if index == plan.reference {
                if let (Some(h), Some(t)) = (grey_region(bgr, plan.heel)?, grey_region(bgr, plan.toe)?) {
                    plan.patches = Some((h, t));
                }
            }
            if let (Some(h), Some(t)) = (
                Window::around(bgr, plan.heel, plan.reach)?,
                Window::around(bgr, plan.toe, plan.reach)?,
            ) {
                plan.windows[index - plan.first] = Some((h, t));
            }
        }
        Ok(())
    }

    /// Per frame (`times` gives the count and the clock), how far the near
    /// heel has risen against the toes since the rep's flat-foot frame and
    /// where the heel was; `None` where either patch was cut by the frame's
    /// edge, hidden, left its place sideways or matched poorly, and
    /// outside the reps. Each reading is the median of those within
    /// `heel_median_s` of it: a patch that locks onto something else for a
    /// few frames (the shin, a crease of the trousers, the plate passing)
    /// jumps and comes back, while heels stay up for a good part of a second.
    pub fn finish(self, times: &[f64]) -> Result<Vec<Option<HeelReading>>> {
        let p = &self.profile;
        let debug = std::env::var_os("LIFTLENS_DEBUG_HEEL").is_some();
        let mut rise = vec![None; times.len()];
        for plan in &self.plans {
            let Some((heel_patch, toe_patch)) = &plan.patches else {
                continue;
            };
            let centre = |r: Rect| (r.x as f64 + r.width as f64 / 2.0, r.y as f64 + r.height as f64 / 2.0);
            let heel_centre = centre(plan.heel);
            let mut read: Vec<(usize, f64, (f64, f64))> = Vec::new();
            for (k, window) in plan.windows.iter().enumerate() {
                let i = plan.first + k;
                let Some((heel_win, toe_win)) = window else { continue };
                let heel = best_shift(heel_win, heel_patch)?;
                let toe = best_shift(toe_win, toe_patch)?;
                let (Some((h, h_score)), Some((t, t_score))) = (heel, toe) else {
                    continue;
                };
                // A planted foot's heel swings up about the toes and barely
                // moves along the floor; a patch that slid off sideways has
                // locked onto the shin or the far foot instead.
                let slid = (h.0 - t.0).abs() > p.heel_max_slide_feet * plan.foot_px;
                if debug {
                    eprintln!(
                        "heel: ref {} frame {i} heel ({:.1},{:.1}) {h_score:.2} toe ({:.1},{:.1}) {t_score:.2} slid {slid}",
                        plan.reference, h.0, h.1, t.0, t.1
                    );
                }
                if h_score >= p.heel_min_match && t_score >= p.heel_min_match && !slid {
                    read.push((i, t.1 - h.1, (heel_centre.0 + h.0, heel_centre.1 + h.1)));
                }
            }
            // The rise counts from the heel's level while the lifter stood
            // before the rep, when that was read: the flat-foot frame the
            // patches were cut from may come after the heel began to rise.
            let standing: Vec<f64> = read.iter().filter(|r| r.0 < plan.rep_first).map(|r| r.1).collect();
            let floor = if standing.len() >= MIN_STANDING_READINGS {
                median(standing).unwrap_or(0.0)
            } else {
                0.0
            };
            let at = |i: usize| times.get(i).copied().unwrap_or(f64::NAN);
            for &(i, _, heel_px) in &read {
                let near = read
                    .iter()
                    .filter(|(j, ..)| (at(*j) - at(i)).abs() <= p.heel_median_s)
                    .map(|r| r.1 - floor);
                if let (Some(slot), Some(rise_px)) = (rise.get_mut(i), median(near)) {
                    *slot = Some(HeelReading { rise_px, heel_px });
                }
            }
        }
        Ok(rise)
    }
}

/// heels.csv: one row per frame (`frame,time_s,heel_rise_px,heel_x_px,
/// heel_y_px`, empty where the heel was not read), so a rerun from the
/// stored poses without the video still has the heel (as bar.csv keeps
/// the plate).
pub fn write_heels_csv(path: &std::path::Path, times: &[f64], heels: &[Option<HeelReading>]) -> Result<()> {
    use std::fmt::Write as _;
    let mut out = String::from("frame,time_s,heel_rise_px,heel_x_px,heel_y_px\n");
    for (i, &t) in times.iter().enumerate() {
        let _ = match heels.get(i).copied().flatten() {
            Some(h) => writeln!(out, "{i},{t:.6},{:.3},{:.3},{:.3}", h.rise_px, h.heel_px.0, h.heel_px.1),
            None => writeln!(out, "{i},{t:.6},,,"),
        };
    }
    crate::report::write_atomic(path, out.as_bytes())
}

/// The readings a heels.csv stored, for a clip of `frames` frames.
pub fn read_heels_csv(path: &std::path::Path, frames: usize) -> Result<Vec<Option<HeelReading>>> {
    let file = crate::report::CsvFile::read(path)?;
    let (rise, x, y) = (
        file.col("heel_rise_px")?,
        file.col("heel_x_px")?,
        file.col("heel_y_px")?,
    );
    let mut out = vec![None; frames];
    for (k, c) in file.frame_rows(frames)? {
        let num = |i: usize| c[i].trim().parse::<f64>().ok();
        if let (Some(rise_px), Some(hx), Some(hy)) = (num(rise), num(x), num(y)) {
            out[k] = Some(HeelReading {
                rise_px,
                heel_px: (hx, hy),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::skeleton::{Facing, FusedPoint, JOINTS};
    use opencv::core::{Scalar, Vec3b, CV_8UC3};
    use opencv::prelude::*;

    /// A 200x160 frame with a textured shoe on a plain floor, toes at x 138
    /// and heel at x 62 (sole at y 100); the heel half drawn `heel_up` px
    /// higher.
    fn shoe_frame(heel_up: i32) -> Mat {
        let mut m = Mat::new_rows_cols_with_default(160, 200, CV_8UC3, Scalar::all(90.0)).unwrap();
        for y in 80..100 {
            for x in 60..140 {
                // Blocks of 4 px with pseudo-random shades: texture to match.
                let k = ((x / 4) * 7919 + (y / 4) * 104_729) as u32;
                let shade = (k.wrapping_mul(2_654_435_761) >> 24) as u8;
                let y_drawn = if x < 100 { y - heel_up } else { y };
                *m.at_2d_mut::<Vec3b>(y_drawn, x).unwrap() = Vec3b::from([shade, shade, shade]);
            }
        }
        if heel_up > 0 {
            // The floor shows under the lifted heel.
            for y in 100 - heel_up..100 {
                for x in 60..100 {
                    *m.at_2d_mut::<Vec3b>(y, x).unwrap() = Vec3b::from([90, 90, 90]);
                }
            }
        }
        m
    }

    /// The clock of `n` frames at 30 fps.
    fn times_of(n: usize) -> Vec<f64> {
        (0..n).map(|i| i as f64 / 30.0).collect()
    }

    /// `n` frames of a pose with only a flat foot, heel at x 62 and toes
    /// at x 138, drawn at height `y_of(frame)`.
    fn flat_feet(n: usize, y_of: impl Fn(usize) -> f64) -> SagittalTrack {
        let mut joints = vec![[None; JOINTS]; n];
        for (i, j) in joints.iter_mut().enumerate() {
            let at = |x: f64| {
                Some(FusedPoint {
                    x,
                    y: y_of(i),
                    conf: 0.9,
                })
            };
            j[Joint::Heel.index()] = at(62.0);
            j[Joint::Toe.index()] = at(138.0);
        }
        SagittalTrack {
            facing: Facing::Right,
            facing_doubt: None,
            joints,
            confident: vec![true; n],
            torso_angle_deg: vec![None; n],
            thigh_px: 100.0,
            analysed: 0..n,
        }
    }

    #[test]
    fn the_patches_are_cut_where_the_pose_drew_the_foot_on_the_floor() {
        // The standing frame (0) draws a whole flat foot 40 px up the
        // ankle, sure enough; frames 10-20 draw it on the floor (y 100).
        let n = 30;
        let track = flat_feet(n, |i| if (10..=20).contains(&i) { 100.0 } else { 60.0 });
        let rep = crate::reps::test_rep(0, 15, n - 1, 30.0, 0.5);
        let p = FaultProfile::default();
        let reader = HeelReader::plan(
            &times_of(n),
            &track,
            0.0025,
            std::slice::from_ref(&rep),
            Lift::Squat,
            &p,
        );
        let plan = &reader.plans[0];
        // The floor frame nearest the squat's standing start.
        assert_eq!(plan.reference, 10);
        assert!(plan.heel.y + plan.heel.height > 95, "{:?}", plan.heel);
    }

    #[test]
    fn a_squat_s_heel_rise_counts_from_its_level_standing_before_the_rep() {
        // The heels start up with the descent at frame 15 (4 px, then 8
        // from frame 25); the pose's foot is unsure on frames 15-19, so the
        // patches come from frame 20, heel already 4 px up. The half second
        // stood before the rep puts the floor 4 px lower.
        let n = 40;
        let up = |i: usize| match i {
            15..=24 => 4,
            25..=32 => 8,
            _ => 0,
        };
        let mut track = flat_feet(n, |_| 100.0);
        for j in &mut track.joints[15..20] {
            for joint in [Joint::Heel, Joint::Toe] {
                if let Some(q) = j[joint.index()].as_mut() {
                    q.conf = 0.3;
                }
            }
        }
        let rep = crate::reps::test_rep(15, 28, n - 1, 30.0, 0.5);
        let p = FaultProfile::default();
        let times = times_of(n);
        let mut reader = HeelReader::plan(&times, &track, 0.0025, std::slice::from_ref(&rep), Lift::Squat, &p);
        assert_eq!(reader.plans[0].reference, 20);
        for i in 0..n {
            reader.process(i, &shoe_frame(up(i))).unwrap();
        }
        let rise = reader.finish(&times).unwrap();
        let at = |i: usize| rise[i].unwrap_or_else(|| panic!("frame {i} not read")).rise_px;
        for i in 3..=11 {
            assert!(at(i).abs() < 0.6, "frame {i}: {}", at(i));
        }
        for i in 18..=21 {
            assert!((at(i) - 4.0).abs() < 0.6, "frame {i}: {}", at(i));
        }
        for i in 28..=30 {
            assert!((at(i) - 8.0).abs() < 0.6, "frame {i}: {}", at(i));
        }
    }

    #[test]
    fn a_heel_drawn_higher_reads_as_its_rise_and_a_flat_foot_as_none() {
        let n = 40;
        let lifted = 15..=25;
        let track = flat_feet(n, |_| 100.0);
        // A pull standing at frame 30, its flat-foot frame.
        let rep = crate::reps::test_rep(0, 30, n - 1, 30.0, 0.5);
        let p = FaultProfile::default();
        // 76 px of foot at 2.5 mm/px: a 19 cm shoe.
        let mut reader = HeelReader::plan(
            &times_of(n),
            &track,
            0.0025,
            std::slice::from_ref(&rep),
            Lift::Deadlift,
            &p,
        );
        assert!(!reader.is_idle());
        for i in 0..n {
            let up = if lifted.contains(&i) { 8 } else { 0 };
            reader.process(i, &shoe_frame(up)).unwrap();
        }
        let times = times_of(n);
        let rise = reader.finish(&times).unwrap();
        for (i, r) in rise.iter().enumerate() {
            let reading = r.unwrap_or_else(|| panic!("frame {i} not read"));
            let r = reading.rise_px;
            // The heel patch's centre: 62 px across; down, the lower half
            // of a 38 px square about 100 - 0.3 x 19 px (the sole's edge
            // at 100 inside it), drawn 8 px higher while lifted.
            let up = if lifted.contains(&i) { 8.0 } else { 0.0 };
            assert!(
                (reading.heel_px.0 - 62.0).abs() < 1.1,
                "frame {i}: {:?}",
                reading.heel_px
            );
            assert!(
                (reading.heel_px.1 - (103.5 - up)).abs() < 1.1,
                "frame {i}: {:?}",
                reading.heel_px
            );
            if (18..=22).contains(&i) {
                assert!((r - 8.0).abs() < 0.6, "frame {i}: {r}");
            } else if !(12..=28).contains(&i) {
                assert!(r.abs() < 0.6, "frame {i}: {r}");
            }
        }
        // heels.csv keeps them (to 3 decimals) for a rerun without the video.
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("heels.csv");
        write_heels_csv(&csv, &times, &rise).unwrap();
        let back = read_heels_csv(&csv, n).unwrap();
        for (a, b) in rise.iter().zip(&back) {
            let (a, b) = (a.unwrap(), b.unwrap());
            assert!((a.rise_px - b.rise_px).abs() < 1e-3 && (a.heel_px.1 - b.heel_px.1).abs() < 1e-3);
        }
        assert!(
            read_heels_csv(&csv, n - 1).is_err(),
            "a file for another clip is refused"
        );
        // A foot the pose draws a few centimetres long is no reference.
        let tiny = HeelReader::plan(&times, &track, 0.0005, std::slice::from_ref(&rep), Lift::Deadlift, &p);
        assert!(tiny.is_idle());
    }
}
