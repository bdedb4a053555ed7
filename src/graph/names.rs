//! Name helpers of the graph: test stems, short names, SObject ids, type-name parts.

use crate::metadata::component::ComponentId;
use crate::metadata::types;

/// The element type a collection method returns: `List<X>.get` → `X`,
/// `Map<K, V>.get` → `V`, `Map<K, V>.values` → `List<V>`, `X[].get` → `X`.
pub(super) fn element_type(collection: &str, method: &str) -> Option<String> {
    let collection = collection.trim();
    let method = method.to_ascii_lowercase();
    if let Some(element) = collection.strip_suffix("[]") {
        return matches!(method.as_str(), "get" | "remove").then(|| element.trim().to_string());
    }
    let open = collection.find('<')?;
    let close = collection.rfind('>')?;
    if close <= open {
        return None;
    }
    let base = collection[..open].trim().to_ascii_lowercase();
    let base = base.strip_prefix("system.").unwrap_or(&base).to_string();
    let args = split_generic_args(&collection[open + 1..close]);
    match (base.as_str(), args.as_slice()) {
        ("list" | "set" | "iterable" | "iterator", [element]) => match method.as_str() {
            "get" | "remove" | "next" => Some(element.clone()),
            "clone" | "deepclone" => Some(collection.to_string()),
            "iterator" => Some(format!("Iterator<{element}>")),
            _ => None,
        },
        ("map", [key, value]) => match method.as_str() {
            "get" | "remove" | "put" => Some(value.clone()),
            "values" => Some(format!("List<{value}>")),
            "keyset" => Some(format!("Set<{key}>")),
            "clone" | "deepclone" => Some(collection.to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// Splits `String, List<Foo>` at top-level commas.
pub(super) fn split_generic_args(text: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for c in text.chars() {
        match c {
            '<' => {
                depth += 1;
                current.push(c);
            }
            '>' => {
                depth = depth.saturating_sub(1);
                current.push(c);
            }
            ',' if depth == 0 => {
                args.push(current.trim().to_string());
                current.clear();
            }
            _ => current.push(c),
        }
    }
    if !current.trim().is_empty() {
        args.push(current.trim().to_string());
    }
    args
}

/// Whether an object name is a platform event's (`Order_Shipped__e`).
pub(super) fn is_platform_event(name: &str) -> bool {
    let bytes = name.as_bytes();
    bytes.len() > 3 && bytes[bytes.len() - 3..].eq_ignore_ascii_case(b"__e")
}

/// Whether a test class (its name case-folded) is named for one of `classes` (case-folded
/// class names): `FooTest` for `Foo`, and `ADDR_Addresses_TEST` for
/// `ADDR_Addresses_TDTM`, as `named-test` edges match them.
pub fn named_for(test: &str, classes: &std::collections::HashSet<String>) -> bool {
    let stems = test_stems(test);
    classes.iter().any(|class| {
        let short = class
            .rsplit_once('_')
            .map(|(stem, _)| stem)
            .filter(|stem| stem.contains('_'));
        stems
            .iter()
            .any(|stem| *stem == class.as_str() || Some(*stem) == short)
    })
}

/// The class names a test class's name says it tests, case-folded: `FooTest`,
/// `Foo_Tests`, `TestFoo`, `Test_Foo` → `foo`. Empty for a name with no test affix.
pub(super) fn test_stems(test: &str) -> Vec<&str> {
    let mut stems = Vec::new();
    for suffix in ["_tests", "_test", "tests", "test"] {
        if let Some(stem) = test.strip_suffix(suffix).filter(|s| !s.is_empty()) {
            stems.push(stem.trim_end_matches('_'));
            break;
        }
    }
    for prefix in ["test_", "test"] {
        if let Some(stem) = test.strip_prefix(prefix).filter(|s| !s.is_empty()) {
            stems.push(stem.trim_start_matches('_'));
            break;
        }
    }
    stems.retain(|stem| !stem.is_empty());
    stems
}

/// The name code uses for a component whose full name is qualified by its container:
/// a string-referenced child (`Partner` of `RecordType:Account.Partner`) or foldered
/// component (`Welcome` of `EmailTemplate:Mail/Welcome`).
pub(super) fn short_name(id: &ComponentId) -> Option<&str> {
    let info = types::type_info(id.type_name())?;
    if !info.string_refs {
        return None;
    }
    let separator = if info.folder_type.is_some() {
        '/'
    } else if info.parent.is_some() {
        '.'
    } else {
        return None;
    };
    id.full_name().rsplit_once(separator).map(|(_, name)| name)
}

/// The node id of an SObject.
pub fn sobject_id(name: &str) -> ComponentId {
    ComponentId::new(types::CUSTOM_OBJECT, name)
}

pub(super) fn member_name(member: &ComponentId, parent: &ComponentId) -> String {
    let full = member.full_name();
    let prefix_len = parent.full_name().len() + 1;
    full.get(prefix_len..).unwrap_or(full).to_lowercase()
}

pub(super) fn strip_schema(name: &str) -> &str {
    let trimmed = name.trim();
    let lower = trimmed.to_ascii_lowercase();
    if lower.starts_with("schema.") {
        &trimmed[7..]
    } else {
        trimmed
    }
}

/// `List<Invoice__c>` → `List`; `Invoice__c[]` → `Invoice__c`.
pub(super) fn strip_generics(name: &str) -> String {
    let base = name.split('<').next().unwrap_or(name);
    base.trim().trim_end_matches("[]").trim().to_string()
}

/// Every type name inside a type expression: `Map<Id, List<Invoice__c>>` gives `Map`,
/// `Id`, `List`, `Invoice__c`.
pub(super) fn type_names(name: &str) -> Vec<String> {
    name.split(|c: char| matches!(c, '<' | '>' | ',' | '[' | ']') || c.is_whitespace())
        .filter(|part| !part.is_empty())
        .map(str::to_string)
        .collect()
}

/// Custom objects, custom metadata types, platform events, big objects, external
/// objects and knowledge article types are recognisable by their suffix.
pub(super) fn is_custom_object_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        "__c",
        "__mdt",
        "__e",
        "__b",
        "__x",
        "__kav",
        "__share",
        "__history",
    ]
    .iter()
    .any(|suffix| lower.ends_with(suffix))
}

/// The namespace Apex names DataWeave scripts in: `new DataWeaveScriptResource.Name()`.
const DATAWEAVE_NAMESPACE: &str = "DataWeaveScriptResource.";

/// The script a type name `DataWeaveScriptResource.Name` names (case-insensitive).
pub(super) fn dataweave_script(name: &str) -> Option<&str> {
    let prefix = name.get(..DATAWEAVE_NAMESPACE.len())?;
    prefix
        .eq_ignore_ascii_case(DATAWEAVE_NAMESPACE)
        .then(|| &name[DATAWEAVE_NAMESPACE.len()..])
        .filter(|script| !script.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_names_say_which_class_they_test() {
        assert_eq!(test_stems("invoiceservicetest"), ["invoiceservice"]);
        assert_eq!(test_stems("invoiceservice_test"), ["invoiceservice"]);
        assert_eq!(test_stems("invoiceservice_tests"), ["invoiceservice"]);
        assert_eq!(test_stems("testinvoiceservice"), ["invoiceservice"]);
        assert_eq!(test_stems("test_invoiceservice"), ["invoiceservice"]);
        assert_eq!(test_stems("addr_addresses_test"), ["addr_addresses"]);
        assert!(test_stems("invoiceservice").is_empty());
        let classes: std::collections::HashSet<String> = ["invoiceservice", "addr_addresses_tdtm"]
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert!(named_for("invoiceservicetest", &classes));
        assert!(named_for("addr_addresses_test", &classes));
        assert!(!named_for("paymentservicetest", &classes));
        assert!(!named_for("invoiceservice", &classes));
        assert!(test_stems("test").is_empty());
    }

    #[test]
    fn platform_events_are_told_by_their_suffix() {
        assert!(is_platform_event("Order_Shipped__e"));
        assert!(is_platform_event("order_shipped__E"));
        assert!(!is_platform_event("Order__c"));
        assert!(!is_platform_event("__e"));
        assert!(!is_platform_event("Événement"));
    }
}
