//! Renderings of a plan (`sf`, `text`, `markdown`, `json`), `--output`, `impact why`,
//! and byte-identical output for identical input.

use crate::plan::{change_total, remove_balance, TOTAL_CALLERS};
use crate::support::*;

/// The billing fixture with `InvoiceService.total` changed in a commit on main.
fn total_changed() -> TestRepo {
    let repo = TestRepo::new("billing");
    change_total(&repo);
    repo.commit("Void invoices do not count in totals");
    repo
}

/// Base and head arguments for the committed change.
fn range(repo: &TestRepo) -> Vec<String> {
    vec![
        "--base".into(),
        repo.base().into(),
        "--head".into(),
        "HEAD".into(),
    ]
}

fn plan_args<'a>(format: &'a str, range: &'a [String]) -> Vec<&'a str> {
    let mut args = vec!["plan", "--format", format];
    args.extend(range.iter().map(String::as_str));
    args
}

/// Runs the plan of `range` in `format` with `--output path`.
fn plan_to(repo: &TestRepo, format: &str, range: &[String], path: &std::path::Path) -> Run {
    let path = path.to_string_lossy().into_owned();
    let mut args = plan_args(format, range);
    args.extend(["--output", path.as_str()]);
    repo.run(&args)
}

#[test]
fn sf_format_lists_one_tests_flag_per_class_in_plan_order() {
    let repo = total_changed();
    let range = range(&repo);
    let plan = repo.plan_json(&range.iter().map(String::as_str).collect::<Vec<_>>());

    let out = repo.run(&plan_args("sf", &range));

    let tokens: Vec<&str> = out.ok().split_whitespace().collect();
    let mut expected = vec!["--test-level".to_string(), "RunSpecifiedTests".to_string()];
    for test in ranked_tests(&plan) {
        expected.push("--tests".into());
        expected.push(test);
    }
    assert_eq!(tokens, expected, "sf arguments:\n{}", out.stdout);
    assert_eq!(ranked_tests(&plan).len(), TOTAL_CALLERS.len());
}

#[test]
fn sf_format_asks_for_all_local_tests_on_fallback() {
    let repo = TestRepo::new("billing");
    repo.edit("sfdx-project.json", "\"62.0\"", "\"63.0\"");
    repo.commit("API 63");
    let range = range(&repo);

    let out = repo.run(&plan_args("sf", &range));

    let tokens: Vec<&str> = out.ok().split_whitespace().collect();
    assert_eq!(
        tokens,
        vec!["--test-level", "RunLocalTests"],
        "sf arguments:\n{}",
        out.stdout
    );
}

#[test]
fn text_format_is_a_readable_table_without_colour_when_piped() {
    let repo = total_changed();
    let range = range(&repo);
    let args = plan_args("text", &range);

    // NO_COLOR removed: stdout is a pipe, not a terminal, so still no colour.
    let out = run_with_env(repo.path(), &args, &[("NO_COLOR", None)]);

    let text = out.ok();
    for test in TOTAL_CALLERS {
        assert!(text.contains(test), "{test} missing from:\n{text}");
    }
    assert!(
        text.contains("InvoiceService"),
        "the change is shown:\n{text}"
    );
    assert!(
        text.contains("RunSpecifiedTests"),
        "the test level is shown:\n{text}"
    );
    assert!(
        !text.contains('\u{1b}'),
        "no escape codes when not a terminal:\n{text:?}"
    );
    assert!(
        !text.trim_start().starts_with('{'),
        "text, not JSON:\n{text}"
    );
}

#[test]
fn markdown_format_names_every_selected_test() {
    let repo = total_changed();
    let range = range(&repo);

    let out = repo.run(&plan_args("markdown", &range));

    let text = out.ok();
    for test in TOTAL_CALLERS {
        assert!(text.contains(test), "{test} missing from:\n{text}");
    }
    assert!(!text.contains('\u{1b}'), "no escape codes in markdown");
}

