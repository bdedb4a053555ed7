//! sfdx-project.json and .forceignore: the input is the project file, a NUL byte, then
//! the ignore file.
#![no_main]
use impact::project::Project;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

/// Paths asked about, so the ignore rules and package directories are exercised.
const PATHS: &[&str] = &[
    "force-app/main/default/classes/A.cls",
    "force-app/main/default/classes/A.cls-meta.xml",
    "src/x/.hidden/B.cls",
    "pkg/lwc/c/__tests__/c.test.js",
    "README.md",
    "",
];

fuzz_target!(|data: &[u8]| {
    let (json, ignore) = match data.iter().position(|byte| *byte == 0) {
        Some(at) => (&data[..at], Some(&data[at + 1..])),
        None => (data, None),
    };
    let Ok(json) = std::str::from_utf8(json) else {
        return;
    };
    let ignore = ignore.map(String::from_utf8_lossy);
    let root = Path::new("/repo");
    let answers = |project: &Project| -> Vec<(bool, Option<String>, bool)> {
        PATHS
            .iter()
            .map(|path| {
                (
                    project.is_source(path),
                    project.package_dir_of(path).map(str::to_string),
                    project.is_force_ignored(path),
                )
            })
            .collect()
    };
    for dir in ["", "sub"] {
        let first = Project::from_parts(root, dir, json, ignore.as_deref());
        let second = Project::from_parts(root, dir, json, ignore.as_deref());
        match (first, second) {
            (Ok(a), Ok(b)) => assert_eq!(answers(&a), answers(&b)),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            _ => panic!("two loads of the same project disagree"),
        }
    }
});
