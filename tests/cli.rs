//! `posturecam score` and friends, run as a user runs them: the real binary.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use posturecam::score::{FrameRecord, Status};

fn posturecam(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_posturecam"))
        .args(args)
        .output()
        .unwrap()
}

fn records(out: &[u8]) -> Vec<FrameRecord> {
    String::from_utf8(out.to_vec())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn no_panic(out: &Output) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn score_sample_frames_gives_one_ok_record_per_photo() {
    let dir = common::repo().join("sample_frames");
    let mut args = vec!["score", "--quiet", dir.to_str().unwrap()];
    if !common::video::have_ffmpeg() {
        // Without ffmpeg the clip beside the photos is an error record.
        args = vec![
            "score",
            "--quiet",
            "sample_frames/astronaut.png",
            "sample_frames/camera.png",
        ];
    }
    let out = Command::new(env!("CARGO_BIN_EXE_posturecam"))
        .args(&args)
        .current_dir(common::repo())
        .output()
        .unwrap();
    no_panic(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    let photos: String = text
        .lines()
        .filter(|l| l.contains(".png\""))
        .map(|l| format!("{l}\n"))
        .collect();
    let recs = records(photos.as_bytes());
    let names: Vec<String> = recs
        .iter()
        .map(|r| {
            Path::new(&r.source)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(
        names,
        ["astronaut.png", "camera.png"],
        "sorted, one per photo"
    );
    for r in &recs {
        assert_eq!(r.status, Status::Ok, "{r:?}");
        assert_eq!(
            (r.schema, r.kind.as_str(), r.frame, r.time_s),
            (1, "frame", 0, 0.0)
        );
        assert_eq!((r.width, r.height), (Some(512), Some(512)));
        assert_eq!(r.model, "movenet-lightning");
        let p = r.person.as_ref().unwrap();
        assert!(p.score > 0.25 && p.score <= 1.0);
        assert!(r.source.starts_with(args[2]), "path as given: {}", r.source);
    }
    // Raw JSON has the documented field names and all 17 keypoints.
    let line = String::from_utf8(out.stdout).unwrap();
    let v: serde_json::Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
    assert_eq!(v["type"], "frame");
    assert_eq!(v["person"]["keypoints"].as_object().unwrap().len(), 17);
    assert!(v["person"]["keypoints"]["right_ankle"]["confidence"].is_number());
}

#[test]
fn hostile_files_get_error_records_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let photo = common::load(&common::sample("astronaut.png"));
    let jpeg = common::jpeg_bytes(&photo, 90);
    std::fs::write(d.join("a_empty.jpg"), b"").unwrap();
    std::fs::write(d.join("b_truncated.jpg"), &jpeg[..jpeg.len() / 3]).unwrap();
    std::fs::write(
        d.join("c_text.jpg"),
        b"this is not an image, just some text\n",
    )
    .unwrap();
    std::fs::write(
        d.join("d_bomb.png"),
        common::png_declaring(100_000, 100_000),
    )
    .unwrap();
    std::fs::write(d.join("e_good.jpg"), &jpeg).unwrap();
    std::fs::write(d.join("f_garbage.png"), [0x89u8, b'P', b'N', b'G', 1, 2, 3]).unwrap();

    let out = posturecam(&["score", "-q", "-j", "2", d.to_str().unwrap()]);
    no_panic(&out);
    assert_eq!(out.status.code(), Some(2), "some inputs failed");
    let recs = records(&out.stdout);
    let by_name = |n: &str| recs.iter().find(|r| r.source.ends_with(n)).unwrap();
    assert_eq!(recs.len(), 6);
    for bad in [
        "a_empty.jpg",
        "b_truncated.jpg",
        "c_text.jpg",
        "d_bomb.png",
        "f_garbage.png",
    ] {
        let r = by_name(bad);
        assert_eq!(r.status, Status::Error, "{r:?}");
        assert!(r.person.is_none());
        assert!(!r.error.as_deref().unwrap_or("").is_empty());
    }
    assert!(by_name("a_empty.jpg")
        .error
        .as_ref()
        .unwrap()
        .contains("empty"));
    assert!(by_name("c_text.jpg")
        .error
        .as_ref()
        .unwrap()
        .contains("not a supported image"));
    let bomb = by_name("d_bomb.png").error.clone().unwrap();
    assert!(
        bomb.contains("100000x100000") || bomb.contains("too large"),
        "{bomb}"
    );
    assert_eq!(by_name("e_good.jpg").status, Status::Ok);
}

#[test]
fn missing_paths_are_error_records_and_usage_errors_exit_1() {
    let good = common::sample("camera.png");
    let out = posturecam(&["score", "-q", "/no/such/file.jpg", good.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let recs = records(&out.stdout);
    assert_eq!(recs[0].status, Status::Error);
    assert!(recs[0].error.as_ref().unwrap().contains("cannot read path"));
    assert_eq!(recs[1].status, Status::Ok);

    for args in [
        vec!["score"],
        vec!["score", "--format", "xml", "x.jpg"],
        vec!["score", "--model", "giant", "x.jpg"],
        vec!["frobnicate"],
    ] {
        let out = posturecam(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        no_panic(&out);
    }
    let out = posturecam(&[
        "score",
        "--model",
        "/no/such/model.onnx",
        good.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read the file"));
}

#[test]
fn csv_to_a_file_and_no_person_frames() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("scores.csv");
    let coffee = common::repo().join("tests/fixtures/no_person/coffee.png");
    let camera = common::sample("camera.png");
    let out = posturecam(&[
        "score",
        "-q",
        "--format",
        "csv",
        "--model",
        "thunder",
        "-o",
        out_path.to_str().unwrap(),
        coffee.to_str().unwrap(),
        camera.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let mut rd = csv::Reader::from_path(&out_path).unwrap();
    let header = rd.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(&rows[0][col("status")], "no_person");
    assert_eq!(&rows[0][col("nose_x")], "");
    assert_eq!(&rows[1][col("status")], "ok");
    assert_eq!(&rows[1][col("model")], "movenet-thunder");
    assert!(rows[1][col("nose_x")].parse::<f32>().unwrap() > 0.0);
}

#[test]
fn an_unwritable_output_is_a_clear_error() {
    let camera = common::sample("camera.png");
    let out = posturecam(&[
        "score",
        "-q",
        "-o",
        "/no/such/dir/out.jsonl",
        camera.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot create /no/such/dir/out.jsonl"));
    if Path::new("/dev/full").exists() {
        let out = posturecam(&["score", "-q", "-o", "/dev/full", camera.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "a full disk is an error");
        assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write to /dev/full"));
        no_panic(&out);
    }
}

#[test]
fn a_model_given_as_an_onnx_path_is_loaded_from_that_file() {
    let camera = common::sample("camera.png");
    let file = common::repo().join("models/movenet_lightning.onnx");
    let by_path = posturecam(&[
        "score",
        "-q",
        "--model",
        file.to_str().unwrap(),
        camera.to_str().unwrap(),
    ]);
    let built_in = posturecam(&[
        "score",
        "-q",
        "--model",
        "lightning",
        camera.to_str().unwrap(),
    ]);
    assert_eq!(
        by_path.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&by_path.stderr)
    );
    let (a, b) = (&records(&by_path.stdout)[0], &records(&built_in.stdout)[0]);
    assert_eq!(a.model, "movenet_lightning");
    assert_eq!(a.person, b.person, "same file, same keypoints");

    // A file that is not a pose model is refused with a clear message.
    let dir = tempfile::tempdir().unwrap();
    let bogus = dir.path().join("bogus.onnx");
    std::fs::write(&bogus, b"not a model").unwrap();
    let out = posturecam(&[
        "score",
        "-q",
        "--model",
        bogus.to_str().unwrap(),
        camera.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("model bogus"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    no_panic(&out);
}

#[test]
fn ok_records_carry_view_angles_sitting_and_lifting() {
    let astronaut = common::sample("astronaut.png");
    let out = posturecam(&["score", "-q", astronaut.to_str().unwrap()]);
    let line = String::from_utf8(out.stdout).unwrap();
    let v: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    assert_eq!(v["view"], "front");
    assert!(v["view_confidence"].as_f64().unwrap() > 0.0);
    let angles = v["angles"].as_object().unwrap();
    assert_eq!(angles.len(), 11);
    assert!(
        angles["trunk_inclination"].is_null(),
        "side-view metric in a front view"
    );
    assert!(angles["shoulder_tilt"].is_number());
    assert_eq!(v["sitting"]["class"], "upright");
    assert!(v["sitting"]["rula"].as_u64().unwrap() >= 1);
    assert!(v["sitting"]["findings"].is_array());
    assert_eq!(v["lifting"]["style"], "unscorable");
    assert!(v["lifting"]["reba"].is_null());
}

#[test]
fn config_prints_its_defaults_and_rejects_invalid_files() {
    let out = posturecam(&["config", "--print-default"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("McAtamney") && text.contains("Hignett"));
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.toml");
    std::fs::write(&good, &text).unwrap();
    let out = posturecam(&["config", "--check", good.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[sitting]\nslouch_trunk_deg = 500\n").unwrap();
    let camera = common::sample("camera.png");
    let out = posturecam(&[
        "score",
        "-q",
        "--config",
        bad.to_str().unwrap(),
        camera.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("sitting.slouch_trunk_deg") && err.contains("bad.toml"),
        "{err}"
    );
    assert!(
        out.stdout.is_empty(),
        "nothing scored with an invalid config"
    );

    // A stricter config changes the judgement: the cameraman's forward lean
    // is slouched by default, upright with a 60° threshold.
    let lax = dir.path().join("lax.toml");
    std::fs::write(
        &lax,
        "[sitting]\nslouch_trunk_deg = 60\nforward_head_neck_deg = 60\n",
    )
    .unwrap();
    let rec = |args: &[&str]| records(&posturecam(args).stdout).remove(0);
    let default = rec(&["score", "-q", camera.to_str().unwrap()]);
    let relaxed = rec(&[
        "score",
        "-q",
        "--config",
        lax.to_str().unwrap(),
        camera.to_str().unwrap(),
    ]);
    assert_eq!(
        default.sitting.unwrap().class,
        posturecam::assess::SittingClass::Slouched
    );
    assert_eq!(
        relaxed.sitting.unwrap().class,
        posturecam::assess::SittingClass::Upright
    );
}

#[test]
fn calibrate_writes_a_baseline_that_score_uses() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.json");
    let astronaut = common::sample("astronaut.png");
    let out = posturecam(&[
        "calibrate",
        astronaut.to_str().unwrap(),
        "-o",
        baseline.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let b: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    assert_eq!(b["kind"], "posturecam-baseline");
    assert_eq!(b["frames"], 1);
    assert!(b["inter_ear_px"].as_f64().unwrap() > 50.0);

    let out = posturecam(&[
        "score",
        "-q",
        "--baseline",
        baseline.to_str().unwrap(),
        astronaut.to_str().unwrap(),
    ]);
    let r = records(&out.stdout).remove(0);
    let dev = r.sitting.unwrap().baseline.expect("baseline deviations");
    assert!(
        dev.head_drop.abs() < 1e-3 && dev.leaning_in.abs() < 1e-3,
        "{dev:?}"
    );

    // A side view cannot calibrate; a broken baseline file is refused.
    let camera = common::sample("camera.png");
    let out = posturecam(&[
        "calibrate",
        camera.to_str().unwrap(),
        "-o",
        dir.path().join("x.json").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no usable frame"));
    std::fs::write(dir.path().join("broken.json"), "{\"kind\": 3}").unwrap();
    let out = posturecam(&[
        "score",
        "-q",
        "--baseline",
        dir.path().join("broken.json").to_str().unwrap(),
        camera.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a posturecam baseline"));
}

#[test]
fn live_refuses_what_it_cannot_play_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("clip.mp4");
    std::fs::write(&clip, b"not really a video").unwrap();
    let out = posturecam(&[
        "live",
        "--no-window",
        "--no-save",
        "--source",
        clip.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not a readable video") || err.contains("needs the `ffprobe` program"),
        "{err}"
    );
    let empty = tempfile::tempdir().unwrap();
    let out = posturecam(&[
        "live",
        "--no-window",
        "--no-save",
        "--source",
        empty.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to play"));
    let out = posturecam(&["live", "--resolution", "0x0"]);
    assert_eq!(out.status.code(), Some(1));
    no_panic(&out);
    // history on a database that does not exist yet
    let out = posturecam(&[
        "history",
        "--db",
        dir.path().join("none.sqlite3").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("no sessions yet"));
}

#[test]
fn score_a_video_gives_frame_records_then_a_summary() {
    if !common::video::have_ffmpeg() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let reps = dir.path().join("reps.csv");
    let clip = common::sample("carphone.mp4");
    let out = Command::new(env!("CARGO_BIN_EXE_posturecam"))
        .args(["score", "--quiet", "--fps", "10", "--reps"])
        .arg(&reps)
        .arg(&clip)
        .output()
        .unwrap();
    no_panic(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (summary, frames) = lines.split_last().unwrap();
    // 120 frames at 30000/1001 fps = 4.004 s, analysed on a 0.1 s grid.
    assert_eq!(frames.len(), 40, "{}", frames.len());
    let mut last = -1.0;
    for (k, f) in frames.iter().enumerate() {
        assert_eq!(f["type"], "frame");
        let t = f["time_s"].as_f64().unwrap();
        let i = f["frame"].as_u64().unwrap();
        assert!(
            (t - i as f64 * 1001.0 / 30000.0).abs() < 1e-3,
            "frame {i} at {t}"
        );
        assert!(
            t >= last + 0.099 && (t - 0.1 * k as f64).abs() < 0.034,
            "{t}"
        );
        last = t;
        // Square pixels: 176x144 stored at 12:11 shows as 192x144.
        assert_eq!(
            (f["width"].as_u64(), f["height"].as_u64()),
            (Some(192), Some(144))
        );
    }
    let ok = frames.iter().filter(|f| f["status"] == "ok").count();
    assert!(ok >= 36, "the man is found in {ok} of 40 frames");
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["schema"], 1);
    assert_eq!(summary["source"], clip.to_str().unwrap());
    assert_eq!(summary["frames"], 40);
    assert_eq!(summary["decoded_frames"], 120);
    assert!((summary["duration_s"].as_f64().unwrap() - 4.004).abs() < 1e-3);
    // Sitting in a car, talking: no lift.
    assert_eq!(summary["reps"].as_array().unwrap().len(), 0);
    let csv = std::fs::read_to_string(&reps).unwrap();
    assert!(csv.starts_with("source,rep,start_s,bottom_s,end_s,duration_s,peak_trunk_flexion_deg"));
    assert_eq!(csv.lines().count(), 1, "header only: {csv}");
}

#[test]
fn a_bad_video_is_an_error_record_and_the_run_goes_on() {
    if !common::video::have_ffmpeg() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a_empty.mp4"), b"").unwrap();
    std::fs::write(dir.path().join("b_text.mov"), b"not a video at all").unwrap();
    std::fs::copy(common::sample("camera.png"), dir.path().join("c.png")).unwrap();
    let out = posturecam(&[
        "score",
        "--quiet",
        "--every",
        "1000",
        dir.path().to_str().unwrap(),
    ]);
    no_panic(&out);
    assert_eq!(out.status.code(), Some(2));
    let recs = records(&out.stdout);
    assert_eq!(recs.len(), 3);
    assert_eq!(recs[0].status, Status::Error);
    assert!(recs[0]
        .error
        .as_deref()
        .unwrap()
        .ends_with("the file is empty (0 bytes)"));
    assert_eq!(recs[1].status, Status::Error);
    assert!(
        recs[1]
            .error
            .as_deref()
            .unwrap()
            .contains("not a readable video"),
        "{:?}",
        recs[1].error
    );
    assert_eq!(recs[2].status, Status::Ok);
}

#[test]
fn report_writes_one_html_file_for_several_clips_even_when_one_fails() {
    if !common::video::have_ffmpeg() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // A real clip under a hostile name: the name must come out escaped.
    let hostile = dir.path().join("<script>alert(1)<script>&\"'.mp4");
    std::fs::copy(common::sample("carphone.mp4"), &hostile).unwrap();
    let junk = dir.path().join("junk.mov");
    std::fs::write(&junk, b"not a video").unwrap();
    let out_path = dir.path().join("report.html");
    std::fs::write(&out_path, b"an older report").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_posturecam"))
        .args(["report", "-q", "-o"])
        .arg(&out_path)
        .arg(&hostile)
        .arg(&junk)
        .output()
        .unwrap();
    no_panic(&out);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&out_path).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script"), "the file name is escaped");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;script&gt;&amp;&quot;&#39;.mp4"),
        "escaped name"
    );
    assert!(html.contains("No lift was found in this clip."));
    assert!(html.contains("This clip could not be analysed:"));
    assert!(html.contains("not a readable video"));
    assert!(
        html.contains("data:image/png;base64,"),
        "a key frame is embedded"
    );
    assert!(html.contains("120 frames analysed"));
    assert!(!dir.path().join("report.html.part").exists());
    // An output that cannot be written fails at once and keeps nothing half-done.
    let out = posturecam(&[
        "report",
        "-q",
        "-o",
        "/no/such/dir/r.html",
        hostile.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write /no/such/dir/r.html"));
}

#[test]
fn bench_json_reports_every_stage_for_the_model_asked() {
    let photo = common::repo().join("sample_frames/astronaut.png");
    let out = posturecam(&[
        "bench",
        "--json",
        "--model",
        "lightning",
        "--iterations",
        "1",
        "--profile",
        "--nodes",
        "--image",
        photo.to_str().unwrap(),
    ]);
    no_panic(&out);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "one object per model: {text}");
    let v: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(v["model"], "movenet-lightning");
    assert_eq!(v["input"], 192);
    assert_eq!(v["frame"], serde_json::json!([512, 512]));
    for key in [
        "decode_ms",
        "letterbox_ms",
        "inference_ms",
        "keypoints_ms",
        "assess_ms",
        "record_ms",
        "frame_single_pass_ms",
        "frame_refined_ms",
    ] {
        let ms = v[key].as_f64().unwrap_or(-1.0);
        assert!(ms > 0.0 && ms < 60_000.0, "{key} = {}", v[key]);
    }
    // The profile counts the optimised model's nodes per op: our own
    // depthwise kernel stands in for all 24 depthwise convolutions.
    let profile = v["profile"].as_array().expect("profile");
    // (One of them fused with the expansion 1×1 before it, the first with
    // the 1×1 after it.)
    let nodes_of = |op: &str| {
        profile
            .iter()
            .find(|o| o["op"] == op)
            .map_or(0, |o| o["nodes"].as_u64().unwrap())
    };
    let depthwise = [
        "PosturecamDepthwise3x3",
        "PosturecamExpandDepthwise",
        "PosturecamDepthwiseProject",
    ];
    assert_eq!(depthwise.iter().map(|op| nodes_of(op)).sum::<u64>(), 24);
    assert!(profile.iter().all(|o| o["op"] != "DepthWiseConv"));
    assert!(profile.iter().all(|o| o["ms"].as_f64().unwrap() >= 0.0));
    // Per node, the same count, each described.
    let nodes = v["nodes"].as_array().expect("nodes");
    let dw: Vec<_> = nodes
        .iter()
        .filter(|n| depthwise.iter().any(|op| n["op"] == *op))
        .collect();
    assert_eq!(dw.len(), 24);
    assert!(dw
        .iter()
        .all(|n| n["info"].as_str().is_some_and(|i| !i.is_empty())));
    // The table names the same stages.
    let out = posturecam(&["bench", "--model", "lightning", "--iterations", "1"]);
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    for stage in [
        "decode",
        "letterbox",
        "inference",
        "keypoints",
        "assess",
        "record",
    ] {
        assert!(table.contains(stage), "{stage} missing from:\n{table}");
    }
    // A bad model name is a usage error, not a panic.
    let out = posturecam(&["bench", "--model", "nope"]);
    no_panic(&out);
    assert!(!out.status.success());
}

#[test]
fn a_looping_folder_with_nothing_readable_ends_instead_of_retrying_forever() {
    // The folder lists files, so it opens; every one of them then fails to
    // load. A camera would be retried; a folder never gets better.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.jpg"), b"not an image").unwrap();
    std::fs::write(dir.path().join("b.png"), b"").unwrap();
    let out = common::proc::run(
        common::proc::bin().args([
            "live",
            "--no-window",
            "--no-save",
            "--loop",
            "--source",
            dir.path().to_str().unwrap(),
        ]),
        120,
    );
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1), "no frame was analysed");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nothing to play"), "{err}");
}

#[test]
fn load_kg_that_does_not_fit_says_why() {
    let photo = common::sample("camera.png");
    let out = posturecam(&["score", "-q", "--load-kg", "1e300", photo.to_str().unwrap()]);
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("finite weight in kg"), "{err}");
    assert!(err.contains("inf"), "{err}");
}
