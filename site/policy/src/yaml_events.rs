//! A YAML file's value made straight from yaml-rust2's events, for the files every build reads
//! by the tens of thousands: the same `serde_yaml_ng::Value` that serde_yaml_ng would make, in
//! about two thirds of the time (libyaml and serde_yaml_ng's event list cost a national build
//! a tenth of its time).
//!
//! Only the plain case is read here: one document, no tags, no aliases, mappings whose keys
//! are strings written once, and no deep nesting. For anything else, and for any file
//! yaml-rust2 cannot parse, [`value_of`] gives `None` and the caller reads the file with
//! serde_yaml_ng as before, which also words its errors. Plain scalars are resolved by
//! serde_yaml_ng's rules (YAML 1.2's core schema as it implements it): null, booleans,
//! integers in decimal, `0x`, `0o` and `0b`, floats, and otherwise strings; the tests compare
//! the two readers on every YAML file of the repository and on scalars made to be awkward.

use serde_yaml_ng::{Mapping, Number, Value};
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;

/// Nesting deeper than this is left to serde_yaml_ng, which refuses more than 128 levels.
const MAX_DEPTH: usize = 100;

/// A sequence or mapping still being read.
enum Open {
    Sequence(Vec<Value>),
    /// The mapping so far and the key read last, whose value comes next.
    Mapping(Mapping, Option<String>),
}

/// The value of `text`, if it is a single plain document (see the module's note); `None`
/// means: read it with serde_yaml_ng.
pub(crate) fn value_of(text: &str) -> Option<Value> {
    // libyaml reads a byte-order mark as nothing, yaml-rust2 as part of the first key.
    if text.contains('\u{feff}') {
        return None;
    }
    let mut parser = Parser::new_from_str(text);
    let mut open: Vec<Open> = Vec::new();
    let mut documents = 0;
    let mut root = None;
    loop {
        let (event, _) = parser.next_token().ok()?;
        let node = match event {
            Event::StreamEnd => break,
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => continue,
            Event::DocumentStart => {
                documents += 1;
                if documents > 1 {
                    return None;
                }
                continue;
            }
            Event::Alias(_)
            | Event::Scalar(_, _, _, Some(_))
            | Event::SequenceStart(_, Some(_))
            | Event::MappingStart(_, Some(_)) => return None,
            Event::SequenceStart(_, None) | Event::MappingStart(_, None)
                if open.len() >= MAX_DEPTH =>
            {
                return None
            }
            Event::SequenceStart(_, None) => {
                open.push(Open::Sequence(Vec::new()));
                continue;
            }
            Event::MappingStart(_, None) => {
                open.push(Open::Mapping(Mapping::new(), None));
                continue;
            }
            Event::Scalar(text, style, _, None) => scalar(text, style)?,
            Event::SequenceEnd => match open.pop()? {
                Open::Sequence(items) => Value::Sequence(items),
                Open::Mapping(..) => return None,
            },
            Event::MappingEnd => match open.pop()? {
                Open::Mapping(map, None) => Value::Mapping(map),
                _ => return None,
            },
        };
        match open.last_mut() {
            None if root.is_none() => root = Some(node),
            None => return None,
            Some(Open::Sequence(items)) => items.push(node),
            Some(Open::Mapping(map, key)) => match key.take() {
                Some(key) => {
                    if map.insert(Value::String(key), node).is_some() {
                        // Written twice: serde_yaml_ng says so, and where.
                        return None;
                    }
                }
                None => match node {
                    Value::String(name) => *key = Some(name),
                    _ => return None,
                },
            },
        }
    }
    if documents == 1 && open.is_empty() {
        root
    } else {
        None
    }
}

/// A scalar as serde_yaml_ng reads it without a tag: quoted and block scalars are strings, a
/// plain one is resolved; `None` for an integer beyond 64 bits, which it reads otherwise.
fn scalar(text: String, style: TScalarStyle) -> Option<Value> {
    if style != TScalarStyle::Plain {
        return Some(Value::String(text));
    }
    if matches!(text.as_str(), "" | "null" | "Null" | "NULL" | "~") {
        return Some(Value::Null);
    }
    match text.as_str() {
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        _ => {}
    }
    // Nearly every plain scalar of a policy file is words: no number starts otherwise.
    if !text.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '.')) {
        return Some(Value::String(text));
    }
    if let Some(int) = unsigned(&text, u64::from_str_radix) {
        return Some(Value::Number(Number::from(int)));
    }
    if let Some(int) = negative(&text, i64::from_str_radix) {
        return Some(Value::Number(Number::from(int)));
    }
    if unsigned(&text, u128::from_str_radix).is_some()
        || negative(&text, i128::from_str_radix).is_some()
    {
        return None;
    }
    if !leading_zero_digits(&text) {
        if let Some(float) = float(&text) {
            return Some(Value::Number(Number::from(float)));
        }
    }
    Some(Value::String(text))
}

