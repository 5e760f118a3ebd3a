//! The site's own pages from `content/*.md`, each with a small front matter:
//! `---` / `title: …` / `---`.

use policy::compile::valid_id;
use policy::diagnostic::Diagnostic;
use std::path::Path;

#[derive(Debug, Clone)]
pub struct ContentPage {
    /// The file stem; the page is at `/<slug>/`.
    pub slug: String,
    pub title: String,
    pub markdown: String,
}

pub fn load(root: &Path) -> Result<Vec<ContentPage>, Diagnostic> {
    let dir = root.join("content");
    let mut pages = Vec::new();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(pages);
    };
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    paths.sort();
    for path in paths {
        let name = format!(
            "content/{}",
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        );
        let slug = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !valid_id(&slug) {
            return Err(Diagnostic::file(
                &name,
                format!("`{slug}` cannot be a page address"),
                Some(
                    "name content files with lower-case letters, digits and -, e.g. for-offices.md"
                        .into(),
                ),
            ));
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Diagnostic::file(&name, format!("cannot read: {e}"), None))?;
        let (title, markdown) = match text
            .strip_prefix("---\n")
            .and_then(|rest| rest.split_once("\n---\n"))
        {
            Some((front, body)) => {
                let title = front
                    .lines()
                    .find_map(|l| l.strip_prefix("title:"))
                    .map(|t| t.trim().to_owned());
                (title, body.to_owned())
            }
            None => (None, text.clone()),
        };
        let Some(title) = title else {
            return Err(Diagnostic::file(
                &name,
                "the page has no title",
                Some("start the file with ---, title: 页面标题, ---".into()),
            ));
        };
        pages.push(ContentPage {
            slug,
            title,
            markdown,
        });
    }
    Ok(pages)
}
