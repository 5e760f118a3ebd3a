//! The estimator's WebAssembly, compiled by `portal build`: `calculator/wasm` built for
//! `wasm32-unknown-unknown` by cargo (a no-op when the engine has not changed), then
//! wasm-bindgen run as a library — pinned to the very version the module uses — for the
//! JavaScript glue. No `wasm-bindgen` CLI to install, no manual `rustup target add`.

use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, thiserror::Error)]
pub enum EstimatorError {
    #[error("cannot run cargo to compile the estimator: {0}")]
    Cargo(std::io::Error),
    #[error("compiling the estimator for wasm32-unknown-unknown failed:\n{0}")]
    Compile(String),
    #[error("wasm-bindgen could not process the estimator: {0}")]
    Bindgen(String),
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The module and its glue, ready to be written under content-hashed names.
#[derive(Debug)]
pub struct EstimatorAssets {
    pub wasm: Vec<u8>,
    pub glue: Vec<u8>,
}

/// Where the engine's sources are: beside this crate, in the workspace.
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// rust-toolchain.toml lists the wasm target, but rustup only installs it by itself when
/// auto-install is on; add it here so that nobody has to run `rustup target add` by hand.
fn ensure_wasm_target() {
    let installed = Command::new("rustup")
        .current_dir(workspace())
        .args(["target", "list", "--installed"])
        .output();
    if let Ok(output) = installed {
        if output.status.success()
            && !String::from_utf8_lossy(&output.stdout)
                .lines()
                .any(|l| l.trim() == "wasm32-unknown-unknown")
        {
            eprintln!("portal build: adding the wasm32-unknown-unknown target (once)");
            let _ = Command::new("rustup")
                .current_dir(workspace())
                .args(["target", "add", "wasm32-unknown-unknown"])
                .status();
        }
    }
}

/// Where `portal build` compiles the estimator: `target/estimator` in the workspace.
pub fn default_target_dir() -> PathBuf {
    workspace().join("target").join("estimator")
}

/// Compile the estimator. `target_dir` is kept apart from the workspace's own so that a
/// build run from `cargo run` or `cargo test` does not wait on their lock.
pub fn compile(target_dir: &Path) -> Result<EstimatorAssets, EstimatorError> {
    ensure_wasm_target();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(workspace())
        .args([
            "build",
            "--release",
            "--locked",
            "-p",
            "calculator-wasm",
            "--lib",
            "--target",
            "wasm32-unknown-unknown",
            "--target-dir",
        ])
        .arg(target_dir)
        // Size over speed for the browser; the settings live here, not in the workspace profile.
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "z")
        .env("CARGO_PROFILE_RELEASE_LTO", "fat")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1")
        .env("CARGO_PROFILE_RELEASE_PANIC", "abort")
        .output()
        .map_err(EstimatorError::Cargo)?;
    if !output.status.success() {
        return Err(EstimatorError::Compile(
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ));
    }
    let wasm = target_dir.join("wasm32-unknown-unknown/release/calculator_wasm.wasm");
    let out = target_dir.join("bindgen");
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&wasm)
        .web(true)
        // Function names and tool credits are of no use in the browser, and they weigh.
        .and_then(|b| {
            b.typescript(false)
                .remove_name_section(true)
                .remove_producers_section(true)
                .generate(&out)
        })
        .map_err(|e| EstimatorError::Bindgen(format!("{e:#}")))?;
    let read = |name: &str| {
        let path = out.join(name);
        std::fs::read(&path).map_err(|source| EstimatorError::Read { path, source })
    };
    Ok(EstimatorAssets {
        wasm: read("calculator_wasm_bg.wasm")?,
        glue: read("calculator_wasm.js")?,
    })
}
