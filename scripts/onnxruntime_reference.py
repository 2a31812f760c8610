#!/usr/bin/env python3
"""onnxruntime baselines for the same ONNX files the Rust code runs.

  eval ANNOTATIONS.json   mean OKS and PCK@0.2 of one single pass per image
                          (letterboxed whole image), scored like
                          `posturecam eval coco`
  bench [--iterations N]  per-frame inference latency, one thread, for both
                          models (compare with `posturecam bench`)

Needs: pip install onnxruntime pillow numpy.
"""
import argparse
import json
import pathlib
import statistics
import time

import numpy as np
import onnxruntime as ort
from PIL import Image, ImageOps

REPO = pathlib.Path(__file__).resolve().parent.parent
MODELS = {"lightning": ("movenet_lightning.onnx", 192), "thunder": ("movenet_thunder.onnx", 256)}
SIGMAS = np.array([.026, .025, .025, .035, .035, .079, .079, .072, .072,
                   .062, .062, .107, .107, .087, .087, .089, .089])


def session(model: str) -> tuple[ort.InferenceSession, int]:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    file, size = MODELS[model]
    return ort.InferenceSession(str(REPO / "models" / file), opts,
                                providers=["CPUExecutionProvider"]), size


def letterbox(img: Image.Image, size: int):
    w, h = img.size
    side = max(w, h)
    rx, ry = round((w - side) / 2), round((h - side) / 2)
    px0, px1 = round(-rx * size / side), round((w - rx) * size / side)
    py0, py1 = round(-ry * size / side), round((h - ry) * size / side)
    canvas = Image.new("RGB", (size, size))
    canvas.paste(img.resize((px1 - px0, py1 - py0), Image.BILINEAR), (px0, py0))
    sx, sy = w / (px1 - px0), h / (py1 - py0)
    return canvas, (sx, sy, -px0 * sx, -py0 * sy)


def oks(pred, gt, area):
    v = gt[:, 2] > 0
    if not v.any():
        return 0.0
    d2 = ((pred[:, :2] - gt[:, :2]) ** 2).sum(1)
    k2 = (2 * SIGMAS) ** 2
    e = d2 / (2 * max(area, 1e-9) * k2)
    return float(np.exp(-e)[v].mean())


def pck(pred, gt, bbox, alpha=0.2):
    v = gt[:, 2] > 0
    thr = alpha * max(bbox[2], bbox[3])
    d = np.sqrt(((pred[:, :2] - gt[:, :2]) ** 2).sum(1))
    return float((d[v] <= thr).mean())


def evaluate(ann_path: pathlib.Path, min_kp: int) -> None:
    ann = json.loads(ann_path.read_text())
    by_image = {}
    for a in ann["annotations"]:
        by_image.setdefault(a["image_id"], []).append(a)
    for model in MODELS:
        sess, size = session(model)
        name = sess.get_inputs()[0].name
        oks_all, pck_all = [], []
        for im in ann["images"]:
            people = [a for a in by_image.get(im["id"], []) if a["num_keypoints"] >= min_kp]
            if not people:
                continue
            img = ImageOps.exif_transpose(Image.open(ann_path.parent / im["file_name"])).convert("RGB")
            boxed, (sx, sy, ox, oy) = letterbox(img, size)
            out = sess.run(None, {name: np.asarray(boxed, dtype=np.int32)[None]})[0].reshape(17, 3)
            pred = np.stack([ox + out[:, 1] * size * sx, oy + out[:, 0] * size * sy], 1)
            best = max(people, key=lambda a: oks(pred, np.array(a["keypoints"], float).reshape(17, 3), a["area"]))
            gt = np.array(best["keypoints"], float).reshape(17, 3)
            oks_all.append(oks(pred, gt, best["area"]))
            pck_all.append(pck(pred, gt, best["bbox"]))
        print(f"{model}: images {len(oks_all)}  mean OKS {np.mean(oks_all):.3f}  "
              f"PCK@0.2 {np.mean(pck_all):.3f}")


def latency_ms(model: str, iterations: int) -> list[float]:
    """Inference times (ms) of `model` on one thread, after warm-up."""
    sess, size = session(model)
    name = sess.get_inputs()[0].name
    x = np.random.default_rng(0).integers(0, 256, (1, size, size, 3), dtype=np.int32)
    for _ in range(5):
        sess.run(None, {name: x})
    times = []
    for _ in range(iterations):
        t = time.perf_counter()
        sess.run(None, {name: x})
        times.append((time.perf_counter() - t) * 1e3)
    return times


def bench(iterations: int) -> None:
    for model in MODELS:
        times = latency_ms(model, iterations)
        print(f"onnxruntime {ort.__version__} {model}: median {statistics.median(times):.2f} ms, "
              f"mean {statistics.mean(times):.2f} ms over {iterations} runs (1 thread)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("eval")
    e.add_argument("annotations", type=pathlib.Path)
    e.add_argument("--min-keypoints", type=int, default=5)
    b = sub.add_parser("bench")
    b.add_argument("--iterations", type=int, default=50)
    args = p.parse_args()
    if args.cmd == "eval":
        evaluate(args.annotations, args.min_keypoints)
    else:
        bench(args.iterations)


if __name__ == "__main__":
    main()
