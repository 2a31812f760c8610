//! `posturecam history` (past live sessions) and `posturecam export` (one
//! session's per-second samples as CSV or JSON).

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::{db_path, DbArgs, EXIT_OK};
use crate::session::store::{export_session, write_history, ExportFormat, Store};

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Session id, as `posturecam history` lists it.
    pub session: i64,
    #[arg(long, value_parser = ["csv", "json"], default_value = "csv")]
    pub format: String,
    /// Write here instead of stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub db: DbArgs,
}

pub fn run_history(args: DbArgs) -> anyhow::Result<i32> {
    let path = db_path(&args)?;
    if !path.exists() {
        println!("no sessions yet ({} does not exist)", path.display());
        return Ok(EXIT_OK);
    }
    let store = Store::open(&path)?;
    let mut out = std::io::stdout().lock();
    write_history(&store, &mut out)?;
    Ok(EXIT_OK)
}

pub fn run_export(args: ExportArgs) -> anyhow::Result<i32> {
    let path = db_path(&args.db)?;
    anyhow::ensure!(path.exists(), "no session database at {}", path.display());
    let store = Store::open(&path)?;
    let format = if args.format == "json" {
        ExportFormat::Json
    } else {
        ExportFormat::Csv
    };
    match &args.output {
        Some(p) => {
            let mut f = std::io::BufWriter::new(
                std::fs::File::create(p)
                    .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", p.display()))?,
            );
            export_session(&store, args.session, format, &mut f)?;
            f.flush()
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", p.display()))?;
        }
        None => export_session(&store, args.session, format, &mut std::io::stdout().lock())?,
    }
    Ok(EXIT_OK)
}
