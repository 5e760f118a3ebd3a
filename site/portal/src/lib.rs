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

fn theme(root: &Path) -> Result<render::Theme, render::BuildError> {
    assets::theme(root).map_err(|e| render::BuildError::Template {
        template: e.path.display().to_string(),
        message: e.source.to_string(),
    })
}
