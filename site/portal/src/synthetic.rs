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

/// Write a project with `counties` × `policies` into `out`, using `repo`'s facts, content and
/// its 沁源 policy as the model (the theme is `portal`'s built-in one).
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
    for i in 0..counties {
        let code = format!("{:06}", 110_000 + i);
        let dir = out.join("policies").join(format!("{code}-c{i}"));
        fs::create_dir_all(&dir)?;
        fs::write(
            dir.join("county.yaml"),
            format!(
                "code: \"{code}\"\nname: 样例县{i}\nprovince: 样例省{}\nprefecture: 样例市{}\n",
                i / 300,
                i / 30
            ),
        )?;
        for j in 0..policies {
            let policy_dir = dir.join(format!("p{j}"));
            fs::create_dir_all(&policy_dir)?;
            // Copies of one policy pay for the same items at the same time: say that they may
            // be received together, as the check requires of any two such policies.
            let earlier: Vec<String> = (0..j).map(|k| format!("s{i}-{k}")).collect();
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
