//! Manifests: reading and writing `package.xml` (and `destructiveChanges.xml`, which
//! has the same shape).
//!
//! Reading is tolerant of namespaces and prefixes (elements are matched by local name),
//! of comments and of unknown elements, and keeps `*` wildcard members as components
//! named `*`. Writing produces Salesforce's standard layout, sorted, so the same set of
//! components always gives the same bytes. This module does not decide which
//! components belong in a manifest, and does not expand wildcards.

use crate::error::{Error, Result};
use crate::metadata::component::ComponentId;
use crate::metadata::types;
use quick_xml::escape::{escape, resolve_xml_entity};
use quick_xml::events::Event;
use quick_xml::Reader;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// The namespace of Metadata API manifests.
pub const METADATA_NAMESPACE: &str = "http://soap.sforce.com/2006/04/metadata";

/// Reads the components listed in a `package.xml`, in file order without duplicates.
pub fn read_package_xml(path: &Path) -> Result<Vec<ComponentId>> {
    let bytes = std::fs::read(path).map_err(|e| Error::UnreadableFile {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let text = String::from_utf8(bytes).map_err(|_| Error::MalformedManifest {
        path: path.to_path_buf(),
        reason: "the file is not UTF-8".into(),
    })?;
    parse_package_xml(&text, path)
}

/// Parses the text of a `package.xml`; `path` only names the file in errors.
pub fn parse_package_xml(text: &str, path: &Path) -> Result<Vec<ComponentId>> {
    let text = text.trim_start_matches('\u{feff}');
    let malformed = |reason: String| Error::MalformedManifest {
        path: path.to_path_buf(),
        reason,
    };
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<String> = Vec::new();
    let mut saw_root = false;
    let mut text_buf = String::new();
    let mut members: Vec<String> = Vec::new();
    let mut type_name: Option<String> = None;
    let mut components: Vec<ComponentId> = Vec::new();
    let mut seen: HashSet<ComponentId> = HashSet::new();

    loop {
        let position = reader.buffer_position();
        let event = reader.read_event().map_err(|e| {
            malformed(format!(
                "{e} (line {})",
                line_of(text, reader.error_position())
            ))
        })?;
        // Only the text of `Package/types/members` and `Package/types/name` matters.
        let in_value = stack.len() == 3 && matches!(stack[2].as_str(), "members" | "name");
        match event {
            Event::Start(start) => {
                let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                if stack.is_empty() {
                    if saw_root {
                        return Err(malformed("more than one root element".into()));
                    }
                    if name != "Package" {
                        return Err(malformed(format!(
                            "the root element is <{name}>, not <Package>"
                        )));
                    }
                    saw_root = true;
                }
                if stack.len() == 1 && name == "types" {
                    members.clear();
                    type_name = None;
                }
                text_buf.clear();
                stack.push(name);
            }
            Event::Empty(start) => {
                let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                if stack.is_empty() {
                    if name != "Package" {
                        return Err(malformed(format!(
                            "the root element is <{name}>, not <Package>"
                        )));
                    }
                    // `<Package/>`: an empty manifest.
                    saw_root = true;
                }
            }
            Event::Text(t) if in_value => {
                let decoded = t
                    .xml10_content()
                    .map_err(|e| malformed(format!("{e} (line {})", line_of(text, position))))?;
                text_buf.push_str(&decoded);
            }
            Event::CData(c) if in_value => {
                let decoded = c
                    .decode()
                    .map_err(|e| malformed(format!("{e} (line {})", line_of(text, position))))?;
                text_buf.push_str(&decoded);
            }
            Event::GeneralRef(r) if in_value => {
                let at = || line_of(text, position);
                match r.resolve_char_ref() {
                    Ok(Some(ch)) => text_buf.push(ch),
                    Ok(None) => {
                        let entity = r
                            .decode()
                            .map_err(|e| malformed(format!("{e} (line {})", at())))?;
                        let value = resolve_xml_entity(&entity).ok_or_else(|| {
                            malformed(format!("unknown entity `&{entity};` (line {})", at()))
                        })?;
                        text_buf.push_str(value);
                    }
                    Err(e) => return Err(malformed(format!("{e} (line {})", at()))),
                }
            }
            Event::End(_) => {
                let Some(name) = stack.pop() else {
                    return Err(malformed("unexpected closing tag".into()));
                };
                match (stack.len(), name.as_str()) {
                    (2, "members") => {
                        let member = text_buf.trim();
                        if !member.is_empty() {
                            members.push(member.to_string());
                        }
                    }
                    (2, "name") => type_name = Some(text_buf.trim().to_string()),
                    (1, "types") => {
                        let name = type_name.take().filter(|n| !n.is_empty()).ok_or_else(|| {
                            malformed(format!(
                                "a <types> element has no <name> (line {})",
                                line_of(text, position)
                            ))
                        })?;
                        for member in members.drain(..) {
                            let id = ComponentId::new(&name, &member);
                            if seen.insert(id.clone()) {
                                components.push(id);
                            }
                        }
                    }
                    _ => {}
                }
                text_buf.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(malformed(format!(
            "the file ends inside <{}>",
            stack.last().map_or("", String::as_str)
        )));
    }
    if !saw_root {
        return Err(malformed("no <Package> element".into()));
    }
    Ok(components)
}

/// Writes a manifest listing `components` for `api_version`: types sorted by name,
/// members sorted and deduplicated (both case-insensitively, ties broken by casing).
/// Type names take the registry's casing when the type is known. Apex member nodes
/// ([`crate::metadata::component::MEMBER_TYPE`]) are not metadata and are left out.
pub fn write_package_xml(components: &[ComponentId], api_version: &str) -> String {
    // Keyed by folded name so `apexclass` and `ApexClass` share one <types>.
    let mut types: BTreeMap<(String, String), BTreeMap<(String, String), String>> = BTreeMap::new();
    let mut type_display: BTreeMap<String, String> = BTreeMap::new();
    for component in components {
        if component.is_member() {
            continue;
        }
        let folded = component.type_name().to_lowercase();
        let display = type_display
            .entry(folded.clone())
            .or_insert_with(|| {
                types::type_info(component.type_name())
                    .map_or(component.type_name(), |info| info.name)
                    .to_string()
            })
            .clone();
        let members = types.entry((folded, display)).or_default();
        let member = component.full_name().to_string();
        let member_key = member.to_lowercase();
        // The first casing seen for a case-insensitive name wins.
        if !members.keys().any(|(key, _)| *key == member_key) {
            members.insert((member_key, member.clone()), member);
        }
    }

    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!("<Package xmlns=\"{METADATA_NAMESPACE}\">\n"));
    for ((_, type_name), members) in &types {
        out.push_str("    <types>\n");
        for member in members.values() {
            out.push_str(&format!("        <members>{}</members>\n", escape(member)));
        }
        out.push_str(&format!("        <name>{}</name>\n", escape(type_name)));
        out.push_str("    </types>\n");
    }
    out.push_str(&format!(
        "    <version>{}</version>\n",
        escape(api_version.trim())
    ));
    out.push_str("</Package>\n");
    out
}

/// 1-based line number of a byte offset in `text`.
fn line_of(text: &str, offset: u64) -> usize {
    let offset = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<ComponentId>> {
        parse_package_xml(text, Path::new("package.xml"))
    }

    fn ids(list: &[&str]) -> Vec<ComponentId> {
        list.iter()
            .map(|s| ComponentId::parse(s).unwrap())
            .collect()
    }

    fn reason(result: Result<Vec<ComponentId>>) -> String {
        match result {
            Err(Error::MalformedManifest { reason, .. }) => reason,
            other => panic!("expected MalformedManifest, got {other:?}"),
        }
    }

    #[test]
    fn reads_types_members_and_wildcards() {
        let text = r#"<?xml version="1.0" encoding="UTF-8"?>
<Package xmlns="http://soap.sforce.com/2006/04/metadata">
    <!-- generated by sfdx-git-delta -->
    <types>
        <members>InvoiceService</members>
        <members> Billing </members>
        <name>ApexClass</name>
    </types>
    <types>
        <name>CustomField</name>
        <members>Invoice__c.Amount__c</members>
    </types>
    <types><members>*</members><name>Flow</name></types>
    <types><members>Account-Account Layout</members><name>Layout</name></types>
    <types><members>invoiceservice</members><name>ApexClass</name></types>
    <version>62.0</version>
</Package>"#;
        let components = parse(text).unwrap();
        assert_eq!(
            components,
            ids(&[
                "ApexClass:InvoiceService",
                "ApexClass:Billing",
                "CustomField:Invoice__c.Amount__c",
                "Flow:*",
                "Layout:Account-Account Layout",
            ])
        );
        assert_eq!(components[0].full_name(), "InvoiceService");
    }

    #[test]
    fn tolerates_prefixes_entities_cdata_and_no_namespace() {
        let text = "\u{feff}<md:Package xmlns:md=\"http://soap.sforce.com/2006/04/metadata\">\
            <md:types><md:members>A&amp;B</md:members><md:members><![CDATA[C<D]]></md:members>\
            <md:members>&#x45;</md:members><md:name>Layout</md:name></md:types></md:Package>";
        assert_eq!(
            parse(text).unwrap(),
            ids(&["Layout:A&B", "Layout:C<D", "Layout:E"])
        );
        assert_eq!(parse("<Package/>").unwrap(), vec![]);
        assert_eq!(
            parse("<Package><types><members>X</members><name>ApexClass</name></types></Package>")
                .unwrap(),
            ids(&["ApexClass:X"])
        );
    }

    #[test]
    fn malformed_manifests_say_why() {
        assert!(reason(parse("<Project/>")).contains("<Project>"));
        assert!(reason(parse("")).contains("no <Package>"));
        assert!(reason(parse(
            "<Package><types><members>A</members></types></Package>"
        ))
        .contains("no <name>"));
        assert!(reason(parse("<Package><types>")).contains("ends inside"));
        let mismatched = reason(parse("<Package>\n<types></name></Package>"));
        assert!(mismatched.contains("line 2"), "{mismatched}");
        assert!(reason(parse(
            "<Package><types><members>&bogus;</members><name>X</name></types></Package>"
        ))
        .contains("bogus"));
    }

    #[test]
    fn unreadable_and_non_utf8_files() {
        let dir = tempfile::TempDir::new().unwrap();
        let missing = dir.path().join("missing.xml");
        assert!(matches!(
            read_package_xml(&missing),
            Err(Error::UnreadableFile { .. })
        ));
        let latin1 = dir.path().join("latin1.xml");
        std::fs::write(&latin1, b"<Package>\xe9</Package>").unwrap();
        let err = read_package_xml(&latin1).unwrap_err();
        assert!(err.to_string().contains("latin1.xml"), "{err}");
    }

    #[test]
    fn writes_the_standard_layout_sorted() {
        let components = ids(&[
            "CustomField:Invoice__c.Amount__c",
            "apexclass:b_service",
            "ApexClass:A_Service",
            "ApexClass:B_Service",
            "ApexMethod:A_Service.total",
            "Layout:Account-Account Layout",
            "CustomLabel:Greeting&Bye",
        ]);
        let xml = write_package_xml(&components, "62.0");
        let expected = r#"<?xml version="1.0" encoding="UTF-8"?>
<Package xmlns="http://soap.sforce.com/2006/04/metadata">
    <types>
        <members>A_Service</members>
        <members>b_service</members>
        <name>ApexClass</name>
    </types>
    <types>
        <members>Invoice__c.Amount__c</members>
        <name>CustomField</name>
    </types>
    <types>
        <members>Greeting&amp;Bye</members>
        <name>CustomLabel</name>
    </types>
    <types>
        <members>Account-Account Layout</members>
        <name>Layout</name>
    </types>
    <version>62.0</version>
</Package>
"#;
        assert_eq!(xml, expected);
    }

    #[test]
    fn empty_manifest_and_round_trip() {
        let empty = write_package_xml(&[], "61.0");
        assert!(empty.contains("<version>61.0</version>"));
        assert_eq!(parse(&empty).unwrap(), vec![]);
        let components = ids(&[
            "Flow:*",
            "ApexTrigger:InvoiceTrigger",
            "Report:Billing/Open",
        ]);
        let round = parse(&write_package_xml(&components, "62.0")).unwrap();
        let mut expected = components.clone();
        expected.sort();
        let mut round_sorted = round.clone();
        round_sorted.sort();
        assert_eq!(round_sorted, expected);
    }
}
