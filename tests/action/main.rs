//! The GitHub Action (`action.yml`), executed step by step the way the Actions runner
//! executes a composite action (see `runner.rs` for what is and is not emulated), against
//! git repositories built from `fixtures/billing` and pull-request event payloads.
//!
//! One substitution: the action's `install` step (`cargo install --locked --path` of the
//! action's own source, cached by `actions/cache`) is replaced by the `impact` binary this
//! `cargo test` built (`CARGO_BIN_EXE_impact`), put on PATH as the real step does through
//! `GITHUB_PATH`. The `actions/cache` steps are skipped with a note. Everything else, the
//! `key` and `run` steps and the scripts in `action/`, runs as on a runner, with bash.
//!
//! Scenarios:
//! - a pull request: outputs `tests`, `test-level`, `flow-tests`, `jest-tests`,
//!   `jest-command`, `plan-json`, the plan's Markdown in the job summary, and a base
//!   that is the merge-base with the base branch
//!   (not the event's `base.sha`, not the checked-out merge commit);
//! - hostile branch names (quotes, `$()`, backticks, newlines, fake workflow commands) in
//!   the event, in `GITHUB_HEAD_REF` and as the real base branch: nothing runs, the
//!   outputs are those of the plain pull request;
//! - a shallow clone (`--depth 1`): one `::error::` that says `fetch-depth: 0`;
//! - `gate` on passing and failing results, `junit`, `record` with a history, a fallback
//!   with `fail-on-fallback`, and a bad `command`;
//! - static checks of `action.yml` and `examples/workflows/*.yml`: no expression inside a
//!   `run:`, and third-party actions pinned by commit.
//!
//! Needs `git`, `bash` and `jq` on PATH (GitHub-hosted runners have all three).

mod repo;
mod runner;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

use repo::{git, Origin, Workspace};
use runner::{Job, Outcome};

const CLASSES: &str = "force-app/main/default/classes";
const FLOW_TEST: &str = "Calculate_Tax_Germany";

/// A pull request on the fixture org: branch `feature` changes `InvoiceService.total`
/// and adds a Flow test; after it branched, the base branch changed `TaxCalculator`.
struct PullRequest {
    origin: Origin,
    base_branch: String,
    /// The fork point: the commit the plan must start from.
    fork_point: String,
    /// The base branch's tip (the event's `base.sha`).
    base_tip: String,
    /// The pull request's head.
    head: String,
}

impl PullRequest {
    fn new(base_branch: &str) -> PullRequest {
        let origin = Origin::new(base_branch);
        let fork_point = git(origin.path(), &["rev-parse", "HEAD"]);
        origin.branch("feature");
        origin.edit(
            &format!("{CLASSES}/InvoiceService.cls"),
            "if (invoice.Amount__c != null) {",
            "if (invoice.Amount__c != null && invoice.Status__c != 'Void') {",
        );
        let flow_test = fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/action/fixtures")
                .join(format!("{FLOW_TEST}.flowtest-meta.xml")),
        )
        .expect("read the Flow test fixture");
        origin.write(
            &format!("force-app/main/default/flowtests/{FLOW_TEST}.flowtest-meta.xml"),
            &flow_test,
        );
        origin.edit(
            "force-app/main/default/lwc/invoiceList/invoiceList.html",
            "No open invoices.",
            "No open invoice.",
        );
        let head = origin.commit("Void invoices do not count in totals");
        origin.switch(base_branch);
        origin.edit(
            &format!("{CLASSES}/TaxCalculator.cls"),
            "'DE' => 0.19,",
            "'DE' => 0.195,",
        );
        let base_tip = origin.commit("German tax rate");
        PullRequest {
            origin,
            base_branch: base_branch.to_string(),
            fork_point,
            base_tip,
            head,
        }
    }

    /// The `pull_request` event payload, with the head branch named `head_ref`.
    fn event(&self, head_ref: &str, title: &str) -> Value {
        json!({
            "action": "synchronize",
            "number": 7,
            "pull_request": {
                "number": 7,
                "title": title,
                "base": {"ref": self.base_branch, "sha": self.base_tip,
                         "label": format!("acme:{}", self.base_branch)},
                "head": {"ref": head_ref, "sha": self.head,
                         "label": format!("fork:{head_ref}")}
            }
        })
    }

    /// A job on the test merge commit of a full clone, as `actions/checkout` with
    /// `fetch-depth: 0` leaves it for a `pull_request` event.
    fn job(&self, head_ref: &str, title: &str) -> (Workspace, Job) {
        let (ws, merge) = Workspace::pull_request_merge(&self.origin, &self.base_tip, &self.head);
        let mut job = Job::new(&ws.path(), "pull_request", self.event(head_ref, title));
        job.runner_env = vec![
            ("GITHUB_SHA".into(), merge),
            ("GITHUB_REF".into(), "refs/pull/7/merge".into()),
            ("GITHUB_BASE_REF".into(), self.base_branch.clone()),
            ("GITHUB_HEAD_REF".into(), head_ref.into()),
        ];
        (ws, job)
    }
}

/// `impact plan --format json` run directly (not through the action).
fn direct_plan(dir: &Path, base: &str, head: &str) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_impact"))
        .args(["plan", "--format", "json", "--base", base, "--head", head])
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("NO_COLOR", "1")
        .output()
        .expect("run impact");
    assert!(
        output.status.success(),
        "impact plan failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("plan JSON")
}

