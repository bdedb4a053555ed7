//! Helpers shared by the fuzz targets.

use impact::facts::Facts;
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
