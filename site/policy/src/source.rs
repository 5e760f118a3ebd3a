//! The YAML source format offices edit: facts, counties and policies as written, before any
//! checking. Every struct refuses unknown keys; `portal schema` publishes these as JSON Schema.
//!
//! A doc comment here is also the key's description in that schema, which clerks' editors
//! show. `#[schemars(description = "")]` marks docs written for engineers only, kept out of
//! the published schema; a variant of a plain enum cannot carry one without turning the
//! schema's `enum` into a `oneOf`, so those enums list their values in their own doc.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

/// Any YAML scalar kept as the text it was written as, so `1.5` never passes through a float
/// on its way to a decimal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(with = "ScalarSchema")]
#[serde(transparent)]
pub struct Scalar(pub String);

#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)] // only describes the schema of `Scalar`
enum ScalarSchema {
    Text(String),
    Number(f64),
    YesNo(bool),
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Scalar, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Scalar;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a number, yes/no or text")
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_owned()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
                // Rust prints the shortest text that reads back as the same f64, which is the
                // text the clerk wrote for any amount with up to 15 significant digits.
                Ok(Scalar(v.to_string()))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// A formula key's text; a bare number (`rate: 400`, `cap: 2000`) is kept as its text, so
/// that the check can name the unit it lacks (`400 元/头`, the unit the rule needs) rather than
/// say it is "not text", which leads a clerk to type `"400"`. The published schema still says
/// text: a number there is a mistake, only a better reported one (the fields' `schemars(
/// skip_serializing_if)` only keeps serde's `default` out of the schema, as for any `Option`).
fn formula_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    struct Text(String);
    impl<'de> Deserialize<'de> for Text {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
            struct Visitor;
            impl serde::de::Visitor<'_> for Visitor {
                type Value = Text;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    // serde's own words for a string, which the reader turns into a message.
                    f.write_str("a string")
                }
                fn visit_str<E>(self, v: &str) -> Result<Text, E> {
                    Ok(Text(v.to_owned()))
                }
                fn visit_i64<E>(self, v: i64) -> Result<Text, E> {
                    Ok(Text(v.to_string()))
                }
                fn visit_u64<E>(self, v: u64) -> Result<Text, E> {
                    Ok(Text(v.to_string()))
                }
                fn visit_f64<E>(self, v: f64) -> Result<Text, E> {
                    Ok(Text(v.to_string()))
                }
            }
            deserializer.deserialize_any(Visitor)
        }
    }
    Ok(Option::<Text>::deserialize(deserializer)?.map(|text| text.0))
}

/// `policies/facts.yaml`: the household facts catalogue.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FactsFile {
    /// Every fact a formula may read; the estimator's form asks them in this order.
    #[schemars(description = "")]
    pub facts: Vec<FactSource>,
}

/// One household fact: its id is a public interface (CLI, estimator URLs, open data).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FactSource {
    /// Lower-case id, e.g. `pigs`, `cash_crop_mu`.
    pub id: String,
    /// The Chinese label shown in forms and explanations.
    pub label: String,
    /// Key `type`. Counts and quantities must give `unit` and `max`; the others take no unit.
    #[serde(rename = "type")]
    #[schemars(description = "")]
    pub kind: FactKindSource,
    /// Unit for counts and quantities: 元 亩 头 只 羽 匹 箱 人 户.
    pub unit: Option<String>,
    /// Which part of the estimator form it belongs to.
    pub group: FactGroupSource,
    /// The smallest value accepted. When above zero (a household has at least one person),
    /// the fact left out is unknown rather than 0.
    #[schemars(description = "")]
    pub min: Option<Scalar>,
    /// The largest value anyone could sensibly type; larger values are refused as typos.
    pub max: Option<Scalar>,
    /// A line of help shown under the field.
    pub help: Option<String>,
}

/// What a fact's value is: `yes_no` 是/否, `count` a whole number, `quantity` a decimal
/// (亩, 元), `year` a calendar year (left out: not applicable).
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(description = "")]
#[allow(missing_docs)] // the values are explained above; see the module doc
pub enum FactKindSource {
    YesNo,
    Count,
    Quantity,
    Year,
}

