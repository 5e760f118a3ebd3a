//! The result of an evaluation: the total, line by line with the reasons, the payment
//! schedule, loans, and what was not computed and why. This is the explanation the CLI prints
//! and the browser renders.

use crate::amount::Amount;
use crate::date::{Date, Period};
use crate::model::{Audience, DocumentStatus, Paid, ScheduleKind};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// What one household gets from one county's rules on one date, and why: the answer of
/// [`crate::evaluate()`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The county's GB/T 2260 code, six digits (`533401`).
    pub county: String,
    /// The county's name (香格里拉市).
    pub county_name: String,
    /// The office that decides, where a document names it; readers are sent there.
    pub office: Option<String>,
    /// The date whose rules were applied. The estimator may move it into the nearest
    /// rules' period, so it can differ from the date the household asked about.
    pub date: Date,
    /// Whom the estimate is for; rules for anyone else are listed in `excluded`.
    pub audience: Audience,
    /// The sum of `lines`, bound by bound, whatever their periods.
    pub total: Amount,
    /// `total` split by how often each line is paid: one-off, yearly, over N years, or not
    /// stated, in that order; only the kinds that occur. Their sum is `total`.
    pub by_period: Vec<PeriodTotal>,
    /// What the household receives, one line per paying rule, policy by policy in rule order.
    pub lines: Vec<Line>,
    /// How lines and groups with a schedule are paid out over time.
    pub schedule: Vec<PaymentPlan>,
    /// Loans the household may take: not money given, so not in `total`.
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

/// One rule that pays, with its amount and the working behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// The id of the policy the rule belongs to.
    pub policy: String,
    /// The rule's id, unique in its policy (`dairy-goats`).
    pub rule: String,
    /// What it is for, in the document's words (养猪, 设施瓜菜).
    pub label: String,
    /// What the household receives, in 元: after the item's cap and rounding, one-of choices
    /// and group caps.
    pub amount: Amount,
    /// How often the amount is paid (一次性, 每年, 分5年), as the rule states it.
    pub paid: Paid,
    /// The clause anchor in the policy's full text.
    pub clause: String,
    /// The id of the policy whose full text holds the clause: the rule's own policy, or the
    /// report a second-hand rule comes from ([`crate::model::Policy::text_policy_id`]). The
    /// engine knows no addresses; whoever shows the line makes a link of this and `clause`.
    pub text_policy: String,
    /// The facts the rule read (condition and amount) that the household gave.
    pub facts: Vec<FactUse>,
    /// How the amount was worked out, in order.
    pub steps: Vec<Step>,
    /// The rule's notes, then those of groups that acted on it, each once.
    pub notes: Vec<String>,
    /// True when the rule is second-hand, reported by another document; readers are told so.
    pub derived_from_report: bool,
}

/// The lines paid over one kind of period, added up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodTotal {
    /// How often these lines are paid.
    pub paid: Paid,
    /// Their sum, in 元: one payment, one year's, or the whole over the years.
    pub amount: Amount,
}

/// A fact the household gave, as explanations quote it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactUse {
    /// The fact's id in the catalogue (`pigs`, `registered_poor`).
    pub id: String,
    /// The fact as the form names it, in Chinese.
    pub label: String,
    /// As given: `true`/`false` or a decimal string.
    pub value: String,
    /// The unit people see (`亩`, `头`); `None` for yes/no facts and years.
    pub unit: Option<String>,
}

