//! The words of every message a clerk reads, from one catalogue per language
//! (`messages/zh-CN.yaml`, `messages/en.yaml`, compiled in).
//!
//! A message is data until it is shown: a [`Msg`] holds a [`Key`] and named arguments, and
//! [`Msg::render`] puts it into words in the [`Lang`] asked for. So a [`Diagnostic`] keeps
//! its stable machine code (`unknown-key`) and its arguments, and the same diagnostic can be
//! printed in Chinese for a clerk, in English for a developer, and as JSON with its code.
//! Nothing here reads the environment except [`Lang::from_env`], which only the binary calls.
//!
//! A catalogue maps each key to a text with named placeholders (`{key}`); a placeholder is a
//! `{` followed by lower-case letters or `_` and a `}`, so `{#c3-1}` (a clause anchor) and
//! `{ label: 产前 }` (YAML) are written as they are. The tests prove that both catalogues
//! have a text for every key, no other keys, and exactly the placeholders the key declares.
//!
//! [`Diagnostic`]: crate::Diagnostic

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The language messages are shown in. Chinese first: the clerks are Chinese.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// 简体中文.
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// `zh` (or `zh-CN`, `zh_CN.UTF-8` …) or `en` (`en-US` …).
    pub fn parse(text: &str) -> Option<Lang> {
        let lower = text.trim().to_ascii_lowercase();
        if lower.starts_with("en") {
            Some(Lang::En)
        } else if lower.starts_with("zh") {
            Some(Lang::Zh)
        } else {
            None
        }
    }

    /// The language of a locale as POSIX orders the variables: the first of `LC_ALL`,
    /// `LC_MESSAGES` and `LANG` that is set and not empty decides; one starting with `en` is
    /// English, anything else (Chinese, `C`, none at all) is Chinese.
    pub fn from_locale(
        lc_all: Option<&str>,
        lc_messages: Option<&str>,
        lang: Option<&str>,
    ) -> Lang {
        let chosen = [lc_all, lc_messages, lang]
            .into_iter()
            .flatten()
            .find(|value| !value.trim().is_empty());
        match chosen {
            Some(value) if value.trim().to_ascii_lowercase().starts_with("en") => Lang::En,
            _ => Lang::Zh,
        }
    }

    /// [`Lang::from_locale`] of this process's environment. Called once, by the binary, when
    /// no `--lang` is given; everything else takes the language as an argument.
    pub fn from_env() -> Lang {
        let var = |name: &str| std::env::var(name).ok();
        Lang::from_locale(
            var("LC_ALL").as_deref(),
            var("LC_MESSAGES").as_deref(),
            var("LANG").as_deref(),
        )
    }

    /// How items of a list are joined: `甲、乙` or `a, b`.
    fn list_separator(self) -> &'static str {
        match self {
            Lang::Zh => "、",
            Lang::En => ", ",
        }
    }

    /// How sentences of a list are joined: `……；……` or `…; …`.
    fn sentence_separator(self) -> &'static str {
        match self {
            Lang::Zh => "；",
            Lang::En => "; ",
        }
    }

    /// How two hints follow each other: Chinese sentences end in `。`, English ones need a space.
    pub(crate) fn hint_separator(self) -> &'static str {
        match self {
            Lang::Zh => "",
            Lang::En => " ",
        }
    }

    fn catalogue(self) -> &'static BTreeMap<String, String> {
        static ZH: OnceLock<BTreeMap<String, String>> = OnceLock::new();
        static EN: OnceLock<BTreeMap<String, String>> = OnceLock::new();
        let (cell, text) = match self {
            Lang::Zh => (&ZH, ZH_CN_YAML),
            Lang::En => (&EN, EN_YAML),
        };
        // The catalogues are part of the program and a test reads both; should one ever fail
        // to parse, messages fall back to their code and arguments rather than panicking.
        cell.get_or_init(|| serde_yaml_ng::from_str(text).unwrap_or_default())
    }
}

/// The Chinese catalogue, as compiled in.
pub const ZH_CN_YAML: &str = include_str!("../messages/zh-CN.yaml");
/// The English catalogue, as compiled in.
pub const EN_YAML: &str = include_str!("../messages/en.yaml");

macro_rules! keys {
    ($($variant:ident = $name:literal [$($arg:ident),*],)*) => {
        /// Every text of the catalogues. A key without a `.` is also the stable machine code
        /// of the problem it words (`unknown-key`); keys with a `.` are pieces of messages
        /// (`hint.did-you-mean`, `type.amount`, `cli.check-ok`).
        #[allow(missing_docs)] // each key's meaning is its text in the catalogues
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Key {
            $($variant,)*
        }

        impl Key {
            /// Every key, in the order declared.
            pub const ALL: &'static [Key] = &[$(Key::$variant,)*];

            /// The key as the catalogues write it; for problems, the machine code.
            pub fn name(self) -> &'static str {
                match self {
                    $(Key::$variant => $name,)*
                }
            }

            /// The placeholders its text takes, by name.
            pub fn placeholders(self) -> &'static [&'static str] {
                match self {
                    $(Key::$variant => &[$(stringify!($arg)),*],)*
                }
            }
        }
    };
}

