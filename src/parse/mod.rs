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
