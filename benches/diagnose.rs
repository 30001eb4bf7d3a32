//! Diagnostics concurrency on the demo, over real loopback HTTP.
//!
//! 1. One tenant with every API configured, 100 ms injected on every call: wall time of a full
//!    fetch + check, against a target of 4x the latency.
//! 2. A sweep of 200 demo tenants with the same latency: wall time of `diagnose_all`, against
//!    a target of 5% of the sequential sum (each tenant checked alone, one after another).
//!
//! Run: `cargo bench --bench diagnose` (`-- --quick` sweeps 40 tenants).

use std::time::{Duration, Instant};

use ssodesk::demo::{DemoOptions, DemoServer};
use ssodesk::diagnose::{DEFAULT_CONCURRENCY, diagnose, diagnose_all};
use ssodesk::http::{HttpClient, HttpOptions};
use ssodesk::snapshot::TenantClients;

const LATENCY: Duration = Duration::from_millis(100);

fn main() -> anyhow::Result<()> {
    let quick = std::env::args().any(|a| a == "--quick");
    let sweep: usize = if quick { 40 } else { 200 };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let demo = DemoServer::start(DemoOptions {
            // Real APIs page by 100-200; the demo's default of 3 exists to exercise paging.
            page_size: 100,
            extra_tenants: sweep.saturating_sub(5),
            okta_rate_limit: 100_000,
            ..DemoOptions::for_tests()
        })
        .await?;
        demo.set_global_latency(LATENCY);
        let http = HttpClient::new(HttpOptions::default())?;
        let clients: Vec<TenantClients> = demo
            .tenant_names()
            .iter()
            .filter_map(|n| demo.tenant(n))
            .map(|t| TenantClients::new(&http, &t))
            .collect();

        // 1. One tenant, all four APIs (hooli). The first run also fetches the Graph token.
        let hooli = clients
            .iter()
            .find(|c| c.tenant == "hooli")
            .ok_or_else(|| anyhow::anyhow!("no hooli"))?;
        let mut times = Vec::new();
        for _ in 0..5 {
            demo.reset_counts();
            let t = Instant::now();
            let d = diagnose(hooli).await;
            times.push(t.elapsed());
            assert_eq!(d.report.findings.len(), ssodesk::checks::CATALOG.len());
        }
        let calls: u64 = demo.requests().iter().map(|r| r.count).sum();
        let first = times[0];
        times.sort();
        let median = times[times.len() / 2];
        println!(
            "one tenant (hooli: SP + Okta + Graph + SCIM), {} ms per call, {calls} calls per check:",
            LATENCY.as_millis()
        );
        println!(
            "  first run {:.0} ms (with the Graph token), median of 5 {:.0} ms = {:.1}x the latency (target <= 4x)",
            ms(first),
            ms(median),
            ms(median) / ms(LATENCY)
        );

        // 2. The sweep: sequential sum first, then concurrent.
        let t = Instant::now();
        let mut sum = Duration::ZERO;
        for c in &clients {
            let s = Instant::now();
            let _ = diagnose(c).await;
            sum += s.elapsed();
        }
        let seq_wall = t.elapsed();
        let t = Instant::now();
        let reports = diagnose_all(&clients, DEFAULT_CONCURRENCY).await;
        let wall = t.elapsed();
        assert_eq!(reports.len(), clients.len());
        println!(
            "sweep of {} tenants, {} ms per call, {} tenants at a time:",
            clients.len(),
            LATENCY.as_millis(),
            DEFAULT_CONCURRENCY
        );
        println!(
            "  sequential sum {:.1} s (wall {:.1} s); concurrent sweep {:.2} s = {:.1}% of the sum (target <= 5%)",
            sum.as_secs_f64(),
            seq_wall.as_secs_f64(),
            wall.as_secs_f64(),
            100.0 * wall.as_secs_f64() / sum.as_secs_f64()
        );
        anyhow::Ok(())
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
