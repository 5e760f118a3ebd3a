//! Chinese-keyboard slips: what a clerk typing with a Chinese input method (or from the habits
//! of a spreadsheet and of official documents) writes where the rule format wants something
//! else, recognised so that a message can name it at its place and show exactly what to type.
//!
//! - Characters: the full-width twins of ASCII punctuation that a Chinese input method types
//!   (`：，、“”（）【】`, the full-width space, full-width digits). In a file that does not
//!   parse they are looked for where YAML's own punctuation goes (`in_syntax_error`); in a
//!   file that parses, in keys and in values that are codes, ids or words
//!   (`in_values`). Free text (labels, titles, notes) may hold any of them; formulas are
//!   the engine's (it reads `（）`, `，` and the full-width space as their ASCII twins, and its
//!   refusals of the others are worded in `compile` with [`name`] and [`fixed`]).
//! - Dates written the way documents write them: `2018年1月1日`, `2018/1/1`, `二〇一七年
//!   十一月十三日` ([`date_written_otherwise`]).
//! - Clauses cited by their number in the text (`第三条`, `（一）`) instead of their anchor
//!   ([`numbering`]).
//! - Facts named by their Chinese label or by a word near their id ([`similar_facts`]).

use crate::diagnostic::{Diagnostic, SourceText};
use crate::messages::{Key, Msg};
use crate::yaml::YamlIndex;
use calculator::fact::{FactCatalogue, FactDef};
use calculator::formula::edit_distance;
use calculator::Date;
use serde_yaml_ng::{Mapping, Value};
use std::fmt::Write as _;

/// The ideographic (full-width) space a Chinese input method types for the space bar.
pub const FULL_WIDTH_SPACE: char = '\u{3000}';

/// What kind of slip a character is: it decides the message (and its stable code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `：`.
    Colon,
    /// `，` and `、`.
    Comma,
    /// `“ ” ‘ ’ 「 」 『 』`.
    Quote,
    /// The full-width space.
    Space,
    /// `（ ） 【 】 ［ ］ ｛ ｝ 〔 〕`.
    Bracket,
    /// Any other full-width form of an ASCII character (`５`, `－`, `ｐ`) and `。`.
    Other,
}

/// The kind of slip `c` is, if it is one.
pub fn kind(c: char) -> Option<Kind> {
    Some(match c {
        '：' => Kind::Colon,
        '，' | '、' => Kind::Comma,
        '“' | '”' | '‘' | '’' | '「' | '」' | '『' | '』' => Kind::Quote,
        FULL_WIDTH_SPACE => Kind::Space,
        '（' | '）' | '【' | '】' | '［' | '］' | '｛' | '｝' | '〔' | '〕' => {
            Kind::Bracket
        }
        '。' | '\u{FF01}'..='\u{FF5E}' => Kind::Other,
        _ => return None,
    })
}

/// The ASCII character a slip stands for (`，` → `,`, `“` → `"`, `５` → `5`).
pub fn ascii(c: char) -> Option<char> {
    Some(match c {
        '、' => ',',
        '。' => '.',
        '“' | '”' | '‘' | '’' | '「' | '」' | '『' | '』' => '"',
        FULL_WIDTH_SPACE => ' ',
        '【' | '〔' => '[',
        '】' | '〕' => ']',
        // The full-width forms block mirrors ASCII 0x21–0x7E.
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0)?,
        _ => return None,
    })
}

/// The character in words, for messages: 中文逗号“，”, 全角空格 ….
pub fn name(c: char) -> Msg {
    let key = match c {
        '：' => Key::CharColon,
        '，' => Key::CharComma,
        '、' => Key::CharEnumerationComma,
        '。' => Key::CharPeriod,
        FULL_WIDTH_SPACE => Key::CharSpace,
        '０'..='９' => Key::CharDigit,
        'Ａ'..='Ｚ' | 'ａ'..='ｚ' => Key::CharLetter,
        _ => match kind(c) {
            Some(Kind::Quote) => Key::CharQuote,
            Some(Kind::Bracket) => Key::CharBracket,
            _ => Key::CharOther,
        },
    };
    Msg::new(key).arg("character", c.to_string())
}

/// The quotation marks of `text`, each once, for naming them (`“”`).
fn quotes_in(text: &str) -> String {
    let mut found = String::new();
    for c in text.chars().filter(|&c| kind(c) == Some(Kind::Quote)) {
        if !found.contains(c) {
            found.push(c);
        }
    }
    found
}

/// The message for the slip `c` found in `text` (a key, a value, a formula or a line): the
/// stable code is the kind of character.
pub fn message(c: char, text: &str) -> Msg {
    match kind(c) {
        Some(Kind::Comma) => Msg::new(Key::FullWidthComma).arg("character", name(c)),
        Some(Kind::Quote) => Msg::new(Key::ChineseQuotes)
            .arg("text", text.trim())
            .arg("character", quotes_in(text)),
        Some(Kind::Space) => Msg::new(Key::FullWidthSpace).arg("place", Msg::new(Key::WhereValue)),
        Some(Kind::Bracket) => Msg::new(Key::FullWidthBracket).arg("character", name(c)),
        _ => Msg::new(Key::FullWidthCharacter)
            .arg("character", name(c))
            .arg("ascii", ascii(c).map(String::from).unwrap_or_default()),
    }
}