keys! {
    // Reading YAML.
    YamlSyntax = "yaml-syntax" [],
    FullWidthColon = "full-width-colon" [line, key],
    OverIndented = "over-indented" [line, spaces],
    KeyWithoutColon = "key-without-colon" [key, character],
    FullWidthSpace = "full-width-space" [place],
    FullWidthComma = "full-width-comma" [character],
    FullWidthBracket = "full-width-bracket" [character],
    FullWidthCharacter = "full-width-character" [character, ascii],
    ChineseQuotes = "chinese-quotes" [text, character],
    DuplicateKey = "duplicate-key" [key],
    UnknownKey = "unknown-key" [key],
    MissingKey = "missing-key" [key],
    WrongType = "wrong-type" [key, found, expected],
    NumberOutOfRange = "number-out-of-range" [key, value],
    UnknownValue = "unknown-value" [key, value],
    FileShape = "file-shape" [found],
    // Files and folders.
    FileUnreadable = "file-unreadable" [error],
    FileMissing = "file-missing" [name],
    FileNotUtf8 = "file-not-utf8" [],
    NoPoliciesFolder = "no-policies-folder" [root],
    FolderUnreadable = "folder-unreadable" [error],
    FileNotRead = "file-not-read" [],
    FolderWithoutPolicy = "folder-without-policy" [],
    // The facts catalogue.
    FactIdInvalid = "fact-id-invalid" [id],
    FactIdReserved = "fact-id-reserved" [],
    FactDefinedTwice = "fact-defined-twice" [id],
    UnknownUnit = "unknown-unit" [unit],
    FactNeedsUnit = "fact-needs-unit" [id],
    FactUnitNotAllowed = "fact-unit-not-allowed" [],
    NotANumber = "not-a-number" [text],
    MaxBelowMin = "max-below-min" [min, max],
    FactNeedsMax = "fact-needs-max" [id],
    // Counties.
    CountyCodeInvalid = "county-code-invalid" [code],
    CountyFolderMismatch = "county-folder-mismatch" [folder, code],
    CountyCodeTaken = "county-code-taken" [code],
    RegionCodeUnknown = "region-code-unknown" [code],
    RegionNameMismatch = "region-name-mismatch" [code, name, expected],
    RegionAboveMismatch = "region-above-mismatch" [key, name, expected],
    CountyFileIsRegion = "county-file-is-region" [code, level],
    RegionFileIsCounty = "region-file-is-county" [code],
    AppliesToNotBelow = "applies-to-not-below" [code, region],
    AppliesToInCounty = "applies-to-in-county" [],
    ReplacesUnknown = "replaces-unknown" [id],
    ReplacesNotAbove = "replaces-not-above" [id, region],
    // Documents.
    PolicyIdInvalid = "policy-id-invalid" [id],
    PolicyIdTaken = "policy-id-taken" [id, file],
    PolicyCountyMismatch = "policy-county-mismatch" [folder_code, code],
    CountyFileMissing = "county-file-missing" [dir],
    BadDate = "bad-date" [text],
    DateFormat = "date-format" [text],
    PeriodReversed = "period-reversed" [from, to],
    TextFromNotDerived = "text-from-not-derived" [],
    TextFromMissing = "text-from-missing" [],
    ReportHasRules = "report-has-rules" [],
    TextFromNotReport = "text-from-not-report" [id],
    TextFromUnknown = "text-from-unknown" [id],
    NoRules = "no-rules" [],
    SupersedesUnknown = "supersedes-unknown" [id],
    SupersedesOtherCounty = "supersedes-other-county" [id, county],
    VersionsOverlap = "versions-overlap" [period, id, old_period],
    DoubleSubsidy = "double-subsidy" [other_title, other_file, period, items, more],
    CombinesWithUnknown = "combines-with-unknown" [id],
    // How to apply.
    ApplyEmpty = "apply-empty" [],
    ApplyTextEmpty = "apply-text-empty" [key],
    DeadlineBad = "deadline-bad" [text],
    DeadlineMonthBad = "deadline-month-bad" [text],
    DeadlineTwice = "deadline-twice" [keys],
    DeadlineToWithoutFrom = "deadline-to-without-from" [],
    DeadlineReversed = "deadline-reversed" [from, to],
    // Clause anchors in full texts.
    AnchorInvalid = "anchor-invalid" [id],
    AnchorMisplaced = "anchor-misplaced" [text],
    AnchorTwice = "anchor-twice" [id],
    // Rules, groups and schedules.
    MissingClause = "missing-clause" [id, text],
    ClauseNotAnAnchor = "clause-not-an-anchor" [id, text],
    AmountNoUnit = "amount-no-unit" [key, value],
    NegativeAmount = "negative-amount" [text],
    NotFixedAmount = "not-fixed-amount" [text, unit],
    RuleIdInvalid = "rule-id-invalid" [id],
    RuleIdTwice = "rule-id-twice" [id],
    AddsToSelf = "adds-to-self" [],
    PaidYearsWithoutYearly = "paid-years-without-yearly" [],
    PaidYearsZero = "paid-years-zero" [],
    PaidWithYearsSchedule = "paid-with-years-schedule" [parts],
    PaidOnLoan = "paid-on-loan" [],
    AddsToUnknown = "adds-to-unknown" [id],
    RulePaysNothing = "rule-pays-nothing" [id],
    RuleGivesBoth = "rule-gives-both" [id, keys],
    RuleNeedsQuantity = "rule-needs-quantity" [key],
    QuantityNotWith = "quantity-not-with" [key],
    MaxQuantityNotWith = "max-quantity-not-with" [],
    CapNotWith = "cap-not-with" [key],
    RoundToRange = "round-to-range" [],
    QuantityIsMoney = "quantity-is-money" [text],
    QuantityNoUnit = "quantity-no-unit" [text, found],
    NotComputedEmpty = "not-computed-empty" [],
    ScheduleTooFewParts = "schedule-too-few-parts" [],
    ScheduleMixedParts = "schedule-mixed-parts" [],
    ScheduleSharesSum = "schedule-shares-sum" [sum],
    ScheduleRateNeedsPerUnit = "schedule-rate-needs-per-unit" [],
    ScheduleRateNotFixed = "schedule-rate-not-fixed" [],
    ScheduleRatesSum = "schedule-rates-sum" [sum, unit, whole],
    GroupIdInvalid = "group-id-invalid" [id],
    GroupIdTaken = "group-id-taken" [id],
    GroupRuleTwice = "group-rule-twice" [id],
    GroupUnknownRule = "group-unknown-rule" [id],
    ChooseOneTooFew = "choose-one-too-few" [],
    GroupDoesNothing = "group-does-nothing" [],
    // Formulas (the codes of calculator::formula::FormulaProblem).
    FormulaExponent = "formula-exponent" [number],
    FormulaTooManyDigits = "formula-too-many-digits" [number],
    FormulaNotANumber = "formula-not-a-number" [text],
    FormulaCharacter = "formula-character" [character],
    FormulaEmpty = "formula-empty" [],
    FormulaTooDeep = "formula-too-deep" [],
    FormulaIncomplete = "formula-incomplete" [],
    FormulaUnitAlone = "formula-unit-alone" [unit],
    FormulaSyntax = "formula-syntax" [found],
    FormulaExtra = "formula-extra" [found],
    UnknownFact = "unknown-fact" [name],
    FactChineseName = "fact-chinese-name" [name],
    UnknownFunction = "unknown-function" [name],
    FormulaBracket = "formula-bracket" [],
    FormulaNoBrackets = "formula-no-brackets" [function],
    FormulaArgumentsBracket = "formula-arguments-bracket" [function],
    FormulaArgumentCount = "formula-argument-count" [function, wanted, given],
    FormulaMixedArguments = "formula-mixed-arguments" [function, this, first],
    FormulaNotACondition = "formula-not-a-condition" [function, this],
    FormulaRoundPlaces = "formula-round-places" [],
    FormulaCannotCompare = "formula-cannot-compare" [left, right],
    FormulaMixedUnits = "formula-mixed-units" [op, left, right],
    FormulaConditionArithmetic = "formula-condition-arithmetic" [],
    FormulaNegatedCondition = "formula-negated-condition" [],
    FormulaWrongType = "formula-wrong-type" [formula, found, expected],
    // Worked examples.
    TooFewExamples = "too-few-examples" [count],
    ExampleFact = "example-fact" [example, problem],
    NotAnAmount = "not-an-amount" [text],
    ExampleOutsidePeriod = "example-outside-period" [example, date, period],
    ExampleCannotCompute = "example-cannot-compute" [example, rule, problem],
    ExampleMismatch = "example-mismatch" [example, details],
    // The site's own pages and the build.
    ContentSlugInvalid = "content-slug-invalid" [slug],
    ContentNoTitle = "content-no-title" [],
    ThemeFileMissing = "theme-file-missing" [],
    OpenDataMissing = "open-data-missing" [],
    BuildTemplate = "build-template" [template, error],
    BuildLinks = "build-links" [count, links],
    BuildOutput = "build-output" [error],
    BuildCheck = "build-check" [count],

    // Values a household typed, as the estimator refuses them (calculator::fact::FactError);
    // in a worked example these are the codes, worded inside `example-fact`.
    FactUnknownId = "fact.unknown" [id, known],
    FactTwice = "fact-twice" [label],
    FactCommaDecimal = "fact-comma-decimal" [label, input],
    FactNotYesNo = "fact-not-yes-no" [label, input],
    FactNotANumber = "fact-not-a-number" [label, input],
    FactNotWhole = "fact-not-whole" [label, input],
    FactNegative = "fact-negative" [label],
    FactTooLarge = "fact-too-large" [label, max, unit],
    FactTooSmall = "fact-too-small" [label, min, unit],
    FactNotAYear = "fact-not-a-year" [label, input],

    // What a value is (for wrong-type).
    FoundNumber = "found.number" [value],
    FoundText = "found.text" [value],
    FoundYesNo = "found.yes-no" [value],
    FoundList = "found.list" [],
    FoundMap = "found.map" [],
    FoundEmpty = "found.empty" [],
    FoundOther = "found.other" [value],
    ExpectedText = "expected.text" [],
    ExpectedList = "expected.list" [],
    ExpectedMap = "expected.map" [],
    ExpectedWholeNumber = "expected.whole-number" [],
    ExpectedScalar = "expected.scalar" [],
    ExpectedWord = "expected.word" [],
    ExpectedOther = "expected.other" [what],
    // What a formula gives.
    TypeNumber = "type.number" [],
    TypeAmount = "type.amount" [unit],
    TypeYesNo = "type.yes-no" [],
    // Pieces of a formula.
    TokenNumber = "token.number" [value],
    TokenPercent = "token.percent" [],
    TokenUnit = "token.unit" [unit],
    TokenName = "token.name" [name],
    TokenFunction = "token.function" [name],
    TokenSymbol = "token.symbol" [symbol],
    OpAdd = "op.add" [],
    OpSubtract = "op.subtract" [],
    // How many arguments a function takes.
    ArityTwoOrMore = "arity.two-or-more" [],
    ArityOneOrMore = "arity.one-or-more" [],
    ArityOneCondition = "arity.one-condition" [],
    ArityIf = "arity.if" [],
    ArityBetween = "arity.between" [],
    ArityOneAmount = "arity.one-amount" [],
    ArityRound = "arity.round" [],
    // Arithmetic the engine refused.
    ArithOverflow = "arith.overflow" [],
    ArithDivisionByZero = "arith.division-by-zero" [],
    ArithOpenRange = "arith.open-range" [],
    // Where an example and the engine disagree.
    MismatchTotal = "mismatch.total" [expected, computed],
    MismatchLine = "mismatch.line" [rule, expected, computed],
    MismatchLineMissing = "mismatch.line-missing" [rule, expected],
    MismatchLineExtra = "mismatch.line-extra" [rule, amount],
    MismatchScheduleMissing = "mismatch.schedule-missing" [source],
    MismatchSchedule = "mismatch.schedule" [source, expected, computed],
    MismatchLoan = "mismatch.loan" [rule, expected, computed],
    MismatchLoanMissing = "mismatch.loan-missing" [rule],
    MismatchLoanExtra = "mismatch.loan-extra" [rule],
    MismatchPeriod = "mismatch.period" [period, expected, computed],
    MismatchChosen = "mismatch.chosen" [group, expected, chosen],
    PhraseNoAmount = "phrase.no-amount" [],
    PhraseNothing = "phrase.nothing" [],
    PhraseMoreItems = "phrase.more-items" [count],
    PhraseLevelCounty = "phrase.level-county" [],
    PhraseLevelPrefecture = "phrase.level-prefecture" [],
    PhraseLevelProvince = "phrase.level-province" [],
    PhraseLevelNation = "phrase.level-nation" [],
    PhrasePeriodOpen = "phrase.period-open" [from],
    PhraseNotYetInForce = "phrase.not-yet-in-force" [from],
    PhraseEnded = "phrase.ended" [end],
    PhraseQuoted = "phrase.quoted" [text],
    PhraseTooLarge = "phrase.too-large" [],
    PhraseWholeFile = "phrase.whole-file" [],
    PhraseHere = "phrase.here" [],
    // Where in a file: the label under the snippet.
    PlaceRules = "place.rules" [n],
    PlaceGroups = "place.groups" [n],
    PlaceExamples = "place.examples" [n],
    PlaceFacts = "place.facts" [n],
    PlaceParts = "place.parts" [n],
    PlaceNotes = "place.notes" [n],
    PlaceSteps = "place.steps" [n],
    PlaceFormer = "place.former" [n],
    PlaceItem = "place.item" [list, n],
    PlaceOf = "place.of" [outer, inner],
    // The meaning of the words a key takes.
    WordInForce = "word.in_force" [],
    WordAmended = "word.amended" [],
    WordRepealed = "word.repealed" [],
    WordPolicy = "word.policy" [],
    WordReport = "word.report" [],
    WordDerivedFromReport = "word.derived_from_report" [],
    WordHousehold = "word.household" [],
    WordEnterprise = "word.enterprise" [],
    WordCollective = "word.collective" [],
    WordYesNo = "word.yes_no" [],
    WordCount = "word.count" [],
    WordQuantity = "word.quantity" [],
    WordYear = "word.year" [],
    WordStatus = "word.status" [],
    WordPlanting = "word.planting" [],
    WordLivestock = "word.livestock" [],
    WordOther = "word.other" [],
    WordOrganisation = "word.organisation" [],
    WordAll = "word.all" [],
    WordOne = "word.one" [],
    WordTranches = "word.tranches" [],
    WordYears = "word.years" [],
    WordWithMeaning = "word.with-meaning" [word, meaning],
    // Characters a Chinese input method types, by name.
    CharColon = "char.colon" [character],
    CharComma = "char.comma" [character],
    CharEnumerationComma = "char.enumeration-comma" [character],
    CharPeriod = "char.period" [character],
    CharQuote = "char.quote" [character],
    CharSpace = "char.space" [],
    CharBracket = "char.bracket" [character],
    CharDigit = "char.digit" [character],
    CharLetter = "char.letter" [character],
    CharOther = "char.other" [character],
    // Where on a line a full-width space is.
    WhereIndent = "where.indent" [],
    WhereAfterColon = "where.after-colon" [],
    WhereAfterDash = "where.after-dash" [],
    WhereInBrackets = "where.in-brackets" [],
    WhereValue = "where.value" [],

    // Hints.
    HintYamlTab = "hint.yaml-tab" [],
    HintYamlColon = "hint.yaml-colon" [],
    HintFullWidthColon = "hint.full-width-colon" [fixed],
    HintKeyColon = "hint.key-colon" [fixed],
    HintHalfWidth = "hint.half-width" [fixed],
    HintFullWidthIndent = "hint.full-width-indent" [fixed],
    HintChineseQuotes = "hint.chinese-quotes" [fixed],
    HintWriteAs = "hint.write-as" [fixed],
    HintApplyEmpty = "hint.apply-empty" [],
    HintApplyText = "hint.apply-text" [key],
    HintDeadlineBy = "hint.deadline-by" [],
    HintDeadlineMonth = "hint.deadline-month" [],
    HintDeadlineVague = "hint.deadline-vague" [text],
    HintDeadlineOne = "hint.deadline-one" [],
    HintDeadlineReversed = "hint.deadline-reversed" [],
    HintOverIndented = "hint.over-indented" [fixed],
    HintYamlIndent = "hint.yaml-indent" [],
    HintYamlUnclosed = "hint.yaml-unclosed" [],
    HintYamlCharacter = "hint.yaml-character" [],
    HintYamlGeneral = "hint.yaml-general" [],
    HintDuplicateKey = "hint.duplicate-key" [],
    HintDidYouMean = "hint.did-you-mean" [suggestion],
    HintKeysAllowed = "hint.keys-allowed" [keys],
    HintRemoveKey = "hint.remove-key" [],
    HintAddKey = "hint.add-key" [example],
    HintWordsAllowed = "hint.words-allowed" [words],
    HintAmountNoUnit = "hint.amount-no-unit" [fixed, unit],
    HintRateNoUnit = "hint.rate-no-unit" [fixed, quantity, unit],
    HintSharePercent = "hint.share-percent" [],
    HintQuoteCode = "hint.quote-code" [key, value],
    HintQuoteText = "hint.quote-text" [key, value],
    HintWriteList = "hint.write-list" [key],
    HintWriteMap = "hint.write-map" [key],
    HintWriteLike = "hint.write-like" [example],
    HintFileShape = "hint.file-shape" [],
    HintFileUnreadable = "hint.file-unreadable" [],
    HintFileMissing = "hint.file-missing" [name],
    HintNoPoliciesFolder = "hint.no-policies-folder" [],
    HintWhereFilesGo = "hint.where-files-go" [],
    HintFolderWithoutPolicy = "hint.folder-without-policy" [],
    HintFactId = "hint.fact-id" [],
    HintRenameFact = "hint.rename-fact" [],
    HintUnits = "hint.units" [units],
    HintFactUnit = "hint.fact-unit" [],
    HintRemoveUnit = "hint.remove-unit" [],
    HintWriteNumber = "hint.write-number" [],
    HintMaxBelowMin = "hint.max-below-min" [],
    HintFactMax = "hint.fact-max" [],
    HintCountyCode = "hint.county-code" [],
    HintCountyFolder = "hint.county-folder" [code],
    HintCountyCodeTaken = "hint.county-code-taken" [],
    HintRegionRenamed = "hint.region-renamed" [old_name, old_code, name, code, year],
    HintRegionNear = "hint.region-near" [regions],
    HintRegionsFile = "hint.regions-file" [],
    HintRegionName = "hint.region-name" [expected],
    HintRegionAbove = "hint.region-above" [key, expected],
    HintUseRegionFile = "hint.use-region-file" [],
    HintUseCountyFile = "hint.use-county-file" [],
    HintAppliesTo = "hint.applies-to" [region],
    HintReplaces = "hint.replaces" [],
    HintGroupElsewhere = "hint.group-elsewhere" [],
    GroupElsewhereUnknown = "group-elsewhere-unknown" [policy, rule],
    HintPolicyId = "hint.policy-id" [],
    HintPolicyIdTaken = "hint.policy-id-taken" [],
    HintPolicyCounty = "hint.policy-county" [code],
    HintCountyFile = "hint.county-file" [],
    HintDate = "hint.date" [],
    HintPeriodReversed = "hint.period-reversed" [],
    HintTextFromNotDerived = "hint.text-from-not-derived" [],
    HintTextFromMissing = "hint.text-from-missing" [],
    HintReportHasRules = "hint.report-has-rules" [],
    HintTextFromNotReport = "hint.text-from-not-report" [],
    HintNoRules = "hint.no-rules" [],
    HintSupersedes = "hint.supersedes" [],
    HintVersionsOverlap = "hint.versions-overlap" [from],
    HintVersionsOverlapOld = "hint.versions-overlap-old" [file, to],
    HintDoubleSubsidy = "hint.double-subsidy" [other_id, other_file, to],
    HintDoubleSubsidySameStart = "hint.double-subsidy-same-start" [other_id, other_file],
    HintDoubleSubsidyAbove = "hint.double-subsidy-above" [other_id, level],
    HintAnchor = "hint.anchor" [],
    HintAnchorMisplaced = "hint.anchor-misplaced" [],
    HintAnchorTwice = "hint.anchor-twice" [],
    HintClauseDidYouMean = "hint.clause-did-you-mean" [near, heading],
    HintClauseNearest = "hint.clause-nearest" [text, anchors],
    HintClauseOutline = "hint.clause-outline" [text, anchors],
    HintClauseCandidates = "hint.clause-candidates" [text, anchors, first],
    HintClauseMark = "hint.clause-mark" [id, text],
    HintClauseBare = "hint.clause-bare" [id],
    HintAnchorHow = "hint.anchor-how" [text],
    HintNotNegative = "hint.not-negative" [],
    HintFixedAmount = "hint.fixed-amount" [unit],
    HintRuleId = "hint.rule-id" [],
    HintRuleIdTwice = "hint.rule-id-twice" [],
    HintAddsToSelf = "hint.adds-to-self" [],
    HintMeasureKinds = "hint.measure-kinds" [],
    HintQuantityExample = "hint.quantity-example" [],
    HintQuantityNotWith = "hint.quantity-not-with" [],
    HintMaxQuantityNotWith = "hint.max-quantity-not-with" [],
    HintCapWithoutRate = "hint.cap-without-rate" [],
    HintRoundTo = "hint.round-to" [],
    HintQuantityIsMoney = "hint.quantity-is-money" [],
    HintQuantityNoUnit = "hint.quantity-no-unit" [],
    HintNotComputed = "hint.not-computed" [],
    HintScheduleParts = "hint.schedule-parts" [],
    HintScheduleSum = "hint.schedule-sum" [],
    HintSharesSum = "hint.shares-sum" [],
    HintScheduleShares = "hint.schedule-shares" [],
    HintGroupId = "hint.group-id" [],
    HintGroupIdTaken = "hint.group-id-taken" [],
    HintGroupRuleTwice = "hint.group-rule-twice" [],
    HintChooseOne = "hint.choose-one" [],
    HintGroupDoesNothing = "hint.group-does-nothing" [],
    HintFormulaExponent = "hint.formula-exponent" [],
    HintFormulaDigits = "hint.formula-digits" [],
    HintFormulaNumber = "hint.formula-number" [],
    HintFormulaParts = "hint.formula-parts" [units, functions],
    HintFormulaEmpty = "hint.formula-empty" [],
    HintFormulaTooDeep = "hint.formula-too-deep" [],
    HintFormulaIncomplete = "hint.formula-incomplete" [],
    HintFormulaUnitAlone = "hint.formula-unit-alone" [unit],
    HintFormulaSyntax = "hint.formula-syntax" [],
    HintFormulaExtra = "hint.formula-extra" [],
    HintFactsListed = "hint.facts-listed" [],
    HintFactsKnown = "hint.facts-known" [facts],
    HintDidYouMeanFact = "hint.did-you-mean-fact" [id, label],
    HintFactsMatching = "hint.facts-matching" [facts],
    HintFunctions = "hint.functions" [functions],
    HintFormulaBracket = "hint.formula-bracket" [],
    HintFormulaNoBrackets = "hint.formula-no-brackets" [function],
    HintFormulaArgumentsBracket = "hint.formula-arguments-bracket" [],
    HintFunctionExample = "hint.function-example" [example],
    HintFormulaMixedArguments = "hint.formula-mixed-arguments" [],
    HintFormulaNotACondition = "hint.formula-not-a-condition" [],
    HintFormulaRoundPlaces = "hint.formula-round-places" [],
    HintFormulaCannotCompare = "hint.formula-cannot-compare" [],
    HintFormulaMixedUnits = "hint.formula-mixed-units" [],
    HintFormulaConditionArithmetic = "hint.formula-condition-arithmetic" [],
    HintFormulaNegatedCondition = "hint.formula-negated-condition" [],
    HintMoneyResult = "hint.money-result" [],
    HintConditionResult = "hint.condition-result" [],
    HintUnitResult = "hint.unit-result" [unit],
    HintTooFewExamples = "hint.too-few-examples" [],
    HintExampleFactLarge = "hint.example-fact-large" [],
    HintNotAnAmount = "hint.not-an-amount" [],
    HintExampleDate = "hint.example-date" [],
    HintExampleWorking = "hint.example-working" [working],
    HintContentSlug = "hint.content-slug" [],
    HintContentTitle = "hint.content-title" [],
    HintThemeFile = "hint.theme-file" [],
    HintTera1Templates = "hint.tera1-templates" [],
    HintOpenData = "hint.open-data" [],

    // What `portal` itself says.
    CliError = "cli.error" [message],
    CliHint = "cli.hint" [hint],
    CliCheckOk = "cli.check-ok" [counties, policies, reports, rules, examples],
    CliCheckOpenEnded = "cli.check-open-ended" [files],
    CliCheckFailed = "cli.check-failed" [count, again],
    CliBuildOk = "cli.build-ok" [pages, files, megabytes, seconds, out],
    CliBuildKept = "cli.build-kept" [out],
    CliBuildSwept = "cli.build-swept" [count, dir],
    CliNoClock = "cli.no-clock" [],
    CliGiveDate = "cli.give-date" [],
    CliEstimateRulesBroken = "cli.estimate-rules-broken" [],
    CliEstimateFixFirst = "cli.estimate-fix-first" [],
    CliNoCounty = "cli.no-county" [code],
    CliFormerCode = "cli.former-code" [code, name, current],
    CliCounties = "cli.counties" [counties],
    CliNoPolicies = "cli.no-policies" [name, code],
    CliNotAPair = "cli.not-a-pair" [pair],
    CliBadFacts = "cli.bad-facts" [count],
    CliFactsWhere = "cli.facts-where" [],
    CliCannotCompute = "cli.cannot-compute" [error],
    CliNothingInForce = "cli.nothing-in-force" [county, date],
    CliNothingInForceLatest = "cli.nothing-in-force-latest" [county, date, title, period, reason],
    CliDateHint = "cli.date-hint" [from],
    CliJsonFailed = "cli.json-failed" [error],
    CliInitOk = "cli.init-ok" [dir, name, code],
    CliNewOk = "cli.new-ok" [path, again],
    CliSchemaWritten = "cli.schema-written" [count, dir],
    CliCannotCreate = "cli.cannot-create" [path, error],
    CliCannotWrite = "cli.cannot-write" [path, error],
    CliTemplatesList = "cli.templates-list" [],
    CliTemplateSame = "cli.template-same" [],
    CliTemplateChanged = "cli.template-changed" [],
    CliNoTemplate = "cli.no-template" [name],
    CliTemplatesKnown = "cli.templates-known" [names],
    CliTemplatesCopied = "cli.templates-copied" [count, dir],
    CliTemplatesKept = "cli.templates-kept" [names],
    CliConfigNotASite = "cli.config-not-a-site" [dir],
    CliConfigBuildFirst = "cli.config-build-first" [],
    CliConfigUnsafe = "cli.config-unsafe" [text],
    ScaffoldCode = "scaffold.code" [code],
    ScaffoldSlug = "scaffold.slug" [slug],
    ScaffoldNameNotCode = "scaffold.name-not-code" [code, name, expected],
    ScaffoldNotCountyCode = "scaffold.not-county-code" [code, name],
    ScaffoldNotRegionCode = "scaffold.not-region-code" [code, name],
    ScaffoldNameNeeded = "scaffold.name-needed" [code],
    ScaffoldNoCounty = "scaffold.no-county" [code],
    ScaffoldCountyExists = "scaffold.county-exists" [code, dir],
    ScaffoldExists = "scaffold.exists" [path],
    ScaffoldNotEmpty = "scaffold.not-empty" [path],
    ScaffoldIo = "scaffold.io" [path, error],
    ScaffoldProjectInvalid = "scaffold.project-invalid" [],
    ScaffoldUnknownPolicy = "scaffold.unknown-policy" [id],
    ScaffoldUnknownPolicyNear = "scaffold.unknown-policy-near" [id, near],
    ScaffoldVersionTooEarly = "scaffold.version-too-early" [from, old_from],
    ScaffoldExamplesLayout = "scaffold.examples-layout" [file],
    ScaffoldVersionWouldFail = "scaffold.version-would-fail" [],
    CliNewVersionOk = "cli.new-version-ok" [new_file, from, old_file, to, kept, moved, copied_new, copied_old, again],
    CliNewVersionNotCopiedNew = "cli.new-version-not-copied-new" [names],
    CliNewVersionNotCopiedOld = "cli.new-version-not-copied-old" [names],
    ServeListening = "serve.listening" [address],
    ServeRebuilt = "serve.rebuilt" [pages, seconds],
    ServeUpdated = "serve.updated" [county, files, seconds],
    ServeBuilding = "serve.building" [],
    ServeFailed = "serve.failed" [],
    ServeOverlay = "serve.overlay" [],
    ServeListen = "serve.listen" [port, error],
    ServeWatch = "serve.watch" [path, error],
    ServeNotBuilt = "serve.not-built" [],
}

