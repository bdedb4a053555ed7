//! What a file's resolution read of the declarations, as tokens, so that a build whose
//! declarations differ from those a kept resolution was resolved against can tell
//! whether the difference touches it ([`super::reuse`]).
//!
//! Resolution looks declarations up by name: a class by its full name, a member by its
//! class and name, every member of a name, a known component by its full name, and the
//! class hierarchy by walking superclasses and subclasses. While a file is resolved,
//! each lookup notes a [`Token`] of what it looked up ([`noting`]); a file offers the
//! tokens of what it declares, declaration by declaration ([`declared_tokens`]). A
//! kept resolution is true of a build unless one of its tokens is among those of the
//! declarations that changed, as they were or as they are: a lookup of a name nothing
//! changed returns what it returned, whether it found something or not.
//!
//! Tokens are 24-bit hashes: two names that share one only make a file resolve again.

use crate::apex_type::strip_generics;
use crate::facts::FileFacts;
use crate::metadata::component::ComponentId;
use rustc_hash::FxHasher;
use std::cell::RefCell;
use std::hash::Hasher;

/// A hash of a looked-up name, in one of three kinds ([`Kind`]): 24 bits, which a
/// record keeps in three bytes ([`TOKEN_BYTES`]), the most of what it holds besides its
/// resolutions.
pub(super) type Token = u32;

/// The bytes of a token as a record keeps it.
pub(super) const TOKEN_BYTES: usize = 3;

/// Tokens as records keep them: [`TOKEN_BYTES`] each, little-endian.
pub(super) fn to_bytes(tokens: &[Token]) -> Vec<u8> {
    tokens
        .iter()
        .flat_map(|token| token.to_le_bytes().into_iter().take(TOKEN_BYTES))
        .collect()
}

/// The tokens of [`to_bytes`]'s bytes (a last partial one is left out).
pub(super) fn from_bytes(bytes: &[u8]) -> impl Iterator<Item = Token> + '_ {
    bytes.chunks_exact(TOKEN_BYTES).map(|bytes| {
        bytes
            .iter()
            .rev()
            .fold(0, |token: Token, &byte| token << 8 | Token::from(byte))
    })
}

/// A set of tokens, a bit each: 2 MB, which the system zeroes only as they are
/// touched; asked of every token of every record a build reads.
pub(super) struct TokenSet(Vec<u64>);

impl Default for TokenSet {
    fn default() -> TokenSet {
        TokenSet(vec![0; 1 << (8 * TOKEN_BYTES - 6)])
    }
}

impl std::fmt::Debug for TokenSet {
    fn fmt(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        let count: u32 = self.0.iter().map(|word| word.count_ones()).sum();
        write!(formatter, "TokenSet({count} tokens)")
    }
}

impl TokenSet {
    /// Adds the tokens of a record's bytes ([`from_bytes`]).
    pub(super) fn insert_bytes(&mut self, bytes: &[u8]) {
        from_bytes(bytes).for_each(|token| self.insert(token));
    }

    pub(super) fn insert(&mut self, token: Token) {
        if let Some(word) = self.0.get_mut((token >> 6) as usize) {
            *word |= 1 << (token & 63);
        }
    }

    pub(super) fn contains(&self, token: Token) -> bool {
        self.0
            .get((token >> 6) as usize)
            .is_some_and(|word| word & (1 << (token & 63)) != 0)
    }
}

/// What a token names.
#[derive(Clone, Copy)]
#[repr(u8)]
enum Kind {
    /// A full name, case-folded (`outer.inner`, `invoice__c.total__c`,
    /// `invoiceservice.total` for a member of a class).
    Name,
    /// Every member of a name, in any class (the fallback for an untyped receiver).
    MemberName,
    /// A class's place in the hierarchy, by its simple name: its superclass and
    /// interfaces, and the classes that extend or implement it.
    Hierarchy,
}

fn token(kind: Kind, folded: &str) -> Token {
    let mut hasher = FxHasher::default();
    hasher.write_u8(kind as u8);
    hasher.write(folded.as_bytes());
    finish(hasher)
}

/// A token from a hash: its top 24 bits.
fn finish(hasher: FxHasher) -> Token {
    (hasher.finish() >> 40) as u32
}

/// The token of a full name (already case-folded).
pub(super) fn name_token(folded: &str) -> Token {
    token(Kind::Name, folded)
}

