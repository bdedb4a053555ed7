//! From changed components to tests: the walk over the graph, and the policy.
//!
//! The walk goes backwards over "A uses B" edges, breadth first, so every test carries
//! its shortest path as the explanation. It is edge-kind aware:
//! - an object reached through its automation (a trigger, a record-triggered flow, a
//!   validation rule) is followed only to the code that *writes* it, and through a
//!   roll-up summary to the code that writes its child object;
//! - a class reached because one of its methods changed is followed only to its
//!   *opaque* users (flow actions, `testFor`, string references, LWC imports): users
//!   who only name the type do not run the changed method;
//! - a change to a class header, or to a static block or field initializer that runs
//!   code, is a change to the whole class; a field holding a plain value reaches its
//!   readers, and a block that only sets fields reaches the readers of those fields.
//!
//! The policy never under-selects silently: changed and critical tests always run, and
//! what cannot be judged falls back to `RunLocalTests` with a reason.

use crate::facts::{DeclKind, DmlEvents, EdgeKind};
use crate::graph::{EdgeIx, Graph, Handed, NodeIx, UserLink};
use crate::metadata::component::ComponentId;
use crate::metadata::types;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::{BTreeMap, BTreeSet};

/// How far the walk may go from a node it reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    /// Every user of the node is affected.
    All,
    /// An SObject reached through its automation: only code that writes it with one of
    /// the events the automation runs on is affected (an insert does not run a
    /// before-delete trigger).
    WritersOnly(DmlEvents),
    /// A class reached because one of its members changed: only users that run the class
    /// without naming a member (flow actions, `testFor`, string references) are affected.
    OpaqueOnly,
    /// A class reached because its constructor changed, or a subclass's reached so: as
    /// [`Mode::OpaqueOnly`], and code that holds the class's name or type (`X.class`,
    /// `Type.forName('X')`) is affected too, for it may make an instance
    /// (`Type.newInstance()`, an fflib application's factory), which runs the
    /// constructor. Only that: such code runs no other member by the name alone.
    Instantiated,
    /// A class reached because one of its methods changed: as [`Mode::OpaqueOnly`], but
    /// code that holds the class's name or type (`Type.forName('X')`, `X.class`, a
    /// logger's category, a binding record) is affected only when the platform or a
    /// package may call the class's methods ([`crate::graph::Node::called_from_outside`]):
    /// otherwise such code only makes instances, and the method runs through calls the
    /// graph sees (through an interface of the repository, by the class hierarchy). A
    /// flow's Apex action runs the class's `@InvocableMethod`, not this one, when the
    /// class declares one ([`crate::graph::Node::declares_invocable`]).
    MethodChanged,
    /// A class reached because its `@InvocableMethod` changed: as
    /// [`Mode::MethodChanged`], and a flow's Apex action, which runs it, is affected.
    InvocableChanged,
    /// Code that holds the name or the type of what the walk reached (`string-ref`,
    /// `type-ref`): every user of it is affected, but its own class only as by an
    /// unchanged method's (a static field holding a factory's map of types makes no
    /// instance when its class loads, and a field holding a class's name does not make
    /// its own class one another string names), unless the holder is a platform entry
    /// point or the class's header.
    HoldsName,
    /// A custom metadata type or custom setting reached because one of its records
    /// changed: only code that reads the records (SOQL, `getAll`, `getInstance`) is
    /// affected, not code that names the type or builds a record in memory.
    ReadersOnly,
    /// A Lightning web component reached through what it imports from the org (an Apex
    /// method, a field, a label): the component behaves differently in the org, but its
    /// Jest tests mock every `@salesforce/*` import, so they are not affected.
    OrgOnly,
}

/// A starting point of the walk: a changed node, and how far the walk may go from it.
#[derive(Clone, Debug)]
pub struct Seed {
    pub node: ComponentId,
    pub mode: Mode,
}

/// What kind of test a selected test is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TestKind {
    Apex,
    Flow,
    Lwc,
}

/// One edge of an explanation path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathEdge {
    pub kind: EdgeKind,
    pub at: String,
}

/// Why a test is selected: a path from a changed node to the test, or a policy note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    /// Nodes from the changed one to the test (empty for pure policy reasons).
    pub path: Vec<ComponentId>,
    /// `path.len() - 1` edges.
    pub edges: Vec<PathEdge>,
    /// A policy note: `changed test`, `critical`, `always-run`, …
    pub note: Option<String>,
}

/// A test the plan selects.
#[derive(Clone, Debug, PartialEq)]
pub struct SelectedTest {
    /// `ApexClass:XTest`, `FlowTest:Y`, `LwcJestTest:<path>`.
    pub id: ComponentId,
    pub kind: TestKind,
    /// For Flow tests: the flow under test.
    pub flow: Option<String>,
    /// Test methods reached (Apex); all test methods when the whole class is affected.
    pub methods: Vec<String>,
    /// Component-level hops from the nearest change (0 for a changed test).
    pub distance: u32,
    pub reasons: Vec<Reason>,
    /// Where the test is declared.
    pub file: Option<String>,
}

/// The walk's result on one graph.
#[derive(Debug, Default)]
pub struct Reach {
    /// Tests reached, by case-folded id key.
    pub tests: BTreeMap<String, SelectedTest>,
}

/// A state of the walk: a node, how far the walk may go from it, and, while the walk is
/// on its way up from an override through the code that dispatched to it, the class of
/// that override.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct State {
    node: NodeIx,
    mode: Mode,
    dispatched_to: Option<NodeIx>,
    /// While the walk climbs from an override through the methods of its supertypes
    /// that dispatched to it (`TriggerHandler.run` calling `this.afterUpdate()`), the
    /// class of that override: only callers whose receiver can hold one pass.
    instance: Option<NodeIx>,
}

/// The states a walk found, in breadth-first order, and how each was first reached.
///
/// Breadth first, the order states are found in is the order they are taken in, so one
/// list is both the queue and the record, and a state names the one it was reached from
/// by position: a walk from a widely used class finds hundreds of thousands of states
/// (292,000 for a deployed class of the generated 10,000-class org), and a map from each
/// state to the state before it, beside a queue and a list, held each state three times.
struct Visited {
    /// Every state found, in order; the first `taken` were taken from the queue.
    states: Vec<State>,
    /// Per state, the position of the state it was reached from and the edge it was
    /// reached over; `None` for a seed.
    reached_from: Vec<Option<(u32, EdgeIx)>>,
    taken: usize,
}

impl Visited {
    /// The states the walk took, in the order it took them.
    fn order(&self) -> &[State] {
        &self.states[..self.taken]
    }

