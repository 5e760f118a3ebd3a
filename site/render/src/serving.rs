//! How a web server must serve a built site: the one source of the Content-Security-Policy
//! (the pages' `<meta>` and the servers' header are both made here), which files are
//! precompressed, how long each kind of file may be cached, and the configuration that says
//! all of it to nginx (`portal config nginx`) and to a static host's `_headers` file
//! (`portal config headers`, Cloudflare Pages format).
//!
//! It only makes text; writing and serving are the binary's business.

use crate::urls;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What kind of page a response is, for its Content-Security-Policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// Every page but the estimator: scripts from the site only, no WebAssembly.
    Page,
    /// A county's estimator (`/counties/CODE/estimate/`): it compiles the engine's wasm,
    /// which needs `'wasm-unsafe-eval'`.
    Estimator,
}

/// Where a policy is delivered: browsers ignore `frame-ancestors` (and warn about it) in a
/// `<meta>` tag, so only the header carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// `<meta http-equiv="Content-Security-Policy">` in every page.
    Meta,
    /// The `Content-Security-Policy` response header.
    Header,
}

/// The Content-Security-Policy of a page of `kind`, as delivered.
pub fn csp(kind: PageKind, delivery: Delivery) -> String {
    let wasm = match kind {
        PageKind::Page => "",
        PageKind::Estimator => " 'wasm-unsafe-eval'",
    };
    let mut policy = format!(
        "default-src 'self'; script-src 'self'{wasm}; style-src 'self'; img-src 'self' data:; \
         base-uri 'self'; form-action 'self'; object-src 'none'"
    );
    if delivery == Delivery::Header {
        policy.push_str("; frame-ancestors 'none'");
    }
    policy
}

/// `Referrer-Policy`, the same as the pages' `<meta name="referrer">`.
pub const REFERRER_POLICY: &str = "no-referrer";
/// `Cache-Control` of a content-hashed asset (`assets/NAME.HASH.EXT`): its name changes
/// with its content, so it can be kept for ever.
pub const CACHE_IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of everything else (pages, open data): kept, but asked again each time.
pub const CACHE_REVALIDATE: &str = "no-cache";

/// The extensions of the files worth compressing (those [`precompressed`] names get a `.gz`
/// beside them), and the MIME types a server should compress on the fly when no `.gz` is there.
const COMPRESSIBLE: &[(&str, &str)] = &[
    ("html", "text/html"),
    ("css", "text/css"),
    ("js", "application/javascript"),
    ("json", "application/json"),
    ("svg", "image/svg+xml"),
    ("wasm", "application/wasm"),
    ("xml", "application/xml"),
    ("csv", "text/csv"),
    ("txt", "text/plain"),
    ("yaml", "application/yaml"),
    // The estimator's compact rules (`data/counties/CODE.HASH.rules`): binary, but they
    // shrink to 40 %. A server sends their `.gz` copy (nginx's `gzip_static` asks no type)
    // and never compresses `application/octet-stream` on the fly (see `compressible_types`).
    ("rules", "application/octet-stream"),
];

/// Whether the file at `path` is worth compressing (by its extension): a server compresses it
/// as it sends it, unless `portal build` wrote a `.gz` beside it (see [`precompressed`]).
pub fn compressible(path: &str) -> bool {
    path.rsplit_once('.')
        .is_some_and(|(_, ext)| COMPRESSIBLE.iter().any(|(e, _)| *e == ext))
}

/// Whether `portal build` writes a gzip copy (`X.gz`) beside the file at `path` (relative,
/// as written): the compressible files fetched often or big, that is the assets, the
/// estimator's compact rules, the search index, the site-wide open data, the sitemap and the
/// feed. Not the HTML pages, nor the
/// open data written per policy and per county (a policy's YAML `policies/ID/policy.yaml`,
/// its rules `data/rules/ID.json`, a county's rulebook `data/counties/CODE.json`): they are
/// nine files in ten of a national build, and copying them took a fifth of its time. A
/// server compresses those as it sends them, at the level the copies had (`gzip on` and
/// `gzip_comp_level 6` in `portal config nginx`; static hosts compress by themselves).
pub fn precompressed(path: &str) -> bool {
    let per_document = |prefix: &str, name_end: &str| {
        path.strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(name_end))
            .is_some_and(|name| !name.is_empty() && !name.contains('/'))
    };
    compressible(path)
        && !path.ends_with(".html")
        && !per_document("policies/", "/policy.yaml")
        && !per_document("data/rules/", ".json")
        && !per_document("data/counties/", ".json")
}

