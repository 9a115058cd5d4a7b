#!/usr/bin/env python3
"""Render the held-out lifts: bodies, colours, sides and faults in
combinations the samples in sample_videos/ do not have, to check the
analysis on clips it was not tuned on (docs/accuracy.md "Held-out renders").

  python tools/synth/make_heldout.py --out /tmp/heldout [--only NAME ...]

Not committed as videos: render, analyse (`liftlens analyze CLIP --out
DIR`) and grade (`liftlens score DIR CLIP.truth.json`) each one.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_samples import BLACK, BLUE, GREEN, RED, render_all  # noqa: E402
from synth import ClipSpec, Fault  # noqa: E402

DL, SQ = dict(lift="deadlift", camera_distance_m=3.3), dict(lift="squat", camera_distance_m=4.0)

HELD_OUT = [
    ClipSpec(name="ho_dl_soft_lockout", body="heavy", facing="left", plate_color=BLACK, shirt_color=(0.6, 0.6, 0.62),
             faults=[Fault("soft_lockout", 0.6, reps=[0, 1])], seed=21, **DL),
    ClipSpec(name="ho_sq_clean_female_low", bar_position="low", body="female", facing="left", plate_color=GREEN,
             seed=22, **SQ),
    ClipSpec(name="ho_dl_hips_rise_heavy", body="heavy", facing="right", plate_color=BLUE,
             faults=[Fault("hips_rise_early", 1.0, reps=[1])], seed=23, **DL),
    ClipSpec(name="ho_sq_good_morning_female", bar_position="high", body="female", facing="right", plate_color=RED,
             faults=[Fault("good_morning", 1.3, reps=[0])], seed=24, **SQ),
    ClipSpec(name="ho_dl_hyper_female", body="female", facing="left", plate_color=RED,
             faults=[Fault("hyperextension", 12.0, reps=[1])], seed=26, **DL),
    ClipSpec(name="ho_sq_rounding_male_high", bar_position="high", body="male", facing="left", plate_color=RED,
             faults=[Fault("rounding", 25.0, reps=[1], region="even")], seed=27, **SQ),
    ClipSpec(name="ho_dl_rounding_heavy", body="heavy", facing="right", plate_color=BLACK,
             shirt_color=(0.5, 0.15, 0.15), faults=[Fault("rounding", 30.0, reps=[0, 1], region="thoracic")],
             seed=28, **DL),
    ClipSpec(name="ho_dl_clean_far_720p", body="male", facing="right", plate_color=BLUE, width=1280, height=720,
             lift="deadlift", camera_distance_m=4.5, seed=29),
    ClipSpec(name="ho2_dl_hyper10_heavy", body="heavy", facing="right", plate_color=GREEN,
             faults=[Fault("hyperextension", 10.0, reps=[0, 1])], seed=31, **DL),
    ClipSpec(name="ho2_dl_clean_male_left", body="male", facing="left", plate_color=RED,
             shirt_color=(0.6, 0.3, 0.45), seed=32, **DL),
    # Rendered after the hyperextension limits were set from the ones above.
    ClipSpec(name="ho3_dl_hyper12_male", body="male", facing="left", plate_color=BLUE,
             faults=[Fault("hyperextension", 12.0, reps=[1])], seed=41, **DL),
    ClipSpec(name="ho3_dl_clean_heavy", body="heavy", facing="left", plate_color=BLUE,
             shirt_color=(0.6, 0.3, 0.45), seed=42, **DL),
    # Rendered after the heel patch was cut to the sole's edge (2026-11-24).
    ClipSpec(name="ho4_sq_heel_lift_female", bar_position="low", body="female", facing="left", plate_color=GREEN,
             faults=[Fault("heel_lift", 10.0, reps=[0])], seed=51, **SQ),
    ClipSpec(name="ho4_dl_heel_lift_heavy", body="heavy", facing="right", plate_color=RED,
             faults=[Fault("heel_lift", 12.0, reps=[1])], seed=52, **DL),
    ClipSpec(name="ho4_sq_clean_heavy", bar_position="high", body="heavy", facing="right", plate_color=BLUE,
             shirt_color=(0.3, 0.3, 0.6), seed=53, **SQ),
]


def main():
    render_all(HELD_OUT)


if __name__ == "__main__":
    main()
