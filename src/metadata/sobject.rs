//! SObject names, the one home of what the code knows about them: the custom suffixes
//! (`__c`, `__mdt`, `__e`, …), the `Schema.` prefix, the common standard objects, and
//! the node id an object gets. The parsers use them to tell an object from a class,
//! the graph to tell an object a use names.

use crate::metadata::component::ComponentId;
use crate::metadata::types;

/// The node id of an SObject (standard or custom, an event, a custom metadata type).
pub fn id(name: &str) -> ComponentId {
    ComponentId::new(types::CUSTOM_OBJECT, name)
}

/// Whether an object name is a platform event's (`Order_Shipped__e`).
pub fn is_platform_event(name: &str) -> bool {
    has_suffix(name, "__e")
}

/// Whether an object name is a custom metadata type's (`Config__mdt`): its records
/// cannot be written by DML.
pub fn is_custom_metadata(name: &str) -> bool {
    has_suffix(name, "__mdt")
}

/// Whether `name` ends with `suffix` (ASCII case-insensitively) and has more before it.
fn has_suffix(name: &str, suffix: &str) -> bool {
    strip_suffix(name, suffix).is_some()
}

/// What comes before `suffix` at the end of `name` (ASCII case-insensitively), when
/// something does: `Account` of `Account__r`, `Invoice` of `InvoiceId`.
pub fn strip_suffix<'n>(name: &'n str, suffix: &str) -> Option<&'n str> {
    let end = name
        .len()
        .checked_sub(suffix.len())
        .filter(|&end| end > 0)?;
    let (stem, tail) = (name.get(..end)?, name.get(end..)?);
    tail.eq_ignore_ascii_case(suffix).then_some(stem)
}

/// `Schema.Account` names the same object as `Account` (surrounding white space aside).
pub fn strip_schema(name: &str) -> &str {
    let name = name.trim();
    match name.split_once('.') {
        Some((prefix, rest)) if prefix.eq_ignore_ascii_case("schema") => rest,
        _ => name,
    }
}

/// Suffixes of custom objects, metadata types, events and their kin.
pub const SUFFIXES: [&str; 12] = [
    "__c",
    "__mdt",
    "__e",
    "__x",
    "__b",
    "__kav",
    "__ka",
    "__share",
    "__history",
    "__feed",
    "__changeevent",
    "__r",
];

/// Standard objects Apex code commonly touches (case-folded); enough to tell
/// `Account.Name` (a field) from `Outer.Inner` (a type) without the org's schema.
const STANDARD_OBJECTS: [&str; 56] = [
    "account",
    "accountcontactrelation",
    "accountteammember",
    "asset",
    "asyncapexjob",
    "attachment",
    "campaign",
    "campaignmember",
    "case",
    "casecomment",
    "contact",
    "contentdocument",
    "contentdocumentlink",
    "contentversion",
    "contract",
    "crontrigger",
    "document",
    "emailmessage",
    "emailtemplate",
    "entitlement",
    "event",
    "feeditem",
    "folder",
    "group",
    "groupmember",
    "individual",
    "lead",
    "note",
    "opportunity",
    "opportunitycontactrole",
    "opportunitylineitem",
    "opportunityteammember",
    "order",
    "orderitem",
    "organization",
    "permissionset",
    "permissionsetassignment",
    "pricebook2",
    "pricebookentry",
    "processinstance",
    "product2",
    "profile",
    "queuesobject",
    "quote",
    "quotelineitem",
    "recordtype",
    "serviceappointment",
    "staticresource",
    "task",
    "topic",
    "topicassignment",
    "user",
    "userrole",
    "workorder",
    "workorderlineitem",
    "apexclass",
];

/// Whether a type name looks like an SObject: a custom suffix, or a common standard
/// object.
pub fn looks_like_sobject(name: &str) -> bool {
    let name = strip_schema(name);
    if has_custom_suffix(name) {
        return true;
    }
    STANDARD_OBJECTS
        .iter()
        .any(|object| name.eq_ignore_ascii_case(object))
}

