//! Before `pipes-harness run` starts any scenario: which app the app
//! features will test, whether its settings are complete, and whether it
//! (and the `serve` it talks to) answers yet.
//!
//! A missing or wrong setting is one error before anything runs (the
//! command exits 2), instead of the same error in every scenario; an app
//! that is still starting gets a bounded wait (`PIPES_HARNESS_APP_WAIT`
//! seconds, default 30) instead of a run full of connection errors.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::target::{self, ExternalTarget};

/// Environment variable: how many seconds to wait for the app and `serve`.
pub const ENV_WAIT: &str = "PIPES_HARNESS_APP_WAIT";
/// Default wait.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(30);

/// Which app the run tests, as one line for the user.
pub fn describe(target: Option<&ExternalTarget>) -> String {
    match target {
        Some(t) => format!(
            "app under test: {} (WorkOS and providers: pipes-harness serve at {})",
            t.app.base(),
            t.workos_url
        ),
        None => {
            "app under test: the built-in reference app (set PIPES_HARNESS_APP_URL to test yours)"
                .to_string()
        }
    }
}

/// The wait from `vars`, or an error naming the variable.
pub fn wait_from(vars: &BTreeMap<String, String>) -> Result<Duration, String> {
    match vars
        .get(ENV_WAIT)
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
    {
        None => Ok(DEFAULT_WAIT),
        Some(v) => v
            .parse::<u64>()
            .ok()
            .filter(|s| (1..=600).contains(s))
            .map(Duration::from_secs)
            .ok_or_else(|| {
                format!("{ENV_WAIT}={v:?} must be a whole number of seconds from 1 to 600")
            }),
    }
}

/// Checks the settings and waits for the app and `serve`; `Ok` carries
/// the line that says which app is tested.
pub async fn check(vars: &BTreeMap<String, String>) -> Result<String, String> {
    let Some(t) = target::from_vars(vars)? else {
        return Ok(describe(None));
    };
    let wait = wait_from(vars)?;
    let client = crate::transcript::http::reqwest_client(Duration::from_secs(5));
    let deadline = Instant::now() + wait;
    for (what, url) in [
        ("pipes-harness serve", format!("{}/health", t.workos_url)),
        ("the app under test", t.app.base().to_string()),
    ] {
        loop {
            match client.get(&url).send().await {
                // serve's /health says 503 `starting` until its seed is in.
                Ok(r) if !url.ends_with("/health") || r.status().is_success() => break,
                Ok(r) if Instant::now() >= deadline => {
                    return Err(format!(
                        "{what} at {url} still answers {} after {} s. Give it longer with {ENV_WAIT}=<seconds>.",
                        r.status().as_u16(),
                        wait.as_secs()
                    ));
                }
                Ok(_) => tokio::time::sleep(Duration::from_millis(200)).await,
                Err(e) if Instant::now() >= deadline => {
                    return Err(format!(
                        "{what} does not answer at {url} after {} s: {e}. Start it first, or give it longer with {ENV_WAIT}=<seconds>.",
                        wait.as_secs()
                    ));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
    }
    Ok(describe(Some(&t)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    #[test]
    fn the_wait_is_bounded_and_named_when_wrong() {
        assert_eq!(wait_from(&vars(&[])).unwrap(), DEFAULT_WAIT);
        assert_eq!(
            wait_from(&vars(&[(ENV_WAIT, "5")])).unwrap(),
            Duration::from_secs(5)
        );
        assert!(
            wait_from(&vars(&[(ENV_WAIT, "soon")]))
                .unwrap_err()
                .contains(ENV_WAIT)
        );
        assert!(wait_from(&vars(&[(ENV_WAIT, "0")])).is_err());
    }

    #[tokio::test]
    async fn no_app_url_is_the_reference_app_and_a_missing_setting_is_one_error() {
        assert!(
            check(&vars(&[]))
                .await
                .unwrap()
                .contains("built-in reference app")
        );
        let err = check(&vars(&[(target::ENV_APP_URL, "http://127.0.0.1:9")]))
            .await
            .unwrap_err();
        assert!(err.contains(target::ENV_WORKOS_URL), "{err}");
    }
}
