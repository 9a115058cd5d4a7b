//! Sagittal skeleton: one near-side chain per frame from BlazePose's left and
//! right points.
//!
//! In a side view the model's left/right labels cannot be trusted: limbs
//! overlap, the plate hides one side, and labels swap. So each left/right
//! pair is fused into one point per frame, chosen by visibility, by a small
//! preference for the side that faces the camera, and by continuity with the
//! previous frame; physically impossible jumps are dropped, short gaps are
//! bridged, and each coordinate is smoothed per gap-free stretch.

use serde::{Deserialize, Serialize};

use crate::pose::RawPose;
use crate::profile::PoseProfile;
use crate::signal::{fill_short_gaps, median};

/// Which way the lifter faces in the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Facing {
    Left,
    Right,
}

impl Facing {
    /// As written in report.json.
    pub fn name(self) -> &'static str {
        match self {
            Facing::Right => "right",
            Facing::Left => "left",
        }
    }

    /// +1 when facing image +x.
    pub fn sign(self) -> f64 {
        match self {
            Facing::Right => 1.0,
            Facing::Left => -1.0,
        }
    }
}

/// Joints of the fused chain, head to toe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joint {
    Ear,
    Shoulder,
    Elbow,
    Wrist,
    Hip,
    Knee,
    Ankle,
    Heel,
    Toe,
}

impl Joint {
    pub const ALL: [Joint; 9] = [
        Joint::Ear,
        Joint::Shoulder,
        Joint::Elbow,
        Joint::Wrist,
        Joint::Hip,
        Joint::Knee,
        Joint::Ankle,
        Joint::Heel,
        Joint::Toe,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Joint::Ear => "ear",
            Joint::Shoulder => "shoulder",
            Joint::Elbow => "elbow",
            Joint::Wrist => "wrist",
            Joint::Hip => "hip",
            Joint::Knee => "knee",
            Joint::Ankle => "ankle",
            Joint::Heel => "heel",
            Joint::Toe => "toe",
        }
    }

    /// BlazePose (left, right) indices.
    pub fn pair(self) -> (usize, usize) {
        match self {
            Joint::Ear => (7, 8),
            Joint::Shoulder => (11, 12),
            Joint::Elbow => (13, 14),
            Joint::Wrist => (15, 16),
            Joint::Hip => (23, 24),
            Joint::Knee => (25, 26),
            Joint::Ankle => (27, 28),
            Joint::Heel => (29, 30),
            Joint::Toe => (31, 32),
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

pub const JOINTS: usize = 9;

/// A fused point in image pixels (y down) with its confidence (0-1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FusedPoint {
    pub x: f64,
    pub y: f64,
    pub conf: f64,
}

#[derive(Debug, Clone)]
pub struct SagittalTrack {
    pub facing: Facing,
    /// Set when the facing cues disagree: then "ahead" and "behind", and
    /// every angle signed by them, may be the wrong way round.
    pub facing_doubt: Option<String>,
    /// Per frame, per joint (`Joint::index`); `None` where no trustworthy point.
    pub joints: Vec<[Option<FusedPoint>; JOINTS]>,
    /// Frames where the hip and shoulder were measured (not bridged).
    pub confident: Vec<bool>,
    /// Hip-to-shoulder line from vertical, + = leaning towards the toes.
    pub torso_angle_deg: Vec<Option<f64>>,
    /// The lifter's thigh length in pixels (median), the yardstick for jumps.
    pub thigh_px: f64,
    /// The frames analysed: all of them, or the one shot of an edited clip chosen
    /// (the rest hold nothing). Coverages and shares are over these.
    pub analysed: std::ops::Range<usize>,
}

impl SagittalTrack {
    pub fn point(&self, frame: usize, joint: Joint) -> Option<FusedPoint> {
        self.joints.get(frame).and_then(|j| j[joint.index()])
    }

    /// The hip joint's height above the knee joint in metres (negative =
    /// below: a squat's depth), at `metres_per_px`.
    pub fn hip_above_knee_m(&self, frame: usize, metres_per_px: f64) -> Option<f64> {
        let (h, k) = (self.point(frame, Joint::Hip)?, self.point(frame, Joint::Knee)?);
        Some((k.y - h.y) * metres_per_px)
    }
}

fn dist(a: (f64, f64), b: (f64, f64)) -> f64 {
    ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
}

/// Torso angle from image points: the hip-to-shoulder line against vertical,
/// positive when the shoulders are ahead of the hips (towards the toes).
pub fn torso_angle_deg(facing: Facing, hip: (f64, f64), shoulder: (f64, f64)) -> f64 {
    let forward = (shoulder.0 - hip.0) * facing.sign();
    let up = hip.1 - shoulder.1; // image y points down
    forward.atan2(up).to_degrees()
}

/// One cue's say on the facing over the clip: `sum` of the votes (+ for
/// facing right, each weighted by the points' visibility) and their
/// `weight` (visibility-weighted side-frames that voted).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Vote {
    pub sum: f64,
    pub weight: f64,
}

