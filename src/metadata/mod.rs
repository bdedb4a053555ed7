//! Salesforce metadata: component identity, the source-format registry (path →
//! component), and manifests (package.xml).

pub mod component;
pub mod manifest;
pub mod registry;
pub mod sobject;
pub mod types;
