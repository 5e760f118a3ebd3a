//! The site's words written into the theme's HTML templates once, before Tera compiles them:
//! each plain `{{ t.KEY }}` becomes KEY's words, escaped as Tera's autoescape writes them
//! (with the site's [`escape_html`]). The words are the same on every page, and Tera looks a
//! name up anew each time it meets one; the rules tables name five column labels per row.
//! What is baked renders as Tera would render it as long as `t` is the site's words
//! wherever it is read, so a theme that could give `t` another value, or that renders HTML
//! templates from a text or XML one (which Tera would not escape), is not baked at all
//! ([`theme_allows`]); a test builds the real site both ways and compares every file.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::markdown::escape_html;

/// Whether a theme's templates, by name, may be baked: none can give `t` another value, and
/// no non-HTML template pulls in another template or calls a component.
pub(crate) fn theme_allows<'a>(templates: impl IntoIterator<Item = (&'a str, &'a str)>) -> bool {
    templates.into_iter().all(|(name, text)| {
        !rebinds_words(text)
            && (name.ends_with(".html")
                || !marks(text).any(|mark| {
                    // A component's call, `{{<name … />}}` or `{% <name> %}…`.
                    let component = || {
                        let inner = mark.inner.trim_start_matches('-').trim_start();
                        inner.starts_with('<')
                    };
                    match mark.kind {
                        Kind::Comment => false,
                        Kind::Expression => component(),
                        Kind::Tag => {
                            component() || matches!(tag_name(mark.inner), "include" | "extends")
                        }
                    }
                }))
    })
}

/// `template` with its plain `{{ t.KEY }}` replaced by their words. Left to Tera: a key the
/// catalogue lacks (Tera then reports it), an expression with filters or whitespace control,
/// anything inside `{% raw %}`, a tag or a comment, and words that could read as template
/// syntax or be trimmed by a neighbour's whitespace control.
pub(crate) fn bake<'a>(template: &'a str, strings: &BTreeMap<String, String>) -> Cow<'a, str> {
    let mut out = String::new();
    let mut done = 0;
    for mark in marks(template).filter(|mark| mark.kind == Kind::Expression) {
        let word = mark
            .inner
            .trim_matches(' ')
            .strip_prefix("t.")
            .filter(|key| !key.is_empty() && key.chars().all(is_name_char))
            .and_then(|key| strings.get(key))
            .filter(|word| plain_text(word));
        if let Some(word) = word {
            out.push_str(&template[done..mark.start]);
            out.push_str(&escape_html(word));
            done = mark.end;
        }
    }
    if done == 0 {
        return Cow::Borrowed(template);
    }
    out.push_str(&template[done..]);
    Cow::Owned(out)
}

/// Words that stay what they are once they are template text: no brace (which could open or
/// close template syntax with what is beside them), nothing that whitespace control trims.
fn plain_text(word: &str) -> bool {
    !word.contains(['{', '}']) && !word.starts_with(['%', '#']) && word.trim() == word
}

/// What a template's markup is: `{{ … }}`, `{% … %}` or `{# … #}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Expression,
    Tag,
    Comment,
}

/// One piece of a template's markup: what is between its delimiters, and where it starts and
/// ends in the template.
#[derive(Debug)]
struct Mark<'a> {
    kind: Kind,
    inner: &'a str,
    start: usize,
    end: usize,
}

/// Each piece of a template's markup in order, as Tera reads it: the inside of a raw block is
/// text, not markup.
fn marks(template: &str) -> impl Iterator<Item = Mark<'_>> {
    let bytes = template.as_bytes();
    let mut from = 0;
    std::iter::from_fn(move || {
        let start = (from..bytes.len().saturating_sub(1))
            .find(|&i| bytes[i] == b'{' && matches!(bytes[i + 1], b'{' | b'%' | b'#'))?;
        let (kind, closing) = match bytes[start + 1] {
            b'{' => (Kind::Expression, "}}"),
            b'%' => (Kind::Tag, "%}"),
            _ => (Kind::Comment, "#}"),
        };
        let close = start + 2 + template[start + 2..].find(closing)?;
        let inner = &template[start + 2..close];
        from = close + 2;
        if kind == Kind::Tag && tag_name(inner) == "raw" {
            from = end_of_raw(template, from);
        }
        Some(Mark {
            kind,
            inner,
            start,
            end: close + 2,
        })
    })
}

/// A tag's name: `raw` in `{%- raw -%}`.
fn tag_name(inner: &str) -> &str {
    inner
        .trim_matches(|c: char| c == '-' || c.is_whitespace())
        .split_whitespace()
        .next()
        .unwrap_or("")
}

/// Just past the `{% endraw %}` that ends a raw block opening before `from`.
fn end_of_raw(template: &str, mut from: usize) -> usize {
    while let Some(open) = template[from..].find("{%").map(|i| from + i) {
        let Some(close) = template[open + 2..].find("%}").map(|i| open + 2 + i) else {
            return template.len();
        };
        from = close + 2;
        if tag_name(&template[open + 2..close]) == "endraw" {
            return from;
        }
    }
    template.len()
}

