//! A check that the top-level modules of `src/` import one another without
//! a cycle, so each can be read, tested and moved knowing only the modules
//! below it.
//!
//! It reads the source tree: every `crate::x` path in code (`use` lines,
//! `use crate::{a, b::c}` groups and paths written out in expressions) is an
//! edge from the module of the file it is in to `x`; a file under `src/x/`
//! belongs to `x`. Comments and string literals are skipped, so a doc link
//! or a test's sample text is no import. Paths that climb out of a
//! top-level module with `super::` are not read: dossier writes `crate::`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Imports made only by test code that close a cycle, each with the reason
/// it stays.
///
/// `yaml`'s own tests hold its fast path to serde_yaml_ng's reading on the
/// real front matter types of `content::raw`, which are what it must agree
/// on; production code of `yaml` does not import `content`.
const TEST_ONLY_BACK_EDGES: &[(&str, &str)] = &[("yaml", "content")];

/// Module → imported module → the files that import it.
type Graph = BTreeMap<String, BTreeMap<String, BTreeSet<PathBuf>>>;

/// `code` with comments, string literals and character literals blanked
/// out (a comment or literal becomes spaces), so only code is left.
fn code_only(code: &str) -> String {
    let bytes = code.as_bytes();
    let mut out = String::with_capacity(code.len());
    let mut i = 0;
    let ident = |at: usize| at < bytes.len() && (bytes[at].is_ascii_alphanumeric() || bytes[at] == b'_');
    while i < bytes.len() {
        let rest = &code[i..];
        let after_ident = i > 0 && ident(i - 1);
        let skip = if rest.starts_with("//") {
            rest.find('\n').unwrap_or(rest.len())
        } else if rest.starts_with("/*") {
            let mut depth = 0;
            let mut j = 0;
            while j < rest.len() {
                if rest[j..].starts_with("/*") {
                    depth += 1;
                    j += 2;
                } else if rest[j..].starts_with("*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            j
        } else if let Some(len) = raw_string_len(rest).filter(|_| !after_ident) {
            len
        } else if rest.starts_with('"') {
            let mut j = 1;
            while j < rest.len() && bytes[i + j] != b'"' {
                j += if bytes[i + j] == b'\\' { 2 } else { 1 };
            }
            j + 1
        } else if rest.starts_with("'\\") {
            // An escaped character literal: `'\n'`, `'\''`, `'\u{85}'`.
            3 + rest[3..].find('\'').unwrap_or(0) + 1
        } else if rest.starts_with('\'') && rest[1..].chars().nth(1) == Some('\'') {
            // `'x'`, not a lifetime.
            2 + rest[1..].chars().next().map_or(0, char::len_utf8)
        } else {
            0
        };
        if skip == 0 {
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        } else {
            let skip = skip.min(rest.len());
            out.extend(rest[..skip].chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
            i += skip;
        }
    }
    out
}

/// The length of a raw string literal (`r"…"`, `br#"…"#`) at the start of
/// `text`, if one starts there.
fn raw_string_len(text: &str) -> Option<usize> {
    let after_prefix = text.strip_prefix("br").or_else(|| text.strip_prefix('r'))?;
    let hashes = after_prefix.len() - after_prefix.trim_start_matches('#').len();
    let body = after_prefix[hashes..].strip_prefix('"')?;
    let end = format!("\"{}", "#".repeat(hashes));
    let close = body.find(&end)?;
    Some(text.len() - body.len() + close + end.len())
}

/// `code` (already through [`code_only`]) without the items under
/// `#[cfg(test)]`: each ends at its `;` or at the `}` closing its body.
fn without_test_items(code: &str) -> String {
    const TEST_ONLY: &str = "#[cfg(test)]";
    if code.contains("#![cfg(test)]") {
        return String::new();
    }
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(start) = rest.find(TEST_ONLY) {
        out.push_str(&rest[..start]);
        let item = &rest[start + TEST_ONLY.len()..];
        let mut depth = 0usize;
        let mut end = item.len();
        for (at, b) in item.bytes().enumerate() {
            match b {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' => depth = depth.saturating_sub(1),
                b'}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = at + 1;
                        break;
                    }
                }
                b';' if depth == 0 => {
                    end = at + 1;
                    break;
                }
                _ => {}
            }
        }
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

/// The first identifier at the start of `text`, if it starts with one.
fn leading_ident(text: &str) -> Option<&str> {
    let len = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    (len > 0 && !text.starts_with(|c: char| c.is_ascii_digit())).then(|| &text[..len])
}

/// The names right after `crate::` in `code` (already through
/// [`code_only`]): `crate::a::b` gives `a`, `crate::{a, b::{c, d}}` gives
/// `a` and `b`.
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut from = 0;
    while let Some(found) = code[from..].find("crate") {
        let at = from + found;
        from = at + "crate".len();
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let Some(path) = code[from..].trim_start().strip_prefix("::") else {
            continue;
        };
        let path = path.trim_start();
        if let Some(group) = path.strip_prefix('{') {
            // Only the first name of each entry of the outer group.
            let mut depth = 1;
            let mut entry_start = true;
            let mut i = 0;
            while i < group.len() && depth > 0 {
                let rest = &group[i..];
                if depth == 1
                    && entry_start
                    && let Some(name) = leading_ident(rest)
                {
                    if name != "self" {
                        names.insert(name.to_owned());
                    }
                    entry_start = false;
                    i += name.len();
                    continue;
                }
                match rest.as_bytes()[0] {
                    b'{' => depth += 1,
                    b'}' => depth -= 1,
                    b',' if depth == 1 => entry_start = true,
                    _ => {}
                }
                i += 1;
            }
        } else if let Some(name) = leading_ident(path) {
            names.insert(name.to_owned());
        }
    }
    names
}

/// The `.rs` files of each top-level module of `src`: `src/x.rs` and every
/// file under `src/x/` belong to `x`. The crate roots (`lib.rs`,
/// `main.rs`) belong to none.
fn module_files(src: &Path) -> BTreeMap<String, Vec<PathBuf>> {
    fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }
    let mut modules: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for entry in std::fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            rust_files(&path, modules.entry(name).or_default());
        } else if path.extension().is_some_and(|e| e == "rs") && name != "lib" && name != "main" {
            modules.entry(name).or_default().push(path);
        }
    }
    modules
}

