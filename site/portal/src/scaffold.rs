//! `portal init`, `portal new county`, `portal new region` and `portal new policy`: files that
//! pass `portal check` as they are, with comments in Chinese that teach the format. Names of
//! counties and regions come from the national code list.

use policy::compile::{valid_id, valid_region_code};
use policy::messages::{Key, Msg};
use std::path::{Path, PathBuf};

/// Why nothing (more) was created.
#[derive(Debug, thiserror::Error)]
#[allow(missing_docs)]
pub enum ScaffoldError {
    #[error("`{0}` 不是 GB/T 2260 行政区划代码：应为六位数字，例如 610117")]
    Code(String),
    #[error("`{0}` 不能用作网页地址的一部分：只用小写字母、数字和 -，例如 industry-2018")]
    Slug(String),
    #[error("代码 {code} 在行政区划代码表中是“{expected}”，不是“{name}”")]
    NameNotCode {
        code: String,
        name: String,
        expected: String,
    },
    #[error("代码 {code} 是{name}，不是县：市级、省级用 `portal new region {code}`")]
    NotCountyCode { code: String, name: String },
    #[error("代码 {code} 是县级的{name}：新建县用 `portal new county {code}`")]
    NotRegionCode { code: String, name: String },
    #[error(
        "代码 {0} 不在全国行政区划代码表中：请写上名称，并在 policies/regions.yaml 里补上这个代码"
    )]
    NameNeeded(String),
    #[error("还没有代码为 {0} 的县：请先运行 `portal new county {0} 县名`")]
    NoCounty(String),
    #[error("县 {code} 已经存在，在 {dir}")]
    CountyExists { code: String, dir: String },
    #[error("{0} 已经存在，没有写入任何文件")]
    Exists(String),
    #[error("{0} 已经存在且不是空文件夹；请换一个新文件夹，没有写入任何文件")]
    NotEmpty(String),
    #[error("项目里还有错误：请先运行 `portal check` 改正，再新建版本")]
    ProjectInvalid,
    #[error("没有 id 为 `{id}` 的政策文件")]
    UnknownPolicy { id: String, near: Option<String> },
    #[error("新版本的生效日期 {from} 要晚于旧版的生效日期 {old_from}")]
    VersionTooEarly {
        from: calculator::Date,
        old_from: calculator::Date,
    },
    #[error(
        "{0} 的算例不是每项以 `  - name:` 开头、带 `date:` 的写法，无法自动拆分；没有写入任何文件"
    )]
    ExamplesLayout(String),
    #[error("新版本没能通过检查，没有写入任何文件；请运行 `portal check` 看看项目里的问题")]
    VersionWouldFail,
    #[error("无法写入 {path}：{source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

impl ScaffoldError {
    /// The error from the message catalogue, to be shown in the chosen language (the
    /// `Display` above is its Chinese).
    pub fn message(&self) -> Msg {
        match self {
            ScaffoldError::Code(code) => Msg::new(Key::ScaffoldCode).arg("code", code.as_str()),
            ScaffoldError::Slug(slug) => Msg::new(Key::ScaffoldSlug).arg("slug", slug.as_str()),
            ScaffoldError::NameNotCode {
                code,
                name,
                expected,
            } => Msg::new(Key::ScaffoldNameNotCode)
                .arg("code", code.as_str())
                .arg("name", name.as_str())
                .arg("expected", expected.as_str()),
            ScaffoldError::NotCountyCode { code, name } => Msg::new(Key::ScaffoldNotCountyCode)
                .arg("code", code.as_str())
                .arg("name", name.as_str()),
            ScaffoldError::NotRegionCode { code, name } => Msg::new(Key::ScaffoldNotRegionCode)
                .arg("code", code.as_str())
                .arg("name", name.as_str()),
            ScaffoldError::NameNeeded(code) => {
                Msg::new(Key::ScaffoldNameNeeded).arg("code", code.as_str())
            }
            ScaffoldError::NoCounty(code) => {
                Msg::new(Key::ScaffoldNoCounty).arg("code", code.as_str())
            }
            ScaffoldError::CountyExists { code, dir } => Msg::new(Key::ScaffoldCountyExists)
                .arg("code", code.as_str())
                .arg("dir", dir.as_str()),
            ScaffoldError::Exists(path) => Msg::new(Key::ScaffoldExists).arg("path", path.as_str()),
            ScaffoldError::NotEmpty(path) => {
                Msg::new(Key::ScaffoldNotEmpty).arg("path", path.as_str())
            }
            ScaffoldError::ProjectInvalid => Msg::new(Key::ScaffoldProjectInvalid),
            ScaffoldError::UnknownPolicy { id, near } => match near {
                Some(near) => Msg::new(Key::ScaffoldUnknownPolicyNear)
                    .arg("id", id.as_str())
                    .arg("near", near.as_str()),
                None => Msg::new(Key::ScaffoldUnknownPolicy).arg("id", id.as_str()),
            },
            ScaffoldError::VersionTooEarly { from, old_from } => {
                Msg::new(Key::ScaffoldVersionTooEarly)
                    .arg("from", from.to_string())
                    .arg("old_from", old_from.to_string())
            }
            ScaffoldError::ExamplesLayout(file) => {
                Msg::new(Key::ScaffoldExamplesLayout).arg("file", file.as_str())
            }
            ScaffoldError::VersionWouldFail => Msg::new(Key::ScaffoldVersionWouldFail),
            ScaffoldError::Io { path, source } => Msg::new(Key::ScaffoldIo)
                .arg("path", path.as_str())
                .arg("error", source.to_string()),
        }
    }
}

