//! Handlers that configuration records register for objects, the way trigger
//! frameworks configure them, and the hooks of frameworks the repository does not hold.
//!
//! A record's string values ([`Target::Registration`]: a custom metadata record, an
//! SObject constructor's fields) register each Apex class they name for each object
//! they name. A value that names neither may name another custom metadata record, whose
//! values name the object: the Trigger Actions Framework's `Trigger_Action__mdt` record
//! names its `sObject_Trigger_Setting__mdt` record (`Park_Tour`), and that one the
//! object (`Object_API_Name__c = Park_Tour__c`).
//!
//! The walk uses the registrations at the triggers of a framework the repository holds
//! (`impact::Dispatch`). A framework installed as a package calls its handlers from code
//! the repository cannot show, so here the handlers' hooks become automation of the
//! objects they are registered for (`fires` edges).

use super::*;
use crate::metadata::sobject;

impl Graph {
    /// Records every configuration record's strings the uses found ([`Graph::register`]),
    /// reading the custom metadata records among `files` when a value names one.
    pub(super) fn register_all(&mut self, files: &[&FileFacts]) {
        let pending = std::mem::take(&mut self.pending_registrations);
        if pending.is_empty() {
            return;
        }
        let records = MetadataRecords::new(files);
        for values in pending {
            self.register(&values, &records);
        }
    }

    /// Records a configuration record's strings: each Apex class it names is registered
    /// for each object it names, directly or through a custom metadata record it names.
    fn register(&mut self, values: &[String], records: &MetadataRecords) {
        // A record names top-level classes: no class is the context.
        let no_context = ComponentId::new(types::CUSTOM_METADATA, "");
        let mut classes = Vec::new();
        let mut objects = Vec::new();
        for value in values {
            let value = value.trim();
            if let Some(class) = self.resolve_class(value, &no_context) {
                classes.push(class);
            } else if let Some(object) = self.node(&sobject::id(value)) {
                objects.push(object);
            } else {
                let named = records.values_of(value);
                objects.extend(
                    named
                        .iter()
                        .filter_map(|name| self.node(&sobject::id(name))),
                );
            }
        }
        for class in classes {
            self.registrations
                .entry(class)
                .or_default()
                .extend(objects.iter().copied());
        }
    }

    /// The hooks of handlers whose framework the repository does not hold, which that
    /// framework's trigger on each of their objects runs: each hook is automation of
    /// those objects, on the events its name ends with (`onAfterUpdate`; every event for
    /// another name: the records spell events each framework its own way). A framework
    /// the repository holds dispatches through the class hierarchy instead
    /// (`impact::Dispatch`). The hooks are
    /// - the `override` methods of a class built on an undeclared base
    ///   ([`Graph::mark_framework_hooks`]) that a record registers for objects (NAV's
    ///   packaged `MyTriggers`);
    /// - the methods of a class implementing an undeclared interface, named as a trigger
    ///   hook (`beforeInsert`, `onAfterUpdate`: the Trigger Actions Framework installed as
    ///   a package), or, when none is and a record registers the class, all of them. Its
    ///   objects are the ones records register it for, else the ones it names itself
    ///   (its records may live in the org only).
    pub(super) fn fire_registered_hooks(&mut self) {
        let mut fired = self.overrides_fired();
        fired.extend(self.interface_hooks_fired());
        fired.sort_unstable();
        fired.dedup();
        for (object, hook) in fired {
            self[hook].platform_entry = true;
            let at = self.declared_at(hook);
            let events = DmlEvents::of_hook(self[hook].id.last_name());
            self.add_edge_with_events(object, hook, EdgeKind::Fires, at, events);
        }
    }

    /// (object, hook) for each `override` hook of a registered class.
    fn overrides_fired(&self) -> Vec<(NodeIx, NodeIx)> {
        if self.registrations.is_empty() {
            return Vec::new();
        }
        let mut fired = Vec::new();
        for (hook, node) in self.nodes() {
            let class = node.parent.as_ref().filter(|_| node.platform_entry);
            let Some(objects) = class
                .and_then(|class| self.node(class))
                .and_then(|class| self.registrations.get(&class))
            else {
                continue;
            };
            fired.extend(objects.iter().map(|&object| (object, hook)));
        }
        fired
    }

