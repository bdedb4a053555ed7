//! Where each test class, test method and Flow test lives in the working tree: the
//! `file` and `line` of JUnit testcases and of GitHub annotations.

use crate::metadata::types;
use crate::report::junit::SourceIndex;
use crate::report::plan::Plan;
use crate::results::TestRun;
use std::path::Path;

/// Where each test class and Flow test lives, and the line of each test method that ran:
/// read from the working tree of the repository, when there is one. Without a
/// repository the JUnit simply has no `file`/`line`.
pub fn index(
    repo: &Path,
    runs: &[TestRun],
    plan: Option<&Plan>,
    coverage: &[crate::gate::CoverageFailure],
) -> SourceIndex {
    let mut index = SourceIndex::new();
    let Ok(project) = crate::project::Project::discover(repo) else {
        return index;
    };
    let Ok(git) = crate::git::Repo::open(&project.git_root) else {
        return index;
    };
    let Ok(snapshot) = git.snapshot(&crate::git::Revision::Worktree) else {
        return index;
    };
    let mut wanted: std::collections::HashSet<String> = runs
        .iter()
        .flat_map(|run| run.tests.iter().map(|test| test.class_name.to_lowercase()))
        .collect();
    if let Some(plan) = plan {
        wanted.extend(plan.tests.iter().map(|test| test.name.to_lowercase()));
    }
    wanted.extend(
        coverage
            .iter()
            .map(|failure| failure.subject.to_lowercase()),
    );
    for file in snapshot.files(|path| project.package_dir_of(path).is_some()) {
        let Some((_, inner)) = project.split_package_path(&file.path) else {
            continue;
        };
        let Some(source) = crate::metadata::registry::classify(inner) else {
            continue;
        };
        let component = &source.component;
        if component.is_type(types::FLOW_TEST) && file.path.ends_with(".flowtest-meta.xml") {
            index.add_flow_test(component.full_name(), &file.path);
            continue;
        }
        if !(component.is_type(types::APEX_CLASS) && file.path.ends_with(".cls")) {
            continue;
        }
        if !wanted.contains(&component.full_name().to_lowercase()) {
            continue;
        }
        index.add_class(component.full_name(), &file.path);
        let Ok(bytes) = snapshot.read(&file.path) else {
            continue;
        };
        let facts = crate::parse::parse_file(component, &file.path, &bytes);
        for declaration in &facts.declares {
            if declaration.test.as_ref().is_some_and(|mark| mark.method) {
                let full = declaration.id.full_name();
                let method = full.rsplit('.').next().unwrap_or(full);
                index.add_method(component.full_name(), method, declaration.lines.0);
            }
        }
    }
    index
}