/// The hint that goes with [`message`]: what to type, `fixed` being the text retyped.
pub fn hint(c: char, fixed: &str) -> Msg {
    let key = if kind(c) == Some(Kind::Quote) {
        Key::HintChineseQuotes
    } else {
        Key::HintHalfWidth
    };
    Msg::new(key).arg("fixed", fixed)
}

/// `text` as it should have been typed: every slip replaced by its ASCII twin, a comma or
/// colon followed by one space, and Chinese quotation marks left out (a code of digits keeps
/// ASCII ones, `"610926"`, so that YAML reads it as text). Brackets are kept unless `brackets`.
pub fn fixed(text: &str, brackets: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match kind(c) {
            Some(Kind::Quote) => quoted = true,
            Some(Kind::Bracket) if !brackets => out.push(c),
            Some(Kind::Comma | Kind::Colon) => {
                out.push(if c == '：' { ':' } else { ',' });
                let next = chars.peek().copied();
                if !next.is_some_and(|n| n == ' ' || n == FULL_WIDTH_SPACE) && next.is_some() {
                    out.push(' ');
                }
            }
            Some(_) => out.push(ascii(c).unwrap_or(c)),
            None => out.push(c),
        }
    }
    if quoted && !out.is_empty() && out.chars().all(|c| c.is_ascii_digit()) {
        return format!("\"{out}\"");
    }
    out
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Whether `c` is a Chinese character (not punctuation).
pub fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '〇')
}

// ── In a file that does not parse ─────────────────────────────────────────────────────────

/// How many lines above the parser's error a slip that is not a full-width colon is looked
/// for: the parser stops at most a line or two after such a slip, and a line further up
/// (a Chinese paragraph indented with full-width spaces in a `|` text) may be right.
const NEAR_ERROR: usize = 2;

/// The slips behind most syntax errors a clerk meets, found by looking at the lines
/// themselves, since the parser reports them later and in its own terms: a full-width colon,
/// comma or space where YAML's own punctuation goes (`rate： 400 元/头`, `- id， pigs`,
/// `rate:　400`, a full-width space in the indentation, `{ a: 1， b: 2 }`, `｛ a: 1 ｝`), and
/// a line indented deeper than the `key: value` line above it (read as the rest of that
/// value).
pub(crate) fn in_syntax_error(source: &SourceText, offset: usize) -> Option<Diagnostic> {
    let (error_line, _) = source.line_col(offset);
    let lines: Vec<&str> = source.text.split('\n').collect();
    for (i, line) in lines.iter().enumerate().take(error_line) {
        let near = i + 1 + NEAR_ERROR >= error_line;
        if let Some(slip) = line_slip(line, i + 1, near) {
            let start = source.offset_of(i + 1, 0).saturating_add(slip.at);
            let end = start.saturating_add(slip.len);
            return Some(Diagnostic::at(source, start..end, "", slip.message).hint(slip.hint));
        }
    }
    over_indented(source, &lines, error_line)
}

/// A slip on one line: where (bytes into the line), how long, and what to say.
struct LineSlip {
    at: usize,
    len: usize,
    message: Msg,
    hint: Msg,
}

/// The value part of a `key: value` line as a clerk would retype it: without its comment.
fn value_of(rest: &str) -> &str {
    let rest = rest.trim_start_matches([' ', FULL_WIDTH_SPACE]);
    rest.split_once(" #")
        .map_or(rest, |(value, _)| value)
        .trim_end()
}