/// Whether a name ends like a custom object, field or relationship (`__c`, `__r`, …).
pub fn has_custom_suffix(name: &str) -> bool {
    SUFFIXES.iter().any(|suffix| has_suffix(name, suffix))
}

/// Whether a standard relationship reaches a user wherever a field path goes through it:
/// `CreatedBy` and `LastModifiedBy` always do, and so do a site's or a group's `Member`,
/// a user's `Manager` and a permission set assignment's `Assignee`; `Owner` does for any
/// custom field (an owner is a user or a queue, and a queue has no custom fields).
/// (Configurable Self Registration: `Member.Portal_Username__c` on `NetworkMember`.)
pub fn reaches_user(relationship: &str) -> bool {
    [
        "Owner",
        "CreatedBy",
        "LastModifiedBy",
        "Member",
        "Manager",
        "Assignee",
    ]
    .iter()
    .any(|name| relationship.eq_ignore_ascii_case(name))
}

/// Whether a dotted field path reads a record's record type by its name or its label
/// (`RecordType.Name`, `Account.RecordType.DeveloperName`, `$Record.RecordType.Name`,
/// a formula's `$RecordType.Name`): the string compared with it names a record type.
pub fn names_record_type(path: &str) -> bool {
    let mut parts = path.trim().rsplit('.');
    let (Some(field), Some(record_type)) = (parts.next(), parts.next()) else {
        return false;
    };
    is_record_type_name(record_type, field)
}

/// [`names_record_type`] of a path's last two parts (`RecordType`, `Name`).
pub fn is_record_type_name(record_type: &str, field: &str) -> bool {
    let record_type = record_type.strip_prefix('$').unwrap_or(record_type);
    record_type.eq_ignore_ascii_case("RecordType")
        && (field.eq_ignore_ascii_case("Name") || field.eq_ignore_ascii_case("DeveloperName"))
}

/// The object a standard object's `Parent` relationship (its `ParentId`) reaches: an
/// account's, a case's, a campaign's and an asset's parent is one of its own kind, and an
/// email message's or a case comment's is a case. `None` where the parent may be of
/// several kinds (a note's, an attachment's, a feed item's) or the object has none.
pub fn standard_parent(object: &str) -> Option<&'static str> {
    const PARENTS: [(&str, &str); 6] = [
        ("Account", "Account"),
        ("Case", "Case"),
        ("Campaign", "Campaign"),
        ("Asset", "Asset"),
        ("EmailMessage", "Case"),
        ("CaseComment", "Case"),
    ];
    PARENTS
        .iter()
        .find(|(child, _)| child.eq_ignore_ascii_case(object))
        .map(|&(_, parent)| parent)
}

/// The objects whose records are activities: Salesforce declares the custom fields a
/// task and an event share on `Activity` (`objects/Activity/fields/X__c`), and code
/// reads and writes them as `Task.X__c` and `Event.X__c`.
pub const ACTIVITY_OBJECTS: [&str; 2] = ["Task", "Event"];

/// Whether `object` is `Activity`, the object the fields of tasks and events are declared
/// on ([`ACTIVITY_OBJECTS`]).
pub fn is_activity(object: &str) -> bool {
    object.eq_ignore_ascii_case("Activity")
}

/// Whether `object` is a task or an event ([`ACTIVITY_OBJECTS`]), whose custom fields
/// are declared on `Activity`.
pub fn is_activity_kind(object: &str) -> bool {
    ACTIVITY_OBJECTS
        .iter()
        .any(|activity| activity.eq_ignore_ascii_case(object))
}

/// The object whose records a Change Data Capture event reports: `Invoice__c` of
/// `Invoice__ChangeEvent`, `Account` of `AccountChangeEvent`. Every insert, update,
/// delete and undelete of such a record publishes one, and the event's triggers run
/// (in a test, once the test delivers it: `Test.getEventBus().deliver()`).
pub fn change_event_source(event: &str) -> Option<String> {
    if let Some(stem) = strip_suffix(event, "__ChangeEvent") {
        return Some(format!("{stem}__c"));
    }
    strip_suffix(event, "ChangeEvent")
        .filter(|stem| !stem.ends_with('_'))
        .map(str::to_string)
}

