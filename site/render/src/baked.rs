//! The site's words written into the theme's HTML templates once, before Tera compiles them:
//! each plain `{{ t.KEY }}` becomes KEY's words, escaped as Tera's autoescape would write
//! them. The words are the same on every page, and Tera looks a dotted name up anew each time
//! it meets one (two `String`s per step of the path); the rules tables name five column labels
//! per row. The pages are byte for byte what Tera would have written.

use std::borrow::Cow;
use std::collections::BTreeMap;

use tera::escape_html;

/// `template` with its plain `{{ t.KEY }}` replaced by their words. Left to Tera: a key the
/// catalogue lacks (Tera then reports it), an expression with filters or whitespace control,
/// and words that hold template syntax.
pub(crate) fn bake<'a>(template: &'a str, strings: &BTreeMap<String, String>) -> Cow<'a, str> {
    let mut out = String::new();
    let mut done = 0;
    let mut from = 0;
    while let Some(open) = template[from..].find("{{").map(|i| from + i) {
        let Some(close) = template[open..].find("}}").map(|i| open + i) else {
            break;
        };
        from = close + 2;
        let word = template[open + 2..close]
            .trim_matches(' ')
            .strip_prefix("t.")
            .filter(|key| !key.is_empty() && key.bytes().all(is_name_byte))
            .and_then(|key| strings.get(key))
            .filter(|word| !["{{", "{%", "{#"].iter().any(|m| word.contains(m)));
        if let Some(word) = word {
            out.push_str(&template[done..open]);
            out.push_str(&escape_html(word));
            done = from;
        }
    }
    if done == 0 {
        return Cow::Borrowed(template);
    }
    out.push_str(&template[done..]);
    Cow::Owned(out)
}

/// Whether a template may give `t` another value than the site's words: `set t`, a loop
/// variable `t`, or `t=` with anything but `t` (a macro's argument or default). A theme with
/// such a template is not baked at all, since a macro's `t` is whatever its callers pass.
pub(crate) fn rebinds_words(template: &str) -> bool {
    let bytes = template.as_bytes();
    let standalone_t = |i: usize| {
        bytes[i] == b't'
            && (i == 0 || !(is_name_byte(bytes[i - 1]) || bytes[i - 1] == b'.'))
            && bytes.get(i + 1).is_none_or(|&b| !is_name_byte(b))
    };
    (0..bytes.len()).filter(|&i| standalone_t(i)).any(|i| {
        let before = template[..i].trim_end_matches(' ');
        let after = template[i + 1..].trim_start_matches(' ');
        let keyword = ["set", "set_global", "for"].iter().any(|k| {
            before.ends_with(k) && !before[..before.len() - k.len()].ends_with(is_name_char)
        });
        let loop_variable = before.ends_with(',') && after.starts_with("in ");
        let assigned = after.strip_prefix('=').filter(|v| !v.starts_with('='));
        let other_value = assigned.is_some_and(|value| {
            let value = value.trim_start_matches(' ');
            !(value.starts_with('t') && value[1..].chars().next().is_none_or(|c| !is_name_char(c)))
        });
        keyword || loop_variable || other_value
    })
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings() -> BTreeMap<String, String> {
        [
            ("col_item", "项目"),
            ("quoted", "<a href=\"x/y\">'1' & 2</a>"),
            ("syntax", "见 {{ 这里 }}"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    #[test]
    fn plain_words_are_written_in_escaped_as_tera_would() {
        let strings = strings();
        assert_eq!(
            bake("<th>{{ t.col_item }}</th>{{t.col_item}}", &strings),
            "<th>项目</th>项目"
        );
        let mut tera = tera::Tera::default();
        tera.add_raw_template("a.html", "{{ t.quoted }}").unwrap();
        let mut context = tera::Context::new();
        context.insert("t", &strings);
        assert_eq!(
            bake("{{ t.quoted }}", &strings),
            tera.render("a.html", &context).unwrap()
        );
    }

    #[test]
    fn anything_but_a_plain_known_word_is_left_to_tera() {
        let strings = strings();
        for template in [
            "{{ t.col_item | upper }}",
            "{{- t.col_item }}",
            "{{ t.missing }}",
            "{{ t.syntax }}",
            "{{ t.col_item ~ 'x' }}",
            "{{ site.t.col_item }}",
            "{% if t.col_item %}{% endif %}",
            "{{ t.col_item",
        ] {
            assert_eq!(bake(template, &strings), template);
        }
    }

    #[test]
    fn the_default_theme_is_baked() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates");
        let strings = crate::words::Words::builtin();
        let mut baked = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "html") {
                let text = std::fs::read_to_string(&path).unwrap();
                assert!(!rebinds_words(&text), "{}", path.display());
                baked += usize::from(matches!(bake(&text, strings.catalogue()), Cow::Owned(_)));
            }
        }
        assert!(baked >= 15, "only {baked} templates had words written in");
    }

    #[test]
    fn a_template_that_gives_t_another_value_is_found() {
        for template in [
            "{% set t = site %}",
            "{% set_global t=1 %}",
            "{% for t in rows %}{% endfor %}",
            "{% for k, t in rows %}{% endfor %}",
            "{{ m::table(rows=r, t=other) }}",
            "{% macro table(rows, t=\"x\") %}{% endmacro %}",
        ] {
            assert!(rebinds_words(template), "{template}");
        }
        for template in [
            "{{ m::table(rows=r, t=t) }}",
            "{{ m::table(t=t, rows=r) }}",
            "{% macro table(rows, caption, t) %}{% endmacro %}",
            "{% set name = t.col_item %}{% if a.t == 1 %}{% endif %}{% set x = t %}",
            "{% for r in rows %}{% if r.t == t.col_item %}{% endif %}{% endfor %}",
        ] {
            assert!(!rebinds_words(template), "{template}");
        }
    }
}