/// The token of a member looked up in a class (both case-folded).
fn member_token(class: &str, member: &str) -> Token {
    let mut hasher = FxHasher::default();
    hasher.write_u8(Kind::Name as u8);
    hasher.write(class.as_bytes());
    hasher.write(b".");
    hasher.write(member.as_bytes());
    finish(hasher)
}

/// The hierarchy token of a class or of a type a class names as its superclass or
/// interface: its simple name, generics dropped, case-folded.
pub(super) fn hierarchy_token(type_name: &str) -> Token {
    token(Kind::Hierarchy, &simple_name(type_name))
}

/// The simple name of a class or type name, generics dropped, case-folded
/// (`fflib_Application.Selector<Account>` → `selector`).
fn simple_name(type_name: &str) -> String {
    let base = strip_generics(type_name);
    base.rsplit('.')
        .next()
        .unwrap_or(&base)
        .trim()
        .to_lowercase()
}

thread_local! {
    /// The tokens noted by the resolution running on this thread, when one is noting.
    static NOTED: RefCell<Option<Vec<Token>>> = const { RefCell::new(None) };
}

fn note(token: impl FnOnce() -> Token) {
    NOTED.with(|noted| {
        if let Some(noted) = noted.borrow_mut().as_mut() {
            noted.push(token());
        }
    });
}

/// [`note`] of a lookup that may have no token to note.
fn note_some(token: impl FnOnce() -> Option<Token>) {
    NOTED.with(|noted| {
        if let Some(noted) = noted.borrow_mut().as_mut() {
            noted.extend(token());
        }
    });
}

/// Runs `resolve` and returns, beside its result, the tokens of every lookup it made,
/// sorted and without repeats.
pub(super) fn noting<T>(resolve: impl FnOnce() -> T) -> (T, Vec<Token>) {
    let outer = NOTED.with(|noted| noted.replace(Some(Vec::new())));
    let value = resolve();
    let mut tokens = NOTED.with(|noted| noted.replace(outer)).unwrap_or_default();
    tokens.sort_unstable();
    tokens.dedup();
    (value, tokens)
}

/// Lookups another pass made for what a resolution asks of it, by their tokens
/// (`Graph::saved_events`).
pub(super) fn note_tokens(tokens: &[Token]) {
    NOTED.with(|noted| {
        if let Some(noted) = noted.borrow_mut().as_mut() {
            noted.extend_from_slice(tokens);
        }
    });
}

/// A lookup by full name (case-folded): a class, a known component, a string literal.
pub(super) fn note_name(folded: &str) {
    note(|| name_token(folded));
}

/// A lookup by key (`type:fullname`, case-folded). A name with a namespace prefix
/// (`ns__animal__c`) notes the name without it too: in a project of that namespace the
/// lookup finds the object declared without it ([`super::Graph::indexed`]).
pub(super) fn note_key(key: &str) {
    let full = ComponentId::full_name_of_key(key);
    note_name(full);
    // Only while a file's lookups are noted: the graph also asks whether names are
    // declared for every file it builds (`Graph::names_named`), and most of an org's
    // packaged names (`npe01__OppPayment__c`) would be copied for nothing.
    note_some(|| super::names::without_namespaces(full).map(|stripped| name_token(&stripped)));
}

/// A lookup of member `member` (case-folded) in the class `class`, whose superclass or
/// subclasses the lookup may go on to.
pub(super) fn note_member_of(class: &ComponentId, member: &str) {
    let full = class.folded_full_name();
    note(|| member_token(full, member));
    // Folded already: the simple name is its last segment ([`simple_name`]), taken
    // without the copy that folding makes (this runs for every class a member lookup
    // visits).
    note(|| token(Kind::Hierarchy, full.rsplit('.').next().unwrap_or(full)));
}

/// A lookup of every member named `member` (case-folded).
pub(super) fn note_member_name(member: &str) {
    note(|| token(Kind::MemberName, member));
}

