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
    /// components (see [`Granularity::Class`]). It consumes the graph: once the folded
    /// nodes exist, what the edges do not need (the nodes' data, the indexes by id and
    /// by name, 150 bytes a node and more) is freed before the folded edges are added,
    /// so the two graphs are not both whole at once (with both, the fold took a cold
    /// 10,000-class plan 27–28 MB over its graph stage; 7–15 MB now).
    fn collapse(mut self) -> Graph {
        // The edges keep where they were found: the same places, at the same positions.
        let mut collapsed = Graph {
            places: std::mem::take(&mut self.places),
            place_index: std::mem::take(&mut self.place_index),
            ..Graph::default()
        };
        let mut owner_of: Vec<NodeIx> = Vec::with_capacity(self.node_count());
        // Test classes lose their test methods in the fold; they stay tests.
        let mut tests = Vec::new();
        // Classes lose their members in the fold: which of them held executable code is
        // kept, for a deployed class needs a covering test whatever granularity plans it
        // (`deployed::deployed_apex`).
        let mut folded_code = HashSet::default();
        for index in self.node_ixs() {
            let owner_id = self.owner(index);
            let owner = match collapsed.index.get(owner_id.key()) {
                Some(&existing) => existing,
                None => {
                    let original = self.node(&owner_id).unwrap_or(index);
                    let mut node = self[original].clone();
                    node.parent = None;
                    node.superclass = None;
                    let has_code = self.has_executable_code(original);
                    let new_index = collapsed.add_node(node);
                    if has_code {
                        folded_code.insert(new_index);
                    }
                    collapsed.index.insert(owner_id, new_index);
                    new_index
                }
            };
            if self[index].has_problems {
                collapsed[owner].has_problems = true;
            }
            if self.test_owner(index) == Some(index) {
                tests.push(owner);
            }
            owner_of.push(owner);
        }
        collapsed.n_unresolved_calls = self.n_unresolved_calls;
        collapsed.folded_code = Some(folded_code);
        let edges = std::mem::take(&mut self.graph);
        drop(self);
        for edge in edges.raw_edges() {
            let (from, to) = (
                owner_of[edge.source().index()],
                owner_of[edge.target().index()],
            );
            let weight = &edge.weight;
            if from != to && weight.kind != EdgeKind::MemberOf {
                collapsed.add_edge(from, to, weight.kind, weight.at);
            }
        }
        drop(edges);
        collapsed.index_tests();
        for owner in tests {
            if let Some(slot) = collapsed.test_owners.get_mut(owner.ix()) {
                *slot = Some(owner);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::apex_file_at as apex;
    use std::collections::BTreeSet;

    /// Folded to classes, a graph has a node per top-level component, each edge between
    /// two of them that some member's edge gave (the edges `impact graph` lists of the
    /// member graph, none to itself, no member-of), a test class that stays a test
    /// though its test methods fold into it, a class with a problem in any member, and
    /// seeds moved to the classes that own them.
    #[test]
    fn a_graph_folded_to_classes_has_its_classes_and_their_edges() {
        let files = [
            apex(
                "a/Service.cls",
                "Service",
                "public class Service {\n\
                 public static Integer total() { return Helper.add(1, 2); }\n\
                 public static Integer twice() { return total() * 2; }\n\
                 public class Part { public Integer size() { return Helper.add(3, 4); } }\n}\n",
            ),
            apex(
                "a/Helper.cls",
                "Helper",
                "public class Helper {\n\
                 public static Integer add(Integer a, Integer b) { return a + b; }\n}\n",
            ),
            apex(
                "a/ServiceTest.cls",
                "ServiceTest",
                "@IsTest\nprivate class ServiceTest {\n\
                 @IsTest static void totals() { System.assertEquals(6, Service.twice()); }\n\
                 @IsTest static void parts() { System.assertEquals(7, new Service.Part().size()); }\n}\n",
            ),
            apex(
                "a/LegacyTest.cls",
                "LegacyTest",
                "public class LegacyTest {\n\
                 static testMethod void adds() { System.assertEquals(3, Helper.add(1, 2)); }\n}\n",
            ),
            apex("a/Broken.cls", "Broken", "public class Broken { void go( }"),
        ];
        let graph = Graph::build(&files);
        let expected: BTreeSet<(ComponentId, ComponentId, EdgeKind)> = graph
            .component_edges()
            .into_iter()
            .map(|edge| (edge.from, edge.to, edge.kind))
            .collect();
        assert!(!expected.is_empty());
        let member = ComponentId::member("Service", "twice");
        let mut seeds = vec![member.clone(), ComponentId::member("Service", "Part.size")];
        assert!(graph.node(&member).is_some());

        let folded = graph.fold_to_classes(std::iter::once(&mut seeds));

        let class = |name: &str| ComponentId::new(types::APEX_CLASS, name);
        assert_eq!(seeds, vec![class("Service")]);
        let nodes: BTreeSet<ComponentId> =
            folded.node_ixs().map(|ix| folded[ix].id.clone()).collect();
        let classes: BTreeSet<ComponentId> =
            ["Broken", "Helper", "LegacyTest", "Service", "ServiceTest"]
                .into_iter()
                .map(class)
                .collect();
        assert!(classes.is_subset(&nodes), "{nodes:?}");
        assert!(nodes.iter().all(|id| !id.is_member()), "{nodes:?}");
        let edges: BTreeSet<(ComponentId, ComponentId, EdgeKind)> = folded
            .edges()
            .map(|link| {
                let (from, to) = (&folded[link.from].id, &folded[link.to].id);
                (from.clone(), to.clone(), link.edge.kind)
            })
            .collect();
        assert_eq!(edges, expected);
        assert!(edges
            .iter()
            .any(|(from, to, _)| *from == class("ServiceTest") && *to == class("Service")));
        for name in ["ServiceTest", "LegacyTest"] {
            let test = folded.node(&class(name)).expect("the test class");
            assert_eq!(folded.test_owner(test), Some(test), "{name}");
        }
        let service = folded.node(&class("Service")).expect("the class");
        assert_eq!(folded.test_owner(service), None);
        let broken = folded.node(&class("Broken")).expect("the broken class");
        assert!(folded[broken].has_problems);
        assert!(!folded[service].has_problems);
    }
}
