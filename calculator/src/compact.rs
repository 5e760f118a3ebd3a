//! The rules in a compact binary form, for the browser's estimator: what the site writes for
//! the WebAssembly to fetch (`/data/counties/CODE.HASH.rules`), beside the open-data JSON that
//! people and other tools read. Reading it needs no JSON parser, no field names and no
//! text-to-number conversion, which keeps serde_json and most of serde's generated code out of
//! the module, and it is less than half the size of the JSON (9.7 KB against 22.6 KB for 沁源).
//!
//! The format, version 2 (version 1 had no `apply`): the magic bytes `PRB2`, then the [`Rulebook`] field by field in
//! declaration order. Unsigned integers are LEB128 varints; `i8` and `bool` one byte; a string
//! is its UTF-8 length then its bytes; `Option` a byte 0/1 then the value; a list its length
//! then its items; an enum a tag byte (variants in declaration order) then its fields; a
//! [`Decimal`] its mantissa as a zig-zag varint then its scale as one byte. Nothing else: the
//! reader and the writer below are the whole of it, and a test sends every county's rules
//! through both.
//!
//! Reading never panics: a truncated, damaged or hostile file is an error naming the byte
//! where reading stopped, lengths are checked against what is left before anything is
//! allocated, and formulas may nest only [`MAX_DEPTH`] deep.

use crate::date::{Date, Period};
use crate::expr::{Absent, Comparison, Expr};
use crate::fact::{FactCatalogue, FactDef, FactGroup, FactKind};
use crate::model::{
    Apply, ApplyStep, Audience, Condition, CountyRef, DocumentStatus, Group, Level, Measure, Paid,
    Policy, RegionRef, Rule, RuleAt, Rulebook, Schedule, ScheduleKind, SchedulePart, When,
    YearMonth,
};
use crate::unit::Dimension;
use rust_decimal::Decimal;

/// The first bytes of every compact rules file: the format and its version.
pub const MAGIC: &[u8; 4] = b"PRB2";

/// How deeply a formula may nest in a compact file; the formula language's own limit is far
/// below it, so only a damaged file reaches it.
pub const MAX_DEPTH: u32 = 200;

/// A compact rules file that cannot be read: where reading stopped and why. Its `Display` is
/// for developers; the estimator page words the failure itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("compact rules: {what} at byte {at}")]
pub struct CompactError {
    /// The offset of the byte where reading stopped.
    pub at: usize,
    /// What was wrong there.
    pub what: &'static str,
}

/// A county's rules in the compact form.
pub fn encode(book: &Rulebook) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    book.put(&mut out);
    out
}

/// Read a county's rules written by [`encode`]; every byte must be used.
pub fn decode(bytes: &[u8]) -> Result<Rulebook, CompactError> {
    let mut reader = Reader {
        bytes,
        at: 0,
        failed: None,
    };
    if bytes.get(..MAGIC.len()) != Some(MAGIC.as_slice()) {
        return Err(reader.error("not a compact rules file (version 2)"));
    }
    reader.at = MAGIC.len();
    let book = Rulebook::take(&mut reader);
    if let Some(error) = reader.failed {
        return Err(error);
    }
    if reader.at != bytes.len() {
        return Err(reader.error("bytes left over after the rules"));
    }
    Ok(book)
}

/// A cursor over a compact file. The first problem is remembered and reading goes on with
/// zeros and empty lists until the end, where [`decode`] reports it: no value is half-built
/// and dropped on every path, which keeps the reader small in the browser's module.
#[derive(Debug)]
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    failed: Option<CompactError>,
}

