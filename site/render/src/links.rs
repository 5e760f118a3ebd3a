//! Every internal link and `#anchor` must resolve to a page and an id in that page; otherwise
//! the build fails naming the page and the link.
//!
//! Pages are scanned as they are written ([`Scanner`], which also takes a page a piece at a
//! time) and only their ids and links are kept ([`LinkIndex`]), each name stored once for the
//! whole site, so that a national site's link check fits in a few tens of MB.

use crate::output::lock;
use memchr::memmem::Finder;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

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

/// The attributes read, each a needle ` NAME="` searched for in the whole page (our
/// templates always quote with `"`).
const NEEDLES: [&[u8]; 3] = [b" id=\"", b" href=\"", b" src=\""];

/// The ids and links of one page, as [`Scanner`] found them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Scanned {
    /// Every `id` value, decoded, in page order.
    pub ids: Vec<String>,
    /// Every `href` value, then every `src` value, decoded, in page order.
    pub links: Vec<String>,
}

/// Reads the ids and links of a page given in pieces, as if it were read whole: a value cut
/// by the end of a piece is read when the next piece arrives.
#[derive(Debug, Default)]
pub struct Scanner {
    /// The page from the earliest place any needle's search must resume.
    buffer: Vec<u8>,
    /// Where each needle's search resumes, in `buffer`.
    resume: [usize; 3],
    found: [Vec<String>; 3],
}

impl Scanner {
    /// A scanner at the start of a page.
    pub fn new() -> Scanner {
        Scanner::default()
    }

    /// The next piece of the page.
    pub fn feed(&mut self, piece: &[u8]) {
        self.buffer.extend_from_slice(piece);
        for (n, finder) in finders().iter().enumerate() {
            let needle_len = finder.needle().len();
            let mut at = self.resume[n];
            // Non-overlapping matches, each value up to the next `"`: `str::match_indices`.
            loop {
                let Some(start) = finder.find(&self.buffer[at..]).map(|i| at + i) else {
                    // No needle starts before the last few bytes, which may begin one.
                    at = at.max(self.buffer.len().saturating_sub(needle_len - 1));
                    break;
                };
                let value_start = start + needle_len;
                let Some(end) = memchr::memchr(b'"', &self.buffer[value_start..]) else {
                    // The value goes on in the next piece: search again from its needle.
                    at = start;
                    break;
                };
                let value = &self.buffer[value_start..value_start + end];
                self.found[n].push(unescape(&String::from_utf8_lossy(value)));
                at = value_start;
            }
            self.resume[n] = at;
        }
        let keep_from = self.resume.iter().copied().min().unwrap_or(0);
        self.buffer.drain(..keep_from);
        for resume in &mut self.resume {
            *resume -= keep_from;
        }
    }

    /// What the page holds; a value never closed by `"` is not a value.
    pub fn finish(self) -> Scanned {
        let [ids, hrefs, srcs] = self.found;
        let mut links = hrefs;
        links.extend(srcs);
        Scanned { ids, links }
    }
}

/// The ids and links of a whole page.
pub fn scan(html: &[u8]) -> Scanned {
    let mut scanner = Scanner::new();
    scanner.feed(html);
    scanner.finish()
}

