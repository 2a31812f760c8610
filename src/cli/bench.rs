//! `posturecam bench`: per-stage and per-node latency of the pose pipeline.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use super::{load_model, EXIT_OK};
use crate::pose::ModelSpec;

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// lightning, thunder, or all.
    #[arg(long, default_value = "all")]
    pub model: String,
    /// Timed runs per measurement (after warm-up).
    #[arg(long, default_value_t = 30)]
    pub iterations: usize,
    /// Image file to run on, decoded from its bytes in the decode stage
    /// (default: a 640x480 synthetic frame encoded as a JPEG).
    #[arg(long)]
    pub image: Option<PathBuf>,
    /// One JSON object per model instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Also time the model's nodes, per kind of op (tract's plan run with a
    /// timer around each node).
    #[arg(long)]
    pub profile: bool,
    /// Also time each node of the model on its own, in the order they run,
    /// with tract's description of it (shapes, fused steps).
    #[arg(long)]
    pub nodes: bool,
}

pub fn run(args: BenchArgs) -> anyhow::Result<i32> {
    use crate::bench::{encode_jpeg, measure, synthetic_frame, Pipeline};
    let specs = match args.model.as_str() {
        "all" => vec![ModelSpec::Lightning, ModelSpec::Thunder],
        other => vec![other.parse::<ModelSpec>().map_err(anyhow::Error::msg)?],
    };
    // The frame as a file's bytes: decoding them is the first stage.
    let encoded = match &args.image {
        Some(p) => {
            let bytes = std::fs::read(p).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
            crate::capture::decode_rgb(&bytes)
                .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
            bytes
        }
        None => encode_jpeg(&synthetic_frame())?,
    };
    let mut printed_header = false;
    for spec in specs {
        let start = Instant::now();
        let model = load_model(&spec)?;
        let load_ms = start.elapsed().as_secs_f64() * 1e3;
        let mut pipeline = Pipeline::new(model, encoded.clone())?;
        let t = measure(&mut pipeline, args.iterations, load_ms)?;
        let (mut profile, mut nodes) = (None, None);
        if args.profile || args.nodes {
            let img = pipeline.decode()?;
            let (input, _) = pipeline.letterbox(&img);
            let model = pipeline.model().clone();
            let mut state = model.new_state()?;
            if args.profile {
                profile = Some(model.profile(&mut state, &input, args.iterations)?);
            }
            if args.nodes {
                nodes = Some(model.profile_nodes(&mut state, &input, args.iterations)?);
            }
        }
        if args.json {
            let mut v = serde_json::to_value(&t)?;
            if let Some(p) = &profile {
                v["profile"] = serde_json::to_value(p)?;
            }
            if let Some(n) = &nodes {
                v["nodes"] = serde_json::to_value(n)?;
            }
            println!("{v}");
            continue;
        }
        if !printed_header {
            println!(
                "posturecam bench: {}x{} frame ({} bytes), median of {} runs, 1 thread",
                t.frame[0], t.frame[1], t.encoded_bytes, t.iterations
            );
            printed_header = true;
        }
        let n = t.input;
        println!("{} ({n}x{n}):", t.model);
        println!("  load + optimise       {:8.1} ms", t.load_ms);
        let stages = [
            ("decode", t.decode_ms),
            ("letterbox", t.letterbox_ms),
            ("inference", t.inference_ms),
            ("keypoints", t.keypoints_ms),
            ("assess", t.assess_ms),
            ("record", t.record_ms),
        ];
        let sum: f64 = stages.iter().map(|s| s.1).sum();
        for (name, ms) in stages {
            // Microseconds matter for the cheap stages: four decimals.
            println!(
                "  {name:<20}{ms:10.4} ms {:5.1}%",
                100.0 * ms / sum.max(f64::MIN_POSITIVE)
            );
        }
        println!("  {:<20}{sum:10.4} ms", "sum of stages");
        println!(
            "  frame, single pass  {:10.4} ms   (bytes to record)",
            t.frame_single_pass_ms
        );
        println!(
            "  frame, refined      {:10.4} ms   ({} passes on this frame)",
            t.frame_refined_ms, t.refined_passes
        );
        if let Some(p) = profile {
            let total: f64 = p.iter().map(|o| o.ms).sum();
            println!("  inference by op (median per run, {total:.3} ms in nodes):");
            for o in p.iter().filter(|o| o.ms >= 0.005) {
                println!(
                    "    {:<28}{:>4} nodes {:9.3} ms {:5.1}%",
                    o.op,
                    o.nodes,
                    o.ms,
                    100.0 * o.ms / total.max(f64::MIN_POSITIVE)
                );
            }
        }
        if let Some(nodes) = nodes {
            let total: f64 = nodes.iter().map(|n| n.ms).sum();
            println!("  inference by node (median per run, {total:.3} ms in nodes):");
            for n in &nodes {
                println!(
                    "    {:>4} {:9.4} ms {:5.1}%  {:<24} {}",
                    n.id,
                    n.ms,
                    100.0 * n.ms / total.max(f64::MIN_POSITIVE),
                    n.op,
                    n.info
                );
            }
        }
    }
    Ok(EXIT_OK)
}
