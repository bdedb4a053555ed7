//! Parsers: one per source language, each turning a file's text into [`Facts`].
//!
//! Architecture invariant: parsers are pure functions of (component, path, content).
//! They never fail; what they cannot read becomes a [`crate::facts::Problem`].

pub mod apex;
pub mod data_rules;
pub mod flow;
pub mod lwc;
pub mod markup;
pub mod multi;
pub mod objects;
pub mod suite;
pub mod xml;

mod dispatch;
pub use dispatch::parse_file;

use std::time::{Duration, Instant};
use tree_sitter::{ParseOptions, Parser, Tree};

/// Time a parse may take whatever its length.
const PARSE_TIME_BASE: Duration = Duration::from_millis(400);
/// Time a parse may take per byte besides: 5 µs, so 100 KB may take 0.9 s in all. Real
/// code is read far faster (a 385 KB class of ordinary methods, parsed and walked, in
/// 0.2 s in a release build, against its 2.3 s here).
const PARSE_NANOS_PER_BYTE: u64 = 5_000;

/// Parses `source` with tree-sitter within a time proportional to its length; `None` when
/// the parser gives up (the caller treats the file as one it could not read, so the plan
/// errs toward more tests). Some input makes tree-sitter's error recovery go quadratic
/// (found by fuzzing: 100 KB of `<a>` read as Apex, of `"` as JavaScript, over ten
/// seconds each). The limit is time, not parser steps, because the slow part is inside
/// few steps; it is far enough above real code that no real file comes near it, so the
/// plans of real repositories stay the same on any machine.
pub(crate) fn parse_within_budget(parser: &mut Parser, source: &str) -> Option<Tree> {
    let per_byte = Duration::from_nanos(PARSE_NANOS_PER_BYTE)
        .saturating_mul(u32::try_from(source.len()).unwrap_or(u32::MAX));
    let deadline = Instant::now() + PARSE_TIME_BASE.saturating_add(per_byte);
    let mut over_time = |_: &tree_sitter::ParseState| Instant::now() > deadline;
    let bytes = source.as_bytes();
    parser.parse_with_options(
        &mut |offset, _| bytes.get(offset..).unwrap_or_default(),
        None,
        Some(ParseOptions::new().progress_callback(&mut over_time)),
    )
}
