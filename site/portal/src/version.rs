//! `portal new version`: a new version of a policy, started from the one it replaces. The
//! text and every rule (clause ids included) are copied, the new version `supersedes` the old
//! one from a date, the old one ends the day before, and the worked examples are sorted out so
//! that both versions pass `portal check` at once: examples dated in the new period move to
//! the new version (its rules are the same, so they still hold), and each version gets copies
//! of the other's examples re-dated into its own period where the engine confirms the same
//! result. Everything is checked in memory before a file is written.

use crate::scaffold::ScaffoldError;
use calculator::Date;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What `new_version` did, for the clerk.
#[derive(Debug)]
pub struct VersionMade {
    /// The new version's policy.yaml.
    pub new_file: PathBuf,
    /// The old version's policy.yaml, now ending on `old_ends`.
    pub old_file: PathBuf,
    /// The old version's last day.
    pub old_ends: Date,
    /// Examples moved from the old version to the new (their dates fall in the new period).
    pub moved: usize,
    /// Examples left in the old version (dated before the new one starts).
    pub kept: usize,
    /// Copies of the old version's examples in the new one, dated its first day.
    pub copied_to_new: usize,
    /// Copies of the moved examples in the old version, dated its last day.
    pub copied_to_old: usize,
    /// Old examples not copied into the new version because the result on its first day is
    /// not the same (it depends on the date, e.g. years since exit).
    pub not_copied_to_new: Vec<String>,
    /// Moved examples not copied back into the old version, likewise.
    pub not_copied_to_old: Vec<String>,
}

/// One worked example as written in policy.yaml: its lines, and its name and date.
#[derive(Debug, Clone)]
struct ExampleText {
    lines: Vec<String>,
    name: String,
    date: Option<Date>,
}

impl ExampleText {
    /// A copy on another date. Its name says it is a copy and of which date, since its name
    /// and working may mention the year of the original.
    fn redated(&self, date: Date) -> ExampleText {
        let lines = self
            .lines
            .iter()
            .map(|line| {
                if let Some(name) = line.strip_prefix("  - name:") {
                    return format!("  - name: {}（复制，日期改为 {date}）", name.trim());
                }
                match line.trim_start().strip_prefix("date:") {
                    Some(_) if indent(line) == 4 => format!("    date: {date}"),
                    _ => line.clone(),
                }
            })
            .collect();
        ExampleText {
            lines,
            name: self.name.clone(),
            date: Some(date),
        }
    }
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// A policy.yaml split into what comes before `examples:` and the examples themselves.
struct PolicyText {
    head: Vec<String>,
    examples: Vec<ExampleText>,
    /// Top-level keys after the examples, kept as they are.
    tail: Vec<String>,
}

impl PolicyText {
    /// `None` when the examples are not written one item per `  - ` block (flow style, or
    /// another indentation): then the tool cannot sort them out safely.
    fn parse(text: &str) -> Option<PolicyText> {
        let lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let Some(start) = lines.iter().position(|l| l.trim_end() == "examples:") else {
            return Some(PolicyText {
                head: lines,
                examples: Vec::new(),
                tail: Vec::new(),
            });
        };
        let mut examples: Vec<ExampleText> = Vec::new();
        let mut tail = Vec::new();
        let mut rest = lines.iter().skip(start + 1);
        for line in rest.by_ref() {
            let top_level = !line.is_empty() && !line.starts_with(' ') && !line.starts_with('#');
            if top_level {
                tail.push(line.clone());
                break;
            }
            if let Some(item) = line.strip_prefix("  - ") {
                examples.push(ExampleText {
                    lines: Vec::new(),
                    name: item
                        .trim()
                        .strip_prefix("name:")
                        .map(|n| n.trim().to_owned())
                        .unwrap_or_default(),
                    date: None,
                });
            }
            match examples.last_mut() {
                Some(example) => {
                    if indent(line) == 4 {
                        if let Some(date) = line.trim().strip_prefix("date:") {
                            example.date = date.trim().parse().ok();
                        }
                    }
                    example.lines.push(line.clone());
                }
                // Comments or blank lines before the first item belong to the head.
                None if line.trim().is_empty() || line.trim_start().starts_with('#') => {}
                None => return None,
            }
        }
        tail.extend(rest.cloned());
        if examples.iter().any(|e| e.date.is_none()) {
            return None;
        }
        Some(PolicyText {
            head: lines[..=start].to_vec(),
            examples,
            tail,
        })
    }

