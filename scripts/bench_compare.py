#!/usr/bin/env python3
"""Per-frame latency of posturecam (tract) beside onnxruntime, same machine,
same ONNX files, one thread each, measured in one run; prints the ratios.

    cargo build --release
    python3 scripts/bench_compare.py [--image PATH] [--iterations N]

Needs: pip install onnxruntime pillow numpy.
"""
import argparse
import json
import pathlib
import statistics
import subprocess

from onnxruntime_reference import MODELS, latency_ms

REPO = pathlib.Path(__file__).resolve().parent.parent


def ort_ms(model: str, iterations: int) -> float:
    return statistics.median(latency_ms(model, iterations))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--image", type=pathlib.Path)
    p.add_argument("--iterations", type=int, default=30)
    p.add_argument("--binary", type=pathlib.Path, default=REPO / "target/release/posturecam")
    args = p.parse_args()
    cmd = [str(args.binary), "bench", "--json", "--iterations", str(args.iterations)]
    if args.image:
        cmd += ["--image", str(args.image)]
    ours = {}
    for line in subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines():
        d = json.loads(line)
        ours[d["model"]] = d
    print(f"{'model':<20}{'onnxruntime':>12}{'tract':>10}{'ratio':>8}{'frame 1 pass':>14}{'frame refined':>15}")
    for model in MODELS:
        o = ort_ms(model, args.iterations)
        d = ours[f"movenet-{model}"]
        t = d["inference_ms"]
        print(f"{d['model']:<20}{o:>10.2f}ms{t:>8.2f}ms{t / o:>7.2f}x"
              f"{d['frame_single_pass_ms']:>12.2f}ms{d['frame_refined_ms']:>11.2f}ms ({d['refined_passes']}p)")
    print("ratio = tract inference / onnxruntime inference (lower is better; 1.00 = parity)")


if __name__ == "__main__":
    main()