    /// The positions on the way from the state at `position` back to its seed, each
    /// with the edge it was reached over, the state's own first. A state is reached from
    /// one taken before it, so positions only go down and the way ends at a seed.
    fn way_back(&self, position: usize) -> impl Iterator<Item = (usize, EdgeIx)> + '_ {
        let came_from = |position: usize| {
            self.reached_from[position].map(|(previous, edge)| (previous as usize, edge))
        };
        std::iter::successors(came_from(position), move |&(previous, _)| {
            came_from(previous)
        })
    }

    /// How far the state at `position` is from its seed, in component-level hops: the
    /// edges of its way back that are not `member-of` (a test's [`SelectedTest::distance`]).
    fn distance(&self, graph: &Graph, position: usize) -> u32 {
        self.way_back(position)
            .filter(|&(_, edge)| graph[edge].kind != EdgeKind::MemberOf)
            .count() as u32
    }
}

/// A walk that stopped or ended, from which the tests it reached are read, each
/// explained only when asked: a walk from a class that no test of its own reaches finds
/// thousands of tests, of which the deployed class needs the nearest (`deployed::cover`).
pub struct Walked<'g> {
    graph: &'g Graph,
    visited: Visited,
    /// Per test reached, the position of its first visit.
    first: BTreeMap<NodeIx, usize>,
}

impl<'g> Walked<'g> {
    fn new(graph: &'g Graph, visited: Visited) -> Walked<'g> {
        let mut first = BTreeMap::new();
        for (position, state) in visited.order().iter().enumerate() {
            if let Some(test) = owning_test(graph, state.node) {
                first.entry(test).or_insert(position);
            }
        }
        Walked {
            graph,
            visited,
            first,
        }
    }

    /// The tests reached.
    pub fn tests(&self) -> impl Iterator<Item = NodeIx> + '_ {
        self.first.keys().copied()
    }

    /// How far the test is from the seeds ([`SelectedTest::distance`]); `None` when the
    /// walk did not reach it.
    pub fn distance(&self, test: NodeIx) -> Option<u32> {
        let &position = self.first.get(&test)?;
        Some(self.visited.distance(self.graph, position))
    }

    /// The tests `keep` accepts, each with its reason and methods, as [`walk`] gives them.
    pub fn reach(&self, keep: impl Fn(NodeIx) -> bool) -> Reach {
        reach_of(self.graph, &self.visited, keep)
    }
}

/// Which edges the walk takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rules {
    /// The walk's own rules: modes and dispatch.
    Walk,
    /// Every edge, as if every node were wholly changed: to find how near a change
    /// comes to a test the walk does not reach.
    Unrestricted,
}

/// How many edges a walk follows before it counts them to the graph: a count per edge
/// would be an atomic add per edge.
const FOLLOWED_BATCH: usize = 4096;

/// The breadth-first walk backwards from the seeds. `stop` sees each state as it is
/// taken from the queue; the walk ends early when it returns true.
fn traverse(
    graph: &Graph,
    seeds: &[Seed],
    rules: Rules,
    mut stop: impl FnMut(State) -> bool,
) -> Visited {
    let mut seen: HashSet<State> = HashSet::default();
    let mut visited = Visited {
        states: Vec::new(),
        reached_from: Vec::new(),
        taken: 0,
    };
    for seed in seeds {
        let Some(index) = graph.node(&seed.node) else {
            continue;
        };
        let state = State {
            node: index,
            mode: seed.mode,
            dispatched_to: None,
            instance: None,
        };
        if seen.insert(state) {
            visited.states.push(state);
            visited.reached_from.push(None);
        }
    }
    let mut dispatch = Dispatch::default();
    // Edges followed since the graph was last told ([`Graph::followed`]).
    let mut followed = 0;
    while let Some(&state) = visited.states.get(visited.taken) {
        if followed >= FOLLOWED_BATCH {
            graph.followed(followed);
            followed = 0;
        }
        // A position fits in 32 bits: so many states would not fit in memory.
        let position = visited.taken as u32;
        visited.taken += 1;
        if stop(state) {
            break;
        }
        let (node, mode) = (state.node, state.mode);
        for link in graph.users_of(node) {
            followed += 1;
            let kind = link.kind;
            let (next_mode, dispatched_to, instance) = match rules {
                Rules::Unrestricted => (Mode::All, None, None),
                Rules::Walk => {
                    let events = link.events;
                    let Some(next_mode) = step(graph, node, mode, kind, events, link.from) else {
                        continue;
                    };
                    let Some(dispatched_to) = dispatch.step(graph, state, kind, link.from) else {
                        continue;
                    };
                    let Some(instance) = instance_step(graph, state, &link) else {
                        continue;
                    };
                    (next_mode, dispatched_to, instance)
                }
            };
            let next = State {
                node: link.from,
                mode: next_mode,
                dispatched_to,
                instance,
            };
            if seen.insert(next) {
                visited.states.push(next);
                visited.reached_from.push(Some((position, link.id)));
            }
        }
    }
    graph.followed(followed);
    visited
}

/// Whether the walk from the seeds reaches a test `wanted` accepts (by the test's id);
/// stops at the first, and builds no explanation.
pub fn reaches_test(
    graph: &Graph,
    seeds: &[Seed],
    mut wanted: impl FnMut(&ComponentId) -> bool,
) -> bool {
    let mut found = false;
    traverse(graph, seeds, Rules::Walk, |state| {
        found = owning_test(graph, state.node).is_some_and(|test| wanted(&graph[test].id));
        found
    });
    found
}

/// Walks backwards from the seeds and returns every test reached, each with its shortest
/// path.
pub fn walk(graph: &Graph, seeds: &[Seed]) -> Reach {
    reach_of(
        graph,
        &traverse(graph, seeds, Rules::Walk, |_| false),
        |_| true,
    )
}

/// Walks backwards from the seeds like [`walk`], but stops once each of `tests` is
/// reached and every test method it would list is too (each one, or a state that runs
/// before every test method: [`runs_before_every_test`]). The entries of `tests` are then
/// the full walk's: a test's reason is its first reach, and what comes later can only
/// reach methods it already lists. Other tests are those seen before the stop. When the
/// stop never comes (one of `tests` is not reached), this is [`walk`].
///
/// Why: the tests that cover a deployed class are its own tests when the walk reaches
/// them (`deployed::cover`); a walk from the whole of a widely used class otherwise
/// visits every transitive user of it to find tests that call it directly.
pub fn walk_until_reached<'g>(
    graph: &'g Graph,
    seeds: &[Seed],
    tests: &BTreeSet<NodeIx>,
) -> Walked<'g> {
    // Per test: reached yet, and the test methods not reached yet.
    let mut pending: BTreeMap<NodeIx, (bool, BTreeSet<NodeIx>)> = tests
        .iter()
        .map(|&test| {
            // Every test method the class owns, in inner classes too: what
            // `reached_test_methods` may list.
            let methods = test_methods(graph, &graph.family(test)).collect();
            (test, (false, methods))
        })
        .collect();
    let mut unsettled = pending.len();
    let visited = traverse(graph, seeds, Rules::Walk, |state| {
        let Some(test) = owning_test(graph, state.node) else {
            return false;
        };
        let Some((reached, missing)) = pending.get_mut(&test) else {
            return false;
        };
        let was_settled = *reached && missing.is_empty();
        *reached = true;
        if runs_before_every_test(graph, test, state) {
            missing.clear();
        } else {
            missing.remove(&state.node);
        }
        if !was_settled && missing.is_empty() {
            unsettled -= 1;
        }
        unsettled == 0
    });
    Walked::new(graph, visited)
}

