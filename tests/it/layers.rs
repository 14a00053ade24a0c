//! The house rules, read from the source: each layer imports only the layers
//! below it (`web` → `services` → `store`/`search` → `domain`), the pages and
//! the API never reach the store, no modules below the web layer import each
//! other in a circle, and no source file is over 700 lines. See
//! docs/architecture.md.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MOST_LINES: usize = 700;

/// What each part of the crate may import besides itself.
fn may_import(part: &str) -> &'static [&'static str] {
    match part {
        // The domain stands on nothing; the configuration and the error
        // type name some of its values.
        "domain" => &[],
        "config" | "error" => &["domain"],
        "store" => &["domain", "config", "error"],
        "search" => &["domain", "config", "error"],
        "services" => &["store", "search", "domain", "config", "error"],
        "web" => &["services", "domain", "config", "error"],
        // The program's entry points put everything together.
        "startup" | "main" | "lib" => &[
            "web", "services", "store", "search", "domain", "config", "error",
        ],
        other => panic!("src/{other} is a part the layer rules do not know: add it to may_import"),
    }
}

fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The module a file belongs to, as the rules count them: the part of the
/// crate and the module within it (`services::plans` for both
/// `services/plans.rs` and `services/plans/lifecycle.rs`).
fn unit_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts.truncate(2);
    parts
}

/// The modules a file's code names: `crate::a::b` and `super::b` paths,
/// in `use` items (braces too) and in code alike; comments are left out.
fn named_units(file_module: &[String], text: &str) -> BTreeSet<Vec<String>> {
    let code: String = text
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut named = BTreeSet::new();
    for (prefix, base) in [("crate::", Vec::new()), ("super::", parent(file_module))] {
        let mut rest = code.as_str();
        while let Some(at) = rest.find(prefix) {
            let before = rest[..at].chars().last();
            rest = &rest[at + prefix.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            paths_at(&base, rest, &mut named);
        }
    }
    named
}

/// The module paths written at the start of `text`: `a::b::Type`, or
/// `a::{b, c::D}` for each item in the braces.
fn paths_at(base: &[String], text: &str, named: &mut BTreeSet<Vec<String>>) {
    let mut path = base.to_vec();
    let mut rest = text;
    loop {
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() {
            if let Some(inner) = rest.strip_prefix('{') {
                for item in top_level_items(inner) {
                    paths_at(&path, item.trim(), named);
                }
                return;
            }
            break;
        }
        // `super::super::` climbs one more module.
        if name == "super" && !path.is_empty() {
            path.pop();
            rest = rest["super".len()..].strip_prefix("::").unwrap_or("");
            continue;
        }
        // Modules are lower case; a type, a macro or `self` ends the path.
        if name == "self"
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
        {
            break;
        }
        path.push(name.clone());
        rest = &rest[name.len()..];
        match rest.strip_prefix("::") {
            Some(next) => rest = next,
            // The last name may be a module (`use crate::services::brokers;`)
            // or a function: kept either way, and a name that is no module
            // is left out when the circles are drawn.
            None => break,
        }
    }
    path.truncate(2);
    if !path.is_empty() {
        named.insert(path);
    }
}

/// The items of a brace group up to its closing brace, split at top-level commas.
fn top_level_items(text: &str) -> Vec<&str> {
    let (mut depth, mut start, mut items) = (0, 0, Vec::new());
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                items.push(&text[start..i]);
                return items;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items
}

fn parent(module: &[String]) -> Vec<String> {
    module[..module.len().saturating_sub(1)].to_vec()
}

struct Source {
    path: PathBuf,
    unit: Vec<String>,
    names: BTreeSet<Vec<String>>,
}

fn read_sources() -> Vec<Source> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let relative = path.strip_prefix(&root).expect("under src").to_path_buf();
            let text = std::fs::read_to_string(&path).expect("a source file");
            // The module path of the file itself, for resolving `super::`.
            let mut module: Vec<String> = relative
                .iter()
                .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
                .collect();
            if module.last().is_some_and(|p| p == "mod") {
                module.pop();
            }
            Source {
                unit: unit_of(&relative),
                names: named_units(&module, &text),
                path: relative,
            }
        })
        .collect()
}