/// Where the estimator's form asks a fact: `status` 家庭情况, `planting` 种植, `livestock`
/// 养殖, `other` 其他; `organisation` facts are for enterprises and collectives, never asked.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(description = "")]
#[allow(missing_docs)] // the values are explained above; see the module doc
pub enum FactGroupSource {
    Status,
    Planting,
    Livestock,
    Other,
    Organisation,
}

/// `policies/<code>-<slug>/county.yaml` (a county), or `region.yaml` (a prefecture, province
/// or the nation, whose policies apply to every county below it).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CountySource {
    /// GB/T 2260 code, six digits, in quotes: "610117"; it must be in the national code list
    /// (or the project's `policies/regions.yaml`).
    pub code: String,
    /// 高陵区: as the code list names it.
    pub name: String,
    /// 陕西省: optional, taken from the code list; when written, it must match it.
    #[schemars(description = "")]
    pub province: Option<String>,
    /// 西安市: optional, taken from the code list; when written, it must match it.
    #[schemars(description = "")]
    pub prefecture: Option<String>,
    /// Names and codes the county had before, newest first.
    #[serde(default)]
    pub former: Vec<FormerName>,
    /// The office responsible for the measures, where a document names it.
    pub office: Option<String>,
    /// Remarks for readers.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// A name and code the county had before it was renamed or regraded (高陵县 → 高陵区).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(description = "")]
pub struct FormerName {
    /// The county's name then (高陵县).
    #[schemars(description = "")]
    pub name: String,
    /// Its GB/T 2260 code then, six digits in quotes ("610126").
    #[schemars(description = "")]
    pub code: String,
    /// The year the name and code stopped being used.
    pub until: u16,
}

/// `policies/<county>/<slug>/policy.yaml`: one document and the rules it defines.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicySource {
    /// Unique id, lower case letters, digits and `-`: it is the page's URL.
    pub id: String,
    /// The GB/T 2260 code of the county (or, written `region:`, of the prefecture or
    /// province) whose folder holds it, in quotes.
    #[serde(alias = "region")]
    pub county: String,
    /// For a prefecture's, province's or the nation's policy: the counties below it that it
    /// covers, or those it leaves out; by default, every one.
    pub applies_to: Option<AppliesToSource>,
    /// Ids of policies of the regions above whose measures this one takes the place of in
    /// its county while it is in force (本县不再执行): those are not paid here then.
    #[serde(default)]
    pub replaces: Vec<String>,
    /// A policy, a report, or measures derived from a report; it decides whether rules and
    /// a `text.md` are expected.
    #[schemars(description = "")]
    pub kind: DocumentKindSource,
    /// The document's title as issued.
    pub title: String,
    /// 发文机关, 字号, dates, source and status, shown in the policy page's table.
    #[schemars(description = "")]
    pub metadata: MetadataSource,
    /// When its measures apply: what estimates for a date go by, not `metadata.status`.
    #[schemars(description = "")]
    pub validity: ValiditySource,
    /// The id of the policy this one replaces; versions of one policy must not overlap.
    pub supersedes: Option<String>,
    /// Ids of other policies of the county whose measures may be received together with this
    /// one's for the same item (另行加补). Two policies in force at once that pay for the same
    /// item must say so, or one must supersede the other: a double subsidy is never silent.
    #[serde(default)]
    pub combines_with: Vec<String>,
    /// For measures derived from a report: the id of the report whose text the clauses are in.
    pub text_from: Option<String>,
    /// Default eligibility of the household rules, e.g. `registered_poor`.
    pub eligible: Option<String>,
    /// How the default eligibility reads for people.
    pub eligible_description: Option<String>,
    /// Editorial notes on the text: damage in the source, corrections, context.
    #[serde(default)]
    pub notes: Vec<EditorialNote>,
    /// Its measures in the order the text lists them; a report has none, anything else at
    /// least one.
    #[serde(default)]
    #[schemars(description = "")]
    pub rules: Vec<RuleSource>,
    /// Joint caps, one-of choices and joint schedules over its rules.
    #[serde(default)]
    #[schemars(description = "")]
    pub groups: Vec<GroupSource>,
    /// How a household applies, where the text says: whom it deals with, the steps in order
    /// with their deadlines, and the clauses that say so. Leave out when the text says nothing
    /// about applying: the site then says so.
    pub apply: Option<ApplySource>,
    /// Worked examples computed by hand from the text; the build recomputes every one.
    #[serde(default)]
    pub examples: Vec<ExampleSource>,
    /// Where each read item stood in the file, when some could not be read.
    #[serde(skip)]
    #[schemars(skip)]
    pub positions: Positions,
}

