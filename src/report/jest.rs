//! `--format jest`: the command that runs exactly the selected LWC Jest tests.
//!
//! The `sf` CLI runs no Jest tests, so neither `--format sf` nor `sf-run` can carry them:
//! this command does. It uses `sfdx-lwc-jest` (the Salesforce wrapper around Jest that
//! LWC projects install) and hands Jest the test files by exact path
//! (`--runTestsByPath`), so a file name is never read as a pattern that matches more.
//! The paths are relative to the repository root, where the command runs. On a fallback
//! the plan runs every local test, and so does the command; so it does when the plan
//! runs every Jest test because Jest's configuration or a shared mock changed: Jest may
//! find tests `impact` does not list (a project keeping some outside its package
//! directories), and every one of them can fail.

use super::plan::Plan;
use super::sf::shell_word;
use crate::policy::JEST_SUPPORT_NOTE_PREFIX;

/// The command that runs the whole Jest suite.
pub const ALL_TESTS: &str = "npx sfdx-lwc-jest";

/// The command for the plan's Jest tests; `None` when the plan selects none.
pub fn command(plan: &Plan) -> Option<String> {
    let paths: Vec<String> = plan
        .jest_tests()
        .map(|test| shell_word(&test.name))
        .collect();
    if paths.is_empty() {
        return None;
    }
    let every_jest_test = plan.jest_tests().any(|test| {
        test.reasons.iter().any(|reason| {
            reason
                .note
                .as_deref()
                .is_some_and(|note| note.starts_with(JEST_SUPPORT_NOTE_PREFIX))
        })
    });
    if plan.fallback.is_some() || every_jest_test {
        return Some(ALL_TESTS.to_string());
    }
    Some(format!(
        "{ALL_TESTS} -- --runTestsByPath {}",
        paths.join(" ")
    ))
}

/// What `--format sf` and `sf-run` say on standard error when the plan has Jest tests,
/// which their output cannot hold.
pub fn left_out_note(plan: &Plan) -> Option<String> {
    let command = command(plan)?;
    let count = plan.jest_tests().count();
    let noun = if count == 1 { "test is" } else { "tests are" };
    Some(format!(
        "{count} LWC Jest {noun} not in this output (sf runs no Jest tests); run them with: {command}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::junit::fixtures::{sample_plan, test};

    #[test]
    fn names_exactly_the_selected_jest_tests() {
        let mut plan = sample_plan();
        assert_eq!(
            command(&plan).as_deref(),
            Some("npx sfdx-lwc-jest -- --runTestsByPath force-app/main/default/lwc/invoiceSummary/__tests__/invoiceSummary.test.js")
        );
        plan.tests.push(test(
            "force-app/main/default/lwc/it's here/__tests__/a b.test.js",
            "lwc",
            9,
            Some(1),
            Vec::new(),
        ));
        let text = command(&plan).expect("command");
        assert!(
            text.ends_with(" 'force-app/main/default/lwc/it'\\''s here/__tests__/a b.test.js'"),
            "{text}"
        );
        assert_eq!(
            left_out_note(&plan).as_deref(),
            Some(format!("2 LWC Jest tests are not in this output (sf runs no Jest tests); run them with: {text}").as_str())
        );
        // Every Jest test, for a changed mock: Jest runs them all, found its own way.
        let mut every = plan.clone();
        for test in every.tests.iter_mut().filter(|test| test.kind == "lwc") {
            test.reasons.push(crate::report::plan::Reason {
                path: vec![format!("LwcJestTest:{}", test.name)],
                edges: Vec::new(),
                note: Some(format!(
                    "{JEST_SUPPORT_NOTE_PREFIX}`jest.config.js` changed"
                )),
            });
        }
        assert_eq!(command(&every).as_deref(), Some(ALL_TESTS));
        plan.fallback = Some(crate::report::plan::Fallback {
            reason: "sfdx-project.json changed".into(),
            paths: vec!["sfdx-project.json".into()],
        });
        assert_eq!(command(&plan).as_deref(), Some(ALL_TESTS));
        plan.tests.retain(|test| test.kind != "lwc");
        assert_eq!(command(&plan), None);
        assert_eq!(left_out_note(&plan), None);
    }
}