impl Reader<'_> {
    fn error(&self, what: &'static str) -> CompactError {
        CompactError { at: self.at, what }
    }

    /// Remember the first problem; what is read from then on is zeros.
    #[inline(never)]
    fn fail(&mut self, what: &'static str) {
        if self.failed.is_none() {
            self.failed = Some(self.error(what));
        }
        self.at = self.bytes.len();
    }

    #[inline(never)]
    fn byte(&mut self) -> u8 {
        match self.bytes.get(self.at) {
            Some(&b) => {
                self.at = self.at.saturating_add(1);
                b
            }
            None => {
                self.fail("file ends early");
                0
            }
        }
    }

    #[inline(never)]
    fn varint(&mut self) -> u128 {
        let mut value: u128 = 0;
        for shift in (0..128).step_by(7) {
            let b = self.byte();
            value |= u128::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
            if b & 0x80 == 0 {
                return value;
            }
        }
        self.fail("a number is too long");
        0
    }

    #[inline(never)]
    fn number(&mut self, max: u128) -> u128 {
        let value = self.varint();
        if value > max {
            self.fail("a number is out of range");
            return 0;
        }
        value
    }

    /// A list's length, refused when the file cannot hold that many items of at least a byte.
    #[inline(never)]
    fn len(&mut self) -> usize {
        let len = usize::try_from(self.varint()).unwrap_or(usize::MAX);
        if len > self.bytes.len().saturating_sub(self.at) {
            self.fail("a list is longer than the file");
            return 0;
        }
        len
    }

    /// A variant's tag, below `variants`; 0 after a problem.
    #[inline(never)]
    fn tag(&mut self, variants: u8) -> u8 {
        let tag = self.byte();
        if tag < variants {
            return tag;
        }
        self.at = self.at.saturating_sub(1);
        self.fail("an unknown variant");
        0
    }

    #[inline(never)]
    fn text(&mut self) -> String {
        let len = self.len();
        let start = self.at;
        let end = start.saturating_add(len);
        match self.bytes.get(start..end).map(std::str::from_utf8) {
            Some(Ok(text)) => {
                self.at = end;
                text.to_owned()
            }
            _ => {
                self.fail("text that is not UTF-8");
                String::new()
            }
        }
    }
}

