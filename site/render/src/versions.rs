//! Versions of a policy on its page: the version it replaces and the one that replaced it
//! (linked by `supersedes`), and what changed between them, rule by rule — the standard, the
//! limits, who qualifies — with the clauses. Rules are matched by id, which
//! `portal new version` keeps.

use crate::pages::{self, RuleRow};
use crate::words::Words;
use policy::load::Document;
use policy::Project;
use serde::Serialize;

/// Another version of the same policy, as the page links to it.
#[derive(Debug, Clone, Serialize)]
pub struct VersionLink {
    /// Its id, which is also its page's address.
    pub id: String,
    /// Its title.
    pub title: String,
    /// When it applies, in words (`2018年1月1日 起`).
    pub period: String,
}

/// One difference between a version and the one before it.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// `added`, `removed` or `changed`; the template words it.
    pub kind: &'static str,
    /// The rule's label (养殖猪).
    pub label: String,
    /// What changed in a `changed` rule: `standard`, `limits` or `condition`; empty otherwise.
    pub field: &'static str,
    /// The old value, for `changed` and `removed`.
    pub before: String,
    /// The new value, for `changed` and `added`.
    pub after: String,
    /// Where the clause is: in the new version, or the old one for a removed rule.
    pub clause_url: String,
}

/// A policy's place among its versions.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Versions {
    /// The version this one replaces.
    pub replaces: Option<VersionLink>,
    /// The version that replaced this one.
    pub replaced_by: Option<VersionLink>,
    /// What changed from `replaces` to this one; empty when there is none (or nothing changed).
    pub changes: Vec<Change>,
}

fn link(document: &Document, project: &Project, words: &Words) -> VersionLink {
    VersionLink {
        id: document.source.id.clone(),
        title: document.source.title.clone(),
        period: pages::summary(document, project, words).period,
    }
}

fn rows(document: &Document, project: &Project, words: &Words) -> Vec<RuleRow> {
    document
        .compiled
        .as_ref()
        .map(|policy| pages::rule_rows(document, policy, project, words))
        .unwrap_or_default()
}

/// The versions around `document`, and what changed since the one it replaces; `rows_now` are
/// the document's own rule rows, which its page has already worked out.
pub fn versions(
    document: &Document,
    rows_now: &[RuleRow],
    project: &Project,
    words: &Words,
) -> Versions {
    let previous = document
        .source
        .supersedes
        .as_ref()
        .and_then(|id| project.documents.iter().find(|d| &d.source.id == id));
    let next = project.successor(&document.source.id);
    Versions {
        replaces: previous.map(|d| link(d, project, words)),
        replaced_by: next.map(|d| link(d, project, words)),
        changes: previous
            .map(|old| changes(&rows(old, project, words), rows_now))
            .unwrap_or_default(),
    }
}

/// Rule by rule, from `old` to `new`: changed ones in the new order, then added, then removed.
pub fn changes(old: &[RuleRow], new: &[RuleRow]) -> Vec<Change> {
    let mut changed = Vec::new();
    let mut added = Vec::new();
    for row in new {
        let Some(before) = old.iter().find(|r| r.id == row.id) else {
            added.push(Change {
                kind: "added",
                label: row.label.clone(),
                field: "",
                before: String::new(),
                after: row.standard.clone(),
                clause_url: row.clause_url.clone(),
            });
            continue;
        };
        let fields = [
            ("standard", before.standard.clone(), row.standard.clone()),
            ("limits", before.limits.join("；"), row.limits.join("；")),
            (
                "condition",
                before.condition.clone().unwrap_or_default(),
                row.condition.clone().unwrap_or_default(),
            ),
        ];
        for (field, was, is) in fields {
            if was != is {
                changed.push(Change {
                    kind: "changed",
                    label: row.label.clone(),
                    field,
                    before: was,
                    after: is,
                    clause_url: row.clause_url.clone(),
                });
            }
        }
    }
    let removed = old
        .iter()
        .filter(|r| !new.iter().any(|n| n.id == r.id))
        .map(|r| Change {
            kind: "removed",
            label: r.label.clone(),
            field: "",
            before: r.standard.clone(),
            after: String::new(),
            clause_url: r.clause_url.clone(),
        });
    changed.into_iter().chain(added).chain(removed).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use calculator::Audience;

    fn row(id: &str, standard: &str, limits: &[&str]) -> RuleRow {
        RuleRow {
            id: id.into(),
            label: id.into(),
            audience: Audience::Household,
            audience_label: "农户",
            standard: standard.into(),
            limits: limits.iter().map(|l| (*l).to_owned()).collect(),
            condition: None,
            schedule: None,
            clause: "c1".into(),
            clause_url: "/policies/p/#c1".into(),
            notes: Vec::new(),
            not_computed: None,
        }
    }

    #[test]
    fn a_raised_rate_a_new_item_and_a_lifted_cap_are_each_named() {
        let old = [
            row("pigs", "300 元/头", &["养殖：每户合计不超过 3000 元"]),
            row("cattle", "3000 元/头", &["养殖：每户合计不超过 3000 元"]),
            row("donkeys", "1000 元/头", &[]),
        ];
        let new = [
            row("pigs", "400 元/头", &["养殖：每户合计不超过 4000 元"]),
            row("cattle", "3000 元/头", &["养殖：每户合计不超过 4000 元"]),
            row("bees", "150 元/箱", &[]),
        ];
        let all = changes(&old, &new);
        let seen: Vec<(&str, &str, &str, &str, &str)> = all
            .iter()
            .map(|c| {
                (
                    c.kind,
                    c.label.as_str(),
                    c.field,
                    c.before.as_str(),
                    c.after.as_str(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                ("changed", "pigs", "standard", "300 元/头", "400 元/头"),
                (
                    "changed",
                    "pigs",
                    "limits",
                    "养殖：每户合计不超过 3000 元",
                    "养殖：每户合计不超过 4000 元"
                ),
                (
                    "changed",
                    "cattle",
                    "limits",
                    "养殖：每户合计不超过 3000 元",
                    "养殖：每户合计不超过 4000 元"
                ),
                ("added", "bees", "", "", "150 元/箱"),
                ("removed", "donkeys", "", "1000 元/头", ""),
            ]
        );
        assert!(changes(&old, &old).is_empty());
    }
}
