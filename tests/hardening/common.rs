use ssodesk::demo::{DemoHandle, DemoOptions, DemoServer};
use ssodesk::http::{HttpClient, HttpOptions};

pub async fn demo() -> DemoHandle {
    demo_with(DemoOptions::for_tests()).await
}

pub async fn demo_with(opts: DemoOptions) -> DemoHandle {
    DemoServer::start(opts).await.expect("demo starts")
}

pub fn http() -> HttpClient {
    HttpClient::new(HttpOptions::for_tests()).expect("http client")
}

/// Writes straight to stderr: the harness captures `eprintln!` of passing tests, and the
/// tables these tests print are meant to be read in CI logs.
pub fn say(text: &str) {
    use std::io::Write as _;
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}
