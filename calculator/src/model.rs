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
    /// The county the rules are for, as estimates name it.
    pub county: CountyRef,
    /// The facts catalogue, the same for every county; formulas refer to facts by their index
    /// in it.
    pub facts: FactCatalogue,
    /// Per fact: what it reads as when the household did not give it.
    pub absent: Vec<Absent>,
    /// The county's policies (and measures derived from reports), by start date then id.
    pub policies: Vec<Policy>,
}

impl Rulebook {
    /// The policy whose rules an estimate for `date` goes by when none is in force then: the
    /// one whose period comes closest to the date (ended just before it, or starting just
    /// after; on a tie, the one that ended). `None` when the county has no policy.
    pub fn nearest_policy(&self, date: Date) -> Option<&Policy> {
        let day = date.day_number();
        self.policies.iter().min_by_key(|p| {
            let from = p.period.from.day_number();
            let to = p.period.to.map(|t| t.day_number());
            match to {
                _ if p.in_force_on(date) => (0, 0),
                Some(to) if day > to => (day.saturating_sub(to), 0),
                _ => (from.saturating_sub(day), 1),
            }
        })
    }

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

/// The county a rulebook is for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountyRef {
    /// The county's GB/T 2260 code, six digits (`610117`).
    pub code: String,
    /// The county's name (高陵区).
    pub name: String,
    /// The office that decides, where a document names it.
    pub office: Option<String>,
}

/// The level of government a policy comes from. A household's subsidies add up from its
/// county's documents and those of the regions above it.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 县级: a county, county-level city or district.
    #[default]
    County,
    /// 市级: a prefecture-level city, 州 or 盟.
    Prefecture,
    /// 省级: a province, autonomous region or municipality.
    Province,
    /// 国家: the nation.
    Nation,
}

/// The region a policy belongs to, as estimates name who pays.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionRef {
    /// Its GB/T 2260 code (`610100`).
    pub code: String,
    /// Its name (西安市).
    pub name: String,
    /// Its level.
    pub level: Level,
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

/// A policy document (or measures derived from a report) as the evaluator sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    /// The policy's id, unique across counties: lower-case letters, digits and `-`
    /// (`gaoling-2017-industry`). It is also its page address, `/policies/ID/`.
    pub id: String,
    /// The document's title as issued.
    pub title: String,
    /// 有效性 as recorded, for readers; the evaluator goes by `period` alone.
    pub status: DocumentStatus,
    /// When its measures apply.
    pub period: Period,
    /// True when its measures are second-hand, reported by another document.
    pub derived_from_report: bool,
    /// The region whose document it is: the county's own, or a region above it.
    #[serde(default)]
    pub region: RegionRef,
    /// Ids of policies of regions above that this one takes the place of while it is in
    /// force: their measures are not paid in the county then.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replaces: Vec<String>,
    /// The policy whose full text the clause anchors point into (another document's id for
    /// measures derived from a report).
    pub text_from: Option<String>,
    /// Its measures in the order the text lists them; groups and top-ups refer to them by
    /// index.
    pub rules: Vec<Rule>,
    /// Group caps, one-of choices and joint schedules, applied in this order.
    pub groups: Vec<Group>,
    /// How a household applies, where the text says: whom it deals with and the steps.
    /// `None` when the text says nothing about applying (estimates then say so).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apply: Option<Apply>,
}

/// How a household applies for a policy's measures, as its text says: the offices or people
/// it deals with and the steps in order, each citing its clause. Data only: the engine
/// carries it to the estimate; `estimate_view` words it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Apply {
    /// Whom these steps are for (households by default); an estimate for anyone else is told
    /// that the text does not say how they apply.
    pub audience: Audience,
    /// Whom the household deals with, as the text names them (挂包干部, 村委会, 区脱贫办).
    pub offices: Vec<String>,
    /// The clause anchors that say whom to deal with (the steps cite their own).
    pub clauses: Vec<String>,
    /// The steps in the order the text gives them.
    pub steps: Vec<ApplyStep>,
    /// Interpretations of unclear wording, shown to readers.
    pub notes: Vec<String>,
}

/// One step of applying: who does what, by when, and the clause that says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyStep {
    /// Who acts, in the text's words (挂包干部与农户, 村委会).
    pub who: String,
    /// What happens, in the text's words (签订到户承诺书).
    pub what: String,
    /// When, where the text says.
    pub when: Option<When>,
    /// The clause anchor that says so.
    pub clause: String,
}

/// When a step happens, as precisely as the text says and no more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum When {
    /// By this day (在2017年4月15日前).
    By {
        /// The last day.
        date: Date,
    },
    /// By this day of every year the policy is in force (每年4月15日前).
    ByEachYear {
        /// 1–12.
        month: u8,
        /// 1–31, a day the month has (29 February allowed).
        day: u8,
    },
    /// During these months, both included (2017年8月至9月底); `from == to` for one month.
    During {
        /// The first month.
        from: YearMonth,
        /// The last month.
        to: YearMonth,
    },
    /// The text's own words, where it is vague (每年3月, 种养殖周期完成后).
    Text {
        /// As the text says it.
        text: String,
    },
}