/// The names of a plan's tests of one kind (`run_name` for flows), in plan order.
fn names(plan: &Value, kind: &str) -> Vec<String> {
    plan["tests"]
        .as_array()
        .expect("tests[]")
        .iter()
        .filter(|t| t["kind"] == kind)
        .map(|t| {
            t["run_name"]
                .as_str()
                .filter(|_| kind == "flow")
                .or_else(|| t["name"].as_str())
                .expect("a test name")
                .to_string()
        })
        .collect()
}

fn assert_ok(outcome: &Outcome) {
    assert!(
        outcome.success(),
        "the action failed at step {:?}\n{}",
        outcome.failed_step,
        outcome.log()
    );
    assert!(
        outcome.errors().is_empty(),
        "unexpected errors {:?}\n{}",
        outcome.errors(),
        outcome.log()
    );
}

/// Asserts the outputs of a plan of [`PullRequest`] from its fork point to its head.
fn assert_pull_request_outputs(pr: &PullRequest, ws: &Path, outcome: &Outcome) {
    let expected = direct_plan(ws, &pr.fork_point, &pr.head);
    assert_eq!(
        outcome.output("test-level"),
        "RunSpecifiedTests",
        "{}",
        outcome.log()
    );
    assert_eq!(outcome.output("tests"), names(&expected, "apex").join(","));
    assert_eq!(
        outcome.output("flow-tests"),
        format!("FlowTesting.Calculate_Tax.{FLOW_TEST}")
    );
    // The component changed: its Jest test, and the command that runs only it.
    let jest = "force-app/main/default/lwc/invoiceList/__tests__/invoiceList.test.js";
    assert_eq!(outcome.output("jest-tests"), jest);
    assert_eq!(
        outcome.output("jest-command"),
        format!("npx sfdx-lwc-jest -- --runTestsByPath {jest}")
    );
    let tests: Vec<&str> = outcome.output("tests").split(',').collect();
    assert!(tests.contains(&"InvoiceServiceTest"), "{tests:?}");
    assert!(tests.contains(&"PaymentServiceTest"), "{tests:?}");
    // TaxCalculator changed on the base branch only: a plan from `base.sha` (or of the
    // merge commit against an older base) would see it. TaxFlowTest is its test.
    assert!(!tests.contains(&"TaxFlowTest"), "{tests:?}");

    let plan_json = PathBuf::from(outcome.output("plan-json"));
    assert!(plan_json.is_file(), "plan-json {plan_json:?} is not a file");
    let plan: Value = serde_json::from_slice(&fs::read(&plan_json).expect("read plan-json"))
        .expect("plan-json is JSON");
    assert_eq!(plan["base"], pr.fork_point.as_str());
    assert_eq!(plan["head"], pr.head.as_str());
}

// --- scenarios ----------------------------------------------------------------------------

#[test]
fn pull_request_plan_sets_the_outputs_and_writes_the_markdown_summary() {
    let pr = PullRequest::new("main");
    let (ws, mut job) = pr.job("feature", "Void invoices");

    let outcome = job.run(&[]);

    assert_ok(&outcome);
    assert_pull_request_outputs(&pr, &ws.path(), &outcome);
    // The plan's Markdown (the renderer's table and its reasons), not the text format.
    assert!(
        outcome.summary.contains("### Selected tests")
            && outcome.summary.contains("| InvoiceServiceTest |"),
        "summary:\n{}",
        outcome.summary
    );
    let plan_md = Path::new(outcome.output("plan-json")).with_file_name("plan.md");
    assert_eq!(
        fs::read_to_string(plan_md)
            .expect("plan.md next to plan.json")
            .trim(),
        outcome.summary.trim()
    );
    // The log shows the plan with workflow commands stopped around it.
    let run = outcome
        .steps
        .iter()
        .find(|s| s.id.as_deref() == Some("run"))
        .unwrap();
    assert!(run.stdout.contains("::stop-commands::"), "{}", run.stdout);
    // The substitution and the skipped cache steps are visible in the record.
    let statuses: Vec<&str> = outcome.steps.iter().map(|s| s.status.as_str()).collect();
    assert!(statuses.contains(&"replaced (install)"), "{statuses:?}");
    assert!(
        statuses
            .iter()
            .any(|s| s.starts_with("skipped (uses: actions/cache/restore@")),
        "{statuses:?}"
    );
    // No history input: its cache steps do not run.
    assert_eq!(
        outcome
            .steps
            .iter()
            .filter(|s| s.status == "skipped (if)")
            .count(),
        2,
        "{statuses:?}"
    );
}

/// The `pull_request` event of branch `feature` into `main`.
fn feature_event(base: &str, head: &str) -> Value {
    json!({"pull_request": {"base": {"ref": "main", "sha": base},
                            "head": {"ref": "feature", "sha": head}}})
}

/// A pull request on a repository whose project is in `salesforce org/`: `feature`
/// changes `InvoiceService.total`. The workspace is its merge, the job's event its own.
fn pull_request_in_subdirectory() -> (Workspace, Job, String, String) {
    let origin = Origin::with_project_in("main", "salesforce org");
    let base = git(origin.path(), &["rev-parse", "HEAD"]);
    origin.branch("feature");
    origin.edit(
        &format!("salesforce org/{CLASSES}/InvoiceService.cls"),
        "if (invoice.Amount__c != null) {",
        "if (invoice.Amount__c != null && invoice.Status__c != 'Void') {",
    );
    let head = origin.commit("Void invoices");
    let (ws, _) = Workspace::pull_request_merge(&origin, &base, &head);
    let event = feature_event(&base, &head);
    let job = Job::new(&ws.path(), "pull_request", event);
    (ws, job, base, head)
}

