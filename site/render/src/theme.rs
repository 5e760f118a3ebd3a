//! The theme: templates, static assets and interface strings, by name (`base.html`,
//! `static/site.css`, `strings.zh-CN.yaml`). `portal` carries a built-in theme; a project's
//! own `templates/` folder overrides any file of it by name, the way mdBook's `theme/` does.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Why a project's `templates/` folder could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {path}: {source}")]
pub struct ThemeError {
    /// The file or folder.
    pub path: PathBuf,
    /// What the file system said.
    pub source: std::io::Error,
}

/// Every file of a theme by its name relative to the theme folder, with `/`.
#[derive(Debug, Clone, Default)]
pub struct Theme {
    files: BTreeMap<String, Cow<'static, [u8]>>,
    overridden: Vec<String>,
}

impl Theme {
    /// A theme of files compiled into the program.
    pub fn builtin(files: &[(&'static str, &'static [u8])]) -> Theme {
        Theme {
            files: files
                .iter()
                .map(|(name, bytes)| ((*name).to_owned(), Cow::Borrowed(*bytes)))
                .collect(),
            overridden: Vec::new(),
        }
    }

    /// Lay the files of `dir` (a project's `templates/`) over this theme: a file with a
    /// built-in name replaces it, a new name adds a file. A missing folder changes nothing.
    pub fn with_overrides(mut self, dir: &Path) -> Result<Theme, ThemeError> {
        if !dir.is_dir() {
            return Ok(self);
        }
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let entry = entry.map_err(|e| ThemeError {
                path: e
                    .path()
                    .map_or_else(|| dir.to_path_buf(), Path::to_path_buf),
                source: e.into(),
            })?;
            if !entry.file_type().is_file() {
                continue;
            }
            let path = entry.path();
            let name = path
                .strip_prefix(dir)
                .unwrap_or(path)
                .to_string_lossy()
                .replace('\\', "/");
            let bytes = std::fs::read(path).map_err(|source| ThemeError {
                path: path.to_path_buf(),
                source,
            })?;
            let same = self.files.get(&name).is_some_and(|b| **b == *bytes);
            if !same {
                self.overridden.push(name.clone());
            }
            self.files.insert(name, Cow::Owned(bytes));
        }
        Ok(self)
    }

    /// A file's bytes.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.files.get(name).map(|b| &**b)
    }

    /// Every file, in name order.
    pub fn files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(n, b)| (n.as_str(), &**b))
    }

    /// The names a project's folder changed or added (files identical to the built-ins are
    /// not counted).
    pub fn overridden(&self) -> &[String] {
        &self.overridden
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_project_file_overrides_by_name_and_adds_new_ones() {
        let theme = Theme::builtin(&[("base.html", b"built-in"), ("static/site.css", b"a{}")]);
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("static")).unwrap();
        std::fs::write(dir.path().join("base.html"), "mine").unwrap();
        std::fs::write(dir.path().join("static/site.css"), "a{}").unwrap();
        std::fs::write(dir.path().join("extra.html"), "new").unwrap();
        let theme = theme.with_overrides(dir.path()).unwrap();
        assert_eq!(theme.get("base.html"), Some(&b"mine"[..]));
        assert_eq!(theme.get("extra.html"), Some(&b"new"[..]));
        assert_eq!(theme.overridden(), ["base.html", "extra.html"]);
    }

    #[test]
    fn no_folder_means_the_built_in_theme() {
        let theme = Theme::builtin(&[("base.html", b"built-in")])
            .with_overrides(Path::new("/nonexistent/templates"))
            .unwrap();
        assert_eq!(theme.get("base.html"), Some(&b"built-in"[..]));
        assert!(theme.overridden().is_empty());
    }
}
