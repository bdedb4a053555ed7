//! Aura and Visualforce markup parsers: `aura/x/x.cmp|.app|.evt|.intf|.design|…`,
//! the bundle's JavaScript, `pages/*.page` and `components/*.component`.
//!
//! Markup is XML-ish, so it is read with `quick-xml` in lenient mode (unknown entities,
//! bare `&`, unquoted attributes, unclosed tags and `<script>` bodies are tolerated). What
//! the graph follows: Aura `controller=` (an Apex class), `extends=` and `implements=`
//! naming `c:` bundles, `<c:child>` tags and `c:` event types; Visualforce `controller=`
//! and `extensions=` (Apex classes), `standardController=` (an object), `<c:comp>` tags
//! (Visualforce components), `<apex:include pageName>` and `<apex:composition
//! template>` (pages); in both, `$Label`, `$Resource`, `$Setup` and `$Permission` in
//! expressions.
//!
//! Aura markup names Aura bundles and LWC bundles the same way (`<c:name>`), so a `c:`
//! tag is an import of both `AuraDefinitionBundle:name` and
//! `LightningComponentBundle:name`; the one the repository does not declare is left
//! unresolved by the graph. This module does not read Aura helper logic, `force:`/`ui:`
//! platform components, or Apex types named in `<aura:attribute type=…>`.

use crate::facts::{EdgeKind, Facts, Target};
use crate::metadata::component::ComponentId;
use crate::metadata::types;
use crate::parse::formula::add_global_use;
use crate::parse::lwc::JsFile;
use crate::parse::xml::{
    component_decl, global_refs, line_count, read_tree_with, Element, Mode, UseSet,
};

/// Parses Aura markup (component `AuraDefinitionBundle:x`): declares the bundle and the
/// controller, bundles and globals it names.
pub fn parse_aura(component: &ComponentId, source: &str) -> Facts {
    parse_markup(component, source, |element, from, uses| {
        let line = element.line;
        if let Some(controller) = element.attr("controller").filter(|c| is_name(c)) {
            uses.add(
                from,
                Target::ApexType(controller.to_string().into()),
                EdgeKind::Imports,
                line,
            );
        }
        let mut bundles: Vec<&str> = Vec::new();
        if element
            .prefix()
            .is_some_and(|p| p.eq_ignore_ascii_case("c"))
        {
            bundles.push(element.local_name());
        }
        for attribute in ["extends", "implements", "type", "event"] {
            if let Some(value) = element.attr(attribute) {
                bundles.extend(value.split(',').filter_map(|v| local_name(v.trim())));
            }
        }
        for name in bundles {
            for type_name in [types::AURA_BUNDLE, types::LWC_BUNDLE] {
                let target = Target::Component(ComponentId::new(type_name, name));
                uses.add(from, target, EdgeKind::Imports, line);
            }
        }
    })
}

/// Parses an Aura bundle's JavaScript (controller, helper, renderer): declares the
/// bundle, hashes its tokens, and reads `$Label`/`$Resource` names in string literals
/// (`$A.get("$Label.c.X")`).
pub fn parse_aura_js(component: &ComponentId, source: &str) -> Facts {
    let js = JsFile::parse(source);
    let mut uses = UseSet::default();
    let (strings, hash) = js.strings();
    for (value, line) in strings {
        for global in global_refs(&value) {
            add_global_use(global.global, &global.path, component, &mut uses, line);
        }
    }
    js.facts(component, None, uses, hash)
}

