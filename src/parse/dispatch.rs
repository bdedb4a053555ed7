//! Which parser reads which file: by the component's metadata type and the file's name.

use super::{agent, apex, data_rules, flow, lwc, markup, multi, objects, suite, xml};
use crate::facts::{stable_hash_bytes, Facts};
use crate::metadata::component::ComponentId;
use crate::metadata::types::{self, Parser};

/// Parses one file of a component. Never fails: content that is not UTF-8 or not a
/// format `impact` reads is hashed as bytes, so a change to it is still seen.
pub fn parse_file(component: &ComponentId, path: &str, content: &[u8]) -> Facts {
    let mut facts = read_file(component, path, content);
    facts.share_ids();
    facts
}

/// The first line of a git LFS pointer file (git-lfs spec v1).
const LFS_POINTER_START: &[u8] = b"version https://git-lfs.github.com/spec/v1\n";

/// [`parse_file`] before the ids are shared. The parser is the type's, from the type
/// table; a file that is not in the parser's format (a class's `-meta.xml`) is read as
/// generic XML, and anything else as bytes.
fn read_file(component: &ComponentId, path: &str, content: &[u8]) -> Facts {
    // A checkout without `git lfs pull` holds pointers, not content: hashed as bytes (a
    // new version is a new pointer, so a change is still seen), with a problem, so the
    // policy runs more tests rather than trusting what it could not read.
    if content.starts_with(LFS_POINTER_START) {
        let mut facts = opaque(component, content);
        facts.problems.push(crate::facts::Problem {
            line: None,
            message: "a git LFS pointer, not the file's content (run `git lfs pull`)".into(),
        });
        return facts;
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    let Ok(text) = std::str::from_utf8(content) else {
        return opaque(component, content);
    };
    let info = types::type_info(component.type_name());
    let parser = info.map_or(Parser::Generic, |info| info.parser);
    // The content file of a content+meta type: `Foo.cls`, `Foo.page`.
    let is_content = || {
        info.and_then(|info| info.suffix)
            .is_some_and(|suffix| name.ends_with(&format!(".{suffix}")))
    };
    match parser {
        Parser::ApexClass if is_content() => {
            return apex::parse_apex(component, apex::ApexFileKind::Class, text)
        }
        Parser::ApexTrigger if is_content() => {
            return apex::parse_apex(component, apex::ApexFileKind::Trigger, text)
        }
        Parser::Visualforce if is_content() => return markup::parse_visualforce(component, text),
        Parser::Jest => {
            let bundle = lwc::bundle_of_jest_test(path)
                .map(|bundle| ComponentId::new(types::LWC_BUNDLE, bundle));
            return lwc::parse_jest_test(component, bundle.as_ref(), text);
        }
        Parser::Lwc if name.ends_with(".js") => return lwc::parse_lwc_js(component, text),
        Parser::Lwc if name.ends_with(".html") => return lwc::parse_lwc_html(component, text),
        Parser::Aura
            if [".cmp", ".app", ".evt", ".intf"]
                .iter()
                .any(|suffix| name.ends_with(suffix)) =>
        {
            return markup::parse_aura(component, text)
        }
        // An agent bundle's file has no `.xml` suffix (`Agent.genAiPlannerBundle`).
        Parser::AgentConfig if name.ends_with(".genAiPlannerBundle") => {
            return agent::parse_agent_config(component, text)
        }
        _ => {}
    }
    if !name.ends_with(".xml") {
        return opaque(component, content);
    }
    match parser {
        Parser::Flow => flow::parse_flow(component, text),
        Parser::FlowTest => flow::parse_flow_test(component, text),
        Parser::FlowDefinition => flow::parse_flow_definition(component, text),
        Parser::TestSuite => suite::parse_test_suite(component, text),
        Parser::Object => objects::parse_object(component, text),
        Parser::Field => objects::parse_field(component, text),
        Parser::ValidationRule => objects::parse_validation_rule(component, text),
        Parser::CustomMetadataRecord => objects::parse_custom_metadata_record(component, text),
        Parser::ObjectChild if component.full_name().contains('.') => {
            objects::parse_object_child_generic(component, text)
        }
        Parser::RecordType if component.full_name().contains('.') => {
            objects::parse_record_type(component, text)
        }
        Parser::EmailTemplate => xml::parse_email_template_meta(component, text),
        Parser::Labels => multi::parse_labels(text),
        Parser::Workflow => multi::parse_workflow(component, text),
        Parser::SharingRules => multi::parse_sharing_rules(component, text),
        Parser::DecomposedChild => multi::parse_decomposed_child(component, text),
        Parser::MatchingRules => multi::parse_matching_rules(component, text),
        Parser::DuplicateRule => data_rules::parse_duplicate_rule(component, text),
        Parser::StandardValueSet => data_rules::parse_standard_value_set(component, text),
        Parser::AgentConfig => agent::parse_agent_config(component, text),
        Parser::Generic
        | Parser::ObjectChild
        | Parser::RecordType
        | Parser::ApexClass
        | Parser::ApexTrigger
        | Parser::Visualforce
        | Parser::Jest
        | Parser::Lwc
        | Parser::Aura => xml::parse_generic(component, text),
    }
}

/// Facts of a file `impact` does not read: the component, and a hash of the bytes
/// themselves, not of their lossy text: two versions of a binary file that differ only in
/// bytes that are not UTF-8 have the same lossy text, and their change would read as one
/// of formatting, which runs no test.
fn opaque(component: &ComponentId, content: &[u8]) -> Facts {
    let hash = stable_hash_bytes([content]);
    Facts {
        declares: vec![xml::component_decl(component, (1, 1), hash)],
        uses: Default::default(),
        problems: Vec::new(),
        semantic_hash: hash,
    }
}