/// The parse cache the action keeps is the directory impact writes (`.impact/cache` at
/// the git root, not under `working-directory`), keyed by the commit checked out; a
/// restored entry of that very commit is not saved again; `facts-cache: false` keeps
/// nothing, and a value that is not a boolean is one error.
#[test]
fn the_facts_cache_steps_keep_the_directory_impact_writes() {
    let (ws, mut job, _, _) = pull_request_in_subdirectory();
    let checked_out = git(&ws.path(), &["rev-parse", "HEAD"]);
    let cache_dir = ws.path().join(".impact/cache");
    let facts_steps = |outcome: &Outcome| -> Vec<(String, BTreeMap<String, String>)> {
        outcome
            .steps
            .iter()
            .filter(|s| {
                s.id.as_deref() == Some("facts-cache")
                    || s.with
                        .get("path")
                        .is_some_and(|p| p.ends_with(".impact/cache"))
            })
            .map(|s| (s.status.clone(), s.with.clone()))
            .collect()
    };

    let outcome = job.run(&[("working-directory", "salesforce org")]);
    assert_ok(&outcome);
    let steps = facts_steps(&outcome);
    assert_eq!(steps.len(), 2, "{steps:?}");
    let (restore, save) = (&steps[0], &steps[1]);
    assert!(
        restore
            .0
            .starts_with("skipped (uses: actions/cache/restore@"),
        "{restore:?}"
    );
    assert!(
        save.0.starts_with("skipped (uses: actions/cache/save@"),
        "{save:?}"
    );
    for (_, with) in [restore, save] {
        assert_eq!(with["path"], cache_dir.display().to_string());
        assert_eq!(
            with["key"],
            format!("{}{checked_out}", restore.1["restore-keys"])
        );
    }
    assert!(
        restore.1["restore-keys"].starts_with("impact-facts-v1-"),
        "{restore:?}"
    );
    let written: Vec<String> = fs::read_dir(&cache_dir)
        .expect("impact wrote its cache where the action keeps it")
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        written.iter().any(|name| name.starts_with("facts-v")),
        "{written:?}"
    );

    // This commit's entry restored: nothing to save.
    job.uses_outputs.insert(
        "facts-cache".into(),
        [("cache-hit".to_string(), "true".to_string())].into(),
    );
    let outcome = job.run(&[("working-directory", "salesforce org")]);
    assert_ok(&outcome);
    let steps = facts_steps(&outcome);
    assert_eq!(steps.len(), 1, "{steps:?}");
    assert!(steps[0]
        .0
        .starts_with("skipped (uses: actions/cache/restore@"));

    // Off: neither step runs, the plan is the same.
    let off = job.run(&[
        ("working-directory", "salesforce org"),
        ("facts-cache", "false"),
    ]);
    assert_ok(&off);
    assert!(
        facts_steps(&off)
            .iter()
            .all(|(status, _)| status == "skipped (if)"),
        "{:?}",
        facts_steps(&off)
    );
    assert_eq!(off.output("tests"), outcome.output("tests"));

    let bad = job.run(&[
        ("working-directory", "salesforce org"),
        ("facts-cache", "maybe"),
    ]);
    assert_ne!(bad.steps[0].exit_code, 0, "{}", bad.log());
    let errors: Vec<&str> = bad.steps[0]
        .commands
        .iter()
        .filter(|c| c.name == "error")
        .map(|c| c.message.as_str())
        .collect();
    assert_eq!(
        errors,
        ["facts-cache must be true or false"],
        "{}",
        bad.log()
    );
}

#[test]
fn plan_input_format_prints_that_format_and_base_and_head_inputs_win_over_the_event() {
    let pr = PullRequest::new("main");
    let (ws, mut job) = pr.job("feature", "Void invoices");

    // Diffing from the base tip shows the base branch's TaxCalculator change (reverted).
    let outcome = job.run(&[("base", &pr.base_tip), ("format", "sf")]);

    assert_ok(&outcome);
    let expected = direct_plan(&ws.path(), &pr.base_tip, &pr.head);
    assert_eq!(outcome.output("tests"), names(&expected, "apex").join(","));
    assert!(outcome
        .output("tests")
        .split(',')
        .any(|t| t == "TaxFlowTest"));
    let run = outcome
        .steps
        .iter()
        .find(|s| s.id.as_deref() == Some("run"))
        .unwrap();
    assert!(
        run.stdout
            .contains("--test-level RunSpecifiedTests --tests "),
        "{}",
        run.stdout
    );
}

#[test]
fn working_directory_and_extra_args_reach_impact() {
    let (ws, mut job, base, head) = pull_request_in_subdirectory();

    let outcome = job.run(&[
        ("working-directory", "salesforce org"),
        ("extra-args", "--max-tests\n  2"),
    ]);

    assert_ok(&outcome);
    let full = direct_plan(&ws.path().join("salesforce org"), &base, &head);
    let all = names(&full, "apex");
    assert!(all.len() > 2, "{all:?}");
    // `--max-tests 2`: the two highest ranked run now, the rest are deferred.
    assert_eq!(outcome.output("tests"), all[..2].join(","));
}

