//! The estimator's WebAssembly gives the same answers as the native engine, to the fen: at
//! least 1,000 random households per county (well-formed and not), each through both, the
//! JSON compared byte for byte. Both read the county's rules from the compact file the site
//! writes for the estimator, which must give back exactly the compiled rules. Also checks the
//! module's size budget (≤ 60,000 B gzipped) and that its memory stays level with use.
//!
//! Needs `node`; without it the test FAILS under CI and is skipped, loudly, elsewhere.

// Tests fail by panicking, on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// Whether node is missing: then `what` FAILS under CI and is skipped, loudly, elsewhere.
fn node_missing(what: &str) -> bool {
    if Command::new("node").arg("--version").output().is_ok() {
        return false;
    }
    let message = format!("node is missing: {what} cannot run");
    assert!(std::env::var_os("CI").is_none(), "{message}");
    eprintln!("\n!!!!!!!! wasm test SKIPPED (not CI): {message} !!!!!!!!\n");
    true
}

/// A temporary folder holding the very module `portal` carries inside itself and writes into
/// every site: `glue.js` and `module.wasm`.
fn module_in_temp_dir() -> tempfile::TempDir {
    let assets = portal::assets::estimator();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("glue.js"), assets.glue).unwrap();
    std::fs::write(dir.path().join("module.wasm"), assets.wasm).unwrap();
    dir
}

/// A small deterministic generator, so a failure can be replayed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn value(rng: &mut Lcg, fact: &calculator::fact::FactDef) -> String {
    use calculator::fact::FactKind;
    match (fact.kind, rng.below(20)) {
        // Now and then, what a person mistypes: it must fail the same way on both sides.
        (_, 0) => [
            "-3",
            "abc",
            "1e30",
            "0,5",
            "%EF%BC%93",
            "99999999999999999999999999999",
        ][rng.below(6) as usize]
            .into(),
        (FactKind::YesNo, _) => {
            ["true", "false", "%E6%98%AF", "%E5%90%A6"][rng.below(4) as usize].into()
        }
        (FactKind::Year, _) => (2012 + rng.below(10)).to_string(),
        (FactKind::Count, _) => rng.below(40).to_string(),
        (FactKind::Quantity, _) => format!("{}.{:02}", rng.below(30), rng.below(100)),
    }
}

