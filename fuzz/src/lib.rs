//! Helpers shared by the fuzz targets.

use impact::facts::{Facts, FileFacts};
use impact::graph::{Graph, Resolutions};
use impact::metadata::component::ComponentId;
use impact::parse::parse_file;

/// Parses `content` as the file `path` of the component `(type_name, name)` twice and
/// checks that both parses give the same facts: facts are cached by content, so they
/// must depend on nothing else.
pub fn parse_deterministic(type_name: &str, name: &str, path: &str, content: &[u8]) -> Facts {
    let component = ComponentId::new(type_name, name);
    let first = parse_file(&component, path, content);
    let second = parse_file(&component, path, content);
    // A parse given up at its time limit reads as unparsed; where the limit falls varies
    // a little with the CPU (an AddressSanitizer build comes near it on some inputs), so
    // a pair where either gave up is not compared.
    if !impact::parse::gave_up(&first) && !impact::parse::gave_up(&second) {
        assert_eq!(first, second, "{path}: two parses of the same bytes differ");
    }
    first
}

/// Builds the graph of `first` and of `second`, the same files under paths that sort
/// differently, and checks that both resolve alike: the same nodes and the same edges
/// (their kind, events, receiver and whether they are on `this`; not their location,
/// which is the first of the uses an edge stands for). Building never fails on any
/// facts, and resolving a name never depends on which file was read first.
pub fn build_graphs_alike(first: &[FileFacts], second: &[FileFacts]) {
    assert_eq!(
        describe(&Graph::build(first)),
        describe(&Graph::build(second)),
        "the graph depends on the order of its files"
    );
    rebuild_alike(first);
}

/// Builds the graph of `files` keeping its resolutions, then again from those
/// resolutions written and read back (`Resolutions`), and checks that the second build
/// reused every file's and is the first to the byte: node for node and edge for edge,
/// in order, with their locations. Then once more reading them as the other graph's
/// records (`Resolutions::or_from`), behind a file of other declarations.
fn rebuild_alike(files: &[FileFacts]) {
    // An empty kept file rather than none: a first build lists no declarations, and the
    // build after it would write its file again listing them.
    let mut kept = Resolutions::<&[u8], Vec<u8>>::new(Some(&[]), Some(Vec::new()));
    let built = Graph::build_reusing(files, Some(&mut kept), None).dump();
    let (first, bytes) = kept.finish();
    let bytes = bytes.expect("written");
    let mut loaded = Resolutions::new(Some(bytes.as_slice()), Some(Vec::new()));
    let rebuilt = Graph::build_reusing(files, Some(&mut loaded), None).dump();
    let (second, rewritten) = loaded.finish();
    assert_eq!(
        built, rebuilt,
        "a graph built from kept resolutions differs"
    );
    assert_eq!(second.damaged, 0, "kept resolutions do not read back");
    assert_eq!(
        (second.resolved, second.reused),
        (0, first.resolved),
        "not reused"
    );
    assert!(
        !second.changed && rewritten.as_ref() == Some(&bytes),
        "written differently"
    );
    if files.is_empty() {
        return;
    }
    let mut none = Resolutions::<&[u8], Vec<u8>>::new(None, Some(Vec::new()));
    Graph::build_reusing(&[] as &[FileFacts], Some(&mut none), None);
    let other = none.finish().1.expect("written");
    let mut alternate =
        Resolutions::new(Some(other.as_slice()), Some(Vec::new())).or_from(Some(bytes.as_slice()));
    let third = Graph::build_reusing(files, Some(&mut alternate), None).dump();
    let (outcome, written) = alternate.finish();
    assert_eq!(
        built, third,
        "a graph built from the other graph's records differs"
    );
    assert_eq!(
        (outcome.resolved, outcome.reused),
        (0, first.resolved),
        "not reused"
    );
    assert!(
        outcome.changed && written == Some(bytes),
        "not rewritten with them"
    );
}

/// Builds each revision in turn from the resolutions the build before kept (a file of
/// one path is the same file in every revision): each graph must be the one built anew,
/// whatever declarations came or went, and no record may read as damaged.
pub fn rebuild_across(revisions: &[&[FileFacts]]) {
    // An empty kept file rather than none: a first build lists no declarations.
    let mut bytes: Option<Vec<u8>> = Some(Vec::new());
    for files in revisions {
        let mut kept = Resolutions::<&[u8], Vec<u8>>::new(bytes.as_deref(), Some(Vec::new()));
        let rebuilt = Graph::build_reusing(files.iter(), Some(&mut kept), None).dump();
        let (outcome, written) = kept.finish();
        assert_eq!(
            rebuilt,
            Graph::build(*files).dump(),
            "a graph built from the records of other declarations differs"
        );
        assert_eq!(outcome.damaged, 0, "kept resolutions read as damaged");
        bytes = written;
    }
}

/// Every node and edge of a graph by component id, sorted.
fn describe(graph: &Graph) -> Vec<String> {
    let mut lines: Vec<String> = graph
        .nodes()
        .map(|(_, node)| node.id.key().to_string())
        .collect();
    for (ix, _) in graph.nodes() {
        for link in graph.outgoing(ix) {
            let receiver = link
                .edge
                .receiver
                .map(|class| graph[class].id.key().to_string());
            lines.push(format!(
                "{} -> {} {:?} {:?} {receiver:?} {}",
                graph[link.from].id.key(),
                graph[link.to].id.key(),
                link.edge.kind,
                link.edge.events,
                link.edge.on_this
            ));
        }
    }
    lines.sort();
    lines
}
