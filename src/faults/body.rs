//! The per-frame signals every detector reads (`Body`).

use super::*;

/// The per-frame signals every detector reads, in the canonical frame:
/// metres, x towards the lifter's toes, y up, origin at the midfoot on the
/// floor (the bar track's frame).
pub struct Body<'a> {
    pub times: &'a [f64],
    pub track: &'a SagittalTrack,
    pub bar: &'a BarTrack,
    raw: &'a [Option<RawPose>],
    sign: f64,
    origin: (f64, f64),
    pub(super) mpp: f64,
    /// The lifter's standing hip-shoulder length (px) and back outline
    /// (reach / that length at each outline station).
    standing: Option<(f64, [f64; 5])>,
    /// Neck angle against the torso when standing (deg).
    pub(super) standing_neck_deg: Option<f64>,
    /// Per frame, the heel's rise against the toes since the rep's standing
    /// frame and where the heel was (`crate::feet`); empty without the video.
    pub(super) heels: &'a [Option<HeelReading>],
    /// Per frame before each pull's bar leaves the floor, the hips' and
    /// shoulders' rise (`crate::liftoff`); empty without the video.
    pub(super) liftoff: &'a [Option<LiftoffReading>],
    /// The lifter's usual thigh and shin lengths (px; medians over the clip).
    limbs_px: Option<(f64, f64)>,
    /// Every rep's first frame, in order: a window read for one rep stops
    /// before the next one starts.
    rep_starts: Vec<usize>,
}

/// `q` inside the polygon grown by `grow` about its vertices' mean (even-odd
/// rule).
pub(super) fn inside_polygon(q: (f64, f64), poly: &[(f64, f64)], grow: f64) -> bool {
    if poly.len() < 3 {
        return false;
    }
    let n = poly.len() as f64;
    let c = poly.iter().fold((0.0, 0.0), |a, p| (a.0 + p.0 / n, a.1 + p.1 / n));
    let q = (c.0 + (q.0 - c.0) / grow, c.1 + (q.1 - c.1) / grow);
    let mut inside = false;
    let mut j = poly.len() - 1;
    for i in 0..poly.len() {
        let (a, b) = (poly[i], poly[j]);
        if (a.1 > q.1) != (b.1 > q.1) && q.0 < a.0 + (q.1 - a.1) * (b.0 - a.0) / (b.1 - a.1) {
            inside = !inside;
        }
        j = i;
    }
    inside
}

/// An angle difference brought into [-180, 180): two angles in (-180, 180]
/// differ by up to a full turn.
pub(super) fn wrap_deg(d: f64) -> f64 {
    (d + 180.0).rem_euclid(360.0) - 180.0
}

impl<'a> Body<'a> {
    /// `standing_max_torso_deg`: frames with the torso this close to
    /// vertical are the lifter's own standing reference (back outline,
    /// torso length, neck angle).
    pub fn new(
        times: &'a [f64],
        track: &'a SagittalTrack,
        bar: &'a BarTrack,
        raw: &'a [Option<RawPose>],
        standing_max_torso_deg: f64,
    ) -> Self {
        let sign = track.facing.sign();
        let mut body = Body {
            times,
            track,
            bar,
            raw,
            sign,
            // The bar track's origin, so joints and bar share one frame.
            origin: bar.origin_px,
            mpp: bar.scale.metres_per_px,
            standing: None,
            standing_neck_deg: None,
            heels: &[],
            liftoff: &[],
            rep_starts: Vec::new(),
            limbs_px: None,
        };
        let standing: Vec<usize> = (0..times.len())
            .filter(|&i| track.confident.get(i).copied().unwrap_or(false))
            .filter(|&i| body.torso_deg(i).is_some_and(|a| a.abs() < standing_max_torso_deg))
            .collect();
        let length = median(standing.iter().filter_map(|&i| body.torso_length_px(i)));
        body.standing = length.and_then(|len| {
            let reach: Vec<[f64; 5]> = standing.iter().filter_map(|&i| body.back_reach_px(i)).collect();
            if reach.len() < 3 {
                return None;
            }
            let per = |k: usize| median(reach.iter().map(|r| r[k] / len)).unwrap_or(0.0);
            Some((len, std::array::from_fn(per)))
        });
        body.standing_neck_deg = median(standing.iter().filter_map(|&i| body.neck_deg(i)));
        let limbs: Vec<(f64, f64)> = (0..times.len()).filter_map(|i| body.limbs_at(i)).collect();
        body.limbs_px = median(limbs.iter().map(|l| l.0)).zip(median(limbs.iter().map(|l| l.1)));
        body
    }

    /// A joint in canonical metres with its confidence.
    pub fn at(&self, i: usize, j: Joint) -> Option<(f64, f64, f64)> {
        let p = self.track.point(i, j)?;
        Some((
            (p.x - self.origin.0) * self.sign * self.mpp,
            (self.origin.1 - p.y) * self.mpp,
            p.conf,
        ))
    }

