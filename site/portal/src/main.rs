//! `portal`: the command line. It only parses arguments; each command lives in `portal::cmd`.

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use portal::cmd::{
    self, config::ConfigWhat, estimate::ForWhom, new::NewWhat, schema::SchemaKind,
    templates::TemplatesAction, Format,
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
#[command(disable_help_flag = true, disable_version_flag = true)]
struct Cli {
    /// 显示这段说明
    #[arg(short, long, global = true, action = clap::ArgAction::Help)]
    help: Option<bool>,
    /// 显示版本号
    #[arg(short = 'V', long, action = clap::ArgAction::Version)]
    version: Option<bool>,
    /// 项目文件夹（里面有 policies/ 和 content/），默认是当前文件夹
    #[arg(long, global = true, default_value = ".")]
    root: PathBuf,
    /// 提示信息用哪种语言：zh 中文、en 英文；不写时看 LC_ALL、LC_MESSAGES、LANG（以 en 开头就用英文，否则用中文）
    #[arg(long, global = true, value_enum)]
    lang: Option<cmd::LangArg>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 新建一个项目文件夹：一个县、一份示例政策，马上能通过检查、生成网站
    Init {
        /// 新项目的文件夹（不能已有文件）
        dir: PathBuf,
        /// 第一个县的行政区划代码（六位数字）
        #[arg(long, default_value = "610926")]
        county: String,
        /// 第一个县的名称（默认按行政区划代码表填写）
        #[arg(long)]
        name: Option<String>,
        /// 县文件夹名里代码后面的部分（小写字母、数字和 -）
        #[arg(long, default_value = "pingli")]
        slug: String,
        /// 所属省份（默认按代码表确定，不写入文件）
        #[arg(long)]
        province: Option<String>,
        /// 所属市（州）（默认按代码表确定，不写入文件）
        #[arg(long)]
        prefecture: Option<String>,
    },
    /// 生成整个网站到 public/（或 --out）；出错时原来的网站保持不变
    Build {
        /// 输出文件夹，相对于 --root
        #[arg(long, default_value = "public")]
        out: PathBuf,
    },
    /// 在本机（127.0.0.1）预览网站，改了文件自动重新生成、刷新
    Serve {
        /// 端口；0 表示自动选一个空闲端口
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// 输出文件夹，相对于 --root
        #[arg(long, default_value = "public")]
        out: PathBuf,
    },
    /// 检查全部 YAML 和 Markdown 文件，重新计算每个算例
    Check {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// 按一个县的规则估算一户能得到的补助
    ///
    /// 情况写成 项目=数值，例如 `pigs=3 registered_poor=true cash_crop_mu=1.5`（项目名见 policies/facts.yaml）
    Estimate {
        /// 县的行政区划代码，例如 140431
        #[arg(long)]
        county: String,
        /// 按这一天有效的规则估算（YYYY-MM-DD），默认今天
        #[arg(long)]
        date: Option<String>,
        /// 输出 JSON（给程序用）
        #[arg(long)]
        json: bool,
        /// 估算谁的补助：household 农户、enterprise 企业和合作社、collective 村集体
        #[arg(long = "for", value_enum, default_value_t = ForWhom::Household)]
        audience: ForWhom,
        /// 这一户的情况，项目=数值
        facts: Vec<String>,
    },
    /// 新建一个县或一份政策（带中文说明，直接能通过检查）
    New {
        #[command(subcommand)]
        what: NewWhat,
    },
    /// 内置模板：列出，或复制到项目的 templates/ 里修改网站样式
    Templates {
        #[command(subcommand)]
        action: TemplatesAction,
    },
    /// 输出网站服务器的配置（nginx，或静态托管的 _headers 文件），让服务器压缩、缓存并发送安全响应头
    Config {
        #[command(subcommand)]
        what: ConfigWhat,
    },
    /// 输出规则格式的 JSON Schema（或把全部 schema 文件写到一个文件夹）
    Schema {
        #[arg(value_enum, default_value_t = SchemaKind::Policy)]
        kind: SchemaKind,
        /// 把 policy、county、facts 三个 schema 写到这个文件夹
        #[arg(long)]
        write: Option<PathBuf>,
    },
}

/// Clap's own words (headings, `--help`, `--version`) in Chinese, on every subcommand.
fn in_chinese(command: clap::Command) -> clap::Command {
    command
        .help_template("{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}")
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令")
        .disable_help_subcommand(true)
        .mut_args(|arg| {
            let heading = if arg.is_positional() {
                "参数"
            } else {
                "选项"
            };
            arg.help_heading(heading)
        })
        .mut_subcommands(in_chinese)
}

/// Parse the command line; a mistake in it is explained in Chinese, with clap's detail.
fn parse() -> Cli {
    let command = in_chinese(Cli::command());
    let result = command
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches));
    match result {
        Ok(cli) => cli,
        Err(error) => {
            use clap::error::ErrorKind;
            if matches!(
                error.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                error.exit()
            }
            match in_words(&error) {
                Some(text) => {
                    cmd::emit_err(&format!(
                        "错误：{text}\n提示：运行 `portal --help` 查看所有命令，`portal 命令 --help` 查看一个命令的写法。\n"
                    ));
                    std::process::exit(2)
                }
                None => {
                    cmd::emit_err("命令行写得不对（下面是详细说明）。运行 `portal --help` 查看所有命令和写法。\n\n");
                    error.exit()
                }
            }
        }
    }
}

