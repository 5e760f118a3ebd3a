//! What `portal` carries inside itself, compiled in by `build.rs`: the estimator's
//! WebAssembly and its JavaScript glue, and the default theme (the repository's `templates/`).
//! Nothing here is read from disk at run time, so an installed `portal` works anywhere.

use render::{EstimatorAssets, Theme};
use std::path::Path;

/// The estimator's module after the bindgen step.
pub const ESTIMATOR_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/estimator.wasm"));

/// wasm-bindgen's JavaScript glue for [`ESTIMATOR_WASM`].
pub const ESTIMATOR_GLUE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/estimator-glue.js"));

/// Every file of the built-in theme, `(name, bytes)`, sorted by name.
pub const THEME_FILES: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/theme.rs"));

/// The estimator as the renderer takes it.
pub fn estimator() -> EstimatorAssets<'static> {
    EstimatorAssets {
        wasm: ESTIMATOR_WASM,
        glue: ESTIMATOR_GLUE,
    }
}

/// The built-in theme with the project's own `templates/` laid over it.
pub fn theme(root: &Path) -> Result<Theme, render::theme::ThemeError> {
    Theme::builtin(THEME_FILES).with_overrides(&root.join("templates"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimator_and_the_theme_are_compiled_in() {
        assert_eq!(&ESTIMATOR_WASM[..4], b"\0asm");
        assert!(std::str::from_utf8(ESTIMATOR_GLUE).is_ok_and(|g| g.contains("WebAssembly")));
        for name in [
            "base.html",
            "static/site.css",
            "static/estimator.js",
            "static/search.js",
            "search.html",
            "strings.zh-CN.yaml",
        ] {
            assert!(
                THEME_FILES.iter().any(|(n, _)| *n == name),
                "{name} is not built in"
            );
        }
    }
}
