//! `portal init DIR`: a new project folder that passes `portal check` and builds at once.

use super::{emit, fail};
use crate::scaffold::{init_project, Starter};
use std::path::Path;
use std::process::ExitCode;

/// Create a project in `dir` starting from `starter`'s county.
pub fn run(dir: &Path, starter: &Starter<'_>) -> ExitCode {
    let Some(today) = crate::today::today() else {
        return fail("无法从系统时钟得知今天的日期", None);
    };
    match init_project(dir, starter, today) {
        Ok(dir) => {
            let shown = dir.display();
            emit(&format!(
                "已在 {shown} 创建新项目：{}（{}）的一份示例政策，有一条规则和三个算例。\n\
                 接下来：\n\
                 \u{20} 1. 把政策原文照录到 policies/ 下的 text.md，修改旁边的 policy.yaml；\n\
                 \u{20} 2. portal check --root {shown}      检查规则、重新计算算例；\n\
                 \u{20} 3. portal build --root {shown}      生成网站到 {shown}/public/；\n\
                 \u{20} 4. portal serve --root {shown}      在本机预览，改了文件自动刷新。\n\
                 编写说明见 {shown}/content/for-offices.md。\n",
                starter.name, starter.code
            ));
            ExitCode::SUCCESS
        }
        Err(error) => fail(error.to_string(), None),
    }
}
