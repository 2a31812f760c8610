//! Where records go: JSON Lines or CSV, to a file or stdout.

use std::io::{self, Write};

use super::record::{FrameRecord, SummaryRecord};
use crate::pose::KEYPOINT_NAMES;

/// Output formats of `posturecam score`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object per line (schema 1, docs/schema.md).
    Jsonl,
    /// One row per frame; keypoints as `<name>_x`, `<name>_y`,
    /// `<name>_confidence` columns, empty when there is no person.
    Csv,
}

/// Receives records in input order.
pub trait RecordSink {
    fn write(&mut self, record: &FrameRecord) -> io::Result<()>;
    /// A video's summary, after its frames. Formats with one row per frame
    /// leave it out (see [`RepsCsvSink`]).
    fn write_summary(&mut self, _summary: &SummaryRecord) -> io::Result<()> {
        Ok(())
    }
    /// Flushes everything written so far.
    fn finish(&mut self) -> io::Result<()>;
}

/// JSON Lines, flushed after every record so that an interrupted run keeps
/// every record it reported.
pub struct JsonlSink<W: Write> {
    out: W,
}

impl<W: Write> JsonlSink<W> {
    pub fn new(out: W) -> Self {
        JsonlSink { out }
    }
}

impl<W: Write> RecordSink for JsonlSink<W> {
    fn write(&mut self, record: &FrameRecord) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, record)?;
        self.out.write_all(b"\n")?;
        self.out.flush()
    }
    fn write_summary(&mut self, summary: &SummaryRecord) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, summary)?;
        self.out.write_all(b"\n")?;
        self.out.flush()
    }
    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// CSV with a fixed header (see [`csv_header`]).
pub struct CsvSink<W: Write> {
    out: csv::Writer<W>,
    wrote_header: bool,
}

impl<W: Write> CsvSink<W> {
    pub fn new(out: W) -> Self {
        CsvSink {
            out: csv::Writer::from_writer(out),
            wrote_header: false,
        }
    }
}

