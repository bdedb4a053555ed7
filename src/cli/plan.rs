//! `impact plan`: the tests a change touches, ranked, each with the reason.

use super::{request, write_output_with, RevisionArgs, SelectionArgs};
use crate::error::{Error, Result, EXIT_OK};
use crate::rank;
use crate::report::{self, Color};
use clap::{Args, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;

/// `impact plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub revisions: RevisionArgs,
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Run at most N tests now (the highest ranked); list the rest as deferred.
    #[arg(long, value_name = "N")]
    pub max_tests: Option<usize>,
    /// Run the highest-ranked tests that fit in this time (`10m`, `90s`, `1h30m`); list
    /// the rest as deferred.
    #[arg(long, value_name = "DURATION", value_parser = parse_time_budget)]
    pub time_budget: Option<std::time::Duration>,
    /// Keep only the test classes of this Apex test suite; list the rest as deferred.
    #[arg(long, value_name = "NAME")]
    pub suite: Option<String>,
    /// Run the fewest top-ranked tests estimated to catch a failure caused by the change
    /// with this chance (`0.95` or `95%`); list the rest as deferred.
    #[arg(long, value_name = "LEVEL", value_parser = crate::confidence::parse_level)]
    pub confidence: Option<f64>,
    /// Let `--format sf` print a deploy test list cut by a budget, a suite or a
    /// confidence level.
    #[arg(long)]
    pub allow_partial: bool,
    /// The org `--format sf` deploys to: `production` refuses `NoTestRun`, so when no
    /// test is needed no `--test-level` is printed; `sandbox` (or a scratch org) takes
    /// `--test-level NoTestRun`.
    #[arg(long, value_enum, default_value_t = TargetOrgArg::Production)]
    pub target_org_type: TargetOrgArg,
}

/// `--target-org-type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TargetOrgArg {
    Production,
    Sandbox,
}

impl From<TargetOrgArg> for report::sf::TargetOrg {
    fn from(arg: TargetOrgArg) -> report::sf::TargetOrg {
        match arg {
            TargetOrgArg::Production => report::sf::TargetOrg::Production,
            TargetOrgArg::Sandbox => report::sf::TargetOrg::Sandbox,
        }
    }
}

/// Formats of `impact plan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// A table for a terminal.
    Text,
    /// The `impact.plan/v1` JSON.
    Json,
    /// A report for a pull-request comment or `$GITHUB_STEP_SUMMARY`.
    Markdown,
    /// Arguments for `sf project deploy start`.
    Sf,
    /// Arguments for `sf apex run test`, naming only the reached test methods.
    SfRun,
    /// The command that runs the selected LWC Jest tests (nothing when there are none).
    Jest,
}

/// Parses `--time-budget` for clap.
fn parse_time_budget(text: &str) -> std::result::Result<std::time::Duration, String> {
    rank::parse_duration(text)
        .ok_or_else(|| "not a duration: write it like `10m`, `90s` or `1h30m`".to_string())
}

/// The budget of `impact plan`, checked against the format.
fn budget(args: &PlanArgs) -> Result<rank::Budget> {
    let budget = rank::Budget {
        max_tests: args.max_tests,
        time: args.time_budget,
        suite: args.suite.clone(),
        confidence: args.confidence,
    };
    if budget.is_set() && args.format == PlanFormat::Sf && !args.allow_partial {
        return Err(Error::PartialDeploy);
    }
    Ok(budget)
}

/// Writes the plan as `--format` asks; JSON, the largest output (15 MB for 3,500
/// selected tests), as it is serialized rather than rendered whole first.
fn write_plan(
    plan: &report::plan::Plan,
    args: &PlanArgs,
    color: Color,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let text = match args.format {
        PlanFormat::Json => return plan.write_json(out),
        PlanFormat::Text => report::text::render(plan, color),
        PlanFormat::Markdown => report::markdown::render_plan_markdown(plan),
        PlanFormat::Sf => sf_deploy_text(plan, args.target_org_type.into()),
        PlanFormat::SfRun => {
            jest_left_out(plan);
            match report::sf::run_args(plan) {
                Some(line) => format!("{line}\n"),
                None => {
                    eprintln!(
                        "impact: {}",
                        report::sf::nothing_to_run(plan).unwrap_or_default()
                    );
                    String::new()
                }
            }
        }
        PlanFormat::Jest => match report::jest::command(plan) {
            Some(command) => format!("{command}\n"),
            None => {
                eprintln!("impact: the plan selects no LWC Jest test");
                String::new()
            }
        },
    };
    out.write_all(text.as_bytes())
}

/// Runs `impact plan`.
pub fn run(args: PlanArgs) -> Result<u8> {
    let budget = budget(&args)?;
    let plan = crate::pipeline::plan(&request(&args.revisions, Some(&args.selection)), &budget)?;
    let color = if args.output.is_none()
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none()
    {
        Color::Always
    } else {
        Color::Never
    };
    write_output_with(args.output.as_ref(), |out| {
        write_plan(&plan, &args, color, out)
    })?;
    for warning in &plan.warnings {
        if args.format != PlanFormat::Text || args.output.is_some() {
            eprintln!("impact: warning: {warning}");
        }
    }
    Ok(EXIT_OK)
}

/// `--format sf`: the deploy arguments, and on standard error what runs elsewhere (Flow
/// tests) or why no `--test-level` is printed.
fn sf_deploy_text(plan: &report::plan::Plan, target: report::sf::TargetOrg) -> String {
    if let Some(command) = report::sf::flow_command(plan) {
        eprintln!("impact: Flow tests do not run in a deploy; run them with: {command}");
    }
    jest_left_out(plan);
    let line = report::sf::deploy_args(plan, target);
    if line.is_empty() {
        eprintln!(
            "impact: no Apex test needs to run; no --test-level printed, so the org's default applies (production refuses NoTestRun; pass --target-org-type sandbox to print it)"
        );
        return String::new();
    }
    format!("{line}\n")
}

/// Says on standard error that the plan's Jest tests are not in an `sf` output.
fn jest_left_out(plan: &report::plan::Plan) {
    if let Some(note) = report::jest::left_out_note(plan) {
        eprintln!("impact: {note}");
    }
}