    pub fn bar_at(&self, i: usize) -> Option<(f64, f64)> {
        self.bar.at(i).map(|b| (b.x_m, b.y_m))
    }

    /// Lean of the segment lower -> upper from vertical (deg), + = towards the toes.
    pub fn lean_deg(&self, i: usize, lower: Joint, upper: Joint) -> Option<f64> {
        let (a, b) = (self.at(i, lower)?, self.at(i, upper)?);
        Some((b.0 - a.0).atan2(b.1 - a.1).to_degrees())
    }

    pub fn torso_deg(&self, i: usize) -> Option<f64> {
        self.track.torso_angle_deg.get(i).copied().flatten()
    }

    /// Angle at joint `b` between `a` and `c` (deg; 180 = straight).
    pub fn joint_deg(&self, i: usize, a: Joint, b: Joint, c: Joint) -> Option<f64> {
        let (a, b, c) = (self.at(i, a)?, self.at(i, b)?, self.at(i, c)?);
        let (u, v) = ((a.0 - b.0, a.1 - b.1), (c.0 - b.0, c.1 - b.1));
        let n = (u.0.hypot(u.1) * v.0.hypot(v.1)).max(1e-12);
        Some(((u.0 * v.0 + u.1 * v.1) / n).clamp(-1.0, 1.0).acos().to_degrees())
    }

    /// Neck against the torso line (deg): + = head dropped towards the chest.
    pub fn neck_deg(&self, i: usize) -> Option<f64> {
        Some(wrap_deg(
            self.lean_deg(i, Joint::Shoulder, Joint::Ear)? - self.lean_deg(i, Joint::Hip, Joint::Shoulder)?,
        ))
    }

    /// Heel height over the toe (px), from confident points only.
    /// The heel read from the picture (`crate::feet::HeelReader`).
    pub fn with_heels(mut self, heels: &'a [Option<HeelReading>]) -> Self {
        self.heels = heels;
        self
    }

    pub fn with_liftoff(mut self, liftoff: &'a [Option<LiftoffReading>]) -> Self {
        self.liftoff = liftoff;
        self
    }

    pub fn with_reps(mut self, reps: &[Rep]) -> Self {
        self.rep_starts = reps.iter().map(|r| r.start_frame).collect();
        self.rep_starts.sort_unstable();
        self
    }

    /// Thigh (hip-knee) and shin (knee-ankle) lengths (px).
    pub(super) fn limbs_at(&self, i: usize) -> Option<(f64, f64)> {
        let (h, k, a) = (
            self.track.point(i, Joint::Hip)?,
            self.track.point(i, Joint::Knee)?,
            self.track.point(i, Joint::Ankle)?,
        );
        Some(((h.x - k.x).hypot(h.y - k.y), (k.x - a.x).hypot(k.y - a.y)))
    }

    /// The knee sits where the lifter's thigh and shin lengths allow: both
    /// within `max_ratio` of their usual lengths, either way. Seen from the
    /// side the legs move in the picture's plane and keep their length; a
    /// knee drawn on the plate's rim at hip height does not (mirrored
    /// mattiolato bad02: shin 2.4 times its usual length).
    pub fn knee_plausible(&self, i: usize, max_ratio: f64) -> bool {
        let (Some((thigh, shin)), Some((usual_thigh, usual_shin))) = (self.limbs_at(i), self.limbs_px) else {
            return false;
        };
        let fits = |v: f64, usual: f64| usual > 0.0 && (1.0 / max_ratio..=max_ratio).contains(&(v / usual));
        fits(thigh, usual_thigh) && fits(shin, usual_shin)
    }

    pub(super) fn torso_length_px(&self, i: usize) -> Option<f64> {
        let (h, s) = (self.track.point(i, Joint::Hip)?, self.track.point(i, Joint::Shoulder)?);
        Some((h.x - s.x).hypot(h.y - s.y))
    }

    fn back_reach_px(&self, i: usize) -> Option<[f64; 5]> {
        let o = self.raw.get(i)?.as_ref()?.outline?;
        Some(o.back_px(self.sign).map(|v| v as f64))
    }

    /// `TorsoOutline::thinnest_share` of the frame's pose and mask.
    pub(super) fn torso_depth_share(&self, i: usize) -> Option<f64> {
        let pose = self.raw.get(i)?.as_ref()?;
        pose.outline?.thinnest_share(&pose.points)
    }

    /// Back outline growth over the standing outline at each station, in
    /// standing hip-shoulder lengths, and the hip-shoulder length as a share
    /// of the standing length.
    pub fn back_shape(&self, i: usize) -> Option<([f64; 5], f64)> {
        let (len, rest) = self.standing?;
        let reach = self.back_reach_px(i)?;
        Some((
            std::array::from_fn(|k| reach[k] / len - rest[k]),
            self.torso_length_px(i)? / len,
        ))
    }