type Radix<T> = fn(&str, u32) -> Result<T, std::num::ParseIntError>;

/// The prefixes of integers in another base than ten.
const BASES: [(&str, u32); 3] = [("0x", 16), ("0o", 8), ("0b", 2)];

/// A non-negative integer: `+` at most once, then digits or a base prefix and its digits.
fn unsigned<T>(scalar: &str, parse: Radix<T>) -> Option<T> {
    let unsigned = scalar.strip_prefix('+').unwrap_or(scalar);
    for (prefix, base) in BASES {
        if let Some(digits) = unsigned.strip_prefix(prefix) {
            if digits.starts_with(['+', '-']) {
                return None;
            }
            if let Ok(int) = parse(digits, base) {
                return Some(int);
            }
        }
    }
    if unsigned.starts_with(['+', '-']) || leading_zero_digits(scalar) {
        return None;
    }
    parse(unsigned, 10).ok()
}

/// A negative integer: `-` then digits, or a base prefix and its digits.
fn negative<T>(scalar: &str, parse: Radix<T>) -> Option<T> {
    for (prefix, base) in BASES {
        if let Some(digits) = scalar
            .strip_prefix('-')
            .and_then(|s| s.strip_prefix(prefix))
        {
            if let Ok(int) = parse(&format!("-{digits}"), base) {
                return Some(int);
            }
        }
    }
    if leading_zero_digits(scalar) {
        return None;
    }
    parse(scalar, 10).ok()
}

/// A float: `.inf`, `-.inf`, `.nan` in three spellings each, or a finite decimal number.
fn float(scalar: &str) -> Option<f64> {
    let unsigned = match scalar.strip_prefix('+') {
        Some(rest) if rest.starts_with(['+', '-']) => return None,
        Some(rest) => rest,
        None => scalar,
    };
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        return Some(f64::INFINITY);
    }
    if matches!(scalar, "-.inf" | "-.Inf" | "-.INF") {
        return Some(f64::NEG_INFINITY);
    }
    if matches!(scalar, ".nan" | ".NaN" | ".NAN") {
        return Some(f64::NAN.copysign(1.0));
    }
    unsigned.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Digits after a leading zero (`012`, `-007`): a string in YAML 1.2, not a number.