    fn render(&self) -> String {
        let mut out: Vec<&str> = self.head.iter().map(String::as_str).collect();
        if self.examples.is_empty() {
            // `examples:` with nothing under it would read as null.
            if out.last().is_some_and(|l| l.trim_end() == "examples:") {
                out.pop();
            }
        }
        for example in &self.examples {
            out.extend(example.lines.iter().map(String::as_str));
        }
        out.extend(self.tail.iter().map(String::as_str));
        let mut text = out.join("\n");
        text.push('\n');
        text
    }

    /// Set a top-level `key: value`, replacing the line or inserting it after `after`.
    fn set_top_level(&mut self, key: &str, value: &str, after: &str) {
        let line = format!("{key}: {value}");
        let prefix = format!("{key}:");
        if let Some(existing) = self.head.iter_mut().find(|l| l.starts_with(&prefix)) {
            *existing = line;
        } else {
            let at = self
                .head
                .iter()
                .position(|l| l.starts_with(&format!("{after}:")))
                .map_or(0, |i| i + 1);
            self.head.insert(at, line);
        }
    }

    /// Set `section.key` (one level down) where the line exists.
    fn set_nested(&mut self, section: &str, key: &str, value: &str) {
        let Some(start) = self
            .head
            .iter()
            .position(|l| l.trim_end() == format!("{section}:"))
        else {
            return;
        };
        let prefix = format!("  {key}:");
        if let Some(line) = self.head[start + 1..]
            .iter_mut()
            .take_while(|l| l.is_empty() || indent(l) >= 2)
            .find(|l| l.starts_with(&prefix))
        {
            // Keep a trailing comment (`# in_force 有效 | …`) where there is one.
            let comment = line
                .find(" #")
                .map(|i| line[i..].to_owned())
                .unwrap_or_default();
            *line = format!("{prefix} {value}{comment}");
        }
    }