/// Key `apply`: how a household applies (下一步／怎么申请), only as the text says it.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplySource {
    /// Key `for`, default `household`: whom these steps are for (`enterprise` for a
    /// procedure only enterprises and cooperatives go through).
    #[serde(default, rename = "for")]
    pub audience: AudienceSource,
    /// Whom the household deals with, in the text's words: 挂包干部, 村委会, 区脱贫办.
    #[serde(default)]
    pub offices: Vec<String>,
    /// The clause anchors in text.md that name them, e.g. `c4-2`.
    #[serde(default)]
    pub clauses: Vec<String>,
    /// The steps in the order the text gives them.
    #[serde(default)]
    pub steps: Vec<ApplyStepSource>,
    /// Interpretations of unclear wording about applying, shown to readers.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// One step of applying. Give at most one of `by`, `from` (with `to`) and `when`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyStepSource {
    /// Who acts, in the text's words: 挂包干部与农户.
    pub who: String,
    /// What happens, in the text's words: 签订到户承诺书.
    pub does: String,
    /// The deadline: `2017-04-15` (that day), or `04-15` (that day every year).
    pub by: Option<String>,
    /// The first month of the period the step takes, `2017-08`; `to` is its last month.
    pub from: Option<String>,
    /// The last month of the period, `2017-09`; leave out for a single month.
    pub to: Option<String>,
    /// When, in the text's own words, where it gives no day or month: 每年3月, 年底.
    pub when: Option<String>,
    /// The anchor of the clause in text.md that says so, e.g. `c3-5-1-p1`.
    pub clause: String,
}

/// Which counties below a region its policy covers.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AppliesToSource {
    /// Only these counties (GB/T 2260 codes, in quotes).
    #[serde(default)]
    pub only: Vec<String>,
    /// Every county below the region except these.
    #[serde(default)]
    pub except: Vec<String>,
}

/// `policies/regions.yaml`: entries added to the national code list, or replacing those
/// with the same code (a newer list than the one `portal` carries).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionsSource {
    /// The entries.
    pub regions: Vec<RegionEntrySource>,
}

/// One entry of `policies/regions.yaml`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionEntrySource {
    /// Six digits in quotes.
    pub code: String,
    /// Its name.
    pub name: String,
}

/// Items of a policy are read one by one; those that cannot be read are left out, so each
/// read item keeps its original index here for error paths (`rules[3]`), and the ids of
/// unreadable rules are kept so that references to them do not add errors of their own.
/// What reading left out or stood in for is kept too: it is not reported twice, and a
/// policy with any of it is checked but not compiled (see [`crate::yaml::typed`]).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Positions {
    /// The index in the file of each rule read.
    pub rules: Vec<usize>,
    /// The index in the file of each group read.
    pub groups: Vec<usize>,
    /// The index in the file of each example read.
    pub examples: Vec<usize>,
    /// The ids of rules that could not be read (an empty id when it is not known).
    pub unreadable_rules: Vec<String>,
    /// Some rule's id is not known (its `id` key was misspelt or the rules list is broken):
    /// references to rules that are not found are then not reported.
    pub unknown_rule_ids: bool,
    /// Full YAML paths that reading left out or stood in for.
    pub damaged: Vec<String>,
    /// The document has a mistake of its own (its id, county, period, text): it is checked
    /// but not compiled.
    pub broken: bool,
    /// Its validity period could not be read; versions are not compared with it.
    pub period_unknown: bool,
    /// Its full text is missing or not known: clause references are not checked.
    pub clauses_unknown: bool,
}