/// Walks backwards from the seeds like [`walk`], but stops at the first test `enough`
/// accepts; when it reaches none, this is the whole walk.
///
/// Why: a deployed class that has no test of its own is covered by any test the plan
/// already selects that uses it (`deployed::cover`), and the whole walk from a widely
/// used class visits every transitive user of it (292,000 states, 3,484 tests, for one
/// class of the generated 10,000-class org).
pub fn walk_until_any<'g>(
    graph: &'g Graph,
    seeds: &[Seed],
    mut enough: impl FnMut(NodeIx) -> bool,
) -> Walked<'g> {
    let visited = traverse(graph, seeds, Rules::Walk, |state| {
        owning_test(graph, state.node).is_some_and(&mut enough)
    });
    Walked::new(graph, visited)
}

/// The tests a traversal visited that `keep` accepts, each with the reason of its first
/// visit and the test methods its visits reach.
fn reach_of(graph: &Graph, visited: &Visited, keep: impl Fn(NodeIx) -> bool) -> Reach {
    // Per test reached: the reason of its first visit, and every state visited in it.
    let mut reached: HashMap<NodeIx, (SelectedTest, BTreeSet<State>)> = HashMap::default();
    for (position, &state) in visited.order().iter().enumerate() {
        let Some(test_index) = owning_test(graph, state.node).filter(|&test| keep(test)) else {
            continue;
        };
        let (_, members) = reached.entry(test_index).or_insert_with(|| {
            let test_node = &graph[test_index];
            let reason = explain(graph, visited, position, test_index);
            let distance = visited.distance(graph, position);
            let test = SelectedTest {
                id: test_node.id.clone(),
                kind: test_kind(&test_node.id),
                flow: None,
                methods: Vec::new(),
                distance,
                reasons: vec![reason],
                file: graph.file_of(test_index).map(str::to_string),
            };
            (test, BTreeSet::new())
        });
        members.insert(state);
    }
    let mut reach = Reach::default();
    for (test_index, (mut test, members)) in reached {
        test.methods = reached_test_methods(graph, test_index, &members);
        reach.tests.insert(test.id.key().to_string(), test);
    }
    reach
}

/// The tests the walk from the seeds reaches, without their reasons: what
/// `impact hotspots` counts for each component.
pub fn tests_reached(graph: &Graph, seeds: &[Seed]) -> BTreeSet<NodeIx> {
    let visited = traverse(graph, seeds, Rules::Walk, |_| false);
    visited
        .order()
        .iter()
        .filter_map(|state| owning_test(graph, state.node))
        .collect()
}

/// The shortest path from the seeds to the test `test` over every edge, the walk's rules
/// (modes, dispatch) aside; `None` when no path leads there at all. `impact why` shows it
/// for a test the walk does not select: how near the change came, and which edge the
/// walk did not take.
pub fn nearest_path(graph: &Graph, seeds: &[Seed], test: &ComponentId) -> Option<Reason> {
    let target = graph.node(test)?;
    let mut found = false;
    let visited = traverse(graph, seeds, Rules::Unrestricted, |state| {
        found = owning_test(graph, state.node) == Some(target);
        found
    });
    // The walk stopped at the state that reached the test: the last one it took.
    found.then(|| explain(graph, &visited, visited.taken - 1, target))
}

/// Seeds that reach every user of the nodes: how a change starts the walk.
pub fn seeds(nodes: &[ComponentId]) -> Vec<Seed> {
    nodes
        .iter()
        .map(|node| Seed {
            node: node.clone(),
            mode: Mode::All,
        })
        .collect()
}

/// The walk stage: from every change's seeds on the head graph (plus the test classes
/// that could not be parsed: what they touch is unknown, so they run), and on the base
/// graph when there is one.
pub fn walk_changes(
    head: &Graph,
    base: Option<&Graph>,
    changes: &[crate::changes::Change],
) -> (Reach, Option<Reach>) {
    let mut head_seeds: Vec<Seed> = changes
        .iter()
        .flat_map(|change| seeds_in(head, &change.head_seeds))
        .collect();
    head_seeds.extend(unparseable_tests(head));
    let head_reach = walk(head, &head_seeds);
    let base_reach = base.map(|graph| {
        let base_seeds: Vec<Seed> = changes
            .iter()
            .flat_map(|change| seeds_in(graph, &change.base_seeds))
            .collect();
        walk(graph, &base_seeds)
    });
    (head_reach, base_reach)
}

/// [`seeds`] of `nodes`, and of the hooks a changed custom metadata record registers
/// under a packaged framework ([`Graph::registered_hooks`]): the record decides when
/// they run.
fn seeds_in(graph: &Graph, nodes: &[ComponentId]) -> Vec<Seed> {
    let mut all = seeds(nodes);
    for node in nodes {
        let hooks = graph.registered_hooks(node);
        all.extend(hooks.iter().map(|&hook| Seed {
            node: graph[hook].id.clone(),
            mode: Mode::All,
        }));
    }
    all
}

/// Test classes that could not be parsed.
fn unparseable_tests(graph: &Graph) -> Vec<Seed> {
    graph
        .nodes()
        .filter(|(index, node)| node.has_problems && owning_test(graph, *index) == Some(*index))
        .map(|(_, node)| Seed {
            node: node.id.clone(),
            mode: Mode::All,
        })
        .collect()
}

/// For `impact why`: the shortest path from each change to `test` (on the head graph,
/// and on the base graph for deleted and removed code), each once. Each search stops at
/// the test, so it finds the path the full walk keeps for that change alone.
pub fn paths_per_change(
    head: &Graph,
    base: Option<&Graph>,
    changes: &[crate::changes::Change],
    test: &ComponentId,
) -> Vec<Reason> {
    let mut reasons: Vec<Reason> = Vec::new();
    for change in changes {
        let graphs = [(Some(head), &change.head_seeds), (base, &change.base_seeds)];
        for (graph, nodes) in graphs {
            let Some(graph) = graph else { continue };
            if let Some(reason) = shortest_path(graph, &seeds_in(graph, nodes), test) {
                if !reasons.contains(&reason) {
                    reasons.push(reason);
                }
            }
        }
    }
    reasons
}