#[test]
fn output_flag_writes_the_file_instead_of_stdout() {
    let repo = total_changed();
    let range = range(&repo);
    let printed = repo.run(&plan_args("json", &range));
    let file = repo.path().join("plan.json");

    let out = plan_to(&repo, "json", &range, &file);

    assert!(
        out.ok().trim().is_empty(),
        "stdout should be empty:\n{}",
        out.stdout
    );
    let written = std::fs::read_to_string(&file).expect("the plan file was written");
    let mut plan: serde_json::Value = serde_json::from_str(&written).expect("the file is JSON");
    check_plan_shape(&plan);
    // Statistics may say how warm the cache was; determinism is checked elsewhere.
    let mut expected = printed.json();
    plan["stats"] = serde_json::Value::Null;
    expected["stats"] = serde_json::Value::Null;
    assert_eq!(plan, expected);
}

/// `--output` naming a link to a file writes the file it names and keeps the link (the
/// plan was renamed over the link, which became a file).
#[cfg(unix)]
#[test]
fn output_through_a_link_writes_the_file_it_names_and_keeps_the_link() {
    let repo = total_changed();
    let range = range(&repo);
    let printed = repo.run(&plan_args("sf", &range));
    std::fs::create_dir(repo.path().join("plans")).expect("a directory");
    let file = repo.path().join("plans/sf-args.txt");
    std::fs::write(&file, "an older plan").expect("the file");
    let link = repo.path().join("latest.txt");
    std::os::unix::fs::symlink(&file, &link).expect("a link");

    plan_to(&repo, "sf", &range, &link).ok();

    let kind = std::fs::symlink_metadata(&link)
        .expect("the link")
        .file_type();
    assert!(kind.is_symlink(), "the link was replaced: {kind:?}");
    let written = std::fs::read_to_string(&file).expect("the file");
    assert_eq!(written.trim(), printed.ok().trim());
}

/// `--output` naming something that is no regular file (`/dev/null`, `/dev/stdout`, here
/// a named pipe) writes into it and leaves it as it was: the plan was written beside it
/// and renamed over it, so run as root `impact plan --output /dev/null` replaced
/// `/dev/null` with a file.
#[cfg(unix)]
#[test]
fn output_to_a_named_pipe_writes_into_it_and_keeps_the_pipe() {
    use std::io::Read;
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let repo = total_changed();
    let range = range(&repo);
    let printed = repo.run(&plan_args("sf", &range));
    let pipe = repo.path().join("plan.pipe");
    let name = std::ffi::CString::new(pipe.to_string_lossy().as_bytes()).expect("a C path");
    // SAFETY: `mkfifo` reads the NUL-terminated path, which lives across the call.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0, "mkfifo");
    // Opened for reading first, without waiting for a writer, so the plan's open for
    // writing does not wait either; `sf` arguments fit in the pipe's buffer.
    let mut reader = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&pipe)
        .expect("the pipe opens for reading");

    plan_to(&repo, "sf", &range, &pipe).ok();

    let mut received = String::new();
    // The writer has closed the pipe: this reads what it wrote, then the end.
    let _ = reader.read_to_string(&mut received);
    assert_eq!(received.trim(), printed.ok().trim());
    let kind = std::fs::symlink_metadata(&pipe)
        .expect("the pipe")
        .file_type();
    assert!(kind.is_fifo(), "the pipe was replaced: {kind:?}");
}

#[test]
fn output_flag_works_with_the_sf_format() {
    let repo = total_changed();
    let range = range(&repo);
    let printed = repo.run(&plan_args("sf", &range));
    let file = repo.path().join("sf-args.txt");

    let out = plan_to(&repo, "sf", &range, &file);

    assert!(
        out.ok().trim().is_empty(),
        "stdout should be empty:\n{}",
        out.stdout
    );
    let written = std::fs::read_to_string(&file).expect("the file was written");
    assert_eq!(written.trim(), printed.ok().trim());
}

