//! Synthetic projects for measuring the build: N counties × M policies, each policy a copy of
//! a real one (沁源: 20 rules, 6 worked examples, 9 KB of text) under its own id and county.

use std::fs;
use std::io;
use std::path::Path;

fn copy_dir(from: &Path, to: &Path) -> io::Result<()> {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.map_err(io::Error::other)?;
        let relative = entry.path().strip_prefix(from).map_err(io::Error::other)?;
        let target = to.join(relative);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target)?;
        } else {
            fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Write a project with `counties` × `policies`, plus one policy per province that applies
/// to every county below it, into `out`, using `repo`'s facts, content and its 沁源 policy
/// as the model (the theme is `portal`'s built-in one). The counties are real ones, in code
/// order, so that every code and name passes the check against the national code list; past
/// the list's ~2,850 counties, made-up codes inside real prefectures are added to the
/// project's `policies/regions.yaml`, as an office with a newer code list would.
pub fn generate(repo: &Path, out: &Path, counties: usize, policies: usize) -> io::Result<()> {
    copy_dir(&repo.join("content"), &out.join("content"))?;
    fs::create_dir_all(out.join("policies"))?;
    fs::copy(
        repo.join("policies/facts.yaml"),
        out.join("policies/facts.yaml"),
    )?;
    let model = repo.join("policies/140431-qinyuan/industry-2017");
    let policy_yaml = fs::read_to_string(model.join("policy.yaml"))?;
    let text = fs::read_to_string(model.join("text.md"))?;
    let catalogue = regions::Catalogue::national();
    let chosen = county_codes(&catalogue, counties);
    let extra: Vec<&(String, String)> = chosen
        .iter()
        .filter(|(code, _)| catalogue.get(code).is_none())
        .collect();
    if !extra.is_empty() {
        let mut yaml = String::from("regions:\n");
        for (code, name) in extra {
            yaml.push_str(&format!("  - {{ code: \"{code}\", name: {name} }}\n"));
        }
        fs::write(out.join("policies/regions.yaml"), yaml)?;
    }
    // One policy per province with a county in the project, a copy of the same model.
    let mut provinces: Vec<String> = chosen
        .iter()
        .map(|(code, _)| format!("{}0000", &code[..2]))
        .collect();
    provinces.dedup();
    for province in &provinces {
        let name = catalogue.get(province).map_or("", |r| r.name.as_str());
        let dir = out.join("policies").join(format!("{province}-p"));
        fs::create_dir_all(dir.join("industry"))?;
        fs::write(
            dir.join("region.yaml"),
            format!("code: \"{province}\"\nname: {name}\n"),
        )?;
        let yaml = policy_yaml
            .replace("id: qinyuan-2017-industry", &format!("id: p{province}"))
            .replace("county: \"140431\"", &format!("region: \"{province}\""));
        fs::write(dir.join("industry/policy.yaml"), yaml)?;
        fs::write(dir.join("industry/text.md"), &text)?;
    }
    for (i, (code, name)) in chosen.iter().enumerate() {
        let dir = out.join("policies").join(format!("{code}-c{i}"));
        fs::create_dir_all(&dir)?;
        fs::write(
            dir.join("county.yaml"),
            format!("code: \"{code}\"\nname: {name}\n"),
        )?;
        let province = format!("p{}0000", &code[..2]);
        for j in 0..policies {
            let policy_dir = dir.join(format!("p{j}"));
            fs::create_dir_all(&policy_dir)?;
            // Copies of one policy pay for the same items at the same time: say that they may
            // be received together, as the check requires of any two such policies, the
            // province's included.
            let mut earlier: Vec<String> = (0..j).map(|k| format!("s{i}-{k}")).collect();
            earlier.push(province.clone());
            let yaml = policy_yaml
                .replace(
                    "id: qinyuan-2017-industry",
                    &format!("id: s{i}-{j}\ncombines_with: [{}]", earlier.join(", ")),
                )
                .replace("county: \"140431\"", &format!("county: \"{code}\""));
            fs::write(policy_dir.join("policy.yaml"), yaml)?;
            fs::write(policy_dir.join("text.md"), &text)?;
        }
    }
    Ok(())
}

/// `count` counties: the code list's, in code order, then made-up ones (`XXXX90`…) in the
/// prefectures of the list, in turn.
fn county_codes(catalogue: &regions::Catalogue, count: usize) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = catalogue
        .all()
        .filter(|r| r.level == regions::Level::County)
        .take(count)
        .map(|r| (r.code.clone(), r.name.clone()))
        .collect();
    let prefectures: Vec<String> = catalogue
        .all()
        .filter(|r| r.level == regions::Level::Prefecture)
        .map(|r| r.code.clone())
        .collect();
    let mut made_up = Vec::new();
    'fill: for suffix in 90..100 {
        for prefecture in &prefectures {
            if out.len() + made_up.len() >= count {
                break 'fill;
            }
            let code = format!("{}{suffix}", &prefecture[..4]);
            if catalogue.get(&code).is_none() {
                made_up.push((code, format!("样例县{}", made_up.len())));
            }
        }
    }
    out.extend(made_up);
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_synthetic_project_builds() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        generate(&repo, dir.path(), 3, 2).unwrap();
        let report = crate::build_site(dir.path(), &dir.path().join("public"))
            .unwrap_or_else(|e| panic!("{e}"));
        // 3 counties + 6 policies + home, compare, data, 404, content pages.
        assert!(report.pages >= 3 + 6 + 4, "{report:?}");
    }
}