/// The path the walk from `seeds` keeps for `test`, if it reaches it.
fn shortest_path(graph: &Graph, seeds: &[Seed], test: &ComponentId) -> Option<Reason> {
    let test_index = graph.node(test)?;
    let mut found = false;
    let visited = traverse(graph, seeds, Rules::Walk, |state| {
        found = owning_test(graph, state.node) == Some(test_index);
        found
    });
    // The walk stopped at the state that reached the test: the last one it took.
    found.then(|| explain(graph, &visited, visited.taken - 1, test_index))
}

/// Whether the walk may go from `node` (reached in `mode`) back to `source` over an edge
/// `source → node` of `kind`, and in which mode it then continues.
fn step(
    graph: &Graph,
    node: NodeIx,
    mode: Mode,
    kind: EdgeKind,
    events: DmlEvents,
    source: NodeIx,
) -> Option<Mode> {
    // A test class's name in a string (a Trigger Actions Framework record's
    // `Apex_Class_Test_Class__c`) runs nothing of the test: the record is no user of it
    // (Cloud-Peritus' EMS: every reader of the action records reached the test that a
    // record names, and the tests of every trigger through them).
    if kind == EdgeKind::StringRef && graph.test_owner(node) == Some(node) {
        return None;
    }
    let next = step_kind(graph, node, mode, kind, events, source)?;
    let is_component = |index: NodeIx| graph[index].is_lwc_bundle();
    // What a component imports from the org is mocked in its Jest tests, and in the Jest
    // tests of every component that imports it.
    let org_only = is_component(source) && (mode == Mode::OrgOnly || !is_component(node));
    Some(if org_only { Mode::OrgOnly } else { next })
}

/// `events` are the edge's: what a write performs, what a firing automation runs on.
fn step_kind(
    graph: &Graph,
    node: NodeIx,
    mode: Mode,
    kind: EdgeKind,
    events: DmlEvents,
    source: NodeIx,
) -> Option<Mode> {
    let source_node = &graph[source];
    match mode {
        Mode::WritersOnly(fires_on) => {
            (kind == EdgeKind::Writes && events.meets(fires_on)).then(|| writer_mode(graph, source))
        }
        Mode::ReadersOnly => match kind {
            EdgeKind::Reads | EdgeKind::Calls | EdgeKind::StringRef => Some(Mode::All),
            EdgeKind::References
            | EdgeKind::Extends
            | EdgeKind::Implements
            | EdgeKind::Writes
            | EdgeKind::Fires
            | EdgeKind::MemberOf
            | EdgeKind::TestFor
            | EdgeKind::Tests
            | EdgeKind::FlowAction
            | EdgeKind::Imports
            | EdgeKind::RecordOf
            | EdgeKind::CoveredBy
            | EdgeKind::NamedTest
            | EdgeKind::Dispatches
            | EdgeKind::Defines
            | EdgeKind::Assigns
            | EdgeKind::TypeRef => None,
        },
        // A Jest test mocks what the component imports from the org, whichever way the
        // test reaches the component.
        Mode::OrgOnly => (!source_node.id.is_type(types::LWC_JEST_TEST)).then_some(Mode::All),
        Mode::Instantiated => match kind {
            EdgeKind::StringRef | EdgeKind::TypeRef => Some(Mode::HoldsName),
            // A subclass's instance runs its superclass's constructor.
            EdgeKind::Extends => Some(Mode::Instantiated),
            _ => step_kind(graph, node, Mode::OpaqueOnly, kind, events, source),
        },
        Mode::InvocableChanged => match kind {
            EdgeKind::FlowAction => Some(Mode::All),
            _ => step_kind(graph, node, Mode::MethodChanged, kind, events, source),
        },
        Mode::MethodChanged => match kind {
            EdgeKind::StringRef | EdgeKind::TypeRef => {
                graph[node].called_from_outside.then_some(Mode::HoldsName)
            }
            EdgeKind::FlowAction => (!graph[node].declares_invocable).then_some(Mode::All),
            EdgeKind::MemberOf => is_apex_class(graph, source).then_some(Mode::MethodChanged),
            _ => step_kind(graph, node, Mode::OpaqueOnly, kind, events, source),
        },
        // The holder's class changed in nothing: a member of it that only holds the name
        // reaches the class as an unchanged method would (not its name's holders), even
        // a field whose initializer runs code (fflib's `Application.Service`, a factory
        // built from a map of types, makes no instance when its class loads).
        Mode::HoldsName => match kind {
            EdgeKind::MemberOf => match class_mode(graph, node, source)? {
                Mode::All
                    if matches!(graph[node].kind, DeclKind::Field | DeclKind::Initializer) =>
                {
                    Some(Mode::MethodChanged)
                }
                Mode::OpaqueOnly => Some(Mode::MethodChanged),
                mode => Some(mode),
            },
            _ => step_kind(graph, node, Mode::All, kind, events, source),
        },
        Mode::OpaqueOnly => match kind {
            EdgeKind::MemberOf => is_apex_class(graph, source).then_some(Mode::OpaqueOnly),
            EdgeKind::NamedTest => Some(Mode::OpaqueOnly),
            EdgeKind::StringRef => Some(Mode::HoldsName),
            EdgeKind::TestFor
            | EdgeKind::FlowAction
            | EdgeKind::CoveredBy
            | EdgeKind::Imports
            | EdgeKind::Tests => Some(Mode::All),
            // Users that name a member: they run that member, not the changed one.
            EdgeKind::References
            | EdgeKind::Calls
            | EdgeKind::Extends
            | EdgeKind::Implements
            | EdgeKind::Reads
            | EdgeKind::Writes
            | EdgeKind::Fires
            | EdgeKind::RecordOf
            | EdgeKind::Dispatches
            | EdgeKind::Defines
            | EdgeKind::Assigns
            | EdgeKind::TypeRef => None,
        },
        Mode::All => match kind {
            EdgeKind::Fires => Some(Mode::WritersOnly(events)),
            // The type "uses" its records: from a record, its readers.
            EdgeKind::RecordOf => Some(Mode::ReadersOnly),
            // The class's own test, whatever it calls: the test methods the walk reaches
            // through calls are the ones listed, else all of them.
            EdgeKind::NamedTest => Some(Mode::OpaqueOnly),
            EdgeKind::MemberOf => class_mode(graph, node, source),
            // Code that holds a name or a type: its users, not its class as a whole.
            EdgeKind::StringRef | EdgeKind::TypeRef => Some(Mode::HoldsName),
            EdgeKind::Writes => Some(writer_mode(graph, source)),
            EdgeKind::References
            | EdgeKind::Calls
            | EdgeKind::Extends
            | EdgeKind::Implements
            | EdgeKind::Reads
            | EdgeKind::TestFor
            | EdgeKind::Tests
            | EdgeKind::FlowAction
            | EdgeKind::Imports
            | EdgeKind::CoveredBy
            | EdgeKind::Dispatches
            | EdgeKind::Defines
            | EdgeKind::Assigns => Some(Mode::All),
        },
    }
}

