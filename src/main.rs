//! The `pipes-harness` command line: a thin layer over the library.

mod embedded;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use pipes_harness::runner::{self, FeatureText, RunOptions};

/// Tests WorkOS Pipes integrations the way they break in production.
#[derive(Debug, Parser)]
#[command(name = "pipes-harness", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List every step with a description and an example.
    Steps {
        /// Print the Markdown table the README carries.
        #[arg(long)]
        markdown: bool,
        /// Print the diagnosis catalogue (Markdown) instead.
        #[arg(long)]
        diagnoses: bool,
    },
    /// Run feature files against the embedded mock stack (the built-in library by default).
    Run {
        /// Feature files or directories, optionally `file.feature:LINE`; none = the built-in library.
        paths: Vec<String>,
        /// Tag expression, e.g. "@github and not @slow".
        #[arg(long)]
        tags: Option<String>,
        /// Stop at the first failing scenario.
        #[arg(long)]
        fail_fast: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match cli.command {
        Command::Steps {
            markdown,
            diagnoses,
        } => {
            if diagnoses {
                print!("{}", pipes_harness::client::diagnosis::catalogue_markdown());
            } else if markdown {
                print!("{}", pipes_harness::steps::vocabulary::markdown());
            } else {
                print!("{}", pipes_harness::steps::vocabulary::text());
            }
            ExitCode::SUCCESS
        }
        Command::Run {
            paths,
            tags,
            fail_fast,
        } => runtime.block_on(run(paths, tags, fail_fast)),
    }
}

async fn run(paths: Vec<String>, tags: Option<String>, fail_fast: bool) -> ExitCode {
    let mut lines = Vec::new();
    let mut files = Vec::new();
    for p in &paths {
        match p.rsplit_once(':') {
            Some((file, line)) if line.chars().all(|c| c.is_ascii_digit()) && !line.is_empty() => {
                lines.push((file.to_string(), line.parse().unwrap_or(0)));
                files.push(PathBuf::from(file));
            }
            _ => files.push(PathBuf::from(p)),
        }
    }
    let texts: Vec<FeatureText> = if files.is_empty() {
        embedded::library()
    } else {
        match runner::read_features(&files) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    };
    let opts = RunOptions {
        tags,
        lines,
        fail_fast,
        after: None,
    };
    match runner::run(&texts, opts).await {
        Ok(summary) => {
            println!(
                "\n{} scenarios: {} passed, {} failed",
                summary.scenarios, summary.passed, summary.failed
            );
            if summary.scenarios == 0 {
                eprintln!("error: no scenario matched");
                return ExitCode::from(1);
            }
            if summary.ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
