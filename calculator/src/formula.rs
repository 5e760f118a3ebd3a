//! The formula language clerks write in YAML: spreadsheet-like, with units.
//!
//! ```text
//! pigs * 300 元/头                      a rate per unit
//! MIN(cash_crop_mu, 2 亩) * 500 元/亩   a quantity cap
//! BETWEEN(1000 元, 5000 元)             a discretionary range
//! equity_yuan * AT_LEAST(6%)            a minimum yield, open above
//! AND(registered_poor, has_labor)       an eligibility condition
//! OR(exit_year = 2014, exit_year = 2015)
//! ```
//!
//! Full-width `（）`, `，`, `×` and `÷` from a Chinese keyboard are accepted. Parsing checks the
//! fact ids and the units, and produces an [`Expr`] with the units erased.

// Arithmetic here is on positions within a formula of bounded length, never on money.
#![allow(clippy::arithmetic_side_effects)]

use crate::expr::{Comparison, Expr};
use crate::fact::{FactCatalogue, FactKind};
use crate::unit::Dimension;
use rust_decimal::Decimal;
use std::ops::Range;
use std::str::FromStr;

/// The type of a formula: a number in some unit, or yes/no.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    /// A number in this unit (`Dimension::NONE` for a plain number, a year, a share).
    Number(Dimension),
    /// A yes/no condition.
    YesNo,
}

/// A piece of formula as the parser met it, for "unexpected …" problems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// A number, as written (ASCII digits).
    Number(String),
    /// A percentage such as `6%`.
    Percent,
    /// A unit word such as `元`.
    Unit(String),
    /// A lower-case name (a fact id or a typo of one).
    Name(String),
    /// An upper-case name (a function or a typo of one).
    Function(String),
    /// An operator, a bracket or a comma, in its ASCII form (`+`, `<=`, `(`, `,`).
    Symbol(&'static str),
}

/// What is wrong with a formula, as data: a stable [`code`](FormulaProblem::code) and the
/// pieces a message needs. The engine has no words for people; whoever shows the problem
/// (the policy crate, in the clerk's language) puts it into words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormulaProblem {
    /// `2e4`: numbers are written in full.
    Exponent {
        /// The digits before the `e`.
        number: String,
    },
    /// More digits than an exact decimal holds (28).
    TooManyDigits {
        /// The number as written.
        number: String,
    },
    /// Digits and dots that are not one number (`1.2.3`).
    NotANumber {
        /// What was written.
        text: String,
    },
    /// A character no formula contains (`$`, `#`, a letter that is not a unit).
    Character {
        /// The character.
        character: char,
    },
    /// Nothing at all.
    Empty,
    /// More nested brackets or signs than any rule needs.
    TooDeep,
    /// The formula stops where a value is still needed (`pigs *`).
    Incomplete,
    /// A unit word not after a number (`元 * 3`).
    UnitAlone {
        /// The unit word.
        unit: String,
    },
    /// Something where a value, a fact id or a function was expected.
    Unexpected {
        /// What was there.
        found: Found,
    },
    /// Something after what is already a whole formula (`pigs 3`).
    AfterTheEnd {
        /// What was there.
        found: Found,
    },
    /// A lower-case name that is not in the facts catalogue.
    UnknownFact {
        /// The name as written.
        name: String,
        /// The closest fact id, if one is close.
        suggestion: Option<String>,
    },
    /// An upper-case name that is not one of [`FUNCTIONS`].
    UnknownFunction {
        /// The name as written.
        name: String,
        /// The closest function, if one is close.
        suggestion: Option<String>,
    },
    /// A `(` without its `)`.
    BracketNotClosed,
    /// A function name not followed by `(`.
    NoBrackets {
        /// The function.
        function: String,
    },
    /// A function's argument list that does not end with `)`.
    ArgumentsNotClosed {
        /// The function.
        function: String,
    },
    /// A function given the wrong number of arguments.
    ArgumentCount {
        /// The function (which says how many it takes).
        function: String,
        /// How many it was given.
        given: usize,
    },
    /// An argument of MIN, MAX, IF, BETWEEN … in another unit than the first.
    MixedArguments {
        /// The function.
        function: String,
        /// The type of the argument at fault.
        this: Type,
        /// The type of the first argument.
        first: Type,
    },
    /// An argument of AND, OR, NOT that is not a yes/no condition.
    NotACondition {
        /// The function.
        function: String,
        /// The type of the argument at fault.
        this: Type,
    },
    /// ROUND's places are not 0 to 4.
    RoundPlaces,
    /// Two sides of a comparison of different types or units.
    CannotCompare {
        /// The type of the left side.
        left: Type,
        /// The type of the right side.
        right: Type,
    },
    /// Two sides of `+` or `-` in different units.
    MixedUnits {
        /// `-` rather than `+`.
        subtract: bool,
        /// The type of the left side.
        left: Type,
        /// The type of the right side.
        right: Type,
    },
    /// `*` or `/` with a yes/no condition.
    ConditionArithmetic,
    /// `-` before a yes/no condition.
    NegatedCondition,
    /// The whole formula gives another type than the place needs.
    WrongType {
        /// What the formula gives.
        found: Type,
        /// What the place needs.
        expected: Type,
    },
}