fn write_new(path: &Path, text: &str) -> Result<(), ScaffoldError> {
    let io = |source| ScaffoldError::Io {
        path: path.display().to_string(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    std::fs::write(path, text).map_err(io)
}

fn county_dir(root: &Path, code: &str) -> Option<PathBuf> {
    let entries = std::fs::read_dir(root.join("policies")).ok()?;
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            (p.join("county.yaml").is_file() || p.join("region.yaml").is_file())
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(&format!("{code}-")))
        })
        .collect();
    found.sort();
    found.into_iter().next()
}

/// The name to write for `code`: the code list's, which `name`, when given, must match; a
/// code not in the list needs a name (the project then adds it in `policies/regions.yaml`).
/// `county` says which kind of folder is being made.
fn name_for(
    catalogue: &regions::Catalogue,
    code: &str,
    name: Option<&str>,
    county: bool,
) -> Result<String, ScaffoldError> {
    let Some(region) = catalogue.get(code) else {
        return name
            .map(str::to_owned)
            .ok_or_else(|| ScaffoldError::NameNeeded(code.into()));
    };
    match (region.level == regions::Level::County, county) {
        (false, true) => {
            return Err(ScaffoldError::NotCountyCode {
                code: code.into(),
                name: region.name.clone(),
            })
        }
        (true, false) => {
            return Err(ScaffoldError::NotRegionCode {
                code: code.into(),
                name: region.name.clone(),
            })
        }
        _ => {}
    }
    match name {
        Some(name) if name != region.name => Err(ScaffoldError::NameNotCode {
            code: code.into(),
            name: name.into(),
            expected: region.name.clone(),
        }),
        _ => Ok(region.name.clone()),
    }
}

/// The regions above `code` as a comment line (`陕西省 › 西安市`), from the code list.
fn above_comment(catalogue: &regions::Catalogue, code: &str) -> String {
    let names: Vec<&str> = catalogue
        .ancestors(code)
        .iter()
        .rev()
        .filter(|r| r.level != regions::Level::Nation)
        .map(|r| r.name.as_str())
        .collect();
    if names.is_empty() {
        String::new()
    } else {
        format!("# 上级（按代码表自动确定）：{}\n", names.join(" › "))
    }
}

/// A new county's or region's folder: its file, its name and the regions above it as a
/// comment, once the checks both kinds need have passed (a well-formed code and slug, the
/// code list, no folder for the code yet).
struct NewFolder {
    file: PathBuf,
    name: String,
    above: String,
}

fn new_folder(
    root: &Path,
    code: &str,
    name: Option<&str>,
    slug: &str,
    county: bool,
) -> Result<NewFolder, ScaffoldError> {
    if !valid_region_code(code) {
        return Err(ScaffoldError::Code(code.into()));
    }
    if !valid_id(slug) {
        return Err(ScaffoldError::Slug(slug.into()));
    }
    let catalogue = regions::Catalogue::national();
    let name = name_for(&catalogue, code, name, county)?;
    if let Some(dir) = county_dir(root, code) {
        return Err(ScaffoldError::CountyExists {
            code: code.into(),
            dir: dir.display().to_string(),
        });
    }
    let file = root
        .join("policies")
        .join(format!("{code}-{slug}"))
        .join(if county { "county.yaml" } else { "region.yaml" });
    if file.exists() {
        return Err(ScaffoldError::Exists(file.display().to_string()));
    }
    Ok(NewFolder {
        file,
        name,
        above: above_comment(&catalogue, code),
    })
}