/// The lookup field behind a relationship: `Account__r` is the lookup `Account__c`, a
/// standard `Account` is `AccountId`.
pub fn relationship_field(relationship: &str) -> String {
    match strip_suffix(relationship, "__r") {
        Some(stem) => format!("{stem}__c"),
        None => format!("{relationship}Id"),
    }
}

/// The relationship a lookup field is reached by, [`relationship_field`] the other way:
/// the lookup `Account__c` is `Account__r`, a standard `AccountId` is `Account`.
pub fn field_relationship(field: &str) -> String {
    match (strip_suffix(field, "__c"), strip_suffix(field, "Id")) {
        (Some(stem), _) => format!("{stem}__r"),
        (None, Some(stem)) => stem.to_string(),
        (None, None) => field.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_events_are_told_by_their_suffix() {
        assert!(is_platform_event("Order_Shipped__e"));
        assert!(is_platform_event("order_shipped__E"));
        assert!(!is_platform_event("Order__c"));
        assert!(!is_platform_event("__e"));
        assert!(!is_platform_event("Événement"));
    }

    #[test]
    fn schema_prefixes_and_suffixes() {
        assert_eq!(strip_schema(" Schema.Account "), "Account");
        assert_eq!(strip_schema("SCHEMA.Invoice__c"), "Invoice__c");
        assert_eq!(strip_schema("Account"), "Account");
        assert!(has_custom_suffix("Invoice__C"));
        assert!(!has_custom_suffix("__c"));
        assert!(is_custom_metadata("Config__mdt"));
        assert!(looks_like_sobject("Schema.Account"));
        assert!(!looks_like_sobject("InvoiceService"));
    }

    #[test]
    fn a_standard_parent_is_of_the_kind_its_object_allows() {
        assert_eq!(standard_parent("account"), Some("Account"));
        assert_eq!(standard_parent("EmailMessage"), Some("Case"));
        assert_eq!(standard_parent("Attachment"), None);
        assert_eq!(standard_parent("Invoice__c"), None);
    }

    #[test]
    fn relationship_first_hop_is_its_lookup_field() {
        assert_eq!(relationship_field("Customer__r"), "Customer__c");
        assert_eq!(relationship_field("Account"), "AccountId");
        assert_eq!(relationship_field("__r"), "__rId");
    }

    #[test]
    fn a_change_event_reports_the_records_of_its_object() {
        assert_eq!(
            change_event_source("Invoice__ChangeEvent").as_deref(),
            Some("Invoice__c")
        );
        assert_eq!(
            change_event_source("ns__Invoice__changeevent").as_deref(),
            Some("ns__Invoice__c")
        );
        assert_eq!(
            change_event_source("AccountChangeEvent").as_deref(),
            Some("Account")
        );
        assert_eq!(change_event_source("ChangeEvent"), None);
        assert_eq!(change_event_source("__ChangeEvent"), None);
        assert_eq!(change_event_source("Invoice__c"), None);
        assert_eq!(change_event_source("Order_Shipped__e"), None);
    }

    /// The other way, as a workflow's cross-object field update names its lookup.
    #[test]
    fn a_lookup_field_is_reached_by_its_relationship() {
        assert_eq!(field_relationship("Customer__c"), "Customer__r");
        assert_eq!(field_relationship("ns__Customer__C"), "ns__Customer__r");
        assert_eq!(field_relationship("AccountId"), "Account");
        assert_eq!(field_relationship("ParentId"), "Parent");
        // Nothing before the suffix, or no suffix: the name as it is.
        assert_eq!(field_relationship("__c"), "__c");
        assert_eq!(field_relationship("Id"), "Id");
        assert_eq!(field_relationship("Owner"), "Owner");
        for field in ["Customer__c", "AccountId"] {
            assert_eq!(relationship_field(&field_relationship(field)), field);
        }
    }
}
