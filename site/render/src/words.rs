//! The site's words for what Rust writes into pages — standards, limits, schedules, labels —
//! from the same strings catalogue the templates read as `t` (`strings.zh-CN.yaml`, which a
//! project may override). A placeholder `{name}` is filled by [`Words::fill`].

use std::collections::BTreeMap;

/// The strings catalogue, by key.
#[derive(Debug, Clone, Default)]
pub struct Words(BTreeMap<String, String>);

impl Words {
    /// Words from a parsed catalogue.
    pub fn new(strings: BTreeMap<String, String>) -> Words {
        Words(strings)
    }

    /// The built-in catalogue, for tests and tools that render without a project's theme.
    pub fn builtin() -> Words {
        let text = include_str!("../../../templates/strings.zh-CN.yaml");
        let source = std::sync::Arc::new(policy::diagnostic::SourceText::new(
            "templates/strings.zh-CN.yaml",
            text.to_owned(),
        ));
        Words(policy::yaml::read_file(&source).0.value.unwrap_or_default())
    }

    /// The whole catalogue, by key.
    #[cfg(test)]
    pub(crate) fn catalogue(&self) -> &BTreeMap<String, String> {
        &self.0
    }

    /// The word for `key`; the key itself when the catalogue lacks it, so that a gap shows on
    /// the page instead of vanishing (a test keeps the built-in catalogue complete).
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.0.get(key).map_or(key, String::as_str)
    }

    /// The word for `key` with each `{name}` replaced by its value.
    pub fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.get(key).to_owned();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key the Rust side asks for is in the built-in catalogue.
    #[test]
    fn every_word_rust_asks_for_is_in_the_catalogue() {
        let words = Words::builtin();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut asked = 0;
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            // This file's own tests ask for a missing word on purpose.
            if entry.file_name() == "words.rs" {
                continue;
            }
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            for call in ["words.get(\"", "words.fill(\""] {
                for (at, _) in text.match_indices(call) {
                    let rest = &text[at + call.len()..];
                    let key = rest.split('"').next().unwrap_or_default();
                    asked += 1;
                    assert!(
                        words.0.contains_key(key),
                        "{}: `{key}` is not in strings.zh-CN.yaml",
                        entry.path().display()
                    );
                }
            }
        }
        assert!(
            asked > 20,
            "too few words found ({asked}): did the calls change form?"
        );
    }

    #[test]
    fn placeholders_are_filled() {
        let words = Words::new(BTreeMap::from([(
            "limit_cap".to_owned(),
            "单项上限 {cap} 元".to_owned(),
        )]));
        assert_eq!(
            words.fill("limit_cap", &[("cap", "2000")]),
            "单项上限 2000 元"
        );
        assert_eq!(words.get("missing"), "missing");
    }
}