/// The first slip of a line of YAML in the places YAML's punctuation goes. A full-width colon
/// after a key is always one; the rest only `near` the parser's error.
fn line_slip(line: &str, number: usize, near: bool) -> Option<LineSlip> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let indent_end = line
        .find(|c: char| c != ' ' && c != FULL_WIDTH_SPACE)
        .unwrap_or(line.len());
    let (indent, body) = line.split_at(indent_end);
    let starts_item = |text: &str| {
        text.starts_with('-') || text.starts_with(is_key_char) && text.contains([':', '：'])
    };
    // A full-width space in the indentation: it looks like two spaces and is none.
    if near && starts_item(body) {
        if let Some(at) = indent.find(FULL_WIDTH_SPACE) {
            let spaces: String = indent
                .chars()
                .map(|c| if c == ' ' { " " } else { "  " })
                .collect();
            return Some(LineSlip {
                at,
                len: FULL_WIDTH_SPACE.len_utf8(),
                message: Msg::new(Key::FullWidthSpace).arg("place", Msg::new(Key::WhereIndent)),
                hint: Msg::new(Key::HintFullWidthIndent)
                    .arg("fixed", format!("{spaces}{}", body.trim_end())),
            });
        }
    }
    // List markers, then the key.
    let mut rest = body;
    loop {
        if let Some(after) = rest.strip_prefix("- ") {
            rest = after.trim_start_matches(' ');
            continue;
        }
        if near {
            if let Some(after) = rest.strip_prefix(format!("-{FULL_WIDTH_SPACE}").as_str()) {
                let before = &line[..line.len() - rest.len()];
                let fixed = format!(
                    "{before}- {}",
                    after.trim_start_matches([' ', FULL_WIDTH_SPACE])
                );
                return Some(LineSlip {
                    at: line.len() - rest.len() + 1,
                    len: FULL_WIDTH_SPACE.len_utf8(),
                    message: Msg::new(Key::FullWidthSpace)
                        .arg("place", Msg::new(Key::WhereAfterDash)),
                    hint: Msg::new(Key::HintHalfWidth).arg("fixed", fixed.trim()),
                });
            }
        }
        break;
    }
    let key_start = line.len() - rest.len();
    let key_len = rest.find(|c: char| !is_key_char(c)).unwrap_or(rest.len());
    let key = &rest[..key_len];
    let after = &rest[key_len..];
    let prefix = line[indent_end..key_start].to_owned();
    if key.is_empty() {
        return if near {
            flow_slip(line, number, key_start, "")
        } else {
            None
        };
    }
    let separator = after.chars().next();
    if separator == Some('：') {
        let value = value_of(&after['：'.len_utf8()..]);
        let fixed = format!("{prefix}{key}: {value}");
        return Some(LineSlip {
            at: key_start + key_len,
            len: '：'.len_utf8(),
            message: Msg::new(Key::FullWidthColon)
                .arg("line", number)
                .arg("key", key),
            hint: Msg::new(Key::HintFullWidthColon).arg("fixed", fixed.trim_end()),
        });
    }
    if !near {
        return None;
    }
    if let Some(value) = after.strip_prefix(':') {
        if value.starts_with(FULL_WIDTH_SPACE) {
            let fixed = format!("{prefix}{key}: {}", value_of(value));
            return Some(LineSlip {
                at: key_start + key_len + 1,
                len: FULL_WIDTH_SPACE.len_utf8(),
                message: Msg::new(Key::FullWidthSpace).arg("place", Msg::new(Key::WhereAfterColon)),
                hint: Msg::new(Key::HintHalfWidth).arg("fixed", fixed.trim_end()),
            });
        }
        return flow_slip(line, number, line.len() - value.len(), key);
    }
    // `id， pigs`, `rate　300 元/头`: something else where the colon goes.
    let gap = after.len() - after.trim_start_matches(' ').len();
    let spaced = &after[gap..];
    if let Some(c) = spaced.chars().next() {
        let instead = matches!(kind(c), Some(Kind::Comma | Kind::Space)) || c == '。' || c == '；';
        if instead && !line.contains(':') && !line.contains('：') {
            let value = value_of(&spaced[c.len_utf8()..]);
            let fixed = format!("{prefix}{key}: {value}");
            return Some(LineSlip {
                at: key_start + key_len + gap,
                len: c.len_utf8(),
                message: Msg::new(Key::KeyWithoutColon)
                    .arg("key", key)
                    .arg("character", name(c)),
                hint: Msg::new(Key::HintKeyColon).arg("fixed", fixed.trim_end()),
            });
        }
    }
    None
}