/// The mode a member's change reaches its class in (`class`, over a `member-of` edge from
/// `member`); `None` when `class` is no Apex class.
fn class_mode(graph: &Graph, member: NodeIx, class: NodeIx) -> Option<Mode> {
    if !is_apex_class(graph, class) {
        return None;
    }
    // A platform entry point (a batch's `execute`) runs for whoever hands the class to
    // the platform, so its change reaches every user of the class. A field whose
    // initializer, or an initializer block that, runs code (a call, a query) runs it
    // when the class loads; a field holding a plain value reaches its readers only, and
    // a block that only sets fields reaches their readers (over `assigns` edges).
    let whole_class = match graph[member].kind {
        DeclKind::ClassHeader => true,
        DeclKind::Field | DeclKind::Initializer => graph.runs_code(member),
        _ => graph[member].platform_entry,
    };
    Some(match graph[member].kind {
        _ if whole_class => Mode::All,
        DeclKind::Constructor => Mode::Instantiated,
        DeclKind::Method if graph[member].invocable => Mode::InvocableChanged,
        DeclKind::Method => Mode::MethodChanged,
        _ => Mode::OpaqueOnly,
    })
}

/// How far the walk goes from the writer of an object it reached. An object writes
/// another only through a roll-up summary, which updates the parent whenever a child
/// record is inserted, updated, deleted or undeleted: what runs that update is the
/// code that writes the child, not every user of the child object.
fn writer_mode(graph: &Graph, writer: NodeIx) -> Mode {
    if graph.is_object(writer) {
        Mode::WritersOnly(DmlEvents::ALL)
    } else {
        Mode::All
    }
}

/// Trigger-framework dispatch. A trigger hands its records to a dispatcher, which calls
/// an interface or abstract method on handler instances it creates by name (from custom
/// metadata or a config class). Class-hierarchy analysis joins that call to every
/// handler, so without care a change to the Account handler reaches the dispatcher and
/// from there every trigger in the org. The walk remembers the handler it came from
/// while it climbs the dispatching code, and at a trigger goes on only if the handler
/// is registered for the trigger's object by a configuration record
/// (`new Trigger_Handler__c(Class__c = 'X', Object__c = 'Account')`, a custom metadata
/// record), or, when no record registers it, names that object itself (a cast, a
/// declaration, a query, a field). A handler about which neither tells anything reaches
/// every trigger, except one that makes another class of the handler's hierarchy
/// (`TriggerDispatcher.run(new PaymentTriggerHandler())`): that trigger runs the class
/// it makes.
#[derive(Default)]
struct Dispatch {
    /// Objects each handler class handles (see [`Graph::objects_handled_by`]), computed
    /// when first needed.
    objects: HashMap<NodeIx, BTreeSet<NodeIx>>,
    /// The classes each trigger holds by their type and makes (see
    /// [`Graph::classes_handed_by`]), computed when first needed.
    handed: HashMap<NodeIx, Handed>,
}

impl Dispatch {
    /// The dispatch context after stepping from `state` back over an edge of `kind` from
    /// `source`; `None` when the step is not taken: to a trigger on an object the handler
    /// does not handle, or from a registered handler to a record that names it.
    fn step(
        &mut self,
        graph: &Graph,
        state: State,
        kind: EdgeKind,
        source: NodeIx,
    ) -> Option<Option<NodeIx>> {
        // A registered handler runs through its dispatcher, for the triggers of its
        // objects; the code that holds its name in a configuration record does not run it.
        if kind == EdgeKind::StringRef && graph.is_registered_handler(state.node) {
            return None;
        }
        // A class held by its name or its type (`Type.forName('InvoiceHandler')`, a
        // config map, a metadata record, `InvoiceHandler.class`) is what the holder makes
        // and runs: the handler from here on, in place of an override climbed through
        // before (a bypass service's implementation, reached through its interface from
        // the handler's constructor, handles no trigger's object).
        if matches!(kind, EdgeKind::StringRef | EdgeKind::TypeRef) && graph.is_apex_code(state.node)
        {
            return Some(Some(graph.top_level(state.node)));
        }
        let climbs = match kind {
            // How code reaches a handler: the climb goes on through it.
            EdgeKind::Dispatches
            | EdgeKind::Calls
            | EdgeKind::References
            | EdgeKind::MemberOf
            | EdgeKind::StringRef
            | EdgeKind::TypeRef => true,
            EdgeKind::Extends
            | EdgeKind::Implements
            | EdgeKind::Reads
            | EdgeKind::Writes
            | EdgeKind::Fires
            | EdgeKind::TestFor
            | EdgeKind::Tests
            | EdgeKind::FlowAction
            | EdgeKind::Imports
            | EdgeKind::RecordOf
            | EdgeKind::CoveredBy
            | EdgeKind::NamedTest
            | EdgeKind::Defines
            | EdgeKind::Assigns => false,
        };
        let Some(handler) = state.dispatched_to else {
            // The first override climbed through is the handler; a dispatcher's own
            // template methods (`TriggerBase.run` → `beforeInsert`) do not replace it.
            let names_handler = kind == EdgeKind::Dispatches;
            return Some(names_handler.then(|| graph.top_level(state.node)));
        };
        if !climbs {
            return Some(None);
        }
        // An override of another hierarchy climbed through later is the handler from
        // there on: the framework the trigger runs dispatches to it, and the first one
        // was code the handler runs (a processor a queueable it enqueues makes by name:
        // apex-async-actions' `MockAsyncActionProcessor.process`, whose job the start
        // event's handler enqueues, handles no trigger's object). One of the same
        // hierarchy (the handler's own template methods) leaves it.
        // A handler configuration records register stays the one the trigger must run
        // for: the dispatcher that runs it (the Trigger Actions Framework's
        // `MetadataTriggerHandler`, reached through `TriggerBase`) handles every
        // trigger, and the records say which of them runs the action (Cloud-Peritus'
        // EMS: a Case before-insert action reached the tests of all 29 triggers).
        if kind == EdgeKind::Dispatches && !graph.has_registrations(handler) {
            let class = graph.top_level(state.node);
            let related = graph.is_subtype(class, handler) || graph.is_subtype(handler, class);
            if !related {
                return Some(Some(class));
            }
        }
        if !graph[source].is_trigger() {
            return Some(Some(handler));
        }
        self.at_trigger(graph, state, kind, source, handler)
    }

