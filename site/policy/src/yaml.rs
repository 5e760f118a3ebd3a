//! Reading YAML with positions: serde gives typed values and the path of a bad one, and an
//! event pass records where every path starts, so any later check can point at its line
//! (for a policy file, only once something is to be pointed at).
//!
//! Reading recovers, so that one structural mistake does not hide the others ([`typed`]): an
//! unknown key is reported and left out, a value of the wrong type is reported and left out,
//! a required key that is missing (or was left out) is stood in for; then the value is read
//! again. Whatever was left out or stood in for is returned as *damaged* paths: later checks
//! say nothing about them, and an item with damage is checked but never compiled, so nothing
//! read after recovery produces errors of its own.

use crate::diagnostic::{Diagnostic, SourceText};
use crate::messages::{Arg, Key, Msg};
use calculator::formula::closest;
use serde::de::DeserializeOwned;
use serde_yaml_ng::{Mapping, Value};
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::{Arc, OnceLock};
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
///
/// Only a problem needs a position, and a second pass over every file is a tenth of a
/// national build: an index made with [`YamlIndex::lazy`] reads its file the first time a
/// position is asked for, so a file without problems is never indexed.
#[derive(Debug, Clone, Default)]
pub struct YamlIndex {
    /// The file, for an index not built yet.
    source: Option<Arc<SourceText>>,
    positions: OnceLock<Positions>,
}

/// What indexing a file found.
#[derive(Debug, Clone, Default)]
struct Positions {
    nodes: HashMap<String, Node>,
    /// Keys written a second time in the same mapping: the path and the second key's offset.
    duplicates: Vec<(String, usize)>,
    /// Where the file first nests deeper than serde reads, if it does.
    too_deep: Option<usize>,
}

enum Frame {
    Map {
        path: String,
        key: Option<(String, usize)>,
        seen: HashSet<String>,
    },
    Seq {
        path: String,
        next: usize,
    },
}

/// serde_yaml_ng's recursion limit: it refuses a file nested deeper than this.
const MAX_INDEXED_DEPTH: usize = 128;

struct Indexer<'a> {
    source: &'a SourceText,
    stack: Vec<Frame>,
    index: Positions,
}