/// A slip inside a `[ … ]` or `{ … }` written on one line, or the brackets themselves typed
/// full-width (`｛ a: 1 ｝`), in the value that starts at byte `start` of `line`.
fn flow_slip(line: &str, number: usize, start: usize, key: &str) -> Option<LineSlip> {
    let value = value_of(line.get(start..)?);
    let value_at = start + line.get(start..)?.find(value)?;
    let opener = value.chars().next()?;
    let closer = value.chars().next_back()?;
    let shown_key = |fixed: &str| {
        if key.is_empty() {
            format!("- {fixed}")
        } else {
            format!("{key}: {fixed}")
        }
    };
    let full_width_pair = matches!(
        (opener, closer),
        ('｛', '｝') | ('【', '】') | ('［', '］') | ('（', '）') | ('〔', '〕')
    );
    if full_width_pair {
        let inner = &value[opener.len_utf8()..value.len() - closer.len_utf8()];
        if !inner.contains([':', '：', ',', '，', '、']) {
            return None;
        }
        let (open, close) = if opener == '｛' || inner.contains([':', '：']) {
            ("{", "}")
        } else {
            ("[", "]")
        };
        let fixed = format!("{open}{}{close}", fixed(inner, true));
        return Some(LineSlip {
            at: value_at,
            len: opener.len_utf8(),
            message: Msg::new(Key::FullWidthBracket).arg("character", name(opener)),
            hint: Msg::new(Key::HintHalfWidth).arg("fixed", shown_key(&fixed)),
        });
    }
    if !matches!(opener, '{' | '[') {
        return None;
    }
    // The first comma, colon or space typed full-width between the brackets, outside quotes.
    let mut in_quotes = None;
    for (i, c) in value.char_indices() {
        match (in_quotes, c) {
            (None, '"' | '\'') => in_quotes = Some(c),
            (Some(q), _) if q == c => in_quotes = None,
            (None, _) if matches!(kind(c), Some(Kind::Comma | Kind::Colon | Kind::Space)) => {
                let fixed = fixed(value, false);
                let message = if c == '：' {
                    let before = &value[..i];
                    let flow_key = before
                        .rsplit(|c: char| !is_key_char(c))
                        .next()
                        .unwrap_or_default();
                    Msg::new(Key::FullWidthColon)
                        .arg("line", number)
                        .arg("key", flow_key)
                } else if c == FULL_WIDTH_SPACE {
                    Msg::new(Key::FullWidthSpace).arg("place", Msg::new(Key::WhereInBrackets))
                } else {
                    Msg::new(Key::FullWidthComma).arg("character", name(c))
                };
                return Some(LineSlip {
                    at: value_at + i,
                    len: c.len_utf8(),
                    message,
                    hint: Msg::new(Key::HintHalfWidth).arg("fixed", shown_key(&fixed)),
                });
            }
            _ => {}
        }
    }
    None
}

/// A `key: value` line indented deeper than a `key: value` line just above it, where the
/// parser stopped.
fn over_indented(source: &SourceText, lines: &[&str], error_line: usize) -> Option<Diagnostic> {
    let key_part = |line: &str| -> Option<usize> {
        let body = line.trim_start_matches(' ');
        let indent = line.len() - body.len();
        let body = body.strip_prefix("- ").unwrap_or(body);
        let end = body.find(|c: char| !is_key_char(c))?;
        (end > 0).then_some(indent)
    };
    let index = error_line.checked_sub(1)?;
    let line = lines.get(index)?;
    let indent = key_part(line)?;
    let above = lines
        .get(..index)?
        .iter()
        .rev()
        .find(|l| !l.trim().is_empty())?;
    let above_indent = key_part(above)?;
    let above_has_value = above
        .split_once(": ")
        .is_some_and(|(_, value)| !value.trim().is_empty() && !value.trim().starts_with('#'));
    if indent <= above_indent || !above_has_value || above.trim_start().starts_with("- ") {
        return None;
    }
    let fixed = format!("{}{}", " ".repeat(above_indent), line.trim_start());
    let start = source.offset_of(index + 1, 0);
    Some(
        Diagnostic::at(
            source,
            start..start + indent,
            "",
            Msg::new(Key::OverIndented)
                .arg("line", index + 1)
                .arg("spaces", indent - above_indent),
        )
        .hint(Msg::new(Key::HintOverIndented).arg("fixed", fixed.trim_end())),
    )
}

/// A list (or, unless `list`, a map) typed with full-width brackets, read as text: the
/// bracket and the value as it should be typed (`【pigs， cattle】` → `[pigs, cattle]`).
pub fn bracketed(text: &str, list: bool) -> Option<(char, String)> {
    let text = text.trim();
    let opener = text.chars().next()?;
    let closer = text.chars().next_back()?;
    let pair = matches!(
        (opener, closer),
        ('｛', '｝') | ('【', '】') | ('［', '］') | ('（', '）') | ('〔', '〕')
    );
    if !pair || text.len() <= opener.len_utf8() {
        return None;
    }
    let inner = text.get(opener.len_utf8()..text.len() - closer.len_utf8())?;
    let (open, close) = if list { ("[", "]") } else { ("{ ", " }") };
    Some((
        opener,
        format!("{open}{}{close}", fixed(inner.trim(), true)),
    ))
}

// ── In a file that parses ─────────────────────────────────────────────────────────────────

/// Keys whose values are free text, where a clerk may write any Chinese punctuation.
const FREE_TEXT: &[&str] = &[
    "label",
    "name",
    "title",
    "text",
    "note",
    "notes",
    "help",
    "province",
    "prefecture",
    "office",
    "issuer",
    "document_number",
    "genre",
    "eligible_description",
    "interest",
    "term",
    "not_computed",
    "working",
    "offices",
    "who",
    "does",
    "when",
];

/// Keys whose values are formulas (the engine reads them, and `compile` words its refusals)
/// or dates (read by [`date_written_otherwise`]).
const CHECKED_ELSEWHERE: &[&str] = &[
    "eligible",
    "quantity",
    "max_quantity",
    "rate",
    "amount",
    "cap_without_rate",
    "cap",
    "max_principal",
    "share",
    "from",
    "to",
    "by",
    "date",
    "written",
    "published",
];

/// Maps whose keys and values are all free text.
const FREE_MAPS: &[&str] = &["metadata.other", "metadata.source"];