/// Whether a template may give `t` another value than the site's words: `set t`, a loop
/// variable `t`, `t=` with anything but `t` alone (`t={t}`: a component's argument; or
/// its default), a typed parameter `t: …` (which may have a default), or a map spread
/// (`{...args}`, which may hold a `t`). A theme with such a template is not baked at all,
/// since a component's `t` is whatever its callers pass. Read over the whole text, so it
/// errs towards not baking.
pub(crate) fn rebinds_words(template: &str) -> bool {
    let spread = template
        .match_indices("...")
        .any(|(i, _)| template[..i].trim_end().ends_with(['{', ',']));
    if spread {
        return true;
    }
    let bytes = template.as_bytes();
    let name_byte = |b: u8| is_name_char(char::from(b));
    let standalone_t = |i: usize| {
        bytes[i] == b't'
            && (i == 0 || !(name_byte(bytes[i - 1]) || bytes[i - 1] == b'.'))
            && bytes.get(i + 1).is_none_or(|&b| !name_byte(b))
    };
    (0..bytes.len()).filter(|&i| standalone_t(i)).any(|i| {
        let before = template[..i].trim_end();
        let after = template[i + 1..].trim_start();
        let keyword = ["set", "set_global", "for"].iter().any(|k| {
            before.ends_with(k) && !before[..before.len() - k.len()].ends_with(is_name_char)
        });
        let loop_variable = before.ends_with(',')
            && after
                .strip_prefix("in")
                .is_some_and(|rest| rest.starts_with(char::is_whitespace));
        let assigned = after.strip_prefix('=').filter(|v| !v.starts_with('='));
        let other_value = assigned.is_some_and(|value| {
            let value = value.trim_start();
            match value.strip_prefix('{') {
                // A component's argument, `t={t}`.
                Some(braced) => !braced
                    .trim_start()
                    .strip_prefix('t')
                    .is_some_and(|rest| rest.trim_start().starts_with('}')),
                None => {
                    let rest = value.strip_prefix('t').map(str::trim_start);
                    !rest.is_some_and(|rest| rest.starts_with([',', ')']))
                }
            }
        });
        let typed = after.starts_with(':');
        keyword || loop_variable || other_value || typed
    })
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
            ("brace", "x{"),
            ("spaced", " 两边有空格 "),
            ("hash", "#}"),
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
        tera.set_escape_fn(crate::markdown::escape_html_to);
        tera.add_raw_template("a.html", "{{ t.quoted }}").unwrap();
        let mut context = tera::Context::new();
        context.insert("t", &strings);
        assert_eq!(
            bake("{{ t.quoted }}", &strings),
            tera.render("a.html", &context).unwrap()
        );
        assert_eq!(
            bake(
                "{% raw %}{{ t.col_item }}{% endraw %}{{ t.col_item }}",
                &strings
            ),
            "{% raw %}{{ t.col_item }}{% endraw %}项目"
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
            "{{ t.brace }}{% endif %}",
            "{{ t.spaced }}",
            "{# {{ t.hash }} #}",
            "{# {{ t.col_item }} #}",
            "{% set x = \"{{ t.col_item }}\" %}",
            "{%- raw %}{{ t.col_item }}{% endraw %}",
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
        let mut files = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                files.push((name, std::fs::read_to_string(&path).unwrap()));
            }
        }
        assert!(theme_allows(
            files.iter().map(|(n, t)| (n.as_str(), t.as_str()))
        ));
        let baked = files
            .iter()
            .filter(|(name, text)| {
                name.ends_with(".html") && matches!(bake(text, strings.catalogue()), Cow::Owned(_))
            })
            .count();
        assert!(baked >= 15, "only {baked} templates had words written in");
    }

    #[test]
    fn a_theme_that_could_change_t_or_escape_otherwise_is_not_baked() {
        for template in [
            "{% set t = site %}",
            "{% set\n  t = site %}",
            "{% set_global t=1 %}",
            "{% for t in rows %}{% endfor %}",
            "{% for\tt in rows %}{% endfor %}",
            "{% for k,\n t in rows %}{% endfor %}",
            "{{<table rows={r} t={other} />}}",
            "{{<table rows={r} t={t.x} />}}",
            "{{<table rows={r} t={t | f} />}}",
            "{{<table rows={r} t=\"x\" />}}",
            "{% component table(rows, t=\"x\") %}{% endcomponent table %}",
            "{% component table(rows, t: string = \"x\") %}{% endcomponent table %}",
            "{{<table rows={r} {...args} />}}",
            "{{<table {...args, \"t\": 1} />}}",
        ] {
            assert!(rebinds_words(template), "{template}");
            assert!(!theme_allows([("a.html", template)]), "{template}");
        }
        for template in [
            "{{<table rows={r} t={t} />}}",
            "{{<table t={ t } rows={r}/>}}",
            "{% component table(rows, caption, t) %}{% endcomponent table %}",
            "{% set name = t.col_item %}{% if a.t == 1 %}{% endif %}{% set x = t %}",
            "{% for r in rows %}{% if r.t == t.col_item %}{% endif %}{% endfor %}",
        ] {
            assert!(!rebinds_words(template), "{template}");
        }
        // Tera escapes by the template rendered: an HTML template included in a feed is not.
        for feed in [
            "{% include \"part.html\" %}",
            "{%- include \"part.html\" -%}",
            "{{<part />}}",
            "{%- <part> %}x{% </part> %}",
            "{{- <part /> }}",
        ] {
            assert!(!theme_allows([
                ("feed.xml", feed),
                ("part.html", "{{ t.col_item }}")
            ]));
        }
        assert!(theme_allows([
            ("feed.xml", "{{ site.title | xml }}"),
            ("part.html", "{{ t.col_item }}"),
        ]));
    }
}
