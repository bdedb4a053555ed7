//! Lightning Web Component parsers: the bundle's JavaScript and HTML template, and its
//! Jest tests (`__tests__/*.test.js`).
//!
//! JavaScript is read with the real grammar (`tree-sitter-javascript`), so an import
//! inside a comment, a string or a template literal never counts. What the graph needs
//! from a component is its module specifiers: `@salesforce/apex/Class.method` (an Apex
//! method), `@salesforce/schema/Object.Field` (a field), `@salesforce/label/c.X`,
//! `@salesforce/resourceUrl/X`, `@salesforce/customPermission/X`,
//! `@salesforce/messageChannel/X__c` and `c/other` (another bundle). Static imports,
//! `export … from` and dynamic `import('c/x')` all count; `lightning/*` and other
//! modules are platform code and are ignored. Templates name child bundles by tag
//! (`<c-my-child>` is `myChild`).
//!
//! Jest tests run in Node with every `@salesforce/*` module mocked, so a test depends
//! only on the bundle it tests and the `c/*` modules it imports, requires or mocks.
//!
//! This module does not resolve relative imports inside a bundle (`./utils`: the same
//! component), wire adapters' parameters, or `lwc:is` dynamic components.

use crate::facts::{
    stable_hash, stable_hash_bytes, EdgeKind, Facts, Problem, Target, TestMark, TypeExpr,
};
use crate::metadata::component::ComponentId;
use crate::metadata::{registry, types};
use crate::parse::xml::{component_decl, line_count, read_template, UseSet};
use crate::parse::Preorder;
use tree_sitter::{Node, Parser, Tree};

/// Parses one JavaScript file of an LWC bundle (component `LightningComponentBundle:x`):
/// declares the bundle and the uses its imports name.
pub fn parse_lwc_js(component: &ComponentId, source: &str) -> Facts {
    let js = JsFile::parse(source);
    let mut uses = UseSet::default();
    let (modules, hash) = js.modules(false);
    for module in modules {
        if let Some((target, kind)) = module_target(&module.specifier) {
            uses.add(component, target, kind, module.line);
        }
    }
    js.facts(component, None, uses, hash)
}

/// Parses an LWC template (`x.html`): declares the bundle; each `<c-child-name>` tag is
/// an import of bundle `childName`.
pub fn parse_lwc_html(component: &ComponentId, source: &str) -> Facts {
    let (root, problems) = read_template(source);
    let hash = root.semantic_hash();
    let mut uses = UseSet::default();
    root.walk(&mut |element| {
        if let Some(bundle) = bundle_of_tag(&element.name) {
            let target = Target::Component(ComponentId::new(types::LWC_BUNDLE, &bundle));
            uses.add(component, target, EdgeKind::Imports, element.line);
        }
    });
    Facts {
        declares: vec![component_decl(component, (1, line_count(source)), hash)],
        uses: uses.into_vec().into(),
        problems,
        semantic_hash: hash,
    }
}

/// The folders a Jest test is kept in: Jest's own `__tests__`, and `__test__` (Jest's
/// default pattern finds a `.spec.js` file in any folder; base-components-recipes keeps
/// nine of its tests in `lwc/<bundle>/__test__/`).
pub const JEST_TEST_FOLDERS: [&str; 2] = ["__tests__", "__test__"];

/// Whether `path` (from a package directory or the project's folder) is a Jest test's:
/// `x.test.js` or `x.spec.js` in a Jest test folder, not under `node_modules`. A helper
/// beside the tests (`__tests__/data/setup.js`) is not a test.
pub fn is_jest_test_path(path: &str) -> bool {
    // The name first: it rules out nearly every path without splitting it.
    if !(path.ends_with(".test.js") || path.ends_with(".spec.js")) {
        return false;
    }
    let mut in_a_test_folder = false;
    for folder in path.split('/').rev().skip(1) {
        if folder == "node_modules" {
            return false;
        }
        in_a_test_folder |= JEST_TEST_FOLDERS.contains(&folder);
    }
    in_a_test_folder
}

