//! The `[gate]` section of `impact.toml`: the release gate's thresholds, and overrides for
//! branches matching a glob. Read on its own ([`GatePolicy::load`]) so that `impact gate`
//! does not depend on the plan's sections.

use std::path::Path;

use globset::{GlobBuilder, GlobMatcher};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The coverage Salesforce requires of each class and trigger, and org-wide (percent).
pub const DEFAULT_COVERAGE: f64 = 75.0;

/// The flip rate from which the history calls a test flaky: the one definition's
/// ([`crate::history::FlakyRule`]), which `flaky_threshold` overrides.
pub const DEFAULT_FLAKY_THRESHOLD: f64 = crate::history::FlakyRule::DEFAULT.threshold;

/// What the gate does with a failing test that the history marks flaky.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AllowFlaky {
    /// Every failure fails the gate (the default).
    Never,
    /// A flaky test's failure is excused when another result of it passed.
    Retry,
    /// A flaky test's failure is excused.
    Quarantine,
}

impl AllowFlaky {
    /// The name used in `impact.toml` and the JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            AllowFlaky::Never => "never",
            AllowFlaky::Retry => "retry",
            AllowFlaky::Quarantine => "quarantine",
        }
    }
}

/// The thresholds in force for one evaluation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Thresholds {
    /// Minimum coverage of each changed class and trigger, percent; 0 disables the rule.
    pub coverage: f64,
    /// Minimum org-wide coverage, percent; 0 disables the rule.
    pub org_coverage: f64,
    /// What to do with failures of flaky tests.
    pub allow_flaky: AllowFlaky,
    /// Flip rate (0–1) from which a test counts as flaky.
    pub flaky_threshold: f64,
    /// Whether every planned test must have run.
    pub require_planned: bool,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds {
            coverage: DEFAULT_COVERAGE,
            org_coverage: DEFAULT_COVERAGE,
            allow_flaky: AllowFlaky::Never,
            flaky_threshold: DEFAULT_FLAKY_THRESHOLD,
            require_planned: true,
        }
    }
}

/// Overrides of the thresholds for branches matching a glob.
#[derive(Clone, Debug)]
pub struct BranchRule {
    /// The glob as written (`release/*`); `*` does not cross `/`, `**` does.
    pub pattern: String,
    matcher: GlobMatcher,
    coverage: Option<f64>,
    org_coverage: Option<f64>,
    allow_flaky: Option<AllowFlaky>,
    flaky_threshold: Option<f64>,
    require_planned: Option<bool>,
}

/// The gate's policy: default thresholds and per-branch overrides.
#[derive(Clone, Debug, Default)]
pub struct GatePolicy {
    /// Thresholds for branches no rule matches.
    pub defaults: Thresholds,
    /// Overrides, in file order; the first matching rule applies.
    pub branches: Vec<BranchRule>,
}