/// Look for slips in the keys of a parsed file and in its values that are codes, ids or
/// words; report each at its place, and put what was meant in its stead so that reading goes
/// on as if it had been typed right (`“pigs”` → `pigs`, `pigs：5` → `pigs: 5`). Returns the
/// problems and the paths put right: they are damaged (nothing more is said about them, and
/// the file is checked but not compiled).
pub(crate) fn in_values(
    value: &mut Value,
    source: &SourceText,
    index: &YamlIndex,
) -> (Vec<Diagnostic>, Vec<String>) {
    let mut walk = Walk {
        source,
        index,
        problems: Vec::new(),
        damaged: Vec::new(),
    };
    walk.value(value, &mut String::new(), &mut String::new(), None, 0);
    (walk.problems, walk.damaged)
}

/// Nesting the walk follows: what serde reads (the rest is refused before).
const MAX_DEPTH: usize = 128;

struct Walk<'a> {
    source: &'a SourceText,
    index: &'a YamlIndex,
    problems: Vec<Diagnostic>,
    damaged: Vec<String>,
}

fn join(base: &str, key: &str) -> String {
    let mut path = base.to_owned();
    push_key(&mut path, key);
    path
}

/// `path` followed by `.key` (just `key` at the top).
fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

impl Walk<'_> {
    /// `at` is the path as written (where the index finds it), `path` as put right. Both are
    /// grown for a child and cut back after it, rather than made anew for each: the walk
    /// visits every value of every file, and almost no file has a slip.
    fn value(
        &mut self,
        value: &mut Value,
        at: &mut String,
        path: &mut String,
        key: Option<&str>,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        let (at_len, path_len) = (at.len(), path.len());
        match value {
            Value::Mapping(map) => {
                if FREE_MAPS.contains(&path.as_str()) {
                    return;
                }
                let has_slip = |name: &Value| {
                    name.as_str()
                        .is_some_and(|s| s.contains(|c| kind(c).is_some()))
                };
                if !map.keys().any(has_slip) {
                    for (name, child) in map.iter_mut() {
                        let Some(name) = name.as_str() else { continue };
                        push_key(at, name);
                        push_key(path, name);
                        self.value(child, at, path, Some(name), depth + 1);
                        at.truncate(at_len);
                        path.truncate(path_len);
                    }
                    return;
                }
                let entries = std::mem::take(map);
                let mut rebuilt = Mapping::with_capacity(entries.len());
                for (name, mut child) in entries {
                    let mut new_name = name.clone();
                    if let Value::String(written) = &name {
                        push_key(at, written);
                        if let Some(put_right) = self.key(written, at, path, &mut child) {
                            if !rebuilt.contains_key(put_right.as_str()) {
                                new_name = Value::String(put_right);
                            }
                        }
                    } else {
                        at.push_str(".?");
                    }
                    let child_key = new_name.as_str().map(str::to_owned);
                    push_key(path, child_key.as_deref().unwrap_or("?"));
                    self.value(&mut child, at, path, child_key.as_deref(), depth + 1);
                    at.truncate(at_len);
                    path.truncate(path_len);
                    rebuilt.insert(new_name, child);
                }
                *map = rebuilt;
            }
            Value::Sequence(items) => {
                let written = std::mem::take(items);
                items.reserve(written.len());
                for (i, mut item) in written.into_iter().enumerate() {
                    // What a list typed with Chinese commas was, to see below if it was put right.
                    let before = item
                        .as_str()
                        .filter(|text| text.contains(['，', '、']))
                        .map(str::to_owned);
                    // Writing into a String cannot fail.
                    let _ = write!(at, "[{i}]");
                    let _ = write!(path, "[{}]", items.len());
                    self.value(&mut item, at, path, key, depth + 1);
                    at.truncate(at_len);
                    path.truncate(path_len);
                    // `[pigs、chickens]` was a list of two: it is put right as two items.
                    let several = match (&before, &item) {
                        (Some(old), Value::String(new)) if old != new => Some(new.clone()),
                        _ => None,
                    };
                    match several {
                        Some(text) => items.extend(
                            text.split(',')
                                .map(str::trim)
                                .filter(|part| !part.is_empty())
                                .map(scalar),
                        ),
                        None => items.push(item),
                    }
                }
            }
            Value::String(text) => {
                let Some(key) = key else { return };
                if FREE_TEXT.contains(&key) || CHECKED_ELSEWHERE.contains(&key) {
                    return;
                }
                if let Some(put_right) = self.code_value(text, at, path, key) {
                    *value = put_right;
                }
            }
            _ => {}
        }
    }

    /// A key with a slip: reported; what it should be, if it can be put right. A key with a
    /// full-width colon and no value (`{ pigs：5 }`) was a key and its value: both are put
    /// right.
    fn key(&mut self, written: &str, at: &str, parent: &str, child: &mut Value) -> Option<String> {
        let (offset, c) = written.char_indices().find(|&(_, c)| kind(c).is_some())?;
        let fixed_key = fixed(written, true);
        let fixed_line = self.fixed_line(self.index.key_start(at), written, &fixed_key);
        let message = if c == '：' {
            Msg::new(Key::FullWidthColon)
                .arg(
                    "line",
                    self.source
                        .line_col(self.index.key_start(at).unwrap_or(0))
                        .0,
                )
                .arg("key", written[..offset].trim())
        } else {
            message(c, written)
        };
        let hint = if c == '：' {
            Msg::new(Key::HintFullWidthColon).arg("fixed", fixed_line)
        } else {
            hint(c, &fixed_line)
        };
        let span = self.index.key_span(at, written.len());
        let start = span.start.saturating_add(offset);
        let put_right = match fixed_key.split_once(':') {
            Some((name, rest)) if child.is_null() => {
                *child = scalar(rest.trim());
                name.trim().to_owned()
            }
            _ => fixed_key.trim().to_owned(),
        };
        let path = join(parent, &put_right);
        self.problems.push(
            Diagnostic::at(
                self.source,
                start..start + c.len_utf8(),
                path.as_str(),
                message,
            )
            .hint(hint),
        );
        self.damaged.push(path);
        Some(put_right)
    }

    /// A value that is a code, id or word with a slip (brackets aside: a list typed with
    /// `【 】` is found where a list is wanted, and `（一）` as a clause where clauses are).
    fn code_value(&mut self, text: &str, at: &str, path: &str, key: &str) -> Option<Value> {
        let (offset, c) = text
            .char_indices()
            .find(|&(_, c)| kind(c).is_some_and(|k| k != Kind::Bracket))?;
        let put_right = fixed(text, false);
        let start = self.index.value_start(at);
        let fixed_line = match start {
            Some(start)
                if self
                    .source
                    .text
                    .get(start..)
                    .is_some_and(|t| t.starts_with(text)) =>
            {
                self.fixed_line(Some(start), text, &put_right)
            }
            _ if path.ends_with(']') => format!("- {put_right}"),
            _ => format!("{key}: {put_right}"),
        };
        let span = self.index.span_within(at, offset..offset + c.len_utf8());
        self.problems.push(
            Diagnostic::at(self.source, span, path, message(c, text)).hint(hint(c, &fixed_line)),
        );
        self.damaged.push(path.to_owned());
        Some(if quotes_in(text).is_empty() {
            scalar(&put_right)
        } else {
            Value::String(put_right.trim_matches('"').to_owned())
        })
    }

    /// The line holding `written` at byte `start`, with it replaced by `fixed`, as a clerk
    /// would retype it (without its indentation); just `fixed` when it cannot be found.
    fn fixed_line(&self, start: Option<usize>, written: &str, fixed: &str) -> String {
        let text = &self.source.text;
        let Some(start) = start.filter(|&s| text.get(s..).is_some_and(|t| t.starts_with(written)))
        else {
            return fixed.to_owned();
        };
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let end = start + written.len();
        let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
        format!(
            "{}{fixed}{}",
            &text[line_start..start],
            &text[end..line_end]
        )
        .trim()
        .to_owned()
    }
}