/// Create `policies/<code>-<slug>/county.yaml`; returns the file written. The name, when not
/// given, and the regions above come from the national code list; `province` and
/// `prefecture`, when given, are written (and checked against it).
pub fn new_county(
    root: &Path,
    code: &str,
    name: Option<&str>,
    slug: &str,
    province: Option<&str>,
    prefecture: Option<&str>,
) -> Result<PathBuf, ScaffoldError> {
    let NewFolder {
        file,
        name,
        mut above,
    } = new_folder(root, code, name, slug, true)?;
    for (key, value) in [("province", province), ("prefecture", prefecture)] {
        if let Some(value) = value {
            above.push_str(&format!("{key}: {value}\n"));
        }
    }
    let text = format!(
        r#"# yaml-language-server: $schema=../schema/county.schema.json
#
# 一个县（区、市）。它的政策文件放在本文件夹下，每份一个子文件夹。
# 市级、省级的文件放在上级自己的文件夹里（`portal new region 代码`），自动适用于本县。
code: "{code}"          # GB/T 2260 六位代码，一定要加引号
name: {name}            # 和代码表一致
{above}# 曾用名和旧代码，例如撤县设区前的名称（没有就保持空列表）：
#   former:
#     - {{ name: 某某县, code: "123456", until: 2014 }}
former: []
# 负责核定补助的部门（文件写明的才填），例如：
# office: 某某县扶贫办
notes: []
"#
    );
    write_new(&file, &text)?;
    Ok(file)
}

/// Create `policies/<code>-<slug>/region.yaml` for a prefecture, a province or the nation
/// (`000000`); returns the file written.
pub fn new_region(root: &Path, code: &str, slug: &str) -> Result<PathBuf, ScaffoldError> {
    let NewFolder { file, name, above } = new_folder(root, code, None, slug, false)?;
    let text = format!(
        r#"# yaml-language-server: $schema=../schema/county.schema.json
#
# 一个市（州）、省或全国。它的政策文件放在本文件夹下，每份一个子文件夹（`portal new policy {code} 名称`），
# 适用于下辖的每个县；只适用于部分县的，在文件里写 applies_to。
code: "{code}"          # GB/T 2260 六位代码，一定要加引号
name: {name}            # 和代码表一致
{above}# 负责核定补助的部门（文件写明的才填），例如：
# office: 某某市农业农村局
notes: []
"#
    );
    write_new(&file, &text)?;
    Ok(file)
}

