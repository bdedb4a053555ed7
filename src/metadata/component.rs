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
#[derive(Clone)]
pub struct ComponentId(Arc<Names>);

/// The type, the full name and the key, one after the other in one string: a large org
/// holds an id per declaration (145,000 at 10,000 classes), and three strings took
/// three allocations (one string took 9 MB off a warm 10,000-class plan's peak).
struct Names {
    text: Box<str>,
    /// Where the full name starts, and where the key starts.
    name_start: u32,
    key_start: u32,
}

/// The pseudo metadata type of Apex members (methods, constructors, properties,
/// fields, initializers). Their full name is `Class.member` (inner classes:
/// `Outer.Inner.member`); constructors are `Class.<init>`, initializers
/// `Class.<clinit>`, the class-level declarations `Class.<class>`.
pub const MEMBER_TYPE: &str = "ApexMethod";

/// How the key of a member's id starts: [`MEMBER_TYPE`] folded, and the separator.
const MEMBER_KEY_PREFIX: &[u8] = b"apexmethod:";

impl ComponentId {
    /// Builds an id; the type is matched case-insensitively as well as the name.
    pub fn new(type_name: &str, full_name: &str) -> ComponentId {
        // Built by hand: this runs for every id in the facts cache and every name the
        // graph resolves, and `format!` plus `to_lowercase` costs twice the allocations.
        let mut text = String::with_capacity(2 * (type_name.len() + full_name.len()) + 1);
        text.push_str(type_name);
        text.push_str(full_name);
        let key_start = text.len();
        push_key(&mut text, type_name, full_name);
        // The offsets fit in 32 bits: a name is read from a file or a command line, far
        // shorter than 2 GB.
        ComponentId(Arc::new(Names {
            text: text.into_boxed_str(),
            name_start: type_name.len() as u32,
            key_start: key_start as u32,
        }))
    }

    /// Writes the key of `type_name:full_name` into `out` (cleared first): what
    /// [`ComponentId::key`] of that id holds, for a lookup that may not need the id.
    pub fn write_key(out: &mut String, type_name: &str, full_name: &str) {
        out.clear();
        // Room for the whole key at once: grown by doubling from empty, a new key was
        // three or four reallocations (the graph builds one for each object, field and
        // label a use names: 200,000 reallocations in a 10,000-class plan).
        out.reserve(type_name.len() + 1 + full_name.len());
        push_key(out, type_name, full_name);
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
        &self.0.text[..self.0.name_start as usize]
    }

    /// The full name with the casing of its source (`InvoiceService`).
    pub fn full_name(&self) -> &str {
        &self.0.text[self.0.name_start as usize..self.0.key_start as usize]
    }

    /// The last dotted part of the full name: a member's own name (`total` of
    /// `InvoiceService.total`), an inner class's.
    pub fn last_name(&self) -> &str {
        let full = self.full_name();
        full.rsplit('.').next().unwrap_or(full)
    }

    /// The case-folded `type:fullname` key every comparison uses.
    pub fn key(&self) -> &str {
        &self.0.text[self.0.key_start as usize..]
    }

    /// The full name case-folded: the part of [`ComponentId::key`] after the type
    /// (`invoiceservice.total`).
    pub fn folded_full_name(&self) -> &str {
        ComponentId::full_name_of_key(self.key())
    }

    /// The full name a key holds: what follows its type (a type name holds no colon).
    pub fn full_name_of_key(key: &str) -> &str {
        key.split_once(':').map_or(key, |(_, full_name)| full_name)
    }

    /// True when both ids have this metadata type (case-insensitively).
    pub fn is_type(&self, type_name: &str) -> bool {
        self.type_name().eq_ignore_ascii_case(type_name)
    }