#[test]
fn hostile_branch_names_run_nothing_and_change_no_output() {
    // A real base branch whose name is valid for git and full of shell syntax.
    let base_branch = r#"rel";touch${IFS}pwned-a;"$(touch${IFS}pwned-b)`touch${IFS}pwned-c`'x"#;
    let pr = PullRequest::new(base_branch);
    let trap = tempfile::tempdir().expect("a directory for the trap");
    let marker = trap.path().join("x");
    let head_ref = format!(
        "a\"; echo pwned > {m}; \"$(touch {m})`touch {m}`\n::error::injected\n::set-output name=tests::Injected\n::add-mask::x",
        m = marker.display()
    );
    let (ws, mut job) = pr.job(&head_ref, &head_ref);

    let outcome = job.run(&[]);
    if std::env::var_os("IMPACT_ACTION_LOG").is_some() {
        eprintln!("{}", outcome.log());
    }

    assert_ok(&outcome);
    assert_pull_request_outputs(&pr, &ws.path(), &outcome);
    assert!(!marker.exists(), "a hostile name ran a command");

    // Without a usable `base.sha`, only the hostile base branch name leads to the base.
    let mut event = pr.event(&head_ref, &head_ref);
    event["pull_request"]["base"]["sha"] = json!("0123456789abcdef0123456789abcdef01234567");
    let mut job = Job::new(&ws.path(), "pull_request", event);
    let outcome = job.run(&[]);
    assert_ok(&outcome);
    assert_pull_request_outputs(&pr, &ws.path(), &outcome);
    assert!(!marker.exists(), "a hostile name ran a command");
    for dir in [ws.dir.path(), job.root(), pr.origin.path()] {
        assert_no_pwned(dir);
    }
    assert!(outcome.warnings().is_empty(), "{:?}", outcome.warnings());
}

fn assert_no_pwned(dir: &Path) {
    for entry in fs::read_dir(dir).expect("read a directory").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(
            !name.contains("pwned"),
            "{} was created",
            entry.path().display()
        );
        if entry.file_type().map(|t| t.is_dir()).unwrap_or(false) && name != ".git" {
            assert_no_pwned(&entry.path());
        }
    }
}

#[test]
fn shallow_clone_fails_with_one_error_that_says_fetch_depth_0() {
    let pr = PullRequest::new("main");
    let ws = Workspace::shallow(&pr.origin, "feature");
    let mut job = Job::new(
        &ws.path(),
        "pull_request",
        pr.event("feature", "Void invoices"),
    );

    let outcome = job.run(&[]);

    assert_eq!(
        outcome.failed_step.as_deref(),
        Some("run"),
        "{}",
        outcome.log()
    );
    let errors = outcome.errors();
    assert_eq!(errors.len(), 1, "{errors:?}\n{}", outcome.log());
    assert!(errors[0].contains("fetch-depth: 0"), "{}", errors[0]);
    assert!(errors[0].contains("shallow"), "{}", errors[0]);
    assert_eq!(outcome.output("tests"), "");
    assert_eq!(outcome.output("plan-json"), "");
}

#[test]
fn shallow_clone_with_an_explicit_base_surfaces_impacts_own_error() {
    let pr = PullRequest::new("main");
    let ws = Workspace::shallow(&pr.origin, "feature");
    let mut job = Job::new(
        &ws.path(),
        "pull_request",
        pr.event("feature", "Void invoices"),
    );

    let outcome = job.run(&[("base", &pr.fork_point)]);

    assert_eq!(
        outcome.failed_step.as_deref(),
        Some("run"),
        "{}",
        outcome.log()
    );
    let errors = outcome.errors();
    assert_eq!(errors.len(), 1, "{errors:?}\n{}", outcome.log());
    // impact's cause and hint, in one annotation.
    assert!(errors[0].starts_with("impact plan: "), "{}", errors[0]);
    assert!(errors[0].contains("shallow"), "{}", errors[0]);
    assert!(errors[0].contains("fetch-depth: 0"), "{}", errors[0]);
}

