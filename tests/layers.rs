//! The library's modules form layers that point one way: no module uses one
//! that uses it back, directly or through others. Read from the source, so a
//! new `use` that closes a cycle fails here with the cycle named.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The top-level module a source file belongs to (`src/cmd/build.rs` is
/// part of `cmd`).
fn module_of(path: &Path, src: &Path) -> String {
    let rel = path.strip_prefix(src).unwrap_or(path);
    let first = rel.components().next().map_or_else(String::new, |c| {
        c.as_os_str().to_string_lossy().into_owned()
    });
    first.trim_end_matches(".rs").to_string()
}

/// The code of a file without its test module (tests may use any layer).
fn non_test_code(text: &str) -> &str {
    text.find("#[cfg(test)]").map_or(text, |i| &text[..i])
}

/// The modules named after `crate::` in `code`, including grouped imports
/// such as `use crate::{a, b::C}`.
fn used_modules(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut start = true;
            let mut word = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 1 => break,
                    '}' => depth -= 1,
                    ',' if depth == 1 => start = true,
                    c if start && (c.is_alphanumeric() || c == '_') => word.push(c),
                    _ => {
                        if start && !word.is_empty() {
                            found.insert(std::mem::take(&mut word));
                        }
                        if !c.is_whitespace() {
                            start = false;
                        }
                    }
                }
            }
            if !word.is_empty() {
                found.insert(word);
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            found.insert(name);
        }
    }
    found.remove("self");
    found
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src/ is readable") {
            let path = entry.expect("src/ entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let module = module_of(&path, &src);
            if module == "lib" || module == "main" {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("source is UTF-8");
            let used = used_modules(non_test_code(&text));
            let deps = graph.entry(module.clone()).or_default();
            deps.extend(used.into_iter().filter(|m| *m != module));
        }
    }
    graph
}

/// A cycle through `from`, if there is one.
fn cycle_from(graph: &BTreeMap<String, BTreeSet<String>>, from: &str) -> Option<Vec<String>> {
    fn walk(
        graph: &BTreeMap<String, BTreeSet<String>>,
        node: &str,
        target: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in graph.get(node).into_iter().flatten() {
            if next == target {
                path.push(next.clone());
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(graph, next, target, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![from.to_string()];
    walk(graph, from, from, &mut path, &mut BTreeSet::new()).then_some(path)
}

#[test]
fn modules_have_no_import_cycles() {
    let graph = graph();
    assert!(graph.len() > 10, "modules found: {:?}", graph.keys());
    let cycles: Vec<String> = graph
        .keys()
        .filter_map(|m| cycle_from(&graph, m))
        .map(|c| c.join(" -> "))
        .collect();
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_core_never_names_the_commands_or_the_command_line() {
    let graph = graph();
    for (module, deps) in &graph {
        if module != "cmd" {
            assert!(!deps.contains("cmd"), "`{module}` uses `cmd`");
        }
        if module != "cmd" && module != "cli" {
            assert!(!deps.contains("cli"), "`{module}` uses `cli`");
        }
    }
}

#[test]
fn lib_declares_modules_only() {
    let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"))
        .expect("src/lib.rs");
    for line in lib.lines().map(str::trim) {
        assert!(
            line.is_empty() || line.starts_with("//") || line.starts_with("pub mod "),
            "src/lib.rs holds more than module declarations: `{line}`"
        );
    }
}

#[test]
fn the_reader_finds_grouped_and_nested_imports() {
    let code = "use crate::{a, b::{C, D}, c::E};\nfn f() { crate::d::g(); }";
    let found: Vec<String> = used_modules(code).into_iter().collect();
    assert_eq!(found, ["a", "b", "c", "d"]);
}
