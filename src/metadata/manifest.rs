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
    let mut package = PackageReader::default();
    loop {
        let position = reader.buffer_position();
        let event = reader.read_event().map_err(|e| {
            malformed(format!(
                "{e} (line {})",
                line_of(text, reader.error_position())
            ))
        })?;
        let at = |e: &dyn std::fmt::Display| format!("{e} (line {})", line_of(text, position));
        // Only the text of `Package/types/members` and `Package/types/name` matters.
        let in_value = package.in_value();
        match event {
            Event::Start(start) => package.start(local_name(&start)).map_err(malformed)?,
            Event::Empty(start) => package.empty(local_name(&start)).map_err(malformed)?,
            Event::Text(t) if in_value => {
                let decoded = t.xml10_content().map_err(|e| malformed(at(&e)))?;
                package.text.push_str(&decoded);
            }
            Event::CData(c) if in_value => {
                let decoded = c.decode().map_err(|e| malformed(at(&e)))?;
                package.text.push_str(&decoded);
            }
            Event::GeneralRef(r) if in_value => match r.resolve_char_ref() {
                Ok(Some(ch)) => package.text.push(ch),
                Ok(None) => {
                    let entity = r.decode().map_err(|e| malformed(at(&e)))?;
                    let value = resolve_xml_entity(&entity)
                        .ok_or_else(|| malformed(at(&format!("unknown entity `&{entity};`"))))?;
                    package.text.push_str(value);
                }
                Err(e) => return Err(malformed(at(&e))),
            },
            Event::End(_) => package.end(|| line_of(text, position)).map_err(malformed)?,
            Event::Eof => break,
            _ => {}
        }
    }
    package.finish().map_err(malformed)
}

/// An element's local name (prefixes such as `md:` dropped).
fn local_name(start: &quick_xml::events::BytesStart<'_>) -> String {
    String::from_utf8_lossy(start.local_name().as_ref()).into_owned()
}

/// The state of reading a `package.xml`, element by element; errors are the reason
/// the manifest is malformed.
#[derive(Default)]
struct PackageReader {
    /// Local names of the open elements, the root first.
    stack: Vec<String>,
    saw_root: bool,
    /// The text of the open `members` or `name` element.
    text: String,
    /// The members of the open `types` element.
    members: Vec<String>,
    /// The name of the open `types` element.
    type_name: Option<String>,
    components: Vec<ComponentId>,
    seen: HashSet<ComponentId>,
}

impl PackageReader {
    /// Whether the open element is `Package/types/members` or `Package/types/name`.
    fn in_value(&self) -> bool {
        self.stack.len() == 3 && matches!(self.stack[2].as_str(), "members" | "name")
    }

    fn start(&mut self, name: String) -> std::result::Result<(), String> {
        if self.stack.is_empty() {
            if self.saw_root {
                return Err("more than one root element".into());
            }
            check_root(&name)?;
            self.saw_root = true;
        }
        if self.stack.len() == 1 && name == "types" {
            self.members.clear();
            self.type_name = None;
        }
        self.text.clear();
        self.stack.push(name);
        Ok(())
    }

    fn empty(&mut self, name: String) -> std::result::Result<(), String> {
        if self.stack.is_empty() {
            check_root(&name)?;
            // `<Package/>`: an empty manifest.
            self.saw_root = true;
        }
        Ok(())
    }

    /// An end tag; `line` is where it is, for the error of a `types` without a name.
    fn end(&mut self, line: impl Fn() -> usize) -> std::result::Result<(), String> {
        let Some(name) = self.stack.pop() else {
            return Err("unexpected closing tag".into());
        };
        match (self.stack.len(), name.as_str()) {
            (2, "members") => {
                let member = self.text.trim();
                if !member.is_empty() {
                    self.members.push(member.to_string());
                }
            }
            (2, "name") => self.type_name = Some(self.text.trim().to_string()),
            (1, "types") => {
                let name = self
                    .type_name
                    .take()
                    .filter(|n| !n.is_empty())
                    .ok_or_else(|| format!("a <types> element has no <name> (line {})", line()))?;
                for member in self.members.drain(..) {
                    let id = ComponentId::new(&name, &member);
                    if self.seen.insert(id.clone()) {
                        self.components.push(id);
                    }
                }
            }
            _ => {}
        }
        self.text.clear();
        Ok(())
    }

    /// The components read, once the document ended.
    fn finish(self) -> std::result::Result<Vec<ComponentId>, String> {
        if let Some(open) = self.stack.last() {
            return Err(format!("the file ends inside <{open}>"));
        }
        if !self.saw_root {
            return Err("no <Package> element".into());
        }
        Ok(self.components)
    }
}

/// The root element must be `Package`.
fn check_root(name: &str) -> std::result::Result<(), String> {
    if name == "Package" {
        Ok(())
    } else {
        Err(format!("the root element is <{name}>, not <Package>"))
    }
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
