//! `impact graph`: the component graph, or the neighbourhood of one component, as
//! Graphviz dot, Mermaid or JSON. Members are folded into their classes so the picture
//! stays readable.

use crate::graph::ComponentEdge;
use crate::metadata::component::ComponentId;
use serde::Serialize;
use std::collections::{BTreeSet, VecDeque};
use std::fmt::Write;

/// Keeps the edges within `depth` hops of `focus` (both directions); all edges without
/// a focus.
pub fn neighbourhood(
    edges: &[ComponentEdge],
    focus: Option<&ComponentId>,
    depth: usize,
) -> Vec<ComponentEdge> {
    let Some(focus) = focus else {
        return edges.to_vec();
    };
    let mut seen: BTreeSet<ComponentId> = BTreeSet::new();
    let mut queue = VecDeque::new();
    seen.insert(focus.clone());
    queue.push_back((focus.clone(), 0usize));
    while let Some((node, distance)) = queue.pop_front() {
        if distance >= depth {
            continue;
        }
        for edge in edges {
            let next = if edge.from == node {
                &edge.to
            } else if edge.to == node {
                &edge.from
            } else {
                continue;
            };
            if seen.insert(next.clone()) {
                queue.push_back((next.clone(), distance + 1));
            }
        }
    }
    edges
        .iter()
        .filter(|edge| seen.contains(&edge.from) && seen.contains(&edge.to))
        .cloned()
        .collect()
}

/// Graphviz dot.
pub fn render_dot(edges: &[ComponentEdge]) -> String {
    let mut out = String::from(
        "digraph impact {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n",
    );
    for edge in edges {
        let _ = writeln!(
            out,
            "  \"{}\" -> \"{}\" [label=\"{}\"];",
            escape_dot(&edge.from.to_string()),
            escape_dot(&edge.to.to_string()),
            edge.kind.as_str()
        );
    }
    out.push_str("}\n");
    out
}

/// Mermaid `flowchart`, which GitHub renders.
pub fn render_mermaid(edges: &[ComponentEdge]) -> String {
    let nodes: BTreeSet<&ComponentId> = edges.iter().flat_map(|e| [&e.from, &e.to]).collect();
    let ids: Vec<&ComponentId> = nodes.into_iter().collect();
    let id_of = |node: &ComponentId| ids.iter().position(|n| *n == node).unwrap_or(0);
    let mut out = String::from("flowchart LR\n");
    for (position, node) in ids.iter().enumerate() {
        let _ = writeln!(
            out,
            "  n{position}[\"{}\"]",
            super::escape::mermaid(&node.to_string())
        );
    }
    for edge in edges {
        let _ = writeln!(
            out,
            "  n{} -->|{}| n{}",
            id_of(&edge.from),
            edge.kind.as_str(),
            id_of(&edge.to)
        );
    }
    out
}

#[derive(Serialize)]
struct JsonGraph<'a> {
    schema: &'static str,
    edges: Vec<JsonEdge<'a>>,
}

#[derive(Serialize)]
struct JsonEdge<'a> {
    from: String,
    to: String,
    kind: &'static str,
    at: &'a str,
}

/// JSON: `{"schema": "impact.graph/v1", "edges": [{from, to, kind, at}]}`.
pub fn render_json(edges: &[ComponentEdge]) -> String {
    let graph = JsonGraph {
        schema: "impact.graph/v1",
        edges: edges
            .iter()
            .map(|edge| JsonEdge {
                from: edge.from.to_string(),
                to: edge.to.to_string(),
                kind: edge.kind.as_str(),
                at: &edge.at,
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&graph).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}

fn escape_dot(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}
