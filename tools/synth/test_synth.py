#!/usr/bin/env python3
"""Self-checks of the renderer: a short clip renders the same twice, and its
truth agrees with what was drawn (keypoints on the body, bar centre on the
plate). Run: python3 tools/synth/test_synth.py  (exit 0 = passed)."""
import hashlib
import os
import sys
import tempfile
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synth  # noqa: E402


def short_spec(**kw):
    base = dict(name="selfcheck", lift="deadlift", body="female", reps=1, width=480, height=270,
                camera_distance_m=3.3, seed=3)
    base.update(kw)
    return synth.ClipSpec(**base)


class RendererSelfCheck(unittest.TestCase):
    def test_same_spec_same_frames_and_truth(self):
        with tempfile.TemporaryDirectory() as d:
            digests = []
            for k in range(2):
                mp4 = os.path.join(d, f"run{k}.mp4")
                synth.render_clip(short_spec(), mp4, max_frames=12, log=None)
                truth = open(mp4[:-4] + ".truth.json", "rb").read()
                digests.append((hashlib.sha256(open(mp4, "rb").read()).hexdigest(), hashlib.sha256(truth).hexdigest()))
            self.assertEqual(digests[0], digests[1])

    def check_consistency(self, spec, frames):
        with tempfile.TemporaryDirectory() as d:
            truth, masks = synth.render_clip(spec, os.path.join(d, "c.mp4"), max_frames=max(frames) + 1, log=None,
                                             mask_frames=set(frames))
        r_px = truth["clip"]["plate_diameter_m"] / 2 / truth["clip"]["metres_per_px"]
        for i in frames:
            f = truth["frames"][i]
            body, plate = masks[i]
            # every visible near-side keypoint and joint centre lies on the body (2 px tolerance)
            grown = body.copy()
            for dy in (-2, -1, 0, 1, 2):
                for dx in (-2, -1, 0, 1, 2):
                    grown |= np.roll(np.roll(body, dy, 0), dx, 1)
            for name, (x, y) in list(f["near"].items()) + list(f["joint_centres"].items()):
                if name in f["hidden"] or name == "wrist":
                    continue
                xi, yi = int(round(x)), int(round(y))
                if 0 <= xi < spec.width and 0 <= yi < spec.height:
                    self.assertTrue(grown[yi, xi], f"frame {i}: {name} at ({x:.1f}, {y:.1f}) is off the body")
            # the near plate's drawn disc is centred on bar_px with the truth's radius
            ys, xs = np.nonzero(plate)
            self.assertGreater(len(xs), 100, f"frame {i}: near plate not drawn")
            if xs.min() == 0 or ys.min() == 0 or xs.max() == spec.width - 1 or ys.max() == spec.height - 1:
                continue  # cut by the frame edge: its centroid is not its centre
            cx, cy = xs.mean() + 0.5, ys.mean() + 0.5
            bx, by = f["bar_px"]
            self.assertLess(abs(cx - bx) + abs(cy - by), 1.5, f"frame {i}: plate centroid ({cx:.1f}, {cy:.1f}) vs bar_px {f['bar_px']}")
            radius = np.sqrt(len(xs) / np.pi)
            self.assertLess(abs(radius - r_px) / r_px, 0.04, f"frame {i}: plate radius {radius:.1f} px vs {r_px:.1f} from metres_per_px")

    def test_truth_matches_drawing_deadlift(self):
        self.check_consistency(short_spec(), [0, 20, 40])

    def test_truth_matches_drawing_squat_facing_left(self):
        self.check_consistency(short_spec(lift="squat", facing="left", body="male"), [0, 30])

    def test_heel_lift_raises_the_heel_about_the_toes(self):
        # The foot turned the wrong way once (toes up, heel into the floor).
        spec = short_spec(lift="squat", body="male", fps=15.0, faults=[synth.Fault("heel_lift", 12.0, reps=[0])])
        with tempfile.TemporaryDirectory() as d:
            truth = synth.render_clip(spec, os.path.join(d, "h.mp4"), max_frames=36, log=None)
        frames = truth["frames"]
        bottom = min(range(len(frames)), key=lambda i: frames[i]["near"]["heel"][1])  # heel highest
        stand, low = frames[0]["near"], frames[bottom]["near"]
        mpp = truth["clip"]["metres_per_px"]
        rise_m = (stand["heel"][1] - low["heel"][1]) * mpp
        self.assertGreater(rise_m, 0.02, f"heel rose {rise_m:.3f} m")
        self.assertLess(abs(stand["toe"][1] - low["toe"][1]) * mpp, 0.01, "the toes stay on the floor")
        self.assertIn("heel_lift", frames[bottom]["faults_active"])

    def test_hips_up_before_pull_raises_the_hips_with_the_bar_on_the_floor(self):
        # Sink, then rise over the last second before the pull: the bar must
        # stay down and the shoulders nearly still while the hips come up.
        spec = short_spec(lift="deadlift", body="male", fps=10.0,
                          faults=[synth.Fault("hips_up_before_pull", 25.0, reps=[0])])
        with tempfile.TemporaryDirectory() as d:
            truth = synth.render_clip(spec, os.path.join(d, "u.mp4"), max_frames=21, log=None)
        start = truth["reps"][0]["start_s"]
        self.assertAlmostEqual(start, 0.5 + synth.HIPS_UP_WAIT_S + synth.HIPS_UP_RISE_S, places=6)
        mpp = truth["clip"]["metres_per_px"]
        rising = [f for f in truth["frames"] if "hips_rise_early" in f["faults_active"]]
        self.assertGreater(len(rising), 5)
        first, last = rising[0], rising[-1]
        hip_rise = (first["joint_centres"]["hip"][1] - last["joint_centres"]["hip"][1]) * mpp
        shoulder_rise = (first["joint_centres"]["shoulder"][1] - last["joint_centres"]["shoulder"][1]) * mpp
        self.assertGreater(hip_rise, 0.06, f"hips rose {hip_rise:.3f} m")
        self.assertLess(abs(shoulder_rise), 0.01, f"shoulders moved {shoulder_rise:.3f} m")
        for f in rising:
            self.assertAlmostEqual(f["bar_m"][1], synth.PLATE_DIAMETER_M / 2, places=3)
        self.assertEqual([(x["kind"], x["rep"]) for x in truth["faults"]], [("hips_rise_early", 0)])


if __name__ == "__main__":
    unittest.main(verbosity=2)