/// One step of working out a line, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "step")]
pub enum Step {
    /// The quantity the rate applies to.
    Quantity {
        /// The quantity as it reads, fact ids replaced by their labels (奶山羊 + 肉羊).
        formula: String,
        /// How much the household has, in `unit`.
        value: Amount,
        /// The quantity's unit as shown: the fact's own (只) or the formula's (亩).
        unit: String,
    },
    /// A cap on the quantity cut in.
    QuantityCap {
        /// The most of the quantity the rule pays for, in `unit`.
        #[serde(with = "rust_decimal::serde::str")]
        limit: Decimal,
        /// The quantity's unit as shown (亩).
        unit: String,
        /// The quantity the household has.
        before: Amount,
        /// The quantity paid for: never above `limit`.
        after: Amount,
    },
    /// quantity × rate.
    Rate {
        /// The rate as the clerk wrote it (`300 元/头`), fact ids not replaced. Not shown by
        /// the words of an estimate (crate `estimate_view`).
        formula: String,
        /// The rate, in 元 per unit of the quantity; a range when discretionary.
        rate: Amount,
        /// The rate's unit, `元/` and the quantity's unit (`元/亩`).
        unit: String,
        /// quantity × rate, in 元, before the item's cap and rounding.
        amount: Amount,
    },
    /// An amount given by a formula.
    Formula {
        /// The formula as it reads, fact ids replaced by their labels.
        formula: String,
        /// Its value, in 元, before the item's cap and rounding.
        amount: Amount,
    },
    /// The text names a cap but no rate.
    RateNotStated {
        /// The 补助上限 the text gives, in 元: the line is anywhere from 0 to this.
        #[serde(with = "rust_decimal::serde::str")]
        cap: Decimal,
    },
    /// The per-item cap cut in.
    Cap {
        /// The most this item pays, in 元.
        #[serde(with = "rust_decimal::serde::str")]
        limit: Decimal,
        /// The amount before the cap.
        before: Amount,
        /// The amount after: never above `limit`.
        after: Amount,
    },
    /// The rule's rounding changed the amount (only then is the step recorded).
    Rounded {
        /// Decimal places of a yuan kept: 0 元, 1 角, 2 分 (at most 4).
        places: u32,
        /// The amount before rounding.
        before: Amount,
        /// The amount rounded half away from zero (四舍五入).
        after: Amount,
    },
    /// A top-up, paid because the item it adds to is paid.
    TopUp {
        /// The id of the rule this one is paid on top of.
        of_rule: String,
        /// That rule's label, as the step reads.
        of_label: String,
    },
    /// Chosen as the best of a one-of group; the others and what they would have paid. The
    /// line's amount is the best the household can get: at least the highest certain amount
    /// of any item (`floor_from` names that item when it is not this one), at most this one's.
    Chosen {
        /// The group's id, unique in its policy.
        group: String,
        /// The group as the text names it, shown at the start of the step.
        group_label: String,
        /// The anchor of the clause that says only one is paid (只享受1项).
        clause: String,
        /// The group's other paying items, with what each would have paid; empty when this is
        /// the only one.
        alternatives: Vec<Alternative>,
        /// The item whose certain amount sets this line's minimum; `None` when it is this one.
        floor_from: Option<Alternative>,
    },
    /// A group cap per household cut this line.
    GroupCap {
        /// The group's id, unique in its policy.
        group: String,
        /// The group as the text names it, shown at the start of the step.
        group_label: String,
        /// The anchor of the clause that sets the cap.
        clause: String,
        /// The most the group pays one household, in 元.
        #[serde(with = "rust_decimal::serde::str")]
        limit: Decimal,
        /// What the group's paying items came to together before the cap, in 元.
        group_before: Amount,
        /// This line before the cut.
        before: Amount,
        /// This line's share of the capped total; the text's earlier items keep theirs first.
        after: Amount,
    },
}

/// An item of a one-of group and what it would pay the household.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alternative {
    /// The item's rule id, unique in its policy.
    pub rule: String,
    /// What it is for, in the document's words.
    pub label: String,
    /// What it would pay on its own, in 元.
    pub amount: Amount,
}

/// How one amount is paid out over time: its parts in order, adding up to `total`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentPlan {
    /// The id of the policy the rule or group belongs to.
    pub policy: String,
    /// The rule or group whose amount is scheduled.
    pub source: String,
    /// That rule's or group's label.
    pub label: String,
    /// Tranches of one grant, or payments over several years.
    pub kind: ScheduleKind,
    /// The anchor of the clause that sets the schedule: its own, else the rule's or group's.
    pub clause: String,
    /// The amount scheduled, in 元: the line's amount, or the group's paying items together.
    pub total: Amount,
    /// The parts in order of payment; bound by bound they add up to `total` exactly.
    pub parts: Vec<PaymentPart>,
    /// Interpretations behind the schedule (the group's notes).
    pub notes: Vec<String>,
}

/// One tranche or one year of a payment plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentPart {
    /// The part as the text names it (产前, 第一年).
    pub label: String,
    /// Its share of the total by weight, in 元, rounded to the fen; the last part takes the
    /// remainder.
    pub amount: Amount,
}

