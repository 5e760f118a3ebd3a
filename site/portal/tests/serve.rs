//! `portal serve` as an editor uses it: the page is served with live reload, a broken edit
//! shows its error while the last good site stays up, and fixing it recovers. Only loopback
//! is ever contacted, and every wait is bounded.

// Tests fail by panicking, on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../policy/tests/support/mod.rs"]
mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn get(address: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let text = String::from_utf8_lossy(&response).into_owned();
    let code = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (code, body)
}

fn status(address: &str) -> serde_json::Value {
    serde_json::from_str(&get(address, "/__portal/status").1).unwrap()
}

/// Poll until `done` holds, for at most 20 seconds.
fn wait_for(
    address: &str,
    what: &str,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let started = Instant::now();
    loop {
        let s = status(address);
        if done(&s) {
            return s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}: {s}"
        );
        std::thread::sleep(Duration::from_millis(150));
    }
}

#[test]
fn edits_rebuild_errors_show_and_fixes_recover() {
    let dir = support::fixture_project();

    let mut child = Command::new(env!("CARGO_BIN_EXE_portal"))
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .args([
            "--root",
            dir.path().to_str().unwrap(),
            "serve",
            "--port",
            "0",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let server = Server(child);
    let (lines, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let address = loop {
        let line = received
            .recv_timeout(Duration::from_secs(30))
            .expect("the server says where it listens");
        if let Some(rest) = line.strip_prefix("portal serve：http://") {
            break rest.split('/').next().unwrap().to_owned();
        }
    };
    assert!(address.starts_with("127.0.0.1:"), "{address}");

    let (code, home) = get(&address, "/");
    assert_eq!(code, 200);
    assert!(home.contains(r#"<script src="/__portal/live.js" defer></script>"#));
    assert_eq!(get(&address, "/__portal/live.js").0, 200);
    assert_eq!(get(&address, "/../../../etc/passwd").0, 404);
    assert_eq!(get(&address, "/policies/demo-2020/").0, 200);
    let first = status(&address);
    assert!(first["error"].is_null(), "{first}");

    // A broken edit: the error shows with its place, the old site stays.
    let policy = dir
        .path()
        .join("policies/100001-test/demo-2020/policy.yaml");
    let good = std::fs::read_to_string(&policy).unwrap();
    std::fs::write(&policy, good.replace("total: 2500", "total: 2600")).unwrap();
    let broken = wait_for(&address, "the error", |s| s["error"].is_string());
    let error = broken["error"].as_str().unwrap();
    assert!(
        error.starts_with("portal build 失败——页面显示的是上一次成功生成的结果。")
            && error.contains("policies/100001-test/demo-2020/policy.yaml:")
            && error.contains("和规则算出的结果对不上"),
        "{error}"
    );
    assert_eq!(
        get(&address, "/policies/demo-2020/").0,
        200,
        "the last good site is still served"
    );

    // Fixing it recovers.
    std::fs::write(&policy, &good).unwrap();
    let fixed = wait_for(&address, "the fix", |s| {
        s["error"].is_null() && s["version"].as_u64() > broken["version"].as_u64()
    });
    assert!(fixed["version"].as_u64() > first["version"].as_u64());
    drop(server);
}