    /// (object, hook) for the hooks of classes on undeclared interfaces.
    fn interface_hooks_fired(&self) -> Vec<(NodeIx, NodeIx)> {
        let mut fired = Vec::new();
        // A class's methods, inner classes' between them, together (in order).
        let mut by_class = self.interface_methods.clone();
        by_class.sort_by_key(|&(class, _)| class);
        for methods in by_class.chunk_by(|a, b| a.0 == b.0) {
            let class = methods[0].0;
            let methods = methods.iter().map(|&(_, method)| method);
            let named: Vec<NodeIx> = methods
                .clone()
                .filter(|&method| is_trigger_hook(self[method].id.last_name()))
                .collect();
            let registered = self.registrations.contains_key(&class);
            let hooks: Vec<NodeIx> = match (named.is_empty(), registered) {
                (false, _) => named,
                (true, true) => methods.clone().collect(),
                (true, false) => continue,
            };
            let objects = match self.registrations.get(&class) {
                Some(objects) if !objects.is_empty() => objects.clone(),
                _ => self.objects_named_in(std::iter::once(class).chain(methods)),
            };
            for object in objects {
                fired.extend(hooks.iter().map(|&hook| (object, hook)));
            }
        }
        fired
    }
}

/// Whether a method's name is a trigger framework's hook: `before` or `after` and an
/// event, maybe after `on` or `handle` (`beforeInsert`, `onAfterUndelete`).
fn is_trigger_hook(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let name = ["on", "handle"]
        .iter()
        .find_map(|prefix| name.strip_prefix(prefix))
        .unwrap_or(&name);
    let Some(event) = ["before", "after"]
        .iter()
        .find_map(|timing| name.strip_prefix(timing))
    else {
        return false;
    };
    matches!(event, "insert" | "update" | "delete" | "undelete")
}

/// The custom metadata records of a revision, by record name (folded), indexed the
/// first time a registration names one: most revisions' registrations name classes
/// and objects only.
struct MetadataRecords<'f> {
    files: &'f [&'f FileFacts],
    by_name: std::cell::OnceCell<HashMap<String, Vec<&'f FileFacts>>>,
}

impl<'f> MetadataRecords<'f> {
    fn new(files: &'f [&'f FileFacts]) -> MetadataRecords<'f> {
        MetadataRecords {
            files,
            by_name: std::cell::OnceCell::new(),
        }
    }

    /// The string values of the records named `name` (`Park_Tour` of
    /// `sObject_Trigger_Setting.Park_Tour`), of any type, in file order.
    fn values_of(&self, name: &str) -> Vec<String> {
        let by_name = self.by_name.get_or_init(|| {
            let mut by_name: HashMap<String, Vec<&FileFacts>> = HashMap::default();
            for file in self.files {
                if !file.component.is_type(types::CUSTOM_METADATA) {
                    continue;
                }
                if let Some((_, record)) = file.component.full_name().split_once('.') {
                    by_name.entry(record.to_lowercase()).or_default().push(file);
                }
            }
            by_name
        });
        let Some(files) = by_name.get(&name.to_lowercase()) else {
            return Vec::new();
        };
        let mut values = Vec::new();
        for file in files {
            // Undecodable uses name nothing here; the file is parsed again for its edges.
            let Some(uses) = file.facts.uses() else {
                continue;
            };
            values.extend(uses.iter().filter_map(|use_| match &use_.target {
                Target::StringLiteral(text) => Some(text.to_string()),
                _ => None,
            }));
        }
        values
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trigger_hooks_name_is_a_timing_and_an_event() {
        for hook in [
            "beforeInsert",
            "AfterUndelete",
            "onBeforeUpdate",
            "handleAfterDelete",
        ] {
            assert!(is_trigger_hook(hook), "{hook}");
        }
        for other in [
            "execute",
            "insertAll",
            "afterSave",
            "onUpdate",
            "beforeInsertAll",
        ] {
            assert!(!is_trigger_hook(other), "{other}");
        }
    }
}
