//! Name helpers of the graph: test stems, short names, SObject ids, type-name parts, and
//! names written with a namespace prefix.

use crate::metadata::component::ComponentId;
use crate::metadata::{sobject, types};

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

/// The child relationship a lookup field declares, as records of the object it refers
/// to reach it (folded): `account.plans__r` for `Plan__c.Account__c`, whose relationship
/// name is `Plans`; what [`super::Graph`] resolves `$Record.Plans__r` on an account by.
pub(super) fn child_relationship(declaration: &crate::facts::Declaration) -> Option<String> {
    let parent = declaration.value_type.as_deref()?;
    let relationship = declaration.alias.as_deref()?;
    Some(format!("{parent}.{relationship}__r").to_lowercase())
}

/// The name code uses for a component whose full name is qualified by its container:
/// a string-referenced child (`Partner` of `RecordType:Account.Partner`, `Rating__c` of
/// `CustomField:Account.Rating__c`), foldered component (`Welcome` of
/// `EmailTemplate:Mail/Welcome`) or component the table says code names alone (`Orders`
/// of the custom metadata record `CustomMetadata:Service_Config.Orders`). A field goes
/// by its name only when that is a custom one: `'Name'` and `'Type'` are words in strings
/// as often as they are fields. Likewise a component named alone goes by a name that is
/// no plain word (it holds an underscore or a digit, `POST_PDL_API`): records named
/// `Account` or `Oslo` met every `'Account'` of a test's data (Woonstad: 23 of 24 tests
/// for three new records); those are reached by their full name, or through their
/// type's readers.
pub(super) fn short_name(id: &ComponentId) -> Option<&str> {
    // Most declarations are members, a type the table does not hold: answered without
    // looking their type up (the graph asks of every declaration).
    if id.is_member() {
        return None;
    }
    let info = types::type_info(id.type_name())?;
    if !info.string_refs {
        return None;
    }
    let separator = if info.folder_type.is_some() {
        '/'
    } else if info.parent.is_some() || info.named_alone {
        '.'
    } else {
        return None;
    };
    let (_, name) = id.full_name().rsplit_once(separator)?;
    let custom_field = info.name != types::CUSTOM_FIELD || sobject::has_custom_suffix(name);
    let alone = info.parent.is_some() || !info.named_alone || is_no_plain_word(name);
    (custom_field && alone).then_some(name)
}

/// The label a component goes by in code ([`crate::facts::Declaration::alias`]) when
/// the type table says its type goes by one ([`types::TypeInfo::named_by_label`]): a
/// record type's (`Sub-Branch` of `RecordType:Account.Sub_Branch`, which
/// `RecordType.Name` and `getRecordTypeInfosByName()` read), an email template's
/// (`WHERE Name = 'Welcome Letter'`). A string holding it names the component as its
/// developer name does; a lookup's alias, its relationship name, is no label.
pub(super) fn label_alias(declaration: &crate::facts::Declaration) -> Option<&str> {
    // Most declarations have no alias: asked first, it spares them the type's compare.
    let alias = declaration.alias.as_deref()?;
    let info = types::type_info(declaration.id.type_name())?;
    info.named_by_label.then_some(alias)
}

/// Whether `name` holds an underscore or a digit: an API name, not a word of a sentence
/// or of test data.
fn is_no_plain_word(name: &str) -> bool {
    name.bytes()
        .any(|byte| byte == b'_' || byte.is_ascii_digit())
}

/// The folded name of a member within its class ([`member_name`]).
#[derive(Debug)]
pub(super) enum MemberName {
    /// The end of the member's own key, from this byte: an ASCII name folds byte for
    /// byte, so its folded form is already there (no copy for each of the 120,000
    /// members of a 10,000-class org).
    InKey(ComponentId, u32),
    /// Folded apart: a name that is not ASCII may fold to another length.
    Folded(Box<str>),
}

impl MemberName {
    pub(super) fn as_str(&self) -> &str {
        match self {
            MemberName::InKey(id, start) => id.key().get(*start as usize..).unwrap_or(""),
            MemberName::Folded(name) => name,
        }
    }
}

