//! The formula scanner: what a formula (a formula field's, a validation rule's, a
//! workflow's, a flow's) names. Not a formula parser: a small tokenizer that passes over
//! string literals, `/* */` comments and numbers, and finds the dotted names (fields,
//! globals such as `$Setup.X.Y`) and the strings compared with a record type's name.

use crate::facts::{EdgeKind, Target};
use crate::metadata::component::ComponentId;
use crate::metadata::{sobject, types};
use crate::parse::xml::{Element, UseSet};

/// A dotted name in a formula and the byte offset where it starts.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct FormulaName<'f> {
    pub offset: usize,
    /// The dotted parts; the first may start with `$` (a global such as `$Setup`).
    pub parts: Vec<&'f str>,
    /// True when the name is followed by `(`: a function, not a field.
    pub called: bool,
}

impl FormulaName<'_> {
    /// Whether the name is a record type's name or label: `RecordType.Name`,
    /// `Account.RecordType.DeveloperName`, `$RecordType.Name`.
    fn is_record_type_name(&self) -> bool {
        let [.., record_type, name] = self.parts.as_slice() else {
            return false;
        };
        sobject::is_record_type_name(record_type, name)
    }
}

/// What a formula that compares a record type's name names ([`record_type_literals`]).
const RECORD_TYPE: &str = "RecordType";

/// A token of a formula.
#[derive(Debug, PartialEq, Eq)]
enum Token<'f> {
    Name(FormulaName<'f>),
    /// A string literal: its text between the quotes, and the offset of its opening
    /// quote.
    Text {
        offset: usize,
        value: &'f str,
    },
    /// An operator (`=`, `<>`, `&&`: a run of operator characters) or one character of
    /// punctuation (`(`, `,`). A flow's merge field braces, `{!` … `}`, are passed over.
    Symbol(&'f str),
}

/// Splits a formula into its tokens, skipping `/* */` comments, numbers and white space.
fn tokens(formula: &str) -> Vec<Token<'_>> {
    let bytes = formula.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let is_operator = |b: u8| b"=<>!&|+-*/^".contains(&b);
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'"' || b == b'\'' {
            let offset = i;
            i += 1;
            while i < bytes.len() && bytes[i] != b {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            let value = formula.get(offset + 1..i.min(bytes.len())).unwrap_or("");
            tokens.push(Token::Text { offset, value });
            i += 1;
        } else if b == b'/' && bytes.get(i + 1) == Some(&b'*') {
            i = formula
                .get(i + 2..)
                .and_then(|rest| rest.find("*/"))
                .map_or(bytes.len(), |end| i + 2 + end + 2);
        } else if b.is_ascii_digit() {
            while i < bytes.len() && (is_word(bytes[i]) || bytes[i] == b'.') {
                i += 1;
            }
        } else if b.is_ascii_alphabetic() || b == b'_' || b == b'$' {
            let offset = i;
            let mut parts = Vec::new();
            let mut start = i;
            i += 1;
            loop {
                while i < bytes.len() && is_word(bytes[i]) {
                    i += 1;
                }
                parts.push(&formula[start..i]);
                let continues = bytes.get(i) == Some(&b'.')
                    && bytes
                        .get(i + 1)
                        .is_some_and(|&n| n.is_ascii_alphabetic() || n == b'_');
                if !continues {
                    break;
                }
                i += 1;
                start = i;
            }
            let mut j = i;
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            let called = bytes.get(j) == Some(&b'(');
            tokens.push(Token::Name(FormulaName {
                offset,
                parts,
                called,
            }));
        } else if is_operator(b) {
            let start = i;
            while i < bytes.len() && is_operator(bytes[i]) {
                i += 1;
            }
            tokens.push(Token::Symbol(&formula[start..i]));
        } else if b.is_ascii_whitespace() || b == b'{' || b == b'}' || !b.is_ascii() {
            i += 1;
        } else {
            tokens.push(Token::Symbol(&formula[i..i + 1]));
            i += 1;
        }
    }
    tokens
}

/// Splits a formula into its dotted names, skipping string literals, `/* */` comments
/// and numbers.
pub(crate) fn formula_names(formula: &str) -> Vec<FormulaName<'_>> {
    tokens(formula)
        .into_iter()
        .filter_map(|token| match token {
            Token::Name(name) => Some(name),
            _ => None,
        })
        .collect()
}

