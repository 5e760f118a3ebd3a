//! `portal`: the command line. It only parses arguments; each command lives in `portal::cmd`.

use clap::{Parser, Subcommand};
use portal::cmd::{
    self, estimate::ForWhom, new::NewWhat, schema::SchemaKind, templates::TemplatesAction, Format,
};
use portal::scaffold::Starter;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "portal",
    version,
    about = "产业扶贫政策门户：检查补助规则、生成网站、估算一户能得到的补助"
)]
struct Cli {
    /// The project folder (the one holding policies/ and content/).
    #[arg(long, global = true, default_value = ".")]
    root: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new project folder that passes `portal check` and builds at once.
    Init {
        /// The new project's folder (must not exist, or be empty).
        dir: PathBuf,
        /// The first county's GB/T 2260 code.
        #[arg(long, default_value = "610926")]
        county: String,
        /// The first county's name.
        #[arg(long, default_value = "平利县")]
        name: String,
        /// The county's folder name after the code (lower-case letters, digits, -).
        #[arg(long, default_value = "pingli")]
        slug: String,
        /// The province above it.
        #[arg(long, default_value = "陕西省")]
        province: String,
        /// The prefecture above it.
        #[arg(long, default_value = "安康市")]
        prefecture: String,
    },
    /// Build the whole site into public/ (or --out); a failed build leaves the old site as it was.
    Build {
        /// The output folder, relative to --root.
        #[arg(long, default_value = "public")]
        out: PathBuf,
    },
    /// Preview the site on 127.0.0.1, rebuilding and reloading when a file changes.
    Serve {
        /// 0 picks a free port.
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// The output folder, relative to --root.
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
    /// The built-in templates: list them, or copy them into templates/ to restyle the site.
    Templates {
        #[command(subcommand)]
        action: TemplatesAction,
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = cli.root;
    match cli.command {
        Command::Init {
            dir,
            county,
            name,
            slug,
            province,
            prefecture,
        } => cmd::init::run(
            &dir,
            &Starter {
                code: &county,
                name: &name,
                slug: &slug,
                province: &province,
                prefecture: &prefecture,
            },
        ),
        Command::Build { out } => cmd::build::run(&root, &out),
        Command::Serve { port, out } => cmd::serve::run(&root, &out, port),
        Command::Check { format } => cmd::check::run(&root, format),
        Command::Estimate {
            county,
            date,
            json,
            audience,
            facts,
        } => cmd::estimate::run(
            &root,
            &county,
            date.as_deref(),
            json,
            audience.into(),
            &facts,
        ),
        Command::New { what } => cmd::new::run(&root, what),
        Command::Templates { action } => cmd::templates::run(&root, action),
        Command::Schema { kind, write } => cmd::schema::run(kind, write.as_deref()),
    }
}
