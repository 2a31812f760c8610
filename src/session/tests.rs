//! Tests of the session database: writing, reading, migrations, faults and
//! the listings.

use super::history::*;
use super::store::*;
use std::path::{Path, PathBuf};

use rusqlite::Connection;

use crate::assess::baseline::FrontMeasures;
use crate::assess::Baseline;

const DAY0: f64 = 1_795_737_600.0; // 2026-11-27 00:00:00 UTC

fn sample(t: f64, state: &str) -> Sample {
    Sample {
        t,
        state: state.into(),
        score: Some(80),
        rula: Some(3),
        trunk_inclination: Some(4.5),
        neck_inclination: Some(12.25),
        shoulder_tilt: Some(-1.5),
        head_drop: Some(0.03),
    }
}

fn bare(t: f64, state: &str) -> Sample {
    Sample {
        t,
        state: state.into(),
        score: None,
        rula: None,
        trunk_inclination: None,
        neck_inclination: None,
        shoulder_tilt: None,
        head_drop: None,
    }
}

fn alert(t: f64, code: &str) -> AlertRow {
    AlertRow {
        t,
        code: code.into(),
        message: format!("{code}: sit back, \"chin\" up"),
    }
}

fn baseline(head: f32, frames: usize) -> Baseline {
    Baseline {
        kind: "posturecam-baseline".into(),
        version: 1,
        frames,
        measures: FrontMeasures {
            head_height_px: head,
            inter_ear_px: 60.0,
            shoulder_width_px: 180.5,
            shoulder_tilt_deg: -0.75,
        },
    }
}

fn temp_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("posturecam.sqlite3");
    (dir, path)
}

#[test]
fn round_trip() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let id = store
        .start_session(DAY0 + 100.0, Some("desk"), "camera 0", "movenet-lightning")
        .unwrap();
    let samples = vec![
        sample(DAY0 + 100.0, "upright"),
        bare(DAY0 + 101.0, STATE_AWAY),
        Sample {
            score: Some(0),
            rula: None,
            head_drop: None,
            ..sample(DAY0 + 102.5, "slouched")
        },
    ];
    store.add_samples(id, &samples[..2]).unwrap();
    store.add_samples(id, &samples[2..]).unwrap();
    store.add_samples(id, &[]).unwrap();
    store.add_alert(id, &alert(DAY0 + 102.0, "slouch")).unwrap();
    store.end_session(id, DAY0 + 103.0).unwrap();
    let other = store
        .start_session(DAY0 + 200.0, None, "clips/a.mp4", "movenet-thunder")
        .unwrap();
    drop(store);

    let store = Store::open(&path).unwrap();
    assert_eq!(store.samples(id).unwrap(), samples);
    assert_eq!(
        store.alerts(id).unwrap(),
        vec![alert(DAY0 + 102.0, "slouch")]
    );
    let row = store.session(id).unwrap().unwrap();
    assert_eq!(
        row,
        SessionRow {
            id,
            started_at: DAY0 + 100.0,
            ended_at: Some(DAY0 + 103.0),
            duration_s: 3.0,
            profile: Some("desk".into()),
            source: "camera 0".into(),
            samples: 3,
            upright_share: Some(0.5),
            alerts: 1,
        }
    );
    let empty = SessionRow {
        id: other,
        started_at: DAY0 + 200.0,
        ended_at: None,
        duration_s: 0.0,
        profile: None,
        source: "clips/a.mp4".into(),
        samples: 0,
        upright_share: None,
        alerts: 0,
    };
    assert_eq!(store.sessions().unwrap(), vec![empty, row]);
    assert_eq!(store.session(9999).unwrap(), None);
    assert!(store.samples(9999).unwrap().is_empty());

    assert_eq!(store.profiles().unwrap(), Vec::<String>::new());
    assert!(store.profile("desk").unwrap().is_none());
    store
        .save_profile("desk", &baseline(40.0, 30), 1.5)
        .unwrap();
    store
        .save_profile("home", &baseline(38.0, 12), 2.0)
        .unwrap();
    assert_eq!(
        store.profile("desk").unwrap(),
        Some((baseline(40.0, 30), 1.5))
    );
    store
        .save_profile("desk", &baseline(42.5, 45), 3.0)
        .unwrap();
    assert_eq!(
        store.profile("desk").unwrap(),
        Some((baseline(42.5, 45), 3.0))
    );
    assert_eq!(
        store.profile("home").unwrap(),
        Some((baseline(38.0, 12), 2.0))
    );
    assert_eq!(store.profiles().unwrap(), vec!["desk", "home"]);
}