/// The CSV columns, in order.
pub fn csv_header() -> Vec<String> {
    let mut h: Vec<String> = [
        "schema",
        "type",
        "source",
        "frame",
        "time_s",
        "width",
        "height",
        "status",
        "model",
        "person_score",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for n in KEYPOINT_NAMES {
        h.push(format!("{n}_x"));
        h.push(format!("{n}_y"));
        h.push(format!("{n}_confidence"));
    }
    h.push("error".into());
    // Added with the assessments (after `error`, so earlier columns keep
    // their positions).
    for c in ASSESSMENT_COLUMNS {
        h.push(c.to_string());
    }
    h
}

/// Assessment columns, in order.
pub const ASSESSMENT_COLUMNS: [&str; 21] = [
    "view",
    "view_confidence",
    "trunk_inclination",
    "neck_inclination",
    "cva_proxy",
    "head_forward_ratio",
    "shoulder_tilt",
    "head_roll",
    "lateral_lean",
    "hip_angle",
    "knee_flexion",
    "elbow_flexion",
    "upper_arm_elevation",
    "sitting_class",
    "sitting_score",
    "rula",
    "sitting_findings",
    "lifting_style",
    "hand_distance_ratio",
    "reba",
    "reba_risk",
];

/// A serde enum's snake_case name.
fn name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn assessment_cells(r: &FrameRecord) -> Vec<String> {
    let g = r.angles.unwrap_or_default();
    let mut row = vec![
        r.view.map(|v| name(&v)).unwrap_or_default(),
        opt(r.view_confidence),
    ];
    for v in [
        g.trunk_inclination,
        g.neck_inclination,
        g.cva_proxy,
        g.head_forward_ratio,
        g.shoulder_tilt,
        g.head_roll,
        g.lateral_lean,
        g.hip_angle,
        g.knee_flexion,
        g.elbow_flexion,
        g.upper_arm_elevation,
    ] {
        row.push(opt(v));
    }
    let s = r.sitting.as_ref();
    row.push(s.map(|s| name(&s.class)).unwrap_or_default());
    row.push(opt(s.and_then(|s| s.score)));
    row.push(opt(s.and_then(|s| s.rula)));
    row.push(
        s.map(|s| {
            s.findings
                .iter()
                .map(|f| f.code.as_str())
                .collect::<Vec<_>>()
                .join(";")
        })
        .unwrap_or_default(),
    );
    let l = r.lifting.as_ref();
    row.push(l.map(|l| name(&l.style)).unwrap_or_default());
    row.push(opt(l.and_then(|l| l.hand_distance_ratio)));
    row.push(opt(l.and_then(|l| l.reba)));
    row.push(
        l.and_then(|l| l.reba_risk)
            .map(|x| name(&x))
            .unwrap_or_default(),
    );
    row
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

impl<W: Write> RecordSink for CsvSink<W> {
    fn write(&mut self, r: &FrameRecord) -> io::Result<()> {
        if !self.wrote_header {
            self.out.write_record(csv_header())?;
            self.wrote_header = true;
        }
        let status = name(&r.status);
        let mut row = vec![
            r.schema.to_string(),
            r.kind.clone(),
            r.source.clone(),
            r.frame.to_string(),
            r.time_s.to_string(),
            opt(r.width),
            opt(r.height),
            status,
            r.model.clone(),
            opt(r.person.map(|p| p.score)),
        ];
        for i in 0..KEYPOINT_NAMES.len() {
            let kp = r.person.map(|p| p.keypoints.0[i]);
            row.push(opt(kp.map(|k| k.x)));
            row.push(opt(kp.map(|k| k.y)));
            row.push(opt(kp.map(|k| k.confidence)));
        }
        row.push(r.error.clone().unwrap_or_default());
        row.extend(assessment_cells(r));
        self.out.write_record(&row)?;
        self.out.flush()
    }
    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Passes everything to `inner` and also writes each video's repetitions
/// as CSV rows (one per repetition) to a second writer: the `--reps FILE`
/// of `posturecam score`.
pub struct RepsCsvSink<W: Write> {
    inner: Box<dyn RecordSink>,
    reps: csv::Writer<W>,
    wrote_header: bool,
}

impl<W: Write> RepsCsvSink<W> {
    pub fn new(inner: Box<dyn RecordSink>, reps: W) -> Self {
        RepsCsvSink {
            inner,
            reps: csv::Writer::from_writer(reps),
            wrote_header: false,
        }
    }
}

/// The columns of the repetitions CSV.
pub const REPS_CSV_HEADER: [&str; 17] = [
    "source",
    "rep",
    "start_s",
    "bottom_s",
    "end_s",
    "duration_s",
    "peak_trunk_flexion_deg",
    "knee_flexion_at_bottom_deg",
    "style",
    "reba_max",
    "asymmetry_deg",
    "partial",
    "grade",
    "cue",
    "start_frame",
    "bottom_frame",
    "end_frame",
];

impl<W: Write> RecordSink for RepsCsvSink<W> {
    fn write(&mut self, record: &FrameRecord) -> io::Result<()> {
        self.inner.write(record)
    }
    fn write_summary(&mut self, s: &SummaryRecord) -> io::Result<()> {
        self.inner.write_summary(s)?;
        if !self.wrote_header {
            self.reps.write_record(REPS_CSV_HEADER)?;
            self.wrote_header = true;
        }
        for (i, r) in s.reps.iter().enumerate() {
            self.reps.write_record([
                s.source.clone(),
                (i + 1).to_string(),
                format!("{:.3}", r.start_s),
                format!("{:.3}", r.bottom_s),
                format!("{:.3}", r.end_s),
                format!("{:.3}", r.duration_s),
                opt(r.peak_trunk_flexion_deg.map(|p| format!("{p:.1}"))),
                opt(r.knee_flexion_at_bottom_deg.map(|k| format!("{k:.1}"))),
                name(&r.style),
                opt(r.reba_max),
                opt(r.asymmetry_deg.map(|a| format!("{a:.1}"))),
                r.partial.to_string(),
                name(&r.grade),
                r.cue.clone(),
                r.start_frame.to_string(),
                r.bottom_frame.to_string(),
                r.end_frame.to_string(),
            ])?;
        }
        self.reps.flush()
    }
    fn finish(&mut self) -> io::Result<()> {
        if !self.wrote_header {
            self.reps.write_record(REPS_CSV_HEADER)?;
            self.wrote_header = true;
        }
        self.reps.flush()?;
        self.inner.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pose::{Estimate, Keypoint, Keypoints, Pose};

    #[test]
    fn csv_rows_line_up_with_the_header() {
        let mut k = Keypoints::default();
        k.0[16] = Keypoint {
            x: 1.5,
            y: 2.5,
            confidence: 0.5,
        };
        let est = Estimate {
            pose: Pose {
                score: 0.5,
                keypoints: k,
            },
            is_person: true,
            passes: 1,
        };
        let mut buf = Vec::new();
        {
            let mut sink = CsvSink::new(&mut buf);
            sink.write(&FrameRecord::analysed("a,b.jpg", "m", (4, 3), &est, None))
                .unwrap();
            sink.write(&FrameRecord::error(
                "c.jpg",
                "m",
                None,
                "bad \"file\"".into(),
            ))
            .unwrap();
            sink.finish().unwrap();
        }
        let mut rd = csv::Reader::from_reader(&buf[..]);
        let header: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(header, csv_header());
        assert_eq!(header.len(), 10 + 17 * 3 + 1 + ASSESSMENT_COLUMNS.len());
        let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
        assert!(rows.iter().all(|r| r.len() == header.len()));
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[0][2], "a,b.jpg");
        assert_eq!(&rows[0][7], "ok");
        assert_eq!(
            &rows[0][header.iter().position(|h| h == "right_ankle_y").unwrap()],
            "2.5"
        );
        assert_eq!(&rows[1][7], "error");
        assert_eq!(&rows[1][5], "");
        assert_eq!(&rows[1][61], "bad \"file\"");
    }

    #[test]
    fn jsonl_writes_one_line_per_record() {
        let mut buf = Vec::new();
        let mut sink = JsonlSink::new(&mut buf);
        for i in 0..3 {
            sink.write(&FrameRecord::error(
                &format!("{i}.jpg"),
                "m",
                None,
                "x".into(),
            ))
            .unwrap();
        }
        sink.finish().unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert_eq!(text.lines().count(), 3);
        for line in text.lines() {
            let _: FrameRecord = serde_json::from_str(line).unwrap();
        }
    }
}