/// The common command-line mistakes in Chinese, from what clap found; `None` for the rare
/// ones, which keep clap's own explanation.
fn in_words(error: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let text = |kind| match error.get(kind) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => Some(v.join("、")),
        Some(other) => Some(other.to_string()),
        None => None,
    };
    let suggestion = |kind| {
        let names = match error.get(kind) {
            Some(ContextValue::String(s)) => vec![s.clone()],
            Some(ContextValue::Strings(v)) => v.clone(),
            _ => Vec::new(),
        };
        if names.is_empty() {
            return String::new();
        }
        let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        format!("是不是想写 {}？", names.join(" 或 "))
    };
    // Clap names an option with its value's placeholder (`--lang <LANG>`); people type `--lang`.
    let option = |s: String| s.split(' ').next().unwrap_or_default().to_owned();
    Some(match error.kind() {
        ErrorKind::InvalidSubcommand => format!(
            "没有 `{}` 这个命令。{}",
            text(ContextKind::InvalidSubcommand)?,
            suggestion(ContextKind::SuggestedSubcommand)
        ),
        ErrorKind::UnknownArgument => format!(
            "不认识 `{}` 这个选项。{}",
            text(ContextKind::InvalidArg)?,
            suggestion(ContextKind::SuggestedArg)
        ),
        ErrorKind::InvalidValue => format!(
            "`{}` 不能写 `{}`，能写的有：{}。",
            option(text(ContextKind::InvalidArg)?),
            text(ContextKind::InvalidValue)?,
            text(ContextKind::ValidValue)?
        ),
        ErrorKind::MissingRequiredArgument => {
            format!("还少写了：{}。", text(ContextKind::InvalidArg)?)
        }
        ErrorKind::MissingSubcommand => "还要写一个命令，例如 `portal check`。".to_owned(),
        _ => return None,
    })
}

fn main() -> ExitCode {
    // mimalloc (the allocator crate), keeping what a build frees for its next pages.
    allocator::keep_freed_memory();
    let cli = parse();
    let root = cli.root;
    // Chosen once here and passed down: nothing below reads the environment for it.
    let lang = cli
        .lang
        .map_or_else(policy::messages::Lang::from_env, Into::into);
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
                name: name.as_deref(),
                slug: &slug,
                province: province.as_deref(),
                prefecture: prefecture.as_deref(),
            },
            lang,
        ),
        Command::Build { out } => cmd::build::run(&root, &out, lang),
        Command::Serve { port, out } => cmd::serve::run(&root, &out, port, lang),
        Command::Check { format } => cmd::check::run(&root, format, lang),
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
            lang,
        ),
        Command::New { what } => cmd::new::run(&root, what, lang),
        Command::Templates { action } => cmd::templates::run(&root, action, lang),
        Command::Config { what } => cmd::config::run(&root, what, lang),
        Command::Schema { kind, write } => cmd::schema::run(kind, write.as_deref(), lang),
    }
}
