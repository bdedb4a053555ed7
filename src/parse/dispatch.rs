//! Which parser reads which file: by the component's metadata type and the file's name.

use super::{apex, flow, lwc, markup, multi, objects, suite, xml};
use crate::facts::{stable_hash, Facts};
use crate::metadata::component::ComponentId;

/// Parses one file of a component. Never fails: content that is not UTF-8 or not a
/// format `impact` reads is hashed as bytes, so a change to it is still seen.
pub fn parse_file(component: &ComponentId, path: &str, content: &[u8]) -> Facts {
    let mut facts = read_file(component, path, content);
    facts.share_ids();
    facts
}

/// [`parse_file`] before the ids are shared.
fn read_file(component: &ComponentId, path: &str, content: &[u8]) -> Facts {
    let name = path.rsplit('/').next().unwrap_or(path);
    let Ok(text) = std::str::from_utf8(content) else {
        return opaque(component, content);
    };
    let type_name = component.type_name();
    let is = |t: &str| type_name.eq_ignore_ascii_case(t);
    if is("ApexClass") && name.ends_with(".cls") {
        return apex::parse_apex(component, apex::ApexFileKind::Class, text);
    }
    if is("ApexTrigger") && name.ends_with(".trigger") {
        return apex::parse_apex(component, apex::ApexFileKind::Trigger, text);
    }
    if is("LwcJestTest") {
        let bundle = jest_bundle(path);
        return lwc::parse_jest_test(component, &bundle, text);
    }
    if is("LightningComponentBundle") {
        if name.ends_with(".js") {
            return lwc::parse_lwc_js(component, text);
        }
        if name.ends_with(".html") {
            return lwc::parse_lwc_html(component, text);
        }
    }
    if is("AuraDefinitionBundle")
        && [".cmp", ".app", ".evt", ".intf"]
            .iter()
            .any(|suffix| name.ends_with(suffix))
    {
        return markup::parse_aura(component, text);
    }
    if (is("ApexPage") && name.ends_with(".page"))
        || (is("ApexComponent") && name.ends_with(".component"))
    {
        return markup::parse_visualforce(component, text);
    }
    if !name.ends_with(".xml") {
        return opaque(component, content);
    }
    match type_name.to_ascii_lowercase().as_str() {
        "flow" => flow::parse_flow(component, text),
        "flowtest" => flow::parse_flow_test(component, text),
        "apextestsuite" => suite::parse_test_suite(component, text),
        "customobject" => objects::parse_object(component, text),
        "customfield" => objects::parse_field(component, text),
        "validationrule" => objects::parse_validation_rule(component, text),
        "custommetadata" => objects::parse_custom_metadata_record(component, text),
        "customlabels" => multi::parse_labels(text),
        "workflow" => multi::parse_workflow(component, text),
        "sharingrules" => multi::parse_sharing_rules(component, text),
        _ if component.full_name().contains('.') && is_object_child(type_name) => {
            objects::parse_object_child_generic(component, text)
        }
        _ => xml::parse_generic(component, text),
    }
}

fn is_object_child(type_name: &str) -> bool {
    [
        "RecordType",
        "ListView",
        "CompactLayout",
        "WebLink",
        "FieldSet",
        "BusinessProcess",
        "Index",
        "SharingReason",
    ]
    .iter()
    .any(|t| t.eq_ignore_ascii_case(type_name))
}

/// The bundle a Jest test belongs to: `…/lwc/<bundle>/__tests__/x.test.js`.
fn jest_bundle(path: &str) -> ComponentId {
    let segments: Vec<&str> = path.split('/').collect();
    let bundle = segments
        .iter()
        .rposition(|segment| *segment == "__tests__")
        .and_then(|position| position.checked_sub(1))
        .and_then(|position| segments.get(position))
        .copied()
        .unwrap_or("");
    ComponentId::new("LightningComponentBundle", bundle)
}

/// Facts of a file `impact` does not read: the component, and a hash of the bytes.
fn opaque(component: &ComponentId, content: &[u8]) -> Facts {
    let hash = stable_hash([String::from_utf8_lossy(content).as_ref()]);
    Facts {
        declares: vec![xml::component_decl(component, (1, 1), hash)],
        uses: Vec::new(),
        problems: Vec::new(),
        semantic_hash: hash,
    }
}
