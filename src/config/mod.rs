//! `impact.toml` at the repository root: what no graph can see, written down by the team.
//!
//! ```toml
//! max_changes = 500                      # more changed components run all local tests
//!
//! [tests]
//! always_run = ["SmokeTest"]             # Apex test classes that run on every plan
//!
//! [ignore]
//! paths = ["force-app/main/default/staticresources/docs/**"]   # never count as changes
//!
//! [fallback]
//! paths = ["force-app/main/default/settings/**"]   # a change here runs all local tests
//! source_api_version = true              # false: a `sourceApiVersion` bump alone runs no more tests
//! dependencies = true                    # false: a package dependency's new version alone runs no more tests
//!
//! [[mapping]]                            # a change here selects these tests
//! paths = ["force-app/main/default/staticresources/pricing_*"]
//! tests = ["PricingEngineTest"]
//!
//! [coverage]
//! threshold = 75                         # predicted coverage (percent) a changed class needs
//! fallback_on_uncovered = false          # true: deployed Apex no test covers runs all local tests
//! ```
//!
//! A missing file is an empty config; a malformed one is an input error naming the file.

mod gate;

pub use gate::{
    AllowFlaky, BranchRule, GatePolicy, Thresholds, DEFAULT_COVERAGE, DEFAULT_FLAKY_THRESHOLD,
};

use crate::error::{Error, Result};
use crate::metadata::component::ComponentId;
use crate::metadata::types;
use crate::policy::Policy;
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::path::Path;

/// The file name, at the root of the git working directory.
pub const CONFIG_FILE: &str = "impact.toml";