fn leading_zero_digits(scalar: &str) -> bool {
    let digits = scalar.strip_prefix(['-', '+']).unwrap_or(scalar);
    digits.len() > 1 && digits.starts_with('0') && digits[1..].bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What serde_yaml_ng makes of `text`, as text (a NaN is equal to itself that way).
    fn serde(text: &str) -> Option<String> {
        serde_yaml_ng::from_str::<Value>(text)
            .ok()
            .map(|v| format!("{v:?}"))
    }

    fn same_as_serde(text: &str) {
        if let Some(value) = value_of(text) {
            assert_eq!(
                Some(format!("{value:?}")),
                serde(text),
                "read differently: {text:?}"
            );
        }
    }

    #[test]
    fn awkward_scalars_are_read_as_serde_yaml_ng_reads_them() {
        let scalars = [
            "",
            "~",
            "null",
            "Null",
            "NULL",
            "nULL",
            "true",
            "True",
            "TRUE",
            "tRUE",
            "false",
            "yes",
            "no",
            "on",
            "off",
            "y",
            "0",
            "-0",
            "+0",
            "00",
            "012",
            "-012",
            "+012",
            "0.5",
            "00.5",
            "012.5",
            "1_000",
            "1,000",
            "0x1F",
            "0X1F",
            "0x",
            "0x-1",
            "0x+1",
            "-0x1F",
            "+0x1F",
            "0o17",
            "0o8",
            "-0o17",
            "0b101",
            "0b2",
            "-0b101",
            "+-1",
            "-+1",
            "--1",
            "++1",
            "+",
            "-",
            ".",
            "1.",
            ".5",
            "+.5",
            "-.5",
            "1e3",
            "1E3",
            "1e+3",
            "1e-3",
            "-1.5e3",
            "1e400",
            "-1e400",
            ".inf",
            ".Inf",
            ".INF",
            "+.inf",
            "-.inf",
            "-.Inf",
            ".nan",
            ".NaN",
            ".NAN",
            "+.nan",
            "-.nan",
            "inf",
            "infinity",
            "nan",
            "NaN",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "340282366920938463463374607431768211456",
            "0xFFFFFFFFFFFFFFFFFF",
            "2017-03-01",
            "2017",
            "12:30",
            "1:2:3",
            "３",
            "２０１７",
            "一万",
            "1万",
            "20000 元/亩",
            "-1000 元",
            ".5亩",
            "1 2",
            "+ 1",
            "1e",
            "e3",
            "0.1.2",
            "1__0",
            "0x_1",
            "٣",
        ];
        for s in scalars {
            same_as_serde(&format!("k: {s}\n"));
            same_as_serde(&format!("- {s}\n"));
            same_as_serde(&format!("k: '{s}'\n"));
            same_as_serde(&format!("k: \"{s}\"\n"));
            assert!(
                value_of(&format!("k: {s}\n")).is_some()
                    || s.len() > 20
                    || serde(&format!("k: {s}\n")).is_none(),
                "{s:?} left to serde_yaml_ng"
            );
        }
    }

    #[test]
    fn scalars_of_number_characters_are_read_as_serde_yaml_ng_reads_them() {
        // Every string of up to four characters from those numbers are made of.
        let alphabet: Vec<char> = "0129+-.xobeEinfINFaNA_".chars().collect();
        let mut strings = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = strings
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            for s in &longer {
                same_as_serde(&format!("k: {s}\n"));
            }
            strings = longer;
        }
    }

    #[test]
    fn every_yaml_file_of_the_repository_is_read_as_serde_yaml_ng_reads_it() {
        // The seed policies, the fixtures (the broken ones too), the interface strings, the
        // site's own content: every plain one is read here, and read the same.
        let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut read_here = 0;
        let files = walkdir::WalkDir::new(&repo)
            .into_iter()
            .filter_entry(|e| {
                !matches!(
                    e.file_name().to_str(),
                    Some("target" | "node_modules" | ".git")
                )
            })
            .filter_map(Result::ok)
            .filter(|e| {
                e.path()
                    .extension()
                    .is_some_and(|x| x == "yaml" || x == "yml")
            });
        for file in files {
            let Ok(text) = std::fs::read_to_string(file.path()) else {
                continue;
            };
            if value_of(&text).is_some() {
                read_here += 1;
            }
            same_as_serde(&text);
        }
        assert!(read_here > 60, "only {read_here} files read here");
    }

    #[test]
    fn only_the_plain_case_is_read_here() {
        for text in [
            "a: &x 1\nb: *x\n",
            "a: !tag 1\n",
            "a: !!str 1\n",
            "a: !!int 1\n",
            "a: 1\na: 2\n",
            "1: a\n",
            "? [a]\n: b\n",
            "a: 1\n---\nb: 2\n",
            "",
            "# only a comment\n",
            "a: [1\n",
            "a: 18446744073709551616\n",
            "\u{feff}a: 1\n",
        ] {
            assert!(value_of(text).is_none(), "{text:?} read here");
        }
        let deep = format!(
            "{}1{}",
            "[".repeat(MAX_DEPTH + 1),
            "]".repeat(MAX_DEPTH + 1)
        );
        assert!(value_of(&deep).is_none());
    }

    #[test]
    fn documents_are_read_as_serde_yaml_ng_reads_them() {
        for text in [
            "a: 1\nb: [x, 'y', \"z\\u00e9\\n\", {c: d}]\nc:\n  - e\n  - f: g\n    h: ~\n",
            "text: |\n  one\n  two\n\nfolded: >\n  one\n  two\n\n  three\nkeep: |+\n  x\n\nstrip: |-\n  y\n",
            "plain: one\n  two\n  three\nquoted: \"a\n  b\"\nsingle: 'it''s'\n",
            "---\na: 1\n...\n",
            "a: 1 # comment\n# another\nb: 'x' # and\n",
            "empty:\nlist: []\nmap: {}\n",
            "a: \"\\t\\x41\\u4e2d\\U0001F600\\\\\"\n",
            "a:\r\n  - 1\r\n  - 2\r\n",
            "- - - 1\n    - 2\n  - 3\n",
            "a: 全角：冒号\nb: 2017年3月1日\n",
            "\"1\": one\n'true': two\n",
        ] {
            assert!(value_of(text).is_some(), "{text:?} not read here");
            same_as_serde(text);
        }
    }
}