    /// True when this is a child component of `parent` (`WorkflowRule:Account.X` of
    /// `Workflow:Account`, `CustomField:Account.Tier__c` of `CustomObject:Account`; any
    /// label of `CustomLabels`), as the type table says.
    pub fn is_child_of(&self, parent: &ComponentId) -> bool {
        let Some(info) = super::types::type_info(self.type_name()) else {
            return false;
        };
        let parent_type = info.parent.is_some_and(|name| parent.is_type(name));
        let under = || {
            self.folded_full_name()
                .strip_prefix(parent.folded_full_name())
                .is_some_and(|rest| rest.starts_with('.'))
        };
        parent_type && (info.ignore_parent_name || under())
    }

    /// True for Apex member nodes.
    pub fn is_member(&self) -> bool {
        // The key's type is folded, so a byte comparison with the folded type answers
        // (folding each byte of the type made this a tenth of declaring a large org's
        // nodes, most of which are members).
        self.0.name_start as usize == MEMBER_TYPE.len()
            && self.key().as_bytes().get(..MEMBER_KEY_PREFIX.len()) == Some(MEMBER_KEY_PREFIX)
    }
}

/// Appends the key of `type_name:full_name`: the one definition of a key.
fn push_key(out: &mut String, type_name: &str, full_name: &str) {
    push_folded(out, type_name);
    out.push(':');
    push_folded(out, full_name);
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
        Arc::ptr_eq(&self.0, &other.0) || self.key() == other.key()
    }
}

impl Eq for ComponentId {}

/// Maps and sets of ids are looked up by key (`&str`) as well: hashing, equality and
/// order are all the key's.
impl std::borrow::Borrow<str> for ComponentId {
    fn borrow(&self) -> &str {
        self.key()
    }
}

impl Hash for ComponentId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state)
    }
}

impl PartialOrd for ComponentId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ComponentId {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(other.key())
    }
}

/// `ComponentId(ApexClass:Foo)`: the id as it is shown, not its three parts run together.
impl fmt::Debug for ComponentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ComponentId({self})")
    }
}

impl fmt::Display for ComponentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.type_name(), self.full_name())
    }
}

/// Serialized as `Type:FullName` (the facts cache stores ids this way).
impl serde::Serialize for ComponentId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Read from the text in place (no string is built only to be parsed).
impl<'de> serde::Deserialize<'de> for ComponentId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(IdVisitor)
    }
}

struct IdVisitor;

impl serde::de::Visitor<'_> for IdVisitor {
    type Value = ComponentId;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a component id, `Type:FullName`")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<ComponentId, E> {
        ComponentId::parse(text).ok_or_else(|| E::custom(format!("not a component id: {text}")))
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
        // The three parts share one string; names need not be ASCII.
        let c = ComponentId::new("CustomLabel", "Größe_Ärger");
        assert_eq!(c.type_name(), "CustomLabel");
        assert_eq!(c.full_name(), "Größe_Ärger");
        assert_eq!(c.key(), "customlabel:größe_ärger");
        assert_eq!(c, ComponentId::new("customlabel", "GRÖßE_ärger"));
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

    /// `is_member` reads the folded key, `is_type` the type as written: they agree on
    /// every casing, on types that only start like the member type, and on names that
    /// hold the separator.
    #[test]
    fn is_member_answers_as_the_member_type_does() {
        let ids = [
            ComponentId::member("Invoice", "total"),
            ComponentId::new("APEXMETHOD", "Invoice.total"),
            ComponentId::new("apexMethod", "a:b"),
            ComponentId::new("ApexMethodX", "Invoice.total"),
            ComponentId::new("ApexMetho", "d:Invoice.total"),
            ComponentId::new("ApexMethod:X", "y"),
            ComponentId::new("ApexClass", "ApexMethod"),
            ComponentId::new("ÅpexMethod", "Invoice.total"),
        ];
        let members: Vec<bool> = ids.iter().map(ComponentId::is_member).collect();
        let typed: Vec<bool> = ids.iter().map(|id| id.is_type(MEMBER_TYPE)).collect();
        assert_eq!(members, typed);
        assert_eq!(
            members,
            [true, true, true, false, false, false, false, false]
        );
    }
}
