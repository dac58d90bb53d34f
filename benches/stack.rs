//! Per-scenario overhead: how long a fresh stack (a scenario's World) takes to start, to run the
//! GitHub connect flow plus one provider call, and to tear down.
//!
//! Prints figures; asserts nothing. Run with `cargo bench --bench stack`.

use std::time::{Duration, Instant};

use pipes_harness::client::connect::connect;
use pipes_harness::client::models::{AuthorizeRequest, TokenRequest};
use pipes_harness::client::provider_call::ProviderRequest;
use pipes_harness::provider::ProviderKind;
use pipes_harness::steps::PipesWorld;

const RUNS: usize = 200;

fn main() {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start tokio: {e}");
            std::process::exit(2);
        }
    };
    let mut start = Vec::with_capacity(RUNS);
    let mut flow = Vec::with_capacity(RUNS);
    let mut teardown = Vec::with_capacity(RUNS);
    rt.block_on(async {
        for _ in 0..RUNS {
            let t0 = Instant::now();
            let mut world = match PipesWorld::new().await {
                Ok(w) => w,
                Err(e) => {
                    eprintln!("stack failed to start: {e}");
                    std::process::exit(1);
                }
            };
            let t1 = Instant::now();
            if let Err(e) = connect_and_call(&mut world).await {
                eprintln!("connect flow failed: {e}");
                std::process::exit(1);
            }
            let t2 = Instant::now();
            drop(world);
            let t3 = Instant::now();
            start.push(t1 - t0);
            flow.push(t2 - t1);
            teardown.push(t3 - t2);
        }
    });
    report("stack start", &mut start);
    report("connect flow + 1 provider call", &mut flow);
    report("teardown", &mut teardown);
}

async fn connect_and_call(world: &mut PipesWorld) -> Result<(), String> {
    let user_id = world.user("alice");
    world.configure_integration(ProviderKind::Github, |_| {});
    let browser = world.browser("alice");
    let request = AuthorizeRequest {
        user_id: user_id.clone(),
        organization_id: None,
        return_to: Some(world.stack.app.return_url()),
    };
    connect(&world.client, &browser, ProviderKind::Github, &request)
        .await
        .map_err(|e| e.to_string())?;
    world
        .caller
        .call(&ProviderRequest {
            provider: ProviderKind::Github,
            base_url: world.stack.provider(ProviderKind::Github).uri(),
            method: reqwest::Method::GET,
            path: "/user".into(),
            token: TokenRequest {
                user_id,
                organization_id: None,
            },
        })
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

fn report(what: &str, samples: &mut [Duration]) {
    samples.sort();
    let pct = |p: f64| samples[((samples.len() as f64 - 1.0) * p).round() as usize];
    let mean: Duration = samples.iter().sum::<Duration>() / samples.len() as u32;
    println!(
        "{what:<34} mean {:>8.3} ms   p50 {:>8.3} ms   p99 {:>8.3} ms   ({} runs)",
        ms(mean),
        ms(pct(0.5)),
        ms(pct(0.99)),
        samples.len()
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
