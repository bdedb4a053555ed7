//! `impact plan --confidence LEVEL` (issue 17): the shortest prefix of the ranked tests
//! whose estimated chance of catching a failure caused by the change reaches the level;
//! the rest deferred, the estimate stated, `--format sf` refused without
//! `--allow-partial`, and the curve in the Markdown report.
//!
//! The change edits `InvoiceService.balance` in `fixtures/billing`: the selected tests
//! sit at different distances from it, so their probabilities differ and the cut falls
//! inside the order.

use crate::support::*;
use serde_json::Value;

/// The fixture with `InvoiceService.balance` changed in the working tree.
fn balance_changed() -> TestRepo {
    let repo = TestRepo::new("billing");
    repo.edit(
        &class("InvoiceService"),
        "return roundCurrency(amount - (paid == null ? 0 : paid));",
        "return roundCurrency(amount - (paid == null ? 0 : paid.abs()));",
    );
    repo
}

/// The plan JSON at a confidence level.
fn plan_at(repo: &TestRepo, level: &str) -> Value {
    let base = repo.base().to_string();
    repo.plan_json(&["--base", &base, "--confidence", level])
}

#[test]
fn a_higher_level_keeps_a_longer_prefix_and_states_the_estimate() {
    let repo = balance_changed();
    let base = repo.base().to_string();
    let full = repo.plan_json(&["--base", &base]);
    let order = ranked_tests(&full);
    assert!(order.len() >= 4, "{order:?}");
    let probabilities: Vec<f64> = tests(&full)
        .iter()
        .map(|t| t["factors"]["probability"].as_f64().expect("probability"))
        .collect();
    let total: f64 = probabilities.iter().sum();
    let mut previous = 0;
    for level in ["0.3", "0.5", "0.6", "0.75", "0.9", "0.95", "0.99", "1"] {
        let plan = plan_at(&repo, level);
        let kept = ranked_tests(&plan);
        // Always a prefix of the full order, never shorter than at a lower level.
        assert_eq!(kept[..], order[..kept.len()], "level {level}");
        assert!(kept.len() >= previous, "level {level}: {kept:?}");
        previous = kept.len();
        let deferred: Vec<&str> = plan["deferred"]
            .as_array()
            .expect("deferred")
            .iter()
            .map(|d| {
                assert_eq!(d["reason"], "confidence");
                d["name"].as_str().expect("name")
            })
            .collect();
        assert_eq!(
            deferred[..],
            order[kept.len()..],
            "the rest is deferred, in order"
        );
        // The estimate is the kept share of the summed probability, and reaches the level.
        let confidence = &plan["confidence"];
        let share: f64 = probabilities[..kept.len()].iter().sum::<f64>() / total;
        let estimate = confidence["estimate"].as_f64().expect("estimate");
        assert!((estimate - share).abs() < 1e-3, "{estimate} vs {share}");
        let asked: f64 = level.parse().expect("level");
        assert!(
            estimate + 1e-4 >= asked,
            "level {level}: estimate {estimate}"
        );
        // One fewer test would not have reached it: the prefix is the shortest.
        if kept.len() > 1 {
            let less: f64 = probabilities[..kept.len() - 1].iter().sum::<f64>() / total;
            assert!(
                less < asked,
                "level {level}: {} tests would do",
                kept.len() - 1
            );
        }
        assert_eq!(
            confidence["curve"].as_array().map(Vec::len),
            Some(order.len())
        );
    }
    assert_eq!(previous, order.len(), "a level of 1 keeps everything");
    assert!(
        plan_at(&repo, "0.3")["tests"].as_array().map(Vec::len) < Some(order.len()),
        "a low level cuts the order"
    );
}

#[test]
fn sf_refuses_a_confidence_cut_unless_partial_is_allowed() {
    let repo = balance_changed();
    let base = repo.base().to_string();
    let refused = repo.run(&[
        "plan",
        "--base",
        &base,
        "--confidence",
        "0.5",
        "--format",
        "sf",
    ]);
    let cause = refused.assert_input_error("--format sf");
    assert!(cause.contains("confidence"), "{cause}");
    assert!(
        refused.stderr.contains("--allow-partial"),
        "{}",
        refused.stderr
    );
    let allowed = repo.run(&[
        "plan",
        "--base",
        &base,
        "--confidence",
        "0.5",
        "--format",
        "sf",
        "--allow-partial",
    ]);
    let args = allowed.ok();
    let kept = ranked_tests(&plan_at(&repo, "0.5"));
    for test in &kept {
        assert!(args.contains(test.as_str()), "{test} missing from {args}");
    }
    let full = ranked_tests(&repo.plan_json(&["--base", &base]));
    let left_out = &full[kept.len()..];
    assert!(!left_out.is_empty());
    for test in left_out {
        assert!(
            !args.contains(test.as_str()),
            "{test} should be deferred: {args}"
        );
    }
    for bad in ["0", "1.5", "most"] {
        let out = repo.run(&["plan", "--base", &base, "--confidence", bad]);
        assert_eq!(out.code, 2, "{bad}: {}", out.stderr);
    }
}

#[test]
fn markdown_shows_the_estimate_and_the_curve() {
    let repo = balance_changed();
    let base = repo.base().to_string();
    let markdown = repo
        .run(&[
            "plan",
            "--base",
            &base,
            "--confidence",
            "95%",
            "--format",
            "markdown",
        ])
        .ok()
        .to_string();
    assert!(markdown.contains("### Confidence"), "{markdown}");
    assert!(
        markdown.contains("chance of catching a failure this change causes (asked: 95%)"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| Confidence | Tests | Minutes |"),
        "{markdown}"
    );
    assert!(markdown.contains("xychart-beta"), "{markdown}");
    let text = repo
        .run(&["plan", "--base", &base, "--confidence", "0.5"])
        .ok()
        .to_string();
    assert!(
        text.lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("confidence 50%: ")),
        "{text}"
    );
    // Without --confidence the reports do not change.
    let plain = repo
        .run(&["plan", "--base", &base, "--format", "markdown"])
        .ok()
        .to_string();
    assert!(!plain.contains("### Confidence"));
}
