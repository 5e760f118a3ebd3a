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
    /// Preview the site on 127.0.0.1, rebuilding and reloading when a file changes.
    Serve {
        /// 0 picks a free port.
        #[arg(long, default_value_t = 8000)]
        port: u16,
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
    /// Create a county or a policy that passes `portal check` as it is, with teaching comments.
    New {
        #[command(subcommand)]
        what: NewWhat,
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

#[derive(Subcommand)]
enum NewWhat {
    /// policies/<CODE>-<slug>/county.yaml
    County {
        /// GB/T 2260 code, six digits.
        code: String,
        /// The county's name, e.g. 平利县.
        name: String,
        /// The folder name after the code (lower-case letters, digits, -), e.g. pingli.
        #[arg(long, default_value = "county")]
        slug: String,
        #[arg(long, default_value = "（省）")]
        province: String,
        #[arg(long, default_value = "（市、州）")]
        prefecture: String,
    },
    /// policies/<county>/<SLUG>/policy.yaml and text.md
    Policy {
        /// The county's code; the county must exist.
        code: String,
        /// The folder name (lower-case letters, digits, -), e.g. industry-2018.
        slug: String,
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

/// Write to stdout; a closed pipe (`portal estimate … | head`) or a full disk is not a crash.
fn emit(text: &str) -> bool {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .is_ok()
}

/// `println!` that does not panic when stdout is closed.
macro_rules! outln {
    ($($arg:tt)*) => {{ emit(&(format!($($arg)*) + "\n")); }};
}
/// `print!` that does not panic when stdout is closed.
macro_rules! out {
    ($($arg:tt)*) => {{ emit(&format!($($arg)*)); }};
}
/// `eprintln!` that does not panic when stderr is closed.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}
/// `eprint!` that does not panic when stderr is closed.
macro_rules! err {
    ($($arg:tt)*) => {{
        use std::io::Write;
        let _ = write!(std::io::stderr().lock(), $($arg)*);
    }};
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build { out } => build(&cli.root, &out),
        Command::Serve { port, out } => {
            let out = if out.is_absolute() {
                out
            } else {
                cli.root.join(out)
            };
            match site::serve::serve(&cli.root, &out, port) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => fail(error.to_string(), None),
            }
        }
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
        Command::New { what } => scaffold(&cli.root, what),
    }
}

fn print_problems(diagnostics: &Diagnostics, format: Format) {
    match format {
        Format::Text => {
            err!("{}", diagnostics.render());
            errln!(
                "portal check: {} error(s). Nothing was published.",
                diagnostics.len()
            );
        }
        Format::Json => {
            let json = serde_json::json!({ "ok": false, "errors": diagnostics.items });
            emit(&(serde_json::to_string_pretty(&json).unwrap_or_default() + "\n"));
        }
    }
}

fn check(root: &Path, format: Format) -> ExitCode {
    match load(root) {
        Ok(project) => {
            let s = project.summary;
            match format {
                Format::Text => outln!(
                    "portal check: ok — {} counties, {} policies, {} report(s), {} rules; {} worked examples recomputed and matching.",
                    s.counties, s.policies, s.reports, s.rules, s.examples
                ),
                Format::Json => outln!(
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
            outln!(
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

fn scaffold(root: &Path, what: NewWhat) -> ExitCode {
    use site::scaffold::{new_county, new_policy};
    let result = match what {
        NewWhat::County {
            code,
            name,
            slug,
            province,
            prefecture,
        } => new_county(root, &code, &name, &slug, &province, &prefecture),
        NewWhat::Policy { code, slug } => match site::today::today() {
            Some(today) => new_policy(root, &code, &slug, today),
            None => return fail("无法从系统时钟得知今天的日期", None),
        },
    };
    match result {
        Ok(path) => {
            outln!(
                "created {} — edit it, then run `portal check`",
                path.display()
            );
            ExitCode::SUCCESS
        }
        Err(error) => fail(error.to_string(), None),
    }
}

fn fail(message: impl AsRef<str>, hint: Option<String>) -> ExitCode {
    errln!("错误：{}", message.as_ref());
    if let Some(hint) = hint {
        errln!("提示：{hint}");
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
                "规则有错误，暂不能估算",
                Some("请先按 `portal check` 的提示改正".into()),
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
                "{code} 是{}的旧代码，请用 --county {}",
                c.source.name, c.source.code
            ),
            None => format!(
                "已有的县：{}",
                project
                    .counties
                    .iter()
                    .map(|c| format!("{} {}", c.source.code, c.source.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        return fail(format!("没有代码为 `{code}` 的县"), Some(hint));
    };
    if book.policies.is_empty() {
        return fail(
            format!("{}（{code}）还没有可以估算的政策规则", book.county.name),
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
                    "无法从系统时钟得知今天的日期",
                    Some("请用 --date YYYY-MM-DD 指定日期".into()),
                )
            }
        },
    };
    let mut facts = Vec::with_capacity(pairs.len());
    let mut bad = Vec::new();
    for pair in pairs {
        match pair.split_once('=') {
            Some((id, value)) => facts.push((id.trim(), value)),
            None => bad.push(format!("`{pair}` 不是“项目=数值”的写法（例如 pigs=3）")),
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
            errln!("错误：{problem}");
        }
        return fail(
            format!("有 {} 项填写有误，未作估算", bad.len()),
            Some("可填写的项目见 policies/facts.yaml".into()),
        );
    };
    let estimate = match evaluate(book, &household, date, audience) {
        Ok(e) => e,
        Err(error) => return fail(format!("无法计算：{error}"), None),
    };
    if estimate.nothing_in_force() {
        let latest = estimate.latest_policy();
        let message = match latest {
            Some(p) => format!(
                "{} 在 {date} 没有有效的政策。最近的是《{}》（{}）：{}",
                book.county.name,
                p.title,
                p.period,
                p.reason.clone().unwrap_or_default()
            ),
            None => format!("{} 在 {date} 没有有效的政策", book.county.name),
        };
        let hint = latest.map(|p| {
            format!(
                "要查看当时的标准，请指定施行期内的日期，例如 --date {}",
                p.period.from
            )
        });
        return fail(message, hint);
    }
    if json {
        match serde_json::to_string_pretty(&estimate) {
            Ok(text) => outln!("{text}"),
            Err(error) => return fail(format!("cannot write JSON: {error}"), None),
        }
    } else {
        out!("{}", explain::render(&estimate));
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
        outln!("wrote {} schema files to {}", all.len(), dir.display());
        return ExitCode::SUCCESS;
    }
    let name = match kind {
        SchemaKind::Policy => "policy.schema.json",
        SchemaKind::County => "county.schema.json",
        SchemaKind::Facts => "facts.schema.json",
    };
    out!(
        "{}",
        all.iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, t)| t.as_str())
    );
    ExitCode::SUCCESS
}