#[test]
fn json_is_byte_identical_across_runs() {
    let repo = total_changed();
    let range = range(&repo);
    let args = plan_args("json", &range);
    repo.run(&args).ok();

    let first = repo.run(&args);
    let second = repo.run(&args);

    assert_eq!(without_elapsed(first.ok()), without_elapsed(second.ok()));
}

#[test]
fn json_is_byte_identical_with_a_cold_or_a_warm_cache() {
    let repo = total_changed();
    let range = range(&repo);
    let args = plan_args("json", &range);

    let cold = repo.run(&args);
    let warm = repo.run(&args);
    // Whatever the tool caches in the repository, a cold run gives the same bytes: the
    // cache is not an input (DESIGN: "the same inputs give byte-identical output").
    let _ = std::fs::remove_dir_all(repo.path().join(".impact"));
    let cold_again = repo.run(&args);

    let warm = without_elapsed(warm.ok());
    assert_eq!(
        without_elapsed(cold.ok()),
        warm,
        "cold and warm runs differ"
    );
    assert_eq!(
        without_elapsed(cold_again.ok()),
        warm,
        "cold and warm runs differ"
    );
}

/// A second plan of the same range reads every fact from the cache (which loads on its
/// own thread while the files are listed) and parses nothing again.
#[test]
fn a_warm_plan_parses_no_file_again() {
    let repo = total_changed();
    let range = range(&repo);
    let args = plan_args("json", &range);
    let counts = || file_counts(&run_timed(&repo, &args));
    let (parsed_cold, cached_cold, _) = counts();
    let (parsed_warm, cached_warm, _) = counts();
    assert!(parsed_cold > 0, "the first plan parses");
    assert_eq!(cached_cold, 0, "the first plan has no cache");
    assert_eq!(parsed_warm, 0, "the second plan parses nothing again");
    assert_eq!(
        cached_warm, parsed_cold,
        "it reads what the first one parsed"
    );
}

/// `IMPACT_TIMINGS` gives each stage its wall time and, on Unix, the CPU time every
/// thread spent in it (how many cores the stage kept busy), then the memory on Linux.
#[test]
fn timings_give_each_stage_its_wall_and_cpu_time() {
    let repo = total_changed();
    let range = range(&repo);
    let run = run_timed(&repo, &plan_args("json", &range));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let stages: Vec<&str> = run
        .stderr
        .lines()
        .filter_map(|line| line.strip_prefix("impact: timing: "))
        .filter(|line| line.contains(" ms,") || line.ends_with(" ms"))
        .collect();
    let names: Vec<&str> = stages
        .iter()
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert!(names.contains(&"graphs"), "{}", run.stderr);
    if cfg!(unix) {
        let mut cpu_total = 0.0;
        for line in &stages {
            let cpu = line
                .split(", ")
                .find_map(|part| part.trim().strip_suffix(" ms CPU"))
                .unwrap_or_else(|| panic!("no CPU time in `{line}`"));
            let cpu: f64 = cpu.trim().parse().expect("a number of milliseconds");
            cpu_total += cpu;
        }
        assert!(cpu_total > 0.0, "a plan that parses files takes CPU time");
    }
}

/// A changed file of a type the graph does not need (a layout) is read, both sides, to
/// tell a change of meaning from one of form; a second plan takes both from the cache,
/// and the plan is the one without it.
#[test]
fn a_warm_plan_reads_a_changed_layout_from_the_cache() {
    let repo = TestRepo::new("billing");
    repo.edit(
        "force-app/main/default/layouts/Invoice__c-Invoice Layout.layout-meta.xml",
        "<label>Information</label>",
        "<label>Details</label>",
    );
    repo.commit("Rename a layout section");
    let range = range(&repo);
    let args = plan_args("json", &range);
    let (parsed_cold, _, listed) = file_counts(&run_timed(&repo, &args));
    assert!(listed > 0, "the layout is a listed type");
    let warm = run_timed(&repo, &args);
    let (parsed_warm, cached_warm, _) = file_counts(&warm);
    assert_eq!(parsed_warm, 0, "the second plan parses nothing again");
    assert_eq!(cached_warm, parsed_cold, "not even the layout's two sides");
    let plan = warm.json();
    assert!(
        changes(&plan)
            .iter()
            .any(|(type_name, _, _, _)| type_name == "Layout"),
        "the layout's change is listed: {:?}",
        changes(&plan)
    );
    assert_cold_plan(&repo, &args, &warm);
}

