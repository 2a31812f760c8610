#!/usr/bin/env python3
"""Reference keypoints from onnxruntime, for the tract parity test.

For every photo in sample_frames/ and both shipped models, the photo is
letterboxed (EXIF-rotated, RGB, padded to a centred black square, resized with
PIL's bilinear filter) to the model's input size. That exact input is saved
as a PNG in tests/fixtures/parity/ and run through onnxruntime on the ONNX
file in models/; the raw (y, x, confidence) output goes to reference.json.
tests/parity.rs feeds tract the very same PNG and compares.

Needs: pip install onnxruntime pillow numpy.   Run from anywhere:
    python3 scripts/make_parity_fixtures.py
"""
import json
import pathlib

import numpy as np
import onnxruntime as ort
from PIL import Image, ImageOps

from onnxruntime_reference import letterbox as reference_letterbox

REPO = pathlib.Path(__file__).resolve().parent.parent
OUT = REPO / "tests" / "fixtures" / "parity"
MODELS = {"movenet-lightning": ("movenet_lightning.onnx", 192),
          "movenet-thunder": ("movenet_thunder.onnx", 256)}
EXTS = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff"}


def letterbox(img: Image.Image, size: int) -> Image.Image:
    """Same placement rule as src/pose/preprocess.rs (shared with
    onnxruntime_reference.py)."""
    return reference_letterbox(img, size)[0]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    photos = sorted(p for p in (REPO / "sample_frames").rglob("*") if p.suffix.lower() in EXTS)
    cases = []
    for name, (file, size) in MODELS.items():
        sess = ort.InferenceSession(str(REPO / "models" / file), providers=["CPUExecutionProvider"])
        inp = sess.get_inputs()[0].name
        for photo in photos:
            img = ImageOps.exif_transpose(Image.open(photo)).convert("RGB")
            boxed = letterbox(img, size)
            png = OUT / f"{photo.stem}_{size}.png"
            boxed.save(png)
            tensor = np.asarray(boxed, dtype=np.int32)[None]
            out = sess.run(None, {inp: tensor})[0].reshape(17, 3)
            cases.append({
                "model": name,
                "photo": str(photo.relative_to(REPO)),
                "input_png": str(png.relative_to(REPO)),
                "yxc": [[float(v) for v in row] for row in out],
            })
            print(f"{name} {photo.name}: mean confidence {out[:, 2].mean():.3f}")
    ref = {"generator": "scripts/make_parity_fixtures.py",
           "onnxruntime": ort.__version__, "cases": cases}
    (OUT / "reference.json").write_text(json.dumps(ref, indent=1) + "\n")


if __name__ == "__main__":
    main()
