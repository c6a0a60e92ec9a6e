//! The committed header is what cbindgen makes of the sources, its version
//! macros are Cargo's, and the C tests call every function it declares.
//!
//! `HUTANO_BLESS=1 cargo test -p hutano-ffi --test header` rewrites
//! `include/hutano.h`.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn generate() -> String {
    let dir = crate_dir();
    let mut config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).unwrap();
    // The version macros come from Cargo, so a version bump shows up as a
    // stale header until it is regenerated.
    config.after_includes = Some(format!(
        "\n/** Version of this header: major, minor, patch and \"MAJOR.MINOR.PATCH\". */\n\
         #define HUTANO_VERSION_MAJOR {}\n#define HUTANO_VERSION_MINOR {}\n#define HUTANO_VERSION_PATCH {}\n\
         #define HUTANO_VERSION \"{}\"",
        env!("CARGO_PKG_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_PATCH"),
        env!("CARGO_PKG_VERSION"),
    ));
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src/lib.rs"))
        .generate()
        .unwrap();
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).unwrap()
}

fn committed() -> String {
    std::fs::read_to_string(crate_dir().join("include/hutano.h")).unwrap_or_default()
}

#[test]
fn header_is_current() {
    let fresh = generate();
    if std::env::var_os("HUTANO_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(crate_dir().join("include/hutano.h"), &fresh).unwrap();
        return;
    }
    assert!(
        fresh == committed(),
        "include/hutano.h is out of date: run HUTANO_BLESS=1 cargo test -p hutano-ffi --test header"
    );
}

fn define(header: &str, name: &str) -> String {
    let prefix = format!("#define {name} ");
    header
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("{name} not defined in the header"))
        .trim()
        .to_string()
}

#[test]
fn version_macros_match_cargo() {
    let header = committed();
    assert_eq!(define(&header, "HUTANO_VERSION_MAJOR"), env!("CARGO_PKG_VERSION_MAJOR"));
    assert_eq!(define(&header, "HUTANO_VERSION_MINOR"), env!("CARGO_PKG_VERSION_MINOR"));
    assert_eq!(define(&header, "HUTANO_VERSION_PATCH"), env!("CARGO_PKG_VERSION_PATCH"));
    assert_eq!(
        define(&header, "HUTANO_VERSION"),
        format!("\"{}\"", env!("CARGO_PKG_VERSION"))
    );
    // SAFETY: hutano_version returns a static NUL-terminated string.
    let linked = unsafe { std::ffi::CStr::from_ptr(hutano_ffi::hutano_version()) };
    assert_eq!(linked.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
}

/// Names of the functions the header declares: the identifier before the
/// `(` of each declaration line (comment lines excluded).
fn declared_functions(header: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in header.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('*') || trimmed.starts_with("/*") || trimmed.starts_with('#') {
            continue;
        }
        let Some(open) = line.find('(') else { continue };
        let before = &line[..open];
        let start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1);
        let name = &before[start..];
        if name.starts_with("hutano_") {
            names.push(name.to_string());
        }
    }
    names.sort();
    names.dedup();
    names
}

fn c_sources(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "c" || e == "h") {
            text.push_str(&std::fs::read_to_string(path).unwrap());
        }
    }
    text
}

#[test]
fn c_tests_call_every_exported_function() {
    let header = committed();
    let functions = declared_functions(&header);
    assert!(functions.len() > 40, "found only {functions:?}");
    let tests = c_sources(&crate_dir().join("tests/c"));
    let missing: Vec<&String> = functions.iter().filter(|f| !tests.contains(&format!("{f}("))).collect();
    assert!(missing.is_empty(), "not called by tests/c: {missing:?}");
}
