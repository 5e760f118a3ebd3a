//! `portal serve`: a preview on 127.0.0.1 that rebuilds when YAML, Markdown or a template
//! changes and reloads the page. A broken edit shows its error (file:line:col) in the browser
//! and the terminal while the last good site stays up; fixing it recovers.
//!
//! On a project whose whole build takes a while (a province, the nation), an edit inside one
//! county's folder first re-renders only that county's files into the live site
//! ([`render::update_county`]) and reloads the page, within a second of the save; the whole
//! build follows in the background for the pages that gather many counties. The page learns
//! of a new build by a long poll, so it reloads as soon as the build is in.

use notify::{RecursiveMode, Watcher};
use policy::messages::{Key, Lang, Msg};
use render::output::safe_relative;
use render::{serving, urls};
use render::{BuildError, Update};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
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
  // A long poll: the server answers when the version moves on (or after a while anyway).
  function poll() {
    var since = version === null ? "" : "?since=" + version;
    fetch("/__portal/status" + since, { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (version === null) { version = s.version; }
        else if (s.version !== version) { location.reload(); return; }
        show(s.error);
        poll();
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

/// How long the files must be quiet after a change before building: an editor saves in
/// several steps, a few milliseconds apart (a step read half-written shows an error for a
/// moment, and the next step's event builds again).
const QUIET: Duration = Duration::from_millis(60);

/// The quick path is taken once a whole build takes at least this long; below it, the whole
/// build is quick enough and a single reload is calmer.
const QUICK_FROM_SECONDS: f64 = 1.0;

/// At most this many counties edited at once are updated quickly, one after the other.
const QUICK_COUNTIES: usize = 4;

/// How long a long poll of `/__portal/status?since=N` waits for a new version.
const LONG_POLL: Duration = Duration::from_secs(25);

/// What the whole builds and the quick updates share.
#[derive(Debug, Default)]
struct Work {
    /// An edit came in since the last whole build began.
    wanted: bool,
    /// Edits so far, counted; a whole build notes the count it began at.
    edits: u64,
    /// The count at which the running whole build began, if one runs.
    building_since: Option<u64>,
    /// Each county folder updated quickly, with the edit count of its last update: after a
    /// whole build swaps in, those updated since it began are updated again, as the build
    /// may have read them before the edit.
    quick_updated: BTreeMap<String, u64>,
    /// How long the last whole build took.
    last_seconds: f64,
    /// The last whole build's error, shown until a whole build succeeds: a quick update of
    /// one county does not make it go away, unless every problem was in that county's folder.
    whole_error: Option<WholeError>,
}

/// A whole build's error as shown, and the county folders its problems are in (`None` when
/// one is elsewhere, or the build stopped for another reason).
#[derive(Debug)]
struct WholeError {
    shown: String,
    folders: Option<BTreeSet<String>>,
}

impl WholeError {
    fn new(error: &BuildError, shown: String) -> WholeError {
        let folders = match error {
            BuildError::Check(problems) => problems
                .items
                .iter()
                .map(|p| folder_of(Path::new(&p.file)))
                .collect(),
            _ => None,
        };
        WholeError { shown, folders }
    }

    /// Whether a good update of `folder` answers every problem.
    fn only_in(&self, folder: &str) -> bool {
        self.folders
            .as_ref()
            .is_some_and(|f| f.iter().all(|each| each == folder))
    }
}

/// The preview: its project and output, the status the pages poll, and the work queue.
#[derive(Debug)]
struct Preview {
    root: PathBuf,
    /// The root as given, absolute, and with links resolved, for the watcher's paths.
    roots: Vec<PathBuf>,
    out: PathBuf,
    lang: Lang,
    status: Mutex<Status>,
    /// Signalled when the status changes, for the long polls.
    status_changed: Condvar,
    work: Mutex<Work>,
    /// Signalled when a whole build is wanted.
    work_wanted: Condvar,
    /// Held through each quick update: the edits' thread and the builder's (after a swap)
    /// stage them in the same folder.
    quick: Mutex<()>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Preview {
    /// A new version of the site (or a new error): the pages reload, or show it.
    fn publish(&self, error: Option<String>) {
        let mut status = lock(&self.status);
        status.version = status.version.saturating_add(1);
        status.error = error;
        self.status_changed.notify_all();
    }

    /// Say what went wrong, in the terminal and over the page; the text shown.
    fn report_failure(&self, error: &BuildError) -> String {
        let text = describe(error, self.lang);
        say(&format!(
            "{text}\n{}",
            Msg::new(Key::ServeFailed).render(self.lang)
        ));
        let heading = Msg::new(Key::ServeOverlay).render(self.lang);
        let shown = format!("{heading}\n\n{text}");
        self.publish(Some(shown.clone()));
        shown
    }

    /// Update one county's files in the live site, one update at a time.
    fn update(&self, folder: &str) -> Result<Update, BuildError> {
        let _one_at_a_time = lock(&self.quick);
        crate::update_county(&self.root, &self.out, folder)
    }

    /// The whole build, then the counties updated quickly while it ran, again. In the
    /// background (`beside` edits), it leaves a core to the quick updates and the browser:
    /// on a small machine they would otherwise wait for the build's threads.
    fn build_whole(&self, beside: bool) {
        let build = || crate::build_site(&self.root, &self.out);
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let pool = beside.then(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(cores.saturating_sub(1).max(1))
                .build()
        });
        let result = match pool {
            Some(Ok(pool)) => pool.install(build),
            _ => build(),
        };
        let since = {
            let mut work = lock(&self.work);
            if let Ok(report) = &result {
                work.last_seconds = report.seconds;
            }
            work.building_since.take().unwrap_or(0)
        };
        match result {
            Ok(report) => {
                let again: Vec<String> = lock(&self.work)
                    .quick_updated
                    .iter()
                    .filter(|(_, &edit)| edit > since)
                    .map(|(folder, _)| folder.clone())
                    .collect();
                for folder in again {
                    // Its errors, if any, are the next whole build's to show.
                    let _ = self.update(&folder);
                }
                lock(&self.work).whole_error = None;
                let rebuilt = Msg::new(Key::ServeRebuilt)
                    .arg("pages", report.pages)
                    .arg("seconds", format!("{:.2}", report.seconds));
                say(&rebuilt.render(self.lang));
                if let Some(swept) = crate::swept_message(&report, &self.out) {
                    say(&swept.render(self.lang));
                }
                self.publish(None);
            }
            Err(error) => {
                let shown = self.report_failure(&error);
                lock(&self.work).whole_error = Some(WholeError::new(&error, shown));
            }
        }
    }

    /// Whole builds, one after another, while edits keep coming; runs for ever.
    fn builder(&self) {
        loop {
            {
                let mut work = lock(&self.work);
                while !work.wanted {
                    work = self
                        .work_wanted
                        .wait(work)
                        .unwrap_or_else(PoisonError::into_inner);
                }
                work.wanted = false;
                work.building_since = Some(work.edits);
            }
            self.build_whole(true);
        }
    }

    /// Files changed (paths as the watcher gives them): the counties they are in updated at
    /// once when the project is big enough for that to matter, and a whole build wanted.
    fn edited(&self, paths: &[PathBuf]) {
        let folders = county_folders(&self.roots, paths).unwrap_or_default();
        let folders = {
            let mut work = lock(&self.work);
            work.edits += 1;
            let edit = work.edits;
            let quick = work.last_seconds >= QUICK_FROM_SECONDS && folders.len() <= QUICK_COUNTIES;
            let folders = if quick { folders } else { BTreeSet::new() };
            // Noted before the update: a whole build that swaps in meanwhile updates them
            // again after.
            for folder in &folders {
                work.quick_updated.insert(folder.clone(), edit);
            }
            folders
        };
        for folder in folders {
            match self.update(&folder) {
                Ok(Update::Written {
                    county,
                    name,
                    files,
                    seconds,
                }) => {
                    let updated = Msg::new(Key::ServeUpdated)
                        .arg("county", format!("{name} {county}"))
                        .arg("files", files)
                        .arg("seconds", format!("{seconds:.2}"));
                    say(&updated.render(self.lang));
                    let still = {
                        let mut work = lock(&self.work);
                        if work
                            .whole_error
                            .as_ref()
                            .is_some_and(|e| e.only_in(&folder))
                        {
                            work.whole_error = None;
                        }
                        work.whole_error.as_ref().map(|e| e.shown.clone())
                    };
                    self.publish(still);
                }
                Ok(Update::Whole) => {}
                Err(error) => {
                    self.report_failure(&error);
                }
            }
        }
        let mut work = lock(&self.work);
        work.wanted = true;
        self.work_wanted.notify_all();
    }

    /// The status, at once, or when `since` is given, once the version is past it (or the
    /// long poll's time is up).
    fn status(&self, since: Option<u64>) -> Status {
        let status = lock(&self.status);
        let Some(since) = since else {
            return status.clone();
        };
        let (status, _) = self
            .status_changed
            .wait_timeout_while(status, LONG_POLL, |s| s.version == since)
            .unwrap_or_else(PoisonError::into_inner);
        status.clone()
    }
}

/// The county folders (`policies/NAME`) that `paths` are inside, each relative to one of
/// `roots` (the project root as given, absolute, and with links resolved: the watcher
/// reports absolute paths); `None` when any path is elsewhere (the facts, `regions.yaml`,
/// `content/`, `templates/`): only a whole build can show such a change. Whether a folder
/// is a county's (and not a prefecture's) is [`render::update_county`]'s to say.
fn county_folders(roots: &[PathBuf], paths: &[PathBuf]) -> Option<BTreeSet<String>> {
    let mut folders = BTreeSet::new();
    for path in paths {
        let relative = roots.iter().find_map(|root| path.strip_prefix(root).ok())?;
        folders.insert(folder_of(relative)?);
    }
    Some(folders)
}

/// The county folder (`policies/NAME`) a file (relative to the root) is inside; `None` for
/// a file that is not inside a folder of `policies/`.
fn folder_of(relative: &Path) -> Option<String> {
    let mut parts = relative.components().map(|c| c.as_os_str().to_str());
    let (Some(Some("policies")), Some(Some(folder)), Some(Some(_))) =
        (parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    Some(format!("policies/{folder}"))
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
    // Preview only: never cache, so every reload shows the latest build; but an asset named
    // by its content (`/assets/NAME.HASH.EXT`) is new when it changes, and keeping it makes
    // the reload after an edit quicker.
    let cache = if status == 200 && request.url().starts_with(&format!("/{}", urls::ASSETS_DIR)) {
        serving::CACHE_IMMUTABLE
    } else {
        "no-store"
    };
    if let Ok(header) = tiny_http::Header::from_bytes(&b"Cache-Control"[..], cache.as_bytes()) {
        response = response.with_header(header);
    }
    let _ = request.respond(response);
}

fn handle(request: tiny_http::Request, preview: &Preview) {
    let url = request.url().to_owned();
    if url == "/__portal/live.js" {
        return respond(
            request,
            200,
            content_type(".js"),
            LIVE_JS.as_bytes().to_vec(),
        );
    }
    if let Some(query) = url.strip_prefix("/__portal/status") {
        let since = query
            .strip_prefix("?since=")
            .and_then(|v| v.parse::<u64>().ok());
        let body = serde_json::to_vec(&preview.status(since)).unwrap_or_default();
        return respond(request, 200, content_type(".json"), body);
    }
    let out = &preview.out;
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
            Msg::new(Key::ServeNotBuilt)
                .render(preview.lang)
                .into_bytes(),
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
/// When `out` holds a site already, it is served at once while the first build runs.
/// Runs until the process is stopped.
pub fn serve(root: &Path, out: &Path, port: u16, lang: Lang) -> Result<(), ServeError> {
    let mut roots = vec![root.to_path_buf()];
    roots.extend(std::path::absolute(root).ok());
    roots.extend(root.canonicalize().ok());
    let preview = Arc::new(Preview {
        root: root.to_path_buf(),
        roots,
        out: out.to_path_buf(),
        lang,
        status: Mutex::new(Status::default()),
        status_changed: Condvar::new(),
        work: Mutex::new(Work::default()),
        work_wanted: Condvar::new(),
        quick: Mutex::new(()),
    });
    if out.join("index.html").is_file() {
        say(&Msg::new(Key::ServeBuilding).render(lang));
        let mut work = lock(&preview.work);
        work.wanted = true;
        // How long a whole build takes is not known yet: edits meanwhile take the quick path.
        work.last_seconds = QUICK_FROM_SECONDS;
    } else {
        preview.build_whole(false);
    }

    let (events, changes) = mpsc::channel::<Vec<PathBuf>>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            if !event.kind.is_access() {
                let _ = events.send(event.paths);
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
        let preview = Arc::clone(&preview);
        std::thread::spawn(move || preview.builder());
    }
    {
        let preview = Arc::clone(&preview);
        std::thread::spawn(move || {
            while let Ok(mut paths) = changes.recv() {
                while let Ok(more) = changes.recv_timeout(QUIET) {
                    paths.extend(more);
                }
                preview.edited(&paths);
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
    // One thread per request: a tab that waits (a long poll) must not hold up another.
    for request in server.incoming_requests() {
        let preview = Arc::clone(&preview);
        std::thread::spawn(move || handle(request, &preview));
    }
    drop(watcher);
    Ok(())
}