impl FormulaProblem {
    /// The stable machine code of the problem (`unknown-fact`, `formula-incomplete` …).
    pub fn code(&self) -> &'static str {
        match self {
            FormulaProblem::Exponent { .. } => "formula-exponent",
            FormulaProblem::TooManyDigits { .. } => "formula-too-many-digits",
            FormulaProblem::NotANumber { .. } => "formula-not-a-number",
            FormulaProblem::Character { .. } => "formula-character",
            FormulaProblem::Empty => "formula-empty",
            FormulaProblem::TooDeep => "formula-too-deep",
            FormulaProblem::Incomplete => "formula-incomplete",
            FormulaProblem::UnitAlone { .. } => "formula-unit-alone",
            FormulaProblem::Unexpected { .. } => "formula-syntax",
            FormulaProblem::AfterTheEnd { .. } => "formula-extra",
            FormulaProblem::UnknownFact { .. } => "unknown-fact",
            FormulaProblem::UnknownFunction { .. } => "unknown-function",
            FormulaProblem::BracketNotClosed => "formula-bracket",
            FormulaProblem::NoBrackets { .. } => "formula-no-brackets",
            FormulaProblem::ArgumentsNotClosed { .. } => "formula-arguments-bracket",
            FormulaProblem::ArgumentCount { .. } => "formula-argument-count",
            FormulaProblem::MixedArguments { .. } => "formula-mixed-arguments",
            FormulaProblem::NotACondition { .. } => "formula-not-a-condition",
            FormulaProblem::RoundPlaces => "formula-round-places",
            FormulaProblem::CannotCompare { .. } => "formula-cannot-compare",
            FormulaProblem::MixedUnits { .. } => "formula-mixed-units",
            FormulaProblem::ConditionArithmetic => "formula-condition-arithmetic",
            FormulaProblem::NegatedCondition => "formula-negated-condition",
            FormulaProblem::WrongType { .. } => "formula-wrong-type",
        }
    }
}

/// A formula that did not compile: where in the formula (byte range) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("formula problem `{}` at bytes {}..{}", .problem.code(), .span.start, .span.end)]
pub struct FormulaError {
    /// The bytes of the formula's text at fault.
    pub span: Range<usize>,
    /// What is wrong.
    pub problem: FormulaProblem,
}

impl FormulaError {
    fn new(span: Range<usize>, problem: FormulaProblem) -> FormulaError {
        FormulaError { span, problem }
    }

    /// The stable machine code of the problem.
    pub fn code(&self) -> &'static str {
        self.problem.code()
    }
}

/// A compiled formula with its type.
#[derive(Debug, Clone, PartialEq)]
pub struct Compiled {
    /// The expression the engine evaluates, units erased.
    pub expr: Expr,
    /// What it gives.
    pub ty: Type,
    /// A number written without a unit (`0`, `10`): it takes the unit of what it is compared
    /// with or chosen against, as a clerk would expect of `pigs > 0`.
    bare: bool,
}

impl Compiled {
    fn new(expr: Expr, ty: Type) -> Compiled {
        Compiled {
            expr,
            ty,
            bare: false,
        }
    }
}

/// Give bare numbers among `items` the unit of the first item that has one.
fn unify_bare(items: &mut [&mut Compiled]) {
    let unit = items
        .iter()
        .find(|c| !c.bare && matches!(c.ty, Type::Number(_)))
        .map(|c| c.ty);
    if let Some(unit) = unit {
        for item in items.iter_mut().filter(|c| c.bare) {
            item.ty = unit;
            item.bare = false;
        }
    }
}

/// Compile `source` against the facts catalogue.
pub fn compile(source: &str, facts: &FactCatalogue) -> Result<Compiled, FormulaError> {
    let tokens = lex(source)?;
    let mut parser = Parser {
        tokens,
        pos: 0,
        facts,
        end: source.len(),
        depth: 0,
    };
    let compiled = parser.expression()?;
    if let Some(token) = parser.tokens.get(parser.pos) {
        return Err(FormulaError::new(
            token.span.clone(),
            FormulaProblem::AfterTheEnd {
                found: token.kind.found(),
            },
        ));
    }
    Ok(compiled)
}

