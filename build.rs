//! Link order of the release binary: the functions a stdio server runs to start and answer
//! `initialize` and `tools/list` (link/startup-order.txt, made by scripts/startup-order) are
//! placed side by side, so that an idle server maps fewer of the binary's pages (the kernel
//! maps the code around each page a process touches, 64 kB at a time). Only where the linker
//! is rust-lld (Rust's default on x86_64 Linux with glibc since Rust 1.90) and only in
//! release builds; a name the list has that the binary no longer has is skipped.

use std::path::Path;

const ORDER: &str = "link/startup-order.txt";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let release = std::env::var("PROFILE").is_ok_and(|profile| profile == "release");
    if release {
        // Only a release build links by the list (a debug build need not rebuild for it).
        println!("cargo:rerun-if-changed={ORDER}");
    }
    let rust_lld = std::env::var("TARGET").is_ok_and(|target| target == "x86_64-unknown-linux-gnu")
        && rustc_links_with_lld();
    // Someone who picked another linker (or turned Rust's own lld off) keeps it untouched.
    let own_linker = std::env::var_os("RUSTC_LINKER").is_some()
        || std::env::var("CARGO_ENCODED_RUSTFLAGS")
            .is_ok_and(|flags| flags.contains("linker") || flags.contains("link-self-contained"));
    let order = Path::new(env!("CARGO_MANIFEST_DIR")).join(ORDER);
    if release && rust_lld && !own_linker && order.is_file() {
        println!(
            "cargo:rustc-link-arg-bin=kommo-mcp=-Wl,--symbol-ordering-file={}",
            order.display()
        );
        println!("cargo:rustc-link-arg-bin=kommo-mcp=-Wl,--no-warn-symbol-ordering");
    }
}

/// Whether this rustc links x86_64 Linux programs with its own lld by default (1.90 and
/// later; older ones use the system's `cc` and its linker, which has no ordering file).
fn rustc_links_with_lld() -> bool {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let Ok(output) = std::process::Command::new(rustc).arg("-vV").output() else {
        return false;
    };
    let version = String::from_utf8_lossy(&output.stdout);
    let minor = version
        .lines()
        .find_map(|line| line.strip_prefix("release: 1."))
        .and_then(|rest| rest.split('.').next())
        .and_then(|minor| minor.parse::<u32>().ok());
    minor.is_some_and(|minor| minor >= 90)
}
