//! `impact`: given a change to a Salesforce DX repository, which tests must run, in what
//! order, and why. See ARCHITECTURE.md for the pipeline.

pub mod apex_type;
pub mod cache;
pub mod changes;
pub mod churn;
pub mod cli;
pub mod confidence;
pub mod config;
pub mod coverage;
pub mod deployed;
pub mod error;
pub mod facts;
pub mod forceignore;
pub mod gate;
pub mod git;
pub mod graph;
pub mod history;
pub mod hotspots;
pub mod impact;
pub mod listing;
pub mod metadata;
pub mod parse;
pub mod pipeline;
pub mod policy;
pub mod progress;
pub mod project;
pub mod project_change;
pub mod rank;
pub mod record;
pub mod report;
pub mod results;
pub mod shared_bytes;
pub mod source;
pub mod test_sources;
