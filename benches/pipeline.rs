//! Each stage of the frame pipeline on its own, for both models, on a
//! 640×480 JPEG of a person (the astronaut sample photo on a grey canvas):
//!
//!     cargo bench --bench pipeline [-- FILTER]
//!
//! The stages are the same functions `posturecam bench` times
//! ([`posturecam::bench::Pipeline`]). Timings on a shared machine are noisy;
//! compare variants in the same run, or count instructions with callgrind.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use image::imageops::{self, FilterType};
use image::{Rgb, RgbImage};
use posturecam::bench::{encode_jpeg, Pipeline};
use posturecam::pose::{ModelSpec, PoseModel};

fn frame_640x480() -> Vec<u8> {
    let photo = image::open(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/sample_frames/astronaut.png"
    ))
    .expect("sample_frames/astronaut.png")
    .to_rgb8();
    let person = imageops::resize(&photo, 480, 480, FilterType::Triangle);
    let mut canvas = RgbImage::from_pixel(640, 480, Rgb([128, 128, 128]));
    imageops::replace(&mut canvas, &person, 80, 0);
    encode_jpeg(&canvas).expect("JPEG encoding")
}

fn stages(c: &mut Criterion) {
    let jpeg = frame_640x480();
    for spec in [ModelSpec::Lightning, ModelSpec::Thunder] {
        let model = PoseModel::load(&spec).expect("shipped model");
        let name = model.name().to_string();
        let mut p = Pipeline::new(model, jpeg.clone()).expect("pipeline");
        let img = p.decode().unwrap();
        let frame = img.dimensions();
        let (input, transform) = p.letterbox(&img);
        let raw = p.infer(&input).unwrap();
        let est = p.keypoints(&raw, &transform, frame);
        let assessment = p.assess(&est);

        let mut g = c.benchmark_group(&name);
        g.sample_size(20);
        g.bench_function("decode_jpeg_640x480", |b| {
            b.iter(|| black_box(p.decode().unwrap()))
        });
        g.bench_function("letterbox", |b| b.iter(|| black_box(p.letterbox(&img))));
        g.bench_function("inference", |b| {
            b.iter(|| black_box(p.infer(&input).unwrap()))
        });
        g.bench_function("keypoints", |b| {
            b.iter(|| black_box(p.keypoints(black_box(&raw), &transform, frame)))
        });
        g.bench_function("assess", |b| {
            b.iter(|| black_box(p.assess(black_box(&est))))
        });
        g.bench_function("record", |b| {
            b.iter(|| black_box(p.record(frame, &est, &assessment).unwrap()))
        });
        g.bench_function("frame_single_pass", |b| {
            b.iter(|| black_box(p.frame(false).unwrap()))
        });
        g.bench_function("frame_refined", |b| {
            b.iter(|| black_box(p.frame(true).unwrap()))
        });
        g.finish();
    }
}

criterion_group!(benches, stages);
criterion_main!(benches);
