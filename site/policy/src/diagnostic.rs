//! User-facing errors: file, line, column, YAML path, a stable code, what is wrong and what
//! to write instead, rendered in the clerk's language with a source snippet for people and as
//! JSON (with the code) for machines.

use crate::messages::{Key, Lang, Msg};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use serde::Serialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

/// A file's text with its line starts, for turning byte offsets into line and column.
#[derive(Debug)]
pub struct SourceText {
    /// The path shown to people, relative to the project root, with `/`.
    pub name: String,
    /// The whole text.
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceText {
    /// A file's text, with its line starts worked out once.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceText {
        let text = text.into();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceText {
            name: name.into(),
            text,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .max(1);
        let start = self.line_starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(1, |s| s.chars().count() + 1);
        (line, column)
    }

    /// The byte offset of a 1-based line and 0-based character column.
    pub fn offset_of(&self, line: usize, column_chars: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        rest.char_indices()
            .nth(column_chars)
            .map_or(self.text.len(), |(i, _)| start + i)
    }

    /// Clamp a span to the file and to char boundaries, so rendering never panics.
    fn safe_span(&self, span: &Range<usize>) -> Range<usize> {
        let mut start = span.start.min(self.text.len());
        while !self.text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = span.end.clamp(start, self.text.len());
        while !self.text.is_char_boundary(end) {
            end += 1;
        }
        start..end
    }
}

/// One problem found in the project: where, its stable code, and what to do, as data that
/// is put into words only when shown ([`Diagnostic::message_in`], [`Diagnostics::render_in`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Relative path of the file, with `/`.
    pub file: String,
    // u32 keeps a Diagnostic small enough to return by value in a Result.
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// Where in the YAML: `rules[2].rate`; empty for whole-file problems.
    pub path: String,
    /// The stable machine code (`unknown-key`); usually the key of [`Diagnostic::message`].
    pub code: &'static str,
    /// What is wrong.
    pub message: Msg,
    /// What to write instead, one sentence each.
    pub hints: Vec<Msg>,
    /// The bytes of the file it is about.
    pub span: Range<usize>,
}

impl Diagnostic {
    /// A problem at a byte span of a file.
    pub fn at(
        source: &SourceText,
        span: Range<usize>,
        path: impl Into<String>,
        message: Msg,
    ) -> Diagnostic {
        let span = source.safe_span(&span);
        let (line, column) = source.line_col(span.start);
        Diagnostic {
            file: source.name.clone(),
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
            path: path.into(),
            code: message.key.name(),
            message,
            hints: Vec::new(),
            span,
        }
    }

    /// A problem with a file (or folder) as a whole: missing, unreadable, misplaced.
    pub fn file(file: impl Into<String>, message: Msg) -> Diagnostic {
        Diagnostic {
            file: file.into(),
            line: 1,
            column: 1,
            path: String::new(),
            code: message.key.name(),
            message,
            hints: Vec::new(),
            span: 0..0,
        }
    }

    /// A file that could not be read, said in the clerk's terms: missing, not UTF-8 text, or
    /// (rarely) what the system said.
    pub fn unreadable(file: impl Into<String>, error: &std::io::Error) -> Diagnostic {
        let file = file.into();
        let name = file.rsplit('/').next().unwrap_or_default().to_owned();
        match error.kind() {
            std::io::ErrorKind::NotFound => {
                Diagnostic::file(file, Msg::new(Key::FileMissing).arg("name", name.clone()))
                    .hint(Msg::new(Key::HintFileMissing).arg("name", name))
            }
            std::io::ErrorKind::InvalidData => Diagnostic::file(file, Msg::new(Key::FileNotUtf8))
                .hint(Msg::new(Key::HintFileUnreadable)),
            _ => Diagnostic::file(
                file,
                Msg::new(Key::FileUnreadable).arg("error", error.to_string()),
            )
            .hint(Msg::new(Key::HintFileUnreadable)),
        }
    }

    /// The same, with one more hint.
    #[must_use]
    pub fn hint(mut self, hint: Msg) -> Diagnostic {
        self.hints.push(hint);
        self
    }

    /// The same, with hints added.
    #[must_use]
    pub fn hints(mut self, hints: impl IntoIterator<Item = Msg>) -> Diagnostic {
        self.hints.extend(hints);
        self
    }