impl Indexer<'_> {
    fn byte(&self, mark: Marker) -> usize {
        // yaml-rust2 counts lines from 1 and columns from 0, in characters.
        self.source.offset_of(mark.line(), mark.col())
    }

    /// Handle a node starting at `mark`; returns its path when it is a value (not a key).
    fn node(&mut self, mark: Marker, scalar: Option<(&str, TScalarStyle)>) -> Option<String> {
        // serde reads no deeper, so nothing deeper is ever reported; and a path for every level
        // would make a file of `- - - - …` quadratic in time and memory.
        if self.stack.len() > MAX_INDEXED_DEPTH {
            if self.index.too_deep.is_none() {
                self.index.too_deep = Some(self.byte(mark));
            }
            return None;
        }
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
            Some(Frame::Map { path, key, seen }) => match key.take() {
                None => {
                    // This node is a key. yaml-rust2 marks a block mapping after its first key,
                    // so the mapping is moved back to start where its first key does.
                    let name = scalar.map_or_else(String::new, |(v, _)| v.to_owned());
                    if scalar.is_some() && !seen.insert(name.clone()) {
                        let child = join(path, &name);
                        self.index.duplicates.push((child, at));
                    }
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
                let path = self.node(mark, None).unwrap_or_else(|| String::from("?"));
                self.stack.push(Frame::Map {
                    path,
                    key: None,
                    seen: HashSet::new(),
                });
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
    /// Where every path of `source` is (a file that does not parse gets a partial index).
    pub fn build(source: &SourceText) -> YamlIndex {
        YamlIndex {
            source: None,
            positions: OnceLock::from(Positions::of(source)),
        }
    }

    /// The index of `source`, built when a position is first asked for.
    pub fn lazy(source: Arc<SourceText>) -> YamlIndex {
        YamlIndex {
            source: Some(source),
            positions: OnceLock::new(),
        }
    }

    fn positions(&self) -> &Positions {
        self.positions.get_or_init(|| {
            self.source
                .as_deref()
                .map_or_else(Positions::default, Positions::of)
        })
    }

    /// Whether nothing has asked for a position yet.
    fn is_unbuilt(&self) -> bool {
        self.positions.get().is_none()
    }

    /// The span of the value at `path`, or of the nearest enclosing node that exists
    /// (a missing key points at its parent).
    pub fn value_span(&self, path: &str) -> Range<usize> {
        let node = self.positions().nearest(path);
        node.map_or(0..0, |n| n.value..n.value + 1)
    }

    /// The span of the key at `path` (for "unknown key"), else of its value.
    pub fn key_span(&self, path: &str, key_len: usize) -> Range<usize> {
        match self.positions().nodes.get(path) {
            Some(Node { key: Some(k), .. }) => *k..*k + key_len,
            _ => self.value_span(path),
        }
    }

    /// The span of `inner` (a byte range inside a scalar's text), for formula errors.
    pub fn span_within(&self, path: &str, inner: Range<usize>) -> Range<usize> {
        match self.positions().nodes.get(path) {
            Some(node) if !node.block => {
                let start = node.value + usize::from(node.quoted);
                start + inner.start..start + inner.end.max(inner.start + 1)
            }
            _ => self.value_span(path),
        }
    }

    /// Where the key of the value at `path` starts, when it is a key's value.
    pub fn key_start(&self, path: &str) -> Option<usize> {
        self.positions().nodes.get(path)?.key
    }

    /// Where the text of the scalar at `path` starts (after its opening quote), unless it is
    /// a `|` or `>` block.
    pub fn value_start(&self, path: &str) -> Option<usize> {
        let node = self.positions().nodes.get(path)?;
        (!node.block).then(|| node.value + usize::from(node.quoted))
    }
}

impl Positions {
    fn of(source: &SourceText) -> Positions {
        let mut indexer = Indexer {
            source,
            stack: Vec::new(),
            index: Positions::default(),
        };
        // A syntax error is reported by serde with its position; the index is then partial.
        // The events are taken one by one: yaml-rust2's own `load` recurses once per level of
        // nesting, so a file of `- - - - …` would overflow the stack.
        let mut parser = Parser::new_from_str(&source.text);
        loop {
            match parser.next_token() {
                Ok((Event::DocumentEnd | Event::StreamEnd, _)) => break,
                Ok((event, mark)) => indexer.on_event(event, mark),
                Err(error) => {
                    // yaml-rust2 stops at 256 levels of `[` or `{`, sometimes before it has
                    // passed on the first of them; that is too deep for serde as well.
                    if error.info().contains("recursion limit") {
                        let at = indexer.byte(*error.marker());
                        indexer.index.too_deep.get_or_insert(at);
                    }
                    break;
                }
            }
        }
        indexer.index
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

/// Whether `text` has so many `[` and `{` that they could nest deep enough for libyaml's
/// quadratic time to matter (2,000 levels take it about 30 ms); a policy file has dozens.
fn may_nest_deeply(text: &str) -> bool {
    const BRACKETS_SERDE_MAY_READ: usize = 2_000;
    text.bytes().filter(|b| matches!(b, b'[' | b'{')).count() > BRACKETS_SERDE_MAY_READ
}

/// Whether every key of every mapping in `value` is a string.
fn keys_are_strings(value: &Value) -> bool {
    match value {
        // Not `is_string`, which looks through a tag: `!x a` and `a` are two keys to serde.
        Value::Mapping(map) => map
            .iter()
            .all(|(key, value)| matches!(key, Value::String(_)) && keys_are_strings(value)),
        Value::Sequence(items) => items.iter().all(keys_are_strings),
        Value::Tagged(tagged) => keys_are_strings(&tagged.value),
        _ => true,
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

/// Whether `path` is `damaged` or inside it (`rules[1].cap` is inside `rules[1]`).
pub fn is_within(path: &str, damaged: &str) -> bool {
    path == damaged
        || path
            .strip_prefix(damaged)
            .is_some_and(|rest| rest.starts_with(['.', '[']))
}

/// Parse a whole file into a YAML value; a syntax error, or a key written twice, becomes a
/// diagnostic at its place (a file that does not parse is not read any further).
pub fn parse_value(source: &SourceText, index: &YamlIndex) -> Result<Value, Vec<Diagnostic>> {
    // A file that parses needs no index when serde has already refused every key written
    // twice, which it does for keys that are all strings (its keys are compared as values,
    // the index's as text: `1` and `"1"`). A file of many `[` and `{` is indexed first, below.
    if index.is_unbuilt() && !may_nest_deeply(&source.text) {
        // The common case, without libyaml; it gives up on keys that are not strings or are
        // written twice, among others, for serde_yaml_ng below.
        if let Some(value) = crate::yaml_events::value_of(&source.text) {
            return Ok(value);
        }
        if let Ok(value) = serde_yaml_ng::from_str::<Value>(&source.text) {
            if keys_are_strings(&value) {
                return Ok(value);
            }
        }
    }
    let index = index.positions();
    // serde_yaml_ng refuses this too, but only after libyaml has read the whole file, in time
    // quadratic in the nesting of `[` and `{` (16 000 levels took 2 s, 50 000 about 20 s).
    if let Some(at) = index.too_deep {
        return Err(vec![Diagnostic::at(
            source,
            at..at + 1,
            "",
            Msg::new(Key::YamlSyntax),
        )
        .hint(Msg::new(Key::HintYamlGeneral))]);
    }
    if !index.duplicates.is_empty() {
        return Err(index
            .duplicates
            .iter()
            .map(|(path, at)| {
                let key = path.rsplit(['.', ']']).next().unwrap_or_default();
                Diagnostic::at(
                    source,
                    *at..at.saturating_add(key.len().max(1)),
                    path.as_str(),
                    Msg::new(Key::DuplicateKey).arg("key", key),
                )
                .hint(Msg::new(Key::HintDuplicateKey))
            })
            .collect());
    }
    serde_yaml_ng::from_str(&source.text).map_err(|error| {
        let offset = error.location().map_or(0, |l| l.index());
        if let Some(slip) = crate::slips::in_syntax_error(source, offset) {
            return vec![slip];
        }
        let text = error.to_string();
        let at = source.text.get(offset..).and_then(|s| s.chars().next());
        let hint = if text.contains("duplicate entry") {
            Key::HintDuplicateKey
        } else if at == Some('\t') || text.contains("tab") {
            Key::HintYamlTab
        } else if text.contains("cannot start any token") {
            Key::HintYamlCharacter
        } else if text.contains("mapping values are not allowed") {
            Key::HintYamlColon
        } else if text.contains("end of stream")
            || text.contains("unclosed")
            || text.contains("quoted scalar")
            || text.contains("',' or ']'")
            || text.contains("',' or '}'")
        {
            Key::HintYamlUnclosed
        } else if text.contains("did not find expected key")
            || text.contains("did not find expected '-'")
            || text.contains("block sequence entries are not allowed")
        {
            Key::HintYamlIndent
        } else {
            Key::HintYamlGeneral
        };
        vec![
            Diagnostic::at(source, offset..offset + 1, "", Msg::new(Key::YamlSyntax))
                .hint(Msg::new(hint)),
        ]
    })
}

/// What reading a YAML value into a type found.
#[derive(Debug)]
pub struct Read<T> {
    /// The value, unless even recovery could not read the item.
    pub value: Option<T>,
    /// Every problem found on the way, at its place.
    pub problems: Vec<Diagnostic>,
    /// The full paths that were left out or stood in for: nothing about them is to be
    /// reported again, and an item with any is not to be compiled.
    pub damaged: Vec<String>,
}

impl<T> Read<T> {
    /// Read without any problem.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty() && self.damaged.is_empty()
    }

    /// Add the keyboard slips found before reading (`crate::slips::in_values`) and the
    /// paths they put right: those are damaged, and nothing reading found there is said again.
    pub fn after_slips(mut self, slips: Vec<Diagnostic>, put_right: Vec<String>) -> Read<T> {
        self.problems
            .retain(|d| !put_right.iter().any(|p| is_within(&d.path, p)));
        self.problems.splice(0..0, slips);
        self.damaged.splice(0..0, put_right);
        self
    }

    /// Drop the problems found at or inside `put_right` (paths a keyboard slip was reported
    /// for and put right: reading found the slip again).
    pub fn without_problems_at(mut self, put_right: &[String]) -> Read<T> {
        self.problems
            .retain(|d| !put_right.iter().any(|p| is_within(&d.path, p)));
        self
    }
}

/// Read a whole file as `T`, recovering as [`typed`] does, with the index that locates its
/// paths. A file that does not parse at all reads as nothing, with its problem.
pub fn read_file<T: DeserializeOwned>(source: &SourceText) -> (Read<T>, YamlIndex) {
    read(source, false)
}

/// [`read_file`] for a file of the policy format (the facts catalogue, a county): keyboard
/// slips in its keys and codes are reported and put right before it is read
/// (`crate::slips::in_values`). Not for the site's own files, whose values are all free text.
pub fn read_format_file<T: DeserializeOwned>(source: &SourceText) -> (Read<T>, YamlIndex) {
    read(source, true)
}

fn read<T: DeserializeOwned>(source: &SourceText, slips: bool) -> (Read<T>, YamlIndex) {
    let index = YamlIndex::build(source);
    let read = match parse_value(source, &index) {
        Ok(mut value) if slips => {
            let (found, put_right) = crate::slips::in_values(&mut value, source, &index);
            typed(value, "", source, &index).after_slips(found, put_right)
        }
        Ok(value) => typed(value, "", source, &index),
        Err(problems) => Read {
            value: None,
            problems,
            damaged: Vec::new(),
        },
    };
    (read, index)
}

/// How often reading one item is tried again before it is given up: far more than the
/// mistakes anyone makes in one item, few enough that no input makes it slow.
const MAX_TRIES: usize = 64;

/// Stands in for an enum value that is not a word, so that serde names the words allowed.
const NOT_A_WORD: &str = "\u{1}";

/// Deserialize one YAML value (found at `base` in the file) into `T`, reporting every
/// problem at its place and recovering from each (see the module's documentation).
pub fn typed<T: DeserializeOwned>(
    value: Value,
    base: &str,
    source: &SourceText,
    index: &YamlIndex,
) -> Read<T> {
    let mut reader = Reader {
        value,
        base,
        source,
        index,
        problems: Vec::new(),
        damaged: Vec::new(),
        removed: Vec::new(),
        unknown: Vec::new(),
        stand_ins: Vec::new(),
        not_a_word: None,
    };
    for _ in 0..MAX_TRIES {
        // Read from the value lent, not a copy: it stays for the next try (copying every
        // policy's before reading it was 1% of a national build).
        let error = match serde_path_to_error::deserialize::<_, T>(&reader.value) {
            Ok(value) => return reader.finish(Some(value)),
            Err(error) => error,
        };
        let segments: Vec<Segment> = error.path().iter().map(Segment::of).collect();
        let problem = SerdeProblem::of(&error.inner().to_string());
        if !reader.recover(segments, problem) {
            return reader.finish(None);
        }
    }
    reader.finish(None)
}

/// One step of a path into a YAML value.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Seq {
        index: usize,
    },
    Map {
        key: String,
    },
    /// A key that is not text (`1: 1`), or an enum variant: not a place to go to.
    Unknown,
}

impl Segment {
    fn of(segment: &serde_path_to_error::Segment) -> Segment {
        match segment {
            serde_path_to_error::Segment::Seq { index } => Segment::Seq { index: *index },
            serde_path_to_error::Segment::Map { key } => Segment::Map { key: key.clone() },
            _ => Segment::Unknown,
        }
    }
}

/// serde's error, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SerdeProblem {
    UnknownField {
        key: String,
        allowed: Vec<String>,
    },
    MissingField {
        key: String,
    },
    UnknownVariant {
        value: String,
        allowed: Vec<String>,
    },
    /// A value of the wrong kind; `expected` is serde's words for what was wanted.
    WrongType {
        expected: String,
    },
    /// The right kind, out of range (`-3` for a year).
    OutOfRange,
    Other {
        text: String,
    },
}

impl SerdeProblem {
    fn of(text: &str) -> SerdeProblem {
        let quoted = |rest: &str| -> (String, Vec<String>) {
            let first = rest.split('`').next().unwrap_or_default().to_owned();
            let allowed = rest
                .split('`')
                .skip(2)
                .step_by(2)
                .map(str::to_owned)
                .collect();
            (first, allowed)
        };
        if let Some(rest) = text.strip_prefix("unknown field `") {
            let (key, allowed) = quoted(rest);
            return SerdeProblem::UnknownField { key, allowed };
        }
        if let Some(rest) = text.strip_prefix("missing field `") {
            let (key, _) = quoted(rest);
            return SerdeProblem::MissingField { key };
        }
        if let Some(rest) = text.strip_prefix("unknown variant `") {
            let (value, allowed) = quoted(rest);
            return SerdeProblem::UnknownVariant { value, allowed };
        }
        if text.starts_with("invalid type: ") {
            let expected = text
                .split_once(", expected ")
                .map_or_else(String::new, |(_, e)| e.to_owned());
            return SerdeProblem::WrongType { expected };
        }
        if text.starts_with("invalid value: ") {
            return SerdeProblem::OutOfRange;
        }
        SerdeProblem::Other {
            text: text.to_owned(),
        }
    }
}

/// A path the reader invented a value for, and how many kinds of value it has tried.
struct StandIn {
    at: Vec<Segment>,
    tried: usize,
}

struct Reader<'a> {
    value: Value,
    base: &'a str,
    source: &'a SourceText,
    index: &'a YamlIndex,
    problems: Vec<Diagnostic>,
    damaged: Vec<String>,
    /// Keys whose value was reported and left out: a "missing" error for them is ours.
    removed: Vec<Vec<Segment>>,
    /// Unknown keys left out, with the map they were in and the allowed key they are
    /// closest to: a "missing" error for that key is the same mistake.
    unknown: Vec<(Vec<Segment>, String)>,
    stand_ins: Vec<StandIn>,
    /// A value that is not a word where a word (an enum) is wanted, while serde is asked
    /// which words are allowed: where, and what it was.
    not_a_word: Option<(Vec<Segment>, Msg)>,
}

impl Reader<'_> {
    fn finish<T>(self, value: Option<T>) -> Read<T> {
        Read {
            value,
            problems: self.problems,
            damaged: self.damaged,
        }
    }

    fn path(&self, segments: &[Segment]) -> String {
        join(self.base, &relative(segments))
    }

    fn damage(&mut self, segments: &[Segment]) {
        let path = self.path(segments);
        if !self.damaged.contains(&path) {
            self.damaged.push(path);
        }
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        if !self.problems.contains(&diagnostic) {
            self.problems.push(diagnostic);
        }
    }

    /// Deal with one error; `false` when the item cannot be read.
    fn recover(&mut self, segments: Vec<Segment>, problem: SerdeProblem) -> bool {
        // A value that is not a word: serde now says which words are allowed.
        if let Some((at, found)) = self.not_a_word.take() {
            if let (true, SerdeProblem::UnknownVariant { allowed, .. }) =
                (at == segments, problem.clone())
            {
                let path = self.path(&segments);
                let key = key_name(&segments);
                let diagnostic = Diagnostic::at(
                    self.source,
                    self.index.value_span(&path),
                    path.as_str(),
                    Msg::new(Key::WrongType)
                        .arg("key", key)
                        .arg("found", found)
                        .arg("expected", Msg::new(Key::ExpectedWord)),
                )
                .hint(words_allowed(&allowed));
                self.report(diagnostic);
                return self.substitute_word(&segments, &allowed);
            }
        }
        // Inside a value the reader made up, nothing is the clerk's mistake.
        if let Some(position) = self.stand_in_over(&segments) {
            return self.fill_stand_in(position, segments, problem);
        }
        match problem {
            SerdeProblem::UnknownField { key, allowed } => {
                let path = self.path(&segments);
                let near = closest(&key, allowed.iter().map(String::as_str)).map(str::to_owned);
                let mut hints = Vec::new();
                if let Some(near) = &near {
                    hints.push(Msg::new(Key::HintDidYouMean).arg("suggestion", near.as_str()));
                }
                hints.push(if allowed.is_empty() {
                    Msg::new(Key::HintRemoveKey)
                } else {
                    Msg::new(Key::HintKeysAllowed)
                        .list("keys", allowed.iter().map(|k| format!("`{k}`")))
                });
                let diagnostic = Diagnostic::at(
                    self.source,
                    self.index.key_span(&path, key.len()),
                    path.as_str(),
                    Msg::new(Key::UnknownKey).arg("key", key.as_str()),
                )
                .hints(hints);
                self.report(diagnostic);
                let parent = segments[..segments.len().saturating_sub(1)].to_vec();
                if let Some(near) = near {
                    self.unknown.push((parent, near));
                }
                self.damage(&segments);
                remove(&mut self.value, &segments)
            }
            SerdeProblem::MissingField { key } => {
                let mut field = segments.clone();
                field.push(Segment::Map { key: key.clone() });
                let ours = self.removed.contains(&field)
                    || self
                        .unknown
                        .iter()
                        .any(|(map, near)| *map == segments && *near == key);
                if !ours {
                    let path = self.path(&segments);
                    let diagnostic = Diagnostic::at(
                        self.source,
                        self.index.value_span(&path),
                        path.as_str(),
                        Msg::new(Key::MissingKey).arg("key", key.as_str()),
                    )
                    .hint(Msg::new(Key::HintAddKey).arg("example", example_for(&key)));
                    self.report(diagnostic);
                }
                self.damage(&field);
                self.stand_in(field)
            }
            SerdeProblem::UnknownVariant { value, allowed } => {
                let path = self.path(&segments);
                let mut hints = Vec::new();
                if let Some(near) = closest(&value, allowed.iter().map(String::as_str)) {
                    hints.push(Msg::new(Key::HintDidYouMean).arg("suggestion", near));
                }
                hints.push(words_allowed(&allowed));
                let diagnostic = Diagnostic::at(
                    self.source,
                    self.index.value_span(&path),
                    path.as_str(),
                    Msg::new(Key::UnknownValue)
                        .arg("key", key_name(&segments))
                        .arg("value", value.as_str()),
                )
                .hints(hints);
                self.report(diagnostic);
                let near = closest(&value, allowed.iter().map(String::as_str)).map(str::to_owned);
                let mut words = allowed;
                if let Some(near) = near {
                    words.insert(0, near);
                }
                self.substitute_word(&segments, &words)
            }
            SerdeProblem::WrongType { expected } if expected.contains("enum") => {
                // serde names no words for a number or a list where a word goes: ask it.
                let found = describe(get(&self.value, &segments));
                if !set(&mut self.value, &segments, Value::from(NOT_A_WORD)) {
                    return false;
                }
                self.not_a_word = Some((segments, found));
                true
            }
            SerdeProblem::WrongType { expected } => {
                let (segments, diagnostic) = self.wrong_type(segments, &expected);
                self.report(diagnostic);
                self.leave_out(segments)
            }
            SerdeProblem::OutOfRange => {
                let path = self.path(&segments);
                let value = get(&self.value, &segments).map_or_else(String::new, scalar_text);
                let key = key_name(&segments);
                let diagnostic = Diagnostic::at(
                    self.source,
                    self.index.value_span(&path),
                    path.as_str(),
                    Msg::new(Key::NumberOutOfRange)
                        .arg("key", key)
                        .arg("value", value),
                )
                .hint(
                    Msg::new(Key::HintWriteLike).arg("example", example_for(&last_key(&segments))),
                );
                self.report(diagnostic);
                self.leave_out(segments)
            }
            SerdeProblem::Other { text } => {
                let path = self.path(&segments);
                let found = describe(get(&self.value, &segments));
                let diagnostic = Diagnostic::at(
                    self.source,
                    self.index.value_span(&path),
                    path.as_str(),
                    Msg::new(Key::WrongType)
                        .arg("key", key_name(&segments))
                        .arg("found", found)
                        .arg("expected", Msg::new(Key::ExpectedOther).arg("what", text)),
                );
                self.report(diagnostic);
                self.leave_out(segments)
            }
        }
    }

    /// A wrong type at `segments`: the diagnostic, and where to recover (the first key above
    /// a key that is not text, such as `lines: {1: 1}`, since that key cannot be removed).
    fn wrong_type(&self, segments: Vec<Segment>, expected: &str) -> (Vec<Segment>, Diagnostic) {
        let segments = match segments.iter().position(|s| matches!(s, Segment::Unknown)) {
            Some(cut) => segments[..cut].to_vec(),
            None => segments,
        };
        let path = self.path(&segments);
        let value = get(&self.value, &segments);
        let key = last_key(&segments);
        let (expected_msg, hint) = expectation(expected, &key, value);
        let at_root = segments.is_empty();
        // `rules: 【pigs, cattle】`: a list typed with full-width brackets reads as text.
        let want_list = expected == "a sequence";
        let want_map = expected.starts_with("struct ") || expected == "a map";
        if let (Some(Value::String(text)), false, true) = (value, at_root, want_list || want_map) {
            if let Some((opener, fixed)) = crate::slips::bracketed(text, want_list) {
                let diagnostic = Diagnostic::at(
                    self.source,
                    self.index.value_span(&path),
                    path.as_str(),
                    crate::slips::message(opener, text),
                )
                .hint(Msg::new(Key::HintHalfWidth).arg("fixed", format!("{key}: {fixed}")));
                return (segments, diagnostic);
            }
        }
        let message = if at_root {
            Msg::new(Key::FileShape).arg("found", describe(value))
        } else {
            Msg::new(Key::WrongType)
                .arg("key", key_name(&segments))
                .arg("found", describe(value))
                .arg("expected", expected_msg)
        };
        let mut diagnostic = Diagnostic::at(
            self.source,
            self.index.value_span(&path),
            path.as_str(),
            message,
        );
        if at_root {
            diagnostic = diagnostic.hint(Msg::new(Key::HintFileShape));
        } else if let Some(hint) = hint {
            diagnostic = diagnostic.hint(hint);
        }
        (segments, diagnostic)
    }

    /// Leave out the value at `segments`: remove its key, or stand in for a list item (so
    /// the items after it keep their numbers); `false` at the top, where nothing is left.
    fn leave_out(&mut self, segments: Vec<Segment>) -> bool {
        self.damage(&segments);
        match segments.last() {
            Some(Segment::Map { .. }) => {
                self.removed.push(segments.clone());
                remove(&mut self.value, &segments)
            }
            Some(Segment::Seq { .. }) => self.stand_in(segments),
            _ => false,
        }
    }

    /// Put a made-up value at `at`, starting with empty text.
    fn stand_in(&mut self, at: Vec<Segment>) -> bool {
        if !set(&mut self.value, &at, Value::from("")) {
            return false;
        }
        self.stand_ins.push(StandIn { at, tried: 0 });
        true
    }

    /// The innermost stand-in that `segments` is at or inside.
    fn stand_in_over(&self, segments: &[Segment]) -> Option<usize> {
        self.stand_ins
            .iter()
            .enumerate()
            .filter(|(_, s)| segments.starts_with(&s.at))
            .max_by_key(|(_, s)| s.at.len())
            .map(|(i, _)| i)
    }

    /// An error inside a made-up value: try another kind of value, fill in what it misses,
    /// or name a word it allows.
    fn fill_stand_in(
        &mut self,
        position: usize,
        segments: Vec<Segment>,
        problem: SerdeProblem,
    ) -> bool {
        match problem {
            SerdeProblem::MissingField { key } => {
                let mut field = segments;
                field.push(Segment::Map { key });
                self.stand_in(field)
            }
            SerdeProblem::UnknownVariant { allowed, .. } => {
                self.substitute_word(&segments, &allowed)
            }
            SerdeProblem::WrongType { expected } if expected.contains("enum") => {
                set(&mut self.value, &segments, Value::from(NOT_A_WORD))
            }
            _ => {
                let Some(stand_in) = self.stand_ins.get_mut(position) else {
                    return false;
                };
                if stand_in.at != segments {
                    // A made-up value that is wrong inside: nothing more to try.
                    return false;
                }
                stand_in.tried += 1;
                let next = match stand_in.tried {
                    1 => Value::Sequence(Vec::new()),
                    2 => Value::Mapping(Mapping::new()),
                    3 => Value::from(0),
                    _ => return false,
                };
                set(&mut self.value, &segments, next)
            }
        }
    }

    /// Stand in for a word with the first of `words` (the closest, when given first).
    fn substitute_word(&mut self, segments: &[Segment], words: &[String]) -> bool {
        self.damage(segments);
        match words.first() {
            Some(word) => set(&mut self.value, segments, Value::from(word.as_str())),
            None => false,
        }
    }
}