/// `impact.toml` as the gate sees it: only `[gate]`; other sections belong to
/// [`crate::config`].
#[derive(Debug, Default, Deserialize)]
struct RawFile {
    #[serde(default)]
    gate: RawGate,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGate {
    coverage: Option<f64>,
    org_coverage: Option<f64>,
    allow_flaky: Option<AllowFlaky>,
    flaky_threshold: Option<f64>,
    require_planned: Option<bool>,
    #[serde(default)]
    branch: Vec<RawBranch>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBranch {
    pattern: String,
    coverage: Option<f64>,
    org_coverage: Option<f64>,
    allow_flaky: Option<AllowFlaky>,
    flaky_threshold: Option<f64>,
    require_planned: Option<bool>,
}

/// Thresholds a section sets; the others are inherited.
struct Overrides {
    coverage: Option<f64>,
    org_coverage: Option<f64>,
    allow_flaky: Option<AllowFlaky>,
    flaky_threshold: Option<f64>,
    require_planned: Option<bool>,
}

impl GatePolicy {
    /// Reads the `[gate]` section of an `impact.toml`; a missing file is an error
    /// (use [`GatePolicy::load_or_default`] for the repository's optional file).
    pub fn load(path: &Path) -> Result<GatePolicy> {
        let text = std::fs::read_to_string(path).map_err(|error| Error::UnreadableFile {
            path: path.to_path_buf(),
            reason: error.to_string().to_lowercase(),
        })?;
        GatePolicy::parse(path, &text)
    }

    /// Like [`GatePolicy::load`], but a missing file gives the default policy.
    pub fn load_or_default(path: &Path) -> Result<GatePolicy> {
        match std::fs::metadata(path) {
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(GatePolicy::default()),
            _ => GatePolicy::load(path),
        }
    }

    /// Parses the text of an `impact.toml`; `path` only names the file in errors.
    pub fn parse(path: &Path, text: &str) -> Result<GatePolicy> {
        let malformed = |reason: String| Error::MalformedConfig {
            path: path.to_path_buf(),
            reason,
        };
        let raw: RawFile =
            toml::from_str(text).map_err(|error| malformed(error.message().to_string()))?;
        let gate = raw.gate;
        let defaults = apply(
            &Thresholds::default(),
            &Overrides {
                coverage: gate.coverage,
                org_coverage: gate.org_coverage,
                allow_flaky: gate.allow_flaky,
                flaky_threshold: gate.flaky_threshold,
                require_planned: gate.require_planned,
            },
        );
        check(&defaults).map_err(&malformed)?;
        let mut branches = Vec::new();
        for branch in gate.branch {
            let matcher = GlobBuilder::new(&branch.pattern)
                .literal_separator(true)
                .build()
                .map_err(|error| malformed(format!("gate.branch pattern: {error}")))?
                .compile_matcher();
            let rule = BranchRule {
                pattern: branch.pattern,
                matcher,
                coverage: branch.coverage,
                org_coverage: branch.org_coverage,
                allow_flaky: branch.allow_flaky,
                flaky_threshold: branch.flaky_threshold,
                require_planned: branch.require_planned,
            };
            check(&rule.apply(&defaults))
                .map_err(|reason| malformed(format!("gate.branch `{}`: {reason}", rule.pattern)))?;
            branches.push(rule);
        }
        Ok(GatePolicy { defaults, branches })
    }

    /// The thresholds for `branch` (`refs/heads/` is ignored) and the pattern of the
    /// rule that matched, if any.
    pub fn thresholds(&self, branch: Option<&str>) -> (Thresholds, Option<&str>) {
        let branch = branch.map(|b| b.strip_prefix("refs/heads/").unwrap_or(b));
        let rule = branch.and_then(|b| self.branches.iter().find(|r| r.matcher.is_match(b)));
        match rule {
            Some(rule) => (rule.apply(&self.defaults), Some(rule.pattern.as_str())),
            None => (self.defaults.clone(), None),
        }
    }
}

impl BranchRule {
    fn apply(&self, defaults: &Thresholds) -> Thresholds {
        apply(
            defaults,
            &Overrides {
                coverage: self.coverage,
                org_coverage: self.org_coverage,
                allow_flaky: self.allow_flaky,
                flaky_threshold: self.flaky_threshold,
                require_planned: self.require_planned,
            },
        )
    }
}

fn apply(base: &Thresholds, raw: &Overrides) -> Thresholds {
    Thresholds {
        coverage: raw.coverage.unwrap_or(base.coverage),
        org_coverage: raw.org_coverage.unwrap_or(base.org_coverage),
        allow_flaky: raw.allow_flaky.unwrap_or(base.allow_flaky),
        flaky_threshold: raw.flaky_threshold.unwrap_or(base.flaky_threshold),
        require_planned: raw.require_planned.unwrap_or(base.require_planned),
    }
}

/// Rejects percentages outside 0–100 and flip rates outside 0–1.
fn check(thresholds: &Thresholds) -> std::result::Result<(), String> {
    let percent = |value: f64| (0.0..=100.0).contains(&value);
    if !percent(thresholds.coverage) {
        return Err(format!(
            "coverage {} is not a percentage (0-100)",
            thresholds.coverage
        ));
    }
    if !percent(thresholds.org_coverage) {
        return Err(format!(
            "org_coverage {} is not a percentage (0-100)",
            thresholds.org_coverage
        ));
    }
    if !(0.0..=1.0).contains(&thresholds.flaky_threshold) {
        return Err(format!(
            "flaky_threshold {} is not a rate (0-1)",
            thresholds.flaky_threshold
        ));
    }
    Ok(())
}