/// Compile and require a given type (money for amounts, yes/no for conditions).
pub fn compile_as(
    source: &str,
    facts: &FactCatalogue,
    expected: Type,
) -> Result<Compiled, FormulaError> {
    let compiled = compile(source, facts)?;
    if compiled.ty != expected {
        return Err(FormulaError::new(
            0..source.len(),
            FormulaProblem::WrongType {
                found: compiled.ty,
                expected,
            },
        ));
    }
    Ok(compiled)
}

#[derive(Debug, Clone, PartialEq)]
enum TokenKind {
    Number(Decimal),
    Percent(Decimal),
    Unit(String),
    Name(String),
    Function(String),
    Op(&'static str),
    Open,
    Close,
    Comma,
}

impl TokenKind {
    fn found(&self) -> Found {
        match self {
            TokenKind::Number(n) => Found::Number(n.to_string()),
            TokenKind::Percent(_) => Found::Percent,
            TokenKind::Unit(u) => Found::Unit(u.clone()),
            TokenKind::Name(n) => Found::Name(n.clone()),
            TokenKind::Function(n) => Found::Function(n.clone()),
            TokenKind::Op(o) => Found::Symbol(o),
            TokenKind::Open => Found::Symbol("("),
            TokenKind::Close => Found::Symbol(")"),
            TokenKind::Comma => Found::Symbol(","),
        }
    }
}

#[derive(Debug, Clone)]
struct Token {
    kind: TokenKind,
    span: Range<usize>,
}

/// The functions of the formula language (`TRUE` and `FALSE` take no brackets).
pub const FUNCTIONS: [&str; 12] = [
    "MIN", "MAX", "IF", "AND", "OR", "NOT", "BETWEEN", "AT_LEAST", "UP_TO", "ROUND", "TRUE",
    "FALSE",
];

fn lex(source: &str) -> Result<Vec<Token>, FormulaError> {
    let mut tokens = Vec::new();
    let mut chars = source.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        let single = |kind: TokenKind, c: char| Token {
            kind,
            span: start..start + c.len_utf8(),
        };
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '0'..='9' | '０'..='９' | '.' => {
                let mut text = String::new();
                let mut end = start;
                while let Some(&(i, d)) = chars.peek() {
                    let ascii = match d {
                        '0'..='9' | '.' => d,
                        '０'..='９' => {
                            char::from_u32(d as u32 - '０' as u32 + '0' as u32).unwrap_or(d)
                        }
                        '．' => '.',
                        _ => break,
                    };
                    text.push(ascii);
                    end = i + d.len_utf8();
                    chars.next();
                }
                if let Some(&(_, 'e' | 'E')) = chars.peek() {
                    return Err(FormulaError::new(
                        start..end + 1,
                        FormulaProblem::Exponent { number: text },
                    ));
                }
                let value = Decimal::from_str(&text).map_err(|_| {
                    let digits = text.chars().filter(char::is_ascii_digit).count();
                    if digits > 28 && text.matches('.').count() <= 1 {
                        FormulaError::new(
                            start..end,
                            FormulaProblem::TooManyDigits {
                                number: text.clone(),
                            },
                        )
                    } else {
                        FormulaError::new(
                            start..end,
                            FormulaProblem::NotANumber { text: text.clone() },
                        )
                    }
                })?;
                if let Some(&(i, '%' | '％')) = chars.peek() {
                    chars.next();
                    let fraction = value / Decimal::ONE_HUNDRED;
                    tokens.push(Token {
                        kind: TokenKind::Percent(fraction),
                        span: start..i + '%'.len_utf8(),
                    });
                } else {
                    tokens.push(Token {
                        kind: TokenKind::Number(value),
                        span: start..end,
                    });
                }
            }
            'a'..='z' | 'A'..='Z' | '_' => {
                let mut name = String::new();
                let mut end = start;
                while let Some(&(i, d)) = chars.peek() {
                    if d.is_ascii_alphanumeric() || d == '_' {
                        name.push(d);
                        end = i + 1;
                        chars.next();
                    } else {
                        break;
                    }
                }
                let kind = if name.chars().any(|c| c.is_ascii_uppercase()) {
                    TokenKind::Function(name)
                } else {
                    TokenKind::Name(name)
                };
                tokens.push(Token {
                    kind,
                    span: start..end,
                });
            }
            '(' | '（' => {
                chars.next();
                tokens.push(single(TokenKind::Open, c));
            }
            ')' | '）' => {
                chars.next();
                tokens.push(single(TokenKind::Close, c));
            }
            ',' | '，' => {
                chars.next();
                tokens.push(single(TokenKind::Comma, c));
            }
            '+' | '-' | '*' | '/' | '×' | '÷' | '=' | '≠' | '≤' | '≥' => {
                chars.next();
                let op = match c {
                    '+' => "+",
                    '-' => "-",
                    '*' | '×' => "*",
                    '/' | '÷' => "/",
                    '=' => "=",
                    '≠' => "<>",
                    '≤' => "<=",
                    _ => ">=",
                };
                tokens.push(single(TokenKind::Op(op), c));
            }
            '<' | '>' => {
                chars.next();
                let next = chars.peek().map(|&(_, d)| d);
                let (op, len) = match (c, next) {
                    ('<', Some('=')) => ("<=", 2),
                    ('<', Some('>')) => ("<>", 2),
                    ('>', Some('=')) => (">=", 2),
                    ('<', _) => ("<", 1),
                    _ => (">", 1),
                };
                if len == 2 {
                    chars.next();
                }
                tokens.push(Token {
                    kind: TokenKind::Op(op),
                    span: start..start + len,
                });
            }
            _ => {
                let word = c.to_string();
                if Dimension::of_word(&word).is_some() {
                    chars.next();
                    tokens.push(single(TokenKind::Unit(word), c));
                } else {
                    return Err(FormulaError::new(
                        start..start + c.len_utf8(),
                        FormulaProblem::Character { character: c },
                    ));
                }
            }
        }
    }
    Ok(tokens)
}