    /// The step from `state` back to `source`, a trigger, over an edge of `kind`, with
    /// `handler` the handler remembered: `None` when the trigger does not run it.
    fn at_trigger(
        &mut self,
        graph: &Graph,
        state: State,
        kind: EdgeKind,
        source: NodeIx,
        handler: NodeIx,
    ) -> Option<Option<NodeIx>> {
        // A class the trigger makes and hands to a framework the repository does not
        // declare (`Triggers.dispatcher.bindAsync(…, new BotWebhookHandler())`), reached
        // whole through the entry point that framework calls: the trigger runs it,
        // whatever the handler remembered from the code it runs (Apex-ChatBot-Hub: a
        // callout service the webhook handler runs named no bot, and the bot trigger's
        // test was missed).
        let made_here = matches!(kind, EdgeKind::References | EdgeKind::Calls)
            && graph[state.node].kind == DeclKind::Class
            && graph[state.node].called_from_outside;
        if made_here {
            return Some(None);
        }
        // A trigger that hands its handler over by type (fflib's
        // `fflib_SObjectDomain.triggerHandler(Accounts.class)`) runs that class: it passes
        // when that is the handler or one of its subclasses, whatever objects the
        // handler names. Another class of the handler's hierarchy held there does not
        // stop the walk: the handler remembered is the first override climbed through,
        // which need not be the trigger's (a domain's constructor reached through a
        // factory, on the way to the trigger handler that calls the factory).
        let handed = self
            .handed
            .entry(source)
            .or_insert_with(|| graph.classes_handed_by(source));
        if handed
            .held
            .iter()
            .any(|&class| graph.is_subtype(class, handler))
        {
            return Some(None);
        }
        // A trigger that makes its handler (`TriggerDispatcher.run(new
        // CG_SettingTriggerHandler())`) runs that one (or a subclass): another class of
        // its hierarchy, which the dispatcher's interface call joins too, does not run
        // there, whatever objects it names or does not. One that records register is left
        // to them. (ctr-sf-devm41's `CauseTriggerHandler` names no object: a change to a
        // class it uses reached every trigger of the dispatcher, 233 tests where 6 save a
        // cause.)
        let made = &handed.made;
        if made.iter().any(|&class| graph.is_subtype(class, handler)) {
            return Some(None);
        }
        // Only for a handler that triggers make for themselves: one the dispatcher (or a
        // factory) makes may run for every trigger, whatever the trigger makes.
        let sibling_made = !graph.has_registrations(handler)
            && made
                .iter()
                .any(|&class| graph.share_supertype(class, handler))
            && graph.made_only_by_triggers(handler);
        if sibling_made {
            return None;
        }
        let named = self
            .objects
            .entry(handler)
            .or_insert_with(|| graph.objects_handled_by(handler));
        let fires = graph.objects_automated_by(source);
        let related = named.is_empty() || fires.iter().any(|o| named.contains(o));
        related.then_some(None)
    }
}

/// Receiver-aware dispatch. A base class's template method (`TriggerHandler.run`
/// calling `this.afterUpdate()`) is joined by the class hierarchy to every handler's
/// override, and its callers include the base class's own tests, which run it on a test
/// double, and every sibling handler. Climbing from an override in class `C` into a
/// method of a supertype of `C`, the walk remembers `C`; a caller of that method whose
/// receiver's static type cannot hold a `C` (a sibling, a test double) does not pass,
/// nor does the supertype's class itself (its own test, its name in a string: they
/// create no `C`). An unknown receiver passes. Only a hook called on the supertype's own
/// object (`this.afterUpdate()`) narrows: one called on another object of the base type
/// (`next.afterUpdate()`) runs the override on that object, whoever calls the supertype's
/// method. The constraint ends when the walk leaves `C`'s line of the hierarchy. `None`:
/// the step is not taken; else the next state's `instance`.
fn instance_step(graph: &Graph, state: State, edge: &UserLink) -> Option<Option<NodeIx>> {
    let source = edge.from;
    // Asked only where the step needs it: a lookup per edge is much of a walk's time.
    let caller_class = || graph.declaring_class(source);
    let receiver = edge.receiver;
    match edge.kind {
        EdgeKind::Dispatches if !edge.on_this => Some(None),
        EdgeKind::Dispatches => {
            let overriding = graph.declaring_class(state.node);
            let caller_class = caller_class();
            // The caller's own object is of its class: an implementation of the interface
            // it is cast to outside that line of the hierarchy never runs there
            // (`((TriggerAction.BeforeInsert) this).beforeInsert(…)` in a copy of the
            // Trigger Actions Framework's `TriggerBase` ran every action class for every
            // trigger: Cloud-Peritus' EMS).
            let below_caller = graph.is_subtype(overriding, caller_class);
            if !below_caller && !graph.is_subtype(caller_class, overriding) {
                return None;
            }
            let class = match state.instance {
                Some(narrower) if graph.is_subtype(narrower, overriding) => narrower,
                _ => overriding,
            };
            let in_supertype = caller_class != class
                && match class == overriding {
                    true => below_caller,
                    false => graph.is_subtype(class, caller_class),
                };
            Some(in_supertype.then_some(class))
        }
        EdgeKind::Calls => {
            let Some(class) = state.instance else {
                return Some(None);
            };
            if receiver.is_some_and(|declared| !graph.can_hold(declared, class)) {
                return None;
            }
            Some(graph.can_hold(caller_class(), class).then_some(class))
        }
        EdgeKind::MemberOf => {
            let Some(class) = state.instance else {
                return Some(None);
            };
            let supertype = source != class && graph.is_subtype(class, source);
            if !supertype {
                return Some(None);
            }
            // A platform entry point `C` inherits (a queueable's `execute`, a batch's
            // `start`) runs for the code that hands an instance of `C` to the platform
            // (`System.enqueueJob(this)` in the supertype): the supertype's class is
            // reached, still for `C` (apex-async-chainable: a job's `execute()` override,
            // run by the base queueable's `execute(QueueableContext)`, reached no test
            // that runs the job).
            graph[state.node].platform_entry.then_some(Some(class))
        }
        // From the supertype reached for `C`, a subclass of another line makes no `C`.
        EdgeKind::Extends => match state.instance {
            Some(class) if !graph.can_hold(source, class) => None,
            _ => Some(None),
        },
        // Nor does a sibling's own code that names the supertype (apex-async-chainable:
        // the iterable batch's constructor reads `ChainableBatchBase.DEFAULT_BATCH_SIZE`):
        // it runs for the sibling.
        EdgeKind::References => match state.instance {
            Some(class) => {
                let caller_class = caller_class();
                let sibling = caller_class != state.node
                    && graph.is_subtype(caller_class, state.node)
                    && !graph.can_hold(caller_class, class);
                (!sibling).then_some(None)
            }
            None => Some(None),
        },
        // Any other step leaves the override's line of the hierarchy: the constraint ends.
        EdgeKind::TypeRef
        | EdgeKind::Implements
        | EdgeKind::Reads
        | EdgeKind::Writes
        | EdgeKind::Fires
        | EdgeKind::TestFor
        | EdgeKind::Tests
        | EdgeKind::FlowAction
        | EdgeKind::Imports
        | EdgeKind::RecordOf
        | EdgeKind::StringRef
        | EdgeKind::CoveredBy
        | EdgeKind::NamedTest
        | EdgeKind::Defines
        | EdgeKind::Assigns => Some(None),
    }
}