/// `rules[1].cap` relative to the item, as serde_path_to_error writes it.
fn relative(segments: &[Segment]) -> String {
    let mut out = String::new();
    for segment in segments {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Unknown => {}
        }
    }
    out
}

/// The name of the last key of a path (`cap` of `rules[1].cap`), or empty.
fn last_key(segments: &[Segment]) -> String {
    segments
        .iter()
        .rev()
        .find_map(|s| match s {
            Segment::Map { key } => Some(key.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

/// What to call the value at a path in a message: its key, or "item 2 of rules".
fn key_name(segments: &[Segment]) -> Arg {
    match segments.last() {
        Some(Segment::Seq { index }) => Msg::new(Key::PlaceItem)
            .arg("list", last_key(segments))
            .arg("n", index.saturating_add(1))
            .into(),
        _ => Arg::Text(last_key(segments)),
    }
}

fn get<'v>(value: &'v Value, segments: &[Segment]) -> Option<&'v Value> {
    let mut here = value;
    for segment in segments {
        here = match (segment, here) {
            (Segment::Seq { index }, Value::Sequence(items)) => items.get(*index)?,
            (Segment::Map { key }, Value::Mapping(map)) => map.get(key.as_str())?,
            _ => return None,
        };
    }
    Some(here)
}

fn get_mut<'v>(value: &'v mut Value, segments: &[Segment]) -> Option<&'v mut Value> {
    let mut here = value;
    for segment in segments {
        here = match (segment, here) {
            (Segment::Seq { index }, Value::Sequence(items)) => items.get_mut(*index)?,
            (Segment::Map { key }, Value::Mapping(map)) => map.get_mut(key.as_str())?,
            _ => return None,
        };
    }
    Some(here)
}

