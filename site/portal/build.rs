//! Compiles what `portal` carries inside itself, so that an installed `portal` needs no Rust
//! toolchain, no source tree and no other program at run time:
//!
//! - the estimator: `calculator/wasm` built for `wasm32-unknown-unknown` by a nested cargo in
//!   a target folder of its own, then wasm-bindgen run here as a library (pinned to the very
//!   version the module links) for the JavaScript glue;
//! - the default theme: every file under the repository's `templates/`, listed for
//!   `include_bytes!`.
//!
//! Building the wasm here rather than in `portal build` means the module is fixed when the
//! tool is: every site built by one `portal` carries the same engine as its native checks.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

const WASM_TARGET: &str = "wasm32-unknown-unknown";

fn main() {
    if let Err(message) = run() {
        // A build script reports by failing; the message says what to do.
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let manifest = PathBuf::from(env("CARGO_MANIFEST_DIR")?);
    let out = PathBuf::from(env("OUT_DIR")?);
    let workspace = manifest
        .parent()
        .and_then(Path::parent)
        .ok_or("the portal crate is not inside the workspace (site/portal)")?
        .to_path_buf();
    theme(&workspace.join("templates"), &out)?;
    estimator(&workspace, &out)
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("cargo did not set {name}"))
}

/// `theme.rs`: `(name, bytes)` for every file under `templates/`, sorted by name.
fn theme(dir: &Path, out: &Path) -> Result<(), String> {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files = Vec::new();
    collect(dir, dir, &mut files)?;
    files.sort();
    let mut code = String::from("&[\n");
    for (name, path) in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let _ = writeln!(
            code,
            "    ({name:?}, include_bytes!({:?})),",
            path.display().to_string()
        );
    }
    code.push(']');
    std::fs::write(out.join("theme.rs"), code).map_err(|e| format!("cannot write theme.rs: {e}"))
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            collect(root, &path, files)?;
        } else {
            let name = path
                .strip_prefix(root)
                .map_err(|e| e.to_string())?
                .to_string_lossy()
                .replace('\\', "/");
            files.push((name, path));
        }
    }
    Ok(())
}

/// Where the nested cargo builds: `<target>/estimator`, shared by every profile of the outer
/// build (so `cargo test` and `cargo run --release` compile the wasm once), or inside OUT_DIR
/// when the layout is not the usual one.
fn wasm_target_dir(out: &Path) -> PathBuf {
    // OUT_DIR is <target>/[<triple>/]<profile>/build/portal-<hash>/out.
    let build = out.ancestors().nth(2);
    match build {
        Some(b) if b.file_name().is_some_and(|n| n == "build") => b
            .ancestors()
            .nth(2)
            .map_or_else(|| out.join("estimator"), |t| t.join("estimator")),
        _ => out.join("estimator"),
    }
}

fn estimator(workspace: &Path, out: &Path) -> Result<(), String> {
    for watched in [
        "calculator/src",
        "calculator/Cargo.toml",
        "calculator/view",
        "calculator/wasm",
        "Cargo.lock",
        "Cargo.toml",
    ] {
        println!(
            "cargo:rerun-if-changed={}",
            workspace.join(watched).display()
        );
    }
    ensure_wasm_target()?;
    let target_dir = wasm_target_dir(out);
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(workspace)
        .args([
            "build",
            "--release",
            "--locked",
            "-p",
            "calculator-wasm",
            "--lib",
            "--target",
            WASM_TARGET,
            "--target-dir",
        ])
        .arg(&target_dir)
        // Size over speed for the browser; the settings live here, not in the workspace profile.
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "z")
        .env("CARGO_PROFILE_RELEASE_LTO", "fat")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1")
        .env("CARGO_PROFILE_RELEASE_PANIC", "abort")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false");
    // The outer build's settings are for the host: flags, wrappers (clippy's among them) and
    // target choices must not reach the wasm build, or it would differ between `cargo build`,
    // `cargo clippy` and `cargo test` and be rebuilt by each.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        let host_only = key.starts_with("CARGO_FEATURE_")
            || key.starts_with("CARGO_CFG_")
            || key.starts_with("CARGO_PKG_")
            || key.starts_with("CARGO_ENCODED_")
            || matches!(
                key.as_str(),
                "RUSTFLAGS"
                    | "RUSTDOCFLAGS"
                    | "RUSTC_WRAPPER"
                    | "RUSTC_WORKSPACE_WRAPPER"
                    | "CARGO_TARGET_DIR"
                    | "CARGO_BUILD_TARGET"
                    | "CARGO_BUILD_RUSTFLAGS"
                    | "CARGO_MANIFEST_DIR"
                    | "CARGO_MANIFEST_PATH"
                    | "CARGO_PRIMARY_PACKAGE"
                    | "TARGET"
                    | "HOST"
                    | "OUT_DIR"
                    | "OPT_LEVEL"
                    | "PROFILE"
                    | "DEBUG"
                    | "NUM_JOBS"
                    | "CARGO_MAKEFLAGS"
                    | "RUSTC_LINKER"
            );
        if host_only {
            command.env_remove(&key);
        }
    }
    // Panic locations name source files; without their machine-specific prefixes the module is
    // smaller and the same wherever `portal` is built.
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let mut remaps = vec![format!(
        "--remap-path-prefix={}=/portal",
        workspace.display()
    )];
    if let Some(home) = cargo_home {
        remaps.push(format!(
            "--remap-path-prefix={}=/crates",
            home.join("registry/src").display()
        ));
    }
    command.env("CARGO_ENCODED_RUSTFLAGS", remaps.join("\u{1f}"));
    let output = command
        .output()
        .map_err(|e| format!("cannot run cargo to compile the estimator for {WASM_TARGET}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "compiling the estimator (calculator/wasm) for {WASM_TARGET} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let wasm = target_dir
        .join(WASM_TARGET)
        .join("release/calculator_wasm.wasm");
    let bindgen = out.join("bindgen");
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&wasm)
        .web(true)
        // Function names and tool credits are of no use in the browser, and they weigh.
        .and_then(|b| {
            b.typescript(false)
                .remove_name_section(true)
                .remove_producers_section(true)
                .generate(&bindgen)
        })
        .map_err(|e| format!("wasm-bindgen could not process {}: {e:#}", wasm.display()))?;
    for (from, to) in [
        ("calculator_wasm_bg.wasm", "estimator.wasm"),
        ("calculator_wasm.js", "estimator-glue.js"),
    ] {
        std::fs::copy(bindgen.join(from), out.join(to))
            .map_err(|e| format!("cannot copy {from}: {e}"))?;
    }
    Ok(())
}

/// rust-toolchain.toml lists the wasm target, but rustup installs it by itself only when it
/// installs the toolchain; add it here so nobody has to run `rustup target add` by hand.
fn ensure_wasm_target() -> Result<(), String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let sysroot = Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .map_err(|e| format!("cannot run rustc: {e}"))?;
    let sysroot = PathBuf::from(String::from_utf8_lossy(&sysroot.stdout).trim());
    if sysroot.join("lib/rustlib").join(WASM_TARGET).is_dir() {
        return Ok(());
    }
    println!("cargo:warning=adding the {WASM_TARGET} target with rustup (once)");
    let status = Command::new("rustup")
        .args(["target", "add", WASM_TARGET])
        .status()
        .map_err(|e| format!("the {WASM_TARGET} target is missing and rustup cannot be run ({e}): install it with `rustup target add {WASM_TARGET}`"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "`rustup target add {WASM_TARGET}` failed; run it by hand and build again"
        ))
    }
}
