//! The compiled rule model: what the build produces from the YAML and what the evaluator runs.
//! Serialisable, so the same rules can be shipped to the browser as JSON.

use crate::date::{Date, Period};
use crate::expr::{Absent, Expr};
use crate::fact::FactCatalogue;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Everything needed to estimate for one county: its facts catalogue and its policies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rulebook {
    pub county: CountyRef,
    pub facts: FactCatalogue,
    /// Per fact: what it reads as when the household did not give it.
    pub absent: Vec<Absent>,
    pub policies: Vec<Policy>,
}

impl Rulebook {
    /// The same county and facts with only `policy`, for working out one document's examples.
    pub fn with_only(&self, policy: &Policy) -> Rulebook {
        Rulebook {
            county: self.county.clone(),
            facts: self.facts.clone(),
            absent: self.absent.clone(),
            policies: vec![policy.clone()],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountyRef {
    pub code: String,
    pub name: String,
    /// The office that decides, where a document names it.
    pub office: Option<String>,
}

/// Who a measure is for. The estimator serves households and says what else exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// 农户 / 贫困户.
    Household,
    /// 企业、合作社、致富带头人等经营主体.
    Enterprise,
    /// 村集体.
    Collective,
}

impl Audience {
    pub fn chinese(self) -> &'static str {
        match self {
            Audience::Household => "农户",
            Audience::Enterprise => "企业、合作社等经营主体",
            Audience::Collective => "村集体",
        }
    }
}

/// 有效性: whether the document itself is still in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    /// 有效.
    InForce,
    /// 已修订.
    Amended,
    /// 失效 / 废止.
    Repealed,
}

impl DocumentStatus {
    pub fn chinese(self) -> &'static str {
        match self {
            DocumentStatus::InForce => "有效",
            DocumentStatus::Amended => "已修订",
            DocumentStatus::Repealed => "失效",
        }
    }
}

/// A policy document (or measures derived from a report) as the evaluator sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    pub id: String,
    pub title: String,
    pub status: DocumentStatus,
    /// When its measures apply.
    pub period: Period,
    /// True when its measures are second-hand, reported by another document.
    pub derived_from_report: bool,
    /// The policy whose full text the clause anchors point into (another document's id for
    /// measures derived from a report).
    pub text_from: Option<String>,
    pub rules: Vec<Rule>,
    pub groups: Vec<Group>,
}

impl Policy {
    pub fn in_force_on(&self, date: Date) -> bool {
        self.period.contains(date)
    }

    /// The id of the page that holds the clauses this policy's rules cite.
    pub fn text_policy_id(&self) -> &str {
        self.text_from.as_deref().unwrap_or(&self.id)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub id: String,
    pub label: String,
    /// The anchor of the clause of the full text this rule implements.
    pub clause: String,
    pub audience: Audience,
    /// Who qualifies; `None` means everyone the audience covers.
    pub eligible: Option<Condition>,
    pub measure: Measure,
    /// Only paid when this rule (an index into the policy's rules) pays: a top-up.
    pub adds_to: Option<usize>,
    pub schedule: Option<Schedule>,
    /// Interpretations and remarks shown to readers with the result.
    pub notes: Vec<String>,
}

/// A yes/no formula and its text, so the explanation can quote it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    pub expr: Expr,
    pub text: String,
    /// How the condition reads for people, e.g. 建档立卡贫困户且有劳动能力.
    pub description: String,
}

/// What a rule pays, and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Measure {
    /// quantity × rate, with an optional cap on the quantity and on the amount.
    PerUnit {
        quantity: Expr,
        quantity_text: String,
        unit: String,
        #[serde(with = "crate::amount::optional_decimal")]
        max_quantity: Option<Decimal>,
        rate: Expr,
        rate_text: String,
        #[serde(with = "crate::amount::optional_decimal")]
        cap: Option<Decimal>,
        /// Round the amount to this many decimal places of a yuan, half away from zero.
        round_to: Option<u32>,
    },
    /// Any formula giving 元, with an optional cap.
    Formula {
        amount: Expr,
        amount_text: String,
        #[serde(with = "crate::amount::optional_decimal")]
        cap: Option<Decimal>,
        round_to: Option<u32>,
    },
    /// The text gives a cap but no rate: "up to the cap" when the household has any of the item.
    CapWithoutRate {
        quantity: Expr,
        quantity_text: String,
        unit: String,
        #[serde(with = "rust_decimal::serde::str")]
        cap: Decimal,
    },
    /// A loan: not money given, so never part of the total.
    Loan {
        max_principal: Option<Expr>,
        max_principal_text: Option<String>,
        term: Option<String>,
        interest: String,
    },
    /// A measure the estimator does not compute; the reason says why.
    NotComputed { reason: String },
}

impl Measure {
    /// The facts that say how much of the item the household has: the quantity, or the whole
    /// formula of a formula measure. The comparison groups rules by these.
    pub fn quantity_facts(&self) -> Vec<usize> {
        let mut out = Vec::new();
        match self {
            Measure::PerUnit { quantity, .. } | Measure::CapWithoutRate { quantity, .. } => {
                quantity.facts_used(&mut out);
            }
            Measure::Formula { amount, .. } => amount.facts_used(&mut out),
            Measure::Loan { .. } | Measure::NotComputed { .. } => {}
        }
        out
    }

    /// Every fact the amount reads: the quantity and the rate, the formula, a loan's maximum
    /// principal. In order of appearance; a fact may appear twice.
    pub fn facts_read(&self) -> Vec<usize> {
        let mut out = Vec::new();
        match self {
            Measure::PerUnit { quantity, rate, .. } => {
                quantity.facts_used(&mut out);
                rate.facts_used(&mut out);
            }
            Measure::Formula { amount, .. } => amount.facts_used(&mut out),
            Measure::CapWithoutRate { quantity, .. } => quantity.facts_used(&mut out),
            Measure::Loan {
                max_principal: Some(principal),
                ..
            } => principal.facts_used(&mut out),
            Measure::Loan { .. } | Measure::NotComputed { .. } => {}
        }
        out
    }
}

impl Rule {
    /// Every fact the rule reads: its condition's, then its measure's.
    pub fn facts_read(&self) -> Vec<usize> {
        let mut out = Vec::new();
        if let Some(condition) = &self.eligible {
            condition.expr.facts_used(&mut out);
        }
        out.extend(self.measure.facts_read());
        out
    }
}

/// Rules that are capped together per household, or of which only one is paid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub id: String,
    pub label: String,
    pub clause: String,
    /// Indices into the policy's rules, in the order the text lists them.
    pub rules: Vec<usize>,
    /// 只享受1项: only the best one for the household is paid.
    pub choose_one: bool,
    #[serde(with = "crate::amount::optional_decimal")]
    pub cap: Option<Decimal>,
    pub schedule: Option<Schedule>,
    pub notes: Vec<String>,
}

/// How an amount is paid out over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    pub kind: ScheduleKind,
    pub clause: Option<String>,
    pub parts: Vec<SchedulePart>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleKind {
    /// 分期兑现: tranches of one grant (6:2:2 产前/产中/产后).
    Tranches,
    /// 分年兑现: a multi-year plan (退耕还林 500, 150, 300, 150, 400).
    Years,
}

/// One part of a schedule; its share of the whole is `weight / sum of weights`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchedulePart {
    pub label: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub weight: Decimal,
}
