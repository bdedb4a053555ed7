//! Integration tests of `impact`: real git repositories built from `fixtures/`, the real
//! binary, and assertions on what it prints.
//!
//! One test binary, one module per topic:
//! - `plan`: which tests a change selects, with which test level, fallback, uncovered
//!   classes and reasons (the scenarios of issue 2), and how the default base is found;
//! - `methods`: member-level precision around hub classes (the checks of issue 7);
//! - `formats`: the `json`, `sf`, `text` and `markdown` renderings, `--output`, `why`,
//!   determinism;
//! - `precision`: the precision rules of issue 12 (DML events, inactive flows, object
//!   elements), each with a safety twin that still selects;
//! - `errors`: bad input gives exit code 2, a one-line cause and a hint;
//! - `decomposed`: workflows and sharing rules in the decomposed layouts, each scenario
//!   with its monolithic twin;
//! - `skip`: files of types with no test impact are listed, not parsed, and plans stay
//!   the same;
//! - `metadata`: every metadata edge kind of issue 3 (flows, Flow tests, custom metadata,
//!   labels, resources, permissions, LWC, Aura, Visualforce, workflow rules, `impact.toml`,
//!   `diff`, `graph`) on the `fixtures/automation` org;
//! - `layout`: rules about the source tree (no function outside tests over 120 lines,
//!   every file under `src/` in ARCHITECTURE.md's code map).
//!
//! The fixture org is `fixtures/billing`; its README says what is in it. Expected test
//! sets follow DESIGN.md at member granularity: a change is located to the members whose
//! text changed, and reaches the callers of those members (calls on an interface or a
//! supertype reach every override); a type that is only named (a parameter type,
//! `instanceof`) is not reached by a change inside a method of that type. Where the
//! contract left a choice, the test says which reading it takes and why.
//!
//! `IMPACT_KEEP_TEMP=1 cargo test --test it NAME` keeps the repositories of the tests it
//! runs, to replay a command by hand.

mod confidence;
mod decomposed;
mod deploy;
mod dispatch;
mod errors;
mod faults;
mod formats;
mod history;
mod hostile;
mod hotspots;
mod layout;
mod metadata;
mod methods;
mod org;
mod plan;
mod precision;
mod regression;
mod skip;
mod support;
mod types;