impl Vote {
    fn add(&mut self, weight: f64, say: f64) {
        self.sum += weight * say;
        self.weight += weight;
    }

    /// In [-1, 1]: +1 when every vote says facing right.
    pub fn mean(&self) -> f64 {
        if self.weight > 0.0 {
            self.sum / self.weight
        } else {
            0.0
        }
    }
}

/// The three anatomical cues to the facing.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FacingVotes {
    /// Toes ahead of heels.
    pub toes: Vote,
    /// Nose ahead of ears (weak when the plate hides the head in a squat).
    pub nose: Vote,
    /// Knees bend forward: the turn from thigh to shin, by how much the leg
    /// is bent (a straight leg has no say).
    pub knees: Vote,
}

impl FacingVotes {
    pub fn count(poses: &[Option<RawPose>]) -> Self {
        let mut v = FacingVotes::default();
        for p in poses.iter().flatten() {
            let pts = &p.points;
            let w = |a: usize, b: usize| (pts[a].visibility * pts[b].visibility) as f64;
            let ahead = |a: usize, b: usize| (pts[a].x - pts[b].x).signum() as f64;
            for (toe, heel) in [(31, 29), (32, 30)] {
                v.toes.add(w(toe, heel), ahead(toe, heel));
            }
            for ear in [7, 8] {
                v.nose.add(w(0, ear), ahead(0, ear));
            }
            for (hip, knee, ankle) in [(23, 25, 27), (24, 26, 28)] {
                let (h, k, a) = (pts[hip], pts[knee], pts[ankle]);
                let (tx, ty) = ((k.x - h.x) as f64, (k.y - h.y) as f64);
                let (sx, sy) = ((a.x - k.x) as f64, (a.y - k.y) as f64);
                let norm = tx.hypot(ty) * sx.hypot(sy);
                if norm > 0.0 {
                    // Image y points down: a knee ahead of the hip-ankle
                    // line of a lifter facing +x turns the leg clockwise.
                    let bend = (tx * sy - ty * sx) / norm;
                    v.knees.add(w(hip, knee) * a.visibility as f64, bend);
                }
            }
        }
        v
    }

    fn all(&self) -> [(&'static str, Vote); 3] {
        [("toes", self.toes), ("nose", self.nose), ("knees", self.knees)]
    }

    /// The cues summed, each by its weight.
    pub fn facing(&self) -> Facing {
        if self.all().iter().map(|(_, v)| v.sum).sum::<f64>() >= 0.0 {
            Facing::Right
        } else {
            Facing::Left
        }
    }

    /// Why the facing cannot be trusted: a cue with a say (`min_weight`)
    /// that clearly (`min_mean`) points the other way. On the 12 real
    /// clips, both ways round, and the rendered ones, every cue agrees; on
    /// a mirrored handheld squat whose pose collapsed onto the plate the
    /// toes said right (+0.71) and the nose and knees left.
    pub fn doubt(&self, min_weight: f64, min_mean: f64) -> Option<String> {
        let facing = self.facing();
        let against: Vec<&str> = self
            .all()
            .iter()
            .filter(|(_, v)| v.weight >= min_weight && v.mean() * facing.sign() <= -min_mean)
            .map(|(name, _)| *name)
            .collect();
        (!against.is_empty()).then(|| {
            let other = if facing == Facing::Right { "left" } else { "right" };
            format!(
                "the pose could not tell which way the lifter faces (the {} point {other}, the rest {})",
                against.join(" and "),
                facing.name()
            )
        })
    }
}

/// Which way the lifter faces: the cues of `FacingVotes` over every frame.
pub fn decide_facing(poses: &[Option<RawPose>]) -> Facing {
    FacingVotes::count(poses).facing()
}

/// The near plate's face on one frame, in image pixels: its centre and
/// radius (the fitted ellipse's semi-major axis).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Disc {
    pub cx: f64,
    pub cy: f64,
    pub r: f64,
}