/// The names of Jest's configuration file, in the project's folder.
pub const JEST_CONFIG_FILES: [&str; 4] = [
    "jest.config.js",
    "jest.config.cjs",
    "jest.config.mjs",
    "jest.config.ts",
];

/// The files and folders a Jest configuration names in the project's folder, relative to
/// it: each string that starts with `<rootDir>/` (a `moduleNameMapper` target,
/// `<rootDir>/config/jest/mocks/lightning/empApi`; a set-up file), without that
/// prefix, a trailing `/` or a pattern's characters. A file there is Jest's wherever it
/// lies (NebulaLogger keeps its mocks of `lightning/*` in `config/jest/mocks/`, outside
/// its package directories: a change to one planned nothing). What a setting names for
/// Jest to leave alone (`testPathIgnorePatterns`, and the like) or to write
/// (`coverageDirectory`, `cacheDirectory`) is not Jest's to read: rflib ignores its
/// Playwright tests so (`<rootDir>/e2e/`).
pub fn jest_config_paths(source: &str) -> Vec<String> {
    const ROOT: &str = "<rootDir>/";
    let file = JsFile::parse(source);
    let mut paths = Vec::new();
    file.scan(&mut |node, kind| {
        if !matches!(kind, "string" | "template_string") || names_no_input(&file, node) {
            return;
        }
        let Some(path) = file
            .string_value(node)
            .and_then(|text| text.strip_prefix(ROOT))
        else {
            return;
        };
        let path = path.trim_end_matches('/');
        let pattern = path.contains(['*', '$', '^', '(', '[', '|', '?', '\\', '{']);
        if !path.is_empty() && !pattern && !path.split('/').any(|part| part == "..") {
            paths.push(path.to_string());
        }
    });
    paths.sort();
    paths.dedup();
    paths
}

/// Whether the string `node` of a Jest configuration is the value of a setting that
/// names what Jest does not read: its nearest property's key says to ignore
/// (`…IgnorePatterns`) or names an output folder.
fn names_no_input(file: &JsFile, node: Node) -> bool {
    let mut at = node.parent();
    while let Some(node) = at {
        if node.kind() == "pair" {
            let key = node
                .child_by_field_name("key")
                .map(|key| {
                    file.text(key)
                        .trim_matches(['\'', '"', '`'])
                        .to_ascii_lowercase()
                })
                .unwrap_or_default();
            return key.contains("ignore")
                || matches!(key.as_str(), "coveragedirectory" | "cachedirectory");
        }
        at = node.parent();
    }
    false
}

/// The bundle whose test folder holds the Jest test at `path`
/// (`…/lwc/<bundle>/__tests__/…`, the innermost such folder); `None` for a test kept
/// outside every bundle (a project's own `__tests__/` beside its package directories).
pub fn bundle_of_jest_test(path: &str) -> Option<&str> {
    let segments: Vec<&str> = path.split('/').collect();
    segments
        .windows(3)
        .rev()
        .find(|three| three[0] == "lwc" && JEST_TEST_FOLDERS.contains(&three[2]))
        .map(|three| three[1])
}

/// Parses a Jest test file (component `LwcJestTest:<repo path>`) of `bundle`: declares
/// the test, which tests the bundle and imports every `c/x` module it names, and every
/// component it names by a relative path ([`relative_module`]). A test outside every
/// bundle (`bundle` is `None`) imports each module it names.
pub fn parse_jest_test(
    component: &ComponentId,
    bundle: Option<&ComponentId>,
    source: &str,
) -> Facts {
    let js = JsFile::parse(source);
    let (modules, hash) = js.modules(true);
    let mut uses = UseSet::default();
    let mut tests_line = None;
    for module in &modules {
        let target = match local_module(&module.specifier) {
            Some(name) => ComponentId::new(types::LWC_BUNDLE, name),
            None => match relative_module(component.full_name(), &module.specifier) {
                Some(target) => target,
                None => continue,
            },
        };
        if Some(&target) == bundle {
            tests_line.get_or_insert(module.line);
        } else {
            uses.add(
                component,
                Target::Component(target),
                EdgeKind::Imports,
                module.line,
            );
        }
    }
    if let Some(bundle) = bundle {
        uses.add(
            component,
            Target::Component(bundle.clone()),
            EdgeKind::Tests,
            tests_line.unwrap_or(1),
        );
    }
    js.facts(component, Some(TestMark::default()), uses, hash)
}

