//! Component identity: `(MetadataType, FullName)`, compared case-insensitively.
//!
//! Salesforce API names are case-insensitive, so every comparison goes through a
//! case-folded key built once, here, in [`ComponentId::new`]. The display casing is the
//! one the source used first.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// A node name in the dependency graph: a metadata component such as
/// `ApexClass:InvoiceService` or `CustomField:Invoice__c.Amount__c`, or an Apex member
/// such as `ApexMethod:InvoiceService.total` (see [`MEMBER_TYPE`]).
///
/// Shared: a clone is a reference count, because the same id is held by every use of a
/// member, by its graph node and by its children (millions of times in a large org).
#[derive(Clone, Debug)]
pub struct ComponentId(Arc<Names>);

#[derive(Debug)]
struct Names {
    type_name: String,
    full_name: String,
    key: String,
}

/// The pseudo metadata type of Apex members (methods, constructors, properties,
/// fields, initializers). Their full name is `Class.member` (inner classes:
/// `Outer.Inner.member`); constructors are `Class.<init>`, initializers
/// `Class.<clinit>`, the class-level declarations `Class.<class>`.
pub const MEMBER_TYPE: &str = "ApexMethod";

impl ComponentId {
    /// Builds an id; the type is matched case-insensitively as well as the name.
    pub fn new(type_name: &str, full_name: &str) -> ComponentId {
        // Built by hand: this runs for every id in the facts cache and every name the
        // graph resolves, and `format!` plus `to_lowercase` costs twice the allocations.
        let mut key = String::with_capacity(type_name.len() + full_name.len() + 1);
        ComponentId::write_key(&mut key, type_name, full_name);
        ComponentId(Arc::new(Names {
            type_name: type_name.to_string(),
            full_name: full_name.to_string(),
            key,
        }))
    }

    /// Writes the key of `type_name:full_name` into `out` (cleared first): what
    /// [`ComponentId::key`] of that id holds, for a lookup that may not need the id.
    pub fn write_key(out: &mut String, type_name: &str, full_name: &str) {
        out.clear();
        push_folded(out, type_name);
        out.push(':');
        push_folded(out, full_name);
    }

    /// An Apex member node, owned by the class `class` (a top-level or inner class).
    pub fn member(class: &str, member: &str) -> ComponentId {
        ComponentId::new(MEMBER_TYPE, &format!("{class}.{member}"))
    }

    /// Parses `Type:FullName`, as written on the command line and in reasons.
    pub fn parse(text: &str) -> Option<ComponentId> {
        let (type_name, full_name) = text.split_once(':')?;
        let (type_name, full_name) = (type_name.trim(), full_name.trim());
        if type_name.is_empty() || full_name.is_empty() {
            return None;
        }
        Some(ComponentId::new(type_name, full_name))
    }

    /// The metadata type as written in the source registry (`ApexClass`).
    pub fn type_name(&self) -> &str {
        &self.0.type_name
    }

    /// The full name with the casing of its source (`InvoiceService`).
    pub fn full_name(&self) -> &str {
        &self.0.full_name
    }

    /// The case-folded `type:fullname` key every comparison uses.
    pub fn key(&self) -> &str {
        &self.0.key
    }

    /// True when both ids have this metadata type (case-insensitively).
    pub fn is_type(&self, type_name: &str) -> bool {
        self.0.type_name.eq_ignore_ascii_case(type_name)
    }

    /// True for Apex member nodes.
    pub fn is_member(&self) -> bool {
        self.is_type(MEMBER_TYPE)
    }
}

/// Appends `text` case-folded (ASCII fast path; full Unicode lowercase otherwise).
fn push_folded(out: &mut String, text: &str) {
    if text.is_ascii() {
        let start = out.len();
        out.push_str(text);
        out[start..].make_ascii_lowercase();
    } else {
        out.push_str(&text.to_lowercase());
    }
}

impl PartialEq for ComponentId {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0.key == other.0.key
    }
}

impl Eq for ComponentId {}

/// Maps and sets of ids are looked up by key (`&str`) as well: hashing, equality and
/// order are all the key's.
impl std::borrow::Borrow<str> for ComponentId {
    fn borrow(&self) -> &str {
        &self.0.key
    }
}

impl Hash for ComponentId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.key.hash(state)
    }
}

impl PartialOrd for ComponentId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ComponentId {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.key.cmp(&other.0.key)
    }
}

impl fmt::Display for ComponentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.0.type_name, self.0.full_name)
    }
}

/// Serialized as `Type:FullName` (the facts cache stores ids this way).
impl serde::Serialize for ComponentId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for ComponentId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        ComponentId::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("not a component id: {text}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equality_ignores_case_and_display_keeps_it() {
        let a = ComponentId::new("ApexClass", "InvoiceService");
        let b = ComponentId::new("apexclass", "invoiceservice");
        assert_eq!(a, b);
        assert_eq!(a.to_string(), "ApexClass:InvoiceService");
    }

    #[test]
    fn parse_requires_both_halves() {
        assert_eq!(
            ComponentId::parse("ApexClass:Foo"),
            Some(ComponentId::new("ApexClass", "Foo"))
        );
        assert_eq!(ComponentId::parse("Foo"), None);
        assert_eq!(ComponentId::parse(":Foo"), None);
    }
}