/// Remove the key at the end of `segments`; `false` when there is no such key.
fn remove(value: &mut Value, segments: &[Segment]) -> bool {
    let Some((Segment::Map { key }, parent)) = segments.split_last() else {
        return false;
    };
    match get_mut(value, parent) {
        Some(Value::Mapping(map)) => map.shift_remove(key.as_str()).is_some(),
        _ => false,
    }
}

/// Set the value at `segments`, adding the key if the map lacks it.
fn set(value: &mut Value, segments: &[Segment], new: Value) -> bool {
    let Some((last, parent)) = segments.split_last() else {
        return false;
    };
    match (last, get_mut(value, parent)) {
        (Segment::Map { key }, Some(Value::Mapping(map))) => {
            map.insert(Value::from(key.as_str()), new);
            true
        }
        (Segment::Seq { index }, Some(Value::Sequence(items))) => match items.get_mut(*index) {
            Some(slot) => {
                *slot = new;
                true
            }
            None => false,
        },
        _ => false,
    }
}

/// A scalar as its text (`400`, `true`, `x`).
fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => String::new(),
        Value::Sequence(_) | Value::Mapping(_) => String::from("…"),
        Value::Tagged(tagged) => scalar_text(&tagged.value),
    }
}

/// What a value is, in words.
fn describe(value: Option<&Value>) -> Msg {
    match value {
        Some(Value::Number(n)) => Msg::new(Key::FoundNumber).arg("value", n.to_string()),
        Some(Value::String(s)) => Msg::new(Key::FoundText).arg("value", s.as_str()),
        Some(Value::Bool(b)) => Msg::new(Key::FoundYesNo).arg("value", b.to_string()),
        Some(Value::Sequence(_)) => Msg::new(Key::FoundList),
        Some(Value::Mapping(_)) => Msg::new(Key::FoundMap),
        Some(Value::Null) | None => Msg::new(Key::FoundEmpty),
        Some(Value::Tagged(tagged)) => describe(Some(&tagged.value)),
    }
}