fn put_varint(out: &mut Vec<u8>, mut value: u128) {
    loop {
        let low = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

/// A value of the rules that can be written compactly and read back.
trait Compact: Sized {
    fn put(&self, out: &mut Vec<u8>);
    /// The value, or a zero of its type after a problem (remembered in the reader).
    fn take(r: &mut Reader<'_>) -> Self;
}

macro_rules! unsigned {
    ($($t:ty),*) => {$(
        impl Compact for $t {
            fn put(&self, out: &mut Vec<u8>) {
                put_varint(out, *self as u128);
            }
            fn take(r: &mut Reader<'_>) -> Self {
                r.number(<$t>::MAX as u128) as $t
            }
        }
    )*};
}
unsigned!(u16, u32);

/// Indices and counts: bounded by `u32::MAX` on every platform, so that the browser's 32-bit
/// wasm and a 64-bit native build refuse the same damaged file with the same words.
impl Compact for usize {
    fn put(&self, out: &mut Vec<u8>) {
        put_varint(out, *self as u128);
    }
    fn take(r: &mut Reader<'_>) -> Self {
        usize::try_from(r.number(u128::from(u32::MAX))).unwrap_or(0)
    }
}

impl Compact for bool {
    fn put(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
    fn take(r: &mut Reader<'_>) -> Self {
        r.tag(2) == 1
    }
}

impl Compact for String {
    fn put(&self, out: &mut Vec<u8>) {
        self.len().put(out);
        out.extend_from_slice(self.as_bytes());
    }
    fn take(r: &mut Reader<'_>) -> Self {
        r.text()
    }
}

impl<T: Compact> Compact for Option<T> {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            None => out.push(0),
            Some(value) => {
                out.push(1);
                value.put(out);
            }
        }
    }
    fn take(r: &mut Reader<'_>) -> Self {
        (r.tag(2) == 1).then(|| T::take(r))
    }
}

impl<T: Compact> Compact for Vec<T> {
    fn put(&self, out: &mut Vec<u8>) {
        self.len().put(out);
        for item in self {
            item.put(out);
        }
    }
    fn take(r: &mut Reader<'_>) -> Self {
        let len = r.len();
        (0..len).map(|_| T::take(r)).collect()
    }
}

impl Compact for Decimal {
    fn put(&self, out: &mut Vec<u8>) {
        let mantissa = self.mantissa();
        // Zig-zag: small magnitudes of either sign take few bytes.
        put_varint(out, ((mantissa << 1) ^ (mantissa >> 127)) as u128);
        out.push(self.scale() as u8);
    }
    fn take(r: &mut Reader<'_>) -> Self {
        let zigzag = r.varint();
        let mantissa = ((zigzag >> 1) as i128) ^ 0i128.wrapping_sub((zigzag & 1) as i128);
        let scale = r.byte();
        Decimal::try_from_i128_with_scale(mantissa, u32::from(scale)).unwrap_or_else(|_| {
            r.fail("a number out of the decimal range");
            Decimal::ZERO
        })
    }
}

impl Compact for Date {
    fn put(&self, out: &mut Vec<u8>) {
        self.year().put(out);
        out.push(self.month());
        out.push(self.day());
    }
    fn take(r: &mut Reader<'_>) -> Self {
        let (year, month, day) = (u16::take(r), r.byte(), r.byte());
        Date::new(year, month, day).unwrap_or_else(|| {
            r.fail("a day that does not exist");
            Date::FIRST
        })
    }
}

impl Compact for Dimension {
    fn put(&self, out: &mut Vec<u8>) {
        out.extend(self.0.iter().map(|&e| e as u8));
    }
    fn take(r: &mut Reader<'_>) -> Self {
        let mut exps = [0i8; 7];
        for e in &mut exps {
            *e = r.byte() as i8;
        }
        Dimension(exps)
    }
}

/// A struct: its fields in order.
macro_rules! record {
    ($t:ident { $($field:ident),* $(,)? }) => {
        impl Compact for $t {
            fn put(&self, out: &mut Vec<u8>) {
                $(self.$field.put(out);)*
            }
            fn take(r: &mut Reader<'_>) -> Self {
                $t { $($field: Compact::take(r)),* }
            }
        }
    };
}

/// An enum without fields: its variant's position.
macro_rules! choice {
    ($t:ident { $($variant:ident),* $(,)? }) => {
        impl Compact for $t {
            fn put(&self, out: &mut Vec<u8>) {
                out.push(*self as u8);
            }
            fn take(r: &mut Reader<'_>) -> Self {
                const ALL: &[$t] = &[$($t::$variant),*];
                let tag = r.tag(ALL.len() as u8);
                ALL.iter().nth(usize::from(tag)).copied().unwrap_or(ALL[0])
            }
        }
    };
}

record!(Rulebook {
    county,
    facts,
    absent,
    policies
});
record!(CountyRef { code, name, office });
record!(FactCatalogue { facts });
record!(FactDef {
    id,
    label,
    kind,
    unit,
    dimension,
    group,
    min,
    max,
    help
});
record!(Period { from, to });
record!(Policy {
    id,
    title,
    status,
    period,
    derived_from_report,
    region,
    replaces,
    text_from,
    rules,
    groups,
    apply
});
record!(Apply {
    audience,
    offices,
    clauses,
    steps,
    notes
});
record!(ApplyStep {
    who,
    what,
    when,
    clause
});
record!(YearMonth { year, month });
record!(RegionRef { code, name, level });
record!(RuleAt { policy, rule });
record!(Rule {
    id,
    label,
    clause,
    audience,
    eligible,
    measure,
    adds_to,
    schedule,
    paid,
    notes
});
record!(Condition {
    expr,
    text,
    description
});
record!(Group {
    id,
    label,
    clause,
    rules,
    elsewhere,
    choose_one,
    cap,
    schedule,
    notes
});
record!(Schedule {
    kind,
    clause,
    parts
});
record!(SchedulePart { label, weight });
choice!(FactKind {
    YesNo,
    Count,
    Quantity,
    Year
});
choice!(FactGroup {
    Status,
    Planting,
    Livestock,
    Other,
    Organisation
});
choice!(Absent { No, Zero, Missing });
choice!(Level {
    County,
    Prefecture,
    Province,
    Nation
});
choice!(DocumentStatus {
    InForce,
    Amended,
    Repealed
});
choice!(Audience {
    Household,
    Enterprise,
    Collective
});
choice!(ScheduleKind { Tranches, Years });
choice!(Comparison {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge
});

impl Compact for u8 {
    fn put(&self, out: &mut Vec<u8>) {
        out.push(*self);
    }
    fn take(r: &mut Reader<'_>) -> Self {
        r.byte()
    }
}

impl Compact for When {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            When::By { date } => {
                out.push(0);
                date.put(out);
            }
            When::ByEachYear { month, day } => {
                out.push(1);
                out.push(*month);
                out.push(*day);
            }
            When::During { from, to } => {
                out.push(2);
                from.put(out);
                to.put(out);
            }
            When::Text { text } => {
                out.push(3);
                text.put(out);
            }
        }
    }
    fn take(r: &mut Reader<'_>) -> Self {
        match r.tag(4) {
            0 => When::By {
                date: Compact::take(r),
            },
            1 => When::ByEachYear {
                month: r.byte(),
                day: r.byte(),
            },
            2 => When::During {
                from: Compact::take(r),
                to: Compact::take(r),
            },
            _ => When::Text {
                text: Compact::take(r),
            },
        }
    }
}

