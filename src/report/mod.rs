//! Report: render a plan for people and machines. Every renderer takes the same
//! [`plan::Plan`] (the `impact.plan/v1` contract); none of them computes anything.

pub mod annotations;
pub mod assemble;
pub mod chart;
pub mod confidence;
pub mod diff;
pub mod graph;
pub mod hotspots;
pub mod junit;
pub mod markdown;
pub mod plan;
pub mod sf;
pub mod text;

/// Whether the terminal may get colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    Always,
    Never,
}
