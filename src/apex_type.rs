//! Apex type names as text, shared by the Apex parser and the graph: the parts of a
//! generic type, and what a collection's elements and methods give. The one home of
//! these rules, so the parser (which types local values) and the graph (which types
//! call receivers) cannot drift apart.

use crate::metadata::sobject::has_custom_suffix;

/// The record type a DML statement or loop over a value of type `t` works on:
/// `List<X>`, `Set<X>`, `X[]`, `Map<K, X>` give `X`; anything else is itself.
pub fn element_type(t: &str) -> &str {
    let t = t.trim();
    if let Some(inner) = t.strip_suffix("[]") {
        return inner.trim();
    }
    let (Some(open), true) = (t.find('<'), t.ends_with('>')) else {
        return t;
    };
    let base = &t[..open];
    let base = base.rsplit('.').next().unwrap_or(base).trim();
    let args = &t[open + 1..t.len() - 1];
    if ["list", "set", "iterable"]
        .iter()
        .any(|name| base.eq_ignore_ascii_case(name))
    {
        return args.trim();
    }
    if base.eq_ignore_ascii_case("map") {
        if let Some(value) = split_top_level_comma(args) {
            return value.trim();
        }
    }
    t
}

/// The type a method of a collection returns, from the collection's declared type:
/// `List<X>.get` → `X`, `Map<K, V>.get` → `V`, `Map<K, V>.values` → `List<V>`,
/// `Map<K, V>.keySet` → `Set<K>`, `Set<X>.iterator` → `Iterator<X>`, `X[].get` → `X`;
/// `clone()` keeps the type. `None` for anything else.
pub fn method_type(collection: &str, method: &str) -> Option<String> {
    let collection = collection.trim();
    let method = method.to_ascii_lowercase();
    // `clone()` returns the receiver's own type, a collection's or an SObject's.
    if matches!(method.as_str(), "clone" | "deepclone") {
        return Some(collection.to_string());
    }
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
            "iterator" => Some(format!("Iterator<{element}>")),
            _ => None,
        },
        ("map", [key, value]) => match method.as_str() {
            "get" | "remove" | "put" => Some(value.clone()),
            "values" => Some(format!("List<{value}>")),
            "keyset" => Some(format!("Set<{key}>")),
            _ => None,
        },
        _ => None,
    }
}

/// The type a custom setting's or custom metadata type's own static method returns:
/// `Limits__c.getOrgDefaults()`, `getInstance(…)` and `getValues(…)` give a `Limits__c`
/// record, `getAll()` a `Map<String, Limits__c>` (`Rule__mdt` alike). A hierarchy
/// setting without a stored record gives its fields' default values, so code that reads
/// a field of the result reads that field. `None` for any other method, and for a type
/// without a custom suffix (the parser asks of every static call: nothing is allocated
/// for those).
pub fn setting_method_type(type_name: &str, method: &str) -> Option<String> {
    let type_name = type_name.trim();
    if !has_custom_suffix(type_name) {
        return None;
    }
    let is = |name: &str| method.eq_ignore_ascii_case(name);
    if is("getInstance") || is("getOrgDefaults") || is("getValues") {
        Some(type_name.to_string())
    } else if is("getAll") {
        Some(format!("Map<String, {type_name}>"))
    } else {
        None
    }
}

/// Whether `t` is one of Apex's primitive types (`Boolean`, `String`, `Id`, `Date`, …,
/// in any case): a value of it has no member a repository declares, so a call on it
/// never reaches the repository's code.
pub fn is_primitive(t: &str) -> bool {
    const PRIMITIVES: [&str; 12] = [
        "Blob", "Boolean", "Date", "Datetime", "Decimal", "Double", "Id", "Integer", "Long",
        "Object", "String", "Time",
    ];
    let t = t.trim();
    PRIMITIVES
        .iter()
        .any(|primitive| primitive.eq_ignore_ascii_case(t))
}

/// `List<Invoice__c>` → `List`; `Invoice__c[]` → `Invoice__c`.
pub fn strip_generics(name: &str) -> String {
    let base = name.split('<').next().unwrap_or(name);
    base.trim().trim_end_matches("[]").trim().to_string()
}

/// Every type name inside a type expression: `Map<Id, List<Invoice__c>>` gives `Map`,
/// `Id`, `List`, `Invoice__c`.
pub fn type_names(name: &str) -> impl Iterator<Item = &str> {
    name.split(|c: char| matches!(c, '<' | '>' | ',' | '[' | ']') || c.is_whitespace())
        .filter(|part| !part.is_empty())
}

/// Splits `String, List<Foo>` at top-level commas.
fn split_generic_args(text: &str) -> Vec<String> {
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

/// The part after the first comma that is not inside `<…>`.
fn split_top_level_comma(args: &str) -> Option<&str> {
    let mut depth = 0usize;
    for (at, ch) in args.char_indices() {
        match ch {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => return Some(&args[at + 1..]),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collection_methods_give_their_element_types() {
        assert_eq!(
            method_type("List<Invoice__c>", "get").as_deref(),
            Some("Invoice__c")
        );
        assert_eq!(
            method_type("Invoice__c[]", "get").as_deref(),
            Some("Invoice__c")
        );
        assert_eq!(
            method_type("Map<Id, List<Account>>", "get").as_deref(),
            Some("List<Account>")
        );
        assert_eq!(
            method_type("Map<Id, Account>", "values").as_deref(),
            Some("List<Account>")
        );
        assert_eq!(
            method_type("Map<Id, Account>", "keySet").as_deref(),
            Some("Set<Id>")
        );
        assert_eq!(
            method_type("Set<Id>", "iterator").as_deref(),
            Some("Iterator<Id>")
        );
        assert_eq!(method_type("Iterator<Id>", "next").as_deref(), Some("Id"));
        assert_eq!(method_type("Account", "clone").as_deref(), Some("Account"));
        assert_eq!(method_type("Account", "get"), None);
        assert_eq!(element_type("Map<Id, Account>"), "Account");
        assert_eq!(element_type("List<Contact>"), "Contact");
        assert_eq!(element_type("Case[]"), "Case");
        assert_eq!(element_type("Account"), "Account");
        assert_eq!(strip_generics("List<Invoice__c>"), "List");
        assert_eq!(
            type_names("Map<Id, List<Invoice__c>>").collect::<Vec<_>>(),
            ["Map", "Id", "List", "Invoice__c"]
        );
    }

    #[test]
    fn settings_and_custom_metadata_types_return_their_records() {
        let cases = [
            ("Limits__c", "getOrgDefaults", Some("Limits__c")),
            ("ns__Limits__C", "GETINSTANCE", Some("ns__Limits__C")),
            ("Rule__mdt", "getAll", Some("Map<String, Rule__mdt>")),
            ("Rule__mdt", "getValues", Some("Rule__mdt")),
            ("Account", "getInstance", None),
            ("Limits__c", "getLabel", None),
        ];
        for (type_name, method, returned) in cases {
            assert_eq!(
                setting_method_type(type_name, method).as_deref(),
                returned,
                "{type_name}.{method}"
            );
        }
    }
}
