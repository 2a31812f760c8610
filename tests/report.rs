//! The HTML lifting report over plain data: escaping, self-containment,
//! the "no lift" message, the repetition table, the plot's coordinates,
//! the embedded key frames, and the skeleton drawn onto frames.

#[path = "common/poses.rs"]
mod poses;

use base64::Engine;
use image::{Rgb, RgbImage};
use posturecam::assess::reps::{Grade, Repetition};
use posturecam::assess::status::SegmentStatus;
use posturecam::assess::{AssessConfig, Assessor, LiftStyle};
use posturecam::pose::Joint;
use posturecam::report::{
    annotate_frame, plot_svg, render_html, ClipReport, KeyFrame, SeriesPoint,
};

fn rep(start: f64, bottom: f64, end: f64, trunk: f32, grade: Grade) -> Repetition {
    Repetition {
        start_s: start,
        bottom_s: bottom,
        end_s: end,
        duration_s: end - start,
        start_frame: (start * 30.0) as usize,
        bottom_frame: (bottom * 30.0) as usize,
        end_frame: (end * 30.0) as usize,
        worst_frame: (bottom * 30.0) as usize,
        peak_trunk_flexion_deg: Some(trunk),
        knee_flexion_at_bottom_deg: Some(35.4),
        style: LiftStyle::Stoop,
        reba_max: Some(if grade == Grade::Poor { 11 } else { 6 }),
        asymmetry_deg: None,
        partial: false,
        grade,
        cue: format!("bend your knees more: your back angle peaked at {trunk:.0}°"),
    }
}

fn clip(source: &str) -> ClipReport {
    ClipReport {
        source: source.into(),
        duration_s: 10.0,
        frames: 300,
        series: (0..=10)
            .map(|i| SeriesPoint {
                t_s: i as f64,
                trunk_flexion_deg: Some(12.0 * i as f32),
                knee_flexion_deg: Some(30.0),
                reba: Some(4),
            })
            .collect(),
        reps: vec![
            rep(0.5, 1.2, 2.1, 61.6, Grade::Fair),
            rep(4.0, 5.0, 6.25, 72.4, Grade::Poor),
            rep(7.0, 8.0, 9.0, 40.0, Grade::Good),
        ],
        key_frames: vec![],
        warnings: vec![],
        error: None,
    }
}

