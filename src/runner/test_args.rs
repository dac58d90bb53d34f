//! The options of the cargo test runner (`tests/features.rs`): the same
//! selection and reporting options as `pipes-harness run`, taken from the
//! arguments after `--` or from `PIPES_HARNESS_*` variables.
//!
//! The test runner is a `harness = false` binary, so it receives whatever
//! `cargo test` passes to every test binary: libtest's own flags
//! (`--nocapture`, `--test-threads 2`) are accepted and change nothing, and a
//! plain word is a name filter, as libtest treats it. Variables exist because
//! a plain `cargo test -- --junit x.xml` would also hand `--junit` to the
//! unit-test binaries, which reject it.

use std::path::PathBuf;

use super::Shard;

/// What the command line and the environment asked the test runner for.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TestArgs {
    /// Feature files or directories, optionally `file.feature:LINE`.
    pub targets: Vec<String>,
    /// Name filters (`--name TEXT` or plain words).
    pub names: Vec<String>,
    /// Tag expression.
    pub tags: Option<String>,
    /// JUnit XML report file.
    pub junit: Option<PathBuf>,
    /// Cucumber JSON report file.
    pub json: Option<PathBuf>,
    /// This machine's share.
    pub shard: Option<Shard>,
    /// Stop at the first failing scenario.
    pub fail_fast: bool,
    /// List the selected scenarios instead of running them (`--list`).
    pub list: bool,
    /// Only ignored tests were asked for (`--ignored`); no scenario is ignored.
    pub ignored_only: bool,
}

impl TestArgs {
    /// Whether the whole library runs, so snapshots no scenario produced
    /// can be reported as stale.
    pub fn is_full(&self) -> bool {
        self.targets.is_empty()
            && self.names.is_empty()
            && self.tags.is_none()
            && self.shard.is_none()
    }
}

/// libtest flags that take a value.
const LIBTEST_WITH_VALUE: &[&str] = &[
    "--test-threads",
    "--color",
    "--format",
    "-Z",
    "--skip",
    "--logfile",
    "--shuffle-seed",
];

/// libtest switches, accepted and ignored.
const LIBTEST_SWITCHES: &[&str] = &[
    "--nocapture",
    "--no-capture",
    "--show-output",
    "--quiet",
    "-q",
    "--exact",
    "--include-ignored",
    "--test",
    "--bench",
    "--report-time",
    "--ensure-time",
    "--shuffle",
    "--force-run-in-process",
];

/// Parses the test runner's arguments and environment (`env` looks a
/// variable up). `is_dir` tells whether a plain argument names a directory
/// of features rather than a name filter.
pub fn parse(
    args: impl IntoIterator<Item = String>,
    env: impl Fn(&str) -> Option<String>,
    is_dir: impl Fn(&str) -> bool,
) -> Result<TestArgs, String> {
    let mut a = TestArgs {
        tags: env("PIPES_HARNESS_TAGS").filter(|t| !t.is_empty()),
        junit: env("PIPES_HARNESS_JUNIT")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from),
        json: env("PIPES_HARNESS_JSON")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from),
        fail_fast: env("PIPES_HARNESS_FAIL_FAST").is_some_and(|v| v == "1" || v == "true"),
        ..TestArgs::default()
    };
    if let Some(s) = env("PIPES_HARNESS_SHARD").filter(|s| !s.is_empty()) {
        a.shard = Some(s.parse().map_err(|e| format!("PIPES_HARNESS_SHARD: {e}"))?);
    }
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "--junit" => a.junit = Some(PathBuf::from(value("--junit FILE")?)),
            "--json" => a.json = Some(PathBuf::from(value("--json FILE")?)),
            "--tags" => a.tags = Some(value("--tags EXPR")?),
            "--name" => a.names.push(value("--name TEXT")?),
            "--shard" => {
                a.shard = Some(value("--shard I/N")?.parse().map_err(|e| format!("{e}"))?);
            }
            "--fail-fast" => a.fail_fast = true,
            "--list" => a.list = true,
            "--ignored" => a.ignored_only = true,
            f if LIBTEST_WITH_VALUE.contains(&f) => {
                if inline.is_none() {
                    let _ = args.next();
                }
            }
            f if LIBTEST_SWITCHES.contains(&f) => {}
            f if f.starts_with('-') => {
                return Err(format!(
                    "unknown option {arg}; expected --junit FILE, --json FILE, --tags EXPR, \
                     --name TEXT, --shard I/N, --fail-fast, or FILE[:LINE]"
                ));
            }
            _ if is_target(&arg, &is_dir) => a.targets.push(arg),
            _ => a.names.push(arg),
        }
    }
    Ok(a)
}