struct Parser<'a> {
    tokens: Vec<Token>,
    pos: usize,
    facts: &'a FactCatalogue,
    end: usize,
    /// How deeply brackets, signs and chained operators are nested; bounded so no formula can
    /// exhaust the stack (its parser, or anything that walks the [`Expr`] it yields).
    depth: usize,
}

/// Deeper than any formula a person writes; far below what would overflow the stack.
const MAX_DEPTH: usize = 64;

/// A parsed piece of formula and where it stands in the text.
type Spanned = (Compiled, Range<usize>);
type Parsed = Result<Spanned, FormulaError>;

impl Parser<'_> {
    fn expression(&mut self) -> Result<Compiled, FormulaError> {
        if self.tokens.is_empty() {
            return Err(FormulaError::new(0..self.end, FormulaProblem::Empty));
        }
        self.comparison().map(|(c, _)| c)
    }

    fn peek(&self) -> Option<&TokenKind> {
        self.tokens.get(self.pos).map(|t| &t.kind)
    }

    fn span_here(&self) -> Range<usize> {
        self.tokens
            .get(self.pos)
            .map_or(self.end..self.end, |t| t.span.clone())
    }

    fn deeper(&mut self) -> Result<(), FormulaError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(FormulaError::new(self.span_here(), FormulaProblem::TooDeep));
        }
        Ok(())
    }

    fn comparison(&mut self) -> Parsed {
        self.deeper()?;
        let result = self.comparison_inner();
        self.depth -= 1;
        result
    }

    fn comparison_inner(&mut self) -> Parsed {
        let (mut left, left_span) = self.additive()?;
        let op = match self.peek() {
            Some(TokenKind::Op(op @ ("=" | "<>" | "<" | "<=" | ">" | ">="))) => *op,
            _ => return Ok((left, left_span)),
        };
        self.pos += 1;
        let (mut right, right_span) = self.additive()?;
        unify_bare(&mut [&mut left, &mut right]);
        let span = left_span.start..right_span.end;
        let comparison = match op {
            "=" => Comparison::Eq,
            "<>" => Comparison::Ne,
            "<" => Comparison::Lt,
            "<=" => Comparison::Le,
            ">" => Comparison::Gt,
            _ => Comparison::Ge,
        };
        let comparable = match (left.ty, right.ty) {
            (Type::Number(a), Type::Number(b)) => a == b,
            (Type::YesNo, Type::YesNo) => matches!(comparison, Comparison::Eq | Comparison::Ne),
            _ => false,
        };
        if !comparable {
            return Err(FormulaError::new(
                span,
                FormulaProblem::CannotCompare {
                    left: left.ty,
                    right: right.ty,
                },
            ));
        }
        Ok((
            Compiled::new(
                Expr::Compare(comparison, Box::new(left.expr), Box::new(right.expr)),
                Type::YesNo,
            ),
            span,
        ))
    }

    fn additive(&mut self) -> Parsed {
        let (mut acc, mut span) = self.term()?;
        let outer = self.depth;
        while let Some(TokenKind::Op(op @ ("+" | "-"))) = self.peek() {
            let op = *op;
            // `a + b + c` is `(a + b) + c`: each operator of a chain nests the formula one
            // level deeper, so it counts towards the limit like a bracket.
            self.deeper()?;
            self.pos += 1;
            let (right, right_span) = self.term()?;
            let whole = span.start..right_span.end;
            match (acc.ty, right.ty) {
                (Type::Number(a), Type::Number(b)) if a == b => {}
                _ => {
                    return Err(FormulaError::new(
                        whole,
                        FormulaProblem::MixedUnits {
                            subtract: op == "-",
                            left: acc.ty,
                            right: right.ty,
                        },
                    ))
                }
            }
            let (a, b) = (Box::new(acc.expr), Box::new(right.expr));
            acc = Compiled::new(
                if op == "+" {
                    Expr::Add(a, b)
                } else {
                    Expr::Sub(a, b)
                },
                acc.ty,
            );
            span = whole;
        }
        self.depth = outer;
        Ok((acc, span))
    }

    fn term(&mut self) -> Parsed {
        let (mut acc, mut span) = self.unary()?;
        let outer = self.depth;
        while let Some(TokenKind::Op(op @ ("*" | "/"))) = self.peek() {
            let op = *op;
            self.deeper()?;
            self.pos += 1;
            let (right, right_span) = self.unary()?;
            let whole = span.start..right_span.end;
            let (Type::Number(a), Type::Number(b)) = (acc.ty, right.ty) else {
                return Err(FormulaError::new(
                    whole,
                    FormulaProblem::ConditionArithmetic,
                ));
            };
            let (x, y) = (Box::new(acc.expr), Box::new(right.expr));
            acc = if op == "*" {
                Compiled::new(Expr::Mul(x, y), Type::Number(a.times(b)))
            } else {
                Compiled::new(Expr::Div(x, y), Type::Number(a.divided_by(b)))
            };
            span = whole;
        }
        self.depth = outer;
        Ok((acc, span))
    }

    fn unary(&mut self) -> Parsed {
        if let Some(TokenKind::Op("-")) = self.peek() {
            let start = self.span_here().start;
            self.pos += 1;
            self.deeper()?;
            let inner = self.unary();
            self.depth -= 1;
            let (inner, span) = inner?;
            if inner.ty == Type::YesNo {
                return Err(FormulaError::new(
                    start..span.end,
                    FormulaProblem::NegatedCondition,
                ));
            }
            return Ok((
                Compiled::new(Expr::Neg(Box::new(inner.expr)), inner.ty),
                start..span.end,
            ));
        }
        self.primary()
    }

    fn primary(&mut self) -> Parsed {
        let Some(token) = self.tokens.get(self.pos).cloned() else {
            return Err(FormulaError::new(
                self.end..self.end,
                FormulaProblem::Incomplete,
            ));
        };
        self.pos += 1;
        match token.kind {
            TokenKind::Number(value) => {
                let (dimension, end) = self.unit_after_number(token.span.end)?;
                let mut compiled = Compiled::new(Expr::Number(value), Type::Number(dimension));
                compiled.bare = end == token.span.end;
                Ok((compiled, token.span.start..end))
            }
            TokenKind::Percent(value) => Ok((
                Compiled::new(Expr::Number(value), Type::Number(Dimension::NONE)),
                token.span,
            )),
            TokenKind::Name(name) => self.name(&name, token.span),
            TokenKind::Function(name) => self.function(&name, token.span),
            TokenKind::Open => {
                let (inner, _) = self.comparison()?;
                let close = self.span_here();
                self.expect_close(token.span.start)?;
                Ok((inner, token.span.start..close.end))
            }
            TokenKind::Unit(unit) => Err(FormulaError::new(
                token.span,
                FormulaProblem::UnitAlone { unit },
            )),
            other => Err(FormulaError::new(
                token.span,
                FormulaProblem::Unexpected {
                    found: other.found(),
                },
            )),
        }
    }

    /// `3000 元/亩`: a unit word, optionally divided by further unit words.
    fn unit_after_number(&mut self, mut end: usize) -> Result<(Dimension, usize), FormulaError> {
        let Some(TokenKind::Unit(first)) = self.peek().cloned() else {
            return Ok((Dimension::NONE, end));
        };
        let mut dimension = Dimension::of_word(&first).unwrap_or_default();
        end = self.span_here().end;
        self.pos += 1;
        while let (Some(TokenKind::Op("/")), Some(TokenKind::Unit(next))) = (
            self.peek().cloned(),
            self.tokens.get(self.pos + 1).map(|t| t.kind.clone()),
        ) {
            dimension = dimension.divided_by(Dimension::of_word(&next).unwrap_or_default());
            end = self.tokens[self.pos + 1].span.end;
            self.pos += 2;
        }
        Ok((dimension, end))
    }

    fn name(&mut self, name: &str, span: Range<usize>) -> Parsed {
        if name == "year" {
            return Ok((
                Compiled::new(Expr::Year, Type::Number(Dimension::NONE)),
                span,
            ));
        }
        let Some(index) = self.facts.index_of(name) else {
            let suggestion = closest(name, self.facts.facts.iter().map(|f| f.id.as_str()));
            return Err(FormulaError::new(
                span,
                FormulaProblem::UnknownFact {
                    name: name.to_owned(),
                    suggestion: suggestion.map(str::to_owned),
                },
            ));
        };
        let def = &self.facts.facts[index];
        let ty = match def.kind {
            FactKind::YesNo => Type::YesNo,
            FactKind::Year => Type::Number(Dimension::NONE),
            FactKind::Count | FactKind::Quantity => Type::Number(def.dimension),
        };
        Ok((
            Compiled {
                expr: Expr::Fact(index),
                ty,
                bare: false,
            },
            span,
        ))
    }

    fn expect_close(&mut self, open_at: usize) -> Result<(), FormulaError> {
        match self.peek() {
            Some(TokenKind::Close) => {
                self.pos += 1;
                Ok(())
            }
            _ => Err(FormulaError::new(
                open_at..self.span_here().end,
                FormulaProblem::BracketNotClosed,
            )),
        }
    }

    fn arguments(
        &mut self,
        name: &str,
        name_span: &Range<usize>,
    ) -> Result<(Vec<Spanned>, usize), FormulaError> {
        if self.peek() != Some(&TokenKind::Open) {
            return Err(FormulaError::new(
                name_span.clone(),
                FormulaProblem::NoBrackets {
                    function: name.to_owned(),
                },
            ));
        }
        self.pos += 1;
        let mut args = Vec::new();
        if self.peek() == Some(&TokenKind::Close) {
            let end = self.span_here().end;
            self.pos += 1;
            return Ok((args, end));
        }
        loop {
            args.push(self.comparison()?);
            match self.peek() {
                Some(TokenKind::Comma) => self.pos += 1,
                Some(TokenKind::Close) => {
                    let end = self.span_here().end;
                    self.pos += 1;
                    return Ok((args, end));
                }
                _ => {
                    return Err(FormulaError::new(
                        name_span.start..self.span_here().end,
                        FormulaProblem::ArgumentsNotClosed {
                            function: name.to_owned(),
                        },
                    ))
                }
            }
        }
    }

    fn function(&mut self, name: &str, name_span: Range<usize>) -> Parsed {
        match name {
            "TRUE" | "FALSE" => {
                return Ok((
                    Compiled::new(Expr::Bool(name == "TRUE"), Type::YesNo),
                    name_span,
                ))
            }
            n if !FUNCTIONS.contains(&n) => {
                return Err(FormulaError::new(
                    name_span,
                    FormulaProblem::UnknownFunction {
                        name: n.to_owned(),
                        suggestion: closest(n, FUNCTIONS.iter().copied()).map(str::to_owned),
                    },
                ));
            }
            _ => {}
        }
        let (mut args, end) = self.arguments(name, &name_span)?;
        if matches!(name, "MIN" | "MAX" | "IF") {
            let skip = usize::from(name == "IF");
            let mut items: Vec<&mut Compiled> =
                args.iter_mut().skip(skip).map(|(c, _)| c).collect();
            unify_bare(&mut items);
        }
        let span = name_span.start..end;
        let given = args.len();
        let count_error = || {
            FormulaError::new(
                span.clone(),
                FormulaProblem::ArgumentCount {
                    function: name.to_owned(),
                    given,
                },
            )
        };
        let same_numbers = |args: &[Spanned]| -> Result<Type, FormulaError> {
            let first = args[0].0.ty;
            for (arg, arg_span) in args {
                if !matches!(arg.ty, Type::Number(_)) || arg.ty != first {
                    return Err(FormulaError::new(
                        arg_span.clone(),
                        FormulaProblem::MixedArguments {
                            function: name.to_owned(),
                            this: arg.ty,
                            first,
                        },
                    ));
                }
            }
            Ok(first)
        };
        let conditions = |args: &[Spanned]| -> Result<(), FormulaError> {
            for (arg, arg_span) in args {
                if arg.ty != Type::YesNo {
                    return Err(FormulaError::new(
                        arg_span.clone(),
                        FormulaProblem::NotACondition {
                            function: name.to_owned(),
                            this: arg.ty,
                        },
                    ));
                }
            }
            Ok(())
        };
        let exprs = |args: Vec<Spanned>| args.into_iter().map(|(c, _)| c.expr).collect::<Vec<_>>();
        let compiled = match name {
            "MIN" | "MAX" => {
                if args.len() < 2 {
                    return Err(count_error());
                }
                let ty = same_numbers(&args)?;
                let items = exprs(args);
                Compiled {
                    expr: if name == "MIN" {
                        Expr::Min(items)
                    } else {
                        Expr::Max(items)
                    },
                    ty,
                    bare: false,
                }
            }
            "AND" | "OR" => {
                if args.is_empty() {
                    return Err(count_error());
                }
                conditions(&args)?;
                let items = exprs(args);
                Compiled::new(
                    if name == "AND" {
                        Expr::And(items)
                    } else {
                        Expr::Or(items)
                    },
                    Type::YesNo,
                )
            }
            "NOT" => {
                if args.len() != 1 {
                    return Err(count_error());
                }
                conditions(&args)?;
                let mut items = exprs(args);
                Compiled::new(Expr::Not(Box::new(items.remove(0))), Type::YesNo)
            }
            "IF" => {
                if args.len() != 3 {
                    return Err(count_error());
                }
                conditions(&args[..1])?;
                let ty = same_numbers(&args[1..])?;
                let mut items = exprs(args).into_iter();
                let (Some(c), Some(a), Some(b)) = (items.next(), items.next(), items.next()) else {
                    return Err(count_error());
                };
                Compiled {
                    expr: Expr::If(Box::new(c), Box::new(a), Box::new(b)),
                    ty,
                    bare: false,
                }
            }
            "BETWEEN" => {
                if args.len() != 2 {
                    return Err(count_error());
                }
                let ty = same_numbers(&args)?;
                let mut items = exprs(args).into_iter();
                let (Some(a), Some(b)) = (items.next(), items.next()) else {
                    return Err(count_error());
                };
                Compiled {
                    expr: Expr::Between(Box::new(a), Box::new(b)),
                    ty,
                    bare: false,
                }
            }
            "AT_LEAST" | "UP_TO" => {
                if args.len() != 1 {
                    return Err(count_error());
                }
                let ty = same_numbers(&args)?;
                let inner = Box::new(exprs(args).remove(0));
                Compiled {
                    expr: if name == "AT_LEAST" {
                        Expr::AtLeast(inner)
                    } else {
                        Expr::UpTo(inner)
                    },
                    ty,
                    bare: false,
                }
            }
            _ => {
                // ROUND(amount, places)
                if args.len() != 2 {
                    return Err(count_error());
                }
                let ty = same_numbers(&args[..1])?;
                let places = match &args[1].0.expr {
                    Expr::Number(n)
                        if n.fract().is_zero() && *n >= Decimal::ZERO && *n <= Decimal::from(4) =>
                    {
                        // normalize: `2.0` means 2 places, not a mantissa of 20.
                        u32::try_from(n.normalize().mantissa()).unwrap_or(0)
                    }
                    _ => {
                        return Err(FormulaError::new(
                            args[1].1.clone(),
                            FormulaProblem::RoundPlaces,
                        ))
                    }
                };
                let inner = Box::new(exprs(args).remove(0));
                Compiled {
                    expr: Expr::Round(inner, places),
                    ty,
                    bare: false,
                }
            }
        };
        Ok((compiled, span))
    }
}