/// Create `policies/<county>/<slug>/policy.yaml` and `text.md`; returns the folder.
pub fn new_policy(
    root: &Path,
    code: &str,
    slug: &str,
    today: calculator::Date,
) -> Result<PathBuf, ScaffoldError> {
    // A name where the code belongs (`portal new policy 平利县 …`) is a wrong code, not a
    // county to create.
    if !valid_region_code(code) {
        return Err(ScaffoldError::Code(code.into()));
    }
    if !valid_id(slug) {
        return Err(ScaffoldError::Slug(slug.into()));
    }
    let county = county_dir(root, code).ok_or_else(|| ScaffoldError::NoCounty(code.into()))?;
    let dir = county.join(slug);
    if dir.exists() {
        return Err(ScaffoldError::Exists(dir.display().to_string()));
    }
    let id = format!("{code}-{slug}");
    // A region's policy says `region:` and may name the counties it covers.
    let owner = if county.join("region.yaml").is_file() {
        format!(
            "region: \"{code}\"\n# 只适用于下辖部分县的，写 applies_to，例如：\n#   applies_to: {{ except: [\"123456\"] }}\n# 和县级文件补助同一项目的，县级文件要写明关系（combines_with 叠加、replaces 取代，或 choose: one 组）。"
        )
    } else {
        format!("county: \"{code}\"")
    };
    let policy = format!(
        r#"# yaml-language-server: $schema=../../schema/policy.schema.json
#
# 一份政策文件：文件信息、规则和算例。全文照录在旁边的 text.md 里。
# 改完运行 `portal check`；格式说明见 content/for-offices.md。
id: {id}                 # 全站唯一，就是网页地址 /policies/{id}/
{owner}
kind: policy                      # policy 政策 | report 调研报告 | derived_from_report 据报告转述
title: （文件标题）
metadata:
  issuer: （发文机关）
  written: {today}                # 成文日期
  genre: 实施方案                 # 文种
  source:
    name: （来源，例如某某县人民政府网站）
  status: in_force                # in_force 有效 | amended 已修订 | repealed 失效
validity:
  from: {today}                   # 施行日期；有截止日期就加一行 to:
  note: （文件没写有效期时，写明你的推定和理由）
eligible: registered_poor         # 农户规则默认的享受条件（情况项见 policies/facts.yaml）
eligible_description: 建档立卡贫困户

rules:
  # 每一项写了金额的措施一条规则；clause 是 text.md 里条款的锚点。
  - id: pigs
    label: 养猪
    clause: c1-1
    quantity: pigs                # 按什么计
    rate: 300 元/头               # 每单位的标准
    cap: 2000 元                  # 单项上限（没有就删掉这一行）
    notes: []                     # 对含糊条文的理解，写在这里，会显示给读者

# 下一步／怎么申请：原文写了农户找谁、怎么办、什么期限，就照原文写在这里（估算结果的末尾
# 和政策页都会列出来，每一步链接到条款）。原文没有写，就不写 apply，网站会如实说明。
# apply:
#   offices: [挂包干部, 村委会]      # 农户找谁，照原文
#   clauses: [c1-1]                  # 写明找谁的条款
#   steps:                           # 按原文的先后顺序
#     - who: 挂包干部与农户
#       does: 签订到户承诺书
#       by: 04-15                    # 期限：2017-04-15（某年某日前）或 04-15（每年这一天前）
#       clause: c1-1
#     - who: 区里
#       does: 调查摸底
#       from: 2017-07                # 某几个月：from 起、to 止（只有一个月就不写 to）
#       to: 2017-09
#       clause: c1-1
#     - who: 县农委
#       does: 绩效评估
#       when: 每年年底               # 原文说得不确切，照原文写在 when 里
#       clause: c1-1

examples:
  # 按原文手算的算例，至少三个；每次检查都会重新计算，对不上就报错。
  - name: 养5头猪的贫困户
    date: {today}
    facts: {{ registered_poor: true, pigs: 5 }}
    working: 5头 × 300元 = 1500元
    expect:
      total: 1500
      lines: {{ pigs: 1500 }}
  - name: 养10头猪，超过单项上限
    date: {today}
    facts: {{ registered_poor: true, pigs: 10 }}
    working: 10头 × 300元 = 3000元，上限2000元
    expect:
      total: 2000
      lines: {{ pigs: 2000 }}
  - name: 非贫困户
    date: {today}
    facts: {{ registered_poor: false, pigs: 5 }}
    working: 只扶持建档立卡贫困户
    expect:
      total: 0
"#,
        today = today
    );
    let text = r#"# （文件标题）

<!-- 把文件全文一字不改地照录在这里。每个有编号的条款在段首加锚点，例如 {#c1-1}；
     标题的锚点写在行尾，例如 ## 一、扶持标准 {#c1}。规则用 clause: c1-1 引用它。 -->

## 一、扶持标准 {#c1}

{#c1-1} 1.养猪每头补助300元，补助上限2000元。（示例条款：换成原文）
"#;
    write_new(&dir.join("policy.yaml"), &policy)?;
    write_new(&dir.join("text.md"), text)?;
    Ok(dir)
}

/// The facts catalogue a new project starts with: the one this repository's policies use.
const FACTS: &str = include_str!("../../../policies/facts.yaml");

/// The site's own pages a new project starts with.
const STARTER_CONTENT: &[(&str, &str)] = &[
    ("site.yaml", include_str!("../starter/content/site.yaml")),
    (
        "compare.yaml",
        include_str!("../starter/content/compare.yaml"),
    ),
    ("about.md", include_str!("../starter/content/about.md")),
    (
        "open-data.md",
        include_str!("../starter/content/open-data.md"),
    ),
    // The clerks' editing guide and the readers' explanation, the same as this repository's
    // (the built-in pages link to both).
    (
        "for-offices.md",
        include_str!("../../../content/for-offices.md"),
    ),
    (
        "how-estimates-work.md",
        include_str!("../../../content/how-estimates-work.md"),
    ),
];

/// Where a new project starts: one county and one policy.
#[derive(Debug, Clone)]
pub struct Starter<'a> {
    /// The county's GB/T 2260 code.
    pub code: &'a str,
    /// Its name, e.g. 平利县; from the national code list when not given.
    pub name: Option<&'a str>,
    /// Its folder name after the code.
    pub slug: &'a str,
    /// The province above it, written in county.yaml when given.
    pub province: Option<&'a str>,
    /// The prefecture (市、州) above it, written in county.yaml when given.
    pub prefecture: Option<&'a str>,
}

/// `portal init DIR`: a project that passes `portal check` and builds at once — the facts
/// catalogue, the schemas, one county with one policy (a rule and three worked examples) and
/// the site's own pages. `dir` must not exist or be empty, so nothing is ever overwritten.
pub fn init_project(
    dir: &Path,
    starter: &Starter<'_>,
    today: calculator::Date,
) -> Result<PathBuf, ScaffoldError> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .map(|mut entries| entries.next().is_none())
            .unwrap_or(false);
        if !empty {
            return Err(ScaffoldError::NotEmpty(dir.display().to_string()));
        }
    }
    write_new(&dir.join("policies/facts.yaml"), FACTS)?;
    let schema_dir = dir.join("policies/schema");
    for (name, text) in policy::schema::all() {
        write_new(&schema_dir.join(name), &text)?;
    }
    for (name, text) in STARTER_CONTENT {
        write_new(&dir.join("content").join(name), text)?;
    }
    new_county(
        dir,
        starter.code,
        starter.name,
        starter.slug,
        starter.province,
        starter.prefecture,
    )?;
    new_policy(
        dir,
        starter.code,
        &format!("industry-{}", today.year()),
        today,
    )?;
    write_new(&dir.join(".gitignore"), "/public/\n")?;
    Ok(dir.to_path_buf())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn init_makes_a_project_that_checks_and_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("office");
        let starter = Starter {
            code: "610926",
            name: None,
            slug: "pingli",
            province: None,
            prefecture: None,
        };
        let today = calculator::Date::new(2026, 12, 1).unwrap();
        init_project(&root, &starter, today).unwrap();
        let project = policy::load(&root).unwrap_or_else(|d| panic!("{}", d.render()));
        assert_eq!(
            (
                project.summary.counties,
                project.summary.policies,
                project.summary.examples
            ),
            (1, 1, 3)
        );
        assert!(root
            .join("policies/610926-pingli/industry-2026/policy.yaml")
            .is_file());
        assert!(root.join("policies/schema/policy.schema.json").is_file());
        assert!(matches!(
            init_project(&root, &starter, today),
            Err(ScaffoldError::NotEmpty(_))
        ));
    }

    #[test]
    fn scaffolds_pass_check_at_once() {
        let root = tempfile::tempdir().unwrap();
        write_new(&root.path().join("policies/facts.yaml"), FACTS).unwrap();
        new_county(
            root.path(),
            "610926",
            Some("平利县"),
            "pingli",
            Some("陕西省"),
            Some("安康市"),
        )
        .unwrap();
        // A prefecture's folder and a policy of its own, which covers 平利县 too.
        new_region(root.path(), "610900", "ankang").unwrap();
        let today = calculator::Date::new(2026, 11, 23).unwrap();
        new_policy(root.path(), "610926", "industry-2026", today).unwrap();
        let project = policy::load(root.path()).unwrap_or_else(|d| panic!("{}", d.render()));
        assert_eq!(project.summary.examples, 3);
        assert_eq!(project.regions.len(), 1);
        assert!(matches!(
            new_policy(root.path(), "610926", "industry-2026", today),
            Err(ScaffoldError::Exists(_))
        ));
        assert!(matches!(
            new_policy(root.path(), "999999", "x", today),
            Err(ScaffoldError::NoCounty(_))
        ));
        assert!(matches!(
            new_county(root.path(), "61092", None, "x", None, None),
            Err(ScaffoldError::Code(_))
        ));
        // Names and levels come from the code list.
        assert!(matches!(
            new_county(root.path(), "610117", Some("高陵县"), "gaoling", None, None),
            Err(ScaffoldError::NameNotCode { .. })
        ));
        assert!(matches!(
            new_county(root.path(), "610100", None, "xian", None, None),
            Err(ScaffoldError::NotCountyCode { .. })
        ));
        assert!(matches!(
            new_region(root.path(), "610117", "gaoling"),
            Err(ScaffoldError::NotRegionCode { .. })
        ));
        assert!(matches!(
            new_county(root.path(), "610199", None, "x", None, None),
            Err(ScaffoldError::NameNeeded(_))
        ));
        let made = new_county(root.path(), "610117", None, "gaoling", None, None).unwrap();
        assert!(std::fs::read_to_string(made)
            .unwrap()
            .contains("name: 高陵区"));
        assert!(matches!(
            new_policy(root.path(), "610926", "../evil", today),
            Err(ScaffoldError::Slug(_))
        ));
    }
}
