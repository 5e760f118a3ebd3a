//! Markdown to HTML for full texts and content pages: clause anchors become ids with a
//! permalink, the rules a clause defines are shown beside it, and raw HTML is sanitised.

use policy::clauses::{markdown_options, paragraph_anchor};
use pulldown_cmark::{html, Event, HeadingLevel, Parser, Tag, TagEnd};
use std::collections::HashMap;

/// An entry of a table of contents.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TocEntry {
    /// The heading's anchor (`c1`, no `#`); only headings with one are listed.
    pub id: String,
    /// The heading's text, without markup.
    pub title: String,
    /// Its HTML level as rendered: one below the Markdown's in a section (`##` → h3, see
    /// [`Headings`]), at most 6; templates indent by it.
    pub level: u8,
}

/// What to show beside a clause: a small HTML fragment, already escaped.
pub type Asides = HashMap<String, String>;

/// Rendered HTML and its table of contents.
#[derive(Debug)]
pub struct Rendered {
    /// Sanitised HTML, ready to insert unescaped.
    pub html: String,
    /// The anchored headings, in order.
    pub toc: Vec<TocEntry>,
}

/// Text made safe inside HTML, in element content and in quoted attributes alike.
pub fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn level_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Quotes, lists and list items nested deeper than this are flattened into the one above: no
/// document nests them so deep, and the sanitiser's HTML parser takes time quadratic in how
/// deeply elements nest (a text of 50 000 `>` took minutes).
const MAX_NESTING: usize = 32;

fn flatten_deep_nesting<'a>(
    events: impl Iterator<Item = Event<'a>>,
) -> impl Iterator<Item = Event<'a>> {
    let mut depth = 0usize;
    events.filter(move |event| match event {
        Event::Start(Tag::BlockQuote(_) | Tag::List(_) | Tag::Item) => {
            depth += 1;
            depth <= MAX_NESTING
        }
        Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::Item) => {
            depth = depth.saturating_sub(1);
            depth < MAX_NESTING
        }
        _ => true,
    })
}

/// Where a text's headings go on its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Headings {
    /// The text is a section of a page that prints the title as h1 and the section as h2 (a
    /// policy's full text): its `# title` is dropped and `##` becomes h3.
    InSection,
    /// The text is the page (a content page): its `# title` is dropped, the page prints it,
    /// and `##` stays h2.
    Page,
    /// Headings as written.
    AsWritten,
}

