//! The module graphs point one way: a module imports only modules below it. Each crate's layers
//! are listed here from the bottom; a module that imports one above it (or one that is not
//! listed, so that a new module has to be placed) fails the test with the file and the import.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir)
        .expect("a source directory")
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The code of a file without comments and string literals (their words are not imports).
fn code_of(text: &str) -> String {
    let mut code = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        code.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                let mut escaped = false;
                for c in chars.by_ref() {
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        break;
                    }
                }
                code.push_str("\"\"");
            }
            _ => code.push(c),
        }
    }
    code
}

/// The top-level modules a piece of code names through `crate::…` (also inside `use crate::{…}`).
fn crate_imports(code: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a::b, c}`: the first segment of each item at the group's top level.
            let mut depth = 0;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        names.extend(first_segment(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 {
                    item.push(c);
                }
            }
            names.extend(first_segment(&item));
        } else {
            names.extend(first_segment(rest));
        }
    }
    names
}

fn first_segment(path: &str) -> Option<String> {
    let name: String = path
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// The top-level module a file belongs to (`None` for the crate root).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).expect("a file of the crate");
    let first = relative.components().next()?.as_os_str().to_string_lossy();
    let name = first.trim_end_matches(".rs");
    (!matches!(name, "lib" | "main")).then(|| name.to_owned())
}

/// Every import of a module above the importing one, as `file: module → module`.
fn upward_imports(crate_dir: &str, layers: &[&[&str]]) -> Vec<String> {
    let src = workspace().join(crate_dir).join("src");
    let rank = |module: &str| layers.iter().position(|layer| layer.contains(&module));
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut problems = Vec::new();
    for file in files {
        let Some(module) = module_of(&src, &file) else {
            continue;
        };
        let shown = file
            .strip_prefix(workspace())
            .unwrap_or(&file)
            .display()
            .to_string();
        let Some(own) = rank(&module) else {
            problems.push(format!("{shown}: module `{module}` is in no layer"));
            continue;
        };
        let code = code_of(&std::fs::read_to_string(&file).expect("a readable file"));
        for import in crate_imports(&code) {
            if import == module || import == "self" {
                continue;
            }
            match rank(&import) {
                Some(theirs) if theirs < own => {}
                Some(_) => problems.push(format!("{shown}: `{module}` imports `{import}`")),
                // Items of the crate root (`crate::Services`) sit above every module.
                None => problems.push(format!("{shown}: `{module}` imports the root's `{import}`")),
            }
        }
    }
    problems
}

#[test]
fn schema_modules_depend_downwards() {
    let problems = upward_imports(
        "schema",
        &[
            &["locale"],
            &["error", "ids", "money"],
            &["db"],
            // A principal carries its plan's cost budget (a bucket size).
            &["limits"],
            &["principal"],
            &["pagination", "loaders"],
            &["events", "facts"],
            &["redis_backend"],
            &["context"],
            &["budget"],
            &["plans"],
            &["auth"],
            &["mail"],
            // Registering a workshop installs the standard catalog.
            &["catalog"],
            &["accounts"],
            &["chat"],
            &["leads"],
            &["analytics", "billing", "privacy", "webhooks"],
            &["guard", "node", "trusted"],
        ],
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn server_modules_depend_downwards() {
    let problems = upward_imports(
        "api",
        &[
            &["metrics", "postgres", "security_headers", "smtp", "stripe"],
            &["multiplex"],
            &["backup"],
            &["config"],
            &["seed"],
            &["state"],
            &["request"],
            &["http", "webhooks", "ws"],
            &["app"],
        ],
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn console_modules_depend_downwards() {
    // Pages import components and hooks, never each other (`pages` is one layer: its files
    // may import only what lies below it, and the check below sees imports between pages).
    let problems = upward_imports(
        "console",
        &[
            &["api", "focus", "i18n", "lead_status", "live", "route"],
            &["session"],
            &["ctx"],
            &["hooks"],
            &["components"],
            &["pages"],
            &["shell"],
            &["app"],
        ],
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn console_pages_never_import_each_other() {
    let pages = workspace().join("console/src/pages");
    let mut files = Vec::new();
    rust_files(&pages, &mut files);
    let mut problems = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&pages).expect("a page file");
        let page = relative
            .components()
            .next()
            .map(|c| {
                c.as_os_str()
                    .to_string_lossy()
                    .trim_end_matches(".rs")
                    .to_owned()
            })
            .unwrap_or_default();
        let code = code_of(&std::fs::read_to_string(&file).expect("a readable file"));
        let mut rest = code.as_str();
        while let Some(at) = rest.find("pages::") {
            rest = &rest[at + "pages::".len()..];
            if let Some(other) = first_segment(rest)
                && other != page
            {
                problems.push(format!(
                    "{}: imports the page `{other}`",
                    relative.display()
                ));
            }
        }
        if page != "mod" && code.contains("super::super::") {
            problems.push(format!(
                "{}: reaches another page through `super`",
                relative.display()
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The `[workspace.lints.*]` tables of a manifest, as written.
fn lint_tables(manifest: &str) -> String {
    let text = std::fs::read_to_string(workspace().join(manifest)).expect("a manifest");
    let mut tables = String::new();
    let mut inside = false;
    for line in text.lines() {
        if line.starts_with('[') {
            inside = line.starts_with("[workspace.lints");
        }
        if inside && !line.trim().is_empty() {
            tables.push_str(line);
            tables.push('\n');
        }
    }
    tables
}

#[test]
fn the_console_builds_with_the_workspace_lint_set() {
    let server = lint_tables("Cargo.toml");
    assert!(server.contains("[workspace.lints.clippy]"), "{server}");
    assert_eq!(
        lint_tables("console/Cargo.toml"),
        server,
        "console/Cargo.toml is a workspace of its own (built for wasm32); its lint set must be the root's"
    );
}

#[test]
fn the_check_sees_imports_in_every_form() {
    let code = code_of(
        "use crate::auth::Tenant;\n// crate::leads in a comment\nlet s = \"crate::chat\";\n\
         use crate::{db::Pool, events::{self, Event}};\nfn f() { crate::billing::plan(x) }",
    );
    let found: Vec<String> = crate_imports(&code).into_iter().collect();
    assert_eq!(found, ["auth", "billing", "db", "events"]);
}