/// The poses with the hip read from the far side where the plate covers the
/// near hip in a deadlift, and on how many frames it was; `None` when no
/// frame needed it or the two sides were seen apart too seldom to say how
/// they sit.
///
/// Near lockout the plate hangs over the near hip, and the landmark model
/// puts that hip on the plate: ahead of the joint (22-28 px on the rendered
/// clean pull, 5 % of the lifter's height), so the torso reads 10-14 deg more
/// upright than it is through the lockout and the lowering. The far hip,
/// which the plate does not cover, stays on the body (7 px). Where both are
/// seen clear of the plate, the near hip sits a steady distance ahead of or
/// behind the far one; the far hip's x plus that offset stands in for the
/// covered one's. Its height stays the model's own: the vertical offset,
/// learnt with the lifter bent over, put the upright hip 10 px low. Only
/// where the bar hangs ahead of that stand-in: a lifter leaning back past
/// vertical has the bar behind the hips, and there the near hip is not
/// pulled forward.
pub fn uncover_hips(
    poses: &[Option<RawPose>],
    facing: Facing,
    plates: &[Option<Disc>],
    profile: &PoseProfile,
) -> Option<(Vec<Option<RawPose>>, usize)> {
    let (left, right) = Joint::Hip.pair();
    let (near, far) = if facing == Facing::Right {
        (right, left)
    } else {
        (left, right)
    };
    let seen = |p: &RawPose, i: usize| {
        p.pose_flag >= profile.min_pose_flag && p.points[i].visibility >= profile.min_visibility
    };
    let covered = |p: &RawPose, d: &Disc| {
        let h = p.points[near];
        dist((h.x as f64, h.y as f64), (d.cx, d.cy)) < d.r
    };
    let mut apart = Vec::new();
    for (i, pose) in poses.iter().enumerate() {
        let Some(p) = pose else { continue };
        if !(seen(p, near) && seen(p, far)) || plates.get(i).copied().flatten().is_some_and(|d| covered(p, &d)) {
            continue;
        }
        apart.push((p.points[near].x - p.points[far].x) as f64);
    }
    if apart.len() < profile.covered_hip_min_frames {
        return None;
    }
    let offset = median(apart)?;
    let mut out = poses.to_vec();
    let mut replaced = 0;
    for (i, pose) in out.iter_mut().enumerate() {
        let (Some(p), Some(d)) = (pose.as_mut(), plates.get(i).copied().flatten()) else {
            continue;
        };
        if !(seen(p, near) && seen(p, far) && covered(p, &d)) {
            continue;
        }
        let mut stand_in = p.points[near];
        stand_in.x = p.points[far].x + offset as f32;
        if (d.cx - stand_in.x as f64) * facing.sign() <= 0.0 {
            continue;
        }
        // Both labels: fusion then picks the stand-in whichever side it takes.
        p.points[near] = stand_in;
        p.points[far] = stand_in;
        replaced += 1;
    }
    (replaced > 0).then_some((out, replaced))
}

/// Build the fused, smoothed chain for a whole clip.
pub fn fuse(times: &[f64], poses: &[Option<RawPose>], profile: &PoseProfile) -> SagittalTrack {
    let votes = FacingVotes::count(poses);
    let facing_doubt = votes.doubt(profile.facing_cue_min_weight, profile.facing_cue_min_mean);
    fuse_facing(times, poses, votes.facing(), facing_doubt, profile)
}