/// The text of the first paragraph of `markdown`, without markup and with its whitespace
/// collapsed, cut to `max` characters (with `…`): a page's description.
pub fn first_paragraph(markdown: &str, max: usize) -> String {
    let mut text = String::new();
    let mut inside = false;
    for event in Parser::new_ext(markdown, markdown_options()) {
        match event {
            Event::Start(Tag::Paragraph) => inside = true,
            Event::End(TagEnd::Paragraph) if inside => break,
            Event::Text(t) | Event::Code(t) if inside => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak if inside => text.push(' '),
            _ => {}
        }
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// Render `markdown`, its headings placed as `headings` says, so a page keeps a single h1 and
/// no level is skipped. `permalink` names the § link of each clause for screen readers.
pub fn render(markdown: &str, asides: &Asides, headings: Headings, permalink: &str) -> Rendered {
    let permalink = escape_html(permalink);
    let skip_h1 = headings != Headings::AsWritten;
    let shift = headings == Headings::InSection;
    let mut events: Vec<Event> = Vec::new();
    let mut toc = Vec::new();
    let mut heading: Option<(String, u8, String)> = None;
    let mut skipping_h1 = false;
    let mut paragraph_open = false;
    let mut pending_aside: Option<String> = None;
    for event in flatten_deep_nesting(Parser::new_ext(markdown, markdown_options())) {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) if skip_h1 => skipping_h1 = true,
            Event::End(TagEnd::Heading(HeadingLevel::H1)) if skipping_h1 => skipping_h1 = false,
            _ if skipping_h1 => {}
            Event::Start(Tag::Heading { level, id, .. }) => {
                let level = level_number(level).min(5) + u8::from(shift && level_number(level) < 6);
                heading = Some((
                    id.map(|i| i.to_string()).unwrap_or_default(),
                    level.min(6),
                    String::new(),
                ));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((id, level, text)) = heading.take() {
                    let permalink = if id.is_empty() {
                        String::new()
                    } else {
                        format!(
                            r##" <a class="permalink" href="#{id}" aria-label="{permalink}">§</a>"##
                        )
                    };
                    let id_attr = if id.is_empty() {
                        String::new()
                    } else {
                        format!(r#" id="{id}""#)
                    };
                    events.push(Event::Html(
                        format!(
                            "<h{level}{id_attr}>{}{permalink}</h{level}>\n",
                            escape_html(&text)
                        )
                        .into(),
                    ));
                    if !id.is_empty() {
                        toc.push(TocEntry {
                            id: id.clone(),
                            title: text,
                            level,
                        });
                        if let Some(aside) = asides.get(&id) {
                            events.push(Event::Html(aside.clone().into()));
                        }
                    }
                }
            }
            Event::Text(text) if heading.is_some() => {
                if let Some((_, _, t)) = heading.as_mut() {
                    t.push_str(&text);
                }
            }
            Event::Start(Tag::Paragraph) => paragraph_open = true,
            Event::Text(text) if paragraph_open => {
                paragraph_open = false;
                match paragraph_anchor(&text) {
                    Some((id, rest)) => {
                        events.push(Event::Html(
                            format!(r##"<p id="{id}" class="clause"><a class="permalink" href="#{id}" aria-label="{permalink}">§</a> "##).into(),
                        ));
                        events.push(Event::Text(rest.to_owned().into()));
                        pending_aside = asides.get(id).cloned();
                    }
                    None => {
                        events.push(Event::Html("<p>".into()));
                        events.push(Event::Text(text));
                    }
                }
            }
            Event::End(TagEnd::Paragraph) => {
                if paragraph_open {
                    events.push(Event::Html("<p>".into()));
                    paragraph_open = false;
                }
                events.push(Event::Html("</p>\n".into()));
                if let Some(aside) = pending_aside.take() {
                    events.push(Event::Html(aside.into()));
                }
            }
            other => {
                if paragraph_open {
                    events.push(Event::Html("<p>".into()));
                    paragraph_open = false;
                }
                events.push(other);
            }
        }
    }
    let mut out = String::new();
    html::push_html(&mut out, events.into_iter());
    Rendered {
        html: sanitise(&out),
        toc,
    }
}

/// Keep only safe HTML: what Markdown produces plus our ids, classes and aria labels.
pub fn sanitise(html: &str) -> String {
    ammonia::Builder::default()
        .add_generic_attributes(["id", "class", "aria-label"])
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(Some("noopener noreferrer"))
        .clean(html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_is_flattened_not_slow() {
        // Found with the full_text fuzz target's binary: 50 000 nested `>` took minutes.
        for text in ["> ".repeat(50_000) + "x\n", "- ".repeat(50_000) + "x\n"] {
            let started = std::time::Instant::now();
            let html = render(&text, &Asides::new(), Headings::InSection, "本条链接").html;
            assert!(html.contains('x'));
            assert!(html.matches("<blockquote>").count() <= MAX_NESTING);
            assert!(html.matches("<ul>").count() <= MAX_NESTING);
            assert!(started.elapsed() < std::time::Duration::from_secs(10));
        }
        let shallow = render(
            "> > quote\n\n- a\n  - b\n",
            &Asides::new(),
            Headings::InSection,
            "本条链接",
        )
        .html;
        assert_eq!(shallow.matches("<blockquote>").count(), 2);
        assert_eq!(shallow.matches("<ul>").count(), 2);
    }

    #[test]
    fn a_description_is_the_first_paragraph_in_plain_text() {
        let md = "# 标题\n\n本站的**每一项**补助标准写在 `policies/`\n文件夹里。\n\n第二段。";
        assert_eq!(
            first_paragraph(md, 100),
            "本站的每一项补助标准写在 policies/ 文件夹里。"
        );
        assert_eq!(first_paragraph(md, 5), "本站的每…");
        assert_eq!(first_paragraph("# 只有标题", 100), "");
    }

    #[test]
    fn clauses_get_ids_permalinks_and_asides() {
        let mut asides = Asides::new();
        asides.insert(
            "c1-1".into(),
            r#"<aside class="rules">养猪 300 元/头</aside>"#.into(),
        );
        let r = render(
            "# 标题\n\n## 一、总则 {#c1}\n\n{#c1-1} 1.养猪每头300元。\n\n普通段落。\n",
            &asides,
            Headings::InSection,
            "本条链接",
        );
        assert!(!r.html.contains("<h1"), "{}", r.html);
        assert!(r.html.contains(r#"<h3 id="c1">一、总则"#), "{}", r.html);
        // A content page is the text itself: its sections are h2.
        let page = render(
            "# 标题\n\n## 一、总则\n\n### 细则\n",
            &asides,
            Headings::Page,
            "本条链接",
        )
        .html;
        assert!(
            !page.contains("<h1") && page.contains("<h2") && page.contains("<h3"),
            "{page}"
        );
        assert!(
            r.html.contains(r#"<p id="c1-1" class="clause">"#),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("1.养猪每头300元。</p>\n<aside"),
            "{}",
            r.html
        );
        assert!(!r.html.contains("{#"), "{}", r.html);
        assert_eq!(r.toc.len(), 1);
    }

    #[test]
    fn raw_html_is_sanitised() {
        let r = render(
            "<script>alert(1)</script>\n\n<p onclick=\"x()\">hi</p>\n\n[x](javascript:alert(1))\n",
            &Asides::new(),
            Headings::AsWritten,
            "本条链接",
        );
        assert!(
            !r.html.contains("<script")
                && !r.html.contains("onclick")
                && !r.html.contains("javascript:"),
            "{}",
            r.html
        );
    }
}
