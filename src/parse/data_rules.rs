//! Parsers for rules on the data an object accepts: duplicate rules and standard value
//! sets. Both are automation of objects: a blocking duplicate rule refuses a save, and a
//! standard value set decides which picklist values a save may hold (and, for
//! `OpportunityStage` or `CaseStatus`, what closing a record means). The graph reaches
//! them through the objects, from the code that writes them.
//!
//! Matching rules (behind duplicate rules) are read in `multi.rs`: one file holds many.

use crate::facts::{EdgeKind, Facts, Problem, Target};
use crate::metadata::component::ComponentId;
use crate::metadata::types;
use crate::parse::objects::{object_of, parse_declared};

/// Parses `duplicateRules/Obj.Rule.duplicateRule-meta.xml` (component
/// `DuplicateRule:Obj.Rule`): automation of `Obj` that uses its matching rules.
pub fn parse_duplicate_rule(component: &ComponentId, source: &str) -> Facts {
    let object = object_of(component);
    parse_declared(
        component,
        source,
        Some(object.clone()),
        |root, from, uses| {
            for match_rule in root.children_named("duplicateRuleMatchRules") {
                let Some(rule) = match_rule.child("matchingRule") else {
                    continue;
                };
                // A rule may match records of another object (`objectMapping`); its matching
                // rule is declared under that object.
                let matched = match_rule
                    .child("objectMapping")
                    .and_then(|mapping| mapping.child_text("outputObject"))
                    .unwrap_or_else(|| object.clone());
                let id =
                    ComponentId::new(types::MATCHING_RULE, &format!("{matched}.{}", rule.text()));
                uses.add(
                    from,
                    Target::Component(id),
                    EdgeKind::References,
                    rule.text_line(),
                );
            }
        },
    )
}

/// Standard value sets and the standard objects whose picklist fields use them
/// (Salesforce's "StandardValueSet Names and Standard Picklist Fields").
const STANDARD_VALUE_SETS: &[(&str, &[&str])] = &[
    ("AccountContactMultiRoles", &["AccountContactRelation"]),
    ("AccountContactRole", &["AccountContactRole"]),
    ("AccountOwnership", &["Account"]),
    ("AccountRating", &["Account"]),
    ("AccountType", &["Account"]),
    ("AssetStatus", &["Asset"]),
    ("CampaignMemberStatus", &["CampaignMember"]),
    ("CampaignStatus", &["Campaign"]),
    ("CampaignType", &["Campaign"]),
    ("CaseContactRole", &["CaseContactRole"]),
    ("CaseOrigin", &["Case"]),
    ("CasePriority", &["Case"]),
    ("CaseReason", &["Case"]),
    ("CaseStatus", &["Case"]),
    ("CaseType", &["Case"]),
    ("ContactRole", &["OpportunityContactRole"]),
    ("ContractContactRole", &["ContractContactRole"]),
    ("ContractStatus", &["Contract"]),
    ("EntitlementType", &["Entitlement"]),
    ("EventSubject", &["Event"]),
    ("EventType", &["Event"]),
    ("Industry", &["Account", "Lead"]),
    ("LeadSource", &["Lead", "Contact", "Opportunity"]),
    ("LeadStatus", &["Lead"]),
    ("OpportunityCompetitor", &["OpportunityCompetitor"]),
    ("OpportunityStage", &["Opportunity"]),
    ("OpportunityType", &["Opportunity"]),
    ("OrderStatus", &["Order"]),
    ("OrderType", &["Order"]),
    ("PartnerRole", &["Partner"]),
    ("Product2Family", &["Product2"]),
    ("QuoteStatus", &["Quote"]),
    ("Salutation", &["Contact", "Lead"]),
    ("SolutionStatus", &["Solution"]),
    ("TaskPriority", &["Task"]),
    ("TaskStatus", &["Task"]),
    ("TaskSubject", &["Task"]),
    ("TaskType", &["Task"]),
    ("WorkOrderPriority", &["WorkOrder"]),
    ("WorkOrderStatus", &["WorkOrder"]),
    ("WorkOrderLineItemStatus", &["WorkOrderLineItem"]),
];

/// The standard objects a standard value set's fields belong to: the listed ones, else
/// the longest listed object its name starts with (`CaseSomething` → Case).
fn objects_of_value_set(name: &str) -> Vec<&'static str> {
    if let Some((_, objects)) = STANDARD_VALUE_SETS
        .iter()
        .find(|(set, _)| set.eq_ignore_ascii_case(name))
    {
        return objects.to_vec();
    }
    let lower = name.to_ascii_lowercase();
    STANDARD_VALUE_SETS
        .iter()
        .flat_map(|(_, objects)| objects.iter().copied())
        .filter(|object| lower.starts_with(&object.to_ascii_lowercase()))
        .max_by_key(|object| object.len())
        .into_iter()
        .collect()
}

/// Parses `standardValueSets/Name.standardValueSet-meta.xml` (component
/// `StandardValueSet:Name`): automation of each object whose standard picklist uses the
/// set. A set whose objects are unknown is a problem, so its change falls back.
pub fn parse_standard_value_set(component: &ComponentId, source: &str) -> Facts {
    let name = component.full_name();
    let objects = objects_of_value_set(name);
    let mut facts = parse_declared(component, source, None, |root, from, uses| {
        for object in &objects {
            let target = Target::SObject((*object).to_string().into());
            uses.add(from, target, EdgeKind::Fires, root.line);
        }
    });
    if objects.is_empty() {
        facts.problems.push(Problem {
            line: None,
            message: format!(
                "standard value set `{name}`: which standard fields use it is unknown"
            ),
        });
    }
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_rule_automates_its_object_and_uses_its_matching_rule() {
        let source = r#"<?xml version="1.0" encoding="UTF-8"?>
<DuplicateRule xmlns="http://soap.sforce.com/2006/04/metadata">
    <actionOnInsert>Block</actionOnInsert>
    <duplicateRuleMatchRules>
        <matchingRule>Account_Name_Match</matchingRule>
        <objectMapping xsi:nil="true"/>
    </duplicateRuleMatchRules>
    <isActive>true</isActive>
</DuplicateRule>
"#;
        let facts = parse_duplicate_rule(
            &ComponentId::new("DuplicateRule", "Account.Block_Duplicates"),
            source,
        );
        assert_eq!(facts.declares[0].automates.as_deref(), Some("Account"));
        assert_eq!(
            facts.parsed_uses()[0].target,
            Target::Component(ComponentId::new(
                "MatchingRule",
                "Account.Account_Name_Match"
            ))
        );
    }

    #[test]
    fn standard_value_sets_fire_on_their_objects() {
        let source = "<StandardValueSet><standardValue><fullName>Hot</fullName></standardValue></StandardValueSet>";
        let facts =
            parse_standard_value_set(&ComponentId::new("StandardValueSet", "LeadSource"), source);
        let objects: Vec<&Target> = facts.parsed_uses().iter().map(|u| &u.target).collect();
        assert_eq!(objects.len(), 3);
        assert!(facts
            .parsed_uses()
            .iter()
            .all(|u| u.kind == EdgeKind::Fires));
        assert!(facts.problems.is_empty());
        assert_eq!(objects_of_value_set("CaseSeverity"), vec!["Case"]);
        let unknown =
            parse_standard_value_set(&ComponentId::new("StandardValueSet", "Zzz"), source);
        assert_eq!(unknown.problems.len(), 1);
    }
}
