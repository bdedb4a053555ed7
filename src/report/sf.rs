//! `--format sf` and `--format sf-run`: arguments for the `sf` CLI.
//!
//! `sf` is what a deploy takes: `--test-level RunSpecifiedTests --tests A --tests B`
//! (one `--tests` per class, because deploy does not split on commas), or
//! `--test-level RunLocalTests`. Deploys run Apex only, so Flow tests are left out and
//! their `sf logic run test` command is returned separately. `sf-run` is a fast
//! pull-request run of only the reached test methods with `sf apex run test`.
//!
//! When no Apex test needs to run, the plan's level is `NoTestRun`, which production
//! orgs refuse for a deploy and `sf apex run test` refuses everywhere. So `sf` then
//! prints no `--test-level` at all (the org's default: production runs no test for a
//! deploy without Apex, and all local tests for one with Apex), unless the target is a
//! sandbox or scratch org ([`TargetOrg::Sandbox`]), which accepts `NoTestRun`; and
//! `sf-run` prints nothing ([`run_args`] is `None`).

use super::plan::Plan;

/// The kind of org a deploy goes to: only sandboxes and scratch orgs accept
/// `NoTestRun`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TargetOrg {
    /// Production (the safe default): refuses `NoTestRun`.
    #[default]
    Production,
    /// A sandbox or scratch org: accepts `NoTestRun`.
    Sandbox,
}

/// The plan's level as a deploy to `target` should carry it: `None` for the org's
/// default (no `--test-level`) when nothing needs testing and the target refuses
/// `NoTestRun`.
pub fn deploy_level(plan: &Plan, target: TargetOrg) -> Option<&str> {
    match (plan.test_level.as_str(), target) {
        ("NoTestRun", TargetOrg::Production) => None,
        (level, _) => Some(level),
    }
}

/// Why `sf-run` prints nothing, for standard error: `None` when there is a test to run.
pub fn nothing_to_run(plan: &Plan) -> Option<&'static str> {
    (plan.test_level == "NoTestRun").then_some(
        "no Apex test to run for this change (`sf apex run test` refuses `NoTestRun`); nothing printed",
    )
}

/// The deploy arguments, one line; empty when the org's default applies.
pub fn deploy_args(plan: &Plan, target: TargetOrg) -> String {
    match deploy_level(plan, target) {
        None => String::new(),
        Some("RunSpecifiedTests") => {
            let mut line = String::from("--test-level RunSpecifiedTests");
            for test in plan.apex_tests() {
                line.push_str(" --tests ");
                line.push_str(&shell_word(&test.name));
            }
            line
        }
        Some(level) => format!("--test-level {level}"),
    }
}

/// The `sf logic run test` command for the plan's Flow tests, if it has any.
pub fn flow_command(plan: &Plan) -> Option<String> {
    let names: Vec<String> = plan
        .flow_tests()
        .filter_map(|test| test.run_name.clone())
        .map(|name| shell_word(&name))
        .collect();
    if names.is_empty() {
        return None;
    }
    Some(format!(
        "sf logic run test --test-level RunSpecifiedTests --tests {} --wait 30 --json",
        names.join(" --tests ")
    ))
}

/// `sf apex run test` arguments naming only the reached test methods; `None` when
/// there is no Apex test to run (see [`nothing_to_run`]).
pub fn run_args(plan: &Plan) -> Option<String> {
    if nothing_to_run(plan).is_some() {
        return None;
    }
    if plan.test_level != "RunSpecifiedTests" {
        return Some(format!("--test-level {}", plan.test_level));
    }
    let mut line = String::from("--test-level RunSpecifiedTests");
    for test in plan.apex_tests() {
        if test.methods.is_empty() {
            line.push_str(" --tests ");
            line.push_str(&shell_word(&test.name));
        }
        for method in &test.methods {
            line.push_str(" --tests ");
            line.push_str(&shell_word(&format!("{}.{}", test.name, method)));
        }
    }
    Some(line)
}

/// Apex names are identifiers; anything else is quoted so a shell cannot split it.
pub(crate) fn shell_word(word: &str) -> String {
    if word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-'))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}