impl Compact for Paid {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            Paid::Once => out.push(0),
            Paid::Yearly { years } => {
                out.push(1);
                years.put(out);
            }
            Paid::OverYears { years } => {
                out.push(2);
                years.put(out);
            }
            Paid::Unstated => out.push(3),
        }
    }
    fn take(r: &mut Reader<'_>) -> Self {
        match r.tag(4) {
            0 => Paid::Once,
            1 => Paid::Yearly {
                years: Compact::take(r),
            },
            2 => Paid::OverYears {
                years: Compact::take(r),
            },
            _ => Paid::Unstated,
        }
    }
}

impl Compact for Measure {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            Measure::PerUnit {
                quantity,
                quantity_text,
                unit,
                max_quantity,
                rate,
                rate_text,
                cap,
                round_to,
            } => {
                out.push(0);
                quantity.put(out);
                quantity_text.put(out);
                unit.put(out);
                max_quantity.put(out);
                rate.put(out);
                rate_text.put(out);
                cap.put(out);
                round_to.put(out);
            }
            Measure::Formula {
                amount,
                amount_text,
                cap,
                round_to,
            } => {
                out.push(1);
                amount.put(out);
                amount_text.put(out);
                cap.put(out);
                round_to.put(out);
            }
            Measure::CapWithoutRate {
                quantity,
                quantity_text,
                unit,
                cap,
            } => {
                out.push(2);
                quantity.put(out);
                quantity_text.put(out);
                unit.put(out);
                cap.put(out);
            }
            Measure::Loan {
                max_principal,
                max_principal_text,
                term,
                interest,
            } => {
                out.push(3);
                max_principal.put(out);
                max_principal_text.put(out);
                term.put(out);
                interest.put(out);
            }
            Measure::NotComputed { reason } => {
                out.push(4);
                reason.put(out);
            }
        }
    }
    fn take(r: &mut Reader<'_>) -> Self {
        match r.tag(5) {
            0 => Measure::PerUnit {
                quantity: Compact::take(r),
                quantity_text: Compact::take(r),
                unit: Compact::take(r),
                max_quantity: Compact::take(r),
                rate: Compact::take(r),
                rate_text: Compact::take(r),
                cap: Compact::take(r),
                round_to: Compact::take(r),
            },
            1 => Measure::Formula {
                amount: Compact::take(r),
                amount_text: Compact::take(r),
                cap: Compact::take(r),
                round_to: Compact::take(r),
            },
            2 => Measure::CapWithoutRate {
                quantity: Compact::take(r),
                quantity_text: Compact::take(r),
                unit: Compact::take(r),
                cap: Compact::take(r),
            },
            3 => Measure::Loan {
                max_principal: Compact::take(r),
                max_principal_text: Compact::take(r),
                term: Compact::take(r),
                interest: Compact::take(r),
            },
            _ => Measure::NotComputed {
                reason: Compact::take(r),
            },
        }
    }
}

impl Compact for Expr {
    fn put(&self, out: &mut Vec<u8>) {
        let (tag, boxed, list): (u8, Vec<&Expr>, Option<&Vec<Expr>>) = match self {
            Expr::Number(n) => {
                out.push(0);
                n.put(out);
                return;
            }
            Expr::Bool(b) => {
                out.push(1);
                b.put(out);
                return;
            }
            Expr::Fact(i) => {
                out.push(2);
                i.put(out);
                return;
            }
            Expr::Year => (3, vec![], None),
            Expr::Add(a, b) => (4, vec![a, b], None),
            Expr::Sub(a, b) => (5, vec![a, b], None),
            Expr::Mul(a, b) => (6, vec![a, b], None),
            Expr::Div(a, b) => (7, vec![a, b], None),
            Expr::Neg(a) => (8, vec![a], None),
            Expr::Min(all) => (9, vec![], Some(all)),
            Expr::Max(all) => (10, vec![], Some(all)),
            Expr::If(c, a, b) => (11, vec![c, a, b], None),
            Expr::Compare(op, a, b) => {
                out.push(12);
                op.put(out);
                a.put(out);
                b.put(out);
                return;
            }
            Expr::And(all) => (13, vec![], Some(all)),
            Expr::Or(all) => (14, vec![], Some(all)),
            Expr::Not(a) => (15, vec![a], None),
            Expr::Between(a, b) => (16, vec![a, b], None),
            Expr::AtLeast(a) => (17, vec![a], None),
            Expr::UpTo(a) => (18, vec![a], None),
            Expr::Round(a, places) => {
                out.push(19);
                a.put(out);
                places.put(out);
                return;
            }
        };
        out.push(tag);
        for e in boxed {
            e.put(out);
        }
        if let Some(all) = list {
            all.put(out);
        }
    }
    fn take(r: &mut Reader<'_>) -> Self {
        take_expr(r, 0)
    }
}