/// The folded name of `member` within `parent` (`Invoice.total` → `total`), and where it
/// starts in the member's full name (the whole name when it does not start with the
/// parent's).
pub(super) fn member_name(member: &ComponentId, parent: &ComponentId) -> (MemberName, u32) {
    let full = member.full_name();
    let prefix_len = parent.full_name().len() + 1;
    let start = if full.get(prefix_len..).is_some() {
        prefix_len
    } else {
        0
    };
    // As keys are folded ([`ComponentId::key`]): an ASCII full name ends the key folded
    // byte for byte, so the member's name is the key's last bytes.
    let name = if full.is_ascii() {
        let key = member.key();
        MemberName::InKey(member.clone(), (key.len() - (full.len() - start)) as u32)
    } else {
        MemberName::Folded(full[start..].to_lowercase().into_boxed_str())
    };
    (name, start as u32)
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

/// `key` (`type:fullname`, folded) of a custom object or field written with the
/// project's own namespace prefix (`ns__`, folded, with its separator), without it:
/// `customobject:ns__animal__c` → `customobject:animal__c`,
/// `customfield:ns__animal__c.ns__weight__c` → `customfield:animal__c.weight__c`. `None`
/// for a key with no part so prefixed, and for other types.
pub(super) fn without_own_namespace(key: &str, prefix: &str) -> Option<String> {
    // Asked of every key the index does not hold (a standard field a use names, every
    // time its kept resolution is added): the cheap refusals first. A prefixed part
    // starts the name or follows its dot (`object.field`).
    let (type_name, full_name) =
        ["customfield", "customobject"]
            .into_iter()
            .find_map(|type_name| {
                let rest = key.strip_prefix(type_name)?.strip_prefix(':')?;
                Some((type_name, rest))
            })?;
    let prefixed = full_name.starts_with(prefix)
        || full_name
            .find('.')
            .is_some_and(|dot| full_name[dot + 1..].starts_with(prefix));
    if !prefixed {
        return None;
    }
    let own = strip_parts(full_name, |part| part.strip_prefix(prefix))?;
    Some(format!("{type_name}:{own}"))
}

/// `full_name` with each dotted part that `strip` shortens to a custom name shortened
/// (`ns__animal__c.ns__weight__c` → `animal__c.weight__c`); `None` when no part is.
fn strip_parts<'n>(
    full_name: &'n str,
    strip: impl Fn(&'n str) -> Option<&'n str>,
) -> Option<String> {
    let mut stripped = false;
    let parts: Vec<&str> = full_name
        .split('.')
        .map(|part| match strip(part) {
            Some(rest) if sobject::has_custom_suffix(rest) => {
                stripped = true;
                rest
            }
            _ => part,
        })
        .collect();
    stripped.then(|| parts.join("."))
}

/// A looked-up name without the namespace prefixes of its parts (`ns__animal__c.ns__weight__c`
/// → `animal__c.weight__c`), when it has one: as [`super::Graph::indexed`] finds such a name, so
/// that a kept resolution of the prefixed name is redone when the declaration it
/// reached changes (`super::reads::note_key`). `None` for a name with no prefixed part.
pub(super) fn without_namespaces(full_name: &str) -> Option<String> {
    // Any namespace: a prefix is what comes before the first of two `__`. A name with
    // fewer than two (most of them) is refused before it is split.
    let prefixed = full_name
        .find("__")
        .is_some_and(|first| full_name[first + 2..].contains("__"));
    if !prefixed {
        return None;
    }
    strip_parts(full_name, |part| {
        let (_, rest) = part.split_once("__")?;
        rest.contains("__").then_some(rest)
    })
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

    /// A member's name is its full name after its parent's, folded as keys are; an ASCII
    /// one is read from the end of the member's own key (no copy), another is folded
    /// apart. A full name shorter than its parent's is taken whole.
    #[test]
    fn member_names_are_the_folded_ends_of_their_ids() {
        let cases = [
            ("Invoice.Total", "Invoice", "total", 8, true),
            ("Outer.Inner.RunAll", "Outer.Inner", "runall", 12, true),
            ("Invoice.<init>", "Invoice", "<init>", 8, true),
            ("Ärger.STRAẞE", "Ärger", "straße", 7, false),
            ("Invoice.Ünïcode", "Invoice", "ünïcode", 8, false),
            ("Go", "LongParentName", "go", 0, true),
        ];
        for (member, parent, expected, start, in_key) in cases {
            let member = ComponentId::new(crate::metadata::component::MEMBER_TYPE, member);
            let parent = ComponentId::new(types::APEX_CLASS, parent);
            let (name, at) = member_name(&member, &parent);
            assert_eq!(name.as_str(), expected, "{member:?}");
            assert_eq!(at, start, "{member:?}");
            assert_eq!(matches!(name, MemberName::InKey(..)), in_key, "{member:?}");
        }
    }

    #[test]
    fn a_namespace_prefix_is_dropped_from_the_project_s_own_custom_names() {
        let own = |key: &str| without_own_namespace(key, "bill__");
        assert_eq!(
            own("customobject:bill__order__c").as_deref(),
            Some("customobject:order__c")
        );
        assert_eq!(
            own("customfield:bill__order__c.bill__rush__c").as_deref(),
            Some("customfield:order__c.rush__c")
        );
        assert_eq!(
            own("customfield:account.bill__tier__c").as_deref(),
            Some("customfield:account.tier__c")
        );
        // Unprefixed names, another package's, and other types are left alone.
        assert_eq!(own("customobject:order__c"), None);
        assert_eq!(own("customobject:dlrs__rollup__c"), None);
        assert_eq!(own("apexclass:bill__order__c"), None);
        assert_eq!(own("customobject:bill__"), None);

        assert_eq!(
            without_namespaces("bill__order__c.bill__rush__c").as_deref(),
            Some("order__c.rush__c")
        );
        assert_eq!(without_namespaces("order__c.rush__c"), None);
        assert_eq!(without_namespaces("account"), None);
    }
}