/// A plan after a commit that edits inside a method resolves the uses of that file
/// alone: the others resolve as the plan before resolved them (`graph::Resolutions`).
/// After a commit that declares a method, only the files that looked up what changed are
/// resolved again (here the class's own file: nothing calls the new method yet), and
/// the others find the class's methods where the new one moved them. Each plan is the
/// one a cold cache gives.
#[test]
fn a_plan_after_an_edit_inside_a_method_resolves_that_file_alone() {
    let repo = total_changed();
    let range = range(&repo);
    let args = plan_args("json", &range);
    let (resolved, reused) = resolution_counts(&run_timed(&repo, &args), Graph::Head);
    assert!(
        resolved > 10,
        "the first plan resolves every file: {resolved}"
    );
    assert_eq!(reused, 0, "the first plan has nothing to reuse");

    wrap_a_line(&repo);
    let warm = run_timed(&repo, &args);
    assert_eq!(resolution_counts(&warm, Graph::Head), (1, resolved - 1));
    assert_cold_plan(&repo, &args, &warm);

    repo.edit(
        &class("InvoiceService"),
        "    private static Decimal roundCurrency(",
        "    public static Decimal zero() {\n        return 0;\n    }\n\n    private static Decimal roundCurrency(",
    );
    repo.commit("Declare a method");
    let rebuilt = run_timed(&repo, &args);
    let (resolved_again, reused_again) = resolution_counts(&rebuilt, Graph::Head);
    assert_eq!(
        (resolved_again, reused_again),
        (1, resolved - 1),
        "the class alone is resolved again, the rest reused"
    );
    assert_cold_plan(&repo, &args, &rebuilt);
}

/// Commits an edit inside `InvoiceService.roundCurrency` (a line wrapped): the lines
/// below it move, the declarations stay.
fn wrap_a_line(repo: &TestRepo) {
    repo.edit(
        &class("InvoiceService"),
        "return value == null ? null : value.setScale(SCALE, ROUNDING);",
        "return value == null\n            ? null\n            : value.setScale(SCALE, ROUNDING);",
    );
    repo.commit("Wrap a long line");
}

/// The base graph keeps its resolutions apart from the head graph's: its declarations
/// are the base revision's, the same for every plan against that base. A plan that
/// removes a method resolves the base graph's files once; the next plans against the
/// same base reuse them all, whatever the head, and each plan is the one a cold cache
/// gives (the removed method's caller, found only in the base graph, selects its test).
#[test]
fn plans_against_one_base_reuse_the_base_graphs_resolutions_whatever_the_head() {
    let repo = TestRepo::new("billing");
    remove_balance(&repo);
    repo.commit("Remove InvoiceService.balance");
    let range = range(&repo);
    let args = plan_args("json", &range);
    let same_as_cold = |run: &Run| {
        assert_cold_plan(&repo, &args, run);
        let tests = selected_tests(&run.json());
        assert!(
            tests.iter().any(|test| test == "PaymentServiceTest"),
            "the removed method's caller's test: {tests:?}"
        );
    };

    let first = run_timed(&repo, &args);
    let (resolved, reused) = resolution_counts(&first, Graph::Base);
    assert!(
        resolved > 10,
        "the first plan resolves every file: {resolved}"
    );
    assert_eq!(reused, 0, "the first plan has nothing to reuse");
    same_as_cold(&first);

    let again = run_timed(&repo, &args);
    assert_eq!(resolution_counts(&again, Graph::Base), (0, resolved));
    assert_eq!(
        resolution_counts(&again, Graph::Head).0,
        0,
        "nor does the head graph resolve"
    );
    same_as_cold(&again);

    wrap_a_line(&repo);
    let next_head = run_timed(&repo, &args);
    assert_eq!(resolution_counts(&next_head, Graph::Base), (0, resolved));
    assert_eq!(
        resolution_counts(&next_head, Graph::Head).0,
        1,
        "the head graph resolves the edit"
    );
    same_as_cold(&next_head);
}

