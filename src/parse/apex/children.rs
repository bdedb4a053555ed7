//! The named, non-comment children of the nodes of one file's tree, indexed during the
//! one walk over the whole tree that collects its tokens ([`super::Tokens`]).
//!
//! A tree-sitter cursor steps through the grammar's hidden nodes to reach each visible
//! child: listing a node's children cost about 600 instructions a child, and the walk
//! of statements and expressions lists most nodes' children once or more (an argument
//! list is counted, then walked). Read from this index, a list costs a hash lookup.

use rustc_hash::FxHashMap;
use tree_sitter::Node;

/// See the module documentation.
pub(super) struct Children<'t> {
    /// Every indexed node's children, one node's after another.
    nodes: Vec<Node<'t>>,
    /// A node's id → the range of its children in `nodes`.
    of: FxHashMap<usize, (u32, u32)>,
    /// The nodes being descended into, outermost first: each one's id, and where its
    /// children start in `pending`.
    open: Vec<(usize, usize)>,
    /// The children found so far of the nodes in `open`.
    pending: Vec<Node<'t>>,
}

impl<'t> Children<'t> {
    /// An empty index for the tree of `src`, sized for it: the 1,000-class org's Apex has a
    /// node with children every 10 bytes and a listed child every 5.6 (room for one
    /// every 4 leaves slack for denser code).
    pub(super) fn for_source(src: &str) -> Children<'t> {
        Children {
            nodes: Vec::with_capacity(src.len() / 4),
            of: FxHashMap::with_capacity_and_hasher(src.len() / 10, Default::default()),
            open: Vec::new(),
            pending: Vec::new(),
        }
    }

    /// The named, non-comment children of `node`; `None` when the token walk did not
    /// descend into it (a leaf, a comment, a skipped annotation).
    pub(super) fn of(&self, node: Node<'t>) -> Option<&[Node<'t>]> {
        let &(start, end) = self.of.get(&node.id())?;
        self.nodes.get(start as usize..end as usize)
    }

    /// The walk descends into `node`: the nodes it sees next are its children.
    pub(super) fn enter(&mut self, node: Node<'t>) {
        self.open.push((node.id(), self.pending.len()));
    }

    /// The walk sees `node`, a child of the node it last entered and has not left;
    /// `listed` when it is one of the children [`Children::of`] gives (named, no
    /// comment).
    pub(super) fn see(&mut self, node: Node<'t>, listed: bool) {
        if listed && !self.open.is_empty() {
            self.pending.push(node);
        }
    }

    /// The walk is back at the node it last entered: its children are all seen.
    pub(super) fn leave(&mut self) {
        let Some((id, start)) = self.open.pop() else {
            return;
        };
        let range = (
            self.nodes.len(),
            self.nodes.len() + self.pending.len() - start,
        );
        if let (Ok(first), Ok(end)) = (u32::try_from(range.0), u32::try_from(range.1)) {
            self.nodes.extend(self.pending.drain(start..));
            self.of.insert(id, (first, end));
        } else {
            // More children than a u32 counts: left to the cursor.
            self.pending.truncate(start);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{text, Tokens};
    use tree_sitter::{Language, Node, Parser};

    /// Every node's named, non-comment children, by a cursor: what the index replaces.
    fn by_cursor(node: Node) -> Vec<Node> {
        let mut cursor = node.walk();
        node.children(&mut cursor)
            .filter(|child| child.is_named() && !text::is_comment(*child))
            .collect()
    }

    #[test]
    fn the_index_lists_what_a_cursor_lists() {
        let source = r#"
            @IsTest
            public class Sample extends Base implements Api.Shape /* note */ {
                @SuppressWarnings('PMD.AvoidGlobalModifier') global Integer count;
                private Map<String, List<Account>> byName = new Map<String, List<Account>>();
                public Integer total(Integer a, /* why */ Integer b) {
                    // a comment among statements
                    for (Account acc : [SELECT Id, Name FROM Account WHERE Name = :label]) {
                        count += acc.Name.length() + (a > b ? a : b);
                    }
                    insert new Contact(LastName = 'x');
                    return Helper.run(a, b, new List<Integer>{ 1, 2 })[0];
                }
            }
        "#;
        let mut parser = Parser::new();
        parser
            .set_language(&Language::new(tree_sitter_sfapex::apex::LANGUAGE))
            .expect("grammar");
        let tree = parser.parse(source, None).expect("parsed");
        assert!(!tree.root_node().has_error());
        let (_, children) = Tokens::collect(tree.root_node(), source);
        // Every node, through the cursor: the indexed ones list what the cursor lists.
        let (mut indexed, mut unindexed_parents) = (0, Vec::new());
        let mut stack = vec![tree.root_node()];
        while let Some(node) = stack.pop() {
            let expected = by_cursor(node);
            match children.of(node) {
                Some(listed) => {
                    assert_eq!(listed, expected.as_slice(), "children of {}", node.kind());
                    indexed += 1;
                }
                None if !expected.is_empty() => unindexed_parents.push(node.kind()),
                None => {}
            }
            let mut cursor = node.walk();
            stack.extend(node.children(&mut cursor));
        }
        assert!(indexed > 40, "{indexed} nodes indexed");
        // Only what the token walk does not descend into is left to the cursor: the
        // annotation whose tokens are not hashed, and the nodes inside it.
        assert!(
            unindexed_parents
                .iter()
                .all(|kind| ["annotation", "annotation_argument_list"].contains(kind)),
            "{unindexed_parents:?}"
        );
    }
}