/// The loaded configuration.
#[derive(Debug, Default)]
pub struct Config {
    pub max_changes: Option<usize>,
    pub always_run: Vec<ComponentId>,
    pub ignore: Option<GlobSet>,
    pub fallback: Option<GlobSet>,
    pub mappings: Vec<(globset::GlobMatcher, Vec<ComponentId>)>,
    /// `[coverage] threshold`: the predicted coverage in percent below which the plan
    /// adds covering tests and reports a coverage risk.
    pub coverage_threshold: Option<f64>,
    /// `[coverage] fallback_on_uncovered`: a deployed Apex class or trigger that no test
    /// covers makes the plan fall back to `RunLocalTests`.
    pub fallback_on_uncovered: bool,
    /// `[fallback] source_api_version`: whether a `sourceApiVersion` bump falls back
    /// (`None`: the policy's default, it does).
    pub fallback_on_source_api_version: Option<bool>,
    /// `[fallback] dependencies`: whether a change to a package's dependencies falls
    /// back (`None`: the policy's default, it does).
    pub fallback_on_dependencies: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    max_changes: Option<usize>,
    #[serde(default)]
    tests: RawTests,
    #[serde(default)]
    ignore: RawPaths,
    #[serde(default)]
    fallback: RawFallback,
    #[serde(default)]
    mapping: Vec<RawMapping>,
    #[serde(default)]
    coverage: RawCoverage,
    /// `[gate]` is read on its own by [`GatePolicy`]; here it is only allowed.
    #[serde(default)]
    #[allow(dead_code)]
    gate: Option<toml::Table>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCoverage {
    threshold: Option<f64>,
    #[serde(default)]
    fallback_on_uncovered: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTests {
    #[serde(default)]
    always_run: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPaths {
    #[serde(default)]
    paths: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFallback {
    #[serde(default)]
    paths: Vec<String>,
    source_api_version: Option<bool>,
    dependencies: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    paths: Vec<String>,
    tests: Vec<String>,
}

impl Config {
    /// Loads `impact.toml` from `dir`; a missing file is an empty config.
    pub fn load(dir: &Path) -> Result<Config> {
        let path = dir.join(CONFIG_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Config::parse(&path, &text),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(error) => Err(Error::UnreadableFile {
                path,
                reason: error.to_string(),
            }),
        }
    }

    /// Parses the text of a config file; `path` is for messages.
    pub fn parse(path: &Path, text: &str) -> Result<Config> {
        let malformed = |reason: String| Error::MalformedConfig {
            path: path.to_path_buf(),
            reason,
        };
        let raw: RawConfig =
            toml::from_str(text).map_err(|error| malformed(error.message().to_string()))?;
        let set = |paths: &[String]| -> Result<Option<GlobSet>> {
            if paths.is_empty() {
                return Ok(None);
            }
            let mut builder = GlobSetBuilder::new();
            for pattern in paths {
                builder.add(glob(pattern).map_err(&malformed)?);
            }
            builder
                .build()
                .map(Some)
                .map_err(|error| malformed(error.to_string()))
        };
        let mut mappings = Vec::new();
        for mapping in &raw.mapping {
            let tests: Vec<ComponentId> = mapping.tests.iter().map(|name| test_id(name)).collect();
            for pattern in &mapping.paths {
                let matcher = glob(pattern).map_err(&malformed)?.compile_matcher();
                mappings.push((matcher, tests.clone()));
            }
        }
        if let Some(threshold) = raw.coverage.threshold {
            if !(0.0..=100.0).contains(&threshold) {
                return Err(malformed(format!(
                    "`[coverage] threshold` must be a percentage from 0 to 100, not {threshold}"
                )));
            }
        }
        Ok(Config {
            coverage_threshold: raw.coverage.threshold,
            fallback_on_uncovered: raw.coverage.fallback_on_uncovered,
            max_changes: raw.max_changes,
            always_run: raw
                .tests
                .always_run
                .iter()
                .map(|name| test_id(name))
                .collect(),
            ignore: set(&raw.ignore.paths)?,
            fallback: set(&raw.fallback.paths)?,
            fallback_on_source_api_version: raw.fallback.source_api_version,
            fallback_on_dependencies: raw.fallback.dependencies,
            mappings,
        })
    }

    /// Applies the config to a policy whose other settings come from flags.
    pub fn apply(self, policy: &mut Policy) {
        policy.always_run.extend(self.always_run);
        policy.fallback_globs = self.fallback;
        policy.mappings = self.mappings;
        policy.fallback_on_uncovered |= self.fallback_on_uncovered;
        if let Some(falls_back) = self.fallback_on_source_api_version {
            policy.fallback_on_source_api_version = falls_back;
        }
        if let Some(falls_back) = self.fallback_on_dependencies {
            policy.fallback_on_dependencies = falls_back;
        }
    }
}

fn glob(pattern: &str) -> std::result::Result<Glob, String> {
    globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map_err(|error| format!("bad glob `{pattern}`: {error}"))
}

/// A test named in the config: `Name` is an Apex class, `Type:Name` anything else.
fn test_id(name: &str) -> ComponentId {
    ComponentId::parse(name).unwrap_or_else(|| ComponentId::new(types::APEX_CLASS, name.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_section() {
        let config = Config::parse(
            Path::new("impact.toml"),
            r#"
max_changes = 10
[tests]
always_run = ["SmokeTest", "FlowTest:Invoice_Test"]
[ignore]
paths = ["docs/**"]
[fallback]
paths = ["force-app/main/default/settings/**"]
source_api_version = false
dependencies = false
[[mapping]]
paths = ["force-app/**/staticresources/pricing_*"]
tests = ["PricingTest"]
[coverage]
threshold = 80
"#,
        )
        .unwrap();
        assert_eq!(config.max_changes, Some(10));
        assert_eq!(config.coverage_threshold, Some(80.0));
        assert_eq!(config.fallback_on_source_api_version, Some(false));
        assert_eq!(config.fallback_on_dependencies, Some(false));
        assert_eq!(
            config.always_run[0],
            ComponentId::new("ApexClass", "smoketest")
        );
        assert_eq!(
            config.always_run[1],
            ComponentId::new("FlowTest", "Invoice_Test")
        );
        assert!(config.ignore.unwrap().is_match("docs/a/b.md"));
        assert!(config
            .fallback
            .unwrap()
            .is_match("force-app/main/default/settings/Security.settings-meta.xml"));
        assert!(config.mappings[0]
            .0
            .is_match("force-app/main/default/staticresources/pricing_table.json"));
    }

    #[test]
    fn the_gate_section_belongs_to_the_gate() {
        let config = Config::parse(
            Path::new("impact.toml"),
            "[gate]\ncoverage = 80\n[[gate.branch]]\npattern = \"release/*\"\ncoverage = 90\n",
        );
        assert!(config.is_ok(), "{config:?}");
    }

    #[test]
    fn unknown_keys_and_bad_globs_are_errors() {
        let error = Config::parse(Path::new("impact.toml"), "[tests]\nalways = []\n").unwrap_err();
        assert!(error.to_string().contains("impact.toml"), "{error}");
        let error =
            Config::parse(Path::new("impact.toml"), "[fallback]\npaths = [\"a[\"]\n").unwrap_err();
        assert!(error.to_string().contains("bad glob"), "{error}");
        let error =
            Config::parse(Path::new("impact.toml"), "[coverage]\nthreshold = 120\n").unwrap_err();
        assert!(error.to_string().contains("percentage"), "{error}");
    }
}
