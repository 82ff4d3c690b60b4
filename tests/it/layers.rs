//! The module layers drawn in `src/lib.rs` hold: every `crate::…` path in `src/` names a
//! module of a lower layer than the file's own. The layer table is read from lib.rs's own
//! documentation, so the drawing and the check cannot drift apart.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

/// The layers, lowest first, as lib.rs's `//!` table lists them: lines of the form
/// `//! | N | name | module, module |`.
fn layers(lib_rs: &str) -> BTreeMap<String, usize> {
    let mut layer_of = BTreeMap::new();
    for line in lib_rs.lines() {
        let Some(row) = line.strip_prefix("//! |") else {
            continue;
        };
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let Some(Ok(layer)) = cells.first().map(|c| c.parse::<usize>()) else {
            continue;
        };
        let modules = cells.get(2).copied().unwrap_or_default();
        for module in modules.split(',') {
            let module = module.trim().trim_matches('`');
            if !module.is_empty() {
                layer_of.insert(module.to_owned(), layer);
            }
        }
    }
    layer_of
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without its comments and without its test module (which, by this
/// project's convention, closes the file).
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules a piece of code names through `crate::`: `crate::x::…`,
/// `crate::x` and every first name inside `crate::{…}`.
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    let bytes = code.as_bytes();
    let mut from = 0;
    while let Some(found) = code[from..].find("crate::") {
        let start = from + found + "crate::".len();
        from = start;
        if bytes.get(start) == Some(&b'{') {
            let mut depth = 0usize;
            let mut item = String::new();
            for &byte in &bytes[start..] {
                match byte {
                    b'{' => {
                        depth += 1;
                        if depth == 1 {
                            item.clear();
                        }
                    }
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            named.extend(first_name(&item));
                            break;
                        }
                    }
                    b',' if depth == 1 => {
                        named.extend(first_name(&item));
                        item.clear();
                    }
                    _ if depth == 1 => item.push(byte as char),
                    _ => {}
                }
            }
        } else {
            named.extend(first_name(&code[start..]));
        }
    }
    named
}

fn first_name(text: &str) -> Option<String> {
    let name: String = text
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty() && name != "self").then_some(name)
}

#[test]
fn every_import_points_to_a_lower_layer() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib_rs = std::fs::read_to_string(root.join("lib.rs")).unwrap();
    let layer_of = layers(&lib_rs);
    assert!(
        layer_of.len() >= 10,
        "lib.rs's layer table lists {} modules; expected the whole crate",
        layer_of.len()
    );
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut upward = Vec::new();
    let mut unplaced = BTreeSet::new();
    for file in &files {
        let relative = file.strip_prefix(&root).unwrap();
        let first = relative.components().next().unwrap().as_os_str();
        let module = first.to_string_lossy().trim_end_matches(".rs").to_owned();
        if module == "lib" || module == "main" {
            continue;
        }
        let Some(&own) = layer_of.get(&module) else {
            unplaced.insert(module);
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for used in crate_paths(&code_of(&text)) {
            if used == module {
                continue;
            }
            match layer_of.get(&used) {
                Some(&theirs) if theirs < own => {}
                Some(&theirs) => upward.push(format!(
                    "{} (layer {own}) uses crate::{used} (layer {theirs})",
                    relative.display()
                )),
                None => {
                    unplaced.insert(used);
                }
            }
        }
    }
    assert!(
        unplaced.is_empty(),
        "modules missing from lib.rs's layer table: {unplaced:?}"
    );
    assert!(
        upward.is_empty(),
        "imports that do not point to a lower layer (see the table in src/lib.rs):\n{}",
        upward.join("\n")
    );
}

#[test]
fn the_import_reader_sees_grouped_and_inline_paths() {
    let code = "use crate::{a::B, c, d::{E, F}};\nfn f() { crate::g::h(); }\nuse crate::i;";
    let names: Vec<String> = crate_paths(code).into_iter().collect();
    assert_eq!(names, ["a", "c", "d", "g", "i"]);
    let table = "//! | 0 | vocabulary | `secret`, `toolset` |\n//! | 1 | config | `config` |";
    assert_eq!(layers(table).get("config"), Some(&1));
    assert_eq!(layers(table).get("toolset"), Some(&0));
}