/// A scalar as YAML reads it (`5` a number, `pigs` text).
fn scalar(text: &str) -> Value {
    match serde_yaml_ng::from_str::<Value>(text) {
        Ok(value @ (Value::Number(_) | Value::Bool(_) | Value::String(_))) => value,
        _ => Value::String(text.to_owned()),
    }
}

// ── Dates ─────────────────────────────────────────────────────────────────────────────────

/// A date written another way than `2018-01-01`, as it would be written: `2018年1月1日`,
/// `2018/1/1`, `2018.1.1`, `2018-1-1`, `20180101`, `二〇一八年一月一日`, in full-width digits
/// or Chinese quotation marks. `None` when it is not a real day written so.
pub fn date_written_otherwise(text: &str) -> Option<Date> {
    let text: String = text
        .trim()
        .chars()
        .filter(|&c| kind(c) != Some(Kind::Quote) && c != '"' && c != '\'')
        .map(|c| match c {
            '０'..='９' | '／' | '．' | '－' => ascii(c).unwrap_or(c),
            _ => c,
        })
        .collect();
    let text = text.trim().trim_end_matches(['日', '号']);
    if text.len() == 8 && text.chars().all(|c| c.is_ascii_digit()) {
        let (y, md) = text.split_at(4);
        let (m, d) = md.split_at(2);
        return Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    }
    let parts: Vec<&str> = text
        .split(['年', '月', '/', '.', '-', '、', ' '])
        .filter(|p| !p.is_empty())
        .collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let year: u16 = if y.chars().all(|c| c.is_ascii_digit()) {
        y.parse().ok()?
    } else {
        // 二〇一八: a digit for each character.
        let digits: Option<String> = y.chars().map(chinese_digit).collect();
        digits?.parse().ok()?
    };
    let number = |part: &str| -> Option<u8> {
        if part.chars().all(|c| c.is_ascii_digit()) && part.len() <= 2 {
            part.parse().ok()
        } else {
            chinese_number(part).and_then(|n| u8::try_from(n).ok())
        }
    };
    if y.chars().count() != 4 {
        return None;
    }
    Date::new(year, number(m)?, number(d)?)
}

