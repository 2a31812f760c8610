//! `posturecam config`: print the default thresholds with their sources,
//! or check a configuration file.

use std::path::PathBuf;

use clap::Args;

use super::EXIT_OK;
use crate::assess::AssessConfig;

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Print the default configuration, with the source of each threshold.
    #[arg(long)]
    pub print_default: bool,
    /// Check a configuration file and print it with defaults filled in.
    #[arg(long, value_name = "FILE", conflicts_with = "print_default")]
    pub check: Option<PathBuf>,
}

pub fn run(args: ConfigArgs) -> anyhow::Result<i32> {
    match (&args.check, args.print_default) {
        (Some(p), _) => {
            let cfg = AssessConfig::load(p)?;
            print!("{}", toml::to_string_pretty(&cfg)?);
        }
        (None, true) => print!("{}", crate::assess::config::DEFAULT_TOML),
        (None, false) => anyhow::bail!("say --print-default or --check FILE"),
    }
    Ok(EXIT_OK)
}