/// The component a Jest test at `test_path` names by a relative path
/// (`require('../../../staticresources/LoggerResources/Prism/prism.min.js')`,
/// `import data from '../../__mockData__'`): the path resolved against the test's folder
/// as Node resolves it (the file, the file with `.js`, or the folder's `index.js`), and
/// classified as the metadata registry classifies a file there. `None` for a path that
/// leaves the repository or names no component.
fn relative_module(test_path: &str, specifier: &str) -> Option<ComponentId> {
    if !(specifier.starts_with("./") || specifier.starts_with("../")) {
        return None;
    }
    let mut segments: Vec<&str> = test_path.split('/').collect();
    segments.pop();
    for part in specifier.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                segments.pop()?;
            }
            part => segments.push(part),
        }
    }
    // A fixture in a test folder (`../../other/__tests__/data/x.json`) is not its
    // bundle's code; its change runs every Jest test (`changes::is_jest_support`).
    if segments
        .iter()
        .any(|segment| JEST_TEST_FOLDERS.contains(segment))
    {
        return None;
    }
    let resolved = segments.join("/");
    ["", ".js", "/index.js"]
        .iter()
        .find_map(|ending| registry::classify(&format!("{resolved}{ending}")))
        .map(|source| source.component)
}

/// The target and edge kind a module specifier names, if the graph follows it.
fn module_target(specifier: &str) -> Option<(Target<'static>, EdgeKind)> {
    if let Some(name) = local_module(specifier) {
        let id = ComponentId::new(types::LWC_BUNDLE, name);
        return Some((Target::Component(id), EdgeKind::Imports));
    }
    let (kind, rest) = specifier.strip_prefix("@salesforce/")?.split_once('/')?;
    let rest = rest.trim();
    if rest.is_empty() {
        return None;
    }
    let component = |type_name: &str, name: &str| {
        Some((
            Target::Component(ComponentId::new(type_name, name)),
            EdgeKind::Imports,
        ))
    };
    match kind {
        "apex" | "apexContinuation" => {
            // `Class.method` or `ns.Class.method`: the receiver keeps its namespace.
            let (class, method) = rest.rsplit_once('.')?;
            let target = Target::Member {
                receiver: TypeExpr::Named(class.to_string().into()),
                member: method.to_string().into(),
                arity: None,
                on_this: false,
            };
            Some((target, EdgeKind::Imports))
        }
        "schema" => {
            let parts: Vec<&str> = rest.split('.').collect();
            let target = match parts.as_slice() {
                [object] => Target::SObject(object.to_string().into()),
                // A field, or a path through relationships (`Child__c.Parent__r.Score__c`),
                // which the graph follows.
                [object, path @ ..] => Target::Field {
                    object: object.to_string().into(),
                    field: path.join(".").into(),
                },
                [] => return None,
            };
            Some((target, EdgeKind::Reads))
        }
        "label" => {
            // `c.Name` is a label of this org; `ns.Name` one of a namespace, kept whole.
            let name = rest.strip_prefix("c.").unwrap_or(rest);
            Some((Target::Label(name.to_string().into()), EdgeKind::Reads))
        }
        "resourceUrl" => component(types::STATIC_RESOURCE, rest),
        "customPermission" => component(types::CUSTOM_PERMISSION, rest),
        "messageChannel" => {
            let name = rest.strip_suffix("__c").unwrap_or(rest);
            component(types::LIGHTNING_MESSAGE_CHANNEL, name)
        }
        _ => None,
    }
}

/// The bundle name of a `c/name` specifier (`c/name/sub` too).
fn local_module(specifier: &str) -> Option<&str> {
    let rest = specifier.strip_prefix("c/")?;
    let name = rest.split('/').next().unwrap_or(rest).trim();
    (!name.is_empty()).then_some(name)
}

