//! The site's own pages from `content/*.md`, each with a small front matter:
//! `---` / `title: …` / `---`.

use policy::compile::valid_id;
use policy::diagnostic::Diagnostic;
use policy::messages::{Key, Msg};
use std::path::Path;

/// One `content/*.md` page.
#[derive(Debug, Clone)]
pub struct ContentPage {
    /// The file stem; the page is at `/<slug>/`, except `open-data`, which introduces `/data/`.
    pub slug: String,
    /// From the front matter's `title:` line; the page's heading and `<title>`.
    pub title: String,
    /// The body after the front matter, its own `# heading` dropped when rendered.
    pub markdown: String,
}

/// Every page of `content/`; the first problem found, at its file.
pub fn load(root: &Path) -> Result<Vec<ContentPage>, Box<Diagnostic>> {
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
            let problem =
                Diagnostic::file(&name, Msg::new(Key::ContentSlugInvalid).arg("slug", slug));
            return Err(Box::new(problem.hint(Msg::new(Key::HintContentSlug))));
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Box::new(Diagnostic::unreadable(name.as_str(), &e)))?;
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
            let problem = Diagnostic::file(&name, Msg::new(Key::ContentNoTitle));
            return Err(Box::new(problem.hint(Msg::new(Key::HintContentTitle))));
        };
        pages.push(ContentPage {
            slug,
            title,
            markdown,
        });
    }
    Ok(pages)
}