/// The strings a formula compares a record type's name or label with, and their
/// offsets: either side of `=`, `==`, `<>` or `!=` beside `RecordType.Name` or
/// `RecordType.DeveloperName` (`Account.RecordType.DeveloperName = 'Household'`,
/// `"General Opportunity" <> RecordType.Name`), and the strings of a `CASE` over one
/// (`CASE(RecordType.DeveloperName, "Partner", 1, 0)`).
pub(crate) fn record_type_literals(formula: &str) -> Vec<(usize, &str)> {
    // Every text of every flow element is asked: one that never names a record type is
    // not tokenized.
    let mentions = formula
        .as_bytes()
        .windows(RECORD_TYPE.len())
        .any(|window| window.eq_ignore_ascii_case(RECORD_TYPE.as_bytes()));
    if !mentions {
        return Vec::new();
    }
    let tokens = tokens(formula);
    let is_comparison = |token: Option<&Token>| matches!(token, Some(Token::Symbol(op)) if ["=", "==", "<>", "!="].contains(op));
    let is_record_type = |token: Option<&Token>| matches!(token, Some(Token::Name(name)) if name.is_record_type_name());
    let at = |i: usize, step: isize| i.checked_add_signed(step).and_then(|j| tokens.get(j));
    let mut found = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let Token::Text { offset, value } = token else {
            continue;
        };
        let compared = (is_comparison(at(i, -1)) && is_record_type(at(i, -2)))
            || (is_comparison(at(i, 1)) && is_record_type(at(i, 2)));
        if compared || in_case_over_record_type(&tokens, i) {
            found.push((*offset, *value));
        }
    }
    found
}

/// Whether the token at `i` is an argument of a `CASE` whose first argument is a record
/// type's name (`CASE(RecordType.DeveloperName, …)`), at the `CASE`'s own depth.
fn in_case_over_record_type(tokens: &[Token], i: usize) -> bool {
    let mut depth = 0usize;
    for j in (0..i).rev() {
        match tokens[j] {
            Token::Symbol(")") => depth += 1,
            Token::Symbol("(") if depth > 0 => depth -= 1,
            Token::Symbol("(") => {
                let is_case = j
                    .checked_sub(1)
                    .and_then(|k| tokens.get(k))
                    .is_some_and(|token| {
                        matches!(token, Token::Name(name) if name.called
                            && matches!(name.parts.as_slice(), [case] if case.eq_ignore_ascii_case("CASE")))
                    });
                let over_record_type = matches!(tokens.get(j + 1), Some(Token::Name(name)) if name.is_record_type_name())
                    && tokens.get(j + 2) == Some(&Token::Symbol(","));
                return is_case && over_record_type;
            }
            _ => {}
        }
    }
    false
}

/// Adds the uses of a formula element on `object`: field reads for the names it uses,
/// and what the `$Setup`, `$CustomMetadata`, `$Label` and `$Permission` globals name.
pub(crate) fn formula_uses(formula: &Element, object: &str, from: &ComponentId, uses: &mut UseSet) {
    for text in &formula.texts {
        for name in formula_names(&text.value) {
            let line = text.line_at(name.offset);
            let Some(first) = name.parts.first() else {
                continue;
            };
            if let Some(global) = first.strip_prefix('$') {
                add_global_use(global, &name.parts[1..], from, uses, line);
                continue;
            }
            let keyword = ["true", "false", "null"]
                .iter()
                .any(|k| first.eq_ignore_ascii_case(k));
            if name.called || keyword || object.is_empty() {
                continue;
            }
            // A path through relationships (`Parent__r.Score__c`) is the graph's to
            // follow: it reads the lookup and the field at the end.
            let target = Target::Field {
                object: object.to_string().into(),
                field: name.parts.join(".").into(),
            };
            uses.add(from, target, EdgeKind::Reads, line);
        }
        record_type_uses(&text.value, from, uses, |offset| text.line_at(offset));
    }
}

