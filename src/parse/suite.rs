//! Apex test suites (`testSuites/*.testSuite-meta.xml`): the test classes a suite names.

use super::xml::{component_decl, line_count, read_tree, UseSet};
use crate::facts::{EdgeKind, Facts, Target};
use crate::metadata::component::ComponentId;
use crate::metadata::types;

/// Declares the suite and a use of each `<testClassName>`.
pub fn parse_test_suite(component: &ComponentId, source: &str) -> Facts {
    let (root, problems) = read_tree(source);
    let hash = root.semantic_hash();
    let mut uses = UseSet::default();
    for class in root.children_named("testClassName") {
        let name = class.text();
        let name = name.trim();
        if !name.is_empty() {
            uses.add(
                component,
                Target::Component(ComponentId::new(types::APEX_CLASS, name)),
                EdgeKind::References,
                class.text_line(),
            );
        }
    }
    Facts {
        declares: vec![component_decl(component, (1, line_count(source)), hash)],
        uses: uses.into_vec().into(),
        problems,
        semantic_hash: hash,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test classes a parsed suite names.
    fn suite_classes(facts: &Facts) -> Vec<String> {
        facts
            .parsed_uses()
            .iter()
            .filter_map(|use_| match &use_.target {
                Target::Component(id) if id.is_type(types::APEX_CLASS) => {
                    Some(id.full_name().to_string())
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn names_every_test_class() {
        let suite = ComponentId::new("ApexTestSuite", "Billing");
        let facts = parse_test_suite(
            &suite,
            r#"<?xml version="1.0" encoding="UTF-8"?>
<ApexTestSuite xmlns="http://soap.sforce.com/2006/04/metadata">
    <testClassName>InvoiceServiceTest</testClassName>
    <testClassName>
        PaymentServiceTest
    </testClassName>
</ApexTestSuite>
"#,
        );
        assert_eq!(
            suite_classes(&facts),
            vec!["InvoiceServiceTest", "PaymentServiceTest"]
        );
        assert_eq!(
            facts.parsed_uses()[1].line,
            5,
            "the line of the name, not of the tag"
        );
        assert!(facts.problems.is_empty());
    }
}
