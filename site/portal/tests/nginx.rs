//! The built site served by a real web server: Debian's `nginx`, run as this user with the
//! `server` block `portal config nginx` writes, on a free loopback port. Checked over HTTP
//! (a small client on `TcpStream`): each page kind's and asset's headers, precompressed
//! bodies, the 404 page; then, in Chromium, that the estimator computes under those headers.
//!
//! Needs `nginx` (apt-get install nginx; `NGINX=PATH` to choose one) and, for the browser
//! part, what `tests/browser.rs` needs. `.ci/run` installs them. Without them these tests FAIL
//! under CI and are skipped, loudly, elsewhere.

// Tests fail by panicking, on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../policy/tests/support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::repo;

/// Skip loudly, or fail under CI (the browser tests' convention).
fn missing(what: &str) {
    let message = format!("nginx test cannot run, missing: {what}");
    if std::env::var_os("CI").is_some() {
        panic!("{message}");
    }
    let _ = writeln!(
        std::io::stderr(),
        "\n!!!!!!!! nginx test SKIPPED (not CI): {message} !!!!!!!!\n"
    );
}

fn nginx_binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("NGINX") {
        return Some(PathBuf::from(path));
    }
    ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

/// nginx serving `site`, stopped when dropped.
struct Nginx {
    child: Child,
    port: u16,
    /// Whether it has the Brotli module (and the configuration `--brotli`).
    brotli: bool,
    dir: tempfile::TempDir,
    /// The arguments that name this instance (`-p`, `-e`, `-c`), for `-s stop`.
    args: Vec<std::ffi::OsString>,
    binary: PathBuf,
}