/// `sf project deploy report --json` for the plan's Apex tests (one method each) and its
/// changed classes (90% covered), with `failing` failed; plus `sf logic run test --json`
/// for its Flow tests. Returns the two files.
fn results_for(plan: &Value, dir: &Path, failing: Option<&str>) -> Vec<PathBuf> {
    let mut successes = Vec::new();
    let mut failures = Vec::new();
    for (i, name) in names(plan, "apex").iter().enumerate() {
        let id = format!("01p5g00000Tst{i:02}AAA");
        if Some(name.as_str()) == failing {
            failures.push(json!({
                "id": id, "name": name, "methodName": "works", "namespace": null,
                "message": "System.AssertException: Assertion Failed", "packageName": name,
                "seeAllData": false, "type": "Class", "time": 12,
                "stackTrace": format!("Class.{name}.works: line 3, column 1")
            }));
        } else {
            successes.push(json!({
                "id": id, "name": name, "methodName": "works", "namespace": null,
                "seeAllData": false, "time": 10
            }));
        }
    }
    let coverage: Vec<Value> = plan["changes"]
        .as_array()
        .expect("changes[]")
        .iter()
        .filter(|c| c["type"] == "ApexClass" || c["type"] == "ApexTrigger")
        .enumerate()
        .map(|(i, c)| {
            json!({
                "id": format!("01p5g00000Cls{i:02}AAA"), "name": c["name"], "namespace": null,
                "type": if c["type"] == "ApexClass" { "Class" } else { "Trigger" },
                "numLocations": 20, "numLocationsNotCovered": 2,
                "locationsNotCovered": [{"line": 40, "column": 0, "numExecutions": 0, "time": -1},
                                        {"line": 41, "column": 0, "numExecutions": 0, "time": -1}],
                "dmlInfo": [], "methodInfo": [], "soqlInfo": [], "soslInfo": []
            })
        })
        .collect();
    let ok = failures.is_empty();
    let run = successes.len() + failures.len();
    let deploy = json!({
        "status": if ok { 0 } else { 1 },
        "result": {
            "id": "0Af5g00000DpL01CAE", "checkOnly": true, "done": true,
            "status": if ok { "Succeeded" } else { "Failed" }, "success": ok,
            "numberComponentErrors": 0, "numberTestErrors": failures.len(),
            "numberTestsCompleted": successes.len(), "numberTestsTotal": run,
            "runTestsEnabled": true,
            "details": {
                "componentSuccesses": [], "componentFailures": [],
                "runTestResult": {
                    "numTestsRun": run, "numFailures": failures.len(), "totalTime": 1000,
                    "successes": successes, "failures": failures, "codeCoverage": coverage,
                    "codeCoverageWarnings": [], "flowCoverage": [], "flowCoverageWarnings": []
                }
            }
        }
    });
    let flows: Vec<Value> = plan["tests"]
        .as_array()
        .expect("tests[]")
        .iter()
        .filter(|t| t["kind"] == "flow")
        .enumerate()
        .map(|(i, t)| {
            let flow = t["flow"].as_str().expect("a flow test names its flow");
            let name = t["name"].as_str().expect("a name");
            json!({
                "Id": format!("07M5g00000Fw{i:03}AAB"), "QueueItemId": "7095g000001F01AAE",
                "StackTrace": "", "Message": "", "AsyncApexJobId": "7075g00000FlW01AAF",
                "MethodName": name, "Outcome": "Pass",
                "ApexClass": {"Id": "3005g00000Flw01AAA", "Name": flow, "NamespacePrefix": null},
                "RunTime": 0, "FullName": format!("{flow}.{name}"), "Category": "Flow"
            })
        })
        .collect();
    let logic = json!({
        "status": 0,
        "result": {
            "summary": {"outcome": "Passed", "testsRan": flows.len(), "passing": flows.len(),
                        "failing": 0, "skipped": 0, "testRunId": "7075g00000FlW01AAF"},
            "tests": flows
        }
    });
    let deploy_file = dir.join("deploy-report.json");
    let logic_file = dir.join("flow-tests.json");
    fs::write(&deploy_file, serde_json::to_vec_pretty(&deploy).unwrap()).unwrap();
    fs::write(&logic_file, serde_json::to_vec_pretty(&logic).unwrap()).unwrap();
    vec![deploy_file, logic_file]
}

fn lines(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn gate_passes_on_passing_results_and_fails_the_step_on_failing_ones() {
    let pr = PullRequest::new("main");
    let (_ws, mut job) = pr.job("feature", "Void invoices");
    let plan_outcome = job.run(&[]);
    assert_ok(&plan_outcome);
    let plan: Value =
        serde_json::from_slice(&fs::read(plan_outcome.output("plan-json")).unwrap()).unwrap();
    let results_dir = tempfile::tempdir().unwrap();

    // The plan of the earlier step is the default `plan` input.
    let passing = results_for(&plan, results_dir.path(), None);
    let outcome = job.run(&[("command", "gate"), ("results", &lines(&passing))]);
    assert_ok(&outcome);
    assert_eq!(outcome.output("gate"), "pass");
    assert!(
        outcome.summary.contains("impact gate: passed"),
        "{}",
        outcome.summary
    );
    assert!(
        outcome.summary.contains("`planned-tests-ran` | ✅ pass"),
        "{}",
        outcome.summary
    );

    let failing_dir = results_dir.path().join("failing");
    fs::create_dir(&failing_dir).unwrap();
    let failing = results_for(&plan, &failing_dir, Some("InvoiceServiceTest"));
    // A glob line.
    let glob = format!("{}/*.json", failing_dir.display());
    let outcome = job.run(&[("command", "gate"), ("results", &glob)]);
    assert_eq!(outcome.output("gate"), "fail", "{}", outcome.log());
    assert_eq!(outcome.failed_step.as_deref(), Some("run"));
    assert!(
        outcome.summary.contains("impact gate: failed"),
        "{}",
        outcome.summary
    );
    let errors = outcome.errors();
    assert!(
        errors.iter().any(|e| e.contains("release gate failed")),
        "{errors:?}"
    );
    // impact's own annotation of the failing test comes through.
    assert!(
        errors.iter().any(|e| e.contains("Assertion Failed")),
        "{errors:?}\n{}",
        outcome.log()
    );
    drop(failing);

    // A results file of the repository's test data, without a plan.
    let mut job = Job::new(&_ws.path(), "workflow_dispatch", json!({}));
    let data =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/results/deploy-report-typed.json");
    let outcome = job.run(&[
        ("command", "gate"),
        ("results", &data.display().to_string()),
    ]);
    assert_eq!(outcome.output("gate"), "fail", "{}", outcome.log());
}

#[test]
fn junit_and_record_write_their_files() {
    let pr = PullRequest::new("main");
    let (ws, mut job) = pr.job("feature", "Void invoices");
    let history = ".impact/history.db";
    let plan_outcome = job.run(&[("history", history)]);
    assert_ok(&plan_outcome);
    let plan: Value =
        serde_json::from_slice(&fs::read(plan_outcome.output("plan-json")).unwrap()).unwrap();
    let results_dir = tempfile::tempdir().unwrap();
    let results = results_for(&plan, results_dir.path(), Some("PaymentServiceTest"));

    let outcome = job.run(&[("command", "junit"), ("results", &lines(&results))]);
    assert_ok_but_annotations(&outcome);
    let xml = fs::read_to_string(outcome.output("junit")).expect("the junit output is a file");
    assert!(xml.contains("<testsuites"), "{xml}");
    assert!(xml.contains("PaymentServiceTest"), "{xml}");

    let outcome = job.run(&[
        ("command", "record"),
        ("results", &lines(&results)),
        ("history", history),
    ]);
    assert_ok(&outcome);
    assert!(ws.path().join(history).is_file(), "{}", outcome.log());
    // The save step runs for `record` with a history.
    let saves = outcome
        .steps
        .iter()
        .filter(|s| s.status.starts_with("skipped (uses: actions/cache/save@"))
        .count();
    assert_eq!(saves, 2, "{}", outcome.log());
}

/// A stand-in `sf` that logs its arguments and prints the org query results of
/// `tests/data/org/` (`--use-tooling-api`: the coverage, else the test results).
fn fake_sf(dir: &Path) -> PathBuf {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/org");
    let log = dir.join("sf-args.log");
    let script = format!(
        r#"#!/usr/bin/env bash
printf '%s\n' "$*" >> '{log}'
case " $* " in
    *" --use-tooling-api "*) cat '{data}/apex-code-coverage.json' ;;
    *) cat '{data}/apex-test-result-june-1-3.json' ;;
esac
"#,
        log = log.display(),
        data = data.display()
    );
    let sf = dir.join("sf");
    fs::write(&sf, script).expect("write the stand-in sf");
    let mut permissions = fs::metadata(&sf).expect("sf").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    fs::set_permissions(&sf, permissions).expect("chmod sf");
    log
}

