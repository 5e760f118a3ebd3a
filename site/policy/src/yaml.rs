//! Reading YAML with positions: serde gives typed values and the path of a bad one, and an
//! event pass records where every path starts, so any later check can point at its line.

use crate::diagnostic::{Diagnostic, SourceText};
use calculator::formula::closest;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::ops::Range;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Where a YAML node is in its file.
#[derive(Debug, Clone, Copy)]
struct Node {
    key: Option<usize>,
    value: usize,
    quoted: bool,
    block: bool,
}

/// Byte positions of every node of a document, by YAML path (`rules[2].rate`).
#[derive(Debug, Default)]
pub struct YamlIndex {
    nodes: HashMap<String, Node>,
}

enum Frame {
    Map {
        path: String,
        key: Option<(String, usize)>,
    },
    Seq {
        path: String,
        next: usize,
    },
}

struct Indexer<'a> {
    source: &'a SourceText,
    stack: Vec<Frame>,
    index: YamlIndex,
}

impl Indexer<'_> {
    fn byte(&self, mark: Marker) -> usize {
        // yaml-rust2 counts lines from 1 and columns from 0, in characters.
        self.source.offset_of(mark.line(), mark.col())
    }

    /// Handle a node starting at `mark`; returns its path when it is a value (not a key).
    fn node(&mut self, mark: Marker, scalar: Option<(&str, TScalarStyle)>) -> Option<String> {
        let at = self.byte(mark);
        let (quoted, block) = match scalar.map(|(_, style)| style) {
            Some(TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted) => (true, false),
            Some(TScalarStyle::Literal | TScalarStyle::Folded) => (false, true),
            _ => (false, false),
        };
        let (path, key) = match self.stack.last_mut() {
            None => (String::new(), None),
            Some(Frame::Seq { path, next }) => {
                let child = format!("{path}[{next}]");
                *next += 1;
                (child, None)
            }
            Some(Frame::Map { path, key }) => match key.take() {
                None => {
                    // This node is a key. yaml-rust2 marks a block mapping after its first key,
                    // so the mapping is moved back to start where its first key does.
                    let name = scalar.map_or_else(String::new, |(v, _)| v.to_owned());
                    *key = Some((name, at));
                    if let Some(map) = self.index.nodes.get_mut(path.as_str()) {
                        map.value = map.value.min(at);
                    }
                    return None;
                }
                Some((name, key_at)) => {
                    let child = if path.is_empty() {
                        name
                    } else {
                        format!("{path}.{name}")
                    };
                    (child, Some(key_at))
                }
            },
        };
        self.index.nodes.insert(
            path.clone(),
            Node {
                key,
                value: at,
                quoted,
                block,
            },
        );
        Some(path)
    }
}

impl MarkedEventReceiver for Indexer<'_> {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Scalar(value, style, _, _) => {
                self.node(mark, Some((&value, style)));
            }
            Event::Alias(_) => {
                self.node(mark, None);
            }
            Event::MappingStart(..) => {
                if let Some(path) = self.node(mark, None) {
                    self.stack.push(Frame::Map { path, key: None });
                } else {
                    self.stack.push(Frame::Map {
                        path: String::from("?"),
                        key: None,
                    });
                }
            }
            Event::SequenceStart(..) => {
                let path = self.node(mark, None).unwrap_or_else(|| String::from("?"));
                self.stack.push(Frame::Seq { path, next: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

impl YamlIndex {
    pub fn build(source: &SourceText) -> YamlIndex {
        let mut indexer = Indexer {
            source,
            stack: Vec::new(),
            index: YamlIndex::default(),
        };
        // A syntax error is reported by serde with its position; the index is then partial.
        let _ = Parser::new_from_str(&source.text).load(&mut indexer, false);
        indexer.index
    }

    /// The span of the value at `path`, or of the nearest enclosing node that exists
    /// (a missing key points at its parent).
    pub fn value_span(&self, path: &str) -> Range<usize> {
        let node = self.nearest(path);
        node.map_or(0..0, |n| n.value..n.value + 1)
    }

    /// The span of the key at `path` (for "unknown key"), else of its value.
    pub fn key_span(&self, path: &str, key_len: usize) -> Range<usize> {
        match self.nodes.get(path) {
            Some(Node { key: Some(k), .. }) => *k..*k + key_len,
            _ => self.value_span(path),
        }
    }

    /// The span of `inner` (a byte range inside a scalar's text), for formula errors.
    pub fn span_within(&self, path: &str, inner: Range<usize>) -> Range<usize> {
        match self.nodes.get(path) {
            Some(node) if !node.block => {
                let start = node.value + usize::from(node.quoted);
                start + inner.start..start + inner.end.max(inner.start + 1)
            }
            _ => self.value_span(path),
        }
    }

    fn nearest(&self, path: &str) -> Option<&Node> {
        let mut path = path.to_owned();
        loop {
            if let Some(node) = self.nodes.get(&path) {
                return Some(node);
            }
            if path.is_empty() {
                return None;
            }
            match path.rfind(['.', '[']) {
                Some(cut) => path.truncate(cut),
                None => path.clear(),
            }
        }
    }
}

/// Join a base path and a relative one the way serde_path_to_error writes paths.
pub fn join(base: &str, rest: &str) -> String {
    match (base.is_empty(), rest.is_empty()) {
        (true, _) => rest.to_owned(),
        (_, true) => base.to_owned(),
        _ if rest.starts_with('[') => format!("{base}{rest}"),
        _ => format!("{base}.{rest}"),
    }
}

/// Parse a whole file into a YAML value; a syntax error becomes a diagnostic at its place.
pub fn parse_value(source: &SourceText) -> Result<serde_yaml_ng::Value, Diagnostic> {
    serde_yaml_ng::from_str(&source.text).map_err(|error| {
        let offset = error.location().map_or(0, |l| l.index());
        let message = error.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
        Diagnostic::at(
            source,
            offset..offset + 1,
            "",
            format!("this is not valid YAML: {message}"),
            Some("check the indentation (spaces, not tabs) and that every `key:` has a value; text with `:` or `#` needs quotes".into()),
        )
    })
}

/// Read a whole file as `T`, with the index that locates its paths.
pub fn read_file<T: DeserializeOwned>(source: &SourceText) -> Result<(T, YamlIndex), Diagnostic> {
    let index = YamlIndex::build(source);
    let value = typed(parse_value(source)?, "", source, &index)?;
    Ok((value, index))
}

/// Deserialize one YAML value (found at `base` in the file) into `T`, turning serde's error
/// into a diagnostic at the right place with a hint.
pub fn typed<T: DeserializeOwned>(
    value: serde_yaml_ng::Value,
    base: &str,
    source: &SourceText,
    index: &YamlIndex,
) -> Result<T, Diagnostic> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = join(base, &error.path().to_string().replace("?", ""));
        let path = path.trim_end_matches('.').to_owned();
        let inner = error.inner().to_string();
        explain_serde_error(&inner, &path, source, index)
    })
}