#[test]
fn writes_to_unknown_sessions_are_refused() {
    let store = Store::open_in_memory().unwrap();
    assert!(matches!(
        store.add_samples(7, &[bare(1.0, "upright")]),
        Err(StoreError::UnknownSession(7))
    ));
    assert!(matches!(
        store.add_alert(7, &alert(1.0, "slouch")),
        Err(StoreError::UnknownSession(7))
    ));
    assert!(matches!(
        store.end_session(7, 2.0),
        Err(StoreError::UnknownSession(7))
    ));
    // The failed batch left nothing behind.
    let count: i64 = store
        .conn
        .query_row("SELECT COUNT(*) FROM samples", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 0);
}

#[test]
fn a_failed_batch_is_rolled_back_whole() {
    let store = Store::open_in_memory().unwrap();
    let id = store.start_session(0.0, None, "camera 0", "m").unwrap();
    store
        .conn
        .execute_batch(
            "CREATE TRIGGER no_reclined BEFORE INSERT ON samples
             WHEN NEW.state = 'reclined' BEGIN SELECT RAISE(ABORT, 'no'); END;",
        )
        .unwrap();
    let batch = [bare(1.0, "upright"), bare(2.0, "reclined")];
    assert!(matches!(
        store.add_samples(id, &batch),
        Err(StoreError::Sqlite(..))
    ));
    assert!(store.samples(id).unwrap().is_empty());
}

#[test]
fn migrations_bring_a_fresh_db_up_to_date_and_reopening_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a").join("b").join("sessions.sqlite3");
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(SCHEMA_VERSION as usize, MIGRATIONS.len());
    let id = store.start_session(5.0, None, "camera 0", "m").unwrap();
    drop(store);
    for _ in 0..2 {
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(store.sessions().unwrap().len(), 1);
        assert_eq!(store.sessions().unwrap()[0].id, id);
    }
    let mem = Store::open_in_memory().unwrap();
    assert_eq!(mem.schema_version().unwrap(), SCHEMA_VERSION);
}

#[test]
fn a_newer_db_is_refused_and_left_unchanged() {
    let (dir, path) = temp_db();
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(&path).unwrap_err();
    match &err {
        StoreError::TooNew {
            path: p,
            found,
            known,
        } => {
            assert_eq!(p, &path);
            assert_eq!(*found, 99);
            assert_eq!(*known, SCHEMA_VERSION);
        }
        other => panic!("expected TooNew, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("schema version 99"), "{msg}");
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec!["posturecam.sqlite3"]);
}

#[test]
fn another_programs_database_is_refused() {
    let (_dir, path) = temp_db();
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE sessions (x);").unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::NotADatabase(..)), "{err:?}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_file_that_is_not_a_database_gives_a_clear_error() {
    let (_dir, path) = temp_db();
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(&path, &garbage).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::NotADatabase(..)), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains("not a posturecam session database"), "{msg}");
    assert_eq!(std::fs::read(&path).unwrap(), garbage);
}