/// Whether `portal build` also writes a Brotli copy (`X.br`): the content-hashed assets
/// (`assets/NAME.HASH.EXT`: the estimator's wasm and script, the style sheet). They are few,
/// made once per build, and the heaviest things a phone downloads, so the best (slow) quality
/// pays; thousands of pages twice over would cost the national build more than they save.
pub fn brotli_copy(path: &str) -> bool {
    // Asked of every file written: a prefix test first, nothing allocated.
    path.starts_with(urls::ASSETS_DIR) && compressible(path)
}

/// The MIME types to compress on the fly; `text/html` is left out, nginx always compresses
/// it, and so is `application/octet-stream`, the type of every file nginx does not know.
fn compressible_types() -> Vec<&'static str> {
    let mut types: Vec<&str> = COMPRESSIBLE
        .iter()
        .map(|(_, t)| *t)
        .filter(|t| !matches!(*t, "text/html" | "application/octet-stream"))
        .collect();
    // Feeds and the JavaScript type nginx's mime.types uses for `.js`.
    types.extend(["application/atom+xml", "text/javascript"]);
    types
}

/// The estimator pages, as a URL pattern with `*` for the county code.
fn estimator_pattern() -> String {
    urls::estimator("*")
}

/// The content-hashed assets' folder, as a URL prefix (`/assets/`).
fn assets_prefix() -> String {
    urls::asset(urls::ASSETS_DIR)
}

/// Why a configuration could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The folder is not a built site (no `index.html` or `404.html` in it).
    #[error("{0} is not a site built by `portal build` (no index.html and 404.html)")]
    NotASite(PathBuf),
    /// A path or address holds characters the configuration cannot carry safely
    /// (quotes, `;`, `$`, braces, backslashes, control characters or spaces).
    #[error("`{0}` cannot be written into a server configuration")]
    Unsafe(String),
}

/// The text, or an error when it holds a character that would end or change an nginx
/// directive (`;`, quotes, braces, `$` variables, `\`, control characters, whitespace).
fn nginx_safe(text: &str) -> Result<&str, ConfigError> {
    let bad = |c: char| {
        c.is_control()
            || c.is_whitespace()
            || matches!(c, ';' | '"' | '\'' | '{' | '}' | '$' | '\\' | '#')
    };
    if text.is_empty() || text.contains(bad) {
        return Err(ConfigError::Unsafe(text.chars().take(200).collect()));
    }
    Ok(text)
}

/// The folder of a built site, made absolute; an error when it is not one.
pub fn site_root(dir: &Path) -> Result<PathBuf, ConfigError> {
    let not_a_site = || ConfigError::NotASite(dir.to_path_buf());
    let absolute = std::path::absolute(dir).map_err(|_| not_a_site())?;
    if !absolute.join("index.html").is_file()
        || !absolute.join(urls::file_of(urls::NOT_FOUND)).is_file()
    {
        return Err(not_a_site());
    }
    Ok(absolute)
}

/// The headers every response gets (with `always`, so the 404 page has them too), for a
/// page of `kind` and a `Cache-Control`.
fn nginx_headers(out: &mut String, indent: &str, kind: PageKind, cache: &str) {
    let headers = [
        ("Content-Security-Policy", csp(kind, Delivery::Header)),
        ("X-Content-Type-Options", "nosniff".to_owned()),
        ("Referrer-Policy", REFERRER_POLICY.to_owned()),
        ("Cache-Control", cache.to_owned()),
    ];
    for (name, value) in headers {
        let _ = writeln!(out, "{indent}add_header {name} \"{value}\" always;");
    }
}

/// Whether the nginx that will serve the site has Brotli's static module (Debian:
/// `libnginx-mod-http-brotli-static`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Brotli {
    /// It has the module: the assets' `.br` copies go to browsers that take Brotli.
    On,
    /// It may not: the lines are written commented out (nginx refuses unknown directives).
    Off,
}

