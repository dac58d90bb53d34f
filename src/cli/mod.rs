//! The `pipes-harness` command line: argument parsing over the library.
//! The binary only supplies the built-in feature library (compiled into it,
//! so editing a feature rebuilds the binary, not the library) and the
//! allocator.

use std::sync::OnceLock;

use std::path::PathBuf;
use std::process::ExitCode;

use crate::runner::output;
use crate::runner::transcripts::{self, Format};
use crate::runner::{self, ColorChoice, FeatureText, Progress, RunError, RunOptions, Shard};
use clap::builder::TypedValueParser as _;
use clap::{Parser, Subcommand};

/// Tests WorkOS Pipes integrations the way they break in production.
#[derive(Debug, Parser)]
#[command(name = "pipes-harness", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the mock WorkOS API and provider mocks for an app in any language.
    Serve {
        /// Port of the WorkOS mock; the provider mocks take the next four (0 = ephemeral ports).
        #[arg(long, default_value_t = 4100)]
        port: u16,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// Seed file (YAML): environment, API keys, users, organizations, integrations, accounts, webhooks.
        #[arg(long)]
        seed: Option<std::path::PathBuf>,
        /// API key the mock accepts, besides the seed's.
        #[arg(long, default_value = crate::serve::DEFAULT_API_KEY)]
        api_key: String,
        /// How many events, webhook deliveries and idempotent answers are kept (oldest dropped first).
        #[arg(long, default_value_t = crate::mock::workos::state::DEFAULT_LOG_LIMIT)]
        log_limit: usize,
        /// Require `Authorization: Bearer <TOKEN>` on every control API request.
        #[arg(long, value_name = "TOKEN")]
        control_token: Option<String>,
        /// Write the URLs, API key and webhook secret an app and `run` need to FILE (dotenv
        /// lines, before `ready`); `-` prints them on stdout before the service lines.
        #[arg(long, value_name = "FILE")]
        env_file: Option<std::path::PathBuf>,
    },
    /// Preflight checklist for your app: WorkOS credentials, the SDK dependency and, with
    /// --app, its connect and webhook endpoints. Exit 1 on any FAIL.
    Doctor {
        /// The app's root directory.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The running app's base URL, e.g. http://localhost:3000.
        #[arg(long)]
        app: Option<String>,
        /// The app's connect endpoint ({provider} and {user_id} are filled in).
        #[arg(long, default_value = crate::apps::target::DEFAULT_CONNECT_PATH)]
        connect_path: String,
        /// The app's webhook endpoint.
        #[arg(long, default_value = crate::apps::target::DEFAULT_WEBHOOK_PATH)]
        webhook_path: String,
        /// The WorkOS user id the connect check uses. Default: a user doctor creates in the
        /// WorkOS at PIPES_HARNESS_WORKOS_URL or WORKOS_BASE_URL, else a visitor without one.
        #[arg(long, value_name = "ID")]
        user_id: Option<String>,
    },
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
    ///
    /// To test your own app, start `pipes-harness serve --port 0 --env-file harness.env`, load
    /// that file into the environment, set PIPES_HARNESS_APP_URL to your app and run
    /// `pipes-harness run --tags @app`: the app features then drive your app instead of the
    /// built-in reference app.
    ///
    /// Exit codes: 0 every scenario passed; 1 a scenario failed; 2 bad usage or bad input
    /// (unreadable path, malformed feature, undefined step, bad tag expression, no scenario
    /// selected); 141 the output was closed before the run ended (`| head`), as for any
    /// tool stopped by SIGPIPE. With --junit or --json a closed output does not stop the
    /// run: it finishes silently, writes its reports and exits with its verdict.
    ///
    /// --tags, --fail-fast, --junit, --json and --shard fall back on the PIPES_HARNESS_*
    /// variables the cargo test runner reads (shown with each option); a flag given wins.
    Run {
        /// Feature files or directories, optionally `file.feature:LINE`; none = the built-in library.
        paths: Vec<String>,
        /// Tag expression, e.g. "@github and not @slow".
        #[arg(long, env = "PIPES_HARNESS_TAGS")]
        tags: Option<String>,
        /// Only scenarios whose name (or feature path) contains TEXT, ignoring case; repeatable.
        #[arg(long = "name", value_name = "TEXT")]
        names: Vec<String>,
        /// Stop at the first failing scenario (PIPES_HARNESS_FAIL_FAST=1 or true).
        #[arg(
            long,
            env = "PIPES_HARNESS_FAIL_FAST",
            action = clap::ArgAction::SetTrue,
            value_parser = switch
        )]
        fail_fast: bool,
        /// Write a JUnit XML report (one testcase per scenario) to FILE.
        #[arg(long, value_name = "FILE", env = "PIPES_HARNESS_JUNIT", value_parser = clap::builder::OsStringValueParser::new().map(PathBuf::from))]
        junit: Option<PathBuf>,
        /// Write a cucumber JSON report to FILE.
        #[arg(long, value_name = "FILE", env = "PIPES_HARNESS_JSON", value_parser = clap::builder::OsStringValueParser::new().map(PathBuf::from))]
        json: Option<PathBuf>,
        /// Run only this machine's share: I of N, e.g. 2/4. Stable across runs and machines.
        #[arg(long, value_name = "I/N", env = "PIPES_HARNESS_SHARD", value_parser = shard_or_empty)]
        shard: Option<MaybeShard>,
        /// Show only failed scenarios (and a progress line on a terminal), then the recap.
        #[arg(long, short)]
        quiet: bool,
        /// Colour the output: auto (on a terminal, unless NO_COLOR is set), always, never.
        #[arg(long, default_value = "auto", value_name = "auto|always|never")]
        color: ColorChoice,
    },
    /// Run scenarios and render each as a redacted transcript: Markdown with a sequence
    /// diagram for docs, or the YAML of its snapshot.
    Transcript {
        /// Feature files or directories, optionally `file.feature:LINE`; none = the built-in library.
        paths: Vec<String>,
        /// `md` (Markdown with a Mermaid diagram) or `yaml` (the snapshot's content).
        #[arg(long, default_value = "md", value_name = "md|yaml")]
        format: Format,
        /// Write one file per scenario (`<feature>__<scenario>.md`) into DIR instead of stdout.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Tag expression, e.g. "@github and not @slow".
        #[arg(long)]
        tags: Option<String>,
    },
}