#[test]
fn wal_and_pragmas_are_on() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let pragma = |name: &str| -> String {
        store
            .conn
            .pragma_query_value(None, name, |r| r.get::<_, rusqlite::types::Value>(0))
            .map(|v| match v {
                rusqlite::types::Value::Integer(i) => i.to_string(),
                rusqlite::types::Value::Text(s) => s,
                other => format!("{other:?}"),
            })
            .unwrap()
    };
    assert_eq!(pragma("journal_mode"), "wal");
    assert_eq!(pragma("synchronous"), "1"); // NORMAL
    assert_eq!(pragma("foreign_keys"), "1");
    assert_eq!(pragma("busy_timeout"), "5000");
}

#[test]
fn two_stores_write_one_file_concurrently() {
    let (_dir, path) = temp_db();
    const BATCHES: usize = 200;
    const PER_BATCH: usize = 5;
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let path = path.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || -> Result<SessionId, StoreError> {
                barrier.wait();
                // Both open (and migrate) at the same moment too.
                let store = Store::open(&path)?;
                let id = store.start_session(w as f64, None, "camera 0", "m")?;
                for b in 0..BATCHES {
                    let batch: Vec<Sample> = (0..PER_BATCH)
                        .map(|i| sample((b * PER_BATCH + i) as f64, "upright"))
                        .collect();
                    store.add_samples(id, &batch)?;
                    if b % 50 == 0 {
                        store.add_alert(id, &alert(b as f64, "slouch"))?;
                    }
                }
                store.end_session(id, (BATCHES * PER_BATCH) as f64)?;
                Ok(id)
            })
        })
        .collect();
    let ids: Vec<SessionId> = writers
        .into_iter()
        .map(|h| h.join().unwrap().unwrap())
        .collect();
    assert_ne!(ids[0], ids[1]);
    let store = Store::open(&path).unwrap();
    let sessions = store.sessions().unwrap();
    assert_eq!(sessions.len(), 2);
    for id in ids {
        let samples = store.samples(id).unwrap();
        assert_eq!(samples.len(), BATCHES * PER_BATCH);
        assert!(samples.windows(2).all(|w| w[0].t < w[1].t));
        assert_eq!(store.alerts(id).unwrap().len(), BATCHES / 50);
    }
}

#[test]
fn read_only_cannot_open_and_full_disk_errors_name_the_file_and_what_to_do() {
    let path = Path::new("/data/s.sqlite3");
    let err = |code| {
        sql_error(
            path,
            rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None),
        )
    };
    let full = err(rusqlite::ffi::SQLITE_FULL);
    assert!(matches!(full, StoreError::Full(..)), "{full:?}");
    // A write refused by the file-size limit (EFBIG) or ENOSPC.
    let refused = err(rusqlite::ffi::SQLITE_IOERR_WRITE);
    assert!(matches!(refused, StoreError::Full(..)), "{refused:?}");
    let ro = err(rusqlite::ffi::SQLITE_READONLY);
    assert!(matches!(ro, StoreError::ReadOnly(..)), "{ro:?}");
    let cant = err(rusqlite::ffi::SQLITE_CANTOPEN);
    assert!(matches!(cant, StoreError::CannotOpen(..)), "{cant:?}");
    for (e, says) in [
        (full, "the disk is full"),
        (refused, "the disk is full"),
        (ro, "read-only"),
        (cant, "read-only or missing"),
    ] {
        let m = e.to_string();
        assert!(m.contains("/data/s.sqlite3") && m.contains(says), "{m}");
        assert!(m.contains("--db PATH"), "{m}");
    }
    // Other I/O errors stay as SQLite says them.
    let other = err(rusqlite::ffi::SQLITE_IOERR_READ);
    assert!(matches!(other, StoreError::Sqlite(..)), "{other:?}");
}