impl Key {
    /// The key whose name is `name`, if there is one (for machine codes the engine gives).
    pub fn from_name(name: &str) -> Option<Key> {
        Key::ALL.iter().copied().find(|key| key.name() == name)
    }

    /// Whether the key is a problem's machine code rather than a piece of a message.
    pub fn is_code(self) -> bool {
        !self.name().contains('.')
    }
}

/// One argument of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// Shown as it is: a key, a value from the file, a number.
    Text(String),
    /// Another message, in the same language.
    Msg(Box<Msg>),
    /// Items joined as a list: `甲、乙` / `a, b`.
    List(Vec<Arg>),
    /// Sentences joined: `……；……` / `…; …`.
    Sentences(Vec<Arg>),
}

impl Arg {
    fn render(&self, lang: Lang) -> String {
        match self {
            Arg::Text(text) => text.clone(),
            Arg::Msg(msg) => msg.render(lang),
            Arg::List(items) => join(items, lang, lang.list_separator()),
            Arg::Sentences(items) => join(items, lang, lang.sentence_separator()),
        }
    }
}

fn join(items: &[Arg], lang: Lang, separator: &str) -> String {
    items
        .iter()
        .map(|item| item.render(lang))
        .collect::<Vec<_>>()
        .join(separator)
}

/// A period of validity for a message: `2017-11-13 – 2020-12-31`, or `2017-11-13 起` /
/// `from 2017-11-13` when it has no end.
pub fn period_arg(period: calculator::Period) -> Arg {
    match period.to {
        Some(_) => Arg::Text(period.to_string()),
        None => Msg::new(Key::PhrasePeriodOpen)
            .arg("from", period.from.to_string())
            .into(),
    }
}

