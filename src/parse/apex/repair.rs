//! A gap in tree-sitter-sfapex's grammar, worked around: `Trigger.…` at a statement's
//! start (`Trigger.new[0].addError(…);`, `trigger.newMap.get(id).Name = …;`) does not
//! parse, in a trigger's body or in a class, though the same expression parses anywhere
//! else (`if (Trigger.isUpdate)`, `List<Account> a = Trigger.new;`). A changed file that
//! does not parse runs every test; one that is not changed may lose the uses after the
//! error. So where the parse has an error that starts at `Trigger.member`, the source is
//! parsed again with `(Trigger.member)` in its place, which means the same in Apex and
//! parses: the two parentheses take the place of two blanks before the statement (a
//! statement indented less is left as it is), so every token keeps its line and the file
//! its length.

use tree_sitter::Node;

/// The source with each `Trigger.member` that begins an error written in parentheses, or
/// `None` when the parse has no such error (the tree is parsed again only then).
pub(super) fn trigger_statements(root: Node, source: &str) -> Option<String> {
    if !root.has_error() {
        return None;
    }
    let bytes = source.as_bytes();
    let mut sites: Vec<(usize, usize)> = Vec::new();
    // Every node inside an error and on the way to one, without recursion (hostile input
    // can nest deeply).
    let mut stack = vec![(root, false)];
    while let Some((node, in_error)) = stack.pop() {
        let in_error = in_error || node.is_error();
        if in_error {
            if let Some(end) = trigger_member_end(bytes, node.start_byte()) {
                sites.push((node.start_byte(), end));
            }
        }
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            if in_error || child.has_error() {
                stack.push((child, in_error));
            }
        }
    }
    sites.sort_unstable();
    sites.dedup();
    let mut repaired = bytes.to_vec();
    let mut done_to = 0;
    let mut any = false;
    for (start, end) in sites {
        let Some(blanks) = start.checked_sub(2) else {
            continue;
        };
        if blanks < done_to
            || !bytes[blanks..start]
                .iter()
                .all(|&b| b == b' ' || b == b'\t')
        {
            continue;
        }
        repaired[blanks] = b'(';
        repaired[blanks + 1..end - 1].copy_from_slice(&bytes[start..end]);
        repaired[end - 1] = b')';
        done_to = end;
        any = true;
    }
    // Only ASCII bytes were moved and written, so the text is still UTF-8.
    any.then(|| String::from_utf8(repaired).ok()).flatten()
}

/// Where `Trigger.member` starting at `start` ends (`trigger` in any case, a dot, then a
/// name), if that is what starts there.
fn trigger_member_end(bytes: &[u8], start: usize) -> Option<usize> {
    let word = bytes.get(start..start + 7)?;
    if !word.eq_ignore_ascii_case(b"trigger") || bytes.get(start + 7) != Some(&b'.') {
        return None;
    }
    let name = start + 8;
    let is_name_byte = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    if !bytes.get(name).is_some_and(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let len = bytes[name..].iter().take_while(|b| is_name_byte(b)).count();
    Some(name + len)
}