/// The closest known name within two edits, for "did you mean" hints.
/// On a tie, a candidate that holds every character of the name in order wins (`c21` →
/// `c2-1`, not `c1`).
pub fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let name = name.to_lowercase();
    candidates
        .map(|c| {
            let lower = c.to_lowercase();
            (
                edit_distance(&name, &lower),
                !is_subsequence(&name, &lower),
                c,
            )
        })
        .filter(|&(d, _, _)| d <= 2)
        .min_by_key(|&(d, not_subsequence, _)| (d, not_subsequence))
        .map(|(_, _, c)| c)
}

fn is_subsequence(short: &str, long: &str) -> bool {
    let mut rest = long.chars();
    short.chars().all(|c| rest.any(|l| l == c))
}

/// The Levenshtein distance between two texts, in characters: how "did you mean" suggestions
/// rank near-misses.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fact::{FactDef, FactGroup};

    fn catalogue() -> FactCatalogue {
        let fact = |id: &str, kind: FactKind, unit: Option<&str>| FactDef {
            id: id.into(),
            label: id.into(),
            kind,
            unit: unit.map(String::from),
            dimension: unit.and_then(Dimension::parse).unwrap_or_default(),
            group: FactGroup::Other,
            min: None,
            max: None,
            help: None,
        };
        FactCatalogue {
            facts: vec![
                fact("pigs", FactKind::Count, Some("头")),
                fact("cash_crop_mu", FactKind::Quantity, Some("亩")),
                fact("registered_poor", FactKind::YesNo, None),
                fact("exit_year", FactKind::Year, None),
                fact("equity_yuan", FactKind::Quantity, Some("元")),
            ],
        }
    }

    fn money() -> Type {
        Type::Number(Dimension::MONEY)
    }

    #[test]
    fn the_documented_forms_compile() {
        let facts = catalogue();
        for source in [
            "pigs * 300 元/头",
            "300元/头×pigs",
            "MIN(cash_crop_mu, 2 亩) * 500 元/亩",
            "BETWEEN(1000 元, 5000 元)",
            "AT_LEAST(equity_yuan * 6%)",
            "IF（registered_poor，500 元，0 元）",
            "UP_TO(2000 元)",
            "ROUND(equity_yuan * 5%, 2)",
        ] {
            let result = compile_as(source, &facts, money());
            assert!(result.is_ok(), "{source}: {result:?}");
        }
        for source in [
            "AND(registered_poor, pigs > 0)",
            "OR(exit_year = 2014, exit_year = 2015)",
            "year - exit_year <= 3",
            "NOT(registered_poor)",
        ] {
            let result = compile_as(source, &facts, Type::YesNo);
            assert!(result.is_ok(), "{source}: {result:?}");
        }
    }

    #[test]
    fn mixed_units_are_refused_with_the_place() {
        let facts = catalogue();
        let error = compile("pigs + cash_crop_mu", &facts).err();
        assert_eq!(error.as_ref().map(|e| e.span.clone()), Some(0..19));
        assert!(error.is_some_and(|e| e.code() == "formula-mixed-units"));
        let error = compile_as("pigs * 500 元/亩", &facts, money()).err();
        assert!(
            matches!(error.map(|e| e.problem), Some(FormulaProblem::WrongType { found: Type::Number(d), .. }) if d.to_string() == "元·头/亩")
        );
    }

    #[test]
    fn unknown_names_suggest_the_closest() {
        let facts = catalogue();
        let error = compile("pig * 300 元/头", &facts).err();
        assert_eq!(error.as_ref().map(|e| e.span.clone()), Some(0..3));
        assert!(matches!(
            error.map(|e| e.problem),
            Some(FormulaProblem::UnknownFact { suggestion: Some(s), .. }) if s == "pigs"
        ));
        let error = compile("MN(pigs, 3 头)", &facts).err();
        assert!(matches!(
            error.map(|e| e.problem),
            Some(FormulaProblem::UnknownFunction { suggestion: Some(s), .. }) if s == "MIN"
        ));
    }

    #[test]
    fn hostile_formulas_are_refused_not_crashed() {
        let facts = catalogue();
        let deep = format!("{}pigs{}", "(".repeat(5000), ")".repeat(5000));
        assert!(compile(&deep, &facts).is_err_and(|e| e.problem == FormulaProblem::TooDeep));
        let signs = format!("{}pigs", "-".repeat(100_000));
        assert!(compile(&signs, &facts).is_err());
        let huge = format!("{} 元", "9".repeat(40));
        assert!(compile(&huge, &facts).is_err_and(|e| e.code() == "formula-too-many-digits"));
        let percent = format!("{}%", "9".repeat(29));
        assert!(compile(&format!("pigs * {percent} * 1 元/头 +"), &facts).is_err());
        let rounded = compile("ROUND(equity_yuan * 5%, 2.0)", &facts).map(|c| c.expr);
        assert!(matches!(rounded, Ok(Expr::Round(_, 2))), "{rounded:?}");
    }

    #[test]
    fn long_chains_of_operators_are_refused_not_crashed() {
        // Found while writing the formula fuzz target (a hand-made input through its binary):
        // `1 元 + 1 元 + …` nests the formula one level per operator, and
        // 100 000 of them overflowed the stack of everything that walks it.
        let facts = catalogue();
        for op in [" + ", " - ", " * ", " / "] {
            let chain = vec!["1 元"; 100_000].join(op);
            assert!(compile(&chain, &facts).is_err(), "{op}");
        }
        let sum = vec!["pigs * 300 元/头"; 20].join(" + ");
        assert!(compile(&sum, &facts).is_ok());
    }

    #[test]
    fn syntax_errors_point_at_the_token() {
        let facts = catalogue();
        for (source, span) in [
            ("pigs * ", 7..7),
            ("(pigs * 3", 0..9),
            ("pigs 3", 5..6),
            ("pigs # 3", 5..6),
            ("", 0..0),
            ("元 * 3", 0..3),
            ("1e400 元", 0..2),
        ] {
            let error = compile(source, &facts).err();
            assert_eq!(error.map(|e| e.span), Some(span), "{source}");
        }
    }
}