/// An nginx `server` block serving the built site at `root` (absolute, from [`site_root`])
/// on `listen` (`8080`, `127.0.0.1:8080`, `[::]:80` …): precompressed files, wasm's type,
/// caching by kind, the security headers and the site's 404 page.
pub fn nginx(root: &Path, listen: &str, brotli: Brotli) -> Result<String, ConfigError> {
    let root_text = root.to_string_lossy();
    let root_text = nginx_safe(&root_text)?;
    let listen = nginx_safe(listen)?;
    let assets = assets_prefix();
    let estimator = estimator_pattern();
    let (estimator_head, estimator_tail) = estimator.split_once('*').unwrap_or((&estimator, ""));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# 由 `portal config nginx` 生成：把它放进 nginx 的 http {{ }} 里（例如 /etc/nginx/conf.d/portal.conf），\n\
         # 重新生成网站后不必改动。Generated by `portal config nginx`; include it inside http {{ }}.\n\
         server {{\n    listen {listen};\n    root \"{root_text}\";\n    index index.html;\n\
         \x20   charset utf-8;\n    charset_types text/css application/javascript text/javascript application/json application/xml text/csv text/plain application/yaml;\n\
         \x20   absolute_redirect off;\n    server_tokens off;\n"
    );
    out.push_str(
        "    # `portal build` writes X.gz beside the assets, the search index and the site-wide data:\n\
         \x20   # sent as they are. Pages and each policy's and county's data are compressed as sent.\n\
         \x20   gzip_static on;\n    gzip on;\n    gzip_vary on;\n    gzip_comp_level 6;\n    gzip_min_length 256;\n",
    );
    let types = compressible_types().join(" ");
    let _ = writeln!(out, "    gzip_types {types};");
    // The assets have `.br` copies too, sent to a browser that takes Brotli; everything
    // else has its `.gz` or is compressed on the fly with gzip (no on-the-fly Brotli).
    match brotli {
        Brotli::On => out.push_str(
            "    # The assets' X.br copies (libnginx-mod-http-brotli-static).\n    brotli_static on;\n",
        ),
        Brotli::Off => out.push_str(
            "    # Brotli for the assets, where nginx has the module (Debian: apt-get install\n\
             \x20   # libnginx-mod-http-brotli-static): write this block with `--brotli`. Without the\n\
             \x20   # module the line must stay commented, or nginx will not start.\n\
             \x20   # brotli_static on;\n",
        ),
    }
    out.push_str("\n    error_page 404 /404.html;\n\n");
    // Regex locations are tried in order; the first that matches serves.
    let _ = writeln!(
        out,
        "    # The estimator's engine: content-hashed, and always application/wasm.\n\
         \x20   location ~ \"^{assets}[^/]+\\.[0-9a-f]{{8}}\\.wasm$\" {{\n        types {{ }}\n        default_type application/wasm;"
    );
    nginx_headers(&mut out, "        ", PageKind::Page, CACHE_IMMUTABLE);
    out.push_str("    }\n");
    let _ = writeln!(
        out,
        "    # Content-hashed assets (NAME.HASH.EXT): a new name for new content, so kept for a year.\n\
         \x20   location ~ \"^{assets}[^/]+\\.[0-9a-f]{{8}}\\.[a-z0-9]+$\" {{"
    );
    nginx_headers(&mut out, "        ", PageKind::Page, CACHE_IMMUTABLE);
    out.push_str("    }\n");
    let _ = writeln!(
        out,
        "    # The estimator pages compile WebAssembly: their policy allows it.\n\
         \x20   location ~ \"^{}[^/]+{}\" {{",
        regex_escape(estimator_head),
        regex_escape(estimator_tail)
    );
    nginx_headers(&mut out, "        ", PageKind::Estimator, CACHE_REVALIDATE);
    out.push_str("    }\n");
    // Debian's mime.types names neither YAML nor CSV: as application/octet-stream they
    // would be downloaded rather than shown, and never compressed as sent (a policy's YAML
    // has no `.gz` copy).
    out.push_str(
        "    # Open data that nginx's mime.types does not name, typed so that it is compressed as sent.\n\
         \x20   location ~ \"\\.(yaml|csv)$\" {\n        types { application/yaml yaml; text/csv csv; }\n",
    );
    nginx_headers(&mut out, "        ", PageKind::Page, CACHE_REVALIDATE);
    out.push_str("    }\n");
    out.push_str("    # Pages, open data and everything else: asked again on every visit.\n    location / {\n");
    nginx_headers(&mut out, "        ", PageKind::Page, CACHE_REVALIDATE);
    out.push_str("    }\n}\n");
    Ok(out)
}

/// A URL prefix as an nginx (PCRE) regular expression.
fn regex_escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if !c.is_alphanumeric() && !matches!(c, '/' | '-' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A `_headers` file in Cloudflare Pages' format (put in the site's folder): the same
/// headers as [`nginx`]. A request gets the headers of every rule its path matches, so the
/// estimator's rule first removes (`! Name`) the site-wide policy it replaces. Such a host
/// compresses by itself, and sends `.wasm` as `application/wasm`.
pub fn headers_file() -> String {
    let assets = assets_prefix();
    let mut out = String::from(
        "# 由 `portal config headers` 生成，放在网站文件夹里（public/_headers）。\n\
         # Generated by `portal config headers` (Cloudflare Pages _headers format).\n",
    );
    let _ = write!(
        out,
        "/*\n  Content-Security-Policy: {}\n  X-Content-Type-Options: nosniff\n  Referrer-Policy: {REFERRER_POLICY}\n  Cache-Control: {CACHE_REVALIDATE}\n\n",
        csp(PageKind::Page, Delivery::Header)
    );
    let _ = write!(
        out,
        "{}\n  ! Content-Security-Policy\n  Content-Security-Policy: {}\n\n",
        estimator_pattern(),
        csp(PageKind::Estimator, Delivery::Header)
    );
    let _ = writeln!(
        out,
        "{assets}*\n  ! Cache-Control\n  Cache-Control: {CACHE_IMMUTABLE}"
    );
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_header_forbids_framing_and_the_meta_leaves_it_out() {
        let header = csp(PageKind::Page, Delivery::Header);
        let meta = csp(PageKind::Page, Delivery::Meta);
        assert!(header.ends_with("; frame-ancestors 'none'"), "{header}");
        assert!(!meta.contains("frame-ancestors"), "{meta}");
        assert!(!header.contains("wasm-unsafe-eval"));
        assert!(csp(PageKind::Estimator, Delivery::Meta)
            .contains("script-src 'self' 'wasm-unsafe-eval';"));
        assert!(!header.contains("unsafe-inline"));
    }

    #[test]
    fn hostile_paths_and_addresses_are_refused() {
        let root = Path::new("/srv/site");
        for listen in ["80; include /etc/passwd", "8080 default", "$x", "80}", ""] {
            assert!(nginx(root, listen, Brotli::Off).is_err(), "{listen:?}");
        }
        assert!(nginx(Path::new("/srv/my site"), "80", Brotli::Off).is_err());
        assert!(nginx(Path::new("/srv/a\"b"), "80", Brotli::Off).is_err());
        let config = nginx(root, "127.0.0.1:8080", Brotli::Off).unwrap();
        assert!(config.contains("listen 127.0.0.1:8080;"));
        assert!(config.contains("root \"/srv/site\";"));
    }

    #[test]
    fn every_location_repeats_every_header() {
        // nginx drops the server's add_header in a location with its own, so each location
        // carries all four.
        let config = nginx(Path::new("/srv/site"), "80", Brotli::Off).unwrap();
        let locations = config.matches("location ").count();
        assert_eq!(locations, 5, "{config}");
        for header in [
            "Content-Security-Policy",
            "X-Content-Type-Options",
            "Referrer-Policy",
            "Cache-Control",
        ] {
            assert_eq!(
                config.matches(&format!("add_header {header} ")).count(),
                locations,
                "{header}"
            );
        }
        assert!(
            config.contains("location ~ \"^/counties/[^/]+/estimate/\""),
            "{config}"
        );
        assert!(config.contains("location ~ \"^/assets/[^/]+\\.[0-9a-f]{8}\\.wasm$\""));
        assert!(config.contains("gzip_static on;"));
        assert!(config.contains("error_page 404 /404.html;"));
    }

    #[test]
    fn brotli_lines_are_live_only_when_asked_for() {
        let root = Path::new("/srv/site");
        let with = nginx(root, "80", Brotli::On).unwrap();
        assert!(with.contains("\n    brotli_static on;\n"), "{with}");
        let without = nginx(root, "80", Brotli::Off).unwrap();
        assert!(!without.contains("\n    brotli"), "{without}");
        assert!(without.contains("# brotli_static on;"), "{without}");
        assert!(brotli_copy("assets/estimator.0123abcd.wasm"));
        assert!(!brotli_copy("counties/533401/index.html"));
        assert!(!brotli_copy("assets/logo.png"));
    }

    #[test]
    fn the_headers_file_replaces_the_estimators_policy() {
        let file = headers_file();
        assert!(file.contains("/counties/*/estimate/\n  ! Content-Security-Policy\n"));
        assert!(file.contains(
            "/assets/*\n  ! Cache-Control\n  Cache-Control: public, max-age=31536000, immutable"
        ));
        assert_eq!(file.matches("frame-ancestors 'none'").count(), 2);
    }

    #[test]
    fn text_is_compressed_and_images_are_not() {
        for path in [
            "index.html",
            "assets/estimator.0123abcd.wasm",
            "data/provinces/610000.json",
            "feed.xml",
        ] {
            assert!(compressible(path), "{path}");
        }
        for path in ["logo.png", "x.gz", "README"] {
            assert!(!compressible(path), "{path}");
        }
    }

    #[test]
    fn assets_search_and_site_wide_data_are_precompressed_pages_are_not() {
        for path in [
            "search/index.json",
            "search/p/140431.json",
            "data/index.json",
            "data/provinces/140000.json",
            "data/facts.json",
            "data/counties/140431.0123abcd.rules",
            "assets/site.0123abcd.css",
        ] {
            assert!(precompressed(path), "{path}");
        }
        for path in [
            "index.html",
            "policies/140431-industry-2017/index.html",
            "counties/140431/index.html",
            "policies/140431-industry-2017/policy.yaml",
            "data/rules/140431-industry-2017.json",
            "data/counties/140431.json",
            "logo.png",
        ] {
            assert!(!precompressed(path), "{path}");
        }
    }
}
