//! How a reason reads on one line of the text and Markdown plans.
//!
//! A path from a change to a test can be long, and its first edge is often the least
//! telling one (`member-of`, from a method to its class). The line shows instead the
//! change it starts from and the edge that explains the most: a flow calling Apex, an
//! object firing its trigger, a DML write, a string naming a class. A test selected
//! because it changed itself reads "changed", whether it is new or modified; a test the
//! plan runs only because of a fallback reads "fallback" (the plan says why once).

use super::assemble::CHANGED_NOTE;
use super::plan::Reason;
use crate::facts::EdgeKind;
use crate::policy::FALLBACK_NOTE_PREFIX;

/// What a reason amounts to, for one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Gist<'r> {
    /// The test itself changed.
    Changed,
    /// The plan runs every local test; the fallback's reason is the plan's.
    Fallback,
    /// A policy note: critical, always-run, a mapping.
    Policy(&'r str),
    /// A path from a changed component.
    Path {
        /// The changed component the path starts from.
        origin: &'r str,
        /// The most telling edge: its kind and the component that uses the one before
        /// it (the flow that calls the class, the object whose trigger fires); empty
        /// when that is the test itself.
        telling: Option<(&'r str, &'r str)>,
        /// Hops between components (`member-of` steps do not count).
        hops: usize,
    },
}

/// Reads a reason.
pub fn gist(reason: &Reason) -> Gist<'_> {
    if let Some(note) = reason.note.as_deref() {
        if note == CHANGED_NOTE {
            return Gist::Changed;
        }
        if note.starts_with(FALLBACK_NOTE_PREFIX) {
            return Gist::Fallback;
        }
        if reason.path.len() < 2 {
            return Gist::Policy(note);
        }
    }
    let Some(origin) = reason.path.first() else {
        return Gist::Policy(reason.note.as_deref().unwrap_or("policy"));
    };
    if reason.edges.is_empty() {
        // A plan written before reasons said "changed": a lone test is its own change.
        return Gist::Changed;
    }
    let hops = reason
        .edges
        .iter()
        .filter(|edge| edge.kind != EdgeKind::MemberOf.as_str())
        .count();
    // The user of the telling edge, unless it is the test itself (the line names it).
    let telling = most_telling(reason).map(|position| {
        let user = reason
            .path
            .get(position + 1)
            .filter(|_| position + 2 < reason.path.len())
            .map_or("", String::as_str);
        (reason.edges[position].kind.as_str(), user)
    });
    Gist::Path {
        origin,
        telling,
        hops,
    }
}

/// The position of the most telling edge of a reason (the first among equals, nearest
/// the change); `None` when it has no edge.
pub fn most_telling(reason: &Reason) -> Option<usize> {
    let mut best: Option<(u8, usize)> = None;
    for (position, edge) in reason.edges.iter().enumerate() {
        let weight = EdgeKind::from_name(&edge.kind).map_or(0, salience);
        if best.is_none_or(|(top, _)| weight > top) {
            best = Some((weight, position));
        }
    }
    best.map(|(_, position)| position)
}

/// How much an edge kind tells a reader about why a test runs: what the platform does
/// behind the code's back (a flow's Apex action, a trigger firing on a write, a write
/// itself, a class created from its name) first; plain calls and type references, which
/// every path has, last; `member-of`, a step inside one class, least.
fn salience(kind: EdgeKind) -> u8 {
    match kind {
        EdgeKind::FlowAction => 16,
        EdgeKind::Fires => 15,
        EdgeKind::Writes => 14,
        EdgeKind::StringRef | EdgeKind::TypeRef => 13,
        EdgeKind::RecordOf => 12,
        EdgeKind::Dispatches => 11,
        EdgeKind::CoveredBy => 10,
        EdgeKind::TestFor => 9,
        EdgeKind::NamedTest => 8,
        EdgeKind::Imports => 7,
        EdgeKind::Reads => 6,
        EdgeKind::Calls | EdgeKind::Assigns => 5,
        EdgeKind::Extends => 4,
        EdgeKind::Implements => 3,
        EdgeKind::References => 2,
        EdgeKind::Tests => 1,
        // A flow's definition and the flow: one thing to a reader.
        EdgeKind::Defines | EdgeKind::MemberOf => 0,
    }
}

/// True for an edge kind worth naming beside a path's origin in a narrow column: what
/// the platform does behind the code's back, or a rule of the walk (a class's own test,
/// recorded coverage); plain calls, reads and type references go without saying.
pub fn is_notable(kind: &str) -> bool {
    EdgeKind::from_name(kind).is_some_and(|kind| salience(kind) >= salience(EdgeKind::NamedTest))
}

/// One line for a reason: `ApexMethod:InvoiceService.total (flow-action in
/// Flow:Invoice_After_Save, 3 hops)`, `changed`, `fallback`, or the policy note.
pub fn summary(reason: &Reason) -> String {
    match gist(reason) {
        Gist::Changed => "changed".to_string(),
        Gist::Fallback => "fallback".to_string(),
        Gist::Policy(note) => note.to_string(),
        Gist::Path {
            origin,
            telling,
            hops,
        } => {
            let unit = if hops == 1 { "hop" } else { "hops" };
            match telling {
                Some((kind, "")) => format!("{origin} ({kind}, {hops} {unit})"),
                Some((kind, user)) => {
                    format!("{origin} ({} {user}, {hops} {unit})", edge_phrase(kind))
                }
                None => format!("{origin} ({hops} {unit})"),
            }
        }
    }
}