    /// The same under another code (when the message is a wrapper, e.g. `example-fact`
    /// around the engine's `fact-negative`).
    #[must_use]
    pub fn code(mut self, code: &'static str) -> Diagnostic {
        self.code = code;
        self
    }

    /// What is wrong, in `lang`.
    pub fn message_in(&self, lang: Lang) -> String {
        self.message.render(lang)
    }

    /// What to do, in `lang`; `None` when there is no hint.
    pub fn hint_in(&self, lang: Lang) -> Option<String> {
        if self.hints.is_empty() {
            return None;
        }
        let parts: Vec<String> = self.hints.iter().map(|h| h.render(lang)).collect();
        Some(parts.join(lang.hint_separator()))
    }

    /// Where in the file, in words (`第2条规则 › rate`); empty for a whole file.
    pub fn place_in(&self, lang: Lang) -> String {
        place(&self.path, lang)
    }

    /// The problem as `--format json` prints it: place, code, message and hint (in `lang`).
    pub fn to_json(&self, lang: Lang) -> DiagnosticJson {
        DiagnosticJson {
            file: self.file.clone(),
            line: self.line,
            column: self.column,
            path: self.path.clone(),
            code: self.code,
            message: self.message_in(lang),
            hint: self.hint_in(lang),
        }
    }
}

/// A problem as JSON, its fields in this order: where, the stable code, then the words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiagnosticJson {
    /// Relative path of the file, with `/`.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// Where in the YAML: `rules[2].rate`; empty for whole-file problems.
    pub path: String,
    /// The stable machine code (`unknown-key`).
    pub code: &'static str,
    /// What is wrong, in the chosen language.
    pub message: String,
    /// What to do, in the chosen language.
    pub hint: Option<String>,
}

/// As JSON, in Chinese (the language of the clerks); [`Diagnostic::to_json`] chooses.
impl Serialize for Diagnostic {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json(Lang::Zh).serialize(serializer)
    }
}

/// `file:line:col: message (hint)`, in Chinese; [`Diagnostic::message_in`] chooses.
impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lang = Lang::Zh;
        write!(
            f,
            "{}:{}:{}: {}",
            self.file,
            self.line,
            self.column,
            self.message_in(lang)
        )?;
        if let Some(hint) = self.hint_in(lang) {
            write!(
                f,
                "（{}）",
                Msg::new(Key::CliHint).arg("hint", hint).render(lang)
            )?;
        }
        Ok(())
    }
}

/// A YAML path in words: `rules[1].schedule.parts[0].share` → `第2条规则 › schedule › 第1期 ›
/// share`. Lists a clerk knows by name say which item; keys stay as written in the file.
pub fn place(path: &str, lang: Lang) -> String {
    let mut pieces: Vec<String> = Vec::new();
    for segment in path.split('.').filter(|s| !s.is_empty()) {
        let mut rest = segment;
        // `rules[1]`, `expect.schedule.household-cap[0]`, or `notes[1][0]` in theory.
        let name_end = rest.find('[').unwrap_or(rest.len());
        let name = &rest[..name_end];
        rest = &rest[name_end..];
        let mut indexes = Vec::new();
        while let Some(inner) = rest.strip_prefix('[') {
            let Some(close) = inner.find(']') else { break };
            indexes.push(inner[..close].parse::<usize>().ok());
            rest = &inner[close + 1..];
        }
        let mut indexes = indexes.into_iter();
        let first = indexes.next();
        match first {
            None => {
                if !name.is_empty() {
                    pieces.push(name.to_owned());
                }
            }
            Some(index) => {
                let n = index.map_or_else(|| "?".to_owned(), |i| (i + 1).to_string());
                let key = match name {
                    "rules" => Some(Key::PlaceRules),
                    "groups" => Some(Key::PlaceGroups),
                    "examples" => Some(Key::PlaceExamples),
                    "facts" => Some(Key::PlaceFacts),
                    "parts" => Some(Key::PlaceParts),
                    "notes" => Some(Key::PlaceNotes),
                    "steps" => Some(Key::PlaceSteps),
                    "former" => Some(Key::PlaceFormer),
                    _ => None,
                };
                pieces.push(match key {
                    Some(key) => Msg::new(key).arg("n", n).render(lang),
                    None => Msg::new(Key::PlaceItem)
                        .arg("list", name)
                        .arg("n", n)
                        .render(lang),
                });
            }
        }
        for index in indexes {
            let n = index.map_or_else(|| "?".to_owned(), |i| (i + 1).to_string());
            let outer = pieces.pop().unwrap_or_default();
            pieces.push(
                Msg::new(Key::PlaceItem)
                    .arg("list", outer)
                    .arg("n", n)
                    .render(lang),
            );
        }
    }
    let mut pieces = pieces.into_iter();
    let Some(first) = pieces.next() else {
        return String::new();
    };
    pieces.fold(first, |outer, inner| {
        Msg::new(Key::PlaceOf)
            .arg("outer", outer)
            .arg("inner", inner)
            .render(lang)
    })
}