impl Nginx {
    fn start(binary: &Path, site: &Path) -> Nginx {
        let dir = tempfile::tempdir().unwrap();
        let port = {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let root = render::serving::site_root(site).unwrap();
        let module = brotli_module();
        let brotli = if module.is_some() {
            render::serving::Brotli::On
        } else {
            render::serving::Brotli::Off
        };
        let server = render::serving::nginx(&root, &format!("127.0.0.1:{port}"), brotli).unwrap();
        let load_modules =
            module.map_or(String::new(), |m| format!("load_module {};\n", m.display()));
        std::fs::write(dir.path().join("site.conf"), &server).unwrap();
        // Run as root (CI), nginx would hand its workers to `nobody`, who cannot read a
        // private temporary folder: keep them as root then.
        let probe = dir.path().join("probe");
        std::fs::write(&probe, "").unwrap();
        let root_user =
            std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(&probe).unwrap()) == 0;
        let mime = ["/etc/nginx/mime.types", "/usr/local/nginx/conf/mime.types"]
            .into_iter()
            .find(|p| Path::new(p).is_file())
            .expect("nginx's mime.types");
        let tmp = dir.path().display();
        let conf = format!(
            "{load_modules}{user}worker_processes 1;\npid {tmp}/nginx.pid;\nerror_log {tmp}/error.log warn;\n\
             events {{ worker_connections 64; }}\n\
             http {{\n  include {mime};\n  default_type application/octet-stream;\n  access_log off;\n\
             \x20 client_body_temp_path {tmp}/body;\n  proxy_temp_path {tmp}/proxy;\n  fastcgi_temp_path {tmp}/fastcgi;\n\
             \x20 uwsgi_temp_path {tmp}/uwsgi;\n  scgi_temp_path {tmp}/scgi;\n  include {tmp}/site.conf;\n}}\n",
            user = if root_user { "user root;\n" } else { "" },
        );
        let conf_path = dir.path().join("nginx.conf");
        std::fs::write(&conf_path, conf).unwrap();
        let args: Vec<std::ffi::OsString> = vec![
            "-p".into(),
            dir.path().into(),
            "-e".into(),
            dir.path().join("error.log").into(),
            "-c".into(),
            conf_path.into(),
        ];
        let child = Command::new(binary)
            .args(&args)
            .args(["-g", "daemon off;"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut nginx = Nginx {
            child,
            port,
            brotli: module.is_some(),
            dir,
            args,
            binary: binary.to_path_buf(),
        };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = nginx.child.try_wait() {
                let mut stderr = String::new();
                if let Some(mut e) = nginx.child.stderr.take() {
                    let _ = e.read_to_string(&mut stderr);
                }
                panic!("nginx exited ({status}): {stderr}\n{server}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "nginx did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        nginx
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // `-s stop` lets the master stop its workers; killed outright, it would leave them
        // running with nobody to stop them.
        let _ = Command::new(&self.binary)
            .args(&self.args)
            .args(["-s", "stop"])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline && matches!(self.child.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let log =
                std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default();
            eprintln!("nginx error.log:\n{log}");
        }
    }
}

/// A response: status, headers (names in lower case) and the body as sent.
#[derive(Debug)]
struct Response {
    status: u16,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }
}

/// GET `path` over HTTP/1.1 (nginx compresses only for 1.1), the connection closed after;
/// `accept` is the `Accept-Encoding` sent (none when empty).
fn get(port: u16, path: &str, accept: &str) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let encoding = if accept.is_empty() {
        String::new()
    } else {
        format!("Accept-Encoding: {accept}\r\n")
    };
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\n{encoding}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    if headers
        .get("transfer-encoding")
        .is_some_and(|t| t.eq_ignore_ascii_case("chunked"))
    {
        body = dechunk(&body);
    }
    Response {
        status,
        headers,
        body,
    }
}

fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n").unwrap();
        let size_text = String::from_utf8_lossy(&rest[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).unwrap();
        rest = &rest[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// Debian's Brotli static module for nginx, when it is installed.
fn brotli_module() -> Option<&'static Path> {
    let module = Path::new("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so");
    module.is_file().then_some(module)
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// The security headers every response carries; `wasm` for the estimator's policy.
fn assert_secure(response: &Response, what: &str, wasm: bool) {
    let csp = response.header("content-security-policy");
    assert!(
        csp.contains("frame-ancestors 'none'"),
        "{what}: CSP {csp:?}"
    );
    assert!(csp.contains("default-src 'self'"), "{what}: CSP {csp:?}");
    assert_eq!(
        csp.contains("'wasm-unsafe-eval'"),
        wasm,
        "{what}: CSP {csp:?}"
    );
    assert_eq!(
        response.header("x-content-type-options"),
        "nosniff",
        "{what}"
    );
    assert_eq!(response.header("referrer-policy"), "no-referrer", "{what}");
}

/// Held by every test here while it works: the Lighthouse test measures speed and must not
/// share the machine with another test's site build or browser.
/// Lighthouse's simulated phone scales the work it observes, so a build running beside it
/// would cost points that no reader's phone would lose.
static ALONE: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn alone() -> std::sync::MutexGuard<'static, ()> {
    ALONE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The built real site, nginx serving it, and the nginx binary; `None` after a loud skip.
fn serve_real_site() -> Option<(tempfile::TempDir, PathBuf, Nginx)> {
    let Some(binary) = nginx_binary() else {
        missing("nginx (apt-get install nginx)");
        return None;
    };
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    portal::build_site(&repo(), &public).unwrap_or_else(|e| panic!("{e}"));
    let nginx = Nginx::start(&binary, &public);
    Some((out, public, nginx))
}

#[test]
fn nginx_serves_the_site_with_its_headers_compressed() {
    let _alone = alone();
    let Some((_out, public, nginx)) = serve_real_site() else {
        return;
    };
    let port = nginx.port;
    let mut seen = Vec::new();

    // Pages: revalidated, each with its policy; compressed on request (as nginx sends them).
    for (path, file, wasm) in [
        ("/", "index.html", false),
        ("/counties/533401/", "counties/533401/index.html", false),
        (
            "/counties/533401/estimate/",
            "counties/533401/estimate/index.html",
            true,
        ),
        (
            "/policies/qinyuan-2017-industry/",
            "policies/qinyuan-2017-industry/index.html",
            false,
        ),
        ("/compare/", "compare/index.html", false),
        ("/for-offices/", "for-offices/index.html", false),
    ] {
        let plain = get(port, path, "");
        let html = std::fs::read(public.join(file)).unwrap();
        assert_eq!(plain.status, 200, "{path}");
        assert_eq!(
            plain.header("content-type"),
            "text/html; charset=utf-8",
            "{path}"
        );
        assert_eq!(plain.header("cache-control"), "no-cache", "{path}");
        assert_eq!(plain.header("content-encoding"), "", "{path}");
        assert_eq!(plain.body, html, "{path}: the file as it is");
        assert_secure(&plain, path, wasm);
        let packed = get(port, path, "gzip");
        assert_eq!(packed.header("content-encoding"), "gzip", "{path}");
        assert_eq!(packed.header("vary"), "Accept-Encoding", "{path}");
        assert!(
            packed.body.len() * 2 < html.len(),
            "{path}: {} of {}",
            packed.body.len(),
            html.len()
        );
        assert_eq!(
            gunzip(&packed.body),
            html,
            "{path}: the same page compressed"
        );
        assert_secure(&packed, path, wasm);
        seen.push(format!(
            "{path}: {} → {} bytes gzip; {}",
            html.len(),
            packed.body.len(),
            packed.header("content-security-policy")
        ));
    }

    // Content-hashed assets: kept a year; the wasm as application/wasm.
    let assets: Vec<String> = std::fs::read_dir(public.join("assets"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".gz") && !n.ends_with(".br"))
        .collect();
    assert!(assets.len() >= 4, "{assets:?}");
    for name in &assets {
        let path = format!("/assets/{name}");
        let response = get(port, &path, "gzip");
        assert_eq!(response.status, 200, "{path}");
        assert_eq!(
            response.header("cache-control"),
            "public, max-age=31536000, immutable",
            "{path}"
        );
        assert_secure(&response, &path, false);
        let file = std::fs::read(public.join("assets").join(name)).unwrap();
        assert_eq!(response.header("content-encoding"), "gzip", "{path}");
        assert!(response.body.len() < file.len(), "{path}");
        assert_eq!(gunzip(&response.body), file, "{path}");
        let kind = response.header("content-type");
        let expected = match name.rsplit('.').next() {
            Some("wasm") => "application/wasm",
            Some("css") => "text/css",
            Some("js") => "javascript",
            _ => "",
        };
        assert!(kind.contains(expected), "{path}: {kind}");
        // Where nginx has Brotli, a browser that takes it gets the asset's `.br` copy.
        let brotli = if nginx.brotli {
            let packed = get(port, &path, "br, gzip");
            assert_eq!(packed.header("content-encoding"), "br", "{path}");
            assert_eq!(unbrotli(&packed.body), file, "{path}");
            assert!(
                packed.body.len() < response.body.len(),
                "{path}: brotli {} ≥ gzip {}",
                packed.body.len(),
                response.body.len()
            );
            assert_secure(&packed, &path, false);
            format!(", {} brotli", packed.body.len())
        } else {
            String::new()
        };
        seen.push(format!(
            "{path}: {} → {} bytes gzip{brotli}, {kind}, {}",
            file.len(),
            response.body.len(),
            response.header("cache-control")
        ));
    }
    if !nginx.brotli {
        missing("nginx's Brotli module (apt-get install libnginx-mod-http-brotli-static)");
    }
    assert!(assets.iter().any(|n| n.ends_with(".wasm")));

    // Open data: revalidated, compressed, JSON.
    let data = get(port, "/data/counties/533401.json", "gzip");
    assert_eq!(data.status, 200);
    assert_eq!(data.header("cache-control"), "no-cache");
    assert_eq!(data.header("content-encoding"), "gzip");
    assert!(data.header("content-type").starts_with("application/json"));
    // A policy's YAML (no `.gz` copy) and a province's CSV, typed and compressed as sent; the
    // estimator's compact rules, sent from their `.gz` copy (nginx never compresses their type).
    let rules = std::fs::read_dir(public.join("data/counties"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with("533401.") && n.ends_with(".rules"))
        .expect("533401's compact rules");
    for (path, kind) in [
        (
            "/policies/qinyuan-2017-industry/policy.yaml".to_owned(),
            "application/yaml",
        ),
        ("/data/provinces/140000.csv".to_owned(), "text/csv"),
        (
            format!("/data/counties/{rules}"),
            "application/octet-stream",
        ),
    ] {
        let file = std::fs::read(public.join(path.trim_start_matches('/'))).unwrap();
        let sent = get(port, &path, "gzip");
        assert_eq!(sent.status, 200, "{path}");
        assert!(
            sent.header("content-type").starts_with(kind),
            "{path}: {}",
            sent.header("content-type")
        );
        assert_eq!(sent.header("content-encoding"), "gzip", "{path}");
        assert!(sent.body.len() < file.len(), "{path}");
        assert_eq!(gunzip(&sent.body), file, "{path}");
        assert_secure(&sent, &path, false);
    }

    // Unknown addresses: the site's 404 page, with status 404 and the same headers.
    let missing = get(port, "/no-such-page/", "");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.body,
        std::fs::read(public.join("404.html")).unwrap()
    );
    assert_secure(&missing, "404", false);
    assert_eq!(missing.header("cache-control"), "no-cache");
    // A folder without its slash is sent to it, by a relative address.
    let folder = get(port, "/counties/533401", "");
    assert_eq!(folder.status, 301);
    assert_eq!(folder.header("location"), "/counties/533401/");

    println!("{}", seen.join("\n"));
}

/// Run `script` (in `tests/browser/`, needing `package`) with node against the real site as
/// nginx serves it; the folder in `dir_env`, when set, is passed on. The script's output, or
/// `None` after a loud skip.
fn browser_script(script: &str, package: &str, dir_env: &str) -> Option<(bool, String)> {
    let browser_dir = repo().join("site/portal/tests/browser");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).is_file() || !browser_dir.join("node_modules").join(package).is_dir() {
        missing(&format!(
            "chromium and npm ci --prefix site/portal/tests/browser ({package})"
        ));
        return None;
    }
    let (_out, _public, nginx) = serve_real_site()?;
    let mut command = Command::new("node");
    command.arg(browser_dir.join(script)).arg(nginx.base());
    if let Some(dir) = std::env::var_os(dir_env) {
        std::fs::create_dir_all(&dir).unwrap();
        command.arg(dir);
    }
    let output = command.output().unwrap();
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    println!("{report}");
    Some((output.status.success(), report))
}

#[test]
fn the_estimator_computes_through_nginx_in_chromium() {
    let _alone = alone();
    let Some((ok, report)) = browser_script("nginx.mjs", "playwright-core", "SCREENSHOTS") else {
        return;
    };
    assert!(ok, "nginx.mjs found problems:\n{report}");
    assert!(report.contains(" passed, 0 failed"), "{report}");
}

/// Lighthouse's mobile defaults on each page kind, served by nginx: performance ≥ 95,
/// accessibility, best practices and SEO 100 (`browser/lighthouse.mjs` prints the scores).
/// `LIGHTHOUSE_REPORTS=DIR` keeps each page's full report; the table is also written to
/// `target/tmp/lighthouse-scores.txt`, which `.ci/run` prints.
#[test]
fn lighthouse_scores_each_page_kind_through_nginx() {
    let _alone = alone();
    let Some((ok, report)) = browser_script("lighthouse.mjs", "lighthouse", "LIGHTHOUSE_REPORTS")
    else {
        return;
    };
    // For CI's log: `.ci/run` prints this after the tests (a passing test's output is hidden).
    let _ = std::fs::write(
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("lighthouse-scores.txt"),
        &report,
    );
    assert!(ok, "Lighthouse scores below budget:\n{report}");
    assert!(report.contains("every page kind within budget"), "{report}");
}
