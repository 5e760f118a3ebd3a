//! `portal new county|policy`: files that pass `portal check` as they are, with comments that
//! teach the format.

use super::{emit, fail};
use crate::scaffold::{new_county, new_policy};
use std::path::Path;
use std::process::ExitCode;

/// What to create.
#[derive(Debug, clap::Subcommand)]
pub enum NewWhat {
    /// policies/<CODE>-<slug>/county.yaml
    County {
        /// GB/T 2260 code, six digits.
        code: String,
        /// The county's name, e.g. 平利县.
        name: String,
        /// The folder name after the code (lower-case letters, digits, -), e.g. pingli.
        #[arg(long, default_value = "county")]
        slug: String,
        /// The province, e.g. 陕西省.
        #[arg(long, default_value = "（省）")]
        province: String,
        /// The prefecture, e.g. 安康市.
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

/// Create what `what` says under `root`.
pub fn run(root: &Path, what: NewWhat) -> ExitCode {
    let result = match what {
        NewWhat::County {
            code,
            name,
            slug,
            province,
            prefecture,
        } => new_county(root, &code, &name, &slug, &province, &prefecture),
        NewWhat::Policy { code, slug } => match crate::today::today() {
            Some(today) => new_policy(root, &code, &slug, today),
            None => return fail("无法从系统时钟得知今天的日期", None),
        },
    };
    match result {
        Ok(path) => {
            emit(&format!(
                "已创建 {} — 修改后运行 `portal check`\n",
                path.display()
            ));
            ExitCode::SUCCESS
        }
        Err(error) => fail(error.to_string(), None),
    }
}