/// `flow-action in`, `fires on`: an edge kind and the preposition before its user.
pub fn edge_phrase(kind: &str) -> String {
    let preposition = match EdgeKind::from_name(kind) {
        Some(EdgeKind::Fires) => "on",
        Some(
            EdgeKind::References
            | EdgeKind::Calls
            | EdgeKind::Extends
            | EdgeKind::Implements
            | EdgeKind::Reads
            | EdgeKind::Writes
            | EdgeKind::MemberOf
            | EdgeKind::TestFor
            | EdgeKind::Tests
            | EdgeKind::FlowAction
            | EdgeKind::Imports
            | EdgeKind::RecordOf
            | EdgeKind::StringRef
            | EdgeKind::CoveredBy
            | EdgeKind::NamedTest
            | EdgeKind::Dispatches
            | EdgeKind::Defines
            | EdgeKind::Assigns
            | EdgeKind::TypeRef,
        )
        | None => "in",
    };
    format!("{kind} {preposition}")
}

/// The one line for a test: its first reason, or "selected by policy".
pub fn test_summary(test: &super::plan::Test) -> String {
    test.reasons
        .first()
        .map_or_else(|| "selected by policy".to_string(), summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::plan::Edge;

    fn reason(path: &[&str], kinds: &[&str], note: Option<&str>) -> Reason {
        Reason {
            path: path.iter().map(|p| p.to_string()).collect(),
            edges: kinds
                .iter()
                .map(|kind| Edge {
                    kind: kind.to_string(),
                    at: "x.cls:1".into(),
                })
                .collect(),
            note: note.map(str::to_string),
        }
    }

    #[test]
    fn the_most_telling_edge_is_shown_not_the_first() {
        let through_flow = reason(
            &[
                "ApexMethod:InvoiceService.total",
                "ApexClass:InvoiceService",
                "Flow:Invoice_After_Save",
                "FlowTest:Totals",
            ],
            &["member-of", "flow-action", "tests"],
            None,
        );
        assert_eq!(
            summary(&through_flow),
            "ApexMethod:InvoiceService.total (flow-action in Flow:Invoice_After_Save, 2 hops)"
        );
        let trigger = reason(
            &[
                "ApexTrigger:InvoiceTrigger",
                "CustomObject:Invoice__c",
                "ApexClass:InvoiceFactory",
                "ApexClass:InvoiceTest",
            ],
            &["fires", "writes", "calls"],
            None,
        );
        assert_eq!(
            summary(&trigger),
            "ApexTrigger:InvoiceTrigger (fires on CustomObject:Invoice__c, 3 hops)"
        );
        let write = reason(
            &[
                "CustomObject:Invoice__c",
                "ApexClass:Factory",
                "ApexClass:T",
            ],
            &["writes", "calls"],
            None,
        );
        assert_eq!(
            summary(&write),
            "CustomObject:Invoice__c (writes in ApexClass:Factory, 2 hops)"
        );
        let by_name = reason(
            &["ApexClass:Handler", "ApexClass:Config", "ApexClass:T"],
            &["string-ref", "calls"],
            None,
        );
        assert_eq!(
            summary(&by_name),
            "ApexClass:Handler (string-ref in ApexClass:Config, 2 hops)"
        );
        // The test itself is not named again.
        let jest = reason(
            &["LightningComponentBundle:list", "LwcJestTest:list.test.js"],
            &["tests"],
            None,
        );
        assert_eq!(
            summary(&jest),
            "LightningComponentBundle:list (tests, 1 hop)"
        );
        // Equal kinds: the one nearest the change.
        let calls = reason(
            &["ApexClass:A", "ApexClass:B", "ApexClass:T"],
            &["calls", "calls"],
            None,
        );
        assert_eq!(
            summary(&calls),
            "ApexClass:A (calls in ApexClass:B, 2 hops)"
        );
    }

    #[test]
    fn changed_fallback_and_policy_reasons() {
        let modified = reason(
            &["ApexMethod:X_TEST.m", "ApexClass:X_TEST"],
            &["member-of"],
            Some(CHANGED_NOTE),
        );
        assert_eq!(summary(&modified), "changed");
        assert_eq!(
            summary(&reason(&["ApexClass:New_TEST"], &[], Some(CHANGED_NOTE))),
            "changed"
        );
        // A plan from before the note: a lone test without a note is its own change.
        assert_eq!(
            summary(&reason(&["ApexClass:New_TEST"], &[], None)),
            "changed"
        );
        let fallback = format!("{FALLBACK_NOTE_PREFIX}sfdx-project.json changed");
        assert_eq!(
            summary(&reason(&["ApexClass:T"], &[], Some(&fallback))),
            "fallback"
        );
        assert_eq!(
            summary(&reason(
                &["ApexClass:T"],
                &[],
                Some("always-run: listed in impact.toml")
            )),
            "always-run: listed in impact.toml"
        );
    }
}
