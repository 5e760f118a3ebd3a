//! `portal` as a library, so that its integration tests and benchmarks call what the binary
//! calls: the commands, the preview server, the scaffolding and the assets compiled in.
//! `main.rs` only parses the command line.

pub mod assets;
pub mod cmd;
pub mod scaffold;
pub mod serve;
pub mod synthetic;
pub mod today;
pub mod version;

use std::path::Path;

/// Build the project at `root` into `out` with the built-in estimator and theme (the
/// project's `templates/` overriding it): what `portal build` does, without the printing.
pub fn build_site(root: &Path, out: &Path) -> Result<render::BuildReport, render::BuildError> {
    render::build(root, out, &theme(root)?, assets::estimator())
}

/// Render again the county whose folder is `folder` (relative to `root`) into the site
/// already built at `out`: the preview's quick path, see [`render::update_county`].
pub fn update_county(
    root: &Path,
    out: &Path,
    folder: &str,
) -> Result<render::Update, render::BuildError> {
    render::update_county(root, out, &theme(root)?, assets::estimator(), folder)
}

/// What `portal build` and `portal serve` say when a build removed what killed builds had
/// left beside `out` (see [`render::BuildReport::swept`]); `None` when there was nothing.
pub(crate) fn swept_message(
    report: &render::BuildReport,
    out: &Path,
) -> Option<policy::messages::Msg> {
    (report.swept > 0).then(|| {
        policy::messages::Msg::new(policy::messages::Key::CliBuildSwept)
            .arg("count", report.swept)
            .arg(
                "dir",
                out.parent().unwrap_or(Path::new(".")).display().to_string(),
            )
    })
}

fn theme(root: &Path) -> Result<render::Theme, render::BuildError> {
    assets::theme(root).map_err(|e| render::BuildError::Template {
        template: e.path.display().to_string(),
        message: e.source.to_string(),
    })
}