/// Adds a `string-ref` for each string a formula compares a record type's name or
/// label with ([`record_type_literals`]): the string names the record type, as a string
/// literal in Apex would (`apex::literal_name`), so a change to the record type (its
/// label renamed, switched off) reaches the rule, the formula field or the flow.
pub(crate) fn record_type_uses(
    formula: &str,
    from: &ComponentId,
    uses: &mut UseSet,
    line_at: impl Fn(usize) -> u32,
) {
    for (offset, value) in record_type_literals(formula) {
        uses.add_string_name(from, value, line_at(offset));
    }
}

/// Adds the use behind a `$Global.path` reference that names a component, and says
/// whether it did. `$Record` is not handled here (only flows know its object).
pub(crate) fn add_global_use(
    global: &str,
    path: &[&str],
    from: &ComponentId,
    uses: &mut UseSet,
    line: u32,
) -> bool {
    let target = match (global.to_ascii_lowercase().as_str(), path) {
        // `$Label.c.X` (Aura) and `$Label.X` (formulas, flows, Visualforce).
        ("label", [ns, name, ..]) if ns.eq_ignore_ascii_case("c") => {
            (Target::Label(name.to_string().into()), EdgeKind::Reads)
        }
        ("label", [name, ..]) => (Target::Label(name.to_string().into()), EdgeKind::Reads),
        ("setup", [object, field, ..]) => (
            Target::Field {
                object: object.to_string().into(),
                field: field.to_string().into(),
            },
            EdgeKind::Reads,
        ),
        ("setup" | "custommetadata", [object, ..]) => {
            (Target::SObject(object.to_string().into()), EdgeKind::Reads)
        }
        ("permission", [name, ..]) => (
            Target::Component(ComponentId::new(types::CUSTOM_PERMISSION, name)),
            EdgeKind::References,
        ),
        ("resource", [name, ..]) => (
            Target::Component(ComponentId::new(types::STATIC_RESOURCE, name)),
            EdgeKind::Imports,
        ),
        _ => return false,
    };
    uses.add(from, target.0, target.1, line);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(formula: &str) -> Vec<Vec<&str>> {
        formula_names(formula)
            .into_iter()
            .map(|n| n.parts)
            .collect()
    }

    #[test]
    fn names_skip_strings_comments_and_numbers() {
        assert_eq!(
            names("IF(ISPICKVAL(Status__c, \"Paid__c\"), Amount__c * 1.5 /* Old__c */, Parent__r.Score__c)"),
            vec![
                vec!["IF"],
                vec!["ISPICKVAL"],
                vec!["Status__c"],
                vec!["Amount__c"],
                vec!["Parent__r", "Score__c"]
            ]
        );
        assert_eq!(
            names("{!$Record.Amount__c} > 0"),
            vec![vec!["$Record", "Amount__c"]]
        );
    }

    /// A string compared with a record type's name or label, on either side, in a
    /// validation rule's, a formula field's or a flow's formula, or one a `CASE` over
    /// one lists; not a string compared with another field, nor a `CASE` over another.
    #[test]
    fn strings_compared_with_a_record_type_s_name() {
        fn literals(formula: &str) -> Vec<&str> {
            record_type_literals(formula)
                .into_iter()
                .map(|(_, v)| v)
                .collect()
        }
        assert_eq!(
            literals(
                "AND(RecordType.Name = 'General Opportunity', ISPICKVAL(StageName, 'Closed'))"
            ),
            vec!["General Opportunity"]
        );
        assert_eq!(
            literals("Account.RecordType.DeveloperName=\"IndustriesHousehold\""),
            vec!["IndustriesHousehold"]
        );
        assert_eq!(
            literals(
                "\"Person Account\" <> RecordType.Name && $RecordType.DeveloperName == 'Partner'"
            ),
            vec!["Person Account", "Partner"]
        );
        assert_eq!(
            literals("{!$Record.RecordType.DeveloperName} != \"Retail\""),
            vec!["Retail"]
        );
        assert_eq!(
            literals("CASE(RecordType.DeveloperName, \"Retail\", 1, \"Branch\", IF(Name = 'x', 2, 3), 0)"),
            vec!["Retail", "Branch"]
        );
        assert!(literals("Type__c = 'Retail' && CASE(Region__c, 'Retail', 1, 0) = 1").is_empty());
        assert!(literals("RecordType.Name & 'Retail'").is_empty());
        // A string left open to the end is read to the end, and compared.
        assert_eq!(literals("RecordType.Name = 'Retail"), vec!["Retail"]);
    }
}
