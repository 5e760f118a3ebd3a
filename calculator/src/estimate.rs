//! The result of an evaluation: the total, line by line with the reasons, the payment
//! schedule, loans, and what was not computed and why. This is the explanation the CLI prints
//! and the browser renders.

use crate::amount::Amount;
use crate::date::{Date, Period};
use crate::model::{Audience, DocumentStatus, ScheduleKind};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub county: String,
    pub county_name: String,
    pub office: Option<String>,
    pub date: Date,
    pub audience: Audience,
    /// The sum of `lines`, bound by bound.
    pub total: Amount,
    pub lines: Vec<Line>,
    pub schedule: Vec<PaymentPlan>,
    pub loans: Vec<LoanLine>,
    /// Measures in force that were not computed, with why.
    pub excluded: Vec<Excluded>,
    /// Measures that would pay for what the household has, but whose conditions it does not meet.
    pub not_eligible: Vec<NotEligible>,
    /// Every policy of the county and whether it applied on `date`.
    pub policies: Vec<PolicyUse>,
    /// The facts the household gave.
    pub facts: Vec<FactUse>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub policy: String,
    pub rule: String,
    pub label: String,
    pub amount: Amount,
    /// The clause anchor in the policy's full text.
    pub clause: String,
    /// Where to read the clause on the site.
    pub clause_url: String,
    pub facts: Vec<FactUse>,
    pub steps: Vec<Step>,
    pub notes: Vec<String>,
    pub derived_from_report: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactUse {
    pub id: String,
    pub label: String,
    /// As given: `true`/`false` or a decimal string.
    pub value: String,
    pub unit: Option<String>,
}

/// One step of working out a line, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "step")]
pub enum Step {
    /// The quantity the rate applies to.
    Quantity {
        formula: String,
        value: Amount,
        unit: String,
    },
    /// A cap on the quantity cut in.
    QuantityCap {
        #[serde(with = "rust_decimal::serde::str")]
        limit: Decimal,
        unit: String,
        before: Amount,
        after: Amount,
    },
    /// quantity × rate.
    Rate {
        formula: String,
        rate: Amount,
        unit: String,
        amount: Amount,
    },
    /// An amount given by a formula.
    Formula { formula: String, amount: Amount },
    /// The text names a cap but no rate.
    RateNotStated {
        #[serde(with = "rust_decimal::serde::str")]
        cap: Decimal,
    },
    /// The per-item cap cut in.
    Cap {
        #[serde(with = "rust_decimal::serde::str")]
        limit: Decimal,
        before: Amount,
        after: Amount,
    },
    Rounded {
        places: u32,
        before: Amount,
        after: Amount,
    },
    /// A top-up, paid because the item it adds to is paid.
    TopUp { of_rule: String, of_label: String },
    /// Chosen as the best of a one-of group; the others and what they would have paid. The
    /// line's amount is the best the household can get: at least the highest certain amount
    /// of any item (`floor_from` names that item when it is not this one), at most this one's.
    Chosen {
        group: String,
        group_label: String,
        clause: String,
        alternatives: Vec<Alternative>,
        floor_from: Option<Alternative>,
    },
    /// A group cap per household cut this line.
    GroupCap {
        group: String,
        group_label: String,
        clause: String,
        #[serde(with = "rust_decimal::serde::str")]
        limit: Decimal,
        group_before: Amount,
        before: Amount,
        after: Amount,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alternative {
    pub rule: String,
    pub label: String,
    pub amount: Amount,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentPlan {
    pub policy: String,
    /// The rule or group whose amount is scheduled.
    pub source: String,
    pub label: String,
    pub kind: ScheduleKind,
    pub clause: String,
    pub total: Amount,
    pub parts: Vec<PaymentPart>,
    /// How parts were rounded, in words.
    pub rounding: String,
    /// Interpretations behind the schedule (the group's notes).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentPart {
    pub label: String,
    pub amount: Amount,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoanLine {
    pub policy: String,
    pub rule: String,
    pub label: String,
    /// The most that can be borrowed; `None` when the text states no amount.
    pub max_principal: Option<Amount>,
    pub term: Option<String>,
    pub interest: String,
    pub clause: String,
    pub clause_url: String,
    pub notes: Vec<String>,
    pub derived_from_report: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Excluded {
    pub policy: String,
    pub rule: String,
    pub label: String,
    pub audience: Audience,
    pub reason: String,
    pub clause: String,
    pub clause_url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotEligible {
    pub policy: String,
    pub rule: String,
    pub label: String,
    pub condition: String,
    pub clause: String,
    pub clause_url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyUse {
    pub id: String,
    pub title: String,
    pub status: DocumentStatus,
    pub period: Period,
    pub in_force: bool,
    /// Why it did not apply on the date (已失效 / 尚未生效), when it did not.
    pub reason: Option<String>,
}

impl Estimate {
    /// True when no policy of the county applied on the date.
    pub fn nothing_in_force(&self) -> bool {
        !self.policies.iter().any(|p| p.in_force)
    }

    /// The policy that ended or starts closest to the date, for "nothing in force" messages.
    pub fn latest_policy(&self) -> Option<&PolicyUse> {
        self.policies
            .iter()
            .max_by_key(|p| (p.period.from, p.period.to))
    }
}
