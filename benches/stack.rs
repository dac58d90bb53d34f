//! Per-scenario overhead: how long a fresh stack (a scenario's World) takes to start, to run the
//! GitHub connect flow plus one provider call, and to tear down.
//!
//! Prints figures; asserts nothing. Run with `cargo bench --bench stack`.

use std::time::{Duration, Instant};

use pipes_harness::{Harness, ProviderKind};

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
            let harness = match Harness::start().await {
                Ok(w) => w,
                Err(e) => {
                    eprintln!("stack failed to start: {e}");
                    std::process::exit(1);
                }
            };
            let t1 = Instant::now();
            if let Err(e) = connect_and_call(&harness).await {
                eprintln!("connect flow failed: {e}");
                std::process::exit(1);
            }
            let t2 = Instant::now();
            drop(harness);
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

async fn connect_and_call(harness: &Harness) -> Result<(), String> {
    harness.workos().configure(ProviderKind::Github);
    harness
        .connect("alice", ProviderKind::Github)
        .await
        .map_err(|e| e.to_string())?;
    harness
        .call("alice", ProviderKind::Github, "/user")
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
