//! `impact diff`: the changed components, and the manifests that deploy the delta.

use super::plan::Plan;
use crate::changes::{Change, ChangeKind};
use crate::metadata::component::ComponentId;
use crate::metadata::manifest;
use serde::Serialize;
use std::fmt::Write;

/// API version written into manifests when `sfdx-project.json` sets none.
pub const DEFAULT_API_VERSION: &str = "62.0";

#[derive(Serialize)]
struct DiffJson<'a> {
    schema: &'static str,
    base: &'a str,
    head: &'a str,
    changes: &'a [super::plan::Change],
}

/// `{"schema": "impact.diff/v1", "base", "head", "changes": [...]}` (changes as in the plan).
pub fn render_json(plan: &Plan) -> String {
    let diff = DiffJson {
        schema: "impact.diff/v1",
        base: &plan.base,
        head: &plan.head,
        changes: &plan.changes,
    };
    let mut text = serde_json::to_string_pretty(&diff).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}

/// One line per changed component.
pub fn render_text(plan: &Plan) -> String {
    let mut out = String::new();
    for change in &plan.changes {
        let note = if change.semantic {
            ""
        } else {
            "  (comments or whitespace only)"
        };
        let _ = writeln!(
            out,
            "{:<9} {}:{}{}",
            change.change, change.type_name, change.name, note
        );
    }
    out
}

/// `package.xml` (added, modified, renamed-to) and `destructiveChanges.xml` (deleted,
/// renamed-from). Jest tests are not metadata and are left out.
pub fn manifests(changes: &[Change], api_version: &str) -> (String, String) {
    let mut deploy: Vec<ComponentId> = Vec::new();
    let mut destroy: Vec<ComponentId> = Vec::new();
    for change in changes {
        if change.component.is_type("LwcJestTest") {
            continue;
        }
        match change.kind {
            ChangeKind::Deleted => destroy.push(change.component.clone()),
            ChangeKind::Renamed => {
                deploy.push(change.component.clone());
                if let Some(previous) = &change.previous {
                    destroy.push(previous.clone());
                }
            }
            ChangeKind::Added | ChangeKind::Modified => deploy.push(change.component.clone()),
        }
    }
    (
        manifest::write_package_xml(&deploy, api_version),
        manifest::write_package_xml(&destroy, api_version),
    )
}