#[test]
fn a_session_that_never_ended_lasts_until_its_last_sample() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let id = store.start_session(DAY0, None, "camera 0", "m").unwrap();
    let batch: Vec<Sample> = (0..=42)
        .map(|i| sample(DAY0 + i as f64, "upright"))
        .collect();
    store.add_samples(id, &batch).unwrap();
    // Like kill -9: the connection is never closed (no checkpoint).
    std::mem::forget(store);

    let store = Store::open(&path).unwrap();
    let row = store.session(id).unwrap().unwrap();
    assert_eq!(row.ended_at, None);
    assert_eq!(row.duration_s, 42.0);
    assert_eq!(row.samples, 43);
    assert_eq!(store.sessions().unwrap(), vec![row]);
}

#[test]
fn upright_share_counts_only_scored_samples() {
    let store = Store::open_in_memory().unwrap();
    let id = store.start_session(0.0, None, "camera 0", "m").unwrap();
    let states = [
        "upright",
        "upright",
        "slouched",
        "upright",
        STATE_AWAY,
        STATE_AWAY,
        STATE_PAUSED,
        "unscorable",
        "unscorable",
    ];
    let batch: Vec<Sample> = states
        .iter()
        .enumerate()
        .map(|(i, s)| bare(i as f64, s))
        .collect();
    store.add_samples(id, &batch).unwrap();
    let row = store.session(id).unwrap().unwrap();
    assert_eq!(row.upright_share, Some(0.75));
    assert_eq!(row.samples, 9);

    let away = store.start_session(100.0, None, "camera 0", "m").unwrap();
    store
        .add_samples(away, &[bare(100.0, STATE_AWAY), bare(101.0, "unscorable")])
        .unwrap();
    assert_eq!(store.session(away).unwrap().unwrap().upright_share, None);
}

#[test]
fn daily_trend_buckets_by_utc_day_with_empty_days() {
    let store = Store::open_in_memory().unwrap();
    // Across the midnight between 25 and 26 November.
    let late = store
        .start_session(DAY0 - DAY_S - 2.0, None, "camera 0", "m")
        .unwrap();
    let across: Vec<Sample> = [
        (-2.0, "upright"),
        (-1.0, "slouched"),
        (0.0, "upright"),
        (1.0, STATE_AWAY),
    ]
    .iter()
    .map(|&(dt, s)| bare(DAY0 - DAY_S + dt, s))
    .collect();
    store.add_samples(late, &across).unwrap();
    store
        .add_alert(late, &alert(DAY0 - DAY_S - 1.0, "slouch"))
        .unwrap();
    store.end_session(late, DAY0 - DAY_S + 2.0).unwrap();
    // Today, never ended.
    let today = store
        .start_session(DAY0 + 3600.0, None, "camera 0", "m")
        .unwrap();
    let batch: Vec<Sample> = [
        "upright",
        "upright",
        "upright",
        "reclined",
        STATE_PAUSED,
        "unscorable",
    ]
    .iter()
    .enumerate()
    .map(|(i, s)| bare(DAY0 + 3600.0 + i as f64, s))
    .collect();
    store.add_samples(today, &batch).unwrap();
    store
        .add_alert(today, &alert(DAY0 + 3601.0, "slouch"))
        .unwrap();
    store
        .add_alert(today, &alert(DAY0 + 3602.0, "lean"))
        .unwrap();
    // Long before the range.
    let old = store
        .start_session(DAY0 - 30.0 * DAY_S, None, "camera 0", "m")
        .unwrap();
    store
        .add_samples(old, &[bare(DAY0 - 30.0 * DAY_S, "upright")])
        .unwrap();
    store.end_session(old, DAY0 - 30.0 * DAY_S + 1.0).unwrap();

    let trend = store.daily_trend(4, DAY0 + 12.0 * 3600.0).unwrap();
    let day = |day: &str, tracked_s: f64, upright_share: Option<f64>, alerts: u64| DayTrend {
        day: day.into(),
        tracked_s,
        upright_share,
        alerts,
    };
    assert_eq!(
        trend,
        vec![
            day("2026-11-24", 0.0, None, 0),
            day("2026-11-25", 2.0, Some(0.5), 1),
            day("2026-11-26", 1.0, Some(1.0), 0),
            day("2026-11-27", 5.0, Some(0.75), 2),
        ]
    );
    assert!(store.daily_trend(0, DAY0).unwrap().is_empty());
    // The last second of a day still belongs to it.
    let one = store.daily_trend(1, DAY0 - 0.5).unwrap();
    assert_eq!(one, vec![day("2026-11-26", 1.0, Some(1.0), 0)]);
}

