//! The classes one Apex file declares, with their fields, properties and methods.
//!
//! Built in a first, shallow pass (class bodies only, no method bodies) so the main walk
//! can tell the declared type of `x` in `x.m()` when `x` is a field declared further
//! down, and the return type of a method of this file. It knows nothing of other files.

use super::text::{child, fields, find_kind, first_named, kind_name, named_children};
use tree_sitter::Node;

/// Nested type declarations deeper than this are not recorded (real Apex allows one
/// level; the limit only keeps hostile input from exhausting the stack).
const MAX_NESTING: usize = 16;

/// One class, interface or enum of the file.
pub(super) struct ClassInfo<'t> {
    /// Full name as used in ids: the file's component name, then `.Inner` segments.
    pub full: String,
    /// `full`, case-folded.
    lower: String,
    /// The last segment of `full`, as written.
    simple: &'t str,
    /// The enclosing class.
    pub parent: Option<usize>,
    /// The `extends` type node.
    pub superclass: Option<Node<'t>>,
    /// The superclass, when this file declares it.
    super_index: Option<usize>,
    /// Fields, properties and interface constants: name and declared type node.
    fields: Vec<(&'t str, Node<'t>)>,
    /// Methods: name and return type node (the first overload).
    methods: Vec<(&'t str, Node<'t>)>,
}

/// Every type the file declares.
pub(super) struct ClassTable<'t> {
    pub classes: Vec<ClassInfo<'t>>,
    /// Node id of each declaration → its index in `classes`.
    by_node: Vec<(usize, usize)>,
    /// The top-level class name as written, when it differs from the file's name.
    alias: Option<String>,
}

impl<'t> ClassTable<'t> {
    /// Collects the type declarations among `tops` (the file's top-level declarations,
    /// in order): the first takes the component's name, later ones (invalid Apex) are
    /// filed under it.
    pub fn build(tops: &[Node<'t>], src: &'t str, component_name: &str) -> ClassTable<'t> {
        let mut table = ClassTable {
            classes: Vec::new(),
            by_node: Vec::new(),
            alias: None,
        };
        for (position, &node) in tops.iter().enumerate() {
            let written = name_of(node, src);
            if position == 0 {
                if !written.is_empty() && !written.eq_ignore_ascii_case(component_name) {
                    table.alias = Some(written.to_ascii_lowercase());
                }
                table.add(node, src, component_name.to_string(), None, 0);
            } else if !written.is_empty() {
                table.add(node, src, format!("{component_name}.{written}"), Some(0), 1);
            }
        }
        for index in 0..table.classes.len() {
            let super_index = table.classes[index]
                .superclass
                .and_then(|node| src.get(node.byte_range()))
                .and_then(|name| {
                    let name = super::text::normalize_type(name);
                    table.resolve_type(&name, table.classes[index].parent.or(Some(index)))
                })
                .filter(|&found| found != index);
            table.classes[index].super_index = super_index;
        }
        table
    }

    fn add(
        &mut self,
        node: Node<'t>,
        src: &'t str,
        full: String,
        parent: Option<usize>,
        depth: usize,
    ) {
        let f = fields();
        let index = self.classes.len();
        let superclass = child(node, f.superclass).and_then(first_named);
        let lower = full.to_ascii_lowercase();
        self.classes.push(ClassInfo {
            simple: name_of(node, src),
            full,
            lower,
            parent,
            superclass,
            super_index: None,
            fields: Vec::new(),
            methods: Vec::new(),
        });
        self.by_node.push((node.id(), index));
        let Some(body) = child(node, f.body) else {
            return;
        };
        for member in named_children(body) {
            match kind_name(member) {
                "field_declaration" | "constant_declaration" => {
                    let Some(type_node) = child(member, f.type_) else {
                        continue;
                    };
                    for declarator in named_children(member) {
                        if kind_name(declarator) != "variable_declarator" {
                            continue;
                        }
                        if let Some(name) =
                            child(declarator, f.name).and_then(|n| src.get(n.byte_range()))
                        {
                            self.classes[index].fields.push((name, type_node));
                        }
                    }
                }
                "method_declaration" => {
                    let name = child(member, f.name).and_then(|n| src.get(n.byte_range()));
                    if let (Some(name), Some(type_node)) = (name, child(member, f.type_)) {
                        self.classes[index].methods.push((name, type_node));
                    }
                }
                "class_declaration" | "interface_declaration" | "enum_declaration" => {
                    let name = name_of(member, src);
                    if !name.is_empty() && depth < MAX_NESTING {
                        let inner = format!("{}.{}", self.classes[index].full, name);
                        self.add(member, src, inner, Some(index), depth + 1);
                    }
                }
                _ => {}
            }
        }
    }