fn explain_serde_error(
    inner: &str,
    path: &str,
    source: &SourceText,
    index: &YamlIndex,
) -> Diagnostic {
    if let Some(rest) = inner.strip_prefix("unknown field `") {
        let key = rest.split('`').next().unwrap_or_default();
        let allowed: Vec<&str> = rest.split('`').skip(2).step_by(2).collect();
        let hint = match closest(key, allowed.iter().copied()) {
            Some(near) => format!(
                "did you mean `{near}`? Keys allowed here: {}",
                allowed.join(", ")
            ),
            None if allowed.is_empty() => "remove this key".to_string(),
            None => format!("keys allowed here: {}", allowed.join(", ")),
        };
        return Diagnostic::at(
            source,
            index.key_span(path, key.len()),
            path,
            format!("unknown key `{key}`"),
            Some(hint),
        );
    }
    if let Some(rest) = inner.strip_prefix("missing field `") {
        let key = rest.split('`').next().unwrap_or_default();
        return Diagnostic::at(
            source,
            index.value_span(path),
            path,
            format!("missing key `{key}`"),
            Some(format!(
                "add `{key}:` here; see `portal schema` or the editing guide for what it takes"
            )),
        );
    }
    if let Some(rest) = inner.strip_prefix("unknown variant `") {
        let value = rest.split('`').next().unwrap_or_default();
        let allowed: Vec<&str> = rest.split('`').skip(2).step_by(2).collect();
        let hint = match closest(value, allowed.iter().copied()) {
            Some(near) => format!("did you mean `{near}`? Allowed: {}", allowed.join(", ")),
            None => format!("allowed: {}", allowed.join(", ")),
        };
        return Diagnostic::at(
            source,
            index.value_span(path),
            path,
            format!("`{value}` is not allowed here"),
            Some(hint),
        );
    }
    let hint = if inner.contains("expected a string") {
        Some("this takes text: a formula such as `20%` or `300 元/头`, or a code in quotes such as \"610117\"".to_string())
    } else if inner.contains("expected a sequence") {
        Some("this takes a list: one `- item` per line".to_string())
    } else if inner.contains("expected struct") || inner.contains("expected a map") {
        Some("this takes `key: value` lines indented under it".to_string())
    } else if ["u16", "u32", "u64", "usize"]
        .iter()
        .any(|t| inner.ends_with(&format!("expected {t}")))
    {
        Some("write a whole number, e.g. 2".to_string())
    } else {
        None
    };
    Diagnostic::at(
        source,
        index.value_span(path),
        path,
        format!("wrong type: {}", plain_serde(inner)),
        hint,
    )
}

/// serde's words for types, in words a clerk knows.
fn plain_serde(message: &str) -> String {
    let mut out = message.to_owned();
    if let Some(at) = out.find("expected struct ") {
        out.truncate(at);
        out.push_str("expected `key: value` lines");
    }
    for number in ["u16", "u32", "u64", "usize"] {
        if out.ends_with(&format!("expected {number}")) {
            let cut = out.len().saturating_sub(number.len());
            out.truncate(cut);
            out.push_str("a whole number");
        }
    }
    out.replace("invalid type: ", "")
        .replace("floating point", "decimal number")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_lines() {
        let source = SourceText::new(
            "t.yaml",
            "名: 猪猪\nrules:\n  - id: a\n    rate: 'x 元'\n  - id: b\n",
        );
        let index = YamlIndex::build(&source);
        assert_eq!(
            source.line_col(index.value_span("rules[0].rate").start),
            (4, 11)
        );
        assert_eq!(
            source.line_col(index.key_span("rules[1].id", 2).start),
            (5, 5)
        );
        assert_eq!(
            source.line_col(index.span_within("rules[0].rate", 2..5).start),
            (4, 14)
        );
        // A missing key points at its parent.
        assert_eq!(
            source.line_col(index.value_span("rules[1].label").start),
            (5, 5)
        );
    }
}
