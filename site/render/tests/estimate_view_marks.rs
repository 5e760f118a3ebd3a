//! The estimator's script fills `templates/estimate_view.html` by field name (`data-text`,
//! `data-attr`, `data-each`, `data-shown-if`). A field renamed in `estimate_view::View` would
//! leave a blank on the page and no error anywhere, so every name the marks use must be a
//! field of the view.

use std::collections::BTreeSet;

fn keys(value: &serde_json::Value, into: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, inner) in map {
                into.insert(key.clone());
                keys(inner, into);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| keys(v, into)),
        _ => {}
    }
}

/// The values of `attribute="…"` in `html`.
fn values<'a>(html: &'a str, attribute: &str) -> Vec<&'a str> {
    let opening = format!(" {attribute}=\"");
    html.match_indices(&opening)
        .filter_map(|(at, _)| {
            let rest = &html[at + opening.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

#[test]
fn every_field_the_markup_names_is_a_field_of_the_view() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../templates/estimate_view.html"
    );
    let template = std::fs::read_to_string(path).unwrap();
    // The marks as used, not as the header comment explains them.
    let html = match (template.find("{#"), template.find("#}")) {
        (Some(from), Some(to)) => format!("{}{}", &template[..from], &template[to..]),
        _ => template.clone(),
    };
    let shape = serde_json::to_value(estimate_view::View::shape()).unwrap();
    let mut fields = BTreeSet::new();
    keys(&shape, &mut fields);

    let mut named = Vec::new();
    for attribute in ["data-text", "data-each", "data-shown-if"] {
        named.extend(values(&html, attribute).into_iter().map(str::to_owned));
    }
    for pairs in values(&html, "data-attr") {
        for pair in pairs.split(',') {
            let (_, field) = pair
                .split_once(':')
                .unwrap_or_else(|| panic!("{pair}: name:field"));
            named.push(field.to_owned());
        }
    }
    assert!(named.len() > 15, "too few marks found: {named:?}");
    for field in named.iter().filter(|f| *f != ".") {
        assert!(
            fields.contains(field),
            "estimate_view.html names `{field}`, which estimate_view::View does not have"
        );
    }
}
