//! Rules about the source tree itself, checked by reading it: no function outside tests
//! is longer than 120 lines, and ARCHITECTURE.md's code map names every file under
//! `src/`. A failure names the offenders.

use std::path::{Path, PathBuf};

/// The most lines a function outside tests may span, its signature and closing brace
/// included.
const MAX_FUNCTION_LINES: usize = 120;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The source with the insides of comments, strings and character literals blanked
/// (newlines kept), so braces and keywords can be counted on what remains.
fn code_only(source: &str) -> Vec<u8> {
    let bytes = source.as_bytes();
    let mut out = bytes.to_vec();
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for byte in &mut out[from..to.min(bytes.len())] {
            if *byte != b'\n' {
                *byte = b' ';
            }
        }
    };
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        let after_ident = i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        if rest.starts_with(b"//") {
            let end = rest
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |p| i + p);
            blank(&mut out, i, end);
            i = end;
        } else if rest.starts_with(b"/*") {
            let (mut depth, mut j) = (0usize, i);
            while j < bytes.len() {
                if bytes[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if bytes[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&mut out, i, j);
            i = j;
        } else if !after_ident && (rest.starts_with(b"r#") || rest.starts_with(b"r\"")) {
            let hashes = rest[1..].iter().take_while(|&&b| b == b'#').count();
            if rest.get(1 + hashes) != Some(&b'"') {
                i += 1;
                continue;
            }
            let mut close = vec![b'"'];
            close.extend(std::iter::repeat_n(b'#', hashes));
            let body = i + 2 + hashes;
            let end = bytes[body..]
                .windows(close.len())
                .position(|w| w == close.as_slice())
                .map_or(bytes.len(), |p| body + p + close.len());
            blank(&mut out, i, end);
            i = end;
        } else if rest[0] == b'"' {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j] != b'"' {
                j += if bytes[j] == b'\\' { 2 } else { 1 };
            }
            blank(&mut out, i, j + 1);
            i = j + 1;
        } else if rest[0] == b'\'' {
            // A character literal ('x', '\n', '\u{..}'), not a lifetime ('a).
            let len = if rest.get(1) == Some(&b'\\') {
                rest.iter().skip(2).position(|&b| b == b'\'').map(|p| p + 3)
            } else {
                let width = std::str::from_utf8(&rest[1..rest.len().min(5)])
                    .ok()
                    .or_else(|| std::str::from_utf8(&rest[1..rest.len().min(2)]).ok())
                    .and_then(|s| s.chars().next())
                    .map_or(1, char::len_utf8);
                (rest.get(1 + width) == Some(&b'\'')).then_some(width + 2)
            };
            match len {
                Some(len) => {
                    blank(&mut out, i, i + len);
                    i += len;
                }
                None => i += 1,
            }
        } else {
            i += 1;
        }
    }
    out
}

/// The index of the brace that closes the one at `open`.
fn closing_brace(code: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    for (at, &byte) in code.iter().enumerate().skip(open) {
        match byte {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return at;
                }
            }
            _ => {}
        }
    }
    code.len()
}

/// The byte ranges of items marked `#[cfg(test)]` (test modules and helpers).
fn test_ranges(code: &[u8]) -> Vec<(usize, usize)> {
    let text = String::from_utf8_lossy(code);
    let mut ranges = Vec::new();
    for (at, _) in text.match_indices("#[cfg(test)]") {
        let open = text[at..].find('{').map(|p| at + p);
        let semi = text[at..].find(';').map(|p| at + p);
        if let Some(open) = open.filter(|&open| semi.is_none_or(|semi| open < semi)) {
            ranges.push((at, closing_brace(code, open)));
        }
    }
    ranges
}

/// Files that are whole test modules: `#[cfg(test)] mod name;` in their parent.
fn is_test_module(file: &Path) -> bool {
    let Some(stem) = file.file_stem().and_then(|s| s.to_str()) else {
        return false;
    };
    let dir = file.parent().expect("parent");
    let parents = [
        dir.join("mod.rs"),
        dir.join("lib.rs"),
        dir.with_extension("rs"),
    ];
    parents.iter().any(|parent| {
        std::fs::read_to_string(parent).is_ok_and(|text| {
            let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
            text.contains(&format!("#[cfg(test)] mod {stem};"))
        })
    })
}

