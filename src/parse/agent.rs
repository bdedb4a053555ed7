//! Agentforce agent configuration: which topics (`GenAiPlugin`) and actions
//! (`GenAiFunction`) an agent (`GenAiPlannerBundle`, the older `GenAiPlanner`) has, and
//! which actions a topic has.
//!
//! Only the agent runtime reads this configuration, and it runs an agent only when asked
//! to: a test can meet an agent only through code that names it (a flow or an Apex class
//! invoking the agent, which the type table follows as a string reference). So a change
//! of an action reaches the topics that list it, a topic the agents that list it, and an
//! agent the code that names it; an agent no code names selects no test.

use crate::facts::{EdgeKind, Facts, Target};
use crate::metadata::component::ComponentId;
use crate::metadata::types;
use crate::parse::xml::{component_decl, line_count, read_tree, UseSet};

/// The elements of an agent or topic file that list its parts: the list element, the
/// element naming one part inside it, and the part's type.
const PARTS: &[(&str, &str, &str)] = &[
    // A topic's actions.
    ("genAiFunctions", "functionName", types::GEN_AI_FUNCTION),
    // An agent's actions outside any topic, and its topics.
    (
        "genAiFunctions",
        "genAiFunctionName",
        types::GEN_AI_FUNCTION,
    ),
    ("genAiPlugins", "genAiPluginName", types::GEN_AI_PLUGIN),
];

/// Parses an agent or a topic: declares it, and uses each part it lists (`References`).
pub fn parse_agent_config(component: &ComponentId, source: &str) -> Facts {
    let (root, problems) = read_tree(source);
    let hash = root.semantic_hash();
    let mut uses = UseSet::default();
    for (list, name, part_type) in PARTS {
        for part in root.children_named(list) {
            if let Some(part_name) = part.child(name) {
                let target = Target::Component(ComponentId::new(part_type, &part_name.text()));
                uses.add(
                    component,
                    target,
                    EdgeKind::References,
                    part_name.text_line(),
                );
            }
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

    fn parts(facts: &Facts) -> Vec<(String, u32)> {
        facts
            .parsed_uses()
            .iter()
            .map(|use_| match &use_.target {
                Target::Component(id) => (id.to_string(), use_.line),
                other => panic!("unexpected target {other:?}"),
            })
            .collect()
    }

    #[test]
    fn a_topic_uses_its_actions_and_an_agent_its_topics_and_actions() {
        let topic = ComponentId::new(types::GEN_AI_PLUGIN, "Support");
        let facts = parse_agent_config(
            &topic,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <GenAiPlugin xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n\
             <genAiFunctions>\n<functionName>Check_Weather</functionName>\n</genAiFunctions>\n\
             <genAiFunctions>\n<functionName>EmployeeCopilot__QueryRecords</functionName>\n</genAiFunctions>\n\
             <genAiPluginInstructions><description>Be kind</description></genAiPluginInstructions>\n\
             </GenAiPlugin>\n",
        );
        assert_eq!(
            parts(&facts),
            vec![
                ("GenAiFunction:Check_Weather".to_string(), 4),
                ("GenAiFunction:EmployeeCopilot__QueryRecords".to_string(), 7),
            ]
        );
        assert!(facts.problems.is_empty());

        let agent = ComponentId::new(types::GEN_AI_PLANNER_BUNDLE, "Employee_Agent");
        let facts = parse_agent_config(
            &agent,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <GenAiPlannerBundle xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n\
             <genAiFunctions><genAiFunctionName>Answer_Questions</genAiFunctionName></genAiFunctions>\n\
             <genAiPlugins><genAiPluginName>Support</genAiPluginName></genAiPlugins>\n\
             <plannerType>AiCopilot__ReAct</plannerType>\n\
             </GenAiPlannerBundle>\n",
        );
        assert_eq!(
            parts(&facts),
            vec![
                ("GenAiFunction:Answer_Questions".to_string(), 3),
                ("GenAiPlugin:Support".to_string(), 4),
            ]
        );
    }

    /// An instruction's text is meaning (the agent reads it), so its change is one of
    /// meaning; reformatting is not.
    #[test]
    fn instructions_are_meaning_and_layout_is_not() {
        let topic = ComponentId::new(types::GEN_AI_PLUGIN, "Support");
        let text = |instruction: &str, indent: &str| {
            format!(
                "<GenAiPlugin>\n{indent}<genAiPluginInstructions><description>{instruction}</description></genAiPluginInstructions>\n</GenAiPlugin>\n"
            )
        };
        let hash = |source: &str| parse_agent_config(&topic, source).semantic_hash;
        assert_eq!(hash(&text("Be kind", "")), hash(&text("Be kind", "    ")));
        assert_ne!(hash(&text("Be kind", "")), hash(&text("Be brief", "")));
    }

    #[test]
    fn broken_xml_is_a_problem() {
        let topic = ComponentId::new(types::GEN_AI_PLUGIN, "Support");
        let facts = parse_agent_config(&topic, "<GenAiPlugin><genAiFunctions>");
        assert_eq!(facts.problems.len(), 1);
        assert_eq!(facts.declares.len(), 1);
    }
}