fn is_apex_class(graph: &Graph, index: NodeIx) -> bool {
    matches!(
        graph[index].kind,
        DeclKind::Class | DeclKind::Interface | DeclKind::Enum
    )
}

/// The test a node belongs to: a test class (for its members and inner classes), a Flow
/// test, a Jest test.
pub fn owning_test(graph: &Graph, index: NodeIx) -> Option<NodeIx> {
    graph.test_owner(index)
}

/// The kind of test a test node is.
pub fn test_kind(id: &ComponentId) -> TestKind {
    if id.is_type(types::FLOW_TEST) {
        TestKind::Flow
    } else if id.is_type(types::LWC_JEST_TEST) {
        TestKind::Lwc
    } else {
        TestKind::Apex
    }
}

/// The test methods of `class` affected, given the states of the class the walk
/// reached: the test methods reached, or all of them when something that runs before
/// every test was reached (the class itself, a setup method, its header, a field, an
/// initializer), or when no test method was reached at all (only a helper).
fn reached_test_methods(graph: &Graph, class: NodeIx, reached: &BTreeSet<State>) -> Vec<String> {
    let all: Vec<NodeIx> = test_methods(graph, graph.children_of(class)).collect();
    let runs_before_every_test = reached
        .iter()
        .any(|&state| runs_before_every_test(graph, class, state));
    let reached_methods: Vec<NodeIx> = reached
        .iter()
        .map(|state| state.node)
        .filter(|&index| is_test_method(graph, index))
        .collect();
    let chosen = if runs_before_every_test || reached_methods.is_empty() {
        all
    } else {
        reached_methods
    };
    // Each name folded once: folded in the sort's comparisons, it was most of a walk
    // that reaches test classes of hundreds of methods (NPSP).
    let mut names: Vec<(String, String)> = chosen
        .into_iter()
        .map(|index| {
            let full = graph[index].id.full_name();
            let name = full.rsplit('.').next().unwrap_or(full);
            (name.to_lowercase(), name.to_string())
        })
        .collect();
    // Stable: of names that differ only by case, the first declared stays.
    names.sort_by(|a, b| a.0.cmp(&b.0));
    names.dedup_by(|a, b| a.0 == b.0);
    names.into_iter().map(|(_, name)| name).collect()
}

/// The test methods among `nodes` (a test class's children, or its whole family).
fn test_methods<'a>(graph: &'a Graph, nodes: &'a [NodeIx]) -> impl Iterator<Item = NodeIx> + 'a {
    nodes
        .iter()
        .copied()
        .filter(move |&node| is_test_method(graph, node))
}

fn is_test_method(graph: &Graph, index: NodeIx) -> bool {
    graph[index].test.as_ref().is_some_and(|m| m.method)
}

/// Whether reaching `state` in the test class `class` runs every test method of it: the
/// class itself wholly, its setup, its header, fields or initializers.
fn runs_before_every_test(graph: &Graph, class: NodeIx, state: State) -> bool {
    let node = &graph[state.node];
    (state.node == class && state.mode == Mode::All)
        || node.test.as_ref().is_some_and(|m| m.setup)
        || matches!(
            node.kind,
            DeclKind::ClassHeader | DeclKind::Initializer | DeclKind::Field
        )
}