/// `features/x.feature`, `features/x.feature:12`, or a directory.
fn is_target(arg: &str, is_dir: &impl Fn(&str) -> bool) -> bool {
    let file = arg.rsplit_once(':').map_or(arg, |(f, _)| f);
    file.ends_with(".feature") || is_dir(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_string()).collect()
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn features_is_a_dir(p: &str) -> bool {
        p == "features"
    }

    #[test]
    fn reporting_flags_are_read_from_the_arguments() {
        let a = parse(
            args(&[
                "--junit",
                "target/junit.xml",
                "--json=target/c.json",
                "--shard",
                "2/4",
                "--fail-fast",
                "--tags",
                "@github",
            ]),
            no_env,
            features_is_a_dir,
        )
        .expect("valid");
        assert_eq!(a.junit, Some(PathBuf::from("target/junit.xml")));
        assert_eq!(a.json, Some(PathBuf::from("target/c.json")));
        assert_eq!(a.shard, Shard::new(2, 4));
        assert!(a.fail_fast);
        assert_eq!(a.tags.as_deref(), Some("@github"));
        assert!(!a.is_full());
    }

    #[test]
    fn reporting_flags_are_read_from_the_environment_too() {
        let env = |k: &str| match k {
            "PIPES_HARNESS_JUNIT" => Some("j.xml".to_string()),
            "PIPES_HARNESS_SHARD" => Some("1/3".to_string()),
            "PIPES_HARNESS_FAIL_FAST" => Some("1".to_string()),
            _ => None,
        };
        let a = parse(Vec::new(), env, features_is_a_dir).expect("valid");
        assert_eq!(a.junit, Some(PathBuf::from("j.xml")));
        assert_eq!(a.shard, Shard::new(1, 3));
        assert!(a.fail_fast);
    }

    #[test]
    fn libtest_flags_are_accepted_and_plain_words_filter_by_name() {
        let a = parse(
            args(&[
                "--nocapture",
                "--test-threads",
                "2",
                "--color=never",
                "redirect",
                "features/connect/github.feature:10",
                "features",
            ]),
            no_env,
            features_is_a_dir,
        )
        .expect("valid");
        assert_eq!(a.names, vec!["redirect".to_string()]);
        assert_eq!(
            a.targets,
            vec![
                "features/connect/github.feature:10".to_string(),
                "features".to_string()
            ]
        );
    }

    #[test]
    fn an_unknown_option_or_a_bad_shard_is_refused_with_what_was_expected() {
        let err = parse(args(&["--junt", "x"]), no_env, features_is_a_dir).unwrap_err();
        assert!(err.contains("unknown option --junt"), "{err}");
        let err = parse(args(&["--shard", "0/4"]), no_env, features_is_a_dir).unwrap_err();
        assert!(err.contains("expected I/N"), "{err}");
        let err = parse(args(&["--junit"]), no_env, features_is_a_dir).unwrap_err();
        assert!(err.contains("--junit FILE needs a value"), "{err}");
    }

    #[test]
    fn no_option_means_the_whole_library() {
        assert!(
            parse(Vec::new(), no_env, features_is_a_dir)
                .expect("valid")
                .is_full()
        );
    }
}
