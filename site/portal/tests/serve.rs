//! `portal serve` as an editor uses it: the page is served with live reload, a broken edit
//! shows its error while the last good site stays up, and fixing it recovers. Only loopback
//! is ever contacted, and every wait is bounded.

// Tests fail by panicking, on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../policy/tests/support/mod.rs"]
mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
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

/// `portal serve` on `root`, once it says where it listens: the server, its address and
/// what it says next (in Chinese, each line as it comes).
fn start(root: &Path) -> (Server, String, Receiver<String>) {
    start_in(Path::new("."), root)
}

/// `portal serve` started in `folder` with `--root ROOT` as given (relative to it or not).
fn start_in(folder: &Path, root: &Path) -> (Server, String, Receiver<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_portal"))
        .current_dir(folder)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .args(["--root", root.to_str().unwrap(), "serve", "--port", "0"])
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
            .recv_timeout(Duration::from_secs(60))
            .expect("the server says where it listens");
        if let Some(rest) = line.strip_prefix("portal serve：http://") {
            break rest.split('/').next().unwrap().to_owned();
        }
    };
    (server, address, received)
}

/// The next line `portal serve` says that contains `what`, within `seconds`.
fn said(lines: &Receiver<String>, what: &str, seconds: u64) -> String {
    let until = Instant::now() + Duration::from_secs(seconds);
    let mut other = Vec::new();
    loop {
        let left = until.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) if line.contains(what) => return line,
            Ok(line) => other.push(line),
            Err(_) => {
                panic!("portal serve did not say {what} within {seconds} s; it said {other:#?}")
            }
        }
    }
}

#[test]
fn edits_rebuild_errors_show_and_fixes_recover() {
    let dir = support::fixture_project();

    let (server, address, _lines) = start(dir.path());
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

/// Add a marked paragraph to the text of the first policy of the `nth` county's folder; its
/// page's address and the mark.
fn edit_text(root: &Path, nth: usize, mark: &str) -> String {
    let mut folders: Vec<_> = std::fs::read_dir(root.join("policies"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("county.yaml").is_file())
        .collect();
    folders.sort();
    let policy = folders[nth].join("p0");
    let yaml = std::fs::read_to_string(policy.join("policy.yaml")).unwrap();
    let id = yaml.lines().find_map(|l| l.strip_prefix("id: ")).unwrap();
    let text = std::fs::read_to_string(policy.join("text.md")).unwrap();
    std::fs::write(policy.join("text.md"), format!("{text}\n{mark}\n")).unwrap();
    format!("/policies/{}/", id.trim())
}

/// On a project whose whole build takes a while, an edit inside a county's folder is shown
/// (the page told to reload, the page served with the edit) by updating that county alone;
/// the whole build follows, and an edit made while it runs survives its swap.
#[test]
fn a_county_edited_on_a_big_project_shows_before_the_whole_build() {
    let dir = tempfile::tempdir().unwrap();
    // Big enough that the whole build takes over a second even in a release build (16
    // counties took 0.7 s there, 40 about 1 s), so that serve takes its quick path.
    portal::synthetic::generate(&support::repo(), dir.path(), 80, 1).unwrap();
    // A root relative to where `portal` was started, as a clerk types it.
    let (server, address, lines) = start_in(dir.path(), Path::new("."));
    let built = status(&address);
    assert!(built["error"].is_null(), "{built}");
    let version = |s: &serde_json::Value| s["version"].as_u64().unwrap();

    // The long poll answers when the version moves on.
    let first = edit_text(dir.path(), 3, "第一处改动");
    let path = format!("/__portal/status?since={}", version(&built));
    let told: serde_json::Value = serde_json::from_str(&get(&address, &path).1).unwrap();
    assert!(
        version(&told) > version(&built) && told["error"].is_null(),
        "{told}"
    );
    let updated = said(&lines, "已更新", 5);
    assert!(updated.contains("个文件"), "{updated}");
    assert!(get(&address, &first).1.contains("第一处改动"));

    // A second county edited while the whole build of the first edit runs.
    let second = edit_text(dir.path(), 11, "第二处改动");
    let path = format!("/__portal/status?since={}", version(&told));
    let told: serde_json::Value = serde_json::from_str(&get(&address, &path).1).unwrap();
    assert!(told["error"].is_null(), "{told}");
    said(&lines, "已更新", 5);
    assert!(get(&address, &second).1.contains("第二处改动"));

    // The whole builds that follow keep both edits.
    for _ in 0..2 {
        said(&lines, "已重新生成", 120);
        assert!(get(&address, &first).1.contains("第一处改动"));
        assert!(get(&address, &second).1.contains("第二处改动"));
    }
    assert!(status(&address)["error"].is_null());
    drop(server);
}