/// Every function outside tests: (lines it spans, file, first line, name).
fn functions(src: &Path) -> Vec<(usize, String, usize, String)> {
    let mut found = Vec::new();
    for file in rust_files(src) {
        if is_test_module(&file) {
            continue;
        }
        let source = std::fs::read_to_string(&file).expect("read source");
        let code = code_only(&source);
        let tests = test_ranges(&code);
        let text = String::from_utf8_lossy(&code).into_owned();
        let line_of = |at: usize| code[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        for (at, _) in text.match_indices("fn ") {
            let starts_word =
                at == 0 || !(code[at - 1].is_ascii_alphanumeric() || code[at - 1] == b'_');
            let name: String = text[at + 3..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !starts_word || name.is_empty() || tests.iter().any(|&(a, b)| a <= at && at <= b) {
                continue;
            }
            let open = text[at..].find('{').map(|p| at + p);
            let semi = text[at..].find(';').map(|p| at + p);
            let Some(open) = open.filter(|&open| semi.is_none_or(|semi| open < semi)) else {
                continue; // a declaration without a body
            };
            let lines = line_of(closing_brace(&code, open)) - line_of(at) + 1;
            let relative = file
                .strip_prefix(src.parent().expect("crate"))
                .expect("under crate");
            found.push((lines, relative.display().to_string(), line_of(at), name));
        }
    }
    found.sort_by(|a, b| b.cmp(a));
    found
}

#[test]
fn no_function_outside_tests_is_longer_than_120_lines() {
    let functions = functions(&crate_dir().join("src"));
    assert!(
        functions.len() > 500,
        "the scan found too few functions: {}",
        functions.len()
    );
    let long: Vec<String> = functions
        .iter()
        .filter(|(lines, ..)| *lines > MAX_FUNCTION_LINES)
        .map(|(lines, file, line, name)| format!("{file}:{line} {name} ({lines} lines)"))
        .collect();
    assert!(
        long.is_empty(),
        "split these into named stages or helpers:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_scan_measures_functions_and_skips_tests() {
    let dir = tempfile::TempDir::new().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir(&src).unwrap();
    let body = "    let x = '{';\n    let s = \"}}\";\n    // }\n".repeat(50);
    let text = format!(
        "fn long() {{\n{body}}}\n\nfn short() {{ }}\n\n#[cfg(test)]\nmod tests {{\n    fn helper() {{\n{body}    }}\n}}\n"
    );
    std::fs::write(src.join("lib.rs"), text).unwrap();
    let found = functions(&src);
    let names: Vec<(usize, &str)> = found.iter().map(|f| (f.0, f.3.as_str())).collect();
    assert_eq!(names, [(152, "long"), (1, "short")]);
}

#[test]
fn architecture_names_every_source_file() {
    let dir = crate_dir();
    let map = std::fs::read_to_string(dir.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let missing: Vec<String> = rust_files(&dir.join("src"))
        .iter()
        .map(|file| file.strip_prefix(&dir).unwrap().display().to_string())
        .filter(|path| !names_file(&map, path))
        .collect();
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md's code map does not name: {}",
        missing.join(", ")
    );
}

/// Whether the code map names `path` (`src/graph/build.rs`): in full, or by its file
/// name in the section of a directory that holds it (`### \`src/graph/\`` … `build.rs`,
/// `### \`src/parse/\`` … `walk.rs` for `src/parse/apex/walk.rs`).
fn names_file(map: &str, path: &str) -> bool {
    if map.contains(&format!("`{path}`")) {
        return true;
    }
    let (mut dir, name) = path.rsplit_once('/').expect("a path under src");
    loop {
        let heading = format!("### `{dir}/`");
        if let Some(start) = map.find(&heading) {
            let section = &map[start + heading.len()..];
            let section = &section[..section.find("\n### ").unwrap_or(section.len())];
            if section.contains(&format!("`{name}`")) {
                return true;
            }
        }
        match dir.rsplit_once('/') {
            Some((parent, _)) => dir = parent,
            None => return false,
        }
    }
}
