//! Handlers that configuration records register for objects, the way trigger
//! frameworks configure them, and the hooks of frameworks the repository does not hold.
//!
//! A record's string values ([`Target::Registration`]: a custom metadata record, an
//! SObject constructor's fields) register each Apex class (or flow) they name for each
//! object they name. A value that names none of those may name another custom metadata
//! record, whose values name the object: the Trigger Actions Framework's
//! `Trigger_Action__mdt` record names its `sObject_Trigger_Setting__mdt` record
//! (`Park_Tour`), and that one the object (`Object_API_Name__c = Park_Tour__c`).
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
        for (record, values) in pending {
            self.register(record, &values, &records);
        }
    }

    /// Records a configuration record's strings: each Apex class or flow it names is
    /// registered for each object it names, directly or through a custom metadata record
    /// it names; `record` is the custom metadata record holding them, if one does.
    fn register(&mut self, record: Option<NodeIx>, values: &[String], records: &MetadataRecords) {
        // A record names top-level classes: no class is the context.
        let no_context = ComponentId::new(types::CUSTOM_METADATA, "");
        let mut handlers = Vec::new();
        let mut objects = Vec::new();
        for value in values {
            let value = value.trim();
            if let Some(class) = self.resolve_class(value, &no_context) {
                handlers.push(class);
            } else if let Some(object) = self.node(&sobject::id(value)) {
                objects.push(object);
            } else if let Some(flow) = self.node_with_file(&ComponentId::new(types::FLOW, value)) {
                handlers.push(flow);
            } else {
                let named = records.values_of(value);
                objects.extend(
                    named
                        .iter()
                        .filter_map(|name| self.node(&sobject::id(name))),
                );
            }
        }
        for handler in handlers {
            if let (Some(record), false) = (record, objects.is_empty()) {
                self.registered_by.entry(handler).or_default().push(record);
            }
            self.registrations
                .entry(handler)
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
    ///   objects are the ones records register it for, else the ones the class header
    ///   and its hooks name (`beforeDelete(List<Lead> leads)`; its records may live in
    ///   the org only).
    ///
    /// A flow a record registers for an object (the Trigger Actions Framework runs an
    /// autolaunched flow as an action, `TriggerActionFlow` with `Flow_Name__c`) is that
    /// object's automation too, on every event: its name tells none.
    pub(super) fn fire_registered_hooks(&mut self) {
        let mut fired = self.overrides_fired();
        fired.extend(self.interface_hooks_fired());
        fired.sort_unstable();
        fired.dedup();
        let mut hooks: Vec<NodeIx> = Vec::with_capacity(fired.len());
        for (object, hook) in fired {
            self[hook].platform_entry = true;
            let at = self.declared_at(hook);
            let events = DmlEvents::of_hook(self[hook].id.last_name());
            self.add_edge_with_events(object, hook, EdgeKind::Fires, at, events);
            hooks.push(hook);
        }
        for (object, flow) in self.flows_fired() {
            let at = self.declared_at(flow);
            self.add_edge_with_events(object, flow, EdgeKind::Fires, at, DmlEvents::ALL);
            hooks.push(flow);
        }
        self.note_registering_records(hooks);
    }

    /// Notes, for each custom metadata record registering a class (or flow) whose hooks
    /// fire, those hooks ([`Graph::registered_hooks`]): the framework runs them because
    /// the record says so.
    fn note_registering_records(&mut self, mut hooks: Vec<NodeIx>) {
        if self.registered_by.is_empty() {
            return;
        }
        hooks.sort_unstable();
        hooks.dedup();
        let registered_by = std::mem::take(&mut self.registered_by);
        for hook in hooks {
            let handler = match self[hook].id.is_type(types::FLOW) {
                true => Some(hook),
                false => self[hook]
                    .parent
                    .as_ref()
                    .and_then(|class| self.node(class)),
            };
            let Some(handler) = handler else {
                continue;
            };
            for &record in registered_by.get(&handler).into_iter().flatten() {
                self.record_hooks.entry(record).or_default().push(hook);
            }
        }
    }

    /// The hooks (and flows) the custom metadata record `record` registers for objects
    /// under a framework the repository does not hold. A change to the record
    /// (deactivating it, another event or object) changes what runs when those objects
    /// are saved, as a change to the hooks does: the walk starts from them too
    /// (`impact::walk_changes`). Before, such a record reached no test (NAV's
    /// `MyTriggerSetting` records: 92 in three repositories). Not an edge: an edge from
    /// each hook to its record would also lead a change to one hook, through the
    /// record's string naming the class, to every other hook of the class.
    pub fn registered_hooks(&self, record: &ComponentId) -> &[NodeIx] {
        self.node(record)
            .and_then(|record| self.record_hooks.get(&record))
            .map_or(&[], Vec::as_slice)
    }

    /// (object, flow) for each flow a record registers for an object, in order.
    fn flows_fired(&self) -> Vec<(NodeIx, NodeIx)> {
        let mut fired: Vec<(NodeIx, NodeIx)> = self
            .registrations
            .iter()
            .filter(|(&handler, _)| self[handler].id.is_type(types::FLOW))
            .flat_map(|(&flow, objects)| objects.iter().map(move |&object| (object, flow)))
            .collect();
        fired.sort_unstable();
        fired
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
        let mut classes = self.interface_classes.clone();
        classes.sort_unstable();
        classes.dedup();
        for class in classes {
            let registered = self.registrations.get(&class);
            let mut hooks: Vec<NodeIx> = TRIGGER_HOOKS
                .iter()
                .filter_map(|name| self.member(class, name))
                .collect();
            if hooks.is_empty() && registered.is_some() {
                // A class the platform runs (a batch, a queueable: its `execute` is an
                // entry point) that a record names is no framework's hook: an error log
                // or a schedule holds its name (STASCO's `Apex_Class__c`).
                let methods = self.methods_of(class);
                if !methods.iter().any(|&method| self[method].platform_entry) {
                    hooks = methods;
                }
            }
            if hooks.is_empty() {
                continue;
            }
            hooks.sort_unstable();
            hooks.dedup();
            let objects = match registered {
                Some(objects) if !objects.is_empty() => objects.clone(),
                _ => self.objects_named_in(std::iter::once(class).chain(hooks.iter().copied())),
            };
            for object in objects {
                fired.extend(hooks.iter().map(|&hook| (object, hook)));
            }
        }
        fired
    }

    /// The methods `class` declares, in node order. Reads every member of the revision:
    /// asked only of a registered class that has no method named as a hook.
    fn methods_of(&self, class: NodeIx) -> Vec<NodeIx> {
        let mut methods: Vec<NodeIx> = self
            .members
            .iter()
            .filter(|(key, &member)| key.class == class && self[member].kind == DeclKind::Method)
            .map(|(_, &member)| member)
            .collect();
        methods.sort_unstable();
        methods
    }
}

/// The names of a trigger framework's hooks, folded as members are looked up: `before`
/// or `after` and an event, maybe after `on` or `handle` (`beforeInsert`,
/// `onAfterUndelete`).
static TRIGGER_HOOKS: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
    let mut names = Vec::new();
    for prefix in ["", "on", "handle"] {
        for timing in ["before", "after"] {
            for event in ["insert", "update", "delete", "undelete"] {
                names.push(format!("{prefix}{timing}{event}"));
            }
        }
    }
    names
});

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
        let names: Vec<&str> = TRIGGER_HOOKS.iter().map(String::as_str).collect();
        for hook in [
            "beforeinsert",
            "afterundelete",
            "onbeforeupdate",
            "handleafterdelete",
        ] {
            assert!(names.contains(&hook), "{hook}");
        }
        assert_eq!(names.len(), 24);
        assert!(names.iter().all(|name| name.to_lowercase() == *name));
    }
}