impl Positions {
    /// Where the `i`-th rule read stood in the file, for paths like `rules[3]`; `i` itself
    /// when no position was recorded.
    pub fn rule(&self, i: usize) -> usize {
        self.rules.get(i).copied().unwrap_or(i)
    }
    /// Where the `i`-th group read stood in the file; `i` when none was recorded.
    pub fn group(&self, i: usize) -> usize {
        self.groups.get(i).copied().unwrap_or(i)
    }
    /// Where the `i`-th example read stood in the file; `i` when none was recorded.
    pub fn example(&self, i: usize) -> usize {
        self.examples.get(i).copied().unwrap_or(i)
    }
    /// Everything was read as written: the policy can be compiled.
    pub fn complete(&self) -> bool {
        self.unreadable_rules.is_empty() && self.damaged.is_empty() && !self.broken
    }
}

/// Key `kind` of `policy.yaml`: whether the document's rules are its own, second-hand, or
/// absent (a report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(description = "")]
pub enum DocumentKindSource {
    /// A policy document with rules of its own.
    Policy,
    /// A report (调研报告): published for reading, no rules.
    Report,
    /// Measures of this county known only from a report (second-hand).
    DerivedFromReport,
}

/// The metadata Chinese government portals show.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetadataSource {
    /// 发文机关.
    pub issuer: Option<String>,
    /// 发文字号, where there is one.
    pub document_number: Option<String>,
    /// 成文日期, YYYY-MM-DD.
    pub written: Option<String>,
    /// 发布日期, YYYY-MM-DD.
    pub published: Option<String>,
    /// 文种: 实施方案, 实施意见, 调研报告 ...
    pub genre: String,
    /// 来源.
    pub source: SourceRef,
    /// 有效性.
    pub status: StatusSource,
    /// 索引号 and other identifiers the publishing site gives.
    #[serde(default)]
    pub other: BTreeMap<String, String>,
}

/// 来源: where the text was transcribed from.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(description = "")]
pub struct SourceRef {
    /// Where the text was taken from, as a reader would name it.
    pub name: String,
    /// The page the text was published at; the policy page links `name` to it.
    #[schemars(description = "")]
    pub url: Option<String>,
    /// The file in the project's seed collection it was transcribed from.
    pub seed: Option<String>,
}

/// 有效性 as the publishing site records it; shown to readers, never used to compute.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(description = "")]
pub enum StatusSource {
    /// 有效.
    InForce,
    /// 已修订.
    Amended,
    /// 失效.
    Repealed,
}

/// When a document's measures apply, both days included.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(description = "")]
pub struct ValiditySource {
    /// First day the measures apply, YYYY-MM-DD.
    pub from: String,
    /// Last day they apply; leave out when open-ended.
    pub to: Option<String>,
    /// Where the text gives no period: what was assumed and why.
    pub note: Option<String>,
}

/// The editors' remark on one clause of the text, listed apart from the text itself.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(description = "")]
pub struct EditorialNote {
    /// The clause anchor the note is about.
    pub clause: String,
    /// The remark, in Chinese for readers.
    #[schemars(description = "")]
    pub text: String,
}

/// Who a rule is for.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
// `household` 农户, `enterprise` 企业、合作社等经营主体, `collective` 村集体, as in
// `calculator::Audience`; this doc is the schema's, and variant docs would change it.
#[allow(missing_docs)]
pub enum AudienceSource {
    #[default]
    Household,
    Enterprise,
    Collective,
}