    /// Set `validity.from` and `validity.to` (`None` removes `to`).
    fn set_validity(&mut self, from: Option<Date>, to: Option<Option<Date>>) {
        let Some(start) = self.head.iter().position(|l| l.trim_end() == "validity:") else {
            return;
        };
        let end = self.head[start + 1..]
            .iter()
            .position(|l| !l.is_empty() && indent(l) < 2)
            .map_or(self.head.len(), |i| start + 1 + i);
        let find = |head: &[String], key: &str| {
            (start + 1..end).find(|&i| head[i].trim_start().starts_with(&format!("{key}:")))
        };
        if let (Some(from), Some(i)) = (from, find(&self.head, "from")) {
            self.head[i] = format!("  from: {from}");
        }
        match (to, find(&self.head, "to")) {
            (Some(Some(to)), Some(i)) => self.head[i] = format!("  to: {to}"),
            (Some(Some(to)), None) => {
                let at = find(&self.head, "from").map_or(start + 1, |i| i + 1);
                self.head.insert(at, format!("  to: {to}"));
            }
            (Some(None), Some(i)) => {
                self.head.remove(i);
            }
            _ => {}
        }
    }
}

/// Everything under `policies/`, relative to the root with `/`, for checking in memory.
fn project_files(root: &Path) -> Result<BTreeMap<String, String>, ScaffoldError> {
    let mut files = BTreeMap::new();
    let mut pending = vec![root.join("policies")];
    while let Some(dir) = pending.pop() {
        let io = |source| ScaffoldError::Io {
            path: dir.display().to_string(),
            source,
        };
        for entry in std::fs::read_dir(&dir).map_err(io)? {
            let path = entry.map_err(io)?.path();
            if path.is_dir() {
                pending.push(path);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                if let Ok(relative) = path.strip_prefix(root) {
                    let key = relative.to_string_lossy().replace('\\', "/");
                    files.insert(key, text);
                }
            }
        }
    }
    Ok(files)
}

/// The slug and id of the new version: the old ones with the year changed, else with the
/// year added (`industry-2017` → `industry-2018`).
fn renamed(old: &str, old_year: u16, year: u16) -> String {
    let old_year = old_year.to_string();
    if old.contains(&old_year) {
        old.replacen(&old_year, &year.to_string(), 1)
    } else {
        format!("{old}-{year}")
    }
}

/// Start a new version of policy `old_id`, in force from `from`, in folder `slug` beside the
/// old one (by default the old folder's name with the new year).
pub fn new_version(
    root: &Path,
    old_id: &str,
    from: Date,
    slug: Option<&str>,
) -> Result<VersionMade, ScaffoldError> {
    let project = policy::load(root).map_err(|_| ScaffoldError::ProjectInvalid)?;
    let old = project
        .documents
        .iter()
        .find(|d| d.source.id == old_id)
        .ok_or_else(|| ScaffoldError::UnknownPolicy {
            id: old_id.into(),
            near: calculator::formula::closest(
                old_id,
                project.documents.iter().map(|d| d.source.id.as_str()),
            )
            .map(str::to_owned),
        })?;
    let old_ends = from
        .day_before()
        .filter(|&end| end >= old.period.from)
        .ok_or(ScaffoldError::VersionTooEarly {
            from,
            old_from: old.period.from,
        })?;
    let old_dir = root.join(&old.dir);
    let old_slug = Path::new(&old.dir)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let old_year = old.period.from.year();
    let slug = slug.map_or_else(|| renamed(&old_slug, old_year, from.year()), str::to_owned);
    if !policy::compile::valid_id(&slug) {
        return Err(ScaffoldError::Slug(slug));
    }
    let new_id = renamed(old_id, old_year, from.year());
    let new_dir = old_dir.with_file_name(&slug);
    if new_dir.exists() || project.documents.iter().any(|d| d.source.id == new_id) {
        return Err(ScaffoldError::Exists(new_dir.display().to_string()));
    }

    let mut files = project_files(root)?;
    let old_key = format!("{}/policy.yaml", old.dir);
    let old_text = files
        .get(&old_key)
        .cloned()
        .ok_or_else(|| ScaffoldError::Exists(old_key.clone()))?;
    let parse = || {
        PolicyText::parse(&old_text).ok_or_else(|| ScaffoldError::ExamplesLayout(old_key.clone()))
    };
    let (mut old_yaml, mut new_yaml) = (parse()?, parse()?);

    // The new version: same rules and text, its own id, replacing the old from `from`; it
    // keeps the old end date only when that is still ahead.
    new_yaml.set_top_level("id", &new_id, "id");
    new_yaml.set_top_level("supersedes", old_id, "title");
    let keep_to = old.period.to.filter(|&to| to >= from);
    new_yaml.set_validity(Some(from), Some(keep_to));
    // The new version is the one in force; the old one's 有效性 is for the office to set.
    new_yaml.set_nested("metadata", "status", "in_force");
    let at = usize::from(
        new_yaml
            .head
            .first()
            .is_some_and(|l| l.starts_with("# yaml-language-server")),
    );
    new_yaml.head.insert(
        at,
        format!(
            "# 新版本：由 `portal new version {old_id} --from {from}` 从 {old_key} 复制。\n\
             # 请把 title、metadata（发文字号、成文日期等）和 text.md 换成新文件的，再改变了的规则。"
        ),
    );
    old_yaml.set_validity(None, Some(Some(old_ends)));

    let (before, after): (Vec<ExampleText>, Vec<ExampleText>) = old_yaml
        .examples
        .drain(..)
        .partition(|e| e.date.is_some_and(|d| d < from));
    let moved = after.len();
    old_yaml.examples = before.clone();
    new_yaml.examples = after.clone();
    // Copies re-dated into the other period, kept only where the engine agrees.
    let copies_for_new: Vec<ExampleText> = before.iter().map(|e| e.redated(from)).collect();
    let copies_for_old: Vec<ExampleText> = after.iter().map(|e| e.redated(old_ends)).collect();
    let new_key = format!(
        "{}/{slug}/policy.yaml",
        Path::new(&old.dir)
            .parent()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default()
    );
    let text_key = new_key.replace("/policy.yaml", "/text.md");
    if let Some(text) = files.get(&format!("{}/text.md", old.dir)).cloned() {
        files.insert(text_key.clone(), text);
    }
    let originals = (old_yaml.examples.len(), new_yaml.examples.len());
    old_yaml.examples.extend(copies_for_old);
    new_yaml.examples.extend(copies_for_new);

    // Drop the copies the check refuses; the originals are never touched.
    for _ in 0..4 {
        files.insert(old_key.clone(), old_yaml.render());
        files.insert(new_key.clone(), new_yaml.render());
        let Err(diagnostics) = policy::load_in_memory(&files) else {
            break;
        };
        let failing = |file: &str, originals: usize| -> Vec<usize> {
            let mut found: Vec<usize> = diagnostics
                .items
                .iter()
                .filter(|d| d.file == file)
                .filter_map(|d| example_index(&d.path))
                .filter(|&i| i >= originals)
                .collect();
            found.sort_unstable();
            found.dedup();
            found
        };
        let (old_bad, new_bad) = (
            failing(&old_key, originals.0),
            failing(&new_key, originals.1),
        );
        if old_bad.is_empty() && new_bad.is_empty() {
            break;
        }
        for i in old_bad.into_iter().rev() {
            old_yaml.examples.remove(i);
        }
        for i in new_bad.into_iter().rev() {
            new_yaml.examples.remove(i);
        }
    }
    files.insert(old_key.clone(), old_yaml.render());
    files.insert(new_key.clone(), new_yaml.render());
    if policy::load_in_memory(&files).is_err() {
        return Err(ScaffoldError::VersionWouldFail);
    }

    let copies_in = |examples: &[ExampleText]| -> Vec<String> {
        examples.iter().map(|e| e.name.clone()).collect()
    };
    let (in_old, in_new) = (
        copies_in(&old_yaml.examples[originals.0..]),
        copies_in(&new_yaml.examples[originals.1..]),
    );
    let missing = |from: &[ExampleText], copies: &[String]| -> Vec<String> {
        from.iter()
            .map(|e| e.name.clone())
            .filter(|name| !copies.contains(name))
            .collect()
    };

    // Write the new version first: a failure half-way leaves the old one as it was.
    let write = |key: &str| -> Result<PathBuf, ScaffoldError> {
        let path = root.join(key);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| ScaffoldError::Io {
                path: dir.display().to_string(),
                source,
            })?;
        }
        let text = files.get(key).map(String::as_str).unwrap_or_default();
        std::fs::write(&path, text).map_err(|source| ScaffoldError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Ok(path)
    };
    write(&text_key)?;
    let new_file = write(&new_key)?;
    let old_file = write(&old_key)?;
    Ok(VersionMade {
        new_file,
        old_file,
        old_ends,
        moved,
        kept: originals.0,
        copied_to_new: in_new.len(),
        copied_to_old: in_old.len(),
        not_copied_to_new: missing(&before, &in_new),
        not_copied_to_old: missing(&after, &in_old),
    })
}

/// `examples[3].expect.total` → 3 (as the diagnostic path numbers them, from 0).
fn example_index(path: &str) -> Option<usize> {
    path.strip_prefix("examples[")?
        .split(']')
        .next()?
        .parse()
        .ok()
}