/// Parses a Visualforce page or component (component `ApexPage:x` / `ApexComponent:x`):
/// declares it with the controller, extensions, standard controller, custom components
/// and pages it names.
pub fn parse_visualforce(component: &ComponentId, source: &str) -> Facts {
    parse_markup(component, source, |element, from, uses| {
        let line = element.line;
        let is_apex = element
            .prefix()
            .is_some_and(|p| p.eq_ignore_ascii_case("apex"));
        let local = element.local_name().to_ascii_lowercase();
        if is_apex && (local == "page" || local == "component") {
            let extensions = element.attr("extensions").unwrap_or("");
            let classes = element
                .attr("controller")
                .into_iter()
                .chain(extensions.split(','));
            for class in classes.map(str::trim).filter(|c| is_name(c)) {
                uses.add(
                    from,
                    Target::ApexType(class.to_string().into()),
                    EdgeKind::Imports,
                    line,
                );
            }
            if let Some(object) = element.attr("standardController").filter(|o| is_name(o)) {
                uses.add(
                    from,
                    Target::SObject(object.to_string().into()),
                    EdgeKind::References,
                    line,
                );
            }
        }
        let page = match (is_apex, local.as_str()) {
            (true, "include") => element.attr("pageName"),
            (true, "composition") => element.attr("template"),
            _ => None,
        };
        if let Some(page) = page.filter(|p| is_name(p)) {
            let target = Target::Component(ComponentId::new(types::APEX_PAGE, page));
            uses.add(from, target, EdgeKind::Imports, line);
        }
        if element
            .prefix()
            .is_some_and(|p| p.eq_ignore_ascii_case("c"))
        {
            let target = Target::Component(ComponentId::new(
                types::APEX_COMPONENT,
                element.local_name(),
            ));
            uses.add(from, target, EdgeKind::Imports, line);
        }
    })
}

/// Reads markup leniently, declares `component`, lets `element_uses` look at each
/// element, and adds the `$Global` references found in attribute values and text.
fn parse_markup(
    component: &ComponentId,
    source: &str,
    mut element_uses: impl FnMut(&Element, &ComponentId, &mut UseSet),
) -> Facts {
    let (root, problems) = read_tree_with(source, Mode::Lenient);
    let hash = root.semantic_hash();
    let mut uses = UseSet::default();
    root.walk(&mut |element| {
        element_uses(element, component, &mut uses);
        for (_, value) in &element.attrs {
            for global in global_refs(value) {
                add_global_use(
                    global.global,
                    &global.path,
                    component,
                    &mut uses,
                    element.line,
                );
            }
        }
        for text in &element.texts {
            for global in global_refs(&text.value) {
                let line = text.line_at(global.offset);
                add_global_use(global.global, &global.path, component, &mut uses, line);
            }
        }
    });
    Facts {
        declares: vec![component_decl(component, (1, line_count(source)), hash)],
        uses: uses.into_vec().into(),
        problems,
        semantic_hash: hash,
    }
}

/// The name in a `c:name` reference.
fn local_name(reference: &str) -> Option<&str> {
    let (prefix, name) = reference.split_once(':')?;
    (prefix.eq_ignore_ascii_case("c") && is_name(name)).then_some(name)
}

