#!/usr/bin/env python3
"""Rebuild liftlens' ONNX pose models from Google's BlazePose TFLite files.

Source: the npm package @mediapipe/pose@0.5.1675469404 (Apache-2.0), fetched
with `npm pack`. Steps (see ../NOTICE and shared notes on the pose stack):

1. Landmark models (lite/full/heavy) convert with tf2onnx as they are.
2. The person detector ships with 38 sparse DENSIFY ops that tf2onnx cannot
   read. We run it once in the TFLite interpreter with every delegate off
   (XNNPACK reads densified values back wrong), store each DENSIFY output as a
   plain constant, rewire its consumers and drop the op, then convert.
3. OpenCV 4.6's DNN importer rejects Clip nodes whose bounds are inputs. Every
   Clip(0, 6) (tf2onnx's Relu6) becomes 6 * HardSigmoid(x, alpha=1/6), which
   is the same function, valid ONNX for every engine, so one file serves both
   ONNX Runtime and the OpenCV fallback.

Usage: python build_models.py [--out DIR] [--with-heavy] [--npm-tgz FILE]
Needs: pip install tensorflow-cpu==2.21.0 tf2onnx==1.17.0 onnx==1.23.2
       onnxruntime==1.31.1 ai-edge-litert==2.3.0 ; and npm on PATH.
"""
import argparse
import os
import subprocess
import sys
import tarfile
import shutil
import tempfile

import numpy as np

NPM_PACKAGE = "@mediapipe/pose@0.5.1675469404"
DENSIFY = 124


def fetch_package(workdir, tgz):
    if tgz is None:
        subprocess.run(["npm", "pack", NPM_PACKAGE], cwd=workdir, check=True,
                       stdout=subprocess.DEVNULL)
        tgz = [os.path.join(workdir, f) for f in os.listdir(workdir) if f.endswith(".tgz")][0]
    with tarfile.open(tgz) as tar:
        tar.extractall(workdir, filter="data")
    return os.path.join(workdir, "package")


def densify_detector(src, dst):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    from tensorflow.lite.tools import flatbuffer_utils as fu

    interp = Interpreter(
        model_path=src,
        experimental_preserve_all_tensors=True,
        experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
    )
    interp.allocate_tensors()
    inp = interp.get_input_details()[0]
    interp.set_tensor(inp["index"], np.zeros(inp["shape"], dtype=np.float32))
    interp.invoke()

    model = fu.read_model(src)
    graph = model.subgraphs[0]
    kept = []
    rewired = {}
    for op in graph.operators:
        if model.operatorCodes[op.opcodeIndex].builtinCode != DENSIFY:
            kept.append(op)
            continue
        sparse_idx, dense_idx = int(op.inputs[0]), int(op.outputs[0])
        dense = np.ascontiguousarray(interp.get_tensor(dense_idx))
        tensor = graph.tensors[sparse_idx]
        tensor.sparsity = None
        tensor.shape = np.array(dense.shape, dtype=np.int32)
        model.buffers[tensor.buffer].data = np.frombuffer(dense.tobytes(), dtype=np.uint8)
        rewired[dense_idx] = sparse_idx
    for op in kept:
        op.inputs = np.array([rewired.get(int(i), int(i)) for i in op.inputs], dtype=np.int32)
    graph.operators = kept
    fu.write_model(model, dst)
    print(f"detector: {len(rewired)} DENSIFY ops folded into constants")


def tflite_to_onnx(src, dst):
    subprocess.run([sys.executable, "-m", "tf2onnx.convert", "--tflite", src,
                    "--output", dst, "--opset", "13"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def relu6_as_hardsigmoid(path):
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(path)
    graph = model.graph
    consts = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    six = "liftlens_six"
    graph.initializer.append(numpy_helper.from_array(np.array(6.0, dtype=np.float32), six))
    nodes = []
    rewritten = 0
    for node in graph.node:
        if node.op_type == "Clip" and len(node.input) == 3:
            lo, hi = consts.get(node.input[1]), consts.get(node.input[2])
            if lo is None or hi is None or float(lo) != 0.0 or float(hi) != 6.0:
                raise SystemExit(f"{path}: Clip {node.name} is not Relu6 ({lo}, {hi})")
            mid = node.output[0] + "_hsig"
            nodes.append(helper.make_node("HardSigmoid", [node.input[0]], [mid],
                                          name=node.name + "_hsig", alpha=1.0 / 6.0, beta=0.0))
            nodes.append(helper.make_node("Mul", [mid, six], list(node.output), name=node.name + "_x6"))
            rewritten += 1
        else:
            nodes.append(node)
    del graph.node[:]
    graph.node.extend(nodes)
    used = {i for n in graph.node for i in n.input}
    unused = [t for t in graph.initializer if t.name not in used]
    for t in unused:
        graph.initializer.remove(t)
    onnx.checker.check_model(model)
    onnx.save(model, path)
    print(f"{os.path.basename(path)}: {rewritten} Relu6 rewritten as 6*HardSigmoid")


def check_against_tflite(tflite_path, onnx_path, size):
    """The converted model must agree with the original on a real-ish input."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    import onnxruntime as ort

    rng = np.random.default_rng(7)
    x = rng.random((1, size, size, 3), dtype=np.float32)
    interp = Interpreter(model_path=tflite_path,
                         experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    interp.allocate_tensors()
    interp.set_tensor(interp.get_input_details()[0]["index"], x)
    interp.invoke()
    ref = {d["name"]: interp.get_tensor(d["index"]) for d in interp.get_output_details()}
    sess = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    out = dict(zip([o.name for o in sess.get_outputs()], sess.run(None, {"input_1": x})))
    worst = 0.0
    for name, value in out.items():
        match = [v for v in ref.values() if v.shape == value.shape]
        if not match:
            continue
        diff = min(float(np.abs(m - value).max()) for m in match)
        scale = max(1.0, float(np.abs(value).max()))
        print(f"  {name} {list(value.shape)}: max |onnx - tflite| = {diff:.2e} (values up to {scale:.1f})")
        worst = max(worst, diff / scale)
    if worst > 1e-3:
        raise SystemExit(f"{onnx_path}: conversion disagrees with TFLite (relative {worst:.2e})")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--with-heavy", action="store_true", help="also build the 55 MB heavy model")
    ap.add_argument("--npm-tgz", help="use this already downloaded npm tarball")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as work:
        pkg = fetch_package(work, args.npm_tgz)
        jobs = [("pose_detection", os.path.join(pkg, "pose_solution_packed_assets.data"), 224),
                ("pose_landmark_lite", os.path.join(pkg, "pose_landmark_lite.tflite"), 256),
                ("pose_landmark_full", os.path.join(pkg, "pose_landmark_full.tflite"), 256)]
        if args.with_heavy:
            jobs.append(("pose_landmark_heavy", os.path.join(pkg, "pose_landmark_heavy.tflite"), 256))
        for name, src, size in jobs:
            convertible = src
            if name == "pose_detection":
                convertible = os.path.join(work, "pose_detection_dense.tflite")
                densify_detector(src, convertible)
            tmp = os.path.join(work, name + ".onnx")
            tflite_to_onnx(convertible, tmp)
            relu6_as_hardsigmoid(tmp)
            check_against_tflite(src, tmp, size)
            shutil.move(tmp, os.path.join(args.out, name + ".onnx"))


if __name__ == "__main__":
    main()
