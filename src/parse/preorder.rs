//! Every node of a tree, parents first, through tree-sitter's cursor.
//!
//! The cursor steps through the grammar's hidden nodes to reach a visible one: on NPSP's
//! Apex a step to the next sibling costs about 620 instructions, and one that finds none
//! (at a node's last child) about 450. A parent's child count is known when the walk
//! enters it, so the walk leaves a last child for its parent without asking the cursor
//! for a sibling: a third of the steps of an Apex tree (NPSP's token walk 2,122,074 steps
//! and 1,191 M instructions → 1,401,158 and 864 M; a cold 1,000-class plan 9,854 →
//! 9,713 M). `Node::child_count` counts the children the cursor steps to
//! (tree-sitter's own `Node::children` iterates that many); the unit test below compares
//! the two walks. (A debug assertion that cloned the cursor at each parent's end made
//! the fuzzers' debug builds quadratic on deep trees.)

use tree_sitter::{Node, TreeCursor};

/// A walk over every node under a root, without recursion (hostile input nests deeply).
pub(crate) struct Preorder<'t> {
    cursor: TreeCursor<'t>,
    /// For each node entered and not yet left, how many of its children follow the one
    /// the cursor is on (or on whose subtree it is).
    following: Vec<u32>,
}

impl<'t> Preorder<'t> {
    /// A walk that starts at `root`.
    pub(crate) fn new(root: Node<'t>) -> Preorder<'t> {
        Preorder {
            cursor: root.walk(),
            following: Vec::new(),
        }
    }

    /// The node the walk is on.
    pub(crate) fn node(&self) -> Node<'t> {
        self.cursor.node()
    }

    /// Steps into the current node, to its first child; false (and stays) at a leaf.
    pub(crate) fn enter(&mut self) -> bool {
        let node = self.cursor.node();
        if !self.cursor.goto_first_child() {
            return false;
        }
        self.following.push(node.child_count().saturating_sub(1));
        true
    }

    /// Steps past the current node's subtree to the next node: its next sibling, or that
    /// of the nearest parent that has one, calling `left` for each parent left on the way
    /// (innermost first). False when no node follows: the walk is over.
    pub(crate) fn advance(&mut self, mut left: impl FnMut()) -> bool {
        loop {
            match self.following.last_mut() {
                None => return false,
                Some(0) => {}
                Some(following) => {
                    *following -= 1;
                    if self.cursor.goto_next_sibling() {
                        return true;
                    }
                }
            }
            self.following.pop();
            if !self.cursor.goto_parent() {
                return false;
            }
            left();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tree_sitter::{Language, Parser};

    /// Each node seen: its kind, byte range and depth.
    type Seen = Vec<(String, usize, usize, usize)>;

    /// What [`Seen`] lists of `node`, seen at `depth`.
    fn seen_at(node: Node, depth: usize) -> (String, usize, usize, usize) {
        (
            node.kind().to_string(),
            node.start_byte(),
            node.end_byte(),
            depth,
        )
    }

    /// The nodes under `root`, walked with the cursor alone (asking it for a sibling at
    /// every node).
    fn by_cursor(root: Node) -> Seen {
        let mut seen = Vec::new();
        let mut cursor = root.walk();
        let mut depth = 0;
        'walk: loop {
            let node = cursor.node();
            seen.push(seen_at(node, depth));
            if cursor.goto_first_child() {
                depth += 1;
                continue;
            }
            loop {
                if cursor.goto_next_sibling() {
                    continue 'walk;
                }
                if !cursor.goto_parent() {
                    break 'walk;
                }
                depth -= 1;
            }
        }
        seen
    }

    /// The nodes under `root` as [`Preorder`] walks them, and how many it entered and left.
    fn by_preorder(root: Node) -> (Seen, usize, usize) {
        let (mut seen, mut entered, mut left) = (Vec::new(), 0, 0);
        let mut walk = Preorder::new(root);
        let mut depth = 0;
        loop {
            let node = walk.node();
            seen.push(seen_at(node, depth));
            if walk.enter() {
                entered += 1;
                depth += 1;
                continue;
            }
            let mut up = 0;
            let more = walk.advance(|| up += 1);
            left += up;
            depth -= up;
            if !more {
                break;
            }
        }
        (seen, entered, left)
    }

    /// The walk sees every node the cursor does, in the same order and at the same depth,
    /// and leaves each node it entered once: on Apex with comments, annotations, a syntax
    /// error and a missing token, on JavaScript, and on a tree of one node.
    #[test]
    fn the_walk_sees_what_the_cursor_sees() {
        let cases: [(Language, &str); 4] = [
            (
                Language::new(tree_sitter_sfapex::apex::LANGUAGE),
                "/** doc */ @IsTest public class A { // note\n @TestVisible Integer x = 1;\n \
                 void m() { if (x > 1) { x = (x + 2) * 3; } else { m(); } List<Account> a = \
                 [SELECT Id FROM Account WHERE Name = 'n']; }\n void broken( { x = ; }\n}",
            ),
            (
                Language::new(tree_sitter_sfapex::apex::LANGUAGE),
                "trigger T on Account (before insert) { for (Account a : Trigger.new) { a.Name = 'x' } }",
            ),
            (
                tree_sitter_javascript::LANGUAGE.into(),
                "import { LightningElement, api } from 'lwc';\n// c\nexport default class X \
                 extends LightningElement { @api recordId; get label() { return `a${1}b`; } }",
            ),
            (Language::new(tree_sitter_sfapex::apex::LANGUAGE), ""),
        ];
        for (language, source) in cases {
            let mut parser = Parser::new();
            parser.set_language(&language).expect("the grammar loads");
            let tree = parser.parse(source, None).expect("a tree");
            let expected = by_cursor(tree.root_node());
            let (seen, entered, left) = by_preorder(tree.root_node());
            assert_eq!(seen, expected, "{source}");
            assert_eq!(entered, left, "{source}");
        }
    }
}
