//! `portal new county|region|policy|version`: files that pass `portal check` as they are,
//! with comments that teach the format.

use super::{emit, fail};
use crate::scaffold::{new_county, new_policy, new_region};
use policy::messages::{Key, Lang, Msg};
use std::path::Path;
use std::process::ExitCode;

/// What to create.
#[derive(Debug, clap::Subcommand)]
pub enum NewWhat {
    /// 新建一个县：policies/<代码>-<拼音>/county.yaml
    County {
        /// 行政区划代码（GB/T 2260），六位数字
        code: String,
        /// 县名，例如 平利县（不写就按行政区划代码表填写；写了要和代码表一致）
        name: Option<String>,
        /// 文件夹名里代码后面的部分（小写字母、数字和 -），例如 pingli
        #[arg(long, default_value = "county")]
        slug: String,
        /// 所属省份（一般不用写：按代码表确定；写了会核对）
        #[arg(long)]
        province: Option<String>,
        /// 所属市（州）（一般不用写：按代码表确定；写了会核对）
        #[arg(long)]
        prefecture: Option<String>,
    },
    /// 新建一个市（州）、省或全国的文件夹：policies/<代码>-<拼音>/region.yaml；它的文件适用于下辖各县
    Region {
        /// 行政区划代码：市级 XXXX00，省级 XX0000，全国 000000
        code: String,
        /// 文件夹名里代码后面的部分（小写字母、数字和 -），例如 ankang
        #[arg(long, default_value = "region")]
        slug: String,
    },
    /// 新建一份政策的新版本：复制全文和全部规则，从某天起取代旧版，旧版在前一天结束
    Version {
        /// 旧版的 id（policy.yaml 第一行的 `id:`），例如 qinyuan-2017-industry
        id: String,
        /// 新版本的生效日期，例如 2018-01-01
        #[arg(long)]
        from: String,
        /// 新文件夹名（默认：旧文件夹名里的年份换成新年份，例如 industry-2018）
        #[arg(long)]
        slug: Option<String>,
    },
    /// 新建一份政策：policies/<县或上级的文件夹>/<名称>/policy.yaml 和 text.md
    Policy {
        /// 县（或市、省）的代码；它的文件夹要先建好
        code: String,
        /// 文件夹名（小写字母、数字和 -），例如 industry-2018
        slug: String,
    },
}

/// Create what `what` says under `root`.
pub fn run(root: &Path, what: NewWhat, lang: Lang) -> ExitCode {
    let result = match what {
        NewWhat::County {
            code,
            name,
            slug,
            province,
            prefecture,
        } => new_county(
            root,
            &code,
            name.as_deref(),
            &slug,
            province.as_deref(),
            prefecture.as_deref(),
        ),
        NewWhat::Region { code, slug } => new_region(root, &code, &slug),
        NewWhat::Version { id, from, slug } => return version(root, &id, &from, slug, lang),
        NewWhat::Policy { code, slug } => match crate::today::today() {
            Some(today) => new_policy(root, &code, &slug, today),
            None => return fail(lang, Msg::new(Key::CliNoClock), None),
        },
    };
    match result {
        Ok(path) => {
            let done = Msg::new(Key::CliNewOk)
                .arg("path", path.display().to_string())
                .arg("again", super::command_line("check", root));
            emit(&(done.render(lang) + "\n"));
            ExitCode::SUCCESS
        }
        Err(error) => fail(lang, error.message(), None),
    }
}

fn version(root: &Path, id: &str, from: &str, slug: Option<String>, lang: Lang) -> ExitCode {
    let Ok(from) = from.parse::<calculator::Date>() else {
        return fail(
            lang,
            Msg::new(Key::BadDate).arg("text", from),
            Some(Msg::new(Key::HintDate)),
        );
    };
    match crate::version::new_version(root, id, from, slug.as_deref()) {
        Ok(made) => {
            let mut text = Msg::new(Key::CliNewVersionOk)
                .arg("new_file", made.new_file.display().to_string())
                .arg("from", from.to_string())
                .arg("old_file", made.old_file.display().to_string())
                .arg("to", made.old_ends.to_string())
                .arg("kept", made.kept.to_string())
                .arg("moved", made.moved.to_string())
                .arg("copied_new", made.copied_to_new.to_string())
                .arg("copied_old", made.copied_to_old.to_string())
                .arg("again", super::command_line("check", root))
                .render(lang);
            text.push('\n');
            for (names, key) in [
                (made.not_copied_to_new, Key::CliNewVersionNotCopiedNew),
                (made.not_copied_to_old, Key::CliNewVersionNotCopiedOld),
            ] {
                if !names.is_empty() {
                    text.push_str(&Msg::new(key).list("names", names).render(lang));
                    text.push('\n');
                }
            }
            emit(&text);
            ExitCode::SUCCESS
        }
        Err(error) => fail(lang, error.message(), None),
    }
}
