//! User-facing errors: file, line, column, YAML path, what is wrong and what to write instead,
//! rendered with a source snippet for people and as JSON for machines.

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
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceText {
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

/// One problem found in the project.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Diagnostic {
    /// Relative path of the file, with `/`.
    pub file: String,
    // u32 keeps a Diagnostic small enough to return by value in a Result.
    pub line: u32,
    pub column: u32,
    /// Where in the YAML: `rules[2].rate`; empty for whole-file problems.
    pub path: String,
    pub message: String,
    pub hint: Option<String>,
    #[serde(skip)]
    pub span: Range<usize>,
}

impl Diagnostic {
    /// A problem at a byte span of a file.
    pub fn at(
        source: &SourceText,
        span: Range<usize>,
        path: impl Into<String>,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> Diagnostic {
        let span = source.safe_span(&span);
        let (line, column) = source.line_col(span.start);
        Diagnostic {
            file: source.name.clone(),
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
            path: path.into(),
            message: message.into(),
            hint,
            span,
        }
    }

    /// A problem with a file as a whole (missing, unreadable).
    pub fn file(
        file: impl Into<String>,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> Diagnostic {
        Diagnostic {
            file: file.into(),
            line: 1,
            column: 1,
            path: String::new(),
            message: message.into(),
            hint,
            span: 0..0,
        }
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
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
#[derive(Debug, Default)]
pub struct Diagnostics {
    pub items: Vec<Diagnostic>,
    sources: BTreeMap<String, Arc<SourceText>>,
}

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn add_source(&mut self, source: Arc<SourceText>) {
        self.sources.insert(source.name.clone(), source);
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Sort by file and position, so output is stable whatever order files were read in.
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            (&a.file, a.line, a.column, &a.message).cmp(&(&b.file, b.line, b.column, &b.message))
        });
        self.items.dedup();
    }

    /// Every problem with a snippet of its source, for a terminal (no colour, so it reads the
    /// same in a log).
    pub fn render(&self) -> String {
        let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
            .with_context_lines(1)
            .with_width(100);
        let mut out = String::new();
        for item in &self.items {
            let heading = format!(
                "{}:{}:{}: {}",
                item.file, item.line, item.column, item.message
            );
            let mut diagnostic = MietteDiagnostic::new(heading);
            if let Some(hint) = &item.hint {
                diagnostic = diagnostic.with_help(hint.clone());
            }
            let label = if item.path.is_empty() {
                "here".to_string()
            } else {
                item.path.clone()
            };
            match self.sources.get(&item.file) {
                Some(source) if !source.text.is_empty() => {
                    let span = source.safe_span(&item.span);
                    let diagnostic = diagnostic.with_label(LabeledSpan::at(span, label));
                    let report = miette::Report::new(diagnostic).with_source_code(CharColumns {
                        name: source.name.clone(),
                        text: source.text.clone(),
                    });
                    if handler.render_report(&mut out, report.as_ref()).is_err() {
                        out.push_str(&format!(
                            "{}:{}:{}: {}\n",
                            item.file, item.line, item.column, item.message
                        ));
                    }
                }
                _ => {
                    let report = miette::Report::new(diagnostic);
                    if handler.render_report(&mut out, report.as_ref()).is_err() {
                        out.push_str(&format!("{}: {}\n", item.file, item.message));
                    }
                }
            }
            out.push('\n');
        }
        out
    }
}