#[test]
fn wasm_and_native_agree_to_the_fen() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    if node_missing("the wasm differential test") {
        return;
    }
    let project = policy::load(&repo).unwrap_or_else(|d| panic!("{}", d.render()));
    let (links, links_pattern) = (render::urls::clause_links(), render::urls::clause_pattern());
    let dir = module_in_temp_dir();

    let mut rules = BTreeMap::new();
    let mut books = BTreeMap::new();
    let mut cases = Vec::new();
    let mut rng = Lcg(20_171_113);
    let mut all: Vec<(String, calculator::Rulebook)> = project
        .rulebooks
        .iter()
        .filter(|(_, b)| !b.policies.is_empty())
        .map(|(code, book)| (code.clone(), book.clone()))
        .collect();
    all.push((
        "140431-levels".into(),
        with_levels(&project.rulebooks["140431"]),
    ));
    for (code, book) in &all {
        // What the site writes and the page fetches; natively read back through the same loader.
        let compact = calculator::compact::encode(book);
        let read = calculator_wasm::load(&compact).unwrap();
        assert_eq!(
            &read, book,
            "{code}: the compact rules differ from the compiled ones"
        );
        books.insert(code.clone(), read);
        let file = dir.path().join(format!("{code}.rules"));
        std::fs::write(&file, &compact).unwrap();
        rules.insert(code.clone(), file);
        for _ in 0..1000 {
            let mut query: Vec<String> = Vec::new();
            for fact in &book.facts.facts {
                if rng.below(3) == 0 {
                    query.push(format!("{}={}", fact.id, value(&mut rng, fact)));
                }
            }
            if rng.below(4) == 0 {
                query.push(format!(
                    "date={}-{:02}-15",
                    2016 + rng.below(6),
                    1 + rng.below(12)
                ));
            }
            let today = format!("{}-06-01", 2016 + rng.below(12));
            cases.push(
                serde_json::json!({ "county": code, "query": query.join("&"), "today": today }),
            );
        }
    }
    if let Some(seeds) = std::env::var_os("ESTIMATOR_FUZZ_SEEDS") {
        write_fuzz_seeds(Path::new(&seeds), &rules, &cases);
    }
    std::fs::write(
        dir.path().join("rules.json"),
        serde_json::to_string(&rules).unwrap(),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("cases.json"),
        serde_json::to_string(&cases).unwrap(),
    )
    .unwrap();

    let output = Command::new("node")
        .arg(repo.join("site/portal/tests/browser/differential.mjs"))
        .args(
            [
                "glue.js",
                "module.wasm",
                "rules.json",
                "cases.json",
                "answers.json",
            ]
            .map(|f| dir.path().join(f)),
        )
        .arg(links_pattern)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&output.stdout).into_owned();
    println!("{report}");
    assert!(
        output.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answers: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("answers.json")).unwrap())
            .unwrap();
    assert_eq!(answers.len(), cases.len());

    let mut estimates = 0;
    for (case, wasm) in cases.iter().zip(&answers) {
        let book = &books[case["county"].as_str().unwrap()];
        let native = calculator_wasm::respond(
            book,
            &links,
            case["query"].as_str().unwrap(),
            case["today"].as_str().unwrap(),
        );
        assert_eq!(&native, wasm, "native and wasm differ for {case}");
        estimates += usize::from(native.starts_with(r#"{"status":"estimate""#));
    }
    println!(
        "{} households compared ({estimates} estimates, the rest refused input) — identical",
        cases.len()
    );
    assert!(
        estimates > cases.len() / 4,
        "too few cases reached an estimate to prove much: {estimates}"
    );

    // "wasm: RAW bytes, GZIPPED gzipped; glue N bytes"
    let gzipped = numbers_on(&report, "wasm: ")
        .get(1)
        .copied()
        .unwrap_or(usize::MAX);
    // "wasm memory: A bytes after N estimates, B bytes after 11N"
    let memory = numbers_on(&report, "wasm memory: ");
    assert!(
        memory.len() == 4,
        "differential.mjs printed no memory line:\n{report}"
    );
    assert!(
        matches!(memory[..], [first, _, last, _] if last <= first + 65_536),
        "the module's memory grows with use (allocator not reusing what is freed): {memory:?}"
    );
    assert!(
        gzipped <= 60_000,
        "the wasm is {gzipped} bytes gzipped; the budget is 60,000 B"
    );
}

/// The numbers of the report's first line that starts with `prefix`, in order.
fn numbers_on(report: &str, prefix: &str) -> Vec<usize> {
    report
        .lines()
        .find(|line| line.starts_with(prefix))
        .map(|line| {
            line.split(' ')
                .filter_map(|word| word.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// Seeds for the `estimator` fuzz target (`site/policy/fuzz`): each county's compact rules
/// with six of its random households that reach an estimate and two refused, written when
/// `ESTIMATOR_FUZZ_SEEDS=DIR` is set.
fn write_fuzz_seeds(
    seeds: &Path,
    rules: &BTreeMap<String, std::path::PathBuf>,
    cases: &[serde_json::Value],
) {
    std::fs::create_dir_all(seeds).unwrap();
    for (code, file) in rules {
        let compact = std::fs::read(file).unwrap();
        let (mut estimates, mut refused, mut written) = (0, 0, 0);
        for case in cases.iter().filter(|c| c["county"] == code.as_str()) {
            let data = calculator_wasm::fuzz::join(
                &compact,
                case["query"].as_str().unwrap(),
                case["today"].as_str().unwrap(),
            );
            let estimate =
                calculator_wasm::fuzz::estimator(&data).starts_with(r#"{"status":"estimate""#);
            let (count, wanted) = if estimate {
                (&mut estimates, 6)
            } else {
                (&mut refused, 2)
            };
            if *count < wanted {
                *count += 1;
                std::fs::write(seeds.join(format!("seed-{code}-{written}")), data).unwrap();
                written += 1;
            }
        }
    }
}

/// 沁源's rules with a prefecture above them, as the levels tests write them: a copy of its
/// policy paid by 长治市, a cap the county's pigs share with the prefecture's, and a third
/// level that the county's policy replaces. The seeds hold no higher-level text, so this
/// rulebook is made here rather than built from a project.
fn with_levels(county: &calculator::Rulebook) -> calculator::Rulebook {
    use calculator::model::{Group, Level, RegionRef, RuleAt};
    let mut book = county.clone();
    let own = book.policies[0].clone();
    let mut prefecture = own.clone();
    prefecture.id = "changzhi-test".into();
    prefecture.region = RegionRef {
        code: "140400".into(),
        name: "长治市".into(),
        level: Level::Prefecture,
    };
    let mut province = own.clone();
    province.id = "shanxi-test".into();
    province.region = RegionRef {
        code: "140000".into(),
        name: "山西省".into(),
        level: Level::Province,
    };
    let pigs = own.rules.iter().position(|r| r.id == "pigs").unwrap();
    let county_policy = &mut book.policies[0];
    county_policy.replaces = vec!["shanxi-test".into()];
    county_policy.groups.push(Group {
        id: "pigs-with-prefecture".into(),
        label: "养猪市县合计".into(),
        clause: own.rules[pigs].clause.clone(),
        rules: vec![pigs],
        elsewhere: vec![RuleAt {
            policy: "changzhi-test".into(),
            rule: "pigs".into(),
        }],
        choose_one: false,
        cap: Some(rust_decimal::Decimal::new(1800, 0)),
        schedule: None,
        notes: vec![],
    });
    book.policies.push(prefecture);
    book.policies.push(province);
    book
}

#[test]
fn compiled_rules_round_trip_through_the_compact_form() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let project = policy::load(&repo).unwrap_or_else(|d| panic!("{}", d.render()));
    for (code, book) in &project.rulebooks {
        let bytes = calculator::compact::encode(book);
        let json = serde_json::to_string(book).unwrap();
        // Under half the JSON but for the texts, which are the same bytes in both: a county's
        // `apply` steps and notes (香格里拉's nine steps) are mostly Chinese text.
        let texts: usize = book
            .policies
            .iter()
            .filter_map(|p| p.apply.as_ref())
            .map(|a| {
                let steps = a.steps.iter().map(|s| s.who.len() + s.what.len());
                steps.chain(a.notes.iter().map(String::len)).sum::<usize>()
            })
            .sum();
        assert!(
            bytes.len() - texts < (json.len() - texts) / 2,
            "{code}: {} B compact, {} B JSON",
            bytes.len(),
            json.len()
        );
        assert_eq!(
            &calculator::compact::decode(&bytes).unwrap(),
            book,
            "{code}"
        );
    }
}

#[test]
fn compiled_rules_round_trip_through_json() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let project = policy::load(&repo).unwrap_or_else(|d| panic!("{}", d.render()));
    for (code, book) in &project.rulebooks {
        let json = serde_json::to_string(book).unwrap();
        let back: calculator::Rulebook =
            serde_json::from_str(&json).unwrap_or_else(|e| panic!("{code}: {e}"));
        assert_eq!(&back, book, "{code}");
    }
}

/// The `estimator` fuzz target's corpus and regressions (`site/policy/fuzz/`): each input
/// through the native build (no panic) and through the WebAssembly itself in Node (no trap),
/// and the two answers identical. This is no fuzzing (that needs cargo-fuzz, see the fuzz
/// README), only the inputs it grew.
#[test]
fn the_fuzz_corpus_neither_panics_nor_traps_and_wasm_agrees() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    if node_missing("the wasm replay of the fuzz corpus") {
        return;
    }
    let fuzz = repo.join("site/policy/fuzz");
    let mut files = Vec::new();
    for dir in ["corpus/estimator", "regressions/estimator"] {
        if let Ok(entries) = std::fs::read_dir(fuzz.join(dir)) {
            files.extend(entries.map(|e| e.unwrap().path()));
        }
    }
    files.sort();
    assert!(files.len() >= 50, "only {} inputs", files.len());

    let mut cases = Vec::new();
    let mut native = Vec::new();
    for file in &files {
        let data = std::fs::read(file).unwrap();
        let answer = std::panic::catch_unwind(|| calculator_wasm::fuzz::estimator(&data))
            .unwrap_or_else(|_| panic!("{}: the native build panicked", file.display()));
        let case = calculator_wasm::fuzz::split(&data);
        let hex: String = case.rules.iter().map(|b| format!("{b:02x}")).collect();
        cases.push(serde_json::json!({ "rules": hex, "query": case.query, "today": case.today }));
        native.push(answer);
    }
    let refused = native.iter().filter(|a| a.starts_with("error: ")).count();
    let estimates = native
        .iter()
        .filter(|a| a.starts_with(r#"{"status":"estimate""#))
        .count();
    // A corpus that only ever reached the decoder would prove little about the engine (most
    // inputs a fuzzer keeps are damaged rules or refused facts: they reach new code).
    assert!(
        estimates >= 40,
        "only {estimates} of {} inputs reach an estimate: if the compact rules format changed, \
         the corpus's rules no longer decode. Write new seeds (ESTIMATOR_FUZZ_SEEDS=DIR cargo \
         test -p portal --test wasm wasm_and_native), put them in corpus/estimator/ in place \
         of the seed-* files, and fuzz again (site/policy/fuzz/README.md)",
        files.len()
    );

    let dir = module_in_temp_dir();
    std::fs::write(
        dir.path().join("cases.json"),
        serde_json::to_string(&cases).unwrap(),
    )
    .unwrap();
    let output = Command::new("node")
        .arg(repo.join("site/portal/tests/browser/fuzz-replay.mjs"))
        .args(["glue.js", "module.wasm", "cases.json", "answers.json"].map(|f| dir.path().join(f)))
        .arg(calculator_wasm::fuzz::CLAUSE_LINKS)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let wasm: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("answers.json")).unwrap())
            .unwrap();
    assert_eq!(wasm.len(), files.len());
    for ((file, native), wasm) in files.iter().zip(&native).zip(&wasm) {
        assert!(
            !wasm.starts_with("trap: "),
            "{}: the wasm trapped: {wasm}",
            file.display()
        );
        assert_eq!(native, wasm, "{}: native and wasm differ", file.display());
    }
    println!(
        "{} fuzz inputs: {estimates} estimates, {refused} rules refused, the rest input refused; \
         no panic, no trap, native == wasm",
        files.len()
    );
}