/// A searcher for each of [`NEEDLES`], made once.
fn finders() -> &'static [Finder<'static>; 3] {
    static FINDERS: LazyLock<[Finder<'static>; 3]> = LazyLock::new(|| NEEDLES.map(Finder::new));
    &FINDERS
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
    // Most values have nothing escaped.
    if !value.contains('&') {
        return value.to_owned();
    }
    value
        .replace("&amp;", "&")
        .replace("&#x2F;", "/")
        .replace("&#47;", "/")
}

/// Other sites, mail and inline data are not pages of this site.
fn is_external(link: &str) -> bool {
    ["http://", "https://", "mailto:", "data:"]
        .iter()
        .any(|p| link.starts_with(p))
}

/// Names stored once, each known by its number.
#[derive(Debug, Default)]
struct Names {
    numbers: HashMap<Arc<str>, u32>,
    names: Vec<Arc<str>>,
}

impl Names {
    fn number(&mut self, name: &str) -> u32 {
        if let Some(&number) = self.numbers.get(name) {
            return number;
        }
        let number = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        let name: Arc<str> = Arc::from(name);
        self.names.push(name.clone());
        self.numbers.insert(name, number);
        number
    }

    fn name(&self, number: u32) -> &str {
        self.names.get(number as usize).map_or("", |n| n)
    }
}

/// A link without `#`.
const NO_FRAGMENT: u32 = u32::MAX;

/// A page as the check keeps it.
#[derive(Debug)]
struct Page {
    /// Its ids, as numbers of `Inner::fragments`, sorted.
    ids: Box<[u32]>,
    /// Its links to this site (hrefs, then srcs): the part before `#` (a number of
    /// `Inner::paths`) and the part after it (of `Inner::fragments`, or [`NO_FRAGMENT`]).
    links: Box<[(u32, u32)]>,
}

#[derive(Debug, Default)]
struct Inner {
    paths: Names,
    fragments: Names,
    pages: HashMap<String, Page>,
}

/// The ids and links of every page, from [`LinkIndex::add`] (from any thread), for
/// [`LinkIndex::check`] once the site is written.
#[derive(Debug, Default)]
pub struct LinkIndex {
    inner: Mutex<Inner>,
}

impl LinkIndex {
    /// An index of no pages.
    pub fn new() -> LinkIndex {
        LinkIndex::default()
    }

    /// Keep what the check needs of the page at `page` (its file in the site).
    pub fn add(&self, page: &str, scanned: Scanned) {
        let mut inner = lock(&self.inner);
        let inner = &mut *inner;
        let mut ids: Vec<u32> = scanned
            .ids
            .iter()
            .map(|id| inner.fragments.number(id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let links = scanned
            .links
            .iter()
            .filter(|link| !is_external(link))
            .map(|link| match link.split_once('#') {
                Some((path, fragment)) => {
                    (inner.paths.number(path), inner.fragments.number(fragment))
                }
                None => (inner.paths.number(link), NO_FRAGMENT),
            })
            .collect();
        inner.pages.insert(
            page.to_owned(),
            Page {
                ids: ids.into(),
                links,
            },
        );
    }

    /// Every link of the pages, in page order, that misses its page or `#anchor` or is not
    /// site-absolute; `exists` says whether the site has a file (of any kind) at a path.
    pub fn check(&self, exists: impl Fn(&str) -> bool) -> Vec<BrokenLink> {
        self.check_pages(exists, false)
    }

    /// Like [`LinkIndex::check`], for some pages of a site whose other pages are not in the
    /// index (the preview's update of one county): an `#anchor` is checked only on a page
    /// that is.
    pub fn check_some(&self, exists: impl Fn(&str) -> bool) -> Vec<BrokenLink> {
        self.check_pages(exists, true)
    }

    fn check_pages(&self, exists: impl Fn(&str) -> bool, some: bool) -> Vec<BrokenLink> {
        let inner = lock(&self.inner);
        let mut pages: Vec<(&String, &Page)> = inner.pages.iter().collect();
        pages.sort_unstable_by_key(|(path, _)| *path);
        let mut broken = Vec::new();
        for (page, record) in pages {
            for &(path_number, fragment_number) in record.links.iter() {
                let path = inner.paths.name(path_number);
                let fragment =
                    (fragment_number != NO_FRAGMENT).then(|| inner.fragments.name(fragment_number));
                let link = || match fragment {
                    Some(fragment) => format!("{path}#{fragment}"),
                    None => path.to_owned(),
                };
                let path = path.split('?').next().unwrap_or_default();
                let target = if path.is_empty() {
                    page.clone()
                } else if path.starts_with('/') {
                    page_file(path)
                } else {
                    broken.push(BrokenLink {
                        page: page.clone(),
                        link: link(),
                        reason: "links between pages must start with /".into(),
                    });
                    continue;
                };
                if !exists(&target) {
                    broken.push(BrokenLink {
                        page: page.clone(),
                        link: link(),
                        reason: format!("there is no {target}"),
                    });
                    continue;
                }
                let unknown = some && !inner.pages.contains_key(&target);
                if fragment.is_some_and(|f| !f.is_empty()) && !unknown {
                    let found = inner
                        .pages
                        .get(&target)
                        .is_some_and(|p| p.ids.binary_search(&fragment_number).is_ok());
                    if !found {
                        broken.push(BrokenLink {
                            page: page.clone(),
                            link: link(),
                            reason: format!(
                                "{target} has no id `{}`",
                                fragment.unwrap_or_default()
                            ),
                        });
                    }
                }
            }
        }
        broken
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_missing_pages_and_anchors() {
        let index = LinkIndex::new();
        let pages = [
            (
                "index.html",
                r##"<a href="/a/">a</a> <a href="/a/#x">x</a> <a href="/a/#nope">no</a> <a href="/b/">b</a> <a href="#top">t</a> <a href="https://e.cn">e</a> <a href="a/">r</a> <img src="/a.png">"##,
            ),
            ("a/index.html", r#"<h1 id="x">x</h1>"#),
        ];
        for (page, html) in pages {
            index.add(page, scan(html.as_bytes()));
        }
        let broken = index.check(|path| pages.iter().any(|(p, _)| *p == path));
        let links: Vec<&str> = broken.iter().map(|b| b.link.as_str()).collect();
        assert_eq!(links, ["/a/#nope", "/b/", "#top", "a/", "/a.png"]);
    }

    #[test]
    fn a_page_in_pieces_reads_as_the_whole() {
        let html = r#"<p id="a&amp;b"><a href="&#x2F;x&#x2F;">x</a><img src="/i.png"> id=" href="/y/#z"></p><a href="unclosed"#;
        let whole = scan(html.as_bytes());
        assert_eq!(whole.ids, ["a&b", " href="]);
        assert_eq!(whole.links, ["/x/", "/y/#z", "/i.png"]);
        for size in 1..html.len() {
            let mut scanner = Scanner::new();
            for piece in html.as_bytes().chunks(size) {
                scanner.feed(piece);
            }
            assert_eq!(scanner.finish(), whole, "pieces of {size} bytes");
        }
    }
}