impl From<Msg> for Arg {
    fn from(msg: Msg) -> Arg {
        Arg::Msg(Box::new(msg))
    }
}

impl From<String> for Arg {
    fn from(text: String) -> Arg {
        Arg::Text(text)
    }
}

impl From<&str> for Arg {
    fn from(text: &str) -> Arg {
        Arg::Text(text.to_owned())
    }
}

impl From<&String> for Arg {
    fn from(text: &String) -> Arg {
        Arg::Text(text.clone())
    }
}

impl From<usize> for Arg {
    fn from(n: usize) -> Arg {
        Arg::Text(n.to_string())
    }
}

/// A message as data: a key of the catalogues and its arguments by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    /// Which text.
    pub key: Key,
    /// The placeholders' values, by name.
    pub args: Vec<(&'static str, Arg)>,
}

impl Msg {
    /// The message `key`, arguments to follow with [`Msg::arg`].
    pub fn new(key: Key) -> Msg {
        Msg {
            key,
            args: Vec::new(),
        }
    }

    /// Give the placeholder `name` a value.
    #[must_use]
    pub fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Msg {
        self.args.push((name, value.into()));
        self
    }

    /// Give the placeholder `name` a list of items, joined the way the language joins them.
    #[must_use]
    pub fn list<T: Into<Arg>>(self, name: &'static str, items: impl IntoIterator<Item = T>) -> Msg {
        let items = items.into_iter().map(Into::into).collect();
        self.arg(name, Arg::List(items))
    }

