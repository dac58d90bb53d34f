//! The stack in a plain `#[tokio::test]`, no Gherkin: run with
//! `cargo test --example front_door` (or `cargo run --example front_door`
//! for the same story with its transcript printed).

use pipes_harness::{Harness, ProviderKind};

/// Slack rate-limits the app twice; the client backs off on the virtual
/// clock, honouring Retry-After, and the third attempt goes through.
async fn slack_rate_limit_is_backed_off() -> Result<Harness, Box<dyn std::error::Error>> {
    let harness = Harness::start().await?;
    harness.workos().configure(ProviderKind::Slack);
    harness.connect("bob", ProviderKind::Slack).await?;
    harness
        .provider(ProviderKind::Slack)
        .fault(&"rate_limit retry_after=3".parse()?, Some(2))
        .await?;

    let answer = harness
        .call("bob", ProviderKind::Slack, "/api/auth.test")
        .await?;

    assert_eq!(answer.status, 200);
    assert_eq!(harness.delays().len(), 2, "two waits before the answer");
    assert!(harness.delays().iter().all(|d| d.as_secs() >= 3));
    Ok(harness)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let harness = slack_rate_limit_is_backed_off().await?;
    println!(
        "{}",
        harness.transcript_yaml("examples/front_door.rs", "backoff")
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pipes_harness::DiagnosisKind;

    #[tokio::test]
    async fn rate_limits_are_backed_off_on_the_virtual_clock() {
        if let Err(e) = slack_rate_limit_is_backed_off().await {
            panic!("{e}");
        }
    }

    #[tokio::test]
    async fn a_user_who_never_connected_is_told_so() {
        let harness = Harness::start().await.expect("the stack starts");
        harness.workos().configure(ProviderKind::Github);
        let err = harness
            .call("carol", ProviderKind::Github, "/user")
            .await
            .expect_err("carol never connected");
        assert_eq!(err.diagnosis().kind, DiagnosisKind::ConnectionNotFound);
    }
}
