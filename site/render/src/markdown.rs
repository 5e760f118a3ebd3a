//! Markdown to HTML for full texts and content pages: clause anchors become ids with a
//! permalink, the rules a clause defines are shown beside it, and raw HTML is sanitised.
//!
//! Only a text with raw HTML, or a link or image the sanitiser would not keep as it is, goes
//! through the sanitiser: what pulldown-cmark writes from plain Markdown, and what this module
//! adds, is escaped already (a test renders every text of the repository both ways and finds
//! them the same), and sanitising is most of the time a full text takes.

use policy::clauses::{markdown_options, paragraph_anchor};
use pulldown_cmark::{html, Alignment, Event, HeadingLevel, Parser, Tag, TagEnd};
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
    /// Whether the text went through the sanitiser: it has raw HTML, or a link or image whose
    /// address is not relative, http(s), mailto or tel.
    pub sanitised: bool,
}

/// Text made safe inside HTML, in element content and in attributes quoted either way: the
/// escaping of every page, Tera's included ([`crate::build`] sets it). Unlike Tera's own it
/// leaves `/` as it is, which is safe there and keeps each URL five bytes a slash shorter.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let _ = escaped_pieces(text, |piece| {
        out.push_str(piece);
        Ok::<(), std::convert::Infallible>(())
    });
    out
}

/// [`escape_html`] written straight into `out`: Tera's escape function.
pub fn escape_html_to(text: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    escaped_pieces(text, |piece| out.write_all(piece.as_bytes()))
}