/// A loan the household may take, listed apart: a loan is not money given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoanLine {
    /// The id of the policy the rule belongs to.
    pub policy: String,
    /// The rule's id, unique in its policy.
    pub rule: String,
    /// What the loan is for, in the document's words.
    pub label: String,
    /// The most that can be borrowed; `None` when the text states no amount.
    pub max_principal: Option<Amount>,
    /// 期限 as the text says it (3年以内); `None` when it says none.
    pub term: Option<String>,
    /// Who pays the interest and on what terms, as the text says (政府贴息3年).
    pub interest: String,
    /// The anchor of the clause in the policy's full text.
    pub clause: String,
    /// The policy whose full text holds the clause (see [`Line::text_policy`]).
    pub text_policy: String,
    /// The rule's notes, shown with the loan.
    pub notes: Vec<String>,
    /// True when the rule is second-hand, reported by another document.
    pub derived_from_report: bool,
}

/// A measure in force that was not computed for this household, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Excluded {
    /// The id of the policy the rule belongs to.
    pub policy: String,
    /// The rule's id, unique in its policy.
    pub rule: String,
    /// What it is for, in the document's words.
    pub label: String,
    /// Whom the measure is for, which may not be the estimate's audience.
    pub audience: Audience,
    /// Why it was not computed.
    pub why: Exclusion,
    /// The anchor of the clause in the policy's full text.
    pub clause: String,
    /// The policy whose full text holds the clause (see [`Line::text_policy`]).
    pub text_policy: String,
}

/// Why a measure in force was not computed for this household.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Exclusion {
    /// It is for someone else (an enterprise, a village collective) than the estimate's
    /// audience.
    OtherAudience,
    /// It needs facts that were not given.
    NeedsFacts {
        /// Their labels in the catalogue (家庭人口).
        facts: Vec<String>,
    },
    /// The document states no amount to compute; the rule says why, in the document's words.
    NotComputed {
        /// The rule's `not_computed` text.
        reason: String,
    },
}

/// A measure that would pay for what the household has, but whose condition it does not
/// meet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotEligible {
    /// The id of the policy the rule belongs to.
    pub policy: String,
    /// The rule's id, unique in its policy.
    pub rule: String,
    /// What it is for, in the document's words.
    pub label: String,
    /// The condition not met, as it reads for people (建档立卡贫困户且有劳动能力).
    pub condition: String,
    /// The anchor of the clause in the policy's full text.
    pub clause: String,
    /// The policy whose full text holds the clause (see [`Line::text_policy`]).
    pub text_policy: String,
}

/// How to apply for what one policy pays ([`crate::evaluate::next_steps`]): the policy's
/// `apply` section as compiled. Its title and region are in [`Estimate::policies`], under the
/// same id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NextSteps {
    /// The policy's id.
    pub policy: String,
    /// The id of the policy whose full text holds the cited clauses.
    pub text_policy: String,
    /// Whom to deal with and the steps; `None` when the text says nothing about applying.
    pub apply: Option<crate::model::Apply>,
}

/// A policy of the county and whether it applied on the estimate's date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyUse {
    /// The policy's id, also its page address (`/policies/ID/`).
    pub id: String,
    /// The document's title as issued.
    pub title: String,
    /// The region whose document it is (the county, its prefecture, province or the nation).
    pub region: crate::model::RegionRef,
    /// 有效性 as recorded; for information only, `period` decides `in_force`.
    pub status: DocumentStatus,
    /// When its measures apply.
    pub period: Period,
    /// True when `period` contains the estimate's date, so its rules were applied; when
    /// not, the date is before `period.from` (not yet in force) or after `period.to` (ended).
    pub in_force: bool,
    /// The id of a policy in force on the date that takes this one's place in the county;
    /// this one's measures were then not applied, though it is in force.
    pub replaced_by: Option<String>,
}

impl Estimate {
    /// The ids of the policies that pay the household something (a line) or lend to it (a
    /// loan), in the county's order: those whose next steps follow the estimate.
    pub fn paying_policies(&self) -> Vec<String> {
        let mut ids = Vec::new();
        for policy in &self.policies {
            let pays = self.lines.iter().any(|l| l.policy == policy.id)
                || self.loans.iter().any(|l| l.policy == policy.id);
            if pays {
                ids.push(policy.id.clone());
            }
        }
        ids
    }

    /// True when no policy of the county applied on the date.
    pub fn nothing_in_force(&self) -> bool {
        !self.policies.iter().any(|p| p.in_force)
    }
}
