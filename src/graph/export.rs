//! The graph in other shapes: folded to component edges (`impact graph`), or
//! collapsed to class granularity.

use super::*;

/// An edge between components, members folded into their classes (for `impact graph`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ComponentEdge {
    pub from: ComponentId,
    pub to: ComponentId,
    pub kind: EdgeKind,
    pub at: String,
}

impl Graph {
    /// Every edge folded to components, without self-loops and member-of edges, sorted
    /// and deduplicated by (from, to, kind).
    pub fn component_edges(&self) -> Vec<ComponentEdge> {
        let mut edges: Vec<ComponentEdge> = self
            .edges()
            .filter_map(|link| {
                let (from, to, weight) = (link.from, link.to, link.edge);
                if weight.kind == EdgeKind::MemberOf {
                    return None;
                }
                let (from, to) = (self.owner(from), self.owner(to));
                (from != to).then(|| ComponentEdge {
                    from,
                    to,
                    kind: weight.kind,
                    at: self.show_at(weight.at).to_string(),
                })
            })
            .collect();
        edges.sort();
        edges.dedup_by(|a, b| a.from == b.from && a.to == b.to && a.kind == b.kind);
        edges
    }

    /// The same graph with members and inner classes folded into their top-level
    /// components (see [`Granularity::Class`]).
    pub fn collapse(&self) -> Graph {
        // The edges keep where they were found: the same places, at the same positions.
        let mut collapsed = Graph {
            places: self.places.clone(),
            place_index: self.place_index.clone(),
            ..Graph::default()
        };
        let mut owner_of: Vec<NodeIx> = Vec::with_capacity(self.node_count());
        for index in self.node_ixs() {
            let owner_id = self.owner(index);
            let owner = match collapsed.index.get(owner_id.key()) {
                Some(&existing) => existing,
                None => {
                    let original = self.node(&owner_id).unwrap_or(index);
                    let mut node = self[original].clone();
                    node.parent = None;
                    node.superclass = None;
                    let new_index = collapsed.add_node(node);
                    collapsed.index.insert(owner_id, new_index);
                    new_index
                }
            };
            if self[index].has_problems {
                collapsed[owner].has_problems = true;
            }
            owner_of.push(owner);
        }
        for link in self.edges() {
            let (from, to) = (owner_of[link.from.ix()], owner_of[link.to.ix()]);
            let weight = link.edge;
            if from != to && weight.kind != EdgeKind::MemberOf {
                collapsed.add_edge(from, to, weight.kind, weight.at);
            }
        }
        collapsed.n_unresolved_calls = self.n_unresolved_calls;
        collapsed.index_tests();
        // Test classes lost their test methods in the fold; they stay tests.
        for index in self.node_ixs() {
            if self.test_owner(index) == Some(index) {
                let owner = owner_of[index.ix()];
                if let Some(slot) = collapsed.test_owners.get_mut(owner.ix()) {
                    *slot = Some(owner);
                }
            }
        }
        collapsed
    }

    /// Folds the graph to class granularity ([`Granularity::Class`]), and each list of
    /// seeds on this graph's revision to the classes that own them.
    pub fn fold_to_classes<'a>(
        self,
        seed_lists: impl Iterator<Item = &'a mut Vec<ComponentId>>,
    ) -> Graph {
        for seeds in seed_lists {
            let owners: BTreeSet<ComponentId> = seeds
                .iter()
                .map(|seed| match self.node(seed) {
                    Some(index) => self.owner(index),
                    None => seed.clone(),
                })
                .collect();
            *seeds = owners.into_iter().collect();
        }
        self.collapse()
    }
}

/// How fine the graph's nodes are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Granularity {
    /// Apex members are nodes: a change to one method reaches only its callers.
    #[default]
    Member,
    /// Members and inner classes fold into their top-level class, as class-level tools
    /// work: safe, imprecise (kept to measure what member precision buys).
    Class,
}