/// What was expected, in words, and what to write: from serde's words for the type, the
/// key's name and the value found (`rate: 400` needs its unit: `rate: 400 元/头`).
fn expectation(expected: &str, key: &str, value: Option<&Value>) -> (Msg, Option<Msg>) {
    let number = matches!(value, Some(Value::Number(_) | Value::Bool(_)));
    let text = value.map(scalar_text).unwrap_or_default();
    if expected == "a string" {
        let hint = match key {
            _ if !number => None,
            // A number is read as the formula's text, and `compile` names the unit it lacks;
            // only yes/no gets here.
            "rate" | "cap" | "amount" | "cap_without_rate" | "max_principal" | "max_quantity" => {
                None
            }
            "share" => Some(Msg::new(Key::HintSharePercent)),
            "code" | "county" => Some(
                Msg::new(Key::HintQuoteCode)
                    .arg("key", key)
                    .arg("value", text),
            ),
            _ => Some(
                Msg::new(Key::HintQuoteText)
                    .arg("key", key)
                    .arg("value", text),
            ),
        };
        let hint = hint.or_else(|| example_hint(key));
        return (Msg::new(Key::ExpectedText), hint);
    }
    if expected == "a sequence" {
        return (
            Msg::new(Key::ExpectedList),
            Some(Msg::new(Key::HintWriteList).arg("key", key)),
        );
    }
    if expected.starts_with("struct ") || expected == "a map" {
        return (
            Msg::new(Key::ExpectedMap),
            Some(Msg::new(Key::HintWriteMap).arg("key", key)),
        );
    }
    if ["u8", "u16", "u32", "u64", "usize", "i32", "i64"].contains(&expected) {
        return (Msg::new(Key::ExpectedWholeNumber), example_hint(key));
    }
    if expected == "a number, yes/no or text" {
        return (Msg::new(Key::ExpectedScalar), example_hint(key));
    }
    (Msg::new(Key::ExpectedOther).arg("what", expected), None)
}

