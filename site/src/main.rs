//! `portal`: check the rules, estimate a household's subsidy, print the JSON Schema.

use calculator::{evaluate, Audience, Date};
use clap::{Parser, Subcommand, ValueEnum};
use site::diagnostic::Diagnostics;
use site::{explain, load, Project};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "portal",
    version,
    about = "Policy portal: check subsidy rules and estimate what a household receives"
)]
struct Cli {
    /// The project folder (the one holding policies/).
    #[arg(long, global = true, default_value = ".")]
    root: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the whole site into public/ (or --out); a failed build leaves the old site as it was.
    Build {
        /// The output folder.
        #[arg(long, default_value = "public")]
        out: PathBuf,
    },
    /// Validate every YAML and Markdown file and recompute every worked example.
    Check {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Estimate what a household receives under a county's rules.
    ///
    /// Facts are given as FACT=VALUE, e.g. `pigs=3 registered_poor=true cash_crop_mu=1.5`.
    Estimate {
        /// The county's GB/T 2260 code, e.g. 140431.
        #[arg(long)]
        county: String,
        /// Use the rules in force on this date (YYYY-MM-DD); default today.
        #[arg(long)]
        date: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Whose measures to compute.
        #[arg(long = "for", value_enum, default_value_t = ForWhom::Household)]
        audience: ForWhom,
        /// Household facts, FACT=VALUE.
        facts: Vec<String>,
    },
    /// Print the JSON Schema of the policy format (or write all schema files to a folder).
    Schema {
        #[arg(value_enum, default_value_t = SchemaKind::Policy)]
        kind: SchemaKind,
        /// Write policy, county and facts schemas into this folder instead of printing.
        #[arg(long)]
        write: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum ForWhom {
    Household,
    Enterprise,
    Collective,
}

#[derive(Clone, Copy, ValueEnum)]
enum SchemaKind {
    Policy,
    County,
    Facts,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build { out } => build(&cli.root, &out),
        Command::Check { format } => check(&cli.root, format),
        Command::Estimate {
            county,
            date,
            json,
            audience,
            facts,
        } => {
            let audience = match audience {
                ForWhom::Household => Audience::Household,
                ForWhom::Enterprise => Audience::Enterprise,
                ForWhom::Collective => Audience::Collective,
            };
            estimate(&cli.root, &county, date.as_deref(), json, audience, &facts)
        }
        Command::Schema { kind, write } => schema(kind, write.as_deref()),
    }
}

fn print_problems(diagnostics: &Diagnostics, format: Format) {
    match format {
        Format::Text => {
            eprint!("{}", diagnostics.render());
            eprintln!(
                "portal check: {} error(s). Nothing was published.",
                diagnostics.len()
            );
        }
        Format::Json => {
            let json = serde_json::json!({ "ok": false, "errors": diagnostics.items });
            println!(
                "{}",
                serde_json::to_string_pretty(&json).unwrap_or_default()
            );
        }
    }
}

fn check(root: &Path, format: Format) -> ExitCode {
    match load(root) {
        Ok(project) => {
            let s = project.summary;
            match format {
                Format::Text => println!(
                    "portal check: ok — {} counties, {} policies and {} reports, {} rules, {} worked examples recomputed and matching.",
                    s.counties, s.policies, s.reports, s.rules, s.examples
                ),
                Format::Json => println!(
                    "{}",
                    serde_json::json!({ "ok": true, "errors": [], "counties": s.counties, "policies": s.policies,
                        "reports": s.reports, "rules": s.rules, "examples": s.examples })
                ),
            }
            ExitCode::SUCCESS
        }
        Err(diagnostics) => {
            print_problems(&diagnostics, format);
            ExitCode::FAILURE
        }
    }
}

fn build(root: &Path, out: &Path) -> ExitCode {
    // A relative --out is relative to the project root, like everything else.
    let out = if out.is_absolute() {
        out.to_path_buf()
    } else {
        root.join(out)
    };
    match site::build::build(root, &out) {
        Ok(report) => {
            println!(
                "portal build: {} pages ({} files, {:.1} MB) in {:.2} s → {}",
                report.pages,
                report.files,
                report.bytes as f64 / 1_000_000.0,
                report.seconds,
                out.display()
            );
            ExitCode::SUCCESS
        }
        Err(site::build::BuildError::Check(diagnostics)) => {
            print_problems(&diagnostics, Format::Text);
            fail(
                format!("the build stopped; {} was left as it was", out.display()),
                None,
            )
        }
        Err(error) => fail(
            format!("{error}"),
            Some(format!(
                "the build stopped; {} was left as it was",
                out.display()
            )),
        ),
    }
}

fn fail(message: impl AsRef<str>, hint: Option<String>) -> ExitCode {
    eprintln!("error: {}", message.as_ref());
    if let Some(hint) = hint {
        eprintln!("hint: {hint}");
    }
    ExitCode::FAILURE
}

fn estimate(
    root: &Path,
    code: &str,
    date: Option<&str>,
    json: bool,
    audience: Audience,
    pairs: &[String],
) -> ExitCode {
    let project: Project = match load(root) {
        Ok(project) => project,
        Err(diagnostics) => {
            print_problems(&diagnostics, Format::Text);
            return fail(
                "the rules have errors, so no estimate is made",
                Some("fix what `portal check` reports first".into()),
            );
        }
    };
    let Some(book) = project.rulebooks.get(code) else {
        let former = project
            .counties
            .iter()
            .find(|c| c.source.former.iter().any(|f| f.code == code));
        let hint = match former {
            Some(c) => format!(
                "{code} is a former code of {}; use --county {}",
                c.source.name, c.source.code
            ),
            None => format!(
                "known counties: {}",
                project
                    .counties
                    .iter()
                    .map(|c| format!("{} {}", c.source.code, c.source.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        return fail(
            format!("there is no county with the code `{code}`"),
            Some(hint),
        );
    };
    if book.policies.is_empty() {
        return fail(
            format!(
                "{} ({code}) has no policies with rules to estimate from",
                book.county.name
            ),
            None,
        );
    }
    let date = match date {
        Some(text) => match text.parse::<Date>() {
            Ok(d) => d,
            Err(error) => return fail(error.to_string(), None),
        },
        None => match site::today::today() {
            Some(d) => d,
            None => {
                return fail(
                    "cannot tell today's date from the system clock",
                    Some("give --date YYYY-MM-DD".into()),
                )
            }
        },
    };
    let mut facts = Vec::with_capacity(pairs.len());
    let mut bad = Vec::new();
    for pair in pairs {
        match pair.split_once('=') {
            Some((id, value)) => facts.push((id.trim(), value)),
            None => bad.push(format!("`{pair}` is not FACT=VALUE (e.g. pigs=3)")),
        }
    }
    let household = match calculator::evaluate::household_from_pairs(book, facts.iter().copied()) {
        Ok(h) if bad.is_empty() => Some(h),
        Ok(_) => None,
        Err(errors) => {
            bad.extend(errors.into_iter().map(|(_, e)| e.to_string()));
            None
        }
    };
    let Some(household) = household else {
        for problem in &bad {
            eprintln!("error: {problem}");
        }
        return fail(
            format!(
                "{} fact(s) could not be read; nothing was estimated",
                bad.len()
            ),
            Some("facts are listed in policies/facts.yaml".into()),
        );
    };
    let estimate = match evaluate(book, &household, date, audience) {
        Ok(e) => e,
        Err(error) => return fail(format!("the estimate could not be computed: {error}"), None),
    };
    if estimate.nothing_in_force() {
        let latest = estimate.latest_policy();
        let message = match latest {
            Some(p) => format!(
                "no policy of {} was in force on {date}. The latest is 《{}》 ({}): {}",
                book.county.name,
                p.title,
                p.period,
                p.reason.clone().unwrap_or_default()
            ),
            None => format!("no policy of {} was in force on {date}", book.county.name),
        };
        let hint = latest.map(|p| {
            format!(
                "to see what it paid, give a date within its period, e.g. --date {}",
                p.period.from
            )
        });
        return fail(message, hint);
    }
    if json {
        match serde_json::to_string_pretty(&estimate) {
            Ok(text) => println!("{text}"),
            Err(error) => return fail(format!("cannot write JSON: {error}"), None),
        }
    } else {
        print!("{}", explain::render(&estimate));
    }
    ExitCode::SUCCESS
}

fn schema(kind: SchemaKind, write: Option<&Path>) -> ExitCode {
    let all = site::schema::all();
    if let Some(dir) = write {
        if let Err(error) = std::fs::create_dir_all(dir) {
            return fail(format!("cannot create {}: {error}", dir.display()), None);
        }
        for (name, text) in &all {
            if let Err(error) = std::fs::write(dir.join(name), text) {
                return fail(format!("cannot write {name}: {error}"), None);
            }
        }
        println!("wrote {} schema files to {}", all.len(), dir.display());
        return ExitCode::SUCCESS;
    }
    let name = match kind {
        SchemaKind::Policy => "policy.schema.json",
        SchemaKind::County => "county.schema.json",
        SchemaKind::Facts => "facts.schema.json",
    };
    print!(
        "{}",
        all.iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, t)| t.as_str())
    );
    ExitCode::SUCCESS
}