    /// How far the back's outline dips inside the straight line across its
    /// end stations (the low back and the shoulder blades), at its least
    /// dipped middle station, in hip-shoulder lengths of this frame: positive
    /// for an arched back, negative where it bulges. Measured against the
    /// outline's own ends, so a pose point that slid along or across the
    /// trunk (a hip drawn on the plate) shifts the reading little.
    pub fn back_arch(&self, i: usize) -> Option<f64> {
        let reach = self.back_reach_px(i)?;
        let len = self.torso_length_px(i)?;
        // The back's edge found at every station, or there is no outline.
        if len <= 0.0 || reach.iter().any(|&r| r <= 0.0) {
            return None;
        }
        let last = STATIONS.len() - 1;
        let (s0, s1) = (STATIONS[0] as f64, STATIONS[last] as f64);
        let bulge = (1..last)
            .map(|k| {
                let along = (STATIONS[k] as f64 - s0) / (s1 - s0);
                reach[k] - (reach[0] + along * (reach[last] - reach[0]))
            })
            .reduce(f64::max)?;
        Some(-bulge / len)
    }

    /// Which back outline stations reach into the image of the bar's far
    /// plate (placed by the turned-camera refit's camera): there the
    /// silhouette is the plate's edge, not the back.
    pub(super) fn stations_on_far_plate(&self, i: usize, p: &FaultProfile) -> [bool; STATIONS.len()] {
        let none = [false; STATIONS.len()];
        let (Some(camera), Some(pose), Some(fit)) = (
            self.bar.scale.camera_fit,
            self.raw.get(i).and_then(|r| r.as_ref()),
            self.bar.fits.get(i).copied().flatten(),
        ) else {
            return none;
        };
        let (Some(outline), Some(at)) = (pose.outline, fit.near_centre_px) else {
            return none;
        };
        let Some(far) = camera.far_plate_px(at, self.bar.scale.plate_mm, p.rounding_far_plate_spacing_m) else {
            return none;
        };
        let Some(edges) = outline.back_edges_px(&pose.points, self.sign, p.rounding_far_plate_inset_px) else {
            return none;
        };
        edges.map(|edge| inside_polygon(edge, &far, p.rounding_far_plate_grow))
    }

    pub(super) fn frame_at_or_after(&self, t: f64) -> usize {
        self.times
            .partition_point(|&x| x < t)
            .min(self.times.len().saturating_sub(1))
    }

    /// Frames within `half_s` of frame `i`, from `rep`'s start until the
    /// next rep starts. A squat's lockout is its last frame, and the frames
    /// after it may be the next rep's descent already (squat_gymai_quarter's
    /// second rep read -117 deg of lean-back from the collapsed pose of the
    /// third, whose own reading was doubted); the standing frames between
    /// two reps are still this one's lockout.
    pub(super) fn around(&self, rep: &Rep, i: usize, half_s: f64) -> std::ops::RangeInclusive<usize> {
        let t = self.times[i];
        let next = self.rep_starts.iter().copied().find(|&s| s > rep.start_frame);
        let lo = self.frame_at_or_after(t - half_s).max(rep.start_frame);
        let hi = self.times.partition_point(|&x| x <= t + half_s).saturating_sub(1);
        let hi = next.map_or(hi, |s| hi.min(s.saturating_sub(1)));
        lo..=hi.max(lo)
    }

    /// The joint lies inside the measured near plate's outline shrunk to
    /// `radii` of its radius: the plate is between it and the camera.
    pub fn behind_plate(&self, i: usize, joint: Joint, radii: f64) -> bool {
        let (Some(f), Some(q)) = (
            self.bar.fits.get(i).copied().flatten().filter(|f| f.measured),
            self.track.point(i, joint),
        ) else {
            return false;
        };
        (q.x - f.cx).hypot(q.y - f.cy) < radii * f.radius()
    }

    /// Like `behind_plate`, and where this frame's plate was not measured,
    /// the plate drawn at the bar track's position with the clip's plate
    /// radius (bridged frames; a plate only gets hidden more, not less).
    pub(super) fn behind_plate_or_track(&self, i: usize, joint: Joint, radii: f64) -> bool {
        if self.behind_plate(i, joint, radii) {
            return true;
        }
        let (Some(b), Some(r), Some(q)) = (
            self.bar.at(i).filter(|_| self.bar.source == BarSource::Plate),
            self.bar.scale.plate_radius_px,
            self.track.point(i, joint),
        ) else {
            return false;
        };
        (q.x - b.x_px).hypot(q.y - b.y_px) < radii * r
    }

    /// Mean confidence of `joints` over `frames` (0 where missing).
    pub(super) fn evidence(&self, frames: impl Iterator<Item = usize> + Clone, joints: &[Joint]) -> f64 {
        let mut sum = 0.0;
        let mut n = 0usize;
        for i in frames {
            for &j in joints {
                sum += self.track.point(i, j).map(|p| p.conf).unwrap_or(0.0);
                n += 1;
            }
        }
        if n == 0 {
            0.0
        } else {
            sum / n as f64
        }
    }

    pub(super) fn bar_trust(&self, p: &FaultProfile) -> f64 {
        if self.bar.source == BarSource::Plate {
            1.0
        } else {
            p.proxy_bar_confidence
        }
    }
}
