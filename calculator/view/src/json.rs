//! The estimator page's answer as JSON, written by hand: what the page reads and nothing
//! else (the view, the date whose rules applied, a notice, or the errors), with no JSON
//! library. The WebAssembly calls it on every keystroke, so it is small and fast; natively
//! it gives the same bytes, which is how the two are compared. A test holds its output to
//! what serde_json makes of the same [`View`].
//!
//! ```json
//! {"status":"estimate","date":"2017-06-01","notice":null,"view":{…}}
//! {"status":"invalid","errors":[{"fact":"pigs","message":"…"}]}
//! {"status":"no_rules","message":"…"}
//! ```

use crate::page::{View, ViewItem, ViewLine, ViewPart, ViewPeriod, ViewPlan};
use crate::query::{FieldError, Response};

/// The page's JSON for a [`Response`]; `estimate` is left out but for its date, which the page
/// uses to show only the standards in force then.
pub fn response(response: &Response) -> String {
    let mut out = Json(String::with_capacity(4096));
    match response {
        Response::Estimate {
            estimate,
            view,
            notice,
        } => {
            out.raw(r#"{"status":"estimate","date":"#);
            // Dates are digits and dashes: nothing to escape, but written as any text is.
            out.text(&estimate.date.to_string());
            out.raw(r#","notice":"#);
            out.option(notice.as_deref());
            out.raw(r#","view":"#);
            out.view(view);
            out.raw("}");
        }
        Response::Invalid { errors } => {
            out.raw(r#"{"status":"invalid","errors":"#);
            out.list(errors, Json::error);
            out.raw("}");
        }
        Response::NoRules { message } => {
            out.raw(r#"{"status":"no_rules","message":"#);
            out.text(message);
            out.raw("}");
        }
    }
    out.0
}

/// The view alone, as the page's JSON writes it.
pub fn view(view: &View) -> String {
    let mut out = Json(String::with_capacity(4096));
    out.view(view);
    out.0
}

struct Json(String);

impl Json {
    fn raw(&mut self, text: &str) {
        self.0.push_str(text);
    }

    fn text(&mut self, text: &str) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        self.0.push('"');
        let mut plain = 0;
        for (i, b) in text.bytes().enumerate() {
            let escape = match b {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0x08 => "\\b",
                0x0c => "\\f",
                0..=0x1f => "",
                _ => continue,
            };
            self.0.push_str(text.get(plain..i).unwrap_or_default());
            plain = i.saturating_add(1);
            if escape.is_empty() {
                self.0.push_str("\\u00");
                self.0.push(char::from(HEX[usize::from(b >> 4)]));
                self.0.push(char::from(HEX[usize::from(b & 0xf)]));
            } else {
                self.0.push_str(escape);
            }
        }
        self.0.push_str(text.get(plain..).unwrap_or_default());
        self.0.push('"');
    }

    fn option(&mut self, text: Option<&str>) {
        match text {
            Some(text) => self.text(text),
            None => self.raw("null"),
        }
    }

    fn number(&mut self, n: u32) {
        let mut digits = [0u8; 10];
        let mut len = 0;
        let mut rest = n;
        loop {
            if let Some(d) = digits.get_mut(len) {
                *d = b'0'.saturating_add((rest % 10) as u8);
            }
            len = len.saturating_add(1);
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        for &d in digits.get(..len).unwrap_or_default().iter().rev() {
            self.0.push(char::from(d));
        }
    }

    fn bool(&mut self, b: bool) {
        self.raw(if b { "true" } else { "false" });
    }

    fn list<T>(&mut self, items: &[T], mut each: impl FnMut(&mut Self, &T)) {
        self.0.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.0.push(',');
            }
            each(self, item);
        }
        self.0.push(']');
    }

    fn texts(&mut self, items: &[String]) {
        self.list(items, |out, t| out.text(t));
    }

    /// `{"name":` for an object's first field, `,"name":` for the others.
    fn key(&mut self, before: char, name: &str) {
        self.0.push(before);
        self.0.push('"');
        self.0.push_str(name);
        self.0.push_str("\":");
    }

    fn error(&mut self, e: &FieldError) {
        self.key('{', "fact");
        self.text(&e.fact);
        self.key(',', "message");
        self.text(&e.message);
        self.0.push('}');
    }

    fn view(&mut self, v: &View) {
        self.key('{', "total");
        self.text(&v.total);
        self.key(',', "total_min");
        self.text(&v.total_min);
        self.key(',', "total_max");
        self.text(&v.total_max);
        self.key(',', "words");
        self.option(v.words.as_deref());
        self.key(',', "date");
        self.text(&v.date);
        self.key(',', "periods");
        self.list(&v.periods, Json::period);
        self.key(',', "lines");
        self.list(&v.lines, Json::line);
        self.key(',', "schedule");
        self.list(&v.schedule, Json::plan);
        self.key(',', "loans");
        self.list(&v.loans, Json::item);
        self.key(',', "not_eligible");
        self.list(&v.not_eligible, Json::item);
        self.key(',', "excluded");
        self.list(&v.excluded, Json::item);
        self.key(',', "next");
        self.texts(&v.next);
        self.key(',', "policies");
        self.texts(&v.policies);
        self.key(',', "office");
        self.text(&v.office);
        self.0.push('}');
    }

    fn period(&mut self, p: &ViewPeriod) {
        self.key('{', "label");
        self.text(&p.label);
        self.key(',', "amount");
        self.text(&p.amount);
        self.0.push('}');
    }

    fn line(&mut self, l: &ViewLine) {
        self.key('{', "label");
        self.text(&l.label);
        self.key(',', "amount");
        self.text(&l.amount);
        self.key(',', "paid");
        self.text(&l.paid);
        self.key(',', "clause_url");
        self.text(&l.clause_url);
        self.key(',', "payer");
        self.text(&l.payer);
        self.key(',', "steps");
        self.texts(&l.steps);
        self.key(',', "notes");
        self.texts(&l.notes);
        self.key(',', "derived_from_report");
        self.bool(l.derived_from_report);
        self.0.push('}');
    }

    fn plan(&mut self, p: &ViewPlan) {
        self.key('{', "label");
        self.text(&p.label);
        self.key(',', "caption");
        self.text(&p.caption);
        self.key(',', "view_box");
        self.text(&p.view_box);
        self.key(',', "parts");
        self.list(&p.parts, Json::part);
        self.key(',', "notes");
        self.texts(&p.notes);
        self.0.push('}');
    }

    fn part(&mut self, p: &ViewPart) {
        self.key('{', "label");
        self.text(&p.label);
        self.key(',', "amount");
        self.text(&p.amount);
        self.key(',', "bar_y");
        self.number(p.bar_y);
        self.key(',', "text_y");
        self.number(p.text_y);
        self.key(',', "bar_width");
        self.number(p.bar_width);
        self.key(',', "value_x");
        self.number(p.value_x);
        self.0.push('}');
    }

    fn item(&mut self, i: &ViewItem) {
        self.key('{', "label");
        self.text(&i.label);
        self.key(',', "text");
        self.text(&i.text);
        self.key(',', "clause_url");
        self.text(&i.clause_url);
        self.0.push('}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_as_json_requires() {
        let mut out = Json(String::new());
        out.text("猪 \"3\" \\ \n\t\u{1}\u{1f}/é");
        assert_eq!(out.0, r#""猪 \"3\" \\ \n\t\u0001\u001f/é""#);
        let back: String = serde_json::from_str(&out.0).unwrap();
        assert_eq!(back, "猪 \"3\" \\ \n\t\u{1}\u{1f}/é");
        for n in [0, 7, 10, 99, 300, u32::MAX] {
            let mut out = Json(String::new());
            out.number(n);
            assert_eq!(out.0, n.to_string());
        }
    }

    #[test]
    fn the_view_reads_as_serde_would_write_it() {
        let mut shape = View::shape();
        shape.total = "不低于 600 元".into();
        shape.words = Some("人民币\"陆佰\"元整".into());
        shape.schedule[0].parts[0].bar_width = 150;
        shape.lines[0].derived_from_report = true;
        let ours: serde_json::Value = serde_json::from_str(&view(&shape)).unwrap();
        assert_eq!(ours, serde_json::to_value(&shape).unwrap());
        // Same keys in the same order: serde_json keeps struct order, so the text matches too.
        assert_eq!(view(&shape), serde_json::to_string(&shape).unwrap());
    }

    #[test]
    fn refusals_and_missing_rules_are_written_for_the_page() {
        let invalid = Response::Invalid {
            errors: vec![FieldError {
                fact: "pigs".into(),
                message: "猪：不能是负数".into(),
            }],
        };
        assert_eq!(
            response(&invalid),
            r#"{"status":"invalid","errors":[{"fact":"pigs","message":"猪：不能是负数"}]}"#
        );
        let none = Response::NoRules {
            message: "西乡县还没有".into(),
        };
        assert_eq!(
            response(&none),
            r#"{"status":"no_rules","message":"西乡县还没有"}"#
        );
    }
}