/// A month of a year (2017年7月).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct YearMonth {
    /// The year.
    pub year: u16,
    /// 1–12.
    pub month: u8,
}

impl Policy {
    /// True when `date` falls within `period`, both ends included; `status` is not consulted.
    pub fn in_force_on(&self, date: Date) -> bool {
        self.period.contains(date)
    }

    /// The id of the page that holds the clauses this policy's rules cite.
    pub fn text_policy_id(&self) -> &str {
        self.text_from.as_deref().unwrap_or(&self.id)
    }
}

/// One measure of a policy: whom it is for, who qualifies, what it pays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// The rule's id, unique in its policy: lower-case letters, digits and `-` (`dairy-goats`).
    pub id: String,
    /// What it is for, in the document's words (养猪, 设施瓜菜).
    pub label: String,
    /// The anchor of the clause of the full text this rule implements.
    pub clause: String,
    /// Whom it is for; an estimate for anyone else lists it as excluded.
    pub audience: Audience,
    /// Who qualifies; `None` means everyone the audience covers.
    pub eligible: Option<Condition>,
    /// What it pays, and how.
    pub measure: Measure,
    /// Only paid when this rule (an index into the policy's rules) pays: a top-up.
    pub adds_to: Option<usize>,
    /// How its amount is paid out over time; `None` when it has no schedule of its own (a
    /// group's may still cover it).
    pub schedule: Option<Schedule>,
    /// Whether its amount is paid once, every year, or over several years, as the text says;
    /// estimates total each kind apart. Rules compiled before this existed read as unstated.
    #[serde(default)]
    pub paid: Paid,
    /// Interpretations and remarks shown to readers with the result.
    pub notes: Vec<String>,
}

/// A yes/no formula and its text, so the explanation can quote it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    /// The compiled condition; it holds only when it evaluates to yes, so a missing fact
    /// means not eligible.
    pub expr: Expr,
    /// The formula as the clerk wrote it (`AND(registered_poor, has_labor)`).
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
        /// How much of the item the household has: a fact or a formula in a unit other than
        /// 元 (`dairy_goats + meat_sheep`).
        quantity: Expr,
        /// The quantity as it reads, fact ids replaced by their labels (奶山羊 + 肉羊).
        quantity_text: String,
        /// The quantity's unit as shown: the fact's own (只) when every fact read has it,
        /// else the formula's (头).
        unit: String,
        /// The most of the quantity paid for, in `unit`; `None` for no limit.
        #[serde(with = "crate::amount::optional_decimal")]
        max_quantity: Option<Decimal>,
        /// 元 per unit of the quantity; may be a range (`BETWEEN`) or read facts.
        rate: Expr,
        /// The rate as the clerk wrote it (`300 元/头`), fact ids not replaced.
        rate_text: String,
        /// The most this item pays, in 元, applied before rounding; `None` for no cap.
        #[serde(with = "crate::amount::optional_decimal")]
        cap: Option<Decimal>,
        /// Round the amount to this many decimal places of a yuan, half away from zero.
        round_to: Option<u32>,
    },
    /// Any formula giving 元, with an optional cap.
    Formula {
        /// The amount, in 元.
        amount: Expr,
        /// The formula as it reads, fact ids replaced by their labels.
        amount_text: String,
        /// The most this item pays, in 元, applied before rounding; `None` for no cap.
        #[serde(with = "crate::amount::optional_decimal")]
        cap: Option<Decimal>,
        /// Decimal places of a yuan to round to (0–4), half away from zero; `None` keeps the
        /// amount exact.
        round_to: Option<u32>,
    },
    /// The text gives a cap but no rate: "up to the cap" when the household has any of the item.
    CapWithoutRate {
        /// How much of the item the household has; any amount above zero pays 0 to `cap`.
        quantity: Expr,
        /// The quantity as it reads, fact ids replaced by their labels.
        quantity_text: String,
        /// The quantity's unit as shown (亩, 只).
        unit: String,
        /// The 补助上限 the text gives, in 元.
        #[serde(with = "rust_decimal::serde::str")]
        cap: Decimal,
    },
    /// A loan: not money given, so never part of the total.
    Loan {
        /// The most that can be borrowed, in 元 (may read facts: `households_led * …`);
        /// `None` when the text states no amount.
        max_principal: Option<Expr>,
        /// The same formula as the clerk wrote it, for pages; `None` exactly when
        /// `max_principal` is.
        max_principal_text: Option<String>,
        /// 期限 as the text says it (3年以内); `None` when it says none.
        term: Option<String>,
        /// Who pays the interest and on what terms, as the text says (政府贴息3年).
        interest: String,
    },
    /// A measure the estimator does not compute; the reason says why.
    NotComputed {
        /// Why, in Chinese for readers (文件未规定补助金额); never empty.
        reason: String,
    },
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
    /// principal. In order of first appearance, each once.
    pub fn facts_read(&self) -> Vec<usize> {
        let mut out = Vec::new();
        self.collect_facts(&mut out);
        out
    }

    /// Add the facts the amount reads to `out`, skipping those already there.
    fn collect_facts(&self, out: &mut Vec<usize>) {
        match self {
            Measure::PerUnit { quantity, rate, .. } => {
                quantity.facts_used(out);
                rate.facts_used(out);
            }
            Measure::Formula { amount, .. } => amount.facts_used(out),
            Measure::CapWithoutRate { quantity, .. } => quantity.facts_used(out),
            Measure::Loan {
                max_principal: Some(principal),
                ..
            } => principal.facts_used(out),
            Measure::Loan { .. } | Measure::NotComputed { .. } => {}
        }
    }
}

