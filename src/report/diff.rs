//! `impact diff`: the changed components, and the manifests that deploy the delta.

use crate::changes::{Change, ChangeKind};
use crate::metadata::component::ComponentId;
use crate::metadata::manifest;
use crate::metadata::types;
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
pub fn render_json(base: &str, head: &str, changes: &[Change]) -> String {
    let changes: Vec<super::plan::Change> = changes.iter().map(super::assemble::change).collect();
    let diff = DiffJson {
        schema: "impact.diff/v1",
        base,
        head,
        changes: &changes,
    };
    let mut text = serde_json::to_string_pretty(&diff).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}

/// One line per changed component.
pub fn render_text(changes: &[Change]) -> String {
    let mut out = String::new();
    for change in changes {
        let _ = writeln!(
            out,
            "{}",
            super::text::change_line(&super::assemble::change(change))
        );
    }
    out
}

/// `package.xml` (added, modified) and `destructiveChanges.xml` (deleted). Jest tests are not metadata and are left out; children that cannot be
/// deployed alone (a field translation) are deployed through their parent.
pub fn manifests(changes: &[Change], api_version: &str) -> (String, String) {
    let mut deploy: Vec<ComponentId> = Vec::new();
    let mut destroy: Vec<ComponentId> = Vec::new();
    for change in changes {
        if change.component.is_type(types::LWC_JEST_TEST) {
            continue;
        }
        if let Some(parent) = unaddressable_parent(&change.component) {
            if change.kind != ChangeKind::Deleted && !deploy.contains(&parent) {
                deploy.push(parent);
            }
            continue;
        }
        match change.kind {
            // Salesforce cannot delete a standard object, field or value set.
            ChangeKind::Deleted if is_standard(&change.component) => {}
            // A container of many components (a workflow, sharing rules, labels) is
            // deleted through its children, as sfdx-git-delta does.
            ChangeKind::Deleted if deleted_through_children(&change.component, changes) => {}
            ChangeKind::Deleted => destroy.push(change.component.clone()),
            ChangeKind::Added | ChangeKind::Modified => deploy.push(change.component.clone()),
        }
    }
    (
        manifest::write_package_xml(&deploy, api_version),
        manifest::write_package_xml(&destroy, api_version),
    )
}

/// True for standard objects, standard fields and standard value sets: only custom
/// names carry a `__` suffix (`Invoice__c`, `Config__mdt`, `ns__Field__c`).
fn is_standard(component: &ComponentId) -> bool {
    let name = component.full_name();
    if component.is_type(types::STANDARD_VALUE_SET) {
        return true;
    }
    if component.is_type(types::CUSTOM_OBJECT) {
        return !name.contains("__");
    }
    if component.is_type(types::CUSTOM_FIELD) {
        let field = name.rsplit_once('.').map_or(name, |(_, field)| field);
        return !field.contains("__");
    }
    false
}

/// True when `container` holds many components per file and some of its children are
/// deleted in `changes`: the children are listed, not the container.
fn deleted_through_children(container: &ComponentId, changes: &[Change]) -> bool {
    let is_container =
        types::type_info(container.type_name()).is_some_and(|info| info.many_per_file);
    is_container
        && changes.iter().any(|change| {
            change.kind == ChangeKind::Deleted && change.component.is_child_of(container)
        })
}

/// The parent to deploy instead of a component that cannot be addressed alone.
fn unaddressable_parent(component: &ComponentId) -> Option<ComponentId> {
    let info = types::type_info(component.type_name())?;
    if info.addressable {
        return None;
    }
    let parent_type = info.parent?;
    let (parent_name, _) = component.full_name().rsplit_once('.')?;
    Some(ComponentId::new(parent_type, parent_name))
}
