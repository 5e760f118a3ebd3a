//! How long one household takes against all rules of a county, natively. The budget is
//! 10 µs; criterion prints the figure (`cargo bench -p policy --bench evaluate`).

// A benchmark fails loudly if the content does not load.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// criterion_group! writes a public function without docs.
#![allow(missing_docs)]

use calculator::{evaluate, Audience, Date};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::path::Path;

fn households(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let project = policy::load(&root).unwrap_or_else(|d| panic!("{}", d.render()));
    // (county, date, facts as a household would type them)
    type Case<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);
    let cases: [Case; 3] = [
        // 沁源: the county with the most rules (caps, a range, a schedule, loans).
        (
            "140431",
            "2018-06-01",
            &[
                ("registered_poor", "true"),
                ("pigs", "5"),
                ("cattle", "1"),
                ("herbs_mu", "2"),
                ("reforest_mu", "2"),
                ("own_business", "true"),
                ("equity_yuan", "10000"),
                ("exit_year", "2015"),
            ],
        ),
        // 香格里拉: a one-of group and a capped, scheduled household fund.
        (
            "533401",
            "2017-06-01",
            &[
                ("registered_poor", "true"),
                ("cash_crop_mu", "3"),
                ("pigs", "3"),
                ("chickens", "50"),
                ("cattle", "2"),
            ],
        ),
        // 高陵: a group cap that cuts in.
        (
            "610117",
            "2018-03-01",
            &[
                ("registered_poor", "true"),
                ("has_labor", "true"),
                ("facility_veg_mu", "3"),
                ("open_veg_mu", "2"),
                ("chickens", "20"),
            ],
        ),
    ];
    for (code, date, facts) in cases {
        let book = &project.rulebooks[code];
        let household =
            calculator::evaluate::household_from_pairs(book, facts.iter().copied()).unwrap();
        let date: Date = date.parse().unwrap();
        let rules: usize = book.policies.iter().map(|p| p.rules.len()).sum();
        c.bench_function(&format!("evaluate {code} ({rules} rules)"), |b| {
            b.iter(|| {
                evaluate(
                    black_box(book),
                    black_box(&household),
                    date,
                    Audience::Household,
                )
                .unwrap()
            })
        });
    }
}

criterion_group!(benches, households);
criterion_main!(benches);
