#!/usr/bin/env python3
"""Bake an anny body (CC0 MakeHuman-derived assets, Apache-2.0 code) into a small
.npz that the renderer re-skins with plain numpy, so rendering needs no torch.

Stored: rest-pose vertices for the chosen phenotype, triangles, the four largest
skinning weights per vertex, rest bone heads/tails, bone parents and labels, and
the COCO keypoint regressor as sparse weights over vertices.

Usage (torch + anny needed only here):
  python bake_body.py --out bodies/male.npz --gender 0.1 --height 0.6 --muscle 0.7
"""
import argparse

import numpy as np
import torch
import anny


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    for name, default in [("gender", 0.5), ("age", 0.5), ("muscle", 0.5), ("weight", 0.5),
                          ("height", 0.5), ("proportions", 0.5)]:
        ap.add_argument(f"--{name}", type=float, default=default)
    args = ap.parse_args()

    model = anny.Anny().to(dtype=torch.float32)
    pheno = {k: getattr(args, k, 0.5) for k in model.phenotype_labels}
    pose = torch.eye(4)[None, None].repeat(1, model.bone_count, 1, 1)
    with torch.no_grad():
        out = model(pose_parameters=pose, phenotype_kwargs=pheno)
        faces = model.get_triangular_faces().cpu().numpy()
        coco = anny.KeypointsRegressor.coco(model)
        weights = coco.regression_weights.cpu().numpy()

    verts = out["vertices"][0].cpu().numpy()
    vbw = model.vertex_bone_weights.cpu().numpy()
    vbi = model.vertex_bone_indices.cpu().numpy()
    order = np.argsort(-vbw, axis=1)[:, :4]
    top_w = np.take_along_axis(vbw, order, 1)
    top_i = np.take_along_axis(vbi, order, 1)
    top_w = top_w / top_w.sum(1, keepdims=True)

    kp_idx, kp_w = [], []
    for row in weights:
        nz = np.nonzero(row > 1e-5)[0]
        kp_idx.append(nz)
        kp_w.append(row[nz] / row[nz].sum())
    width = max(len(i) for i in kp_idx)
    kpi = np.zeros((len(kp_idx), width), np.int32)
    kpw = np.zeros((len(kp_idx), width), np.float32)
    for k, (i, w) in enumerate(zip(kp_idx, kp_w)):
        kpi[k, :len(i)] = i
        kpw[k, :len(w)] = w

    np.savez_compressed(
        args.out,
        vertices=verts.astype(np.float32),
        faces=faces.astype(np.int32),
        skin_weights=top_w.astype(np.float32),
        skin_bones=top_i.astype(np.int16),
        bone_heads=out["rest_bone_heads"][0].cpu().numpy().astype(np.float32),
        bone_parents=np.array(model.bone_parents, dtype=np.int16),
        bone_labels=np.array(model.bone_labels),
        keypoint_labels=np.array(coco.labels),
        keypoint_vertices=kpi,
        keypoint_weights=kpw,
        phenotype=np.array([pheno[k] for k in model.phenotype_labels], np.float32),
        phenotype_labels=np.array(model.phenotype_labels),
    )
    print(f"{args.out}: {len(verts)} vertices, {len(faces)} triangles, {len(model.bone_labels)} bones, "
          f"keypoints {list(coco.labels)}; height {verts[:, 2].max() - verts[:, 2].min():.3f} m")


if __name__ == "__main__":
    main()