/// True for a plain (possibly dotted or namespaced) API name, not an expression.
fn is_name(text: &str) -> bool {
    !text.is_empty()
        && text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Use;

    fn list(uses: &[Use<'static>]) -> Vec<(Target<'static>, EdgeKind, u32)> {
        uses.iter()
            .map(|u| (u.target.clone(), u.kind, u.line))
            .collect()
    }

    fn component(type_name: &str, name: &str) -> Target<'static> {
        Target::Component(ComponentId::new(type_name, name))
    }

    #[test]
    fn aura_component_names_controller_bundles_and_labels() {
        let source = r#"<aura:component controller="InvoiceAuraController"
    extends="c:baseCard" implements="force:appHostable,c:invoiceAware">
    <!-- <c:commentedOut/> -->
    <aura:registerEvent name="selected" type="c:invoiceSelected"/>
    <aura:attribute name="title" type="String" default="{!$Label.c.Invoice_Title}"/>
    <ltng:require scripts="{!$Resource.chartJs}"/>
    <lightning:card title="{!v.title}">
        <c:invoiceRow invoice="{!v.invoice}" />
        <p>Total &nbsp; {!v.total}</p>
    </lightning:card>
</aura:component>
"#;
        let id = ComponentId::new("AuraDefinitionBundle", "invoiceCard");
        let facts = parse_aura(&id, source);
        assert!(facts.problems.is_empty(), "{:?}", facts.problems);
        assert_eq!(facts.declares[0].id, id);
        let aura = |n: &str| component("AuraDefinitionBundle", n);
        let lwc = |n: &str| component("LightningComponentBundle", n);
        assert_eq!(
            list(facts.parsed_uses()),
            vec![
                (
                    Target::ApexType("InvoiceAuraController".into()),
                    EdgeKind::Imports,
                    1
                ),
                (aura("baseCard"), EdgeKind::Imports, 1),
                (lwc("baseCard"), EdgeKind::Imports, 1),
                (aura("invoiceAware"), EdgeKind::Imports, 1),
                (lwc("invoiceAware"), EdgeKind::Imports, 1),
                (aura("invoiceSelected"), EdgeKind::Imports, 4),
                (lwc("invoiceSelected"), EdgeKind::Imports, 4),
                (Target::Label("Invoice_Title".into()), EdgeKind::Reads, 5),
                (component("StaticResource", "chartJs"), EdgeKind::Imports, 6),
                (aura("invoiceRow"), EdgeKind::Imports, 8),
                (lwc("invoiceRow"), EdgeKind::Imports, 8),
            ]
        );
    }

    #[test]
    fn aura_js_reads_labels_in_strings_only() {
        let source = r#"({
    init: function (component) {
        // $A.get("$Label.c.Old_Label")
        var title = $A.get("$Label.c.Invoice_Title");
        component.set("v.title", title);
    }
})"#;
        let id = ComponentId::new("AuraDefinitionBundle", "invoiceCard");
        let facts = parse_aura_js(&id, source);
        assert!(facts.problems.is_empty(), "{:?}", facts.problems);
        assert_eq!(
            list(facts.parsed_uses()),
            vec![(Target::Label("Invoice_Title".into()), EdgeKind::Reads, 4)]
        );
    }

    #[test]
    fn visualforce_page_names_controllers_object_components_and_resources() {
        let source = r#"<apex:page standardController="Invoice__c"
           extensions="InvoiceExtension, ns.PdfExtension"
           renderAs="{!IF(a < b && c, 'pdf', null)}">
    <apex:includeScript value="{!URLFOR($Resource.invoiceAssets, 'app.js')}"/>
    <script>
        if (total < 0 && !paid) { alert('{!$Label.Negative_Total}'); }
    </script>
    <apex:include pageName="InvoiceHeader"/>
    <c:invoiceLines invoice="{!Invoice__c}"/>
    <apex:outputText value="{!$Setup.Billing_Settings__c.Currency__c}"/>
</apex:page>
"#;
        let id = ComponentId::new("ApexPage", "InvoicePdf");
        let facts = parse_visualforce(&id, source);
        assert!(facts.problems.is_empty(), "{:?}", facts.problems);
        assert_eq!(
            list(facts.parsed_uses()),
            vec![
                (
                    Target::ApexType("InvoiceExtension".into()),
                    EdgeKind::Imports,
                    1
                ),
                (
                    Target::ApexType("ns.PdfExtension".into()),
                    EdgeKind::Imports,
                    1
                ),
                (
                    Target::SObject("Invoice__c".into()),
                    EdgeKind::References,
                    1
                ),
                (
                    component("StaticResource", "invoiceAssets"),
                    EdgeKind::Imports,
                    4
                ),
                (Target::Label("Negative_Total".into()), EdgeKind::Reads, 6),
                (component("ApexPage", "InvoiceHeader"), EdgeKind::Imports, 8),
                (
                    component("ApexComponent", "invoiceLines"),
                    EdgeKind::Imports,
                    9
                ),
                (
                    Target::Field {
                        object: "Billing_Settings__c".into(),
                        field: "Currency__c".into()
                    },
                    EdgeKind::Reads,
                    10
                ),
            ]
        );
    }

    #[test]
    fn visualforce_controller_and_broken_markup() {
        let id = ComponentId::new("ApexComponent", "invoiceLines");
        let source = "<apex:component controller=\"InvoiceLinesController\">\n<apex:attribute name=\"invoice\" type=\"Invoice__c\"/>\n<p>unclosed\n<b>bold</i>\n";
        let facts = parse_visualforce(&id, source);
        assert!(facts.problems.is_empty(), "{:?}", facts.problems);
        assert_eq!(
            list(facts.parsed_uses()),
            vec![(
                Target::ApexType("InvoiceLinesController".into()),
                EdgeKind::Imports,
                1
            )]
        );
        // A tag quick-xml cannot finish is a problem, never a panic.
        let facts = parse_visualforce(&id, "<apex:page controller=\"X\">\n<apex:form");
        assert_eq!(facts.problems.len(), 1, "{:?}", facts.problems);
        assert!(facts.problems[0]
            .message
            .starts_with("malformed XML near line 2"));
        assert_eq!(
            list(facts.parsed_uses()),
            vec![(Target::ApexType("X".into()), EdgeKind::Imports, 1)]
        );
    }
}
