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

/// A loopback server answering each request with the canned answer of the first `(path
/// prefix, status, JSON body)` whose prefix the path starts with (404 otherwise), for answers
/// the demo cannot be made to give. Serves until the runtime ends.
pub async fn canned(answers: Vec<(&'static str, u16, String)>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let answers = answers.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                // The request line and headers are enough; bodies are small and ignored.
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buf);
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
                let (status, body) = answers
                    .iter()
                    .find(|(p, _, _)| path.starts_with(p))
                    .map(|(_, s, b)| (*s, b.clone()))
                    .unwrap_or((404, "{}".to_string()));
                let answer = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(answer.as_bytes()).await;
            });
        }
    });
    base
}
