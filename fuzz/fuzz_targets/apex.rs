//! Apex facts: the bytes as a class and as a trigger; then the graph of both with a
//! class that writes and names objects, that class read first and then last (resolution
//! of hostile facts does not depend on file order), and the graphs of the files coming
//! and going, each built from the resolutions the one before kept.
#![no_main]
use impact::facts::{Facts, FileFacts};
use impact::metadata::component::ComponentId;
use impact_fuzz::{build_graphs_alike, parse_deterministic, rebuild_across};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// A class that names objects and a label the fuzzed code may use, and calls it.
const NEIGHBOUR: &str = "public class Neighbour { public static void run() { \
    insert new Contact(); List<Account> rows = [SELECT Id FROM Account]; \
    String s = Label.Greeting; Fuzz.run(); } }";

fn file(type_name: &str, name: &str, path: &str, facts: &Facts) -> FileFacts {
    FileFacts {
        path: path.to_string(),
        blob: String::new(),
        component: ComponentId::new(type_name, name),
        facts: facts.clone(),
    }
}

fuzz_target!(|data: &[u8]| {
    let class_path = "force-app/main/default/classes/Fuzz.cls";
    let trigger_path = "force-app/main/default/triggers/FuzzTrigger.trigger";
    let class = parse_deterministic("ApexClass", "Fuzz", class_path, data);
    let trigger = parse_deterministic("ApexTrigger", "FuzzTrigger", trigger_path, data);
    // The same bytes every time: parsed once.
    static PARSED: OnceLock<Facts> = OnceLock::new();
    let neighbour = PARSED.get_or_init(|| {
        parse_deterministic(
            "ApexClass",
            "Neighbour",
            "a/Neighbour.cls",
            NEIGHBOUR.as_bytes(),
        )
    });
    let with_neighbour_at = |path: &str| {
        vec![
            file("ApexClass", "Fuzz", class_path, &class),
            file("ApexTrigger", "FuzzTrigger", trigger_path, &trigger),
            file("ApexClass", "Neighbour", path, neighbour),
        ]
    };
    build_graphs_alike(
        &with_neighbour_at("a/Neighbour.cls"),
        &with_neighbour_at("z/Neighbour.cls"),
    );
    // The fuzzed class and trigger come and go beside the class that calls them: the
    // records of each revision, resolved against other declarations, serve the next
    // only where they still hold.
    let with_both = with_neighbour_at("a/Neighbour.cls");
    let alone = [with_both[2].clone()];
    let with_class = [with_both[0].clone(), with_both[2].clone()];
    let with_trigger = [with_both[1].clone(), with_both[2].clone()];
    rebuild_across(&[&alone, &with_class, &with_both, &with_trigger, &alone]);
});