/// Builds the explanation path from a seed to the state at `position` of the walk,
/// ending at the test node.
fn explain(graph: &Graph, visited: &Visited, position: usize, test_index: NodeIx) -> Reason {
    let state = visited.states[position];
    let mut path = vec![graph[state.node].id.clone()];
    let mut edges = Vec::new();
    for (previous, edge) in visited.way_back(position) {
        path.push(graph[visited.states[previous].node].id.clone());
        edges.push(PathEdge {
            kind: graph[edge].kind,
            at: graph.show_at(graph[edge].at).to_string(),
        });
    }
    // The walk went from the change to the test; the path reads the other way round.
    // `path` is test-side first here, so reverse both.
    path.reverse();
    edges.reverse();
    if state.node != test_index {
        let test = &graph[test_index];
        path.push(test.id.clone());
        let at = match graph.file_of(test_index) {
            Some(file) => format!("{}:{}", file, graph[state.node].line.max(1)),
            None => String::new(),
        };
        edges.push(PathEdge {
            kind: EdgeKind::MemberOf,
            at,
        });
    }
    Reason {
        path,
        edges,
        note: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::apex_file as class;

    /// `Rates` is used by its own test (one method directly, one through a helper) and,
    /// far away, by a chain of classes that ends in another test.
    fn rates_and_users(own_test_reaches: bool) -> Graph {
        let call = if own_test_reaches {
            "Rates.daily()"
        } else {
            "0"
        };
        let files = [
            class(
                "Rates",
                "public class Rates { public static Integer daily() { return 1; } \
                 public static Integer weekly() { return 7; } }",
            ),
            class(
                "RatesTest",
                &format!(
                    "@IsTest private class RatesTest {{ \
                     static Integer viaHelper() {{ return Rates.weekly(); }} \
                     @IsTest static void daily() {{ System.assertEquals(1, {call}); }} \
                     @IsTest static void weekly() {{ System.assertEquals(7, viaHelper()); }} }}"
                ),
            ),
            class(
                "Quotes",
                "public class Quotes { public static Integer price() { return Rates.daily(); } }",
            ),
            class(
                "Orders",
                "public class Orders { public static Integer total() { return Quotes.price(); } }",
            ),
            class(
                "Invoices",
                "public class Invoices { public static Integer due() { return Orders.total(); } }",
            ),
            class(
                "InvoicesTest",
                "@IsTest private class InvoicesTest { \
                 @IsTest static void due() { System.assertEquals(1, Invoices.due()); } }",
            ),
            class(
                "AuditTest",
                "@IsTest private class AuditTest { @IsTest static void runs() { } }",
            ),
        ];
        Graph::build(&files)
    }

    fn whole_class(graph: &Graph, name: &str) -> Vec<Seed> {
        let index = graph
            .node(&ComponentId::new(types::APEX_CLASS, name))
            .expect("declared");
        let mut nodes = vec![graph[index].id.clone()];
        nodes.extend(
            graph
                .children_of(index)
                .iter()
                .copied()
                .map(|c| graph[c].id.clone()),
        );
        seeds(&nodes)
    }

    fn test_index(graph: &Graph, name: &str) -> NodeIx {
        graph
            .node(&ComponentId::new(types::APEX_CLASS, name))
            .expect("declared")
    }

    /// A standard roll-up (an account's opportunities) whose child has no automation of
    /// its own: an opportunity saved runs the account's update trigger, whether its
    /// records are typed or of unknown type (`List<SObject>` may hold opportunities);
    /// reading opportunities does not.
    #[test]
    fn a_roll_up_child_saved_reaches_its_parent_s_update_trigger() {
        let graph = Graph::build(&[
            crate::parse::file_at(
                types::CUSTOM_FIELD,
                "Account.Won_Total__c",
                "force-app/main/default/objects/Account/fields/Won_Total__c.field-meta.xml",
                "<CustomField><fullName>Won_Total__c</fullName>\
                 <summarizedField>Opportunity.Amount</summarizedField>\
                 <summaryForeignKey>Opportunity.AccountId</summaryForeignKey>\
                 <summaryOperation>sum</summaryOperation><type>Summary</type></CustomField>",
            ),
            crate::parse::file_at(
                types::APEX_TRIGGER,
                "AccountTier",
                "force-app/main/default/triggers/AccountTier.trigger",
                "trigger AccountTier on Account (after update) { }",
            ),
            class(
                "Loader",
                "public class Loader { public static void load(List<SObject> rows) { insert rows; } }",
            ),
            class(
                "LoadDealsTest",
                "@IsTest private class LoadDealsTest { @IsTest static void loads() { \
                 Loader.load(new List<SObject>{ new Opportunity(Amount = 5) }); } }",
            ),
            class(
                "CloseDealTest",
                "@IsTest private class CloseDealTest { @IsTest static void closes() { \
                 insert new Opportunity(Amount = 5); } }",
            ),
            class(
                "DealReportTest",
                "@IsTest private class DealReportTest { @IsTest static void lists() { \
                 System.assertEquals(0, [SELECT COUNT() FROM Opportunity]); } }",
            ),
        ]);
        let trigger = ComponentId::new(types::APEX_TRIGGER, "AccountTier");
        let reach = walk(&graph, &seeds(&[trigger]));
        let tests: BTreeSet<&str> = reach.tests.keys().map(String::as_str).collect();
        assert_eq!(
            tests,
            BTreeSet::from(["apexclass:closedealtest", "apexclass:loaddealstest"])
        );
    }

    /// The stopped walk says of the wanted test exactly what the whole walk says (its
    /// reason, distance and both methods, one reached only through a helper), and stops
    /// before the test at the end of the chain.
    #[test]
    fn a_walk_until_a_test_is_reached_keeps_what_the_whole_walk_says_of_it() {
        let graph = rates_and_users(true);
        let seeds = whole_class(&graph, "Rates");
        let whole = walk(&graph, &seeds);
        assert!(
            whole.tests.contains_key("apexclass:invoicestest"),
            "{whole:?}"
        );
        let wanted = BTreeSet::from([test_index(&graph, "RatesTest")]);
        let stopped = walk_until_reached(&graph, &seeds, &wanted).reach(|_| true);
        let own = &stopped.tests["apexclass:ratestest"];
        assert_eq!(own.methods, ["daily", "weekly"]);
        assert_eq!(own, &whole.tests["apexclass:ratestest"]);
        assert!(
            !stopped.tests.contains_key("apexclass:invoicestest"),
            "the walk went on after it had all of RatesTest: {stopped:?}"
        );
    }

    /// The walk reads the same users whether it follows the graph's edges or the rows
    /// `index_users` lays out, and an edge added after the rows (recorded coverage) is
    /// walked too.
    #[test]
    fn a_walk_over_rows_of_users_is_the_walk_over_edges() {
        let mut graph = rates_and_users(true);
        let seeds = whole_class(&graph, "Rates");
        let over_edges = walk(&graph, &seeds);
        graph.index_users();
        assert_eq!(walk(&graph, &seeds).tests, over_edges.tests);
        assert_eq!(tests_reached(&graph, &seeds).len(), over_edges.tests.len());
        let rates = ComponentId::new(types::APEX_CLASS, "Rates");
        let audit = ComponentId::new(types::APEX_CLASS, "AuditTest");
        assert!(!over_edges.tests.contains_key(audit.key()));
        assert!(graph.add_coverage_edge(&rates, &audit, "recorded coverage"));
        assert!(walk(&graph, &seeds).tests.contains_key(audit.key()));
    }

    /// A walk read test by test (`Walked`) says of each test what the whole walk says,
    /// and explains only the tests asked for.
    #[test]
    fn a_walk_read_test_by_test_is_the_whole_walk() {
        let graph = rates_and_users(true);
        let seeds = whole_class(&graph, "Rates");
        let whole = walk(&graph, &seeds);
        // Wanting no test, the walk never stops.
        let walked = walk_until_reached(&graph, &seeds, &BTreeSet::new());
        let tests: Vec<NodeIx> = walked.tests().collect();
        assert_eq!(tests.len(), whole.tests.len());
        assert!(tests.len() >= 2, "{whole:?}");
        for &test in &tests {
            let key = graph[test].id.key();
            assert_eq!(walked.distance(test), Some(whole.tests[key].distance));
            let one = walked.reach(|other| other == test);
            assert_eq!(one.tests.len(), 1);
            assert_eq!(one.tests[key], whole.tests[key]);
        }
        assert_ne!(
            walked.distance(tests[0]),
            walked.distance(tests[1]),
            "the fixture has tests at two distances"
        );
        assert_eq!(walked.reach(|_| true).tests, whole.tests);
    }

    /// A walk until any wanted test stops at the first one it reaches, before the farther
    /// ones; wanting none, it is the whole walk.
    #[test]
    fn a_walk_until_any_wanted_test_stops_at_the_first() {
        let graph = rates_and_users(true);
        let seeds = whole_class(&graph, "Rates");
        let whole = walk(&graph, &seeds);
        let own = test_index(&graph, "RatesTest");
        let far = test_index(&graph, "InvoicesTest");
        let stopped = walk_until_any(&graph, &seeds, |test| test == own);
        assert!(stopped.tests().any(|test| test == own));
        assert!(
            !stopped.tests().any(|test| test == far),
            "went on past RatesTest"
        );
        let never = walk_until_any(&graph, &seeds, |_| false);
        assert_eq!(never.reach(|_| true).tests, whole.tests);
    }

    /// When the wanted test is reached only in part (one of its methods never calls the
    /// class), the walk cannot know it has all of it, so it does not stop: it is the
    /// whole walk.
    #[test]
    fn a_walk_until_a_test_is_reached_that_never_settles_is_the_whole_walk() {
        let graph = rates_and_users(false);
        let seeds = whole_class(&graph, "Rates");
        let wanted = BTreeSet::from([test_index(&graph, "RatesTest")]);
        let stopped = walk_until_reached(&graph, &seeds, &wanted).reach(|_| true);
        let whole = walk(&graph, &seeds);
        assert_eq!(stopped.tests["apexclass:ratestest"].methods, ["weekly"]);
        assert_eq!(
            stopped.tests.keys().collect::<Vec<_>>(),
            whole.tests.keys().collect::<Vec<_>>()
        );
        assert_eq!(stopped.tests, whole.tests);
    }
}