/// The graph of imports between the top-level modules of `src`, from all
/// of their code or from the code that is not only for tests.
fn import_graph(src: &Path, with_tests: bool) -> Graph {
    let modules = module_files(src);
    let mut graph = Graph::new();
    for (module, files) in &modules {
        let imports = graph.entry(module.clone()).or_default();
        for file in files {
            let code = code_only(&std::fs::read_to_string(file).unwrap());
            let code = if with_tests { code } else { without_test_items(&code) };
            for name in crate_paths(&code) {
                if name != *module && modules.contains_key(&name) {
                    let relative = file.strip_prefix(src).unwrap_or(file).to_owned();
                    imports.entry(name).or_default().insert(relative);
                }
            }
        }
    }
    graph
}

/// A cycle of `graph`, as the modules along it with the first repeated at
/// the end, if there is one.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit<'a>(
        module: &'a str,
        graph: &'a Graph,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|m| *m == module) {
            let mut cycle: Vec<String> = path[at..].iter().map(|m| (*m).to_owned()).collect();
            cycle.push(module.to_owned());
            return Some(cycle);
        }
        if done.contains(module) {
            return None;
        }
        path.push(module);
        for next in graph.get(module).into_iter().flat_map(BTreeMap::keys) {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(module);
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|module| visit(module, graph, &mut Vec::new(), &mut done))
}

/// A cycle with the files behind each of its imports, one import a line.
fn describe(cycle: &[String], graph: &Graph) -> String {
    cycle
        .windows(2)
        .map(|pair| {
            let files = &graph[&pair[0]][&pair[1]];
            let files: Vec<_> = files.iter().map(|f| f.display().to_string()).collect();
            format!("  {} -> {} ({})", pair[0], pair[1], files.join(", "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn top_level_modules_import_each_other_without_a_cycle() {
    let graph = import_graph(&src_dir(), false);
    assert!(graph.len() > 10, "too few modules found: {graph:?}");
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "an import cycle between top-level modules:\n{}",
            describe(&cycle, &graph)
        );
    }
}

#[test]
fn test_code_closes_no_cycle_but_the_known_ones() {
    let mut graph = import_graph(&src_dir(), true);
    for (from, to) in TEST_ONLY_BACK_EDGES {
        let imports = graph.get_mut(*from).expect("a known module");
        assert!(
            imports.remove(*to).is_some(),
            "{from} no longer imports {to}: drop it from TEST_ONLY_BACK_EDGES"
        );
    }
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "an import cycle between top-level modules, tests included:\n{}",
            describe(&cycle, &graph)
        );
    }
}

#[test]
fn imports_are_read_from_code_only() {
    let code = code_only(concat!(
        "use crate::{a, b::{c, d}, self};\n",
        "use crate :: e::f;\n",
        "// crate::comment\n",
        "/* crate::block /* nested */ crate::still */\n",
        "let s = \"crate::string \\\" crate::escaped\";\n",
        "let r = r#\"crate::raw \" crate::raw2\"#;\n",
        "let c = '\"'; let q = '\\''; fn f<'a>(x: &'a str) { crate::g::h(x) }\n",
        "pub(crate) fn i() { $crate::macro_path; mycrate::j; }\n",
        "#[cfg(test)]\nmod tests { use crate::k; fn f() { crate::l::m(); } }\n",
        "crate::n::o;\n",
    ));
    let names = |code: &str| crate_paths(code).into_iter().collect::<Vec<_>>();
    assert_eq!(names(&code), ["a", "b", "e", "g", "k", "l", "n"]);
    assert_eq!(names(&without_test_items(&code)), ["a", "b", "e", "g", "n"]);
}

#[test]
fn cycles_are_found() {
    let graph = |edges: &[(&str, &str)]| {
        let mut graph = Graph::new();
        for (from, to) in edges {
            graph.entry((*to).to_owned()).or_default();
            graph
                .entry((*from).to_owned())
                .or_default()
                .insert((*to).to_owned(), BTreeSet::new());
        }
        graph
    };
    assert_eq!(find_cycle(&graph(&[("a", "b"), ("b", "c"), ("a", "c")])), None);
    assert_eq!(
        find_cycle(&graph(&[("a", "b"), ("b", "c"), ("c", "b")])),
        Some(vec!["b".to_owned(), "c".to_owned(), "b".to_owned()])
    );
}
