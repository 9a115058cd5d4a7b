#!/usr/bin/env python3
"""Regenerate every clip in sample_videos/ (and its .truth.json).

  python tools/synth/make_samples.py [--only NAME ...] [--out sample_videos]

Deterministic: the same specs give the same files on the same library versions.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from synth import ClipSpec, Fault, render_clip  # noqa: E402

RED, BLUE, BLACK, GREEN = (0.75, 0.1, 0.1), (0.1, 0.2, 0.7), (0.08, 0.08, 0.09), (0.1, 0.5, 0.2)

SAMPLES = [
    ClipSpec(name="squat_clean", lift="squat", bar_position="high", body="male", facing="right",
             plate_color=RED, seed=1),
    ClipSpec(name="squat_good_morning", lift="squat", bar_position="low", body="male", facing="left",
             plate_color=BLUE, shirt_color=(0.5, 0.15, 0.15), faults=[Fault("good_morning", 1.2, reps=[1])], seed=2),
    ClipSpec(name="squat_above_parallel", lift="squat", bar_position="high", body="female", facing="right",
             plate_color=GREEN, faults=[Fault("above_parallel", 45.0, reps=[0, 1])], seed=3),
    ClipSpec(name="squat_rounding", lift="squat", bar_position="low", body="heavy", facing="right",
             plate_color=BLACK, shirt_color=(0.6, 0.6, 0.62), faults=[Fault("rounding", 25.0, reps=[0, 1], region="thoracic")],
             seed=4),
    ClipSpec(name="deadlift_clean", lift="deadlift", body="female", facing="right", plate_color=BLUE, seed=5),
    ClipSpec(name="deadlift_rounding", lift="deadlift", body="male", facing="left", plate_color=RED,
             faults=[Fault("rounding", 30.0, reps=[0, 1], region="lumbar")], seed=6),
    ClipSpec(name="deadlift_hyperextension", lift="deadlift", body="male", facing="right", plate_color=BLACK,
             shirt_color=(0.2, 0.45, 0.3), faults=[Fault("hyperextension", 15.0, reps=[0, 1])], seed=7),
    ClipSpec(name="deadlift_bar_drift", lift="deadlift", body="heavy", facing="right", plate_color=RED,
             faults=[Fault("bar_drift", 0.15, reps=[0, 1])], seed=8),
    ClipSpec(name="deadlift_hips_rise_early", lift="deadlift", body="female", facing="left", plate_color=GREEN,
             shirt_color=(0.55, 0.35, 0.1), faults=[Fault("hips_rise_early", 1.0, reps=[0, 1])], seed=9),
    ClipSpec(name="deadlift_oblique25", lift="deadlift", body="male", facing="right", plate_color=BLUE,
             camera_yaw_deg=25.0, seed=10),
    ClipSpec(name="squat_front_view", lift="squat", bar_position="high", body="male", facing="right",
             plate_color=RED, camera_yaw_deg=90.0, seed=11),
]
for s in SAMPLES:
    # Far enough that the squat's plate (top near 1.9 m) stays in frame.
    s.camera_distance_m = 4.0 if s.lift == "squat" else 3.3
# A phone held at chest height in portrait, tilted down: the plate's depth
# changes with its height (8 % in size from the floor to lockout), as on
# the real clips filmed that way.
SAMPLES.append(
    ClipSpec(name="deadlift_pitched", lift="deadlift", body="male", facing="left", plate_color=RED,
             width=540, height=960, fov_deg=60.0, camera_height_m=1.5, camera_distance_m=2.6,
             camera_pitch_deg=18.0, seed=12))
# A phone on a tripod a little high and a little round from side-on:
# turned 15 deg and tilted 10 deg down. The plate's image leans, its wall
# shows on the side away from the camera and above, and its size changes
# with its height.
SAMPLES.append(
    ClipSpec(name="deadlift_turned_tilted", lift="deadlift", body="female", facing="left", plate_color=RED,
             camera_height_m=1.4, camera_distance_m=3.3, camera_pitch_deg=10.0, camera_yaw_deg=15.0, seed=16))
# A portrait phone on a tripod at chest height 3 m away, turned 14 deg and
# tilted 12 deg down: both plates show, the far one beside the hands and
# the near one lower, further from them and out of round.
SAMPLES.append(
    ClipSpec(name="deadlift_phone_turned", lift="deadlift", body="male", facing="right", plate_color=BLUE,
             width=540, height=960, fov_deg=60.0, camera_height_m=1.5, camera_distance_m=3.0,
             camera_pitch_deg=12.0, camera_yaw_deg=14.0, seed=14))
# Heels that come up at the bottom of the second squat (ankles too stiff
# for the depth): the foot turns 12 deg about the toes, the heel rises
# about 3.5 cm. The first rep is the clean control.
SAMPLES.append(
    ClipSpec(name="squat_heel_lift", lift="squat", bar_position="high", body="male", facing="right",
             plate_color=BLACK, shirt_color=(0.2, 0.45, 0.3), faults=[Fault("heel_lift", 12.0, reps=[1])],
             camera_distance_m=4.0, seed=17))
# Slow-motion capture (120 fps, played at that rate): one pull, so the
# frame-rate-dependent rules (smoothing, tracking gates, still frames) are
# measured at four times the usual rate.
SAMPLES.append(
    ClipSpec(name="deadlift_120fps", lift="deadlift", body="female", facing="right", plate_color=BLUE,
             reps=1, fps=120.0, camera_distance_m=3.3, seed=13))
# Hips up before the pull: the lifter sets the hips low, then straightens
# the knees over the last second before the second pull while the bar
# stays on the floor (25 deg less knee bend: the hips rise about 9 cm and
# the torso tips over the bar). The first pull is the clean control.
SAMPLES.append(
    ClipSpec(name="deadlift_hips_up_before_pull", lift="deadlift", body="male", facing="right", plate_color=GREEN,
             shirt_color=(0.6, 0.3, 0.45), faults=[Fault("hips_up_before_pull", 25.0, reps=[1])],
             camera_distance_m=3.3, seed=18))

# A short lifter filmed from 4 m with the bar high: the plates hide the
# head and shoulders through every descent and the pose is found on about
# 40 % of frames, while the plate is tracked throughout. The reps are
# counted and the bar measured from the plate; the body is not judged.
SAMPLES.append(
    ClipSpec(name="squat_plates_hide_head", lift="squat", bar_position="high", body="female", facing="right",
             plate_color=RED, camera_distance_m=4.0, seed=19))

# A fast squat filmed with the shutter open the whole frame interval, as a
# phone films in a dim gym: at peak speed (about 1.7 m/s) the black plate's
# rim smears up to 14 px along the bar's path, and the strongest edge on
# each ray sat anywhere on the smear (peak speed 0.25 m/s off) until the
# track took each rim edge at the middle of its smear (`blur_min_smear_px`
# in the profile). The plate hides the head at the bottom, as on
# squat_plates_hide_head.
SAMPLES.append(
    ClipSpec(name="squat_fast_blur", lift="squat", bar_position="high", body="male", facing="right",
             plate_color=BLACK, shirt_color=(0.55, 0.6, 0.7), tempo=0.6, shutter=1.0, blur_samples=8,
             camera_distance_m=4.0, seed=64))

# A squat with the bar alone, no plates (a technique set with an empty
# bar or a dowel): nothing to track the bar from or size the picture by,
# so the shoulders stand in for the bar and the lifter's height (1.75 m
# unless --lifter-height-m says otherwise) sets the scale, and the report
# says so.
SAMPLES.append(
    ClipSpec(name="squat_no_plates", lift="squat", bar_position="high", body="male", facing="right",
             plates=False, seed=20))

def render_all(specs, default_out=None):
    """Render `specs` into --out (required when there is no default), or
    only those named by --only."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=default_out, required=default_out is None)
    ap.add_argument("--only", nargs="*")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for spec in specs:
        if args.only and spec.name not in args.only:
            continue
        t = time.time()
        truth = render_clip(spec, os.path.join(args.out, spec.name + ".mp4"), log=None)
        n = truth["clip"]["frames"]
        print(f"{spec.name}: {n} frames, {(time.time() - t) / n * 1000:.0f} ms/frame", flush=True)


def main():
    render_all(SAMPLES, os.path.join(os.path.dirname(__file__), "..", "..", "sample_videos"))


if __name__ == "__main__":
    main()