    /// The index of a declaration node recorded by [`ClassTable::build`].
    pub fn index_of(&self, node: Node) -> Option<usize> {
        let id = node.id();
        self.by_node
            .iter()
            .find(|(node_id, _)| *node_id == id)
            .map(|(_, index)| *index)
    }

    /// The class of this file that `name` denotes when written inside class `context`
    /// (inner classes of the context and its outer classes first, then full names).
    pub fn resolve_type(&self, name: &str, context: Option<usize>) -> Option<usize> {
        let name = name.trim();
        let simple = name.rsplit('.').next().unwrap_or(name);
        // Fast rejection: most names in code are system or other-file types.
        if !self.classes.iter().any(|class| {
            class.simple.eq_ignore_ascii_case(simple) || class.full.eq_ignore_ascii_case(name)
        }) && self
            .alias
            .as_deref()
            .is_none_or(|alias| !alias.eq_ignore_ascii_case(name))
        {
            return None;
        }
        let mut scope = context;
        let mut steps = 0;
        while let Some(outer) = scope {
            let prefix = &self.classes[outer].lower;
            let found = self.classes.iter().position(|class| {
                class.lower.len() == prefix.len() + 1 + name.len()
                    && class.lower.starts_with(prefix.as_str())
                    && class.lower.as_bytes()[prefix.len()] == b'.'
                    && class.lower[prefix.len() + 1..].eq_ignore_ascii_case(name)
            });
            if found.is_some() {
                return found;
            }
            scope = self.classes[outer].parent;
            steps += 1;
            if steps > MAX_NESTING {
                break;
            }
        }
        if let Some(found) = self
            .classes
            .iter()
            .position(|class| class.lower.eq_ignore_ascii_case(name))
        {
            return Some(found);
        }
        match &self.alias {
            Some(alias) if alias.eq_ignore_ascii_case(name) => Some(0),
            _ => None,
        }
    }

    /// The field or property `name` visible in class `index` (its own, inherited from a
    /// superclass of this file, or of an outer class): the declaring class and type.
    pub fn find_field(&self, index: usize, name: &str) -> Option<(usize, Node<'t>)> {
        self.find(index, name, false)
    }

    /// Whether class `index` extends, itself or through superclasses of this file, a
    /// class this file does not declare: a name it reads may be a field or property
    /// inherited from there.
    pub fn extends_elsewhere(&self, index: usize) -> bool {
        let mut current = Some(index);
        for _ in 0..=MAX_NESTING {
            let Some(class) = current else {
                return false;
            };
            let info = &self.classes[class];
            if info.superclass.is_some() && info.super_index.is_none() {
                return true;
            }
            current = info.super_index;
        }
        false
    }

    /// The method `name` visible in class `index`, like [`ClassTable::find_field`]:
    /// the declaring class and return type.
    pub fn find_method(&self, index: usize, name: &str) -> Option<(usize, Node<'t>)> {
        self.find(index, name, true)
    }

    fn find(&self, index: usize, name: &str, methods: bool) -> Option<(usize, Node<'t>)> {
        let mut outer = Some(index);
        let mut outer_steps = 0;
        while let Some(start) = outer {
            let mut current = Some(start);
            let mut steps = 0;
            while let Some(class) = current {
                let info = &self.classes[class];
                let members = if methods { &info.methods } else { &info.fields };
                let found = members
                    .iter()
                    .find(|(member, _)| member.eq_ignore_ascii_case(name));
                if let Some((_, type_node)) = found {
                    return Some((class, *type_node));
                }
                current = self.classes[class].super_index;
                steps += 1;
                if steps > MAX_NESTING {
                    break;
                }
            }
            outer = self.classes[start].parent;
            outer_steps += 1;
            if outer_steps > MAX_NESTING {
                break;
            }
        }
        None
    }
}

/// The declared name of a type declaration, or `""`.
fn name_of<'t>(node: Node<'t>, src: &'t str) -> &'t str {
    child(node, fields().name)
        .and_then(|name| src.get(name.byte_range()))
        .unwrap_or("")
}

/// The `implements` (or, for an interface, `extends`) type nodes of a declaration.
pub(super) fn interface_types(node: Node) -> Vec<Node> {
    let list = match kind_name(node) {
        "interface_declaration" => find_kind(node, "extends_interfaces"),
        _ => child(node, fields().interfaces),
    };
    list.and_then(|list| find_kind(list, "type_list"))
        .map(named_children)
        .unwrap_or_default()
}