/// The bundle a template tag names: `c-my-child` is `myChild`. Only the `c` namespace
/// is this repository's; each `-` starts a capital letter, other characters (`_`,
/// digits) stay as written.
fn bundle_of_tag(tag: &str) -> Option<String> {
    let rest = tag.to_ascii_lowercase().strip_prefix("c-")?.to_string();
    let mut name = String::with_capacity(rest.len());
    for (i, part) in rest.split('-').filter(|p| !p.is_empty()).enumerate() {
        let mut chars = part.chars();
        if i > 0 {
            if let Some(first) = chars.next() {
                name.extend(first.to_uppercase());
            }
        }
        name.push_str(chars.as_str());
    }
    (!name.is_empty()).then_some(name)
}

/// A module specifier found in JavaScript and its 1-based line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Module {
    pub specifier: String,
    pub line: u32,
}

/// The problem of a JavaScript file the parser could not read at all (see
/// [`super::gave_up`]).
pub(crate) const UNREAD: &str = "JavaScript parser could not run on this file";

/// A JavaScript file read with tree-sitter; `tree` is `None` only if the parser could
/// not run at all or gave up (its time limit).
pub(crate) struct JsFile<'s> {
    source: &'s str,
    tree: Option<Tree>,
}

/// The hash of a JavaScript file's syntax tree without comments, from [`JsFile::scan`].
pub(crate) struct Hash(u64);

/// The hash's part before a node that has children, which its kind follows: no text
/// part is this one byte (it is not UTF-8), so a token never reads as a node.
const NODE_OPENS: &[u8] = &[0xfe];
/// The hash's part after the last of a node's children.
const NODE_CLOSES: &[u8] = &[0xfd];

impl<'s> JsFile<'s> {
    /// Parses `source` as JavaScript (errors are kept in the tree, see [`Self::problems`]).
    pub(crate) fn parse(source: &'s str) -> JsFile<'s> {
        let mut parser = Parser::new();
        let tree = parser
            .set_language(&tree_sitter_javascript::LANGUAGE.into())
            .ok()
            .and_then(|_| super::parse_within_budget(&mut parser, source));
        JsFile { source, tree }
    }

    /// Calls `visit` on every node (with its kind), parents first, without recursion
    /// (deeply nested code must not overflow the stack), and returns the hash of the
    /// file's syntax tree without comments (a reformat keeps it): one walk of the tree
    /// gives both (two walks were a third of NPSP's JavaScript parse).
    ///
    /// The hash reads the tokens and the nodes that hold them, not the tokens alone: a
    /// line break can end a statement where no token does (`return` on a line of its
    /// own returns nothing; `a` then `++b` on the next line is two statements), and
    /// the semicolon JavaScript inserts there is no token. Such an edit keeps every
    /// token and changes what the code does, and its tree shows it.
    pub(crate) fn scan<'t>(&'t self, visit: &mut dyn FnMut(Node<'t>, &'t str)) -> Hash {
        let mut parts: Vec<&[u8]> = Vec::new();
        let Some(tree) = &self.tree else {
            return Hash(stable_hash([self.source]));
        };
        let mut walk = Preorder::new(tree.root_node());
        loop {
            let node = walk.node();
            let kind = node.kind();
            visit(node, kind);
            if walk.enter() {
                parts.push(NODE_OPENS);
                parts.push(kind.as_bytes());
                continue;
            }
            if !matches!(kind, "comment" | "html_comment") {
                parts.push(self.text(node).as_bytes());
            }
            if !walk.advance(|| parts.push(NODE_CLOSES)) {
                return Hash(stable_hash_bytes(parts));
            }
        }
    }