/// `text` escaped for HTML, handed to `put` a piece at a time: runs of plain text and the
/// entities between them.
fn escaped_pieces<E>(text: &str, mut put: impl FnMut(&str) -> Result<(), E>) -> Result<(), E> {
    let mut done = 0;
    for (i, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        // The bytes escaped are ASCII, so `i` is a character boundary.
        put(&text[done..i])?;
        put(entity)?;
        done = i + 1;
    }
    put(&text[done..])
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

/// Whether a link's or image's address is one the sanitiser keeps as written: relative (no
/// scheme before the first `/`, `?` or `#`), or http, https, mailto or tel. Anything else —
/// another scheme, or a would-be scheme with a space or control character that a browser
/// might drop — sends the text through the sanitiser.
fn plain_url(url: &str) -> bool {
    let head = url.split(['/', '?', '#']).next().unwrap_or_default();
    match head.split_once(':') {
        None => true,
        Some((scheme, _)) => ["http", "https", "mailto", "tel"]
            .iter()
            .any(|s| scheme.eq_ignore_ascii_case(s)),
    }
}

/// Whether raw HTML is one whole comment and nothing else.
fn is_comment(html: &str) -> bool {
    let html = html.trim();
    html.strip_prefix("<!--")
        .and_then(|rest| rest.strip_suffix("-->"))
        .is_some_and(|inside| !inside.contains("--"))
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
    let mut raw = false;
    for event in flatten_deep_nesting(Parser::new_ext(markdown, markdown_options())) {
        match &event {
            // A comment (the guide's test marks) is dropped, as the sanitiser would.
            Event::Html(html) | Event::InlineHtml(html) if is_comment(html) => continue,
            Event::Html(_) | Event::InlineHtml(_) => raw = true,
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. })
                if !plain_url(dest_url) =>
            {
                raw = true;
            }
            _ => {}
        }
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
                    // An id is an anchor the policy checks allow, but a content page's is not
                    // checked: escaped, it cannot end its attribute.
                    let (id_attr, permalink) = if id.is_empty() {
                        (String::new(), String::new())
                    } else {
                        let id = escape_html(&id);
                        (
                            format!(r#" id="{id}""#),
                            format!(
                                r##" <a class="permalink" href="#{id}" aria-label="{permalink}">§</a>"##
                            ),
                        )
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
                        let id_html = escape_html(id);
                        events.push(Event::Html(
                            format!(r##"<p id="{id_html}" class="clause"><a class="permalink" href="#{id_html}" aria-label="{permalink}">§</a> "##).into(),
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
                events.push(without_alignment(other));
            }
        }
    }
    let mut out = String::new();
    html::push_html(&mut out, events.into_iter());
    // A NUL is no character of a page (the sanitiser's parser drops it too).
    if !raw && out.contains('\0') {
        out.retain(|c| c != '\0');
    }
    Rendered {
        html: if raw { sanitise(&out) } else { out },
        toc,
        sanitised: raw,
    }
}

/// A table's column alignment would be written as a `style` attribute, which the sanitiser
/// removes and the site's Content Security Policy forbids: tables are left-aligned.
fn without_alignment(event: Event<'_>) -> Event<'_> {
    match event {
        Event::Start(Tag::Table(columns)) => {
            Event::Start(Tag::Table(vec![Alignment::None; columns.len()]))
        }
        other => other,
    }
}

/// `html` with the spellings that differ between what pulldown-cmark writes and what the
/// sanitiser writes for the same document made alike (`<br />` or `<br>`, `&quot;` or `"`
/// in text, a carriage return or a line feed, as every HTML parser reads them): a plain
/// text's HTML must equal its sanitised HTML once both are so spelled.
pub(crate) fn spelled_alike(html: &str) -> String {
    html.replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace(" />", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
}

/// Keep only safe HTML: what Markdown produces plus our ids, classes and aria labels. Links
/// get no `rel`: every page says `<meta name="referrer" content="no-referrer">`, and no
/// `target` is kept that `noopener` would guard.
pub fn sanitise(html: &str) -> String {
    ammonia::Builder::default()
        .add_generic_attributes(["id", "class", "aria-label"])
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(None)
        .clean(html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_both_quotes_and_leaves_slashes() {
        assert_eq!(
            escape_html(r#"<a href="/x?a=1&b='2'">税</a>"#),
            "&lt;a href=&quot;/x?a=1&amp;b=&#39;2&#39;&quot;&gt;税&lt;/a&gt;"
        );
        assert_eq!(escape_html("沁源县"), "沁源县");
        assert_eq!(escape_html(""), "");
    }

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

    /// Every Markdown construct the texts may use, with characters that need escaping.
    const EVERY_CONSTRUCT: &str = r#"# 标题

## 一、总则 {#c1}

{#c1-1} 1.养猪每头300元，"引号"与'单引号' & <尖括号> a&nbsp;b&amp;c。

普通段落，**加粗**、*强调*、`代码 <b>`，硬换行  
下一行；反斜杠换行\
再一行。

> 引用
>
> - 列表

3. 有序
4. 列表

- [相对链接](../x/?a=1&b=2#c "标题 \"引号\" <b>")
- [外部](https://example.org/a?b=1&c=2) [大写](HTTPS://example.org/)
- <https://example.org/auto>
- <someone@example.org>
- [邮件](mailto:a@b.cn) [电话](tel:+86-10-1234) [空]()
- ![图 "说明"](/img/a.png "图题")
- [引用式][r]

[r]: /policies/x/#c1 '单引号标题'

| 左 | 中 | 右 |
|:---|:--:|---:|
| 1 & 2 | `|` | <3 |

```rust
let x = 1 < 2 && "s" != 'c';
```

    缩进代码 <i>

### 无锚点的小节

---

#### 第四级 {#c1-2}
"#;

    /// Plain Markdown skips the sanitiser: what it writes must be what the sanitiser would
    /// keep, for every text of the repository and every construct.
    #[test]
    fn plain_markdown_is_written_as_the_sanitiser_would_keep_it() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
        let mut texts = vec![("EVERY_CONSTRUCT".to_owned(), EVERY_CONSTRUCT.to_owned())];
        let mut folders = vec![
            std::path::PathBuf::from(root).join("policies"),
            std::path::PathBuf::from(root).join("content"),
        ];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path);
                } else if path.extension().is_some_and(|e| e == "md") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    texts.push((path.display().to_string(), text));
                }
            }
        }
        // The seed documents' full texts and the content pages.
        assert!(texts.len() >= 9, "{} texts", texts.len());
        for (name, text) in &texts {
            for headings in [Headings::InSection, Headings::Page, Headings::AsWritten] {
                let rendered = render(text, &Asides::new(), headings, "本条\"链接\"");
                assert!(!rendered.sanitised, "{name} went through the sanitiser");
                assert_eq!(
                    spelled_alike(&rendered.html),
                    spelled_alike(&sanitise(&rendered.html)),
                    "{name}"
                );
            }
        }
        let every = render(
            EVERY_CONSTRUCT,
            &Asides::new(),
            Headings::InSection,
            "本条链接",
        );
        for written in [
            "<table>",
            "<ol start=\"3\">",
            "<img src=\"/img/a.png\"",
            "href=\"mailto:someone@example.org\"",
            "class=\"language-rust\"",
            r#"<h3 id="c1">"#,
            r#"<p id="c1-1" class="clause">"#,
        ] {
            assert!(every.html.contains(written), "{written}: {}", every.html);
        }
        assert!(!every.html.contains("style="), "{}", every.html);
    }

    #[test]
    fn an_id_cannot_end_its_attribute() {
        for text in [
            "## 标题 {#a\"onclick=\"x()}\n",
            "{#a\"onclick=\"x()} 段落\n",
        ] {
            let html = render(text, &Asides::new(), Headings::AsWritten, "链接").html;
            assert!(!html.contains("\"onclick"), "{html}");
        }
    }

    #[test]
    fn other_addresses_go_through_the_sanitiser() {
        for text in [
            "[x](javascript:alert(1))",
            "[x](JavaScript:alert(1))",
            "[x](<java\tscript:alert(1)>)",
            "[x](javascript&#58;alert(1))",
            "![x](data:image/svg+xml,<svg onload=alert(1)>)",
            "<javascript:alert(1)>",
            "[x][r]\n\n[r]: vbscript:msgbox(1)",
            "<!-- a --><script>alert(1)</script>",
            "<!-- a\n--><script>alert(1)</script>",
        ] {
            let r = render(text, &Asides::new(), Headings::AsWritten, "链接");
            // No address a browser would run (`java%09script:` is a relative path).
            let lower = r.html.to_lowercase();
            assert!(
                r.sanitised
                    && [
                        "=\"javascript:",
                        "=\"vbscript:",
                        "=\"data:",
                        "onload",
                        "<script"
                    ]
                    .iter()
                    .all(|bad| !lower.contains(bad)),
                "{text}: {}",
                r.html
            );
        }
        // A protocol-relative address has no scheme: it stays, unsanitised.
        let r = render(
            "[x](//example.org/a:b)",
            &Asides::new(),
            Headings::AsWritten,
            "链接",
        );
        assert!(
            !r.sanitised && r.html.contains("//example.org/a:b"),
            "{}",
            r.html
        );
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