/// A database with three sessions: ended, empty, and crashed.
fn history_db() -> Store {
    let store = Store::open_in_memory().unwrap();
    let first = store
        .start_session(DAY0 + 9.0 * 3600.0, Some("desk"), "camera 0", "m")
        .unwrap();
    let states = ["upright", "upright", "slouched", "upright", STATE_AWAY];
    let batch: Vec<Sample> = states
        .iter()
        .enumerate()
        .map(|(i, s)| bare(DAY0 + 9.0 * 3600.0 + i as f64, s))
        .collect();
    store.add_samples(first, &batch).unwrap();
    store
        .add_alert(first, &alert(DAY0 + 9.0 * 3600.0 + 2.0, "slouch"))
        .unwrap();
    store
        .add_alert(first, &alert(DAY0 + 9.0 * 3600.0 + 3.0, "slouch"))
        .unwrap();
    store
        .end_session(first, DAY0 + 9.0 * 3600.0 + 3723.0)
        .unwrap();
    let second = store
        .start_session(DAY0 + 14.0 * 3600.0, None, "clip.mp4", "m")
        .unwrap();
    store
        .end_session(second, DAY0 + 14.0 * 3600.0 + 250.4)
        .unwrap();
    let third = store
        .start_session(DAY0 + 15.5 * 3600.0, None, "camera 0", "m")
        .unwrap();
    let batch: Vec<Sample> = ["upright", "slouched", "upright"]
        .iter()
        .enumerate()
        .map(|(i, s)| bare(DAY0 + 15.5 * 3600.0 + 22.5 * i as f64, s))
        .collect();
    store.add_samples(third, &batch).unwrap();
    store
}

#[test]
fn history_lists_sessions_newest_first() {
    let mut out = Vec::new();
    write_history(&history_db(), &mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "\
id  started (UTC)          duration  upright  alerts
 3  2026-11-27 15:30:00         45s      67%       0
 2  2026-11-27 14:00:00      4m 10s        -       0
 1  2026-11-27 09:00:00  1h 02m 03s      75%       2
"
    );

    let mut out = Vec::new();
    write_history(&Store::open_in_memory().unwrap(), &mut out).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), "no sessions yet\n");
}

/// A session of two samples (one with nothing measured) and an alert.
fn export_db() -> (Store, SessionId) {
    let store = Store::open_in_memory().unwrap();
    let id = store
        .start_session(DAY0 + 9.0 * 3600.0, Some("desk"), "camera 0", "m")
        .unwrap();
    let t = DAY0 + 9.0 * 3600.0;
    store
        .add_samples(
            id,
            &[
                Sample {
                    score: Some(92),
                    rula: Some(2),
                    ..sample(t, "upright")
                },
                bare(t + 1.5, STATE_AWAY),
            ],
        )
        .unwrap();
    store
        .add_alert(
            id,
            &AlertRow {
                t: t + 1.0,
                code: "slouch".into(),
                message: "Sit back, \"chin\" up".into(),
            },
        )
        .unwrap();
    store.end_session(id, t + 2.0).unwrap();
    (store, id)
}

#[test]
fn export_csv() {
    let (store, id) = export_db();
    let mut out = Vec::new();
    export_session(&store, id, ExportFormat::Csv, &mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "\
t,time_utc,state,score,rula,trunk_inclination,neck_inclination,shoulder_tilt,head_drop
1795770000,2026-11-27T09:00:00.000Z,upright,92,2,4.5,12.25,-1.5,0.03
1795770001.5,2026-11-27T09:00:01.500Z,away,,,,,,
"
    );
}

