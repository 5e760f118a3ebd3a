//! `portal serve`: a preview on 127.0.0.1 that rebuilds when YAML, Markdown or a template
//! changes and reloads the page. A broken edit shows its error (file:line:col) in the browser
//! and the terminal while the last good site stays up; fixing it recovers.

use notify::{RecursiveMode, Watcher};
use policy::messages::{Key, Lang, Msg};
use render::output::safe_relative;
use render::BuildError;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The script injected into pages in preview only: it polls the status and reloads.
const LIVE_JS: &str = r#"(function () {
  var version = null;
  function show(error) {
    var box = document.getElementById("portal-error");
    if (!error) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("pre");
      box.id = "portal-error";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;margin:0;padding:1rem;background:#fff0f0;color:#600;border-top:4px solid #c00;font-size:13px;white-space:pre-wrap;z-index:99";
      document.body.appendChild(box);
    }
    box.textContent = error;
  }
  function poll() {
    fetch("/__portal/status", { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (version === null) { version = s.version; }
        else if (s.version !== version) { location.reload(); return; }
        show(s.error);
        setTimeout(poll, 700);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
"#;

/// What `/__portal/status` answers, as JSON; the live-reload script polls it.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Status {
    /// Goes up with every build, good or bad.
    pub version: u64,
    /// The last build's error, as shown in the terminal, under a line saying the page is
    /// the last good build (in the language `serve` was started with).
    pub error: Option<String>,
}

/// Why the preview could not start; a failed build is not one (the server shows it).
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The port is taken or not allowed.
    #[error("cannot listen on 127.0.0.1:{port}: {message}")]
    Listen {
        /// As asked for; 0 means any free port.
        port: u16,
        /// What the system said.
        message: String,
    },
    /// A project folder (`policies`, `content`, `templates`) cannot be watched for changes.
    #[error("cannot watch {path}: {message}")]
    Watch {
        /// The folder, or the project root when no watcher could be made at all.
        path: String,
        /// What the watcher said.
        message: String,
    },
}

impl ServeError {
    /// The error from the message catalogue, for the chosen language.
    pub fn message(&self) -> Msg {
        match self {
            ServeError::Listen { port, message } => Msg::new(Key::ServeListen)
                .arg("port", port.to_string())
                .arg("error", message.as_str()),
            ServeError::Watch { path, message } => Msg::new(Key::ServeWatch)
                .arg("path", path.as_str())
                .arg("error", message.as_str()),
        }
    }
}

/// A line for the terminal (stderr); a closed terminal is no reason to stop serving.
fn say(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

fn describe(error: &BuildError, lang: Lang) -> String {
    match error {
        BuildError::Check(diagnostics) => diagnostics.render_in(lang),
        other => other.message(lang),
    }
}

fn rebuild(root: &Path, out: &Path, status: &Mutex<Status>, lang: Lang) {
    let result = crate::build_site(root, out);
    let mut status = status
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    status.version = status.version.saturating_add(1);
    match result {
        Ok(report) => {
            status.error = None;
            let rebuilt = Msg::new(Key::ServeRebuilt)
                .arg("pages", report.pages)
                .arg("seconds", format!("{:.2}", report.seconds));
            say(&rebuilt.render(lang));
        }
        Err(error) => {
            let text = describe(&error, lang);
            say(&format!(
                "{text}\n{}",
                Msg::new(Key::ServeFailed).render(lang)
            ));
            let heading = Msg::new(Key::ServeOverlay).render(lang);
            status.error = Some(format!("{heading}\n\n{text}"));
        }
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("xml") => "application/xml; charset=utf-8",
        Some("csv") => "text/csv; charset=utf-8",
        Some("yaml") => "text/yaml; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("svg") => "image/svg+xml",
        _ => "text/plain; charset=utf-8",
    }
}

/// The file for a URL path inside `out`, never outside it.
fn file_for(out: &Path, url: &str) -> Option<PathBuf> {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .trim_start_matches('/');
    let path = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_owned()
    };
    let file = out.join(safe_relative(&path).ok()?);
    if file.is_dir() {
        return Some(file.join("index.html"));
    }
    file.is_file().then_some(file)
}

fn respond(request: tiny_http::Request, status: u16, content_type: &str, body: Vec<u8>) {
    let header = tiny_http::Header::from_bytes(&b"Content-Type"[..], content_type.as_bytes());
    let mut response = tiny_http::Response::from_data(body).with_status_code(status);
    if let Ok(header) = header {
        response = response.with_header(header);
    }
    // Preview only: never cache, so every reload shows the latest build.
    if let Ok(header) = tiny_http::Header::from_bytes(&b"Cache-Control"[..], &b"no-store"[..]) {
        response = response.with_header(header);
    }
    let _ = request.respond(response);
}

fn handle(request: tiny_http::Request, out: &Path, status: &Mutex<Status>, lang: Lang) {
    let url = request.url().to_owned();
    if url == "/__portal/live.js" {
        return respond(
            request,
            200,
            content_type(".js"),
            LIVE_JS.as_bytes().to_vec(),
        );
    }
    if url.starts_with("/__portal/status") {
        let status = status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let body = serde_json::to_vec(&status).unwrap_or_default();
        return respond(request, 200, content_type(".json"), body);
    }
    let (code, file) = match file_for(out, &url) {
        Some(file) => (200, file),
        None => (404, out.join("404.html")),
    };
    let name = file.to_string_lossy().into_owned();
    let Ok(mut body) = std::fs::read(&file) else {
        return respond(
            request,
            404,
            content_type(".txt"),
            Msg::new(Key::ServeNotBuilt).render(lang).into_bytes(),
        );
    };
    if name.ends_with(".html") {
        let html = String::from_utf8_lossy(&body);
        body = html
            .replacen(
                "</body>",
                "<script src=\"/__portal/live.js\" defer></script>\n</body>",
                1,
            )
            .into_bytes();
    }
    respond(request, code, content_type(&name), body);
}

/// Build, then serve `out` on 127.0.0.1:`port` (0 picks a free port), rebuilding on change.
/// Runs until the process is stopped.
pub fn serve(root: &Path, out: &Path, port: u16, lang: Lang) -> Result<(), ServeError> {
    let status = Arc::new(Mutex::new(Status::default()));
    rebuild(root, out, &status, lang);

    let (events, changes) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            if !event.kind.is_access() {
                let _ = events.send(());
            }
        }
    })
    .map_err(|e| ServeError::Watch {
        path: root.display().to_string(),
        message: e.to_string(),
    })?;
    for dir in ["policies", "content", "templates"] {
        let path = root.join(dir);
        if path.is_dir() {
            watcher
                .watch(&path, RecursiveMode::Recursive)
                .map_err(|e| ServeError::Watch {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })?;
        }
    }
    {
        let (root, out, status) = (root.to_path_buf(), out.to_path_buf(), Arc::clone(&status));
        std::thread::spawn(move || {
            while changes.recv().is_ok() {
                // An editor saves in several steps: wait until the files are quiet.
                while changes.recv_timeout(Duration::from_millis(250)).is_ok() {}
                rebuild(&root, &out, &status, lang);
            }
        });
    }

    let server = tiny_http::Server::http(("127.0.0.1", port)).map_err(|e| ServeError::Listen {
        port,
        message: e.to_string(),
    })?;
    let address = server
        .server_addr()
        .to_ip()
        .map_or_else(|| format!("127.0.0.1:{port}"), |a| a.to_string());
    say(&Msg::new(Key::ServeListening)
        .arg("address", address)
        .render(lang));
    // One thread per request: a tab that waits must not hold up another.
    for request in server.incoming_requests() {
        let (out, status) = (out.to_path_buf(), Arc::clone(&status));
        std::thread::spawn(move || handle(request, &out, &status, lang));
    }
    drop(watcher);
    Ok(())
}