/// The tokens each of `file`'s declarations offers, declaration after declaration, and
/// how many each offers: its full name (a member's also as its class and name, as
/// [`note_member_of`] looks it up, and by its name alone; anything else also by each of
/// its dotted ends, `inner` and `outer.inner` for `Outer.Inner`, as a class is looked up
/// from inside another), a member's class when the file does not declare it (declaring
/// the member makes its node), the components its test marks name (declaring makes
/// their nodes), a component's short name, and for a class its hierarchy token and
/// those of the types it extends and implements. A file that declares nothing offers
/// its component's name, as one declaration (its node is the component's).
pub(super) fn declared_tokens(file: &FileFacts) -> (Vec<Token>, Vec<u32>) {
    let declares = &file.facts.declares;
    if declares.is_empty() {
        return (vec![name_token(file.component.folded_full_name())], vec![1]);
    }
    let declared: rustc_hash::FxHashSet<&str> = declares
        .iter()
        .map(|declaration| declaration.id.key())
        .collect();
    let mut tokens = Vec::new();
    let mut counts = Vec::with_capacity(declares.len());
    let mut own = Vec::new();
    for declaration in declares {
        own.clear();
        let id = &declaration.id;
        let full = id.folded_full_name();
        own.push(name_token(full));
        if let Some(parent) = declaration.parent.as_ref().filter(|_| id.is_member()) {
            let parent_full = parent.folded_full_name();
            if !declared.contains(parent.key()) {
                own.push(name_token(parent_full));
            }
            let (member, _) = super::names::member_name(id, parent);
            own.push(member_token(parent_full, member.as_str()));
            own.push(token(Kind::MemberName, member.as_str()));
        }
        if !id.is_member() {
            let mut end = full;
            while let Some((_, rest)) = end.split_once('.') {
                own.push(name_token(rest));
                end = rest;
            }
            own.push(hierarchy_token(full));
            let label = super::names::label_alias(declaration);
            for short in super::names::short_name(id).into_iter().chain(label) {
                own.push(name_token(&short.to_lowercase()));
            }
        }
        if let Some(relationship) = super::names::child_relationship(declaration) {
            own.push(name_token(&relationship));
        }
        for parent_type in declaration.extends.iter().chain(&declaration.implements) {
            own.push(hierarchy_token(parent_type));
        }
        if let Some(mark) = &declaration.test {
            own.extend(
                mark.test_for
                    .iter()
                    .map(|id| name_token(id.folded_full_name())),
            );
        }
        own.sort_unstable();
        own.dedup();
        tokens.extend_from_slice(&own);
        counts.push(u32::try_from(own.len()).unwrap_or(u32::MAX));
    }
    (tokens, counts)
}

/// The token of a class's simple name as its declaration offers it, for a type a class
/// names as its superclass or interface (generics dropped, case-folded).
pub(super) fn simple_name_token(type_name: &str) -> Token {
    name_token(&simple_name(type_name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lookup_notes_the_tokens_a_declaration_of_its_name_offers() {
        let file = crate::parse::apex_file(
            "Outer",
            "public class Outer extends Base { public void run() {} public class Inner {} }",
        );
        let (declared, counts) = declared_tokens(&file);
        assert_eq!(counts.len(), file.facts.declares.len());
        assert_eq!(counts.iter().sum::<u32>() as usize, declared.len());
        let ((), noted) = noting(|| {
            // A class looked up by its name alone, or by its outer class's name and its
            // own, as code inside another class names it.
            note_name("inner");
            note_name("outer.inner");
            note_member_of(&ComponentId::new("ApexClass", "OUTER"), "run");
            note_member_name("run");
        });
        assert!(!noted.is_empty());
        for token in &noted {
            assert!(declared.contains(token), "{token} is declared");
        }
        // A class that extends `Base` offers `Base`'s hierarchy token.
        assert!(declared.contains(&hierarchy_token("base")));
        // Outside `noting`, nothing is noted; inside, only what was looked up.
        note_name("elsewhere");
        let ((), noted) = noting(|| note_name("other"));
        assert_eq!(noted, vec![name_token("other")]);
        assert!(!declared.contains(&name_token("other")));
    }

    #[test]
    fn tokens_read_back_from_their_bytes_and_a_set_holds_what_was_put_in() {
        let tokens = [
            0,
            1,
            0x00ab_cdef,
            (1 << 24) - 1,
            name_token("invoiceservice"),
        ];
        let bytes = to_bytes(&tokens);
        assert_eq!(bytes.len(), tokens.len() * TOKEN_BYTES);
        assert_eq!(from_bytes(&bytes).collect::<Vec<_>>(), tokens);
        let mut set = TokenSet::default();
        for token in &tokens[1..] {
            set.insert(*token);
        }
        assert!(tokens[1..].iter().all(|token| set.contains(*token)));
        assert!(!set.contains(0) && !set.contains(2) && !set.contains(0x00ab_cdee));
    }
}