#[test]
fn export_json() {
    let (store, id) = export_db();
    let mut out = Vec::new();
    export_session(&store, id, ExportFormat::Json, &mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        r#"{
  "session": {
    "id": 1,
    "started_at": 1795770000.0,
    "ended_at": 1795770002.0,
    "duration_s": 2.0,
    "profile": "desk",
    "source": "camera 0",
    "samples": 2,
    "upright_share": 1.0,
    "alerts": 1
  },
  "samples": [
    {
      "t": 1795770000.0,
      "state": "upright",
      "score": 92,
      "rula": 2,
      "trunk_inclination": 4.5,
      "neck_inclination": 12.25,
      "shoulder_tilt": -1.5,
      "head_drop": 0.03
    },
    {
      "t": 1795770001.5,
      "state": "away",
      "score": null,
      "rula": null,
      "trunk_inclination": null,
      "neck_inclination": null,
      "shoulder_tilt": null,
      "head_drop": null
    }
  ],
  "alerts": [
    {
      "t": 1795770001.0,
      "code": "slouch",
      "message": "Sit back, \"chin\" up"
    }
  ]
}
"#
    );
}

#[test]
fn exporting_an_unknown_session_is_an_error() {
    let (store, _) = export_db();
    for format in [ExportFormat::Csv, ExportFormat::Json] {
        let mut out = Vec::new();
        let err = export_session(&store, 42, format, &mut out).unwrap_err();
        assert!(matches!(err, StoreError::UnknownSession(42)), "{err:?}");
        assert!(err.to_string().contains("posturecam history"));
        assert!(out.is_empty());
    }
    assert_eq!("CSV".parse::<ExportFormat>(), Ok(ExportFormat::Csv));
    assert_eq!("json".parse::<ExportFormat>(), Ok(ExportFormat::Json));
    assert!("xml".parse::<ExportFormat>().is_err());
}

#[test]
fn dates_and_durations() {
    assert_eq!(format_utc(0.0), "1970-01-01 00:00:00");
    assert_eq!(format_utc(-1.0), "1969-12-31 23:59:59");
    assert_eq!(format_utc(951_782_400.0), "2000-02-29 00:00:00");
    assert_eq!(format_utc(951_868_799.9), "2000-02-29 23:59:59");
    assert_eq!(format_utc(DAY0 + 45_296.0), "2026-11-27 12:34:56");
    assert_eq!(format_utc(4_107_542_400.0), "2100-03-01 00:00:00");
    assert_eq!(format_utc_millis(DAY0 + 0.25), "2026-11-27T00:00:00.250Z");
    assert_eq!(format_utc_millis(DAY0 - 0.0004), "2026-11-27T00:00:00.000Z");
    assert_eq!(format_duration(0.0), "0s");
    assert_eq!(format_duration(59.4), "59s");
    assert_eq!(format_duration(59.6), "1m 00s");
    assert_eq!(format_duration(3723.0), "1h 02m 03s");
    assert_eq!(format_duration(100.0 * 3600.0), "100h 00m 00s");
    assert_eq!(format_duration(-5.0), "0s");
}

#[test]
fn sitting_states_are_the_serde_names() {
    use crate::assess::SittingClass::*;
    for class in [
        Upright,
        Slouched,
        Reclined,
        LeaningLeft,
        LeaningRight,
        Unscorable,
    ] {
        assert_eq!(
            serde_json::to_value(class).unwrap(),
            serde_json::Value::String(class.as_str().into())
        );
    }
}

#[test]
fn default_path_is_in_the_data_dir() {
    if let Some(p) = Store::default_path() {
        assert!(
            p.ends_with("posturecam/posturecam.sqlite3"),
            "{}",
            p.display()
        );
    }
}