/// `For example `until: 2014`` for keys with a known example.
fn example_hint(key: &str) -> Option<Msg> {
    let example = example_for(key);
    (!example.ends_with('…')).then(|| Msg::new(Key::HintWriteLike).arg("example", example))
}

/// A line showing how a key is written, for "add it" and "write it like this" hints.
fn example_for(key: &str) -> String {
    let value = match key {
        "id" => "pigs",
        "label" => "养猪",
        "clause" => "c2-1",
        "title" => "关于推进产业扶贫的实施方案",
        "county" | "code" => "\"610926\"",
        "kind" => "policy",
        "province" => "陕西省",
        "prefecture" => "安康市",
        "genre" => "实施方案",
        "source" => "{ name: 某县人民政府网站 }",
        "status" => "in_force",
        "from" | "date" | "written" | "published" => "2020-06-01",
        "to" => "2020-12-31",
        "type" => "count",
        "group" => "livestock",
        "facts" => "{ registered_poor: true, pigs: 5 }",
        "expect" => "{ total: 1500 }",
        "total" => "1500",
        "rules" => "[pigs, chickens]",
        "interest" => "政府贴息3年",
        "parts" => "[{ label: 产前, share: 60% }, { label: 产后, share: 40% }]",
        "until" => "2014",
        "round_to" => "2",
        "text" => "编者注：……",
        "rate" => "300 元/头",
        "quantity" => "pigs",
        "cap" | "amount" => "2000 元",
        "max" => "10000",
        "min" => "0",
        "unit" => "头",
        _ => "…",
    };
    format!("{key}: {value}")
}