fn chinese_digit(c: char) -> Option<char> {
    let digit = "〇一二三四五六七八九"
        .chars()
        .position(|d| d == c)
        .or(match c {
            '零' | '○' | 'Ｏ' | 'O' | '0' => Some(0),
            _ => None,
        })?;
    char::from_digit(u32::try_from(digit).ok()?, 10)
}

/// A Chinese number up to 99: 三, 十一, 二十, 九十九.
fn chinese_number(text: &str) -> Option<u32> {
    let digit = |c: char| -> Option<u32> {
        match c {
            '两' => Some(2),
            _ => chinese_digit(c)?.to_digit(10),
        }
    };
    let chars: Vec<char> = text.chars().collect();
    match chars.as_slice() {
        [c] if *c == '十' => Some(10),
        [c] => digit(*c),
        ['十', one] => Some(10 + digit(*one)?),
        [tens, '十'] => Some(10 * digit(*tens)?),
        [tens, '十', one] => Some(10 * digit(*tens)? + digit(*one)?),
        _ => None,
    }
}

// ── Clauses cited by their number ─────────────────────────────────────────────────────────

/// How a clause is numbered in a text: `三、`, `（三）`, `3.`, `第三条`, or a bare number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Numbering {
    /// `一、` (the parts of a document).
    Section,
    /// `（一）` or `(1)`.
    Bracketed,
    /// `1.` or `1、`.
    Item,
    /// `第三条`, `第3款`, `第二部分`: the clerk's name for it, not a style of the text.
    Article,
    /// `三` or `3` alone.
    Bare,
}

/// The number a clause is cited by or begins with (`第三条` → 3, Article; `（一）贫困户` → 1,
/// Bracketed) and the words after it.
pub fn numbering(text: &str) -> Option<(u32, Numbering, String)> {
    let text: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '（' | '）' | '．' | '０'..='９' => ascii(c).unwrap_or(c),
            _ => c,
        })
        .collect();
    let number_prefix = |s: &str| -> Option<(u32, usize)> {
        let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        if digits > 0 && digits <= 3 {
            return Some((s[..digits].parse().ok()?, digits));
        }
        let len: usize = s
            .chars()
            .take_while(|&c| "〇零一二三四五六七八九十两".contains(c))
            .map(char::len_utf8)
            .sum();
        Some((chinese_number(&s[..len])?, len))
    };
    if let Some(rest) = text.strip_prefix('第') {
        let (n, len) = number_prefix(rest)?;
        let rest = &rest[len..];
        let unit = ["条", "款", "项", "部分", "章", "节", "点"]
            .iter()
            .find(|u| rest.starts_with(**u))?;
        return Some((n, Numbering::Article, rest[unit.len()..].trim().to_owned()));
    }
    if let Some(rest) = text.strip_prefix('(') {
        let (n, len) = number_prefix(rest)?;
        let rest = rest[len..].strip_prefix(')')?;
        return Some((n, Numbering::Bracketed, rest.trim().to_owned()));
    }
    let (n, len) = number_prefix(&text)?;
    let rest = &text[len..];
    let arabic = text.starts_with(|c: char| c.is_ascii_digit());
    if rest.is_empty() {
        return Some((n, Numbering::Bare, String::new()));
    }
    let mut chars = rest.chars();
    match chars.next() {
        Some('、') if !arabic => Some((n, Numbering::Section, chars.as_str().trim().to_owned())),
        Some('.' | '、') if arabic => Some((n, Numbering::Item, chars.as_str().trim().to_owned())),
        _ => None,
    }
}

// ── Facts by label or by a word near their id ─────────────────────────────────────────────

