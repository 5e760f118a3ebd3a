//! Writing the site safely: every file path is checked to stay inside the output folder
//! whatever an id says, and the whole site is written beside the output and swapped in at the
//! end, so a failed build leaves the previous site exactly as it was.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Component, Path, PathBuf};

/// Why the site could not be written; the previous site is then left as it was.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A path [`safe_relative`] refuses, cut to 200 characters.
    #[error(
        "refusing to write `{0}`: it would leave the output folder or is not a plain relative path"
    )]
    UnsafePath(String),
    /// The file system refused.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file or folder being written, created or renamed.
        path: PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },
}

/// The files of a site, by relative path (`counties/140431/index.html`), in a stable order.
#[derive(Debug, Default)]
pub struct SiteFiles {
    files: BTreeMap<String, Vec<u8>>,
}

impl SiteFiles {
    /// Add a file; the path must be safe (see [`safe_relative`]).
    pub fn add(
        &mut self,
        path: impl Into<String>,
        bytes: impl Into<Vec<u8>>,
    ) -> Result<(), OutputError> {
        let path = path.into();
        safe_relative(&path)?;
        self.files.insert(path, bytes.into());
        Ok(())
    }

    /// Whether a file is at `path` (relative, `/`-separated, as added).
    pub fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// Every file, path and contents, in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Vec<u8>)> {
        self.files.iter()
    }

    /// How many files; adding a path twice keeps the last.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// True before anything was added.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The size of all files together, in bytes.
    pub fn total_bytes(&self) -> usize {
        self.files.values().map(Vec::len).sum()
    }
}

/// A path is safe when it is relative, made of plain names only (no `..`, no root, no drive,
/// no backslash or control characters, no hidden names), so joining it to the output folder
/// can only land inside it.
pub fn safe_relative(path: &str) -> Result<PathBuf, OutputError> {
    let unsafe_path = || OutputError::UnsafePath(path.chars().take(200).collect());
    if path.is_empty() || path.contains(['\\', ':', '\0']) || path.chars().any(char::is_control) {
        return Err(unsafe_path());
    }
    // Each segment must be a plain name: not empty (no leading `/` or `//`), not `.` or `..`,
    // not hidden. The segments are checked as written, before any normalisation.
    let mut clean = PathBuf::new();
    for segment in path.split('/') {
        if segment.is_empty() || segment.starts_with('.') {
            return Err(unsafe_path());
        }
        clean.push(segment);
    }
    // Belt and braces: whatever the platform, the result has only normal components.
    if !clean
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
    {
        return Err(unsafe_path());
    }
    Ok(clean)
}

/// Write `files` as the folder `out`: into a temporary folder beside it first, then swapped
/// in. On any error the temporary folder is removed and `out` is untouched.
pub fn write_atomically(out: &Path, files: &SiteFiles) -> Result<(), OutputError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| OutputError::Io { path, source }
    };
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(io(&parent))?;
    let name = out
        .file_name()
        .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    let staging = parent.join(format!(".{name}.building-{}", std::process::id()));
    let previous = parent.join(format!(".{name}.previous-{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    let written = (|| {
        for (path, bytes) in &files.files {
            let target = staging.join(safe_relative(path)?);
            if let Some(dir) = target.parent() {
                fs::create_dir_all(dir).map_err(io(dir))?;
            }
            fs::write(&target, bytes).map_err(io(&target))?;
        }
        Ok(())
    })();
    if let Err(error) = written {
        let _ = fs::remove_dir_all(&staging);
        return Err(error);
    }
    let had_previous = out.exists();
    if had_previous {
        fs::rename(out, &previous).map_err(|e| {
            let _ = fs::remove_dir_all(&staging);
            io(out)(e)
        })?;
    }
    if let Err(error) = fs::rename(&staging, out) {
        // Put the old site back before reporting.
        if had_previous {
            let _ = fs::rename(&previous, out);
        }
        let _ = fs::remove_dir_all(&staging);
        return Err(io(out)(error));
    }
    if had_previous {
        let _ = fs::remove_dir_all(&previous);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_paths_are_refused() {
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a/./b",
            "..",
            "C:\\x",
            "a\\b",
            ".hidden/x",
            "a\0b",
            "a/\nb",
            "c:/x",
        ] {
            assert!(safe_relative(bad).is_err(), "{bad:?} accepted");
        }
        assert!(safe_relative("counties/140431/index.html").is_ok());
    }

    #[test]
    fn a_failed_write_keeps_the_old_site() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let mut first = SiteFiles::default();
        first.add("index.html", "old").unwrap();
        write_atomically(&out, &first).unwrap();
        // A file and a folder of the same name cannot both be written: the write fails midway.
        let mut broken = SiteFiles::default();
        broken.add("a", "file").unwrap();
        broken.add("a/b", "inside a file").unwrap();
        assert!(write_atomically(&out, &broken).is_err());
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "old");
        assert!(!out.join("a").exists());
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    }
}