/// One measure. Give exactly one of: `rate` (with `quantity`), `amount`, `cap_without_rate`,
/// `loan`, `not_computed`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleSource {
    /// Unique within the policy, lower case with `-`.
    pub id: String,
    /// What it is for, in the document's words: 养猪, 设施瓜菜.
    pub label: String,
    /// The anchor of the clause in text.md that says so, e.g. `c4-3-6`.
    pub clause: String,
    /// Key `for`, default `household`: an estimate for anyone else lists the rule as not
    /// for them.
    #[serde(default, rename = "for")]
    #[schemars(description = "")]
    pub audience: AudienceSource,
    /// Who qualifies (a yes/no formula); defaults to the policy's `eligible` for households.
    pub eligible: Option<String>,
    /// How `eligible` reads for people.
    pub eligible_description: Option<String>,
    /// The quantity the rate is paid on: a fact id or a formula, e.g. `dairy_goats + meat_sheep`.
    pub quantity: Option<String>,
    /// A cap on the quantity, e.g. `2 亩`.
    #[serde(default, deserialize_with = "formula_text")]
    #[schemars(skip_serializing_if = "Option::is_none")]
    pub max_quantity: Option<String>,
    /// Amount per unit of the quantity, e.g. `300 元/头` or `BETWEEN(10000 元, 30000 元)`.
    #[serde(default, deserialize_with = "formula_text")]
    #[schemars(skip_serializing_if = "Option::is_none")]
    pub rate: Option<String>,
    /// Any formula in 元, instead of quantity × rate.
    #[serde(default, deserialize_with = "formula_text")]
    #[schemars(skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
    /// The text gives only a cap (补助上限) and no rate: pays "up to" the cap when the
    /// quantity is above zero.
    #[serde(default, deserialize_with = "formula_text")]
    #[schemars(skip_serializing_if = "Option::is_none")]
    pub cap_without_rate: Option<String>,
    /// A cap on this item's amount, e.g. `2000 元`.
    #[serde(default, deserialize_with = "formula_text")]
    #[schemars(skip_serializing_if = "Option::is_none")]
    pub cap: Option<String>,
    /// Round the amount to 0 (元), 1 (角) or 2 (分) decimal places, half away from zero.
    pub round_to: Option<u32>,
    /// A loan (贴息贷款) rather than money given: listed with its terms, never in the total.
    #[schemars(description = "")]
    pub loan: Option<LoanSource>,
    /// The measure is listed but not computed; say why (no amount stated, a target not an
    /// entitlement, ...).
    pub not_computed: Option<String>,
    /// A top-up: paid only when the rule with this id pays.
    pub adds_to: Option<String>,
    /// How this rule's amount is paid out over time, when the text splits it.
    #[schemars(description = "")]
    pub schedule: Option<ScheduleSource>,
    /// How often the amount is paid, when the text says: `once` (一次性) or `yearly` (每年;
    /// the amount is one year's). Leave out when the text does not say, and for a rule paid
    /// by a `kind: years` schedule (分年兑现 already says it).
    #[schemars(description = "")]
    pub paid: Option<PaidSource>,
    /// With `paid: yearly`: for how many years, when the text says (租金补贴3年 → 3).
    pub paid_years: Option<u16>,
    /// Interpretations of unclear wording and other remarks, shown with the result.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// A kind of period in an example's `periods`: `once` 一次性, `yearly` 每年, `over_years`
/// 分年兑现, `unstated` 文件未写明.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[schemars(description = "")]
#[allow(missing_docs)] // the values are explained above; see the module doc
pub enum PeriodKeySource {
    Once,
    Yearly,
    OverYears,
    Unstated,
}

impl PeriodKeySource {
    /// The key as written in YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodKeySource::Once => "once",
            PeriodKeySource::Yearly => "yearly",
            PeriodKeySource::OverYears => "over_years",
            PeriodKeySource::Unstated => "unstated",
        }
    }
}

/// `once` 一次性 or `yearly` 每年.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(description = "")]
#[allow(missing_docs)] // the values are explained above; see the module doc
pub enum PaidSource {
    Once,
    Yearly,
}

/// A rule's loan: how much, for how long, and who pays the interest.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(description = "")]
pub struct LoanSource {
    /// The most that can be borrowed, a formula in 元; leave out when the text states none.
    #[serde(default, deserialize_with = "formula_text")]
    #[schemars(skip_serializing_if = "Option::is_none")]
    pub max_principal: Option<String>,
    /// 期限, as the text says it: 3年以内.
    pub term: Option<String>,
    /// Who pays the interest: 政府贴息3年, 免抵押免担保 ...
    pub interest: String,
}

/// How an amount is paid over time. Parts give either `share` (60%) or `rate` (500 元/亩, for
/// a per-unit rule); the parts must add up to the whole.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleSource {
    /// Tranches of one grant or payments over several years; only the wording differs.
    #[schemars(description = "")]
    pub kind: ScheduleKindSource,
    /// The clause that sets the schedule, when it is not the rule's own.
    pub clause: Option<String>,
    /// In order of payment; at least two, all by `share` or all by `rate`.
    #[schemars(description = "")]
    pub parts: Vec<SchedulePartSource>,
}