    /// The message in words.
    pub fn render(&self, lang: Lang) -> String {
        match lang.catalogue().get(self.key.name()) {
            Some(template) => fill(template, &self.args, lang),
            // Only if a catalogue were broken: say what is known, never nothing.
            None => {
                let args: Vec<String> = self
                    .args
                    .iter()
                    .map(|(name, value)| format!("{name}={}", value.render(lang)))
                    .collect();
                format!("[{}] {}", self.key.name(), args.join(" "))
            }
        }
    }
}

/// The placeholders of a template, in order (for the tests).
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match placeholder(after) {
            Some(name) => {
                found.push(name);
                rest = &after[name.len() + 1..];
            }
            None => rest = after,
        }
    }
    found
}

/// The placeholder name at the start of `after` (the text after a `{`), if it is one.
fn placeholder(after: &str) -> Option<&str> {
    let end = after.find('}')?;
    let name = &after[..end];
    let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_');
    valid.then_some(name)
}

fn fill(template: &str, args: &[(&'static str, Arg)], lang: Lang) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match placeholder(after) {
            Some(name) => {
                match args.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) => out.push_str(&value.render(lang)),
                    // A missing argument shows as its placeholder: visible, never a panic.
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[name.len() + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn catalogue(lang: Lang, text: &str) -> BTreeMap<String, String> {
        serde_yaml_ng::from_str(text).unwrap_or_else(|e| panic!("{lang:?} catalogue: {e}"))
    }

    #[test]
    fn every_key_has_a_text_in_every_language_with_the_same_placeholders() {
        let mut problems = Vec::new();
        for (lang, text) in [(Lang::Zh, ZH_CN_YAML), (Lang::En, EN_YAML)] {
            let catalogue = catalogue(lang, text);
            for key in Key::ALL {
                let Some(template) = catalogue.get(key.name()) else {
                    problems.push(format!("{lang:?}: no text for `{}`", key.name()));
                    continue;
                };
                if template.trim().is_empty() {
                    problems.push(format!("{lang:?}: `{}` is empty", key.name()));
                }
                let found: BTreeSet<&str> = placeholders(template).into_iter().collect();
                let declared: BTreeSet<&str> = key.placeholders().iter().copied().collect();
                if found != declared {
                    problems.push(format!(
                        "{lang:?}: `{}` has placeholders {found:?}, the key declares {declared:?}",
                        key.name()
                    ));
                }
            }
            for name in catalogue.keys() {
                if Key::from_name(name).is_none() {
                    problems.push(format!("{lang:?}: `{name}` is not a key the program uses"));
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn key_names_are_unique() {
        let names: BTreeSet<&str> = Key::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(names.len(), Key::ALL.len());
    }

    #[test]
    fn the_engines_codes_have_texts() {
        use calculator::fact::FactError;
        use calculator::formula::{FormulaProblem, Type};
        let number = Type::Number(calculator::unit::Dimension::NONE);
        let problems = [
            FormulaProblem::Exponent { number: "2".into() },
            FormulaProblem::TooManyDigits { number: "9".into() },
            FormulaProblem::NotANumber {
                text: "1.2.3".into(),
            },
            FormulaProblem::Character { character: '$' },
            FormulaProblem::Empty,
            FormulaProblem::TooDeep,
            FormulaProblem::Incomplete,
            FormulaProblem::UnitAlone { unit: "元".into() },
            FormulaProblem::Unexpected {
                found: calculator::formula::Found::Percent,
            },
            FormulaProblem::AfterTheEnd {
                found: calculator::formula::Found::Percent,
            },
            FormulaProblem::UnknownFact {
                name: "x".into(),
                suggestion: None,
            },
            FormulaProblem::UnknownFunction {
                name: "X".into(),
                suggestion: None,
            },
            FormulaProblem::BracketNotClosed,
            FormulaProblem::NoBrackets {
                function: "MIN".into(),
            },
            FormulaProblem::ArgumentsNotClosed {
                function: "MIN".into(),
            },
            FormulaProblem::ArgumentCount {
                function: "MIN".into(),
                given: 1,
            },
            FormulaProblem::MixedArguments {
                function: "MIN".into(),
                this: number,
                first: number,
            },
            FormulaProblem::NotACondition {
                function: "AND".into(),
                this: number,
            },
            FormulaProblem::RoundPlaces,
            FormulaProblem::CannotCompare {
                left: number,
                right: number,
            },
            FormulaProblem::MixedUnits {
                subtract: false,
                left: number,
                right: number,
            },
            FormulaProblem::ConditionArithmetic,
            FormulaProblem::NegatedCondition,
            FormulaProblem::WrongType {
                found: number,
                expected: number,
            },
        ];
        for problem in problems {
            let key = Key::from_name(problem.code());
            assert!(key.is_some_and(Key::is_code), "{}", problem.code());
        }
        let error = FactError::Negative {
            label: "猪".into()
        };
        assert!(Key::from_name(error.code()).is_some(), "{}", error.code());
    }

    #[test]
    fn placeholders_are_filled_and_braces_kept() {
        let msg = Msg::new(Key::HintClauseMark)
            .arg("id", "c2-1")
            .arg("text", "text.md");
        assert_eq!(
            msg.render(Lang::Zh),
            "要引用的条款还没有锚点的话，在 text.md 里它的段首写上 `{#c2-1}`。"
        );
        assert_eq!(placeholders("{#{near}} { label: 产前 } {n}"), ["near", "n"]);
        let list = Msg::new(Key::HintKeysAllowed).list("keys", ["id", "label"]);
        assert!(list.render(Lang::Zh).contains("id、label"));
        assert!(list.render(Lang::En).contains("id, label"));
    }

    #[test]
    fn the_locale_decides_when_no_flag_does() {
        assert_eq!(Lang::from_locale(None, None, Some("en_US.UTF-8")), Lang::En);
        assert_eq!(Lang::from_locale(None, None, Some("zh_CN.UTF-8")), Lang::Zh);
        assert_eq!(Lang::from_locale(None, None, Some("C.UTF-8")), Lang::Zh);
        assert_eq!(Lang::from_locale(None, None, None), Lang::Zh);
        assert_eq!(
            Lang::from_locale(Some("zh_CN.UTF-8"), None, Some("en_US.UTF-8")),
            Lang::Zh
        );
        assert_eq!(
            Lang::from_locale(Some(""), Some("en_GB.UTF-8"), Some("zh_CN")),
            Lang::En
        );
        assert_eq!(Lang::parse("en"), Some(Lang::En));
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::parse("fr"), None);
    }
}