    fn text(&self, node: Node<'_>) -> &'s str {
        self.source.get(node.byte_range()).unwrap_or("")
    }

    /// The value of a string literal or substitution-free template literal.
    pub(crate) fn string_value(&self, node: Node<'_>) -> Option<&'s str> {
        let plain = match node.kind() {
            "string" => true,
            "template_string" => node
                .named_children(&mut node.walk())
                .all(|c| c.kind() != "template_substitution"),
            _ => false,
        };
        let text = self.text(node);
        if !plain || text.len() < 2 {
            return None;
        }
        text.get(1..text.len() - 1)
    }

    /// Module specifiers: static imports, `export … from`, dynamic `import()`, and
    /// with `tests` also `require()` and `jest.mock/doMock/requireActual()`; and the
    /// file's hash.
    pub(crate) fn modules(&self, tests: bool) -> (Vec<Module>, Hash) {
        let mut found = Vec::new();
        let hash = self.scan(&mut |node, kind| {
            let specifier = match kind {
                "import_statement" | "export_statement" => node.child_by_field_name("source"),
                "call_expression" => {
                    let callee = node.child_by_field_name("function");
                    let wanted = callee.is_some_and(|f| match f.kind() {
                        "import" => true,
                        "identifier" => tests && self.text(f) == "require",
                        "member_expression" => {
                            let object = f.child_by_field_name("object").map(|o| self.text(o));
                            let property = f.child_by_field_name("property").map(|p| self.text(p));
                            tests
                                && object == Some("jest")
                                && matches!(property, Some("mock" | "doMock" | "requireActual"))
                        }
                        _ => false,
                    });
                    node.child_by_field_name("arguments")
                        .and_then(|args| args.named_child(0))
                        .filter(|_| wanted)
                }
                _ => None,
            };
            if let Some(string) = specifier {
                if let Some(value) = self.string_value(string) {
                    found.push(Module {
                        specifier: value.to_string(),
                        line: line_of(string),
                    });
                }
            }
        });
        (found, hash)
    }

    /// Every string literal's value and line (template literals without
    /// substitutions included), and the file's hash.
    pub(crate) fn strings(&self) -> (Vec<(String, u32)>, Hash) {
        let mut found = Vec::new();
        let hash = self.scan(&mut |node, kind| {
            if matches!(kind, "string" | "template_string") {
                if let Some(value) = self.string_value(node) {
                    found.push((value.to_string(), line_of(node)));
                }
            }
        });
        (found, hash)
    }

    /// A problem at the first syntax error, if the file has one.
    pub(crate) fn problems(&self) -> Vec<Problem> {
        let Some(tree) = &self.tree else {
            return vec![Problem {
                line: None,
                message: UNREAD.into(),
            }];
        };
        if !tree.root_node().has_error() {
            return Vec::new();
        }
        let mut line = None;
        self.scan(&mut |node, _| {
            if line.is_none() && (node.is_error() || node.is_missing()) {
                line = Some(line_of(node));
            }
        });
        let line = line.unwrap_or(1);
        vec![Problem {
            line: Some(line),
            message: format!("JavaScript syntax error near line {line}: imports may be missed"),
        }]
    }

    /// Facts of a file that declares one component (the bundle, or a test).
    pub(crate) fn facts(
        &self,
        component: &ComponentId,
        test: Option<TestMark>,
        uses: UseSet,
        Hash(hash): Hash,
    ) -> Facts {
        let mut decl = component_decl(component, (1, line_count(self.source)), hash);
        decl.test = test;
        Facts {
            declares: vec![decl],
            uses: uses.into_vec().into(),
            problems: self.problems(),
            semantic_hash: hash,
        }
    }
}

/// The 1-based line where a node starts.
fn line_of(node: Node<'_>) -> u32 {
    u32::try_from(node.start_position().row + 1).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Use;

    /// The paths a Jest configuration names under `<rootDir>/`, without patterns.
    #[test]
    fn jest_configuration_names_its_files_under_the_root_folder() {
        let source = r#"
const { jestConfig } = require('@salesforce/sfdx-lwc-jest/config');
module.exports = {
    ...jestConfig,
    moduleNameMapper: {
        '^lightning/empApi$': '<rootDir>/config/jest/mocks/lightning/empApi',
        "^c/(.*)$": "<rootDir>/force-app/main/default/lwc/$1/$1"
    },
    setupFilesAfterEnv: [`<rootDir>/jest-sa11y-setup.js`, '<rootDir>/test/setup/'],
    roots: ['<rootDir>/../outside'],
    testPathIgnorePatterns: [...(jestConfig.testPathIgnorePatterns || []), '<rootDir>/e2e/'],
    modulePathIgnorePatterns: ['<rootDir>/.localdevserver'],
    coverageDirectory: '<rootDir>/coverage'
};
"#;
        assert_eq!(
            jest_config_paths(source),
            [
                "config/jest/mocks/lightning/empApi",
                "jest-sa11y-setup.js",
                "test/setup"
            ]
        );
    }

    const INVOICE_LIST_JS: &str = r#"import { LightningElement, api, wire } from 'lwc';
import { getRecord } from 'lightning/uiRecordApi';
import getInvoices from '@salesforce/apex/InvoiceController.getInvoices';
import postInvoice from '@salesforce/apex/billing.InvoiceService.post';
import AMOUNT_FIELD from '@salesforce/schema/Invoice__c.Amount__c';
import CUSTOMER_NAME from '@salesforce/schema/Invoice__c.Customer__r.Name';
import INVOICE_OBJECT from '@salesforce/schema/Invoice__c';
import greeting from '@salesforce/label/c.Greeting';
import LOGO from '@salesforce/resourceUrl/invoiceLogo';
import canApprove from '@salesforce/customPermission/Approve_Invoices';
import CHANNEL from '@salesforce/messageChannel/Invoice_Selected__c';
import { formatAmount } from 'c/formatUtils';
import { helper } from './helper';
export { default as Row } from 'c/invoiceRow';
// import old from 'c/legacyList';
/* import older from '@salesforce/apex/Legacy.run'; */
const notAnImport = "import x from 'c/fakeOne'";
const template = `import y from 'c/fakeTwo'`;
const pattern = /import z from 'c\/fakeThree'/;

export default class InvoiceList extends LightningElement {
    @api recordId;
    @wire(getRecord, { recordId: '$recordId', fields: [AMOUNT_FIELD] })
    invoice;

    async loadDetails() {
        const { default: details } = await import('c/invoiceDetails');
        return details;
    }
}
"#;

    fn list(uses: &[Use<'static>]) -> Vec<(Target<'static>, EdgeKind, u32)> {
        uses.iter()
            .map(|u| (u.target.clone(), u.kind, u.line))
            .collect()
    }

    fn bundle(name: &str) -> Target<'static> {
        Target::Component(ComponentId::new("LightningComponentBundle", name))
    }

    #[test]
    fn lwc_js_imports_of_every_kind_and_none_from_comments_or_strings() {
        let id = ComponentId::new("LightningComponentBundle", "invoiceList");
        let facts = parse_lwc_js(&id, INVOICE_LIST_JS);
        assert!(facts.problems.is_empty(), "{:?}", facts.problems);
        assert_eq!(facts.declares.len(), 1);
        assert_eq!(facts.declares[0].id, id);
        let member = |class: &str, method: &str| Target::Member {
            receiver: TypeExpr::Named(class.to_string().into()),
            member: method.to_string().into(),
            arity: None,
            on_this: false,
        };
        let field = |o: &str, f: &str| Target::Field {
            object: o.to_string().into(),
            field: f.to_string().into(),
        };
        let component = |t: &str, n: &str| Target::Component(ComponentId::new(t, n));
        assert_eq!(
            list(facts.parsed_uses()),
            vec![
                (
                    member("InvoiceController", "getInvoices"),
                    EdgeKind::Imports,
                    3
                ),
                (
                    member("billing.InvoiceService", "post"),
                    EdgeKind::Imports,
                    4
                ),
                (field("Invoice__c", "Amount__c"), EdgeKind::Reads, 5),
                (field("Invoice__c", "Customer__r.Name"), EdgeKind::Reads, 6),
                (Target::SObject("Invoice__c".into()), EdgeKind::Reads, 7),
                (Target::Label("Greeting".into()), EdgeKind::Reads, 8),
                (
                    component("StaticResource", "invoiceLogo"),
                    EdgeKind::Imports,
                    9
                ),
                (
                    component("CustomPermission", "Approve_Invoices"),
                    EdgeKind::Imports,
                    10
                ),
                (
                    component("LightningMessageChannel", "Invoice_Selected"),
                    EdgeKind::Imports,
                    11
                ),
                (bundle("formatUtils"), EdgeKind::Imports, 12),
                (bundle("invoiceRow"), EdgeKind::Imports, 14),
                (bundle("invoiceDetails"), EdgeKind::Imports, 27),
            ]
        );
    }

    #[test]
    fn js_hash_ignores_comments_and_layout() {
        let a = JsFile::parse("import a from 'c/x'; // hi\nconst b = 1;")
            .scan(&mut |_, _| {})
            .0;
        let b = JsFile::parse("/* doc */\nimport a from 'c/x';\n\n  const b = 1 ;")
            .scan(&mut |_, _| {})
            .0;
        let c = JsFile::parse("import a from 'c/y';\nconst b = 1;")
            .scan(&mut |_, _| {})
            .0;
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    /// A line break that ends a statement keeps every token and changes what runs: the
    /// hash sees it. One that ends nothing (a call's arguments on the next line) is
    /// layout.
    #[test]
    fn js_hash_sees_a_line_break_that_ends_a_statement() {
        let hash = |source: &str| JsFile::parse(source).scan(&mut |_, _| {}).0;
        let pairs = [
            (
                "class A { get x() { return this.total(); } }",
                "class A { get x() {\n    return\n        this.total();\n} }",
                false,
            ),
            (
                "let a = 1, b = 2;\na++\nb",
                "let a = 1, b = 2;\na\n++b",
                false,
            ),
            ("const y = f(b);", "const y = f\n(b);", true),
            (
                "const y = f(b);",
                "const y =\n    f(\n        b\n    );",
                true,
            ),
        ];
        for (before, after, same) in pairs {
            assert_eq!(hash(before) == hash(after), same, "{before:?} → {after:?}");
        }
    }

    #[test]
    fn broken_js_is_a_problem_and_still_yields_imports() {
        let id = ComponentId::new("LightningComponentBundle", "broken");
        let facts = parse_lwc_js(&id, "import x from 'c/child';\n\nclass { oops(\n");
        assert_eq!(facts.problems.len(), 1);
        assert!(facts.problems[0]
            .message
            .starts_with("JavaScript syntax error near line"));
        assert_eq!(
            list(facts.parsed_uses()),
            vec![(bundle("child"), EdgeKind::Imports, 1)]
        );
    }

    #[test]
    fn html_child_tags_are_bundle_imports() {
        let html = r#"<template>
    <lightning-card title={label.title}>
        <template for:each={invoices} for:item="inv">
            <c-invoice-row key={inv.Id} invoice={inv} onselect={handleSelect}></c-invoice-row>
        </template>
        <c-format_utils></c-format_utils>
        <input type="checkbox" checked>
        <C-Status-Badge
            status={status}
        ></C-Status-Badge>
    </lightning-card>
</template>
"#;
        let id = ComponentId::new("LightningComponentBundle", "invoiceList");
        let facts = parse_lwc_html(&id, html);
        assert!(facts.problems.is_empty(), "{:?}", facts.problems);
        assert_eq!(
            list(facts.parsed_uses()),
            vec![
                (bundle("invoiceRow"), EdgeKind::Imports, 4),
                (bundle("format_utils"), EdgeKind::Imports, 6),
                (bundle("statusBadge"), EdgeKind::Imports, 8),
            ]
        );
        assert_eq!(bundle_of_tag("c-my-child").as_deref(), Some("myChild"));
        assert_eq!(bundle_of_tag("lightning-card"), None);
        assert_eq!(bundle_of_tag("c-"), None);
    }

    #[test]
    fn jest_test_tests_its_bundle_and_imports_other_bundles() {
        let source = r#"import { createElement } from 'lwc';
import InvoiceList from 'c/invoiceList';
import getInvoices from '@salesforce/apex/InvoiceController.getInvoices';

jest.mock('c/formatUtils');
jest.mock(
    '@salesforce/apex/InvoiceController.getInvoices',
    () => ({ default: jest.fn() }),
    { virtual: true }
);
const { helper } = require('c/testHelpers');

describe('c-invoice-list', () => {
    it('renders', () => {
        // jest.mock('c/commentedOut');
        const element = createElement('c-invoice-list', { is: InvoiceList });
        document.body.appendChild(element);
    });
});
"#;
        let (id, bundle_id) = test_of_bundle("invoiceList");
        let facts = parse_jest_test(&id, Some(&bundle_id), source);
        assert!(facts.problems.is_empty(), "{:?}", facts.problems);
        assert_eq!(facts.declares[0].id, id);
        assert_eq!(facts.declares[0].test, Some(TestMark::default()));
        assert_eq!(
            list(facts.parsed_uses()),
            vec![
                (Target::Component(bundle_id), EdgeKind::Tests, 2),
                (bundle("formatUtils"), EdgeKind::Imports, 5),
                (bundle("testHelpers"), EdgeKind::Imports, 11),
            ]
        );
        // The same test kept outside every bundle imports what it names.
        let outside = ComponentId::new("LwcJestTest", "__tests__/unit/invoiceList.test.js");
        let facts = parse_jest_test(&outside, None, source);
        assert_eq!(
            list(facts.parsed_uses()),
            vec![
                (bundle("invoiceList"), EdgeKind::Imports, 2),
                (bundle("formatUtils"), EdgeKind::Imports, 5),
                (bundle("testHelpers"), EdgeKind::Imports, 11),
            ]
        );
        assert_eq!(
            bundle_of_jest_test("force-app/lwc/forms/lwc/invoiceList/__tests__/a.test.js"),
            Some("invoiceList")
        );
        assert_eq!(
            bundle_of_jest_test("__tests__/unit/invoiceList.test.js"),
            None
        );
    }

    /// The id of the Jest test `<bundle>.test.js` in `bundle`'s `__tests__` folder, and
    /// the bundle's.
    fn test_of_bundle(bundle: &str) -> (ComponentId, ComponentId) {
        (
            ComponentId::new(
                "LwcJestTest",
                &format!("force-app/main/default/lwc/{bundle}/__tests__/{bundle}.test.js"),
            ),
            ComponentId::new("LightningComponentBundle", bundle),
        )
    }

    /// A Jest test's relative imports and `require`s name the components of the files
    /// they reach: its own bundle (the test of it), a static resource it loads, a folder
    /// of mock data under `lwc/`; another bundle's test fixture and a path that leaves
    /// the repository name nothing.
    #[test]
    fn jest_test_imports_what_its_relative_paths_reach() {
        let source = r#"import LogViewer from '../logViewer';
import { mockMetadata } from '../../__mockData__';
const records = require('../../logEntry/__tests__/data/records.json');
global.Prism = require('../../../staticresources/LoggerResources/Prism/prism.min.js');
const outside = require('../../../../../../../../outside.js');
"#;
        let (id, bundle_id) = test_of_bundle("logViewer");
        let facts = parse_jest_test(&id, Some(&bundle_id), source);
        assert_eq!(
            list(facts.parsed_uses()),
            vec![
                (Target::Component(bundle_id), EdgeKind::Tests, 1),
                (bundle("__mockData__"), EdgeKind::Imports, 2),
                (
                    Target::Component(ComponentId::new("StaticResource", "LoggerResources")),
                    EdgeKind::Imports,
                    4
                ),
            ]
        );
    }

    #[test]
    fn components_do_not_count_jest_mocks_or_require() {
        let id = ComponentId::new("LightningComponentBundle", "x");
        let facts = parse_lwc_js(&id, "jest.mock('c/a');\nrequire('c/b');\n");
        assert!(facts.parsed_uses().is_empty());
    }

    /// Input that keeps tree-sitter's JavaScript error recovery busy for a time that grows
    /// with the square of its length: fuzzing found 100 KB of `"` (over ten seconds with
    /// tree-sitter 0.25, linear since 0.27); 10 KB of `+*` takes 4.5 s with 0.27 (ten
    /// times its budget; a quarter of that at half the length). The parser gives up
    /// within its time limit and the file is one it could not read.
    #[test]
    fn input_the_parser_would_recover_from_forever_is_given_up() {
        let id = ComponentId::new(types::LWC_BUNDLE, "hostile");
        let facts = parse_lwc_js(&id, include_str!("../../tests/data/fuzz/lwc-plus-times.js"));
        assert!(super::super::gave_up(&facts), "{:?}", facts.problems);
    }
}
