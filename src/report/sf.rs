//! `--format sf` and `--format sf-run`: arguments for the `sf` CLI.
//!
//! `sf` is what a deploy takes: `--test-level RunSpecifiedTests --tests A --tests B`
//! (one `--tests` per class, because deploy does not split on commas), or
//! `--test-level RunLocalTests`. Deploys run Apex only, so Flow tests are left out and
//! their `sf logic run test` command is returned separately. `sf-run` is a fast
//! pull-request run of only the reached test methods with `sf apex run test`.

use super::plan::Plan;

/// The deploy arguments, one line.
pub fn deploy_args(plan: &Plan) -> String {
    match plan.test_level.as_str() {
        "RunSpecifiedTests" => {
            let mut line = String::from("--test-level RunSpecifiedTests");
            for test in plan.apex_tests() {
                line.push_str(" --tests ");
                line.push_str(&shell_word(&test.name));
            }
            line
        }
        level => format!("--test-level {level}"),
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

/// `sf apex run test` arguments naming only the reached test methods.
pub fn run_args(plan: &Plan) -> String {
    if plan.test_level != "RunSpecifiedTests" {
        return format!("--test-level {}", plan.test_level);
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
    line
}

/// Apex names are identifiers; anything else is quoted so a shell cannot split it.
fn shell_word(word: &str) -> String {
    if word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-'))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}