#[test]
fn org_history_days_records_the_orgs_test_history_before_planning() {
    let pr = PullRequest::new("main");
    let (ws, mut job) = pr.job("feature", "Void invoices");
    // Without `sf` on PATH: a warning, and the plan as usual.
    let outcome = job.run(&[("org-history-days", "30")]);
    assert_ok(&outcome);
    assert!(
        outcome
            .warnings()
            .iter()
            .any(|w| w.contains("sf is not on PATH")),
        "{:?}",
        outcome.warnings()
    );
    assert_pull_request_outputs(&pr, &ws.path(), &outcome);

    let bin = tempfile::tempdir().expect("tempdir");
    let log = fake_sf(bin.path());
    job.prepend_path(bin.path());
    let history = ".impact/history.db";
    let outcome = job.run(&[
        ("org-history-days", "30"),
        ("target-org", "ci-sandbox"),
        ("history", history),
    ]);
    assert_ok(&outcome);
    assert!(outcome.warnings().is_empty(), "{:?}", outcome.warnings());
    let calls = fs::read_to_string(&log).expect("sf ran");
    let calls: Vec<&str> = calls.lines().collect();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(calls[0].starts_with("data query --target-org ci-sandbox --json --query SELECT Id, AsyncApexJobId, TestTimestamp"), "{}", calls[0]);
    assert!(
        calls[0].ends_with("FROM ApexTestResult WHERE TestTimestamp = LAST_N_DAYS:30"),
        "{}",
        calls[0]
    );
    assert!(calls[1].contains("--use-tooling-api"), "{}", calls[1]);
    assert!(
        calls[1].ends_with("FROM ApexCodeCoverage WHERE LastModifiedDate = LAST_N_DAYS:30"),
        "{}",
        calls[1]
    );
    assert!(
        outcome
            .log()
            .contains("ApexTestResult records of 3 runs (3 new)"),
        "{}",
        outcome.log()
    );
    assert!(ws.path().join(history).is_file());
    // The plan read that history: the flaky test of the org's runs is listed as flaky.
    let plan: Value =
        serde_json::from_slice(&fs::read(outcome.output("plan-json")).unwrap()).unwrap();
    assert_pull_request_outputs(&pr, &ws.path(), &outcome);
    assert!(plan["tests"].as_array().is_some_and(|t| !t.is_empty()));

    for bad in ["thirty", "0", "-1"] {
        let outcome = job.run(&[("org-history-days", bad)]);
        assert_eq!(outcome.failed_step.as_deref(), Some("run"), "{bad}");
        assert_eq!(outcome.errors().len(), 1, "{}", outcome.log());
    }
}

#[test]
fn hotspots_command_writes_the_report_to_the_job_summary() {
    let pr = PullRequest::new("main");
    let (_ws, mut job) = pr.job("feature", "Void invoices");
    let outcome = job.run(&[("command", "hotspots")]);
    assert_ok(&outcome);
    let report =
        fs::read_to_string(outcome.output("hotspots")).expect("the hotspots output is a file");
    assert!(report.starts_with("### Hotspots"), "{report}");
    assert!(
        outcome.summary.contains("### Hotspots"),
        "{}",
        outcome.summary
    );
    assert!(
        report.contains("TaxCalculator") || report.contains("InvoiceService"),
        "{report}"
    );
}

/// Success, where `::error` annotations of failing tests are expected.
fn assert_ok_but_annotations(outcome: &Outcome) {
    assert!(
        outcome.success(),
        "the action failed at step {:?}\n{}",
        outcome.failed_step,
        outcome.log()
    );
}