/// A `--shard` value, or none for an empty `PIPES_HARNESS_SHARD`.
#[derive(Debug, Clone)]
struct MaybeShard(Option<Shard>);

/// `I/N`; empty (a variable set to nothing) selects no shard, as for the cargo test runner.
fn shard_or_empty(value: &str) -> Result<MaybeShard, String> {
    if value.trim().is_empty() {
        return Ok(MaybeShard(None));
    }
    value
        .parse()
        .map(|s| MaybeShard(Some(s)))
        .map_err(|e| format!("{e}"))
}

/// A switch given as a flag or a variable: `1`, `true`, `yes` or `on` turn
/// it on; `0`, `false`, `no`, `off` or nothing leave it off.
fn switch(value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "" | "0" | "false" | "no" | "off" => Ok(false),
        _ => Err("expected 1 or true to turn it on, 0 or false to leave it off".to_string()),
    }
}

/// `None` for a value set to nothing (an empty variable).
fn given<T: AsRef<std::ffi::OsStr>>(value: Option<T>) -> Option<T> {
    value.filter(|v| !v.as_ref().is_empty())
}

/// The built-in features, as (path, text), given by the binary.
static LIBRARY: OnceLock<&'static [(&'static str, &'static str)]> = OnceLock::new();

/// The built-in features.
fn library() -> Vec<FeatureText> {
    LIBRARY
        .get()
        .copied()
        .unwrap_or_default()
        .iter()
        .map(|(path, text)| FeatureText {
            path: (*path).to_string(),
            text: (*text).to_string(),
        })
        .collect()
}

/// The built-in features at `path` (a file) or under it (a folder), by the
/// path they are listed with (`features/connect/github.feature`).
fn library_under(path: &str) -> Vec<FeatureText> {
    let path = path.trim_start_matches("./").trim_end_matches('/');
    let folder = format!("{path}/");
    library()
        .into_iter()
        .filter(|f| f.path == path || f.path.starts_with(&folder))
        .collect()
}

/// Runs the command line with `library` (path, text) as the built-in
/// features; the process's exit code.
pub fn main(library: &'static [(&'static str, &'static str)]) -> ExitCode {
    let _ = LIBRARY.set(library);
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
        Command::Serve {
            port,
            host,
            seed,
            api_key,
            log_limit,
            control_token,
            env_file,
        } => {
            let code = runtime.block_on(crate::serve::run(crate::serve::ServeOptions {
                host,
                port,
                seed,
                api_key,
                log_limit,
                control_token,
                env_file,
            }));
            // A request still running (a large reset, a slow webhook receiver)
            // does not hold up the exit after SIGTERM or Ctrl-C.
            runtime.shutdown_timeout(std::time::Duration::from_millis(200));
            code
        }
        Command::Doctor {
            dir,
            app,
            connect_path,
            webhook_path,
            user_id,
        } => runtime.block_on(crate::doctor::command(
            dir,
            app,
            connect_path,
            webhook_path,
            user_id,
        )),
        Command::Steps {
            markdown,
            diagnoses,
        } => {
            if diagnoses {
                print!("{}", crate::diagnosis::catalogue_markdown());
            } else if markdown {
                print!("{}", crate::steps::vocabulary::markdown());
            } else {
                print!("{}", crate::steps::vocabulary::text());
            }
            ExitCode::SUCCESS
        }
        Command::Run {
            paths,
            tags,
            names,
            fail_fast,
            junit,
            json,
            shard,
            quiet,
            color,
        } => {
            let (tags, junit, json) = (given(tags), given(junit), given(json));
            let shard = shard.and_then(|s| s.0);
            let (texts, lines) = match features(&paths) {
                Ok(found) => found,
                Err(code) => return code,
            };
            if junit.is_some() || json.is_some() {
                output::finish_for_reports();
            }
            output::exit_when_stdout_closes();
            // App features: say which app, and stop early on a bad setting.
            let vars = crate::apps::target::process_vars();
            let external = vars
                .get(crate::apps::target::ENV_APP_URL)
                .is_some_and(|v| !v.trim().is_empty());
            let mentions_app = paths.iter().any(|p| p.contains("app"))
                || tags.as_deref().is_some_and(|t| t.contains("@app"));
            if external || mentions_app {
                match runtime.block_on(crate::apps::preflight::check(&vars)) {
                    Ok(line) => eprintln!("{line}"),
                    Err(e) => {
                        eprintln!("error: {e}");
                        return ExitCode::from(2);
                    }
                }
            }
            let opts = RunOptions {
                tags,
                lines,
                names,
                shard,
                fail_fast,
                junit,
                json,
                github_annotations: runner::in_github_actions(),
                progress: if quiet {
                    Progress::Failures
                } else {
                    Progress::Stdout
                },
                color,
                ..RunOptions::default()
            };
            runtime.block_on(run(texts, opts))
        }
        Command::Transcript {
            paths,
            format,
            out,
            tags,
        } => {
            let (texts, lines) = match features(&paths) {
                Ok(found) => found,
                Err(code) => return code,
            };
            if out.is_none() {
                output::exit_when_stdout_closes();
            }
            let opts = RunOptions {
                tags,
                lines,
                ..RunOptions::default()
            };
            runtime.block_on(transcript(texts, opts, format, out))
        }
    }
}