/// The facts a clerk may have meant by `name`, best first (at most five): by the Chinese label
/// when `name` is Chinese (`蜂` → `bee_boxes` 蜂箱, `养猪` → `pigs` 猪), else by the id (`pig` →
/// `pigs`, `bees` → `bee_boxes`, `goat` → `dairy_goats`).
pub fn similar_facts<'f>(name: &str, facts: &'f FactCatalogue) -> Vec<&'f FactDef> {
    const MOST: usize = 5;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 40 {
        return Vec::new();
    }
    if name.chars().any(is_han) {
        let core = |label: &str| -> String {
            label
                .split(['（', '('])
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned()
        };
        let mut found: Vec<&FactDef> = facts
            .facts
            .iter()
            .filter(|f| {
                let label = core(&f.label);
                !label.is_empty() && (f.label.contains(name) || name.contains(label.as_str()))
            })
            .collect();
        if found.is_empty() {
            // No label holds the whole name: the facts sharing a character with it that says
            // what the thing is (not 养, 种 or a unit).
            const COMMON: &str = "养种植殖户数量的个头只亩羽匹箱人元年新建其他";
            found = facts
                .facts
                .iter()
                .filter(|f| {
                    name.chars()
                        .any(|c| is_han(c) && !COMMON.contains(c) && f.label.contains(c))
                })
                .collect();
        }
        found.truncate(MOST);
        return found;
    }
    let lower = name.to_ascii_lowercase();
    let stem = |word: &str| -> String {
        let word = word
            .strip_suffix("es")
            .filter(|w| w.len() >= 3)
            .unwrap_or(word);
        word.strip_suffix('s')
            .filter(|w| w.len() >= 3)
            .unwrap_or(word)
            .to_owned()
    };
    let wanted = stem(&lower);
    let mut scored: Vec<(usize, &FactDef)> = facts
        .facts
        .iter()
        .filter_map(|f| {
            let distance = edit_distance(&lower, &f.id);
            let token_match = f.id.split('_').any(|token| {
                let token = stem(token);
                token == wanted
                    || wanted.len() >= 3 && token.starts_with(wanted.as_str())
                    || token.len() >= 3 && wanted.starts_with(token.as_str())
            });
            (distance <= 2 || token_match || lower.len() >= 3 && f.id.contains(lower.as_str()))
                .then_some((distance, f))
        })
        .collect();
    scored.sort_by_key(|&(distance, _)| distance);
    scored.into_iter().take(MOST).map(|(_, f)| f).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_are_named_and_retyped() {
        assert_eq!(ascii('，'), Some(','));
        assert_eq!(ascii('５'), Some('5'));
        assert_eq!(ascii(FULL_WIDTH_SPACE), Some(' '));
        assert_eq!(kind('猪'), None);
        assert_eq!(fixed("pigs， cattle、sheep", false), "pigs, cattle, sheep");
        assert_eq!(fixed("“140431”", false), "\"140431\"");
        assert_eq!(fixed("“c4-3-6”", false), "c4-3-6");
        assert_eq!(fixed("pigs：5", true), "pigs: 5");
    }

    #[test]
    fn dates_written_as_documents_write_them() {
        let day = Date::new(2018, 1, 1);
        for text in [
            "2018年1月1日",
            "2018/1/1",
            "2018.01.01",
            "2018-1-1",
            "20180101",
            "二〇一八年一月一日",
            "２０１８年１月１日",
            "“2018-01-01”",
        ] {
            assert_eq!(date_written_otherwise(text), day, "{text}");
        }
        assert_eq!(
            date_written_otherwise("二〇一七年十一月十三日"),
            Date::new(2017, 11, 13)
        );
        for text in ["2018年2月30日", "明年", "18/1/1", "2018"] {
            assert_eq!(date_written_otherwise(text), None, "{text}");
        }
    }

    #[test]
    fn clause_numbers_in_their_styles() {
        assert_eq!(
            numbering("第三条"),
            Some((3, Numbering::Article, String::new()))
        );
        assert_eq!(
            numbering("（一）贫困户。"),
            Some((1, Numbering::Bracketed, "贫困户。".to_owned()))
        );
        assert_eq!(
            numbering("三、扶持对象"),
            Some((3, Numbering::Section, "扶持对象".to_owned()))
        );
        assert_eq!(
            numbering("10.优化扶贫项目服务"),
            Some((10, Numbering::Item, "优化扶贫项目服务".to_owned()))
        );
        assert_eq!(
            numbering("二十一"),
            Some((21, Numbering::Bare, String::new()))
        );
        assert_eq!(numbering("c4-3-6"), None);
        assert_eq!(numbering("扶持对象"), None);
    }

    #[test]
    fn lines_with_slips_where_yaml_punctuation_goes() {
        let at = |line: &str| line_slip(line, 1, true).map(|s| (s.at, s.message.key));
        assert_eq!(at("    rate： 300 元/头"), Some((8, Key::FullWidthColon)));
        assert_eq!(at("  - id， pigs"), Some((6, Key::KeyWithoutColon)));
        assert_eq!(
            at("    rate:\u{3000}300 元/头"),
            Some((9, Key::FullWidthSpace))
        );
        assert_eq!(
            at("  \u{3000}rate: 300 元/头"),
            Some((2, Key::FullWidthSpace))
        );
        assert_eq!(
            at("    facts: { a: true， b: 5 }"),
            Some((20, Key::FullWidthComma))
        );
        assert_eq!(
            at("    facts: ｛ a: true ｝"),
            Some((11, Key::FullWidthBracket))
        );
        // Text may hold any of them.
        assert_eq!(at("    working: 猪5×300 = 1500；牛，羊"), None);
        assert_eq!(at("      - 解释：“再”指另加"), None);
        assert_eq!(at("\u{3000}\u{3000}第一段。"), None);
    }
}