#[test]
fn fallback_fails_the_step_only_with_fail_on_fallback_and_still_sets_the_outputs() {
    let origin = Origin::new("main");
    let base = git(origin.path(), &["rev-parse", "HEAD"]);
    origin.branch("feature");
    origin.edit("sfdx-project.json", "\"62.0\"", "\"63.0\"");
    let head = origin.commit("API 63");
    let (ws, _) = Workspace::pull_request_merge(&origin, &base, &head);
    let event = feature_event(&base, &head);

    let mut job = Job::new(&ws.path(), "pull_request", event.clone());
    let outcome = job.run(&[]);
    assert_ok(&outcome);
    assert_eq!(outcome.output("test-level"), "RunLocalTests");
    assert_eq!(outcome.warnings().len(), 1, "{:?}", outcome.warnings());

    let mut job = Job::new(&ws.path(), "pull_request", event);
    let outcome = job.run(&[("fail-on-fallback", "true")]);
    assert_eq!(outcome.failed_step.as_deref(), Some("run"));
    assert_eq!(outcome.output("test-level"), "RunLocalTests");
    let errors = outcome.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("RunLocalTests"), "{}", errors[0]);
    assert!(
        outcome.summary.contains("RunLocalTests"),
        "{}",
        outcome.summary
    );
}

/// Production refuses `NoTestRun`: when no Apex test is needed, the `test-level` output
/// is empty (deploy with the org's default) unless `target-org-type` is `sandbox`, and
/// `--format sf` prints no `--test-level`.
#[test]
fn nothing_to_test_leaves_the_level_to_the_org_unless_the_target_is_a_sandbox() {
    let origin = Origin::new("main");
    // Without the critical smoke test, a layout change selects no test at all.
    origin.edit(
        "force-app/main/default/classes/BillingSmokeTest.cls",
        "@isTest(critical=true)",
        "@isTest",
    );
    let base = origin.commit("no critical test");
    origin.branch("feature");
    origin.edit(
        "force-app/main/default/layouts/Invoice__c-Invoice Layout.layout-meta.xml",
        "<detailHeading>false</detailHeading>",
        "<detailHeading>true</detailHeading>",
    );
    let head = origin.commit("layout");
    let (ws, _) = Workspace::pull_request_merge(&origin, &base, &head);
    let event = feature_event(&base, &head);

    let mut job = Job::new(&ws.path(), "pull_request", event.clone());
    let outcome = job.run(&[("format", "sf")]);
    assert_ok(&outcome);
    assert_eq!(outcome.output("test-level"), "", "{}", outcome.log());
    assert_eq!(outcome.output("tests"), "");
    // Nothing printed for `sf project deploy start`; the reason goes to the log.
    assert!(
        !outcome
            .log()
            .lines()
            .any(|line| line.starts_with("--test-level")),
        "{}",
        outcome.log()
    );
    assert!(outcome.log().contains("org's default applies"));

    let mut job = Job::new(&ws.path(), "pull_request", event.clone());
    let outcome = job.run(&[("target-org-type", "sandbox"), ("format", "sf")]);
    assert_ok(&outcome);
    assert_eq!(
        outcome.output("test-level"),
        "NoTestRun",
        "{}",
        outcome.log()
    );
    assert!(
        outcome.log().contains("--test-level NoTestRun"),
        "{}",
        outcome.log()
    );

    let mut job = Job::new(&ws.path(), "pull_request", event);
    let outcome = job.run(&[("target-org-type", "staging")]);
    assert_eq!(outcome.failed_step.as_deref(), Some("run"));
    assert!(outcome.errors()[0].contains("production or sandbox"));
}

#[test]
fn a_bad_command_or_missing_results_is_one_error() {
    let pr = PullRequest::new("main");
    let (_ws, mut job) = pr.job("feature", "Void invoices");

    let outcome = job.run(&[("command", "deploy")]);
    assert_eq!(outcome.failed_step.as_deref(), Some("run"));
    assert_eq!(outcome.errors().len(), 1, "{}", outcome.log());
    assert!(outcome.errors()[0].contains("plan, gate, junit, record or hotspots"));

    let outcome = job.run(&[("command", "gate")]);
    assert_eq!(outcome.errors().len(), 1, "{}", outcome.log());
    assert!(outcome.errors()[0].contains("results"));

    let outcome = job.run(&[("command", "junit"), ("results", "no/such/file.json")]);
    assert_eq!(outcome.errors().len(), 1, "{}", outcome.log());
    assert!(
        outcome.errors()[0].starts_with("impact junit: "),
        "{}",
        outcome.errors()[0]
    );
}

// --- static checks ------------------------------------------------------------------------

/// `action.yml` and every example workflow.
fn yaml_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("action.yml")];
    let examples = root.join("examples/workflows");
    let mut workflows: Vec<PathBuf> = fs::read_dir(&examples)
        .expect("examples/workflows exists")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    workflows.sort();
    assert!(workflows.len() >= 2, "expected the example workflows");
    files.extend(workflows);
    files
}

/// Every step of a parsed file: `runs.steps` or `jobs.*.steps`.
fn steps_of(doc: &yaml_rust2::Yaml) -> Vec<yaml_rust2::Yaml> {
    let mut steps = Vec::new();
    if let Some(list) = doc["runs"]["steps"].as_vec() {
        steps.extend(list.iter().cloned());
    }
    if let Some(jobs) = doc["jobs"].as_hash() {
        for job in jobs.values() {
            if let Some(list) = job["steps"].as_vec() {
                steps.extend(list.iter().cloned());
            }
        }
    }
    steps
}