/// A file as miette reads it, but with columns counted in characters, as in our headings,
/// the JSON output and editors (miette counts bytes, which disagree on Chinese lines).
struct CharColumns {
    name: String,
    text: String,
}

impl SourceCode for CharColumns {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let contents =
            self.text
                .as_str()
                .read_span(span, context_lines_before, context_lines_after)?;
        let start = contents.span().offset();
        let before = self.text.get(..start).unwrap_or_default();
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before.get(line_start..).map_or(0, |s| s.chars().count());
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            contents.data(),
            *contents.span(),
            contents.line(),
            column,
            contents.line_count(),
        )))
    }
}

/// All problems of one run, with the sources needed to show them.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    /// The problems, in the order found until [`Diagnostics::sort`].
    pub items: Vec<Diagnostic>,
    sources: BTreeMap<String, Arc<SourceText>>,
}

impl Diagnostics {
    /// Add a problem.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Keep a file's text, so that its problems are shown with their lines.
    pub fn add_source(&mut self, source: Arc<SourceText>) {
        self.sources.insert(source.name.clone(), source);
    }

    /// No problem at all.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// How many problems.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Sort by file and position, so output is stable whatever order files were read in.
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            (&a.file, a.line, a.column, a.code, &a.path)
                .cmp(&(&b.file, b.line, b.column, b.code, &b.path))
        });
        self.items.dedup();
    }

    /// Every problem with a snippet of its source, in Chinese; see [`Diagnostics::render_in`].
    pub fn render(&self) -> String {
        self.render_in(Lang::Zh)
    }

    /// Every problem with a snippet of its source, for a terminal (no colour, so it reads the
    /// same in a log): `file:line:col: message`, the lines around it with the place
    /// underlined and named, and the hint.
    pub fn render_in(&self, lang: Lang) -> String {
        let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
            .with_context_lines(1)
            // No wrapping: a Chinese line cut in the middle of a word reads worse than a long
            // line the terminal wraps.
            .with_width(10_000);
        let mut out = String::new();
        for item in &self.items {
            let heading = format!(
                "{}:{}:{}: {}",
                item.file,
                item.line,
                item.column,
                item.message_in(lang)
            );
            let diagnostic = MietteDiagnostic::new(heading.clone());
            let label = match item.place_in(lang) {
                place if place.is_empty() => Msg::new(Key::PhraseHere).render(lang),
                place => place,
            };
            let mut rendered = String::new();
            let ok = match self.sources.get(&item.file) {
                Some(source) if !source.text.is_empty() => {
                    let span = source.safe_span(&item.span);
                    let diagnostic = diagnostic.with_label(LabeledSpan::at(span, label));
                    let report = miette::Report::new(diagnostic).with_source_code(CharColumns {
                        name: source.name.clone(),
                        text: source.text.clone(),
                    });
                    handler
                        .render_report(&mut rendered, report.as_ref())
                        .is_ok()
                }
                _ => {
                    let report = miette::Report::new(diagnostic);
                    handler
                        .render_report(&mut rendered, report.as_ref())
                        .is_ok()
                }
            };
            if ok {
                out.push_str(rendered.trim_end());
                out.push('\n');
            } else {
                out.push_str(&format!("  × {heading}\n"));
            }
            // miette would say `help:`; the hint is ours, in the clerk's language.
            if let Some(hint) = item.hint_in(lang) {
                let hint = Msg::new(Key::CliHint).arg("hint", hint).render(lang);
                for (i, line) in hint.lines().enumerate() {
                    let indent = if i == 0 { "  " } else { "    " };
                    out.push_str(indent);
                    out.push_str(line);
                    out.push('\n');
                }
            }
            out.push('\n');
        }
        out
    }

    /// Every problem as JSON (in `lang`), in order.
    pub fn to_json(&self, lang: Lang) -> Vec<DiagnosticJson> {
        self.items.iter().map(|d| d.to_json(lang)).collect()
    }
}