/// `tranches` 分期兑现 (产前/产中/产后 of one grant) or `years` 分年兑现 (a multi-year plan).
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(description = "")]
#[allow(missing_docs)] // the values are explained above; see the module doc
pub enum ScheduleKindSource {
    Tranches,
    Years,
}

/// One payment of a schedule.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(description = "")]
pub struct SchedulePartSource {
    /// 产前, 第一年 ...
    pub label: String,
    /// Its fraction of the whole (`60%`, or `0.6`); the shares add up to exactly 100%.
    #[schemars(description = "")]
    pub share: Option<String>,
    /// For a per-unit rule, its part of the rate (`500 元/亩`); the rates add up to the rule's.
    #[schemars(description = "")]
    #[serde(default, deserialize_with = "formula_text")]
    #[schemars(skip_serializing_if = "Option::is_none")]
    pub rate: Option<String>,
}

/// Rules capped together per household, or of which only one is paid.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupSource {
    /// Unique in the policy among groups and rules: lower case letters, digits and `-`.
    #[schemars(description = "")]
    pub id: String,
    /// What the group is, as the text puts it; rule tables and explanations name it.
    #[schemars(description = "")]
    pub label: String,
    /// The anchor of the clause that sets the joint cap, the choice or the schedule.
    #[schemars(description = "")]
    pub clause: String,
    /// Rule ids, in the order the text lists them.
    pub rules: Vec<String>,
    /// `one`: only the best item for the household is paid (只享受1项). Default `all`.
    #[serde(default)]
    pub choose: ChooseSource,
    /// The most the group pays one household, e.g. `3000 元`.
    #[serde(default, deserialize_with = "formula_text")]
    #[schemars(skip_serializing_if = "Option::is_none")]
    pub cap: Option<String>,
    /// How the group's paying rules, together, are paid out over time; by `share` only.
    #[schemars(description = "")]
    pub schedule: Option<ScheduleSource>,
    /// Interpretations shown with the lines the group cut or chose, and with its schedule.
    #[serde(default)]
    #[schemars(description = "")]
    pub notes: Vec<String>,
}

/// `all` (the default): every rule of the group pays, within its `cap`; `one`: only the
/// best one for the household does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(description = "")]
#[allow(missing_docs)] // the values are explained above; see the module doc
pub enum ChooseSource {
    #[default]
    All,
    One,
}

/// A household worked by hand from the text. `expect` holds what the text says it gets.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExampleSource {
    /// Who the household is, as the policy page heads the example (养5头猪、1头牛的贫困户).
    #[schemars(description = "")]
    pub name: String,
    /// The date whose rules apply, YYYY-MM-DD.
    pub date: String,
    /// Key `for`, default `household`: whom the estimate is made for.
    #[serde(default, rename = "for")]
    #[schemars(description = "")]
    pub audience: AudienceSource,
    /// Fact id → value, as a household would type it.
    pub facts: BTreeMap<String, Scalar>,
    /// What the text says the household gets; the check fails on any difference.
    #[schemars(description = "")]
    pub expect: ExpectSource,
    /// How the expected figures were worked out by hand.
    pub working: Option<String>,
}

/// Expected amounts: `3000`, `"1000-5000"` (a range) or `"≥600"` (at least, open above).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectSource {
    /// The whole estimate in 元, loans not included.
    #[schemars(description = "")]
    pub total: Scalar,
    /// Rule id → amount of its line; every line the engine produces must be listed.
    #[serde(default)]
    pub lines: BTreeMap<String, Scalar>,
    /// Rule or group id → the amounts of its payment parts, in order.
    #[serde(default)]
    pub schedule: BTreeMap<String, Vec<Scalar>>,
    /// Rule id → maximum loan principal.
    #[serde(default)]
    pub loans: BTreeMap<String, Scalar>,
    /// How often → the lines paid so, added up: `once`, `yearly`, `over_years`, `unstated`.
    /// When given, every kind the estimate has must be listed.
    #[serde(default)]
    #[schemars(description = "")]
    pub periods: BTreeMap<PeriodKeySource, Scalar>,
    /// For one-of groups: group id → the rule id that must be chosen.
    #[serde(default)]
    pub chosen: BTreeMap<String, String>,
}