#[test]
fn no_run_script_contains_an_expression() {
    for file in yaml_files() {
        let doc = runner::load_yaml(&file);
        let steps = steps_of(&doc);
        assert!(!steps.is_empty(), "{}: no steps", file.display());
        for step in steps {
            if let Some(run) = step["run"].as_str() {
                assert!(
                    !run.contains("${{"),
                    "{}: an expression inside run:\n{run}",
                    file.display()
                );
            }
        }
    }
}

#[test]
fn third_party_actions_are_pinned_by_commit() {
    for file in yaml_files() {
        for step in steps_of(&runner::load_yaml(&file)) {
            let Some(uses) = step["uses"].as_str() else {
                continue;
            };
            // The examples name impact itself by a placeholder (see docs/github-action.md).
            if uses.starts_with("./") || uses.starts_with("your-org/impact@") {
                continue;
            }
            let (_, reference) = uses.split_once('@').expect("uses: owner/repo@ref");
            assert!(
                reference.len() == 40 && reference.bytes().all(|b| b.is_ascii_hexdigit()),
                "{}: {uses} is not pinned by a full commit sha",
                file.display()
            );
        }
    }
}

#[test]
fn the_harness_reads_the_action_it_runs() {
    let action = runner::Action::load();
    let inputs: Vec<&str> = action.inputs.iter().map(|(k, _)| k.as_str()).collect();
    for input in [
        "command",
        "base",
        "head",
        "working-directory",
        "format",
        "results",
        "history",
        "fail-on-fallback",
        "extra-args",
    ] {
        assert!(inputs.contains(&input), "missing input {input}");
    }
    let outputs: Vec<&str> = action.outputs.iter().map(|(k, _)| k.as_str()).collect();
    for output in [
        "tests",
        "test-level",
        "flow-tests",
        "jest-tests",
        "jest-command",
        "plan-json",
        "junit",
        "gate",
    ] {
        assert!(outputs.contains(&output), "missing output {output}");
    }
    assert!(
        action
            .steps
            .iter()
            .any(|s| s.id.as_deref() == Some("install")),
        "the harness replaces the step with id `install`"
    );
}

#[test]
fn the_documentation_shows_each_example_workflow_verbatim() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = fs::read_to_string(root.join("docs/github-action.md")).expect("read the doc");
    for file in yaml_files().iter().skip(1) {
        let workflow = fs::read_to_string(file).expect("read a workflow");
        assert!(
            doc.contains(&format!("```yaml\n{workflow}```")),
            "docs/github-action.md does not show {} as it is",
            file.display()
        );
    }
}

/// A stand-in `cargo` that logs its arguments and "installs" the binary under test.
fn fake_cargo(dir: &Path) {
    let script = r#"#!/usr/bin/env bash
set -euo pipefail
{ printf 'CARGO_TARGET_DIR=%s\n' "${CARGO_TARGET_DIR:-}"; printf '%s\n' "$@"; } >> "$FAKE_CARGO_LOG"
root=""
while [ $# -gt 0 ]; do
    if [ "$1" = --root ]; then root=$2; fi
    shift
done
mkdir -p "$root/bin"
ln -sf "$IMPACT_UNDER_TEST" "$root/bin/impact"
"#;
    let cargo = dir.join("cargo");
    fs::write(&cargo, script).unwrap();
    Command::new("chmod")
        .arg("+x")
        .arg(&cargo)
        .status()
        .unwrap();
}

#[test]
fn install_step_runs_cargo_install_locked_on_the_action_path_unless_the_cache_has_the_build() {
    let pr = PullRequest::new("main");
    let (_ws, mut job) = pr.job("feature", "Void invoices");
    let tools = tempfile::tempdir().unwrap();
    fake_cargo(tools.path());
    let log = tools.path().join("cargo.log");
    job.real_install = true;
    job.runner_env.extend([
        ("FAKE_CARGO_LOG".to_string(), log.display().to_string()),
        (
            "IMPACT_UNDER_TEST".to_string(),
            env!("CARGO_BIN_EXE_impact").to_string(),
        ),
    ]);
    job.prepend_path(tools.path());

    let outcome = job.run(&[]);

    assert_ok(&outcome);
    let home = job.root().join("home");
    let args = fs::read_to_string(&log).expect("cargo ran");
    let args: Vec<&str> = args.lines().collect();
    let root = format!("{}/.cache/impact-action", home.display());
    let action_dir = env!("CARGO_MANIFEST_DIR");
    assert_eq!(
        args,
        [
            format!("CARGO_TARGET_DIR={root}/target").as_str(),
            "install",
            "--locked",
            "--force",
            "--root",
            root.as_str(),
            "--path",
            action_dir,
        ]
    );
    assert!(!outcome.output("tests").is_empty(), "{}", outcome.log());
    let save = &outcome.steps[3];
    assert!(
        save.status
            .starts_with("skipped (uses: actions/cache/save@"),
        "{save:?}"
    );

    // A cache hit with the binary in place: no build, no save.
    fs::remove_file(&log).unwrap();
    job.uses_outputs.insert(
        "cargo-cache".into(),
        [("cache-hit".to_string(), "true".to_string())].into(),
    );
    let outcome = job.run(&[]);
    assert_ok(&outcome);
    assert!(!log.exists(), "cargo ran on a cache hit");
    assert_eq!(outcome.steps[3].status, "skipped (if)");
}