/// "Allowed: in_force (有效), amended (已修订) …", with what each word means where known.
fn words_allowed(words: &[String]) -> Msg {
    let items: Vec<Arg> = words
        .iter()
        .map(|word| {
            let shown = format!("`{word}`");
            match Key::from_name(&format!("word.{word}")) {
                Some(meaning) => Msg::new(Key::WordWithMeaning)
                    .arg("word", shown)
                    .arg("meaning", Msg::new(meaning))
                    .into(),
                None => Arg::Text(shown),
            }
        })
        .collect();
    Msg::new(Key::HintWordsAllowed).arg("words", Arg::List(items))
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

    #[test]
    fn deep_nesting_is_indexed_without_recursion_or_quadratic_paths() {
        // Found while writing the policy_file fuzz target (a hand-made input):
        // 200 000 levels of `- ` overflowed the stack inside yaml-rust2's
        // recursive loader, and a path per level made 4 000 levels take most of a second.
        let deep = format!("rules:\n{}a\n", "- ".repeat(200_000));
        let source = SourceText::new("t.yaml", deep);
        let started = std::time::Instant::now();
        let index = YamlIndex::build(&source);
        assert_eq!(source.line_col(index.value_span("rules[0][0]").start).0, 2);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn nesting_serde_refuses_is_refused_before_libyaml_reads_it() {
        // Exactly the files serde refuses for their depth are refused early, flow or block.
        for depth in 120..136 {
            for text in [
                format!("a: {}1{}\n", "[".repeat(depth), "]".repeat(depth)),
                format!("a: {}1{}\n", "{b: ".repeat(depth), "}".repeat(depth)),
                format!("a:\n{}1\n", "- ".repeat(depth)),
            ] {
                let source = SourceText::new("t.yaml", text.as_str());
                let early = parse_value(&source, &YamlIndex::build(&source)).is_err();
                let serde = serde_yaml_ng::from_str::<Value>(&text).is_err();
                assert_eq!(early, serde, "depth {depth}: {}", &text[..12]);
            }
        }
        // 100 000 levels of `[` took libyaml minutes; it is now refused at once.
        let deep = format!("a: {}\n", "[".repeat(100_000));
        let source = SourceText::new("t.yaml", deep);
        let started = std::time::Instant::now();
        assert!(parse_value(&source, &YamlIndex::build(&source)).is_err());
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn a_lazy_index_reads_a_file_as_a_built_one_does_and_only_a_bad_file_is_indexed() {
        let nested = |open: &str, close: &str, depth| {
            format!("a: {}1{}\n", open.repeat(depth), close.repeat(depth))
        };
        let cases = [
            ("rules:\n  - id: a\n    rate: '5 元'\n".to_owned(), false),
            ("name: 甲\nname: 乙\n".to_owned(), true),
            // Told apart by serde, the same text to the index.
            ("facts:\n  1: a\n  \"1\": b\n".to_owned(), true),
            ("a: [1, 2\n".to_owned(), true),
            ("a:\n\tb: 1\n".to_owned(), true),
            (nested("[", "]", 100), false),
            (nested("[", "]", 129), true),
            (nested("{b: ", "}", 129), true),
            (format!("a:\n{}1\n", "- ".repeat(129)), true),
            (nested("[", "]", 100_000), true),
            (format!("rules:\n{}a\n", "- ".repeat(200_000)), true),
            // A tag makes a second key to serde, the same key to the index.
            ("facts:\n  !x pigs: 1\n  pigs: 2\n".to_owned(), true),
            ("a:\n  - b: 1\n    \"b\": 2\n".to_owned(), true),
            ("a: {b: 1, b: 2}\n".to_owned(), true),
            ("a: 1\n---\nb: 2\n".to_owned(), true),
        ];
        for (text, bad) in cases {
            let source = Arc::new(SourceText::new("t.yaml", text.as_str()));
            let lazy = YamlIndex::lazy(source.clone());
            let started = std::time::Instant::now();
            let read = parse_value(&source, &lazy);
            assert!(started.elapsed() < std::time::Duration::from_secs(5));
            let shown: String = text.chars().take(20).collect();
            assert_eq!(
                read,
                parse_value(&source, &YamlIndex::build(&source)),
                "{shown}"
            );
            assert_eq!(read.is_err(), bad, "{shown}");
            assert_eq!(lazy.is_unbuilt(), !bad, "{shown}");
        }
        // Asked for a position, it finds the same one.
        let source = Arc::new(SourceText::new("t.yaml", "a:\n  b: 1\n"));
        let lazy = YamlIndex::lazy(source.clone());
        assert_eq!(
            lazy.value_span("a.b"),
            YamlIndex::build(&source).value_span("a.b")
        );
        assert_eq!(source.line_col(lazy.value_span("a.b").start), (2, 6));
    }

    use crate::messages::{Key, Lang};
    use crate::source::{CountySource, RuleSource};

    fn reading<T: DeserializeOwned>(text: &str) -> Read<T> {
        let source = SourceText::new("t.yaml", text);
        read_file::<T>(&source).0
    }

    fn codes<T>(read: &Read<T>) -> Vec<(&'static str, String, u32)> {
        read.problems
            .iter()
            .map(|d| (d.code, d.path.clone(), d.line))
            .collect()
    }

    const RULE: &str = "id: pigs\nlabel: 养猪\nclause: c2-1\nquantity: pigs\nrate: 300 元/头\n";

    #[test]
    fn an_unknown_key_is_reported_and_left_out() {
        let read = reading::<RuleSource>(&format!("{RULE}colour: red\nshade: blue\n"));
        assert_eq!(
            codes(&read),
            [
                ("unknown-key", "colour".to_owned(), 6),
                ("unknown-key", "shade".to_owned(), 7)
            ]
        );
        assert!(read
            .value
            .is_some_and(|r| r.rate.as_deref() == Some("300 元/头")));
        assert_eq!(read.damaged, ["colour", "shade"]);
    }

    #[test]
    fn a_wrong_type_in_an_optional_key_is_left_out() {
        let read = reading::<RuleSource>(&format!("{RULE}cap: [2000]\nround_to: two\n"));
        assert_eq!(
            codes(&read),
            [
                ("wrong-type", "cap".to_owned(), 6),
                ("wrong-type", "round_to".to_owned(), 7)
            ]
        );
        let rule = read.value.unwrap_or_else(|| panic!("the rule is read"));
        assert_eq!((rule.cap, rule.round_to), (None, None));
    }

    #[test]
    fn only_files_of_the_policy_format_are_searched_for_slips() {
        // The site's own files (strings, site.yaml) are free text throughout.
        let text = "home_intro: 查阅全文，看清“每一项”。\n";
        let read = reading::<std::collections::BTreeMap<String, String>>(text);
        assert!(read.is_clean(), "{:?}", codes(&read));
        // A county file's code is not.
        let source = SourceText::new(
            "t.yaml",
            "code: “100001”\nname: 甲\nprovince: 省\nprefecture: 市\n",
        );
        let (read, _) = read_format_file::<CountySource>(&source);
        assert_eq!(codes(&read), [("chinese-quotes", "code".to_owned(), 1)]);
        assert!(read.value.is_some_and(|county| county.code == "100001"));
    }

    #[test]
    fn a_bare_number_in_a_formula_key_is_read_as_its_text() {
        // `cap: 2000` lacks its unit; the check says which (it knows the rule), so reading
        // keeps the number as the formula's text rather than calling it "not text".
        let read = reading::<RuleSource>(&format!("{RULE}cap: 2000\nmax_quantity: 2.5\n"));
        assert!(read.is_clean(), "{:?}", codes(&read));
        let rule = read.value.unwrap_or_else(|| panic!("the rule is read"));
        assert_eq!(rule.cap.as_deref(), Some("2000"));
        assert_eq!(rule.max_quantity.as_deref(), Some("2.5"));
        // Yes/no is still not a formula.
        let read = reading::<RuleSource>(&format!("{RULE}cap: true\n"));
        assert_eq!(codes(&read), [("wrong-type", "cap".to_owned(), 6)]);
    }

    #[test]
    fn a_missing_or_unreadable_required_key_is_stood_in_for_and_reported_once() {
        // `lable` for `label`: one mistake, not "unknown key" and "missing label".
        let read = reading::<RuleSource>("id: pigs\nlable: 养猪\nclause: c2-1\n");
        assert_eq!(codes(&read), [("unknown-key", "lable".to_owned(), 2)]);
        assert!(read.value.is_some());
        assert!(read.damaged.contains(&"label".to_owned()));
        // A label written as a list: the wrong type, and nothing about it missing.
        let read = reading::<RuleSource>("id: pigs\nlabel: [养猪]\nclause: c2-1\n");
        assert_eq!(codes(&read), [("wrong-type", "label".to_owned(), 2)]);
        assert!(read.value.is_some());
        // Really missing: reported, and the item is still read.
        let read = reading::<RuleSource>("id: pigs\nclause: c2-1\nloan: {}\n");
        assert_eq!(
            codes(&read),
            [
                ("missing-key", "loan".to_owned(), 3),
                ("missing-key", String::new(), 1)
            ]
        );
        assert!(read.value.is_some_and(|r| r.loan.is_some()));
    }

    #[test]
    fn a_word_that_is_not_allowed_names_the_words_that_are() {
        let read = reading::<RuleSource>(&format!("{RULE}for: people\n"));
        assert_eq!(codes(&read), [("unknown-value", "for".to_owned(), 6)]);
        let hint = read.problems[0].hint_in(Lang::Zh).unwrap_or_default();
        assert!(hint.contains("`household`（农户）"), "{hint}");
        // A number where a word goes: serde names no words, so they are asked for.
        let read = reading::<RuleSource>(&format!("{RULE}for: 3\n"));
        assert_eq!(codes(&read), [("wrong-type", "for".to_owned(), 6)]);
        let message = read.problems[0].message_in(Lang::Zh);
        assert_eq!(message, "`for` 写成了数字 3，这里要的是规定的几个词之一");
        assert!(read.problems[0]
            .hint_in(Lang::Zh)
            .is_some_and(|h| h.contains("`enterprise`")));
    }

    #[test]
    fn keys_that_are_not_text_and_list_items_of_the_wrong_type() {
        let read = reading::<crate::source::GroupSource>(
            "id: g\nlabel: 组\nclause: c1\nrules: [pigs, [x], bees]\ncap: 3000 元\n",
        );
        assert_eq!(codes(&read), [("wrong-type", "rules[1]".to_owned(), 4)]);
        let group = read.value.unwrap_or_else(|| panic!("the group is read"));
        // The bad item is stood in for, so the others keep their places.
        assert_eq!(group.rules.get(2).map(String::as_str), Some("bees"));
        let read = reading::<crate::source::ExpectSource>("total: 1\nlines: {1: 1}\n");
        assert_eq!(codes(&read), [("wrong-type", "lines".to_owned(), 2)]);
    }

    #[test]
    fn a_key_written_twice_is_found_where_it_is() {
        let read = reading::<CountySource>(
            "code: \"100001\"\nname: 甲\nname: 乙\nprovince: 省\nprefecture: 市\n",
        );
        assert_eq!(codes(&read), [("duplicate-key", "name".to_owned(), 3)]);
        assert!(read.value.is_none());
    }

    #[test]
    fn a_file_that_is_not_key_value_lines_says_so() {
        let read = reading::<CountySource>("- a\n- b\n");
        assert_eq!(codes(&read), [("file-shape", String::new(), 1)]);
        assert!(read.value.is_none());
    }

    #[test]
    fn any_number_of_mistakes_ends() {
        let text: String = (0..200).map(|i| format!("k{i}: x\n")).collect();
        let read = reading::<RuleSource>(&format!("{RULE}{text}"));
        assert!(read.value.is_none());
        assert_eq!(read.problems.len(), MAX_TRIES);
        assert!(read
            .problems
            .iter()
            .all(|d| d.message.key == Key::UnknownKey));
    }
}