/// Pull requests merged one after another: a plan's base is the head of the plan
/// before, so its base graph reuses the resolutions that plan's head graph kept.
#[test]
fn a_plan_whose_base_is_the_last_plans_head_reuses_that_head_graphs_resolutions() {
    let repo = TestRepo::new("billing");
    remove_balance(&repo);
    let first = repo.commit("Remove InvoiceService.balance");
    repo.edit(
        &class("InvoiceService"),
        "    public static List<Invoice__c> applyDiscount(List<Invoice__c> invoices, Discount discount) {\n        for (Invoice__c invoice : invoices) {\n            invoice.Amount__c = roundCurrency(discount.apply(invoice.Amount__c));\n        }\n        return invoices;\n    }\n",
        "",
    );
    let second = repo.commit("Remove InvoiceService.applyDiscount");
    let json = ["plan", "--format", "json"];
    let earlier = [
        &json[..],
        &["--base", repo.base(), "--head", first.as_str()],
    ]
    .concat();
    let later = [
        &json[..],
        &["--base", first.as_str(), "--head", second.as_str()],
    ]
    .concat();

    let (resolved, _) = resolution_counts(&run_timed(&repo, &earlier), Graph::Head);
    let run = run_timed(&repo, &later);
    assert_eq!(resolution_counts(&run, Graph::Base), (0, resolved));
    assert_cold_plan(&repo, &later, &run);
    assert!(
        selected_tests(&run.json()).contains(&"InvoiceServiceTest".to_string()),
        "the removed method's test"
    );
}

#[test]
fn json_is_identical_between_two_clones_of_the_same_history() {
    // Same fixture, same scenario, other temporary directory: nothing in the plan may
    // depend on where the repository lives.
    let a = total_changed();
    let b = total_changed();
    let out_a = a.run(&plan_args("json", &range(&a)));
    let out_b = b.run(&plan_args("json", &range(&b)));

    assert_eq!(without_elapsed(out_a.ok()), without_elapsed(out_b.ok()));
}

/// The billing fixture on branch `feature`, one commit ahead of `main`.
fn feature_branch() -> TestRepo {
    let repo = TestRepo::new("billing");
    repo.branch("feature");
    change_total(&repo);
    repo.commit("Void invoices do not count in totals");
    repo
}

#[test]
fn why_prints_a_path_from_the_change_to_the_test() {
    let repo = feature_branch();

    let out = repo.run(&["why", "InvoiceServiceTest"]);

    let text = out.ok();
    assert!(text.contains("InvoiceServiceTest"), "{text}");
    assert!(text.contains("InvoiceService"), "{text}");
    // The edge is located in the test class's file.
    assert!(
        text.contains("InvoiceServiceTest.cls"),
        "edges say where: {text}"
    );
}

#[test]
fn why_follows_two_hops() {
    let repo = feature_branch();

    let out = repo.run(&["why", "PaymentServiceTest"]);

    let text = out.ok();
    for step in ["InvoiceService", "PaymentService", "PaymentServiceTest"] {
        assert!(text.contains(step), "{step} missing from:\n{text}");
    }
}

#[test]
fn why_accepts_the_test_name_in_any_case() {
    let repo = feature_branch();

    let out = repo.run(&["why", "invoiceservicetest"]);

    assert!(out.ok().contains("InvoiceService"), "{}", out.stdout);
}

