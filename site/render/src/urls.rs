//! Every address of the site, built here and nowhere else: the page URLs that DESIGN.md
//! promises (`/counties/CODE/`, `/policies/ID/`, …), the open-data files, and the output file
//! that serves each page. Templates get them through the functions registered in
//! [`register`], so a change of scheme is a change of this file.

use crate::markdown::escape_html;

/// The home page.
pub const HOME: &str = "/";
/// The cross-county comparison.
pub const COMPARE: &str = "/compare/";
/// The open-data page.
pub const DATA: &str = "/data/";
/// The search page.
pub const SEARCH: &str = "/search/";
/// The 404 page, as a path (it is served for any unknown address).
pub const NOT_FOUND: &str = "/404.html";

/// A county's page.
pub fn county(code: &str) -> String {
    format!("/counties/{code}/")
}

/// A province's or prefecture's page: its own documents and the regions below it.
pub fn region(code: &str) -> String {
    format!("/regions/{code}/")
}

/// A county's estimator.
pub fn estimator(code: &str) -> String {
    format!("/counties/{code}/estimate/")
}

/// A policy's (or report's) page.
pub fn policy(id: &str) -> String {
    format!("/policies/{id}/")
}

/// A clause of a policy's full text.
pub fn clause(policy_id: &str, clause: &str) -> String {
    format!("/policies/{policy_id}/#{clause}")
}

/// The same as a pattern holding `{policy}` and `{clause}`, for the estimator in the
/// browser, which makes its links itself.
pub fn clause_pattern() -> String {
    clause("{policy}", "{clause}")
}

/// [`clause`] for the words of an estimate.
pub fn clause_links() -> estimate_view::ClauseLinks {
    estimate_view::ClauseLinks::new(clause_pattern())
}

/// A policy's YAML, as the office wrote it.
pub fn policy_yaml(id: &str) -> String {
    format!("/policies/{id}/policy.yaml")
}

/// A policy's compiled rules as JSON.
pub fn policy_rules(id: &str) -> String {
    format!("/data/rules/{id}.json")
}

/// A county's compiled rulebook, as the estimator loads it.
pub fn county_rules(code: &str) -> String {
    format!("/data/counties/{code}.json")
}

/// A county's rules in the estimator's compact form, named by the hash of their bytes
/// (`calculator::compact`); the JSON at [`county_rules`] is the same rules for people.
pub fn county_estimator_rules(code: &str, hash: &str) -> String {
    format!("/data/counties/{code}.{hash}.rules")
}

/// The estimator's service worker, at the site's root so that its scope covers the pages, the
/// assets and the rules it keeps for offline use.
pub fn service_worker() -> String {
    "/sw.js".to_owned()
}

/// A content page from `content/SLUG.md`.
pub fn content_page(slug: &str) -> String {
    format!("/{slug}/")
}

/// The output file (relative to the site root) that serves a page URL: `/a/b/` →
/// `a/b/index.html`, `/404.html` → `404.html`.
pub fn file_of(url: &str) -> String {
    let path = url.trim_start_matches('/');
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_owned()
    }
}

/// The page URL an output file serves: `a/b/index.html` → `/a/b/`.
pub fn page_of(file: &str) -> String {
    format!("/{}", file.trim_end_matches("index.html"))
}

/// The folder of the content-hashed assets in the site (`NAME.HASH.EXT` inside).
pub const ASSETS_DIR: &str = "assets/";

/// An asset's address from its path in the output.
pub fn asset(path: &str) -> String {
    format!("/{path}")
}

/// `county_url(code=…)`, `region_url(code=…)`, `estimator_url(code=…)`, `county_rules_url(code=…)`, `policy_url(id=…)`,
/// `policy_yaml_url(id=…)` and `policy_rules_url(id=…)` for the templates. They return
/// escaped text, so templates use them with `| safe`.
pub fn register(tera: &mut tera::Tera) {
    fn one(
        name: &'static str,
        build: fn(&str) -> String,
    ) -> impl Fn(tera::Kwargs, &tera::State) -> tera::TeraResult<String> + Send + Sync + 'static
    {
        move |args: tera::Kwargs, _: &tera::State| {
            let value: &str = args.must_get(name)?;
            Ok(escape_html(&build(value)))
        }
    }
    tera.register_function("county_url", one("code", county));
    tera.register_function("region_url", one("code", region));
    tera.register_function("estimator_url", one("code", estimator));
    tera.register_function("county_rules_url", one("code", county_rules));
    tera.register_function("policy_url", one("id", policy));
    tera.register_function("policy_yaml_url", one("id", policy_yaml));
    tera.register_function("policy_rules_url", one("id", policy_rules));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_their_files_map_both_ways() {
        for url in [HOME, COMPARE, "/counties/140431/estimate/"] {
            assert_eq!(page_of(&file_of(url)), url);
        }
        assert_eq!(file_of(NOT_FOUND), "404.html");
        assert_eq!(
            clause("qinyuan-2017-industry", "c4-3-6"),
            "/policies/qinyuan-2017-industry/#c4-3-6"
        );
    }
}
