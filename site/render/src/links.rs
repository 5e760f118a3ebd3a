//! After rendering, every internal link and `#anchor` must resolve to a page and an id in
//! that page; otherwise the build fails naming the page and the link.

use crate::output::SiteFiles;
use std::collections::{BTreeSet, HashMap};

/// One link that does not resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    /// The page's file in the site (`policies/x/index.html`).
    pub page: String,
    /// The `href` or `src` value, with `&amp;` and Tera's escaped `/` decoded.
    pub link: String,
    /// Why it does not resolve, in English (not from the message catalogue).
    pub reason: String,
}

/// The values of `attribute="…"` in generated HTML (our templates always quote with `"`).
fn attribute_values<'a>(html: &'a str, attribute: &str) -> Vec<&'a str> {
    let needle = format!(" {attribute}=\"");
    html.match_indices(&needle)
        .filter_map(|(at, _)| {
            let rest = &html[at + needle.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

/// The page file a site path points at: `/a/` → `a/index.html`, `/a/b.json` → `a/b.json`.
fn page_file(path: &str) -> String {
    let path = path.trim_start_matches('/');
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_owned()
    }
}

fn unescape(value: &str) -> String {
    value
        .replace("&amp;", "&")
        .replace("&#x2F;", "/")
        .replace("&#47;", "/")
}

/// Every `href` and `src` of the HTML pages that misses its page or `#anchor`, or is not
/// site-absolute; other sites, `mailto:` and `data:` are not checked.
pub fn check(files: &SiteFiles) -> Vec<BrokenLink> {
    let mut ids: HashMap<&str, BTreeSet<String>> = HashMap::new();
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8_lossy(bytes);
        ids.insert(
            path.as_str(),
            attribute_values(&html, "id")
                .into_iter()
                .map(unescape)
                .collect(),
        );
    }
    let mut broken = Vec::new();
    for (page, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8_lossy(bytes);
        let links: Vec<String> = attribute_values(&html, "href")
            .into_iter()
            .chain(attribute_values(&html, "src"))
            .map(unescape)
            .collect();
        for link in links {
            // Other sites, mail and inline data are not pages of this site.
            if ["http://", "https://", "mailto:", "data:"]
                .iter()
                .any(|p| link.starts_with(p))
            {
                continue;
            }
            let (path, fragment) = match link.split_once('#') {
                Some((p, f)) => (p, Some(f)),
                None => (link.as_str(), None),
            };
            let path = path.split('?').next().unwrap_or_default();
            let target = if path.is_empty() {
                page.clone()
            } else if path.starts_with('/') {
                page_file(path)
            } else {
                broken.push(BrokenLink {
                    page: page.clone(),
                    link: link.clone(),
                    reason: "links between pages must start with /".into(),
                });
                continue;
            };
            if !files.contains(&target) {
                broken.push(BrokenLink {
                    page: page.clone(),
                    link: link.clone(),
                    reason: format!("there is no {target}"),
                });
                continue;
            }
            if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
                let found = ids
                    .get(target.as_str())
                    .is_some_and(|set| set.contains(fragment));
                if !found {
                    broken.push(BrokenLink {
                        page: page.clone(),
                        link: link.clone(),
                        reason: format!("{target} has no id `{fragment}`"),
                    });
                }
            }
        }
    }
    broken
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_missing_pages_and_anchors() {
        let mut files = SiteFiles::default();
        files.add("index.html", r##"<a href="/a/">a</a> <a href="/a/#x">x</a> <a href="/a/#nope">no</a> <a href="/b/">b</a> <a href="#top">t</a> <a href="https://e.cn">e</a>"##).unwrap();
        files.add("a/index.html", r#"<h1 id="x">x</h1>"#).unwrap();
        let broken = check(&files);
        let links: Vec<&str> = broken.iter().map(|b| b.link.as_str()).collect();
        assert_eq!(links, ["/a/#nope", "/b/", "#top"]);
    }
}