/// Feature files to run and the `(file, line)` selections among them.
type Targets = (Vec<FeatureText>, Vec<(String, usize)>);

/// The features named on the command line (the built-in library when none)
/// and the `file:LINE` selections among them; exit code 2 when unreadable.
fn features(paths: &[String]) -> Result<Targets, ExitCode> {
    let (files, lines) = runner::split_targets(paths);
    if files.is_empty() {
        return Ok((library(), lines));
    }
    let mut texts = Vec::new();
    for file in &files {
        // `features/...` outside a checkout names the built-in copy, so the
        // rerun command the recap prints works from any directory.
        let built_in = (!file.exists())
            .then(|| library_under(&file.display().to_string().replace('\\', "/")))
            .filter(|found| !found.is_empty());
        match built_in {
            Some(found) => texts.extend(found),
            None => match runner::read_features(std::slice::from_ref(file)) {
                Ok(found) => texts.extend(found),
                Err(e) => {
                    eprintln!("error: {e}");
                    return Err(ExitCode::from(2));
                }
            },
        }
    }
    Ok((texts, lines))
}

/// Exit code 2 for bad input, with the message.
fn bad_input(e: &RunError) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(2)
}

async fn run(texts: Vec<FeatureText>, opts: RunOptions) -> ExitCode {
    let shard = opts.shard;
    match runner::run(&texts, opts).await {
        Ok(summary) => {
            if summary.scenarios == 0 {
                if let Some(shard) = shard {
                    // Fewer scenarios than machines leaves a shard empty; that is not a failure.
                    output::println(&format!("shard {shard} has no scenarios of this selection"));
                    return ExitCode::SUCCESS;
                }
                eprintln!("error: no scenario matched the paths, lines, names and tags given");
                return ExitCode::from(2);
            }
            if summary.ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => bad_input(&e),
    }
}

async fn transcript(
    texts: Vec<FeatureText>,
    opts: RunOptions,
    format: Format,
    out: Option<PathBuf>,
) -> ExitCode {
    let (docs, summary) = match transcripts::render(&texts, opts, format).await {
        Ok(rendered) => rendered,
        Err(e) => return bad_input(&e),
    };
    if docs.is_empty() {
        eprintln!("error: no scenario matched the paths, lines and tags given");
        return ExitCode::from(2);
    }
    match out {
        Some(dir) => match transcripts::write_dir(&dir, &docs, format) {
            Ok(written) => {
                for path in written {
                    eprintln!("wrote {}", path.display());
                }
            }
            Err(e) => {
                eprintln!(
                    "error: cannot write transcripts to {}: {}",
                    dir.display(),
                    crate::common::text::io_reason(&e)
                );
                return ExitCode::from(2);
            }
        },
        None => {
            let single = docs.len() == 1;
            for (i, d) in docs.iter().enumerate() {
                match format {
                    Format::Yaml if !single => output::print(&format!("---\n{}", d.content)),
                    Format::Markdown if i > 0 => {
                        output::print(&format!("\n---\n\n{}", d.content));
                    }
                    _ => output::print(&d.content),
                }
            }
        }
    }
    for o in summary.outcomes.iter().filter(|o| !o.passed()) {
        if let Some(f) = &o.failure {
            eprintln!(
                "scenario failed: {} ({}:{})\n  {}",
                o.scenario,
                o.feature_path,
                o.line,
                f.headline(&o.feature_path)
            );
        }
    }
    if summary.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
