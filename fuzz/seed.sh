#!/usr/bin/env bash
# Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/
# (not committed: run this before `cargo +nightly fuzz run`).
# - image_pipeline: the shipped photos (sample_frames/, a person; and
#   tests/fixtures/no_person/) scaled down to a few dozen pixels and written
#   as JPEG, progressive JPEG, PNG (RGB, grey, 16-bit, alpha), BMP, TIFF,
#   WebP and GIF by ffmpeg; each well under the 64 KiB the target is run
#   with (-max_len=65536).
# - config_parser: `posturecam config --print-default` and variants (each
#   section alone, a subset, wrong types, unknown keys, huge numbers).
# - keypoints: a sitting side view, a front view and the two together (the
#   second set is the baseline), and garbage (NaN, infinities, huge).
# Needs ffmpeg (scripts/setup.sh installs it), python3 and cargo.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
out="$here/corpus"
mkdir -p "$out/image_pipeline" "$out/config_parser" "$out/keypoints"

# --- images ------------------------------------------------------------
img="$out/image_pipeline"
ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }
for src in "$root/sample_frames/camera.png" "$root/sample_frames/astronaut.png" \
  "$root/tests/fixtures/no_person/rocket.jpg" "$root/tests/fixtures/no_person/brick.png"; do
  n="$(basename "${src%.*}")"
  # 96 px: big enough for MoveNet to find the person in the two photos.
  ff -i "$src" -vf scale=96:-2 -q:v 5 "$img/$n-96.jpg"
  ff -i "$src" -vf scale=32:-2 -q:v 8 "$img/$n-32.jpg"
  ff -i "$src" -vf scale=48:-2 "$img/$n-48.png"
  ff -i "$src" -vf scale=24:-2,format=gray "$img/$n-24-grey.png"
  ff -i "$src" -vf scale=16:-2,format=rgba "$img/$n-16-alpha.png"
  ff -i "$src" -vf scale=16:-2,format=rgb48be "$img/$n-16-16bit.png"
  ff -i "$src" -vf scale=32:-2 "$img/$n-32.bmp"
  ff -i "$src" -vf scale=24:-2 "$img/$n-24.tif"
  ff -i "$src" -vf scale=32:-2 -lossless 1 "$img/$n-32-lossless.webp"
  ff -i "$src" -vf scale=48:-2 -quality 40 "$img/$n-48-lossy.webp"
  ff -i "$src" -vf scale=24:-2 "$img/$n-24.gif"
done
# An image one pixel high.
ff -i "$root/sample_frames/camera.png" -vf scale=200:1 "$img/camera-200x1.png"
# Truncated files, as the score command meets them.
head -c 300 "$img/camera-96.jpg" > "$img/camera-96-truncated.jpg"
head -c 200 "$img/camera-48.png" > "$img/camera-48-truncated.png"

# --- configs -----------------------------------------------------------
cfg="$out/config_parser"
# POSTURECAM=path/to/posturecam uses a built binary instead of cargo run.
if [ -n "${POSTURECAM:-}" ]; then
  "$POSTURECAM" config --print-default > "$cfg/default.toml"
else
  (cd "$root" && cargo run --quiet -- config --print-default) > "$cfg/default.toml"
fi
python3 - "$cfg" <<'PY'
import re, sys, pathlib
d = pathlib.Path(sys.argv[1])
text = (d / "default.toml").read_text()
# Each section alone (a file overrides any subset).
for sec in re.split(r"(?m)^(?=\[)", text)[1:]:
    name = sec.split("]")[0].strip("[")
    (d / f"section-{name}.toml").write_text(sec)
variants = {
    "empty.toml": "",
    "subset.toml": "gate_confidence = 0.5\n[sitting]\nslouch_trunk_deg = 25\n",
    "wrong-type.toml": "[sitting]\nlean_deg = \"ten\"\n",
    "unknown-key.toml": "[sitting]\nslouch_trunk = 25\n",
    "huge.toml": "gate_confidence = 1e300\n[lifting]\nload_kg = 1e39\nactivity = 300\n",
    "negative.toml": "[reps]\nmax_gap_s = -1\nreba_poor = 16\n",
    "inverted-ramp.toml": "[sitting]\nscore_neck_deg = [30, 10]\n",
    "coupling.toml": "[lifting]\ncoupling = \"unacceptable\"\nload_kg = 12.5\nactivity = 3\n",
    "nan.toml": "[sitting]\nlean_deg = nan\nhead_roll_deg = inf\n",
    "inline.toml": "sitting = { lean_deg = 12.0 }\nreps.reba_fair = 9\n",
}
for name, body in variants.items():
    (d / name).write_text(body)
PY

# --- keypoints ---------------------------------------------------------
python3 - "$out/keypoints" <<'PY'
import struct, sys, pathlib
d = pathlib.Path(sys.argv[1])
def pack(points, conf=0.9):
    return b"".join(struct.pack("<fff", x, y, conf) for x, y in points)
# COCO order: nose, eyes, ears, shoulders, elbows, wrists, hips, knees, ankles.
side = [(330,100),(325,95),(325,95),(300,100),(300,100),(300,160),(300,160),
        (320,220),(320,220),(360,230),(360,230),(300,320),(300,320),(400,320),
        (400,320),(400,420),(400,420)]
front = [(320,100),(330,90),(310,90),(345,100),(295,100),(370,160),(270,160),
         (380,240),(260,240),(380,300),(260,300),(350,330),(290,330),(350,430),
         (290,430),(350,530),(290,530)]
stoop = [(420,300),(415,295),(415,295),(400,290),(400,290),(300,250),(300,250),
         (330,330),(330,330),(340,400),(340,400),(200,300),(200,300),(210,420),
         (210,420),(200,540),(200,540)]
nan, inf = float("nan"), float("inf")
seeds = {
    "side": b"\x00" + pack(side),
    "front": b"\x00" + pack(front),
    "stoop": b"\x00" + pack(stoop),
    "front-with-baseline": b"\x00" + pack(front) + pack([(x, y - 10) for x, y in front]),
    "gate-zero-low-conf": b"\x01" + pack(side, 0.01),
    "nan": b"\x00" + pack([(nan, nan)] * 17),
    "inf": b"\x00" + pack([(inf, -inf)] * 17),
    "huge": b"\x00" + pack([(3e38 * (-1) ** i, 3e38) for i in range(17)]),
    "coincident": b"\x00" + pack([(100, 100)] * 17),
}
for name, data in seeds.items():
    (d / name).write_bytes(data)
PY
for t in image_pipeline config_parser keypoints; do
  echo "$t: $(ls "$out/$t" | wc -l) seeds, $(du -sk "$out/$t" | cut -f1) KiB"
done
