//! `portal serve`'s edit-to-reload time: the time from saving a policy's text to the moment
//! the preview's long poll tells the page to reload and the page served has the edit.
//! `cargo bench -p portal --bench serve_reload` on a synthetic project of
//! SITE_BENCH_COUNTIES × SITE_BENCH_POLICIES (default 3000 × 10; SITE_BENCH_PROJECT=DIR
//! uses or writes the project there, so that it is generated once). The first build runs
//! inside `serve` (minutes at national size); then each edit is timed, the first on a quiet
//! machine, the later ones while the whole build they started runs beside them.

// A benchmark fails loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server(Child);

/// The texts the bench edited, with what they held before: put back when the bench ends, even
/// by a panic, so that a project kept in SITE_BENCH_PROJECT stays what the generator made (a
/// later build or comparison on it builds the same pages).
struct Edited(Vec<(std::path::PathBuf, String)>);

impl Drop for Edited {
    fn drop(&mut self) {
        for (file, text) in &self.0 {
            if let Err(error) = std::fs::write(file, text) {
                eprintln!(
                    "serve_reload: could not put {} back: {error}",
                    file.display()
                );
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn get(address: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let text = String::from_utf8_lossy(&response).into_owned();
    text.split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default()
}

fn version(address: &str, since: Option<u64>) -> (u64, Option<String>) {
    let path = since.map_or_else(
        || "/__portal/status".to_owned(),
        |v| format!("/__portal/status?since={v}"),
    );
    let status: serde_json::Value = serde_json::from_str(&get(address, &path)).unwrap();
    (
        status["version"].as_u64().unwrap(),
        status["error"].as_str().map(str::to_owned),
    )
}

fn main() {
    let number = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    // `cargo test --benches` runs this without --bench: keep that quick.
    let full = std::env::args().any(|a| a == "--bench");
    let (counties, policies) = if full {
        (
            number("SITE_BENCH_COUNTIES", 3000),
            number("SITE_BENCH_POLICIES", 10),
        )
    } else {
        (40, 1)
    };
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let temporary = tempfile::tempdir().unwrap();
    let project = std::env::var_os("SITE_BENCH_PROJECT")
        .filter(|_| full)
        .map_or_else(|| temporary.path().to_path_buf(), Into::into);
    if !project.join("policies").is_dir() {
        portal::synthetic::generate(&repo, &project, counties, policies).unwrap();
        println!(
            "generated {counties} counties × {policies} policies in {}",
            project.display()
        );
    }

    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_portal"))
        .args(["--root", project.to_str().unwrap(), "serve", "--port", "0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let _server = Server(child);
    let (lines, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            println!("  serve: {line}");
            let _ = lines.send(line);
        }
    });
    let address = loop {
        let line = received
            .recv_timeout(Duration::from_secs(1800))
            .expect("the server says where it listens");
        if let Some(rest) = line.split_once("http://").map(|(_, r)| r) {
            break rest.split('/').next().unwrap().to_owned();
        }
    };
    // The first whole build, in the background when a site was there already.
    let (mut current, mut error) = version(&address, None);
    while current == 0 {
        (current, error) = version(&address, Some(current));
    }
    assert!(error.is_none(), "the project builds: {error:?}");
    println!(
        "serve up and built in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let edits = if full { 6 } else { 3 };
    let mut times = Vec::new();
    let mut edited = Edited(Vec::new());
    for edit in 0..edits {
        // Counties spread over the project, each edited once.
        let folder = std::fs::read_dir(project.join("policies"))
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.join("county.yaml").is_file())
            .nth(edit * 7)
            .unwrap();
        let policy = std::fs::read_dir(&folder)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.join("policy.yaml").is_file())
            .unwrap();
        let yaml = std::fs::read_to_string(policy.join("policy.yaml")).unwrap();
        let id = yaml
            .lines()
            .find_map(|l| l.strip_prefix("id: "))
            .unwrap()
            .trim()
            .to_owned();
        let text_file = policy.join("text.md");
        let text = std::fs::read_to_string(&text_file).unwrap();
        let marker = format!("改动标记{edit}号");
        edited.0.push((text_file.clone(), text.clone()));
        // What the browser has by now: the whole build the last edit began may have ended
        // during the pause (at small sizes it does), and that reload is not this edit's.
        (current, _) = version(&address, None);
        let saved = Instant::now();
        std::fs::write(&text_file, format!("{text}\n{marker}\n")).unwrap();
        // The reload that brings the edit. One told before it comes from a whole build begun
        // before the save (by the edit before): the browser reloads into the page without
        // the edit, then again with it, and the time that counts is the second.
        let mut reloads = 0;
        let (told, served) = loop {
            let (next, error) = version(&address, Some(current));
            let told = saved.elapsed();
            assert!(error.is_none(), "the edit builds: {error:?}");
            current = next;
            reloads += 1;
            let page = get(&address, &format!("/policies/{id}/"));
            if page.contains(&marker) {
                break (told, saved.elapsed());
            }
            assert!(
                told < Duration::from_secs(120),
                "the page served has the edit ({id}) within two minutes of the save"
            );
        };
        println!(
            "edit {edit} ({}): reload told after {} ms, edited page served after {} ms{}",
            folder.file_name().unwrap().to_string_lossy(),
            told.as_millis(),
            served.as_millis(),
            if reloads > 1 {
                format!(" ({reloads} reloads: a build begun before the save finished first)")
            } else {
                String::new()
            }
        );
        times.push(served);
        // Pages are opened and read between edits, not at once.
        std::thread::sleep(Duration::from_secs(if full { 5 } else { 1 }));
    }
    times.sort();
    println!(
        "edit to reload at {counties} counties: median {} ms, worst {} ms",
        times[times.len() / 2].as_millis(),
        times.last().unwrap().as_millis()
    );
}