/// The text of each cell of each row of the repetition table.
fn rep_rows(html: &str) -> Vec<(String, Vec<String>)> {
    let start = html
        .find(r#"<table class="reps">"#)
        .expect("a repetition table");
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    let body = &table[table.find("<tbody>").unwrap() + 7..];
    body.split("<tr")
        .skip(1)
        .map(|row| {
            let attrs = row[..row.find('>').unwrap()].to_string();
            let cells = row
                .split("<td")
                .skip(1)
                .map(|c| {
                    let c = &c[c.find('>').unwrap() + 1..c.find("</td>").unwrap()];
                    // strip inner tags
                    let mut out = String::new();
                    let mut in_tag = false;
                    for ch in c.chars() {
                        match ch {
                            '<' => in_tag = true,
                            '>' => in_tag = false,
                            _ if !in_tag => out.push(ch),
                            _ => {}
                        }
                    }
                    out
                })
                .collect();
            (attrs, cells)
        })
        .collect()
}

#[test]
fn untrusted_text_is_escaped_everywhere() {
    let evil = r#"<script>alert(1)</script>&"'.mp4"#;
    let mut c = clip(evil);
    c.warnings = vec!["<img src=x onerror=alert(2)> frames dropped".into()];
    c.reps[0].cue = "<b>bend</b> & lift".into();
    c.key_frames.push(KeyFrame {
        rep: Some(0),
        label: "<i>start</i>".into(),
        t_s: 0.5,
        image: RgbImage::new(4, 4),
    });
    let html = render_html(&[c], &AssessConfig::default(), "2024-05-01 <10:00>");
    let lower = html.to_lowercase();
    assert!(!lower.contains("<script"), "raw script tag in the report");
    assert!(!lower.contains("<img src=x"));
    assert!(!html.contains("<b>bend"));
    assert!(!html.contains("<i>start"));
    let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39;.mp4";
    assert!(html.contains(&format!("<title>Lifting report: {escaped}</title>")));
    assert!(html.contains(&format!("<h2>Clip 1: {escaped}</h2>")));
    assert!(html.contains("<li>&lt;img src=x onerror=alert(2)&gt; frames dropped</li>"));
    assert!(html.contains("&lt;b&gt;bend&lt;/b&gt; &amp; lift"));
    assert!(html.contains("&lt;i&gt;start&lt;/i&gt;"));
    assert!(html.contains("Generated 2024-05-01 &lt;10:00&gt; by posturecam"));
}

#[test]
fn non_ascii_names_are_kept_as_utf8() {
    let html = render_html(
        &[clip("Größe_日本_lift.mp4")],
        &AssessConfig::default(),
        "now",
    );
    assert!(html.contains(r#"<meta charset="utf-8">"#));
    assert!(html.contains("<h2>Clip 1: Größe_日本_lift.mp4</h2>"));
}

#[test]
fn the_report_refers_to_nothing_outside_itself() {
    let mut c = clip("lift.mp4");
    c.key_frames.push(KeyFrame {
        rep: Some(1),
        label: "deepest".into(),
        t_s: 5.0,
        image: RgbImage::from_pixel(32, 24, Rgb([200, 10, 10])),
    });
    let html = render_html(&[c, clip("b.mp4")], &AssessConfig::default(), "now");
    assert_eq!(data_pngs(&html).len(), 1);
    // Base64 payloads may hold "//": check the page around them.
    let mut lower = String::new();
    let mut rest = html.as_str();
    while let Some(i) = rest.find("base64,") {
        lower.push_str(&rest[..i + 7]);
        rest = &rest[i + 7..];
        rest = &rest[rest.find('"').unwrap()..];
    }
    lower.push_str(rest);
    let lower = lower.to_lowercase();
    for bad in [
        "http://", "https://", "<script", "<link", "@import", "url(", "<iframe", "//",
    ] {
        // "//" would be a protocol-relative URL; nothing in the page needs it.
        assert!(!lower.contains(bad), "the report contains {bad:?}");
    }
    for (i, _) in lower.match_indices(" src=\"") {
        assert!(
            lower[i + 6..].starts_with("data:image/png;base64,"),
            "a non-data src at {i}"
        );
    }
    for (i, _) in lower.match_indices("href=\"") {
        assert!(lower[i + 6..].starts_with("#clip-"), "a link out at {i}");
    }
}

#[test]
fn a_clip_without_a_lift_says_so() {
    let mut c = clip("empty.mp4");
    c.reps.clear();
    let html = render_html(&[c], &AssessConfig::default(), "now");
    assert!(html.contains(r#"<p class="nolift">No lift was found in this clip.</p>"#));
    assert!(html.contains("Duration 10.0 s · 300 frames analysed</p>"));
    assert!(!html.contains(r#"<table class="reps">"#));
    // The plot is still there, with no repetition shaded.
    assert!(html.contains(r#"<svg class="plot""#));
    assert!(!html.contains(r#"class="rep""#));

    let with = render_html(&[clip("lift.mp4")], &AssessConfig::default(), "now");
    assert!(!with.contains("No lift was found"));
    assert!(with.contains("3 repetitions found · highest REBA 11 (very high)"));

    let none = render_html(&[], &AssessConfig::default(), "now");
    assert!(none.contains("No clips were analysed."));
}

#[test]
fn table_rows_match_the_repetitions_with_the_worst_highlighted() {
    let mut c = clip("lift.mp4");
    c.reps[2].partial = true;
    c.reps[2].asymmetry_deg = Some(8.49);
    c.reps[2].knee_flexion_at_bottom_deg = None;
    c.reps[2].reba_max = None;
    c.reps[2].style = LiftStyle::SemiSquat;
    let rows = rep_rows(&render_html(&[c], &AssessConfig::default(), "now"));
    assert_eq!(rows.len(), 3);
    let cells: Vec<Vec<&str>> = rows
        .iter()
        .map(|(_, c)| c.iter().map(String::as_str).collect())
        .collect();
    assert_eq!(
        cells[0],
        [
            "1",
            "0.50",
            "1.20",
            "2.10",
            "1.60",
            "62°",
            "35°",
            "stoop",
            "6 (medium)",
            "–",
            "fair",
            "bend your knees more: your back angle peaked at 62°"
        ]
    );
    assert_eq!(
        cells[1][..11],
        [
            "2worst",
            "4.00",
            "5.00",
            "6.25",
            "2.25",
            "72°",
            "35°",
            "stoop",
            "11 (very high)",
            "–",
            "poor"
        ]
    );
    assert_eq!(
        cells[2][..11],
        [
            "3partial",
            "7.00",
            "8.00",
            "9.00",
            "2.00",
            "40°",
            "–",
            "semi-squat",
            "–",
            "8°",
            "good"
        ]
    );
    assert_eq!(rows[1].0, r#" class="worst""#);
    assert_eq!(rows[0].0, "");
    assert_eq!(rows[2].0, "");
}

#[test]
fn a_single_repetition_is_not_singled_out_as_worst() {
    let mut c = clip("one.mp4");
    c.reps.truncate(1);
    let html = render_html(&[c], &AssessConfig::default(), "now");
    assert_eq!(rep_rows(&html).len(), 1);
    assert!(!html.contains(r#"class="worst""#));
    assert!(html.contains("1 repetition found"));
}

/// The `points` of each polyline of `class` in `svg`.
fn polylines<'a>(svg: &'a str, class: &str) -> Vec<Vec<&'a str>> {
    let tag = format!(r#"<polyline class="{class}""#);
    svg.match_indices(&tag)
        .map(|(i, _)| {
            let rest = &svg[i..];
            let p = rest.find("points=\"").unwrap() + 8;
            let end = p + rest[p..].find('"').unwrap();
            rest[p..end].split(' ').collect()
        })
        .collect()
}

#[test]
fn plot_points_map_time_and_angle_to_known_coordinates() {
    // Axes: 0..10 s over x 48..848 (80 px/s); 0..120° over y 264..24
    // (2 px/°).
    let c = clip("lift.mp4");
    let svg = plot_svg(&c, None);
    let trunk = polylines(&svg, "trunk");
    assert_eq!(trunk.len(), 1);
    assert_eq!(trunk[0].len(), 11);
    assert_eq!(trunk[0][0], "48.0,264.0"); // 0 s, 0°
    assert_eq!(trunk[0][5], "448.0,144.0"); // 5 s, 60°
    assert_eq!(trunk[0][10], "848.0,24.0"); // 10 s, 120°
    let knee = polylines(&svg, "knee");
    assert_eq!(knee[0][2], "208.0,204.0"); // 2 s, 30°
                                           // Repetition 2 (4.0–6.25 s) is shaded from x 368 to 548; its bottom at
                                           // 5 s is marked at x 448.
    assert!(svg.contains(r#"<rect class="rep" x="368.0" y="24" width="180.0" height="240""#));
    assert!(svg.contains(r#"<line class="bottom" x1="448.0" y1="24" x2="448.0" y2="264.0""#));
    // Every frame has REBA 4 (medium): one band under the whole plot.
    assert!(svg.contains(r#"<rect class="reba medium" x="48.0" y="268" width="800.0" height="10""#));
    // Angle ticks every 30°, time ticks every second.
    assert!(svg.contains(">90°</text>"));
    assert!(svg.contains(">10</text>"));
}

#[test]
fn the_reba_strip_shows_each_frames_risk_level() {
    let mut c = clip("reba.mp4");
    for (i, p) in c.series.iter_mut().enumerate() {
        p.reba = match i {
            0..=2 => Some(2),
            3..=4 => Some(9),
            5 => None,
            _ => Some(12),
        };
    }
    let svg = plot_svg(&c, None);
    let strip: Vec<&str> = svg
        .match_indices(r#"<rect class="reba"#)
        .map(|(i, _)| &svg[i..i + svg[i..].find("/>").unwrap()])
        .collect();
    assert_eq!(
        strip,
        [
            r##"<rect class="reba low" x="48.0" y="268" width="240.0" height="10" fill="#8fcf96""##,
            r##"<rect class="reba high" x="288.0" y="268" width="160.0" height="10" fill="#f08a3c""##,
            r##"<rect class="reba very-high" x="528.0" y="268" width="320.0" height="10" fill="#d93b30""##,
        ]
    );
    let html = render_html(&[c], &AssessConfig::default(), "now");
    assert!(html.contains("Strip under the plot: each frame's REBA risk,"));
}

#[test]
fn missing_values_break_the_line() {
    let mut c = clip("gaps.mp4");
    c.series[3].trunk_flexion_deg = None;
    c.series[4].trunk_flexion_deg = Some(f32::NAN);
    c.series[6].trunk_flexion_deg = None;
    c.series[5].t_s = f64::NAN;
    let svg = plot_svg(&c, None);
    let trunk = polylines(&svg, "trunk");
    // 0..=2, then 7..=10; the lone points between are missing or not
    // finite, so nothing is drawn there.
    assert_eq!(trunk.len(), 2, "{svg}");
    assert_eq!(trunk[0].len(), 3);
    assert_eq!(trunk[1][0], "608.0,96.0"); // 7 s, 84°
                                           // A lone measured point is drawn as a dot.
    c.series[4].trunk_flexion_deg = Some(48.0);
    c.series[5].t_s = 5.0;
    c.series[5].trunk_flexion_deg = None;
    let svg = plot_svg(&c, None);
    assert!(svg.contains(r#"<circle class="trunk" cx="368.0" cy="168.0" r="2""#));
    // No values at all: the plot says so.
    for p in &mut c.series {
        p.trunk_flexion_deg = None;
        p.knee_flexion_deg = None;
    }
    assert!(plot_svg(&c, None).contains("No angles were measured in this clip."));
}

fn data_pngs(html: &str) -> Vec<image::DynamicImage> {
    html.match_indices("src=\"data:image/png;base64,")
        .map(|(i, m)| {
            let start = i + m.len();
            let end = start + html[start..].find('"').unwrap();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(&html[start..end])
                .unwrap();
            image::load_from_memory_with_format(&bytes, image::ImageFormat::Png).unwrap()
        })
        .collect()
}

#[test]
fn key_frames_are_embedded_as_pngs_that_decode_to_their_size() {
    let mut c = clip("lift.mp4");
    let small = RgbImage::from_fn(64, 48, |x, y| Rgb([x as u8 * 3, y as u8 * 5, 77]));
    c.key_frames = vec![
        KeyFrame {
            rep: Some(1),
            label: "worst".into(),
            t_s: 5.0,
            image: RgbImage::from_pixel(1000, 500, Rgb([9, 9, 9])),
        },
        KeyFrame {
            rep: Some(1),
            label: "start".into(),
            t_s: 4.0,
            image: small.clone(),
        },
        KeyFrame {
            rep: None,
            label: "empty".into(),
            t_s: 0.0,
            image: RgbImage::new(0, 0),
        },
    ];
    let html = render_html(&[c], &AssessConfig::default(), "now");
    let pngs = data_pngs(&html);
    // Ordered start before worst; the large frame scaled to 640 px wide.
    assert_eq!(pngs.len(), 2);
    assert_eq!(pngs[0].to_rgb8(), small);
    assert_eq!((pngs[1].width(), pngs[1].height()), (640, 320));
    assert!(html.contains(r#"width="640" height="320" alt="Repetition 2 · worst · 5.00 s""#));
    assert!(html.contains("<figcaption>Repetition 2 · start · 4.00 s</figcaption>"));
    assert!(html.contains("This frame could not be embedded."));
}

#[test]
fn thresholds_show_the_values_used_with_their_sources() {
    let mut cfg = AssessConfig::default();
    cfg.lifting.load_kg = 12.0;
    cfg.reps.min_depth_trunk_deg = 35.0;
    let html = render_html(&[clip("a.mp4")], &cfg, "now");
    assert!(html.contains(
        "<td><code>reps.min_depth_trunk_deg</code></td><td>A lift bends the trunk at least this far beyond standing</td><td>35° <span class=\"changed\">(changed; default 30°)</span></td>"
    ));
    assert!(html.contains("<td><code>reps.max_gap_s</code></td><td>A gap without a measured frame longer than this splits the clip</td><td>0.5 s</td>"));
    assert!(html.contains("<td>15 %</td>"));
    let t = &html[html.find("<h2>Thresholds and sources</h2>").unwrap()..];
    assert!(t.contains(
        "<td><code>lifting.stoop_max_knee_deg</code></td><td>Stoop: a bent lift with knee flexion below</td><td>45°</td>"
    ));
    assert!(t.contains("12 kg <span class=\"changed\">(changed; default 0 kg)</span>"));
    assert!(t.contains("Burgess-Limerick 2003"));
    assert!(t.contains("Hignett &amp; McAtamney 2000"));
    assert!(t.contains(
        "<td><code>lifting.coupling</code></td><td>Hand hold on the load</td><td>good (+0)</td>"
    ));
}

#[test]
fn annotate_frame_draws_bones_in_their_status_colour() {
    // A stoop seen from the side: trunk 70° forward (beyond REBA's 60°:
    // red), knees nearly straight (amber), the rest green.
    let mut side = poses::Side::standing(1.0);
    side.trunk = 70.0;
    side.arm = 70.0;
    let kps = side.keypoints();
    let cfg = AssessConfig::default();
    let a = Assessor::default().assess(&kps);
    assert_eq!(a.lifting.style, LiftStyle::Stoop);
    let grey = Rgb([128, 128, 128]);
    let mut img = RgbImage::from_pixel(900, 900, grey);
    annotate_frame(&mut img, &kps, Some(&a), &cfg, "Repetition 1 · deepest");
    let at = |j: Joint| (kps.get(j).x, kps.get(j).y);
    let along = |p: (f32, f32), q: (f32, f32), f: f32| {
        let x = p.0 + f * (q.0 - p.0);
        let y = p.1 + f * (q.1 - p.1);
        *img.get_pixel(x as u32, y as u32)
    };
    let (sh, hip, knee) = (
        at(Joint::RightShoulder),
        at(Joint::RightHip),
        at(Joint::RightKnee),
    );
    assert_eq!(along(sh, hip, 0.4).0, SegmentStatus::Correct.rgb());
    assert_eq!(along(hip, knee, 0.5).0, SegmentStatus::Watch.rgb());
    assert_eq!(
        along(at(Joint::RightShoulder), at(Joint::RightElbow), 0.5).0,
        SegmentStatus::Good.rgb()
    );
    assert_eq!(
        along(at(Joint::RightElbow), at(Joint::RightWrist), 0.5).0,
        SegmentStatus::Good.rgb()
    );
    // The angles are written beside the hips and knees: white text on a
    // dark box behind the hips (the person faces right) and in front of
    // the knees.
    let white_in = |x0: u32, x1: u32, y0: u32, y1: u32| {
        (x0..x1).any(|x| (y0..y1).any(|y| img.get_pixel(x, y).0 == [255, 255, 255]))
    };
    assert!(white_in(
        hip.0 as u32 - 200,
        hip.0 as u32 - 10,
        hip.1 as u32 - 20,
        hip.1 as u32 + 20
    ));
    assert!(white_in(
        knee.0 as u32 + 10,
        knee.0 as u32 + 200,
        knee.1 as u32 - 20,
        knee.1 as u32 + 20
    ));
    // The hidden far side is not drawn; far from the body nothing changes.
    assert_eq!(*img.get_pixel(890, 890), grey);
    // The caption box darkens the top-left corner, and its text is white.
    let corner = img.get_pixel(2, 2).0;
    assert!(corner[0] < 60, "{corner:?}");
    let caption_band: Vec<_> = (0..400)
        .flat_map(|x| (0..40).map(move |y| (x, y)))
        .map(|(x, y)| img.get_pixel(x, y).0)
        .collect();
    assert!(caption_band.contains(&[255, 255, 255]));

    // Without an assessment every bone is green.
    let mut plain = RgbImage::from_pixel(900, 900, grey);
    annotate_frame(&mut plain, &kps, None, &cfg, "");
    let p = (sh.0 + 0.4 * (hip.0 - sh.0), sh.1 + 0.4 * (hip.1 - sh.1));
    assert_eq!(
        plain.get_pixel(p.0 as u32, p.1 as u32).0,
        SegmentStatus::Good.rgb()
    );
    assert_eq!(*plain.get_pixel(2, 2), grey);
}

#[test]
fn annotate_frame_survives_bad_input() {
    let mut kps = poses::Side::standing(1.0).keypoints();
    kps.0[Joint::RightHip as usize].x = f32::NAN;
    kps.0[Joint::RightKnee as usize].y = f32::INFINITY;
    kps.0[Joint::RightShoulder as usize].x = 1e30;
    let a = Assessor::default().assess(&kps);
    let mut tiny = RgbImage::new(3, 2);
    annotate_frame(
        &mut tiny,
        &kps,
        Some(&a),
        &AssessConfig::default(),
        "a very long caption",
    );
    let mut empty = RgbImage::new(0, 0);
    annotate_frame(&mut empty, &kps, Some(&a), &AssessConfig::default(), "x");
    assert_eq!(empty.dimensions(), (0, 0));
}