#[test]
fn why_prints_a_path_from_every_change_that_reaches_the_test() {
    let repo = TestRepo::new("billing");
    repo.branch("feature");
    change_total(&repo);
    repo.edit(
        &format!("{TRIGGERS}/InvoiceTrigger.trigger"),
        "after delete)",
        "after delete, after undelete)",
    );
    repo.commit("Void invoices do not count; restored invoices do");

    let out = repo.run(&["why", "PaymentServiceTest"]);

    // PaymentServiceTest calls allocate() → total(), and saves invoices (→ the trigger):
    // issue 2 asks `why` for every path from the changes, so both changes appear.
    let text = out.ok();
    assert!(
        text.contains("InvoiceService"),
        "path from the class change:\n{text}"
    );
    assert!(
        text.contains("InvoiceTrigger"),
        "path from the trigger change:\n{text}"
    );
}

/// `--suite` keeps the suite's classes and lists every other selected test as deferred;
/// a deploy list cut by a suite needs `--allow-partial`.
#[test]
fn suite_keeps_its_classes_and_defers_the_rest() {
    let repo = TestRepo::with_base("billing", |repo| {
        repo.write(
            "force-app/main/default/testSuites/Core.testSuite-meta.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?>
<ApexTestSuite xmlns="http://soap.sforce.com/2006/04/metadata">
    <testClassName>InvoiceServiceTest</testClassName>
</ApexTestSuite>
"#,
        );
    });
    change_total(&repo);
    repo.commit("Void invoices do not count in totals");
    let range = range(&repo);
    let mut args: Vec<&str> = vec!["--suite", "core"];
    args.extend(range.iter().map(String::as_str));

    let plan = repo.plan_json(&args);

    assert_eq!(selected_tests(&plan), vec!["InvoiceServiceTest"]);
    let deferred: Vec<(String, String)> = plan["deferred"]
        .as_array()
        .expect("deferred list")
        .iter()
        .map(|d| {
            (
                d["name"].as_str().unwrap().to_string(),
                d["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(deferred.len(), TOTAL_CALLERS.len() - 1, "{deferred:?}");
    assert!(
        deferred.iter().all(|(_, reason)| reason == "suite"),
        "{deferred:?}"
    );

    let mut sf = vec!["plan"];
    sf.extend(args.iter().copied());
    sf.extend(["--format", "sf"]);
    repo.run(&sf).assert_input_error("would cut it short");
    repo.run(&["plan", "--suite", "Nope", "--base", repo.base()])
        .assert_input_error("no Apex test suite `Nope`");
}

#[test]
fn a_fallback_says_its_reason_once_and_why_calls_no_test_changed() {
    let repo = TestRepo::new("billing");
    repo.edit("sfdx-project.json", "\"62.0\"", "\"63.0\"");
    repo.commit("API 63");
    let range = range(&repo);
    let plan = repo.plan_json(&range.iter().map(String::as_str).collect::<Vec<_>>());
    let reason = plan["fallback"]["reason"]
        .as_str()
        .expect("a fallback")
        .to_string();

    let text = repo.run(&plan_args("text", &range)).ok().to_string();

    assert_eq!(text.matches(reason.as_str()).count(), 1, "{text}");
    let lines: Vec<&str> = text
        .lines()
        .skip_while(|line| !line.starts_with("tests ("))
        .skip(1)
        .take_while(|line| !line.trim().is_empty())
        .collect();
    assert!(!lines.is_empty(), "{text}");
    // Each test says "fallback" (a critical test says why it is critical).
    assert!(
        lines
            .iter()
            .all(|line| line.ends_with("  fallback") || line.contains("critical")),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .filter(|line| line.ends_with("  fallback"))
            .count()
            > 10
    );

    let mut args = vec!["why", "InvoiceServiceTest"];
    args.extend(range.iter().map(String::as_str));
    let why = repo.run(&args).ok().to_string();
    assert!(why.contains(&reason), "{why}");
    assert!(!why.contains("(changed)"), "an unchanged test: {why}");
}