#[test]
fn each_layer_imports_only_the_layers_below_it() {
    let mut wrong = Vec::new();
    for source in read_sources() {
        let part = &source.unit[0];
        for name in &source.names {
            let other = &name[0];
            if other == part || !is_part(other) {
                continue;
            }
            if !may_import(part).contains(&other.as_str()) {
                wrong.push(format!(
                    "src/{} uses {}",
                    source.path.display(),
                    name.join("::")
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

fn is_part(name: &str) -> bool {
    matches!(
        name,
        "config"
            | "error"
            | "domain"
            | "store"
            | "search"
            | "services"
            | "web"
            | "startup"
            | "main"
            | "lib"
    )
}

/// No two modules below the web layer import each other, directly or round
/// a longer circle. (Between the parts, the layer rules already forbid it.
/// Within `web`, the extractors and the pages' error page need each other.)
#[test]
fn no_modules_import_each_other_in_a_circle() {
    let mut graph: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for source in read_sources() {
        if source.unit[0] == "web" {
            continue;
        }
        let edges = graph.entry(source.unit.clone()).or_default();
        for name in source.names {
            if name != source.unit && is_part(&name[0]) {
                edges.insert(name);
            }
        }
    }
    let units: BTreeSet<Vec<String>> = graph.keys().cloned().collect();
    for edges in graph.values_mut() {
        edges.retain(|to| units.contains(to));
    }
    let circles: Vec<String> = circles(&graph)
        .into_iter()
        .map(|c| {
            c.iter()
                .map(|u| u.join("::"))
                .collect::<Vec<_>>()
                .join(" → ")
        })
        .collect();
    assert!(
        circles.is_empty(),
        "modules in a circle:\n{}",
        circles.join("\n")
    );
}

/// Each strongly connected group of two or more modules (Tarjan's algorithm).
fn circles(graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<Vec<Vec<String>>> {
    struct Walk<'a> {
        graph: &'a BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        index: BTreeMap<&'a Vec<String>, usize>,
        low: BTreeMap<&'a Vec<String>, usize>,
        stack: Vec<&'a Vec<String>>,
        found: Vec<Vec<Vec<String>>>,
    }
    fn visit<'a>(walk: &mut Walk<'a>, unit: &'a Vec<String>) {
        let n = walk.index.len();
        walk.index.insert(unit, n);
        walk.low.insert(unit, n);
        walk.stack.push(unit);
        for next in &walk.graph[unit] {
            if !walk.index.contains_key(next) {
                visit(walk, next);
                let low = walk.low[unit].min(walk.low[next]);
                walk.low.insert(unit, low);
            } else if walk.stack.contains(&next) {
                let low = walk.low[unit].min(walk.index[next]);
                walk.low.insert(unit, low);
            }
        }
        if walk.low[unit] == walk.index[unit] {
            let mut group = Vec::new();
            while let Some(top) = walk.stack.pop() {
                group.push(top.clone());
                if top == unit {
                    break;
                }
            }
            if group.len() > 1 {
                group.sort();
                walk.found.push(group);
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for unit in graph.keys() {
        if !walk.index.contains_key(unit) {
            visit(&mut walk, unit);
        }
    }
    walk.found
}

#[test]
fn no_source_file_is_over_700_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "tests", "benches"] {
        sources(&root.join(dir), &mut files);
    }
    let long: Vec<String> = files
        .iter()
        .filter_map(|path| {
            let lines = std::fs::read_to_string(path).ok()?.lines().count();
            (lines > MOST_LINES).then(|| {
                format!(
                    "{} has {lines} lines",
                    path.strip_prefix(root).unwrap().display()
                )
            })
        })
        .collect();
    assert!(
        long.is_empty(),
        "files over {MOST_LINES} lines:\n{}",
        long.join("\n")
    );
}