fn take_expr(r: &mut Reader<'_>, depth: u32) -> Expr {
    if depth > MAX_DEPTH {
        r.fail("a formula nested too deeply");
        return Expr::Bool(false);
    }
    let deeper = depth.saturating_add(1);
    let one = |r: &mut Reader<'_>| Box::new(take_expr(r, deeper));
    let tag = r.tag(20);
    match tag {
        0 => Expr::Number(Compact::take(r)),
        1 => Expr::Bool(Compact::take(r)),
        2 => Expr::Fact(Compact::take(r)),
        3 => Expr::Year,
        4 => Expr::Add(one(r), one(r)),
        5 => Expr::Sub(one(r), one(r)),
        6 => Expr::Mul(one(r), one(r)),
        7 => Expr::Div(one(r), one(r)),
        8 => Expr::Neg(one(r)),
        11 => Expr::If(one(r), one(r), one(r)),
        12 => Expr::Compare(Compact::take(r), one(r), one(r)),
        15 => Expr::Not(one(r)),
        16 => Expr::Between(one(r), one(r)),
        17 => Expr::AtLeast(one(r)),
        18 => Expr::UpTo(one(r)),
        19 => Expr::Round(one(r), Compact::take(r)),
        _ => {
            let len = r.len();
            let all = (0..len).map(|_| take_expr(r, deeper)).collect();
            match tag {
                9 => Expr::Min(all),
                10 => Expr::Max(all),
                13 => Expr::And(all),
                _ => Expr::Or(all),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book() -> Rulebook {
        let fact = FactDef {
            id: "pigs".into(),
            label: "猪".into(),
            kind: FactKind::Count,
            unit: Some("头".into()),
            dimension: Dimension::parse("元/头").unwrap(),
            group: FactGroup::Livestock,
            min: Some(Decimal::new(-15, 1)),
            max: Some(Decimal::from(10_000)),
            help: None,
        };
        let number = |n: i64, scale: u32| Box::new(Expr::Number(Decimal::new(n, scale)));
        let expr = Expr::If(
            Box::new(Expr::Compare(
                Comparison::Ge,
                Box::new(Expr::Fact(0)),
                number(3, 0),
            )),
            Box::new(Expr::Min(vec![
                Expr::Mul(Box::new(Expr::Fact(0)), number(500, 0)),
                Expr::Round(number(-12_345, 3), 2),
                Expr::Between(number(1, 0), number(i64::MAX, 28)),
            ])),
            Box::new(Expr::Or(vec![Expr::Bool(true), Expr::Year])),
        );
        let rule = Rule {
            id: "pigs".into(),
            label: "养猪".into(),
            clause: "c3-2".into(),
            audience: Audience::Household,
            eligible: Some(Condition {
                expr: Expr::Not(Box::new(Expr::Bool(false))),
                text: "NOT(FALSE)".into(),
                description: "都可以".into(),
            }),
            measure: Measure::PerUnit {
                quantity: Expr::Fact(0),
                quantity_text: "猪".into(),
                unit: "头".into(),
                max_quantity: Some(Decimal::from(4)),
                rate: expr,
                rate_text: "500 元/头".into(),
                cap: None,
                round_to: Some(2),
            },
            adds_to: None,
            schedule: Some(Schedule {
                kind: ScheduleKind::Tranches,
                clause: None,
                parts: vec![SchedulePart {
                    label: "产前".into(),
                    weight: Decimal::new(6, 1),
                }],
            }),
            paid: Paid::Yearly { years: Some(3) },
            notes: vec!["注".into()],
        };
        Rulebook {
            county: CountyRef {
                code: "533401".into(),
                name: "香格里拉市".into(),
                office: None,
            },
            facts: FactCatalogue { facts: vec![fact] },
            absent: vec![Absent::Zero],
            policies: vec![Policy {
                id: "p".into(),
                title: "方案".into(),
                status: DocumentStatus::Amended,
                period: Period {
                    from: Date::new(2017, 1, 1).unwrap(),
                    to: Date::new(2017, 12, 31),
                },
                derived_from_report: true,
                region: RegionRef {
                    code: "140400".into(),
                    name: "长治市".into(),
                    level: Level::Prefecture,
                },
                replaces: vec!["p-up".into()],
                text_from: Some("q".into()),
                rules: vec![
                    rule.clone(),
                    Rule {
                        measure: Measure::Loan {
                            max_principal: None,
                            max_principal_text: None,
                            term: Some("3年".into()),
                            interest: "贴息".into(),
                        },
                        paid: Paid::OverYears { years: 5 },
                        adds_to: Some(0),
                        ..rule
                    },
                ],
                groups: vec![Group {
                    id: "g".into(),
                    label: "养殖".into(),
                    clause: "c3".into(),
                    rules: vec![0, 1],
                    elsewhere: vec![RuleAt {
                        policy: "p-up".into(),
                        rule: "pigs".into(),
                    }],
                    choose_one: true,
                    cap: Some(Decimal::new(20_000, 0)),
                    schedule: None,
                    notes: vec![],
                }],
                apply: Some(Apply {
                    audience: Audience::Enterprise,
                    offices: vec!["挂包干部".into()],
                    clauses: vec!["c4-2".into()],
                    steps: vec![
                        ApplyStep {
                            who: "挂包干部与农户".into(),
                            what: "签订到户承诺书".into(),
                            when: Some(When::ByEachYear { month: 4, day: 15 }),
                            clause: "c3-5-1-p1".into(),
                        },
                        ApplyStep {
                            who: "村委会".into(),
                            what: "公示".into(),
                            when: Some(When::During {
                                from: YearMonth {
                                    year: 2017,
                                    month: 8,
                                },
                                to: YearMonth {
                                    year: 2017,
                                    month: 9,
                                },
                            }),
                            clause: "c4".into(),
                        },
                        ApplyStep {
                            who: "乡镇".into(),
                            what: "兑现".into(),
                            when: Some(When::By {
                                date: Date::new(2017, 12, 31).unwrap(),
                            }),
                            clause: "c4".into(),
                        },
                        ApplyStep {
                            who: "农户".into(),
                            what: "申请".into(),
                            when: Some(When::Text {
                                text: "每年3月".into(),
                            }),
                            clause: "c4".into(),
                        },
                        ApplyStep {
                            who: "农户".into(),
                            what: "领取".into(),
                            when: None,
                            clause: "c4".into(),
                        },
                    ],
                    notes: vec!["注".into()],
                }),
            }],
        }
    }

    #[test]
    fn rules_come_back_exactly() {
        let book = book();
        let bytes = encode(&book);
        assert_eq!(decode(&bytes), Ok(book));
    }

    #[test]
    fn every_truncation_and_every_flipped_byte_is_an_error_or_a_rulebook_never_a_panic() {
        let bytes = encode(&book());
        for end in 0..bytes.len() {
            assert!(decode(&bytes[..end]).is_err(), "truncated at {end}");
        }
        for at in 0..bytes.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut damaged = bytes.clone();
                damaged[at] ^= flip;
                let _ = decode(&damaged);
            }
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            decode(&longer).map_err(|e| e.what),
            Err("bytes left over after the rules")
        );
        assert!(decode(b"{\"county\":").is_err_and(|e| e.at == 0));
    }

    #[test]
    fn hostile_lengths_and_nesting_are_refused_before_they_cost_anything() {
        // A list claiming 2^60 policies in a file of a few bytes.
        let mut huge = MAGIC.to_vec();
        huge.extend([0, 0, 0, 0, 0]); // empty county code and name, no office, no facts, no absent
        put_varint(&mut huge, 1 << 60);
        assert_eq!(
            decode(&huge).map_err(|e| e.what),
            Err("a list is longer than the file")
        );
        // A formula nested a million deep: refused at MAX_DEPTH, without exhausting the stack.
        let mut deep = Vec::new();
        deep.resize(1_000_000, 8); // Neg(Neg(Neg(…
        let mut r = Reader {
            bytes: &deep,
            at: 0,
            failed: None,
        };
        let _ = take_expr(&mut r, 0);
        assert_eq!(
            r.failed.map(|e| e.what),
            Some("a formula nested too deeply")
        );
    }

    #[test]
    fn an_index_past_32_bits_is_refused_alike_on_every_platform() {
        // Found by fuzzing: a 64-bit build took 2^32 as an index the wasm could not hold.
        let mut bytes = Vec::new();
        put_varint(&mut bytes, 1 << 32);
        let mut r = Reader {
            bytes: &bytes,
            at: 0,
            failed: None,
        };
        assert_eq!(usize::take(&mut r), 0);
        assert_eq!(r.failed.map(|e| e.what), Some("a number is out of range"));
    }
}