/// `fuse` with the facing already decided: on poses whose hips
/// `uncover_hips` moved, the decision taken on the poses as the model gave
/// them.
pub fn fuse_facing(
    times: &[f64],
    poses: &[Option<RawPose>],
    facing: Facing,
    facing_doubt: Option<String>,
    profile: &PoseProfile,
) -> SagittalTrack {
    let n = poses.len();
    // Facing right shows the lifter's right side to the camera.
    let near_is_right = facing == Facing::Right;

    let thigh_px = median(poses.iter().flatten().flat_map(|p| {
        [(23, 25), (24, 26)].into_iter().filter_map(move |(h, k)| {
            let (a, b) = (p.points[h], p.points[k]);
            (a.visibility >= profile.min_visibility && b.visibility >= profile.min_visibility)
                .then(|| dist((a.x as f64, a.y as f64), (b.x as f64, b.y as f64)))
        })
    }))
    .unwrap_or(100.0)
    .max(1.0);

    let mut picked: Vec<[Option<FusedPoint>; JOINTS]> = vec![[None; JOINTS]; n];
    for joint in Joint::ALL {
        let (l, r) = joint.pair();
        let near = if near_is_right { r } else { l };
        // Last accepted position and when, for continuity and the jump gate.
        let mut last: Option<(f64, f64, f64)> = None;
        let mut rejected_since: Option<f64> = None;
        for (i, pose) in poses.iter().enumerate() {
            let Some(pose) = pose else { continue };
            if pose.pose_flag < profile.min_pose_flag {
                continue;
            }
            let t = times[i];
            let recent = last.filter(|&(_, _, lt)| t - lt <= profile.max_gap_s);
            let score = |idx: usize| {
                let p = pose.points[idx];
                let mut s = p.visibility as f64;
                if idx == near {
                    s += profile.near_side_prior;
                }
                if let Some((x, y, _)) = recent {
                    s -= profile.continuity_weight * (dist((p.x as f64, p.y as f64), (x, y)) / thigh_px).min(2.0);
                }
                s
            };
            let best = if score(l) >= score(r) { l } else { r };
            let p = pose.points[best];
            if (p.visibility as f64) < profile.min_visibility as f64 {
                continue;
            }
            let pos = (p.x as f64, p.y as f64);
            if let Some((x, y, lt)) = recent {
                let frames = ((t - lt) * 30.0).max(1.0);
                let jumped = dist(pos, (x, y)) > profile.max_jump_thigh * thigh_px * frames;
                if jumped {
                    // A jump that persists is the body really being elsewhere
                    // (after a re-detection); a one-off is a glitch.
                    let since = *rejected_since.get_or_insert(t);
                    if t - since < profile.max_gap_s {
                        continue;
                    }
                }
            }
            rejected_since = None;
            last = Some((pos.0, pos.1, t));
            picked[i][joint.index()] = Some(FusedPoint {
                x: pos.0,
                y: pos.1,
                conf: p.visibility as f64,
            });
        }
    }

    let confident: Vec<bool> = picked
        .iter()
        .map(|j| j[Joint::Hip.index()].is_some() && j[Joint::Shoulder.index()].is_some())
        .collect();

    // Bridge short gaps, then smooth each coordinate per gap-free stretch.
    let mut joints: Vec<[Option<FusedPoint>; JOINTS]> = vec![[None; JOINTS]; n];
    for joint in Joint::ALL {
        let k = joint.index();
        let coord = |f: fn(&FusedPoint) -> f64| picked.iter().map(|j| j[k].as_ref().map(f)).collect::<Vec<_>>();
        let (xs, filled) = fill_short_gaps(times, &coord(|p| p.x), profile.max_gap_s);
        let (ys, _) = fill_short_gaps(times, &coord(|p| p.y), profile.max_gap_s);
        let xs = profile.smoothing.apply(times, &xs);
        let ys = profile.smoothing.apply(times, &ys);
        for i in 0..n {
            if let (Some(x), Some(y)) = (xs[i], ys[i]) {
                // A bridged point is a guess: halve the confidence it inherits.
                let conf = picked[i][k]
                    .map(|p| p.conf)
                    .unwrap_or_else(|| if filled[i] { 0.3 } else { 0.0 });
                joints[i][k] = Some(FusedPoint { x, y, conf });
            }
        }
    }

    let torso_angle_deg = joints
        .iter()
        .map(|j| match (j[Joint::Hip.index()], j[Joint::Shoulder.index()]) {
            (Some(h), Some(s)) => Some(torso_angle_deg(facing, (h.x, h.y), (s.x, s.y))),
            _ => None,
        })
        .collect();

    SagittalTrack {
        facing,
        facing_doubt,
        analysed: 0..joints.len(),
        joints,
        confident,
        torso_angle_deg,
        thigh_px,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pose::Landmark;

    fn pose_with(f: impl Fn(usize) -> (f32, f32, f32)) -> RawPose {
        RawPose {
            pose_flag: 1.0,
            points: std::array::from_fn(|i| {
                let (x, y, v) = f(i);
                Landmark {
                    x,
                    y,
                    z: 0.0,
                    visibility: v,
                    presence: 1.0,
                }
            }),
            outline: None,
        }
    }

    /// A standing lifter facing `dir` (+1 right), hip at (500, 500), with the
    /// near side visible and the far side dimmer and slightly offset.
    fn standing(dir: f32, swap_knee: bool) -> RawPose {
        pose_with(|i| {
            let near_right = dir > 0.0;
            let is_right = i % 2 == 0 && i > 0;
            let near = is_right == near_right;
            let off = if near { 0.0 } else { 6.0 };
            let (x, y) = match i {
                0 => (500.0 + 25.0 * dir, 230.0),
                7 | 8 => (500.0, 240.0),
                11 | 12 => (500.0 + off, 300.0),
                23 | 24 => (500.0 + off, 500.0),
                25 | 26 => (500.0 + off + 10.0 * dir, 700.0),
                27 | 28 => (500.0 + off, 900.0),
                29 | 30 => (500.0 - 20.0 * dir, 910.0),
                31 | 32 => (500.0 + 60.0 * dir, 915.0),
                _ => (500.0, 400.0),
            };
            let mut v = if near { 0.95 } else { 0.6 };
            if swap_knee && (i == 25 || i == 26) {
                v = 0.99;
                return if near { (x, y, 0.5) } else { (x + 300.0, y, v) };
            }
            (x, y, v)
        })
    }

    /// Twenty frames of a lifter facing right: the first twelve with the
    /// plate well clear of the hips, the rest with the near hip drawn 30 px
    /// ahead onto a plate centred at `plate_x`.
    fn lockout_under_plate(plate_x: f64) -> (Vec<Option<RawPose>>, Vec<Option<Disc>>) {
        (0..20)
            .map(|i| {
                let mut p = standing(1.0, false);
                if i < 12 {
                    return (
                        Some(p),
                        Some(Disc {
                            cx: 800.0,
                            cy: 700.0,
                            r: 80.0,
                        }),
                    );
                }
                p.points[24].x = 530.0;
                (
                    Some(p),
                    Some(Disc {
                        cx: plate_x,
                        cy: 540.0,
                        r: 80.0,
                    }),
                )
            })
            .unzip()
    }

    #[test]
    fn the_far_hip_stands_in_where_the_plate_covers_the_near_one() {
        let (poses, plates) = lockout_under_plate(540.0);
        let (out, replaced) =
            uncover_hips(&poses, Facing::Right, &plates, &PoseProfile::default()).expect("hips uncovered");
        assert_eq!(replaced, 8);
        // Clear of the plate the near hip sat 6 px behind the far one: the
        // far hip (506) less that is the joint (500); its height is the
        // near hip's own.
        for p in out[12..].iter().flatten() {
            for i in [23, 24] {
                assert!((p.points[i].x - 500.0).abs() < 1e-3, "{}", p.points[i].x);
                assert_eq!(p.points[i].y, 500.0);
            }
        }
        assert_eq!(out[..12], poses[..12]);
        let track = fuse_facing(
            &(0..20).map(|i| i as f64 / 30.0).collect::<Vec<_>>(),
            &out,
            Facing::Right,
            None,
            &PoseProfile::default(),
        );
        assert!(track.point(19, Joint::Hip).is_some_and(|h| (h.x - 500.0).abs() < 1.0));
    }

    #[test]
    fn a_hip_ahead_of_the_bar_or_seldom_seen_clear_is_left_as_the_model_put_it() {
        // Leaning back past vertical, the bar hangs behind the hips.
        let (poses, plates) = lockout_under_plate(470.0);
        assert!(uncover_hips(&poses, Facing::Right, &plates, &PoseProfile::default()).is_none());
        // Fewer clear frames than covered_hip_min_frames: no offset to trust.
        let (poses, plates) = lockout_under_plate(540.0);
        let strict = PoseProfile {
            covered_hip_min_frames: 13,
            ..PoseProfile::default()
        };
        assert!(uncover_hips(&poses, Facing::Right, &plates, &strict).is_none());
    }

    #[test]
    fn facing_follows_toes_and_nose() {
        assert_eq!(decide_facing(&[Some(standing(1.0, false))]), Facing::Right);
        assert_eq!(decide_facing(&[Some(standing(-1.0, false))]), Facing::Left);
    }

    #[test]
    fn knees_bending_forward_vote_for_the_facing() {
        // Nose and toes hidden: the knees alone decide.
        let hide = |dir: f32| {
            let mut p = standing(dir, false);
            for k in [0, 7, 8, 29, 30, 31, 32] {
                p.points[k].visibility = 0.0;
            }
            p
        };
        assert_eq!(decide_facing(&[Some(hide(1.0))]), Facing::Right);
        assert_eq!(decide_facing(&[Some(hide(-1.0))]), Facing::Left);
    }

    #[test]
    fn cues_pointing_both_ways_put_the_facing_in_doubt() {
        let agree = FacingVotes::count(&[Some(standing(1.0, false))]);
        assert_eq!(agree.doubt(0.5, 0.3), None);
        // The toes turned round while the nose and knees still face right.
        let mut p = standing(1.0, false);
        for k in [29, 30] {
            p.points[k].x = 560.0;
            p.points[k].visibility = 0.5;
        }
        for k in [31, 32] {
            p.points[k].x = 480.0;
            p.points[k].visibility = 0.5;
        }
        let votes = FacingVotes::count(&[Some(p)]);
        assert_eq!(votes.facing(), Facing::Right);
        let why = votes.doubt(0.4, 0.3).expect("in doubt");
        assert!(why.contains("toes point left"), "{why}");
        // Too little say to doubt with.
        assert_eq!(votes.doubt(100.0, 0.3), None);
    }

    #[test]
    fn torso_angle_sign_convention() {
        // Shoulder ahead of the hip (towards the toes) = leaning forward = positive.
        assert!((torso_angle_deg(Facing::Right, (0.0, 100.0), (100.0, 0.0)) - 45.0).abs() < 1e-9);
        assert!((torso_angle_deg(Facing::Left, (0.0, 100.0), (-100.0, 0.0)) - 45.0).abs() < 1e-9);
        assert!(torso_angle_deg(Facing::Right, (0.0, 100.0), (-20.0, 0.0)) < 0.0);
    }

    #[test]
    fn a_one_frame_label_swap_does_not_move_the_fused_knee() {
        let times: Vec<f64> = (0..30).map(|i| i as f64 / 30.0).collect();
        let poses: Vec<Option<RawPose>> = (0..30).map(|i| Some(standing(1.0, i == 15))).collect();
        let track = fuse(&times, &poses, &PoseProfile::default());
        let knee = track.point(15, Joint::Knee).unwrap();
        assert!((knee.x - 510.0).abs() < 2.0, "knee at {}", knee.x);
        assert!(track.confident.iter().all(|&c| c));
        assert!(track.torso_angle_deg[10].unwrap().abs() < 1.0);
    }
}
