//! Clauses of a full text: the anchors (`{#c4-3-6}`) that rules cite and readers link to.
//!
//! A heading carries its anchor as a heading attribute (`## 三、扶持方式 {#c3}`); a paragraph
//! starts with it (`{#c4-3-6} 6.产业优惠政策。…`).

use crate::messages::{Key, Msg};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// One anchored clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    /// The anchor, e.g. `c4-3-6`.
    pub id: String,
    /// The first words of the clause, for explanations and rule tables.
    pub excerpt: String,
    /// Byte offset of the clause in the Markdown file.
    pub offset: usize,
}

impl Clause {
    /// The clause's heading as a clerk recognises it in the text: a heading's words, or a
    /// paragraph's up to its first full stop (`（一）贫困户`); a longer one is cut after at
    /// most 20 characters, at a comma where there is one (`2.养鸡每只补助20元…`).
    pub fn heading(&self) -> String {
        const MOST: usize = 20;
        let text = self.excerpt.trim();
        let text = text.split('。').next().unwrap_or(text).trim();
        if text.chars().count() <= MOST {
            return text.to_owned();
        }
        let mut cut: String = text.chars().take(MOST).collect();
        if let Some(comma) = cut
            .rfind(['，', '；'])
            .filter(|&at| cut[..at].chars().count() >= 6)
        {
            cut.truncate(comma);
        }
        cut.push('…');
        cut
    }
}

/// A problem with the anchors of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorProblem {
    /// Byte offset of the anchor in the Markdown file.
    pub offset: usize,
    /// What is wrong.
    pub message: Msg,
    /// What to write instead.
    pub hint: Msg,
}

/// The Markdown extensions full texts use: heading attributes (anchors) and tables.
pub fn markdown_options() -> Options {
    Options::ENABLE_HEADING_ATTRIBUTES | Options::ENABLE_TABLES
}

/// Split a paragraph's leading `{#id} ` marker from its text.
pub fn paragraph_anchor(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix("{#")?;
    let end = rest.find('}')?;
    Some((&rest[..end], rest[end + 1..].trim_start()))
}

/// Whether `id` can be an anchor: lower-case letters, digits and `-`, starting with a letter.
pub fn valid_anchor(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// All clauses of a Markdown text, in order, and any malformed or repeated anchors.
pub fn scan(markdown: &str) -> (Vec<Clause>, Vec<AnchorProblem>) {
    let mut clauses: Vec<Clause> = Vec::new();
    let mut problems = Vec::new();
    let mut pending_heading: Option<(String, usize)> = None;
    let mut in_paragraph_start: Option<usize> = None;
    let mut excerpt_for: Option<usize> = None;
    let push =
        |id: &str, offset: usize, clauses: &mut Vec<Clause>, problems: &mut Vec<AnchorProblem>| {
            if !valid_anchor(id) {
                problems.push(AnchorProblem {
                    offset,
                    message: Msg::new(Key::AnchorInvalid).arg("id", id),
                    hint: Msg::new(Key::HintAnchor),
                });
                return None;
            }
            if clauses.iter().any(|c| c.id == id) {
                problems.push(AnchorProblem {
                    offset,
                    message: Msg::new(Key::AnchorTwice).arg("id", id),
                    hint: Msg::new(Key::HintAnchorTwice),
                });
                return None;
            }
            clauses.push(Clause {
                id: id.to_owned(),
                excerpt: String::new(),
                offset,
            });
            Some(clauses.len() - 1)
        };
    for (event, range) in Parser::new_ext(markdown, markdown_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { id: Some(id), .. }) => {
                pending_heading = Some((id.to_string(), range.start));
            }
            Event::End(TagEnd::Heading(_)) => {
                pending_heading = None;
                excerpt_for = None;
            }
            Event::Start(Tag::Paragraph) => in_paragraph_start = Some(range.start),
            Event::End(TagEnd::Paragraph) => {
                in_paragraph_start = None;
                excerpt_for = None;
            }
            Event::Text(text) => {
                if let Some((id, offset)) = pending_heading.take() {
                    excerpt_for = push(&id, offset, &mut clauses, &mut problems);
                }
                let mut body: &str = &text;
                if let Some(offset) = in_paragraph_start.take() {
                    if let Some((id, rest)) = paragraph_anchor(&text) {
                        excerpt_for = push(id, offset, &mut clauses, &mut problems);
                        body = rest;
                    }
                }
                // What looks like an anchor but is not read as one would show on the page as
                // text, and the clause a rule means would not exist: say so where it is.
                if let Some(at) = ["{#", "｛#", "｛＃", "{＃"]
                    .iter()
                    .filter_map(|marker| body.find(marker))
                    .min()
                {
                    let mut shown = String::new();
                    for c in body[at..].chars().take(40) {
                        shown.push(c);
                        if c == '}' || c == '｝' {
                            break;
                        }
                    }
                    let offset = range
                        .start
                        .saturating_add(text.len().saturating_sub(body.len()))
                        .saturating_add(at);
                    problems.push(AnchorProblem {
                        offset: offset.min(range.end),
                        message: Msg::new(Key::AnchorMisplaced).arg("text", shown),
                        hint: Msg::new(Key::HintAnchorMisplaced),
                    });
                }
                if let Some(index) = excerpt_for {
                    let excerpt = &mut clauses[index].excerpt;
                    let room = 40usize.saturating_sub(excerpt.chars().count());
                    excerpt.extend(body.chars().take(room));
                }
            }
            _ => {}
        }
    }
    (clauses, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_and_paragraphs_carry_anchors() {
        let text =
            "# 标题\n\n## 三、扶持方式 {#c3}\n\n{#c3-1} (一)特色种植产业扶持\n\n没有锚点的段落。\n";
        let (clauses, problems) = scan(text);
        assert!(problems.is_empty(), "{problems:?}");
        let ids: Vec<&str> = clauses.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["c3", "c3-1"]);
        assert_eq!(clauses[1].excerpt, "(一)特色种植产业扶持");
    }

    #[test]
    fn anchors_that_would_not_be_read_are_problems() {
        for text in [
            "｛#c1-1｝ 1.养猪每头补助300元。\n",
            "1. {#c1-1} 养猪每头补助300元。\n",
            "## 一、扶持标准 ｛#c1｝\n",
        ] {
            let (clauses, problems) = scan(text);
            assert!(clauses.is_empty(), "{text}");
            assert_eq!(problems.len(), 1, "{text}: {problems:?}");
            assert_eq!(problems[0].message.key, Key::AnchorMisplaced);
        }
    }

    #[test]
    fn repeated_and_bad_anchors_are_problems() {
        let (_, problems) = scan("{#c1} a\n\n{#c1} b\n\n{#C2} c\n");
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].message.key, Key::AnchorTwice);
    }
}