impl Rule {
    /// Every fact the rule reads: its condition's, then its measure's; each once.
    pub fn facts_read(&self) -> Vec<usize> {
        let mut out = Vec::new();
        if let Some(condition) = &self.eligible {
            condition.expr.facts_used(&mut out);
        }
        self.measure.collect_facts(&mut out);
        out
    }
}

/// Rules that are capped together per household, or of which only one is paid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    /// The group's id, unique in its policy among groups and rules: lower-case letters,
    /// digits and `-`.
    pub id: String,
    /// What the group is, as the text puts it; explanations name it.
    pub label: String,
    /// The anchor of the clause that sets the joint cap, the choice or the schedule.
    pub clause: String,
    /// Indices into the policy's rules, in the order the text lists them.
    pub rules: Vec<usize>,
    /// Rules of other policies the group reaches too: a cap shared with the prefecture's
    /// measure, or "not together with" the province's (不重复享受). They count when their
    /// policy applies on the date; a policy not in the rulebook is left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub elsewhere: Vec<RuleAt>,
    /// 只享受1项: only the best one for the household is paid.
    pub choose_one: bool,
    /// The most the group's rules pay one household together, in 元, applied after the
    /// one-of choice; `None` for no joint cap.
    #[serde(with = "crate::amount::optional_decimal")]
    pub cap: Option<Decimal>,
    /// How the group's paying rules, together, are paid out over time.
    pub schedule: Option<Schedule>,
    /// Interpretations shown with the lines the group cut or chose, and with its schedule.
    pub notes: Vec<String>,
}

/// A rule of another policy, by the policy's id and the rule's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleAt {
    /// The policy's id (`changzhi-2018-livestock`).
    pub policy: String,
    /// The rule's id in it (`pigs`).
    pub rule: String,
}

/// How often an amount is paid, as the text states it. Amounts paid over different periods
/// are totalled apart: a one-off grant and a yearly dividend do not simply add up.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Paid {
    /// 一次性: once (a start-up grant, a building subsidy).
    Once,
    /// 每年: every year (a dividend, land transfer per 亩 per year); the amount is one year's.
    Yearly {
        /// For how many years, when the text says (租金补贴3年).
        years: Option<u16>,
    },
    /// 分N年: a total paid out over several years (退耕还林 1500 元/亩 over 5 years); the
    /// amount is the whole, the schedule its years.
    OverYears {
        /// How many years it is paid over.
        years: u16,
    },
    /// The text does not say.
    #[default]
    Unstated,
}

/// How an amount is paid out over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    /// Tranches of one grant, or payments over several years.
    pub kind: ScheduleKind,
    /// The anchor of the clause that sets the schedule, when it is not the rule's or group's
    /// own.
    pub clause: Option<String>,
    /// The parts in order of payment; at least two.
    pub parts: Vec<SchedulePart>,
}

/// What the parts of a schedule are.
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
    /// The part as the text names it (产前, 第一年).
    pub label: String,
    /// A share (0.6 for 60%, the parts adding up to 1), or for a per-unit rule 元 per unit
    /// (500 for 500 元/亩, the parts adding up to its rate).
    #[serde(with = "rust_decimal::serde::str")]
    pub weight: Decimal,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::Expr;

    #[test]
    fn a_fact_read_by_the_condition_and_the_amount_is_listed_once() {
        let rule = Rule {
            id: "reforestation".into(),
            label: "退耕还林".into(),
            clause: "c1".into(),
            audience: Audience::Household,
            eligible: Some(Condition {
                expr: Expr::Fact(3),
                text: "reforest_mu".into(),
                description: String::new(),
            }),
            measure: Measure::Formula {
                amount: Expr::Fact(3),
                amount_text: "reforest_mu".into(),
                cap: None,
                round_to: None,
            },
            adds_to: None,
            schedule: None,
            paid: Paid::Unstated,
            notes: Vec::new(),
        };
        assert_eq!(rule.facts_read(), vec![3]);
    }
}
