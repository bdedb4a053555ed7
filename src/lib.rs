//! `impact`: given a change to a Salesforce DX repository, which tests must run, in what
//! order, and why. See ARCHITECTURE.md for the pipeline.

pub mod error;
pub mod facts;
pub mod git;
pub mod metadata;
pub mod parse;
pub mod project;
