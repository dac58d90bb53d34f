//! The front door: a plain `#[tokio::test]` drives the whole stack through
//! [`Harness`], with no Gherkin and no locks taken by hand.

use pipes_harness::{DiagnosisKind, Harness, ProviderKind};

#[tokio::test]
async fn a_scoped_fault_ends_when_its_guard_drops() {
    let harness = Harness::start().await.expect("the stack starts");
    harness.workos().configure(ProviderKind::Github);
    harness
        .connect("alice", ProviderKind::Github)
        .await
        .expect("alice connects github");
    let github = harness.provider(ProviderKind::Github);
    {
        let fault = "server_error status=503".parse().expect("a fault");
        let _outage = github
            .fault_scoped(&fault)
            .await
            .expect("the fault applies");
        let err = harness
            .call("alice", ProviderKind::Github, "/user")
            .await
            .expect_err("github is down");
        assert_eq!(err.diagnosis().kind, DiagnosisKind::ProviderUnavailable);
    }
    let after = harness.call("alice", ProviderKind::Github, "/user").await;
    assert!(
        after.is_ok(),
        "{}",
        harness.transcript_yaml("front door", "scoped fault")
    );
}
