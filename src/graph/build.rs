//! Building the graph of a revision: declarations become nodes, uses become edges
//! (resolved in [`super::resolve`]), and the edges that come from declarations rather
//! than uses (member-of, automation, test-for, implementations, named tests,
//! registrations, wildcard writes) are added after.

use super::names::*;
use super::resolve::{Found, Reached, Resolution};
use super::reuse::{self, FileResolutions, Resolutions};
use super::*;
use crate::apex_type::strip_generics;
use crate::metadata::sobject;
use rayon::prelude::*;

impl Graph {
    /// Builds the graph of a revision from the facts of all its source files.
    pub fn build<'a>(files: impl IntoIterator<Item = &'a FileFacts>) -> Graph {
        Graph::build_reusing::<&[u8], Vec<u8>>(files, None, None)
    }

    /// Builds the graph of a revision, taking the resolutions of files an earlier build
    /// resolved against the same declarations from `resolutions`, and keeping this
    /// build's there ([`Resolutions`]). `namespace` is the project's: its objects and
    /// fields are found by their prefixed names too ([`Graph::indexed`]).
    pub fn build_reusing<'a, R: std::io::Read + Send, W: std::io::Write + Send>(
        files: impl IntoIterator<Item = &'a FileFacts>,
        mut resolutions: Option<&mut Resolutions<R, W>>,
        namespace: Option<&str>,
    ) -> Graph {
        let mut graph = Graph {
            namespace: namespace.map(|namespace| format!("{}__", namespace.to_lowercase())),
            ..Graph::default()
        };
        let mut ordered: Vec<&FileFacts> = files.into_iter().collect();
        ordered.sort_by(|a, b| a.path.cmp(&b.path));
        // Room for every node and file up front: growing the node list and the maps
        // keyed by node doubled them many times over (a fifth of this pass's time on a
        // 10,000-class org).
        let declarations = ordered
            .iter()
            .map(|file| file.facts.declares.len().max(1))
            .sum();
        graph.reserve_declarations(declarations, ordered.len());
        // The node of each declaration (and of its parent, when declaring interned it),
        // in file order: the passes over declarations below read them here rather than
        // look each id up again (a lookup missed the cache on the id's key, half of
        // adding the structure).
        let mut declared = Vec::with_capacity(declarations);
        // Each file's part of the declarations' digest reads the facts alone: computed
        // on another core while this one declares (10,000 classes: the digest took 25 ms
        // after the declarations' 90, and is now done by the time they are).
        let digesting = resolutions.is_some();
        let mut supertyped = Vec::new();
        let ((), file_digests) = rayon::join(
            || {
                for (position, file) in ordered.iter().enumerate() {
                    let first = declared.len();
                    graph.declare_file(file, &mut declared);
                    supertyped.extend(Supertyped::of_file(file, position, first));
                }
            },
            || digesting.then(|| reuse::file_digests(&ordered)),
        );
        graph.resolve_hierarchy(&ordered, &declared, &supertyped);
        graph.mark_platform_entries(&ordered, &declared, &supertyped);
        graph.settle_parameters(&ordered, &declared);
        // Uses are resolved against the declarations and what the revision's uses name
        // (`Graph::known`), a batch of files at a time on every core, and added in file
        // order: the graph does not depend on the order files are resolved in.
        graph.n_declared = graph.node_count();
        graph.named = ordered
            .par_iter()
            .fold(
                || (HashSet::default(), HashSet::default()),
                |(mut named, mut seen), file| {
                    graph.names_named(file, &mut seen, &mut named);
                    (named, seen)
                },
            )
            .map(|(named, _)| named)
            .reduce(HashSet::default, |mut all, named| {
                all.extend(named);
                all
            });
        // Room for every edge up front: most come from uses (a use makes at most one
        // edge, usually fewer as repeats merge) and the rest from declarations. Grown by
        // doubling instead, the edge list's last copy held the old list and the new one
        // at once (43 MB of a 10,000-class plan's peak); room never written to is never
        // resident.
        let room: usize = ordered
            .iter()
            .map(|file| file.facts.use_count() + file.facts.declares.len())
            .sum();
        graph.graph.reserve_edges(room);
        if let (Some(resolutions), Some(digests)) = (resolutions.as_deref_mut(), file_digests) {
            resolutions.begin(&reuse::Declarations {
                files: &ordered,
                digest: reuse::declarations_digest(&digests, &graph.named, namespace),
                namespace,
                digests: &digests,
                named: reuse::named_table(&graph.named),
            });
        }
        // Only kept records name nodes by place (a build without them, `--no-cache`,
        // neither reads nor writes one).
        let places = match resolutions {
            Some(_) => reuse::Places::new(&ordered, &declared, graph.n_declared),
            None => reuse::Places::default(),
        };
        graph.add_all_uses(&ordered, &places, resolutions.as_deref_mut());
        if let Some(resolutions) = resolutions {
            resolutions.end();
        }
        graph.named = HashSet::default();
        graph.add_structure(&ordered, &declared);
        graph.link_record_type_lists();
        graph.add_initialized_fields();
        graph.register_all(&ordered);
        graph.fire_registered_hooks();
        graph.add_implementations();
        graph.mark_implicit_entries();
        graph.add_wildcard_writes();
        let parents = graph.declared_parents(&ordered, &declared);
        graph.index_tests_with(&parents);
        graph.add_named_tests();
        graph
    }

    /// Adds the uses of every file (in path order), each resolved against the graph of
    /// declarations or taken from the kept `resolutions`, which keep this build's.
    fn add_all_uses<R: std::io::Read + Send, W: std::io::Write + Send>(
        &mut self,
        ordered: &[&FileFacts],
        places: &reuse::Places,
        mut resolutions: Option<&mut Resolutions<R, W>>,
    ) {
        let keeping = resolutions.as_deref().is_some_and(Resolutions::keeps);
        // A file's uses are decoded (`Facts::uses`) once, with its batch; a file whose
        // resolutions were kept is added without decoding them. Adding a batch's uses is
        // one core's work, so the next batch's kept records are read meanwhile on the
        // others (they need no graph); files they do not serve are resolved once the
        // batch before is added, as one batch at a time did (10,000 classes, every
        // record kept: 134-146 ms became 103-112).
        let batches: Vec<&[&FileFacts]> = ordered.chunks(RESOLVE_BATCH).collect();
        let mut kept = match batches.first() {
            Some(batch) => read_kept_batch(batch, resolutions.as_deref_mut(), places),
            None => Vec::new(),
        };
        for (index, batch) in batches.iter().enumerate() {
            let graph: &Graph = self;
            let read: Vec<Option<FileResolutions>> = batch
                .par_iter()
                .zip(kept)
                .map(|(file, kept)| match kept {
                    Ok(read) => Some(read),
                    Err(not_kept) => reuse::resolve_fresh(graph, places, file, keeping, not_kept),
                })
                .collect();
            // Kept (written) in file order before the next batch's records are read.
            let resolved: Vec<Option<ResolvedUses>> = read
                .into_iter()
                .map(|read| {
                    read.map(|read| match resolutions.as_deref_mut() {
                        Some(resolutions) => resolutions.keep(read),
                        None => read.resolved,
                    })
                })
                .collect();
            let next = batches.get(index + 1);
            let resolutions = resolutions.as_deref_mut();
            // This thread adds; the reading is left for another to take. Taken the other
            // way round, this thread could wait for its batch to be added by a thread
            // that had first taken on other work (the other graph's, when two are built).
            ((), kept) = rayon::join(
                || {
                    for (file, resolved) in batch.iter().zip(resolved) {
                        match resolved {
                            Some(resolved) => self.add_uses(file, resolved),
                            None => self.undecodable.push(file.path.clone()),
                        }
                    }
                },
                || match next {
                    Some(batch) => read_kept_batch(batch, resolutions, places),
                    None => Vec::new(),
                },
            );
        }
    }

    /// Fills the children lists and the test owner of every node.
    pub(super) fn index_tests(&mut self) {
        // Each node's parent, looked up by id once: finding every node's top-level class
        // with `top_level` looked each parent up again (a lookup missed the cache on the
        // id's key).
        let parents: Vec<Option<NodeIx>> = self
            .node_ixs()
            .map(|index| self[index].parent.as_ref().and_then(|p| self.node(p)))
            .collect();
        self.index_tests_with(&parents);
    }

    /// The node of each node's parent ([`Node::parent`], as [`Graph::index_tests`] looks
    /// it up), from the declarations that set it: a member's parent is the node
    /// [`Graph::declare`] interned for it, so only other children look theirs up (at
    /// 10,000 classes, 120,000 of the 145,000 declarations are members, and each lookup
    /// by id missed the cache on the id's key).
    fn declared_parents(&self, files: &[&FileFacts], declared: &[Declared]) -> Vec<Option<NodeIx>> {
        let mut parents = vec![None; self.node_count()];
        let declarations = files.iter().flat_map(|file| &file.facts.declares);
        // In declaration order, as `declare` sets `Node::parent`: the last one wins.
        for (declaration, declared) in declarations.zip(declared) {
            if let Some(parent) = &declaration.parent {
                parents[declared.node.ix()] = declared.parent.or_else(|| self.node(parent));
            }
        }
        parents
    }

    /// [`Graph::index_tests`] with each node's parent given: the children, each node's
    /// top-level node ([`top_levels`]) and its test.
    fn index_tests_with(&mut self, parents: &[Option<NodeIx>]) {
        self.children = Children::new(parents);
        let tops = top_levels(parents);
        // The test of each top-level node, asked once per top-level node rather than once
        // per member (whether a class has test methods: a class of many members would make
        // it quadratic).
        let mut owners: Vec<Option<Option<NodeIx>>> = vec![None; self.node_count()];
        self.test_owners = tops
            .iter()
            .map(|&top| match owners.get_mut(top.ix()) {
                Some(Some(owner)) => *owner,
                Some(unknown) => *unknown.insert(self.test_owner_of(top)),
                None => self.test_owner_of(top),
            })
            .collect();
        self.tops = tops;
    }

    /// The test a node whose top-level node is `current` belongs to ([`Graph::test_owner`]).
    fn test_owner_of(&self, current: NodeIx) -> Option<NodeIx> {
        let top = &self[current];
        if top.id.is_type(types::APEX_CLASS) {
            // A test class is one that has test methods: an `@IsTest` helper (a test data
            // factory) runs no test of its own, though its callers reach through it.
            let has_tests = self
                .children_of(current)
                .iter()
                .any(|&child| self[child].test.as_ref().is_some_and(|mark| mark.method));
            return has_tests.then_some(current);
        }
        if top.test.is_some()
            && (top.id.is_type(types::FLOW_TEST) || top.id.is_type(types::LWC_JEST_TEST))
        {
            return Some(current);
        }
        None
    }

    /// Adds a `covered-by` edge from recorded coverage: `test_class` ran code of `class`
    /// (an Apex class or trigger). Both must already be nodes; returns whether an edge
    /// was added (false when a node is missing or the edge exists).
    pub fn add_coverage_edge(
        &mut self,
        class: &ComponentId,
        test_class: &ComponentId,
        at: &str,
    ) -> bool {
        let (Some(covered), Some(test)) = (self.node(class), self.node(test_class)) else {
            return false;
        };
        if covered == test || self.find_edge(test, covered, EdgeKind::CoveredBy).is_some() {
            return false;
        }
        // "A uses B" reads test → class, so the backwards walk goes class → test.
        let at = At::note(self.place(at));
        self.add_edge(test, covered, EdgeKind::CoveredBy, at);
        true
    }

    /// Declares the nodes of a file, adding the node of each of its declarations to
    /// `declared`.
    pub(super) fn declare_file(&mut self, file: &FileFacts, declared: &mut Vec<Declared>) {
        let has_problems = !file.facts.problems.is_empty();
        let place = self.place(&file.path);
        if file.facts.declares.is_empty() {
            let index = self.intern(&file.component, DeclKind::Component);
            self[index].file.get_or_insert(place);
        }
        // The file's last class and its node: the parent of the members that follow it,
        // found without a lookup by id (120,000 of them at 10,000 classes).
        let mut last_class: Option<(&ComponentId, NodeIx)> = None;
        for declaration in &file.facts.declares {
            let node = self.declare(declaration, place, last_class);
            if has_problems {
                self[node.node].has_problems = true;
            }
            if !declaration.id.is_member() {
                last_class = Some((&declaration.id, node.node));
            }
            declared.push(node);
        }
    }

    /// Declares a node of the file at `place` (its position among the graph's places).
    /// `last_class` is the file's class declared last and its node: a member's parent
    /// when the ids are equal, then not looked up by id.
    pub(super) fn declare(
        &mut self,
        declaration: &Declaration,
        place: u32,
        last_class: Option<(&ComponentId, NodeIx)>,
    ) -> Declared {
        let index = self.intern(&declaration.id, declaration.kind);
        let label = names::label_alias(declaration);
        for name in short_name(&declaration.id).into_iter().chain(label) {
            let list = self.short_names.entry(name.to_lowercase()).or_default();
            if !list.contains(&index) {
                list.push(index);
            }
        }
        if let Some(relationship) = names::child_relationship(declaration) {
            let child = declaration
                .id
                .full_name()
                .split('.')
                .next()
                .unwrap_or_default();
            let list = self.child_relationships.entry(relationship).or_default();
            if !list.iter().any(|known| known.eq_ignore_ascii_case(child)) {
                list.push(child.to_string());
            }
        }
        let node = &mut self[index];
        // A `.cls-meta.xml` declares its class as a plain component; the `.cls` knows
        // better, so a richer kind always wins.
        if node.kind == DeclKind::Component && declaration.kind != DeclKind::Component {
            node.kind = declaration.kind;
            node.line = declaration.lines.0;
            node.file = Some(place);
        } else if node.file.is_none() {
            node.line = declaration.lines.0;
            node.file = Some(place);
        }
        if declaration.parent.is_some() {
            node.parent = declaration.parent.clone();
        }
        if declaration.test.is_some() {
            node.test = declaration.test.clone();
        }
        if declaration.value_type.is_some() {
            node.value_type = declaration.value_type.clone();
        }
        node.invocable |= declaration.invocable;
        node.initializer_calls |= declaration.initializer_calls;
        let mut parent_node = None;
        if let Some(parent) = &declaration.parent {
            if declaration.id.is_member() {
                let parent_index = match last_class {
                    Some((id, node)) if id == parent => node,
                    _ => self.intern(parent, DeclKind::Class),
                };
                parent_node = Some(parent_index);
                let (member, start) = member_name(&declaration.id, parent);
                // Listed by name once, when first declared: scanning the list instead
                // made `<class>`, which every class has, quadratic in the org's size.
                let key = MemberKey {
                    class: parent_index,
                    name: member,
                };
                let first = self
                    .members
                    .insert(key, index)
                    .is_none_or(|previous| previous != index);
                if first {
                    self.declared_members.push((index, start));
                }
            }
        }
        if let Some(class) = parent_node.filter(|_| declaration.invocable) {
            self[class].declares_invocable = true;
        }
        Declared {
            node: index,
            parent: parent_node,
        }
    }

    /// The node of `id`, added when the graph has none. A name written with the
    /// project's namespace prefix finds the project's own ([`Graph::indexed`]): a kept
    /// resolution names a field it did not find by its id, found once it is declared.
    pub(super) fn intern(&mut self, id: &ComponentId, kind: DeclKind) -> NodeIx {
        if let Some(index) = self.indexed(id.key()) {
            return index;
        }
        let index = self.add_node(Node {
            id: id.clone(),
            kind,
            parent: None,
            file: None,
            line: 0,
            test: None,
            value_type: None,
            superclass: None,
            has_problems: false,
            platform_entry: false,
            called_from_outside: false,
            invocable: false,
            declares_invocable: false,
            initializer_calls: false,
            lwc_bundle: id.is_type(types::LWC_BUNDLE),
            trigger: id.is_type(types::APEX_TRIGGER),
        });
        self.index.insert(id.clone(), index);
        index
    }

    /// Extends and implements edges, with each class's superclass and subclasses.
    /// `declared` holds the node of each declaration of `files`, in order, and
    /// `supertyped` the declarations that name a supertype.
    pub(super) fn resolve_hierarchy(
        &mut self,
        files: &[&FileFacts],
        declared: &[Declared],
        supertyped: &[Supertyped],
    ) {
        for entry in supertyped {
            let (file, declaration) = entry.declaration(files);
            let class = declared[entry.declared as usize].node;
            let path = self.place(&file.path);
            let supertypes = declaration
                .extends
                .iter()
                .chain(declaration.implements.iter());
            for (position, supertype) in supertypes.enumerate() {
                let Some(super_index) = self.resolve_class(supertype, &declaration.id) else {
                    let extends = position == 0 && declaration.extends.is_some();
                    if !extends && self.interface_classes.last() != Some(&class) {
                        self.interface_classes.push(class);
                    }
                    if !extends && !is_modelled_interface(supertype) {
                        self.foreign_interface_classes.insert(class);
                    }
                    continue;
                };
                if super_index == class {
                    continue;
                }
                if position == 0 && declaration.extends.is_some() {
                    self[class].superclass = Some(super_index);
                }
                self.subclasses.entry(super_index).or_default().push(class);
                let kind = if position == 0 && declaration.extends.is_some() {
                    EdgeKind::Extends
                } else {
                    EdgeKind::Implements
                };
                let at = At::new(path, declaration.lines.0);
                self.add_edge(class, super_index, kind, at);
            }
        }
    }

    /// Marks the methods the platform calls on classes that implement its interfaces
    /// ([`PLATFORM_CALLBACKS`]) among `supertyped` (whose nodes `declared` holds, as for
    /// [`Graph::resolve_hierarchy`]): the class's own and those it inherits (NPSP's
    /// roll-up batches implement `Database.Batchable` and `Schedulable`, and inherit the
    /// batch `execute` from an abstract base that implements neither: a change to it ran
    /// none of their tests). The types built on such a class or interface of the
    /// repository too: its subclasses, and the classes that implement an interface of
    /// the repository that extends the platform's (force-framework's immutable
    /// collections implement `Iterable<Object>` through `ImmutableV1.Collection`: a
    /// change to their `iterator()`, which `for` loops call, reached no test).
    pub(super) fn mark_platform_entries(
        &mut self,
        files: &[&FileFacts],
        declared: &[Declared],
        supertyped: &[Supertyped],
    ) {
        let mut built_on = Vec::new();
        let mut seen = HashSet::default();
        for entry in supertyped {
            let (_, declaration) = entry.declaration(files);
            let root = declared[entry.declared as usize].node;
            for interface in &declaration.implements {
                let methods = platform_callbacks(interface);
                if methods.is_empty() {
                    continue;
                }
                built_on.clear();
                built_on.push(root);
                seen.clear();
                seen.insert(root);
                while let Some(class) = built_on.pop() {
                    for &method in methods {
                        // Each one of the name up the chain: overloads share a node, and a
                        // class's own `execute(SchedulableContext)` does not hide the
                        // batch `execute` it inherits.
                        let members: Vec<NodeIx> = self
                            .superclass_chain(class)
                            .filter_map(|owner| self.member(owner, method))
                            .collect();
                        for member in members {
                            self[member].platform_entry = true;
                        }
                    }
                    if let Some(subtypes) = self.subclasses.get(&class) {
                        built_on.extend(subtypes.iter().filter(|&&t| seen.insert(t)));
                    }
                }
            }
        }
        self.mark_framework_hooks(files, declared, supertyped);
        self.mark_called_from_outside();
    }

    /// Marks the classes the platform or a package may call ([`Node::called_from_outside`]):
    /// those that implement an interface the repository does not declare (as
    /// [`Graph::resolve_hierarchy`] found them), and their subclasses. A class built on
    /// a class the repository does not declare is not marked for that: the framework
    /// calls its overrides, which are entry points already
    /// ([`Graph::mark_framework_hooks`]), and an Apex method implementing an interface's
    /// needs no `override`.
    fn mark_called_from_outside(&mut self) {
        let mut marked: Vec<NodeIx> = self.interface_classes.clone();
        while let Some(class) = marked.pop() {
            if std::mem::replace(&mut self[class].called_from_outside, true) {
                continue;
            }
            if let Some(subclasses) = self.subclasses.get(&class) {
                marked.extend(subclasses.iter().copied());
            }
        }
    }

    /// Marks as entry points the `override` methods of classes that extend, directly or
    /// through classes of the repository, a class the repository does not declare: a
    /// framework's (fflib's `fflib_SObjectDomain` installed as a package, a trigger
    /// framework's base class) or the platform's. The framework's code calls them
    /// (`onBeforeInsert`, `getSObjectFieldList`) for whoever hands it the class, which
    /// the repository cannot show.
    fn mark_framework_hooks(
        &mut self,
        files: &[&FileFacts],
        declared: &[Declared],
        supertyped: &[Supertyped],
    ) {
        self.on_foreign_base = supertyped
            .iter()
            .filter_map(|entry| {
                let base = entry.declaration(files).1.extends.as_deref()?;
                let class = declared[entry.declared as usize].node;
                self[class]
                    .superclass
                    .is_none()
                    .then(|| (class, base.to_ascii_lowercase().into()))
            })
            .collect();
        if self.on_foreign_base.is_empty() {
            return;
        }
        let mut hooks = Vec::new();
        let mut declared = declared.iter();
        for file in files {
            for (declaration, declared) in file.facts.declares.iter().zip(declared.by_ref()) {
                if !declaration.overrides {
                    continue;
                }
                let class = declared
                    .parent
                    .or_else(|| declaration.parent.as_ref().and_then(|p| self.node(p)));
                if class.is_some_and(|class| self.foreign_base(class).is_some()) {
                    hooks.push(declared.node);
                }
            }
        }
        for hook in hooks {
            self[hook].platform_entry = true;
        }
    }

    /// The name of the undeclared class `class` is built on, if it is one
    /// ([`Graph::on_foreign_base`]) or a subclass of one.
    fn foreign_base(&self, class: NodeIx) -> Option<&str> {
        self.superclass_chain(class)
            .find_map(|class| self.on_foreign_base.get(&class))
            .map(|base| &**base)
    }

    /// Member-of, automation and test-for edges, which come from declarations rather
    /// than from uses. `declared` holds the node of each declaration of `files`, in order.
    pub(super) fn add_structure(&mut self, files: &[&FileFacts], declared: &[Declared]) {
        let mut deactivated: Vec<ComponentId> = Vec::new();
        let mut declared = declared.iter();
        for file in files {
            let path = self.place(&file.path);
            for (declaration, declared) in file.facts.declares.iter().zip(declared.by_ref()) {
                let index = declared.node;
                if declaration.id.is_type(types::FLOW_DEFINITION) && !declaration.runs_automation()
                {
                    deactivated.push(ComponentId::new(types::FLOW, declaration.id.full_name()));
                }
                let at = At::new(path, declaration.lines.0);
                if let Some(parent) = &declaration.parent {
                    if let Some(parent_index) = declared.parent.or_else(|| self.node(parent)) {
                        self.add_edge(parent_index, index, EdgeKind::MemberOf, at);
                    }
                }
                // Custom metadata records cannot be written by DML: nothing fires on them.
                let automates = declaration
                    .automates
                    .as_ref()
                    .filter(|object| !sobject::is_custom_metadata(object));
                if let Some(object) = automates {
                    let object_index = self.intern(&sobject::id(object), DeclKind::Component);
                    let events = types::type_info(declaration.id.type_name())
                        .map_or(declaration.fires_on, |info| {
                            info.fired_by(declaration.fires_on)
                        });
                    self.add_edge_with_events(object_index, index, EdgeKind::Fires, at, events);
                    // Saving a record publishes its change event: the object writes it,
                    // as a roll-up's child writes its parent.
                    if let Some(source) = sobject::change_event_source(object) {
                        let source = self.intern(&sobject::id(&source), DeclKind::Component);
                        let (kind, events) = (EdgeKind::Writes, DmlEvents::INSERT);
                        self.add_edge_with_events(source, object_index, kind, at, events);
                    }
                    // Saving a task or an event saves an activity: what an activity's
                    // field requires or defaults applies to them.
                    if sobject::is_activity(object) {
                        for activity in sobject::ACTIVITY_OBJECTS {
                            let source = self.intern(&sobject::id(activity), DeclKind::Component);
                            let (kind, events) = (EdgeKind::Writes, DmlEvents::ALL);
                            self.add_edge_with_events(source, object_index, kind, at, events);
                        }
                    }
                }
                if let Some(mark) = &declaration.test {
                    for target in &mark.test_for {
                        let target_index = self.intern(target, DeclKind::Component);
                        self.add_edge(index, target_index, EdgeKind::TestFor, at);
                    }
                }
            }
        }
        self.silence_automation(&deactivated);
    }

    /// Flows deactivated by their `FlowDefinition` run on no DML event: their firing
    /// edges keep the path for `impact why` but let no write through.
    pub(super) fn silence_automation(&mut self, flows: &[ComponentId]) {
        for flow in flows {
            let Some(index) = self.node(flow) else {
                continue;
            };
            let firing: Vec<EdgeIx> = self
                .incoming(index)
                .filter(|edge| edge.edge.kind == EdgeKind::Fires)
                .map(|edge| edge.id)
                .collect();
            for edge in firing {
                self[edge].events = DmlEvents::NONE;
            }
        }
    }

    /// Marks as entry points ([`Node::platform_entry`]) the methods that run without a
    /// call the repository shows: those of a class a package or the platform calls
    /// through an interface whose calls `impact` does not model
    /// ([`Graph::foreign_interface_classes`]) that no code of the repository uses, which
    /// only that caller can run (Apex-ChatBot-Hub's handlers implement a packaged framework's
    /// `Triggers.IHandler`: `handle(Triggers.Context)` runs for the trigger that binds
    /// `new BotUpdateEventHandler()`, and no code of the repository calls it); the same
    /// of a class built on a class the repository does not declare
    /// ([`Graph::on_foreign_base`]), whose code calls them: an implementation of the
    /// base's abstract method needs no `override`, which [`Graph::mark_framework_hooks`]
    /// looks for (navikt's selectors on a packaged `fflib_SObjectSelector` declare
    /// `getSObjectFieldList()` without it, and the inherited `newQueryFactory()` calls it
    /// for every query the selector makes), and a method of the name of one of those
    /// (`getSObjectFieldList`) in any class built on the same base, which the base calls
    /// too, whether or not the repository also does; and, on any class, the methods the
    /// runtime calls on an object without their name: `equals` and `hashCode` (`==`, a
    /// map's or a set's keys) and `toString` (`String.valueOf`, a concatenation). A change
    /// to one reaches every user of its class.
    pub(super) fn mark_implicit_entries(&mut self) {
        let foreign =
            !self.foreign_interface_classes.is_empty() || !self.on_foreign_base.is_empty();
        let mut entries: Vec<NodeIx> = self
            .candidate_entries()
            .filter(|&(index, node)| {
                // Asked of every method: the name's end is compared in place (finding
                // the name's start first, `method_name`, cost 2 M instructions more of
                // NPSP's warm plan), and the class is looked up only in a revision that
                // has such classes.
                let name = node.id.folded_full_name();
                let implicit = IMPLICIT_CALLS.iter().any(|method| {
                    name.len() > method.len()
                        && name.ends_with(method)
                        && name.as_bytes()[name.len() - method.len() - 1] == b'.'
                });
                implicit
                    || (foreign
                        && self
                            .incoming(index)
                            .all(|link| link.edge.kind == EdgeKind::MemberOf)
                        && self.called_by_foreign_code(self.declaring_class(index)))
            })
            .map(|(index, _)| index)
            .collect();
        if !self.on_foreign_base.is_empty() {
            let hook = |index: NodeIx| {
                let base = self.foreign_base(self.declaring_class(index))?;
                Some((base, method_name(&self[index])))
            };
            let hooks: HashSet<(&str, &str)> = entries.iter().filter_map(|&e| hook(e)).collect();
            // The name first: the class is looked up for the few methods named so.
            let names: HashSet<&str> = hooks.iter().map(|&(_, name)| name).collect();
            let more: Vec<NodeIx> = self
                .candidate_entries()
                .filter(|(_, node)| names.contains(method_name(node)))
                .map(|(index, _)| index)
                .filter(|&index| hook(index).is_some_and(|hook| hooks.contains(&hook)))
                .collect();
            entries.extend(more);
        }
        for entry in entries {
            self[entry].platform_entry = true;
        }
    }

    /// Links each list of an object's record types a use reads (`RecordType:X.*`, which
    /// the parser emits for `getRecordTypeInfos()` on `X`'s describe, interned by the use)
    /// to every record type of `X` the revision declares: one switched off, added or
    /// renamed changes what the code that lists them counts.
    pub(super) fn link_record_type_lists(&mut self) {
        // Interned by the uses: past the declarations. An object may be named with the
        // project's namespace and without.
        let mut lists: HashMap<String, Vec<NodeIx>> = HashMap::default();
        for (index, node) in self.nodes().skip(self.n_declared) {
            let Some(object) = record_type_object(node).and_then(|full| full.strip_suffix(".*"))
            else {
                continue;
            };
            let object = self
                .without_own_metadata_namespace(object)
                .unwrap_or(object);
            lists
                .entry(object.to_ascii_lowercase())
                .or_default()
                .push(index);
        }
        if lists.is_empty() {
            return;
        }
        let mut links: Vec<(NodeIx, NodeIx)> = Vec::new();
        for (index, node) in self.nodes().take(self.n_declared) {
            let Some((object, _)) = record_type_object(node).and_then(|full| full.split_once('.'))
            else {
                continue;
            };
            if let Some(lists) = lists.get(&object.to_ascii_lowercase()) {
                links.extend(lists.iter().map(|&list| (list, index)));
            }
        }
        links.sort();
        for (list, record_type) in links {
            let at = self.declared_at(record_type);
            self.add_edge(list, record_type, EdgeKind::References, at);
        }
    }

    /// The methods [`Graph::mark_implicit_entries`] may mark: not marked yet, of no test.
    fn candidate_entries(&self) -> impl Iterator<Item = (NodeIx, &Node)> {
        self.nodes().filter(|(_, node)| {
            node.kind == DeclKind::Method && !node.platform_entry && node.test.is_none()
        })
    }

    /// Whether code outside the repository may call `class`'s methods by name: `class`,
    /// or a superclass, implements an interface whose calls `impact` does not model
    /// ([`Graph::foreign_interface_classes`]), or is built on a class the repository
    /// does not declare ([`Graph::on_foreign_base`]).
    fn called_by_foreign_code(&self, class: NodeIx) -> bool {
        self.superclass_chain(class).any(|class| {
            self.on_foreign_base.contains_key(&class)
                || self.foreign_interface_classes.contains(&class)
        })
    }

    /// A method that implements an interface method uses it: a change to the interface
    /// method (its signature) reaches every implementation and, through them, the code
    /// and tests that call the implementations.
    pub(super) fn add_implementations(&mut self) {
        let mut declared: HashMap<NodeIx, Vec<(&str, NodeIx)>> = HashMap::default();
        for (key, &member) in &self.members {
            if self[key.class].kind == DeclKind::Interface {
                declared
                    .entry(key.class)
                    .or_default()
                    .push((key.name.as_str(), member));
            }
        }
        let mut pairs: Vec<(NodeIx, NodeIx)> = Vec::new();
        for (&interface, implementors) in &self.subclasses {
            let Some(interface_members) = declared.get(&interface) else {
                continue;
            };
            for &(name, interface_member) in interface_members {
                for &implementor in implementors {
                    if let Some(member) = self.member(implementor, name) {
                        pairs.push((member, interface_member));
                    }
                }
            }
        }
        pairs.sort();
        for (member, interface_member) in pairs {
            let at = self.declared_at(member);
            self.add_edge(member, interface_member, EdgeKind::Implements, at);
        }
    }

    /// A test class named for a class it uses (`FooTest`, `Foo_Test`, `TestFoo`, and
    /// `ADDR_Addresses_TEST` for `ADDR_Addresses_TDTM`) gets a `named-test` edge to it.
    /// The walk follows it whichever member of the class changed: member resolution can
    /// miss a dynamic path (`Type.forName`, a callback), and a class's own test is the
    /// cheapest insurance against that. The test must already use the class, so a name
    /// alone selects nothing.
    pub(super) fn add_named_tests(&mut self) {
        let mut pairs = self.named_test_pairs();
        // Two stems of one test may name the same class.
        pairs.sort();
        pairs.dedup();
        for (test, class) in pairs {
            let at = self.declared_at(test);
            self.add_edge(test, class, EdgeKind::NamedTest, at);
        }
    }

    /// Each test class and a class its name names that it uses ([`Graph::add_named_tests`]).
    fn named_test_pairs(&self) -> Vec<(NodeIx, NodeIx)> {
        // Names as keys fold them (`folded_full_name`): borrowed, not lowercased again.
        let mut by_stem: HashMap<&str, Vec<NodeIx>> = HashMap::default();
        for index in self.node_ixs() {
            let node = &self[index];
            if node.kind != DeclKind::Class || node.parent.is_some() || !node.has_file() {
                continue;
            }
            let name = node.id.folded_full_name();
            // `ADDR_Addresses_TDTM` is also known as `ADDR_Addresses`, so that
            // `ADDR_Addresses_TEST` finds it; a one-segment stem (`UTIL`) is too vague.
            if let Some((stem, _)) = name.rsplit_once('_') {
                if stem.contains('_') {
                    by_stem.entry(stem).or_default().push(index);
                }
            }
            by_stem.entry(name).or_default().push(index);
        }
        let mut pairs: Vec<(NodeIx, NodeIx)> = Vec::new();
        for test in self.node_ixs() {
            if self.test_owner(test) != Some(test) || !self[test].id.is_type(types::APEX_CLASS) {
                continue;
            }
            for stem in test_stems(self[test].id.folded_full_name()) {
                for &class in by_stem.get(stem).map(Vec::as_slice).unwrap_or_default() {
                    if class != test && self.uses_class(test, class) {
                        pairs.push((test, class));
                    }
                }
            }
        }
        pairs
    }

    /// Where a node is declared, for edges the graph adds from declarations.
    pub(super) fn declared_at(&mut self, index: NodeIx) -> At {
        let node = &self[index];
        match node.file {
            Some(file) => At::new(file, node.line),
            None => At::note(self.place("")),
        }
    }

    /// An initializer block (`static { … }`) that names a field of its own class gets an
    /// `assigns` edge from that field: a block that runs no code changes nothing but the
    /// values of the fields it sets, so its change reaches their readers. Fields it only
    /// reads are included (the parser does not tell reads from writes), which errs toward
    /// more tests.
    pub(super) fn add_initialized_fields(&mut self) {
        let mut pairs: Vec<(NodeIx, NodeIx, At)> = Vec::new();
        for block in self.node_ixs() {
            if self[block].kind != DeclKind::Initializer {
                continue;
            }
            let class = self[block].parent.as_ref();
            for link in self.outgoing(block) {
                let field = link.to;
                if link.edge.kind == EdgeKind::Calls
                    && self[field].kind == DeclKind::Field
                    && self[field].parent.as_ref() == class
                {
                    pairs.push((field, block, link.edge.at));
                }
            }
        }
        for (field, block, at) in pairs {
            self.add_edge(field, block, EdgeKind::Assigns, at);
        }
    }

    /// Code that writes an SObject of unknown type (`List<SObject>`) may fire the
    /// automation of any object: give it a write edge to every automated object. DML
    /// cannot write platform events and `EventBus.publish` writes nothing else, so the
    /// two wildcards (`*` and `*__e`) split the automated objects between them.
    pub(super) fn add_wildcard_writes(&mut self) {
        // Automated: an object with automation of its own, or a roll-up summary's child,
        // whose writes update (and run the automation of) its parent.
        let automated: BTreeSet<NodeIx> = self
            .edges()
            .filter(|link| match link.edge.kind {
                EdgeKind::Fires => true,
                EdgeKind::Writes => self.is_object(link.from),
                _ => false,
            })
            .map(|link| link.from)
            .collect();
        for (wildcard, events) in [("*", false), ("*__e", true)] {
            let Some(wildcard) = self.node(&sobject::id(wildcard)) else {
                continue;
            };
            let writers: Vec<(NodeIx, At, DmlEvents)> = self
                .incoming(wildcard)
                .filter(|edge| edge.edge.kind == EdgeKind::Writes)
                .map(|edge| (edge.from, edge.edge.at, edge.edge.events))
                .collect();
            let objects: Vec<NodeIx> = automated
                .iter()
                .copied()
                .filter(|&object| sobject::is_platform_event(self[object].id.full_name()) == events)
                .collect();
            for (writer, at, events) in writers {
                for &object in &objects {
                    self.add_edge_with_events(writer, object, EdgeKind::Writes, at, events);
                }
            }
        }
    }

    /// Resolves a file's uses (`uses`, decoded from its facts) against the graph of
    /// declarations, in their order.
    pub(super) fn resolve_uses(&self, file: &FileFacts, uses: &[Use]) -> ResolvedUses {
        // Uses come grouped by the node that holds them: resolve that node and its class
        // once per group, not once per use. A file names the same targets again and
        // again (`Assert.areEqual`, its own fields, `List<Account>`): each target is
        // resolved once per class it is named from (resolution reads only the graph of
        // declarations, so the same target and class give the same resolution).
        let mut current: Option<(&ComponentId, Option<Found>, usize)> = None;
        let mut contexts: Vec<ComponentId> = Vec::new();
        // Each target's resolution by its position, `None` when it resolves to nothing.
        let mut known: HashMap<(&Target, usize), Option<usize>> = HashMap::default();
        // The one resolution to nothing that a use held by a name is kept with.
        let mut nothing: Option<usize> = None;
        let mut resolved = ResolvedUses {
            resolutions: Vec::new(),
            uses: Vec::with_capacity(uses.len()),
            registrations: Vec::new(),
        };
        for use_ in uses {
            let (from, context) = match &current {
                Some((id, from, context)) if *id == &use_.from => (from, *context),
                _ => {
                    // A node only uses name (an object its fields hang from) holds the
                    // use when the revision knows it; else the file's component does.
                    let from = [&use_.from, &file.component]
                        .into_iter()
                        .find_map(|id| self.known_id(id));
                    let class = self.context_class(&use_.from);
                    let context = match contexts.iter().position(|seen| *seen == class) {
                        Some(position) => position,
                        None => {
                            contexts.push(class);
                            contexts.len() - 1
                        }
                    };
                    let (_, from, context) = current.insert((&use_.from, from, context));
                    (&*from, *context)
                }
            };
            let resolution = *known.entry((&use_.target, context)).or_insert_with(|| {
                let resolution = self.resolve_target(&use_.target, &contexts[context]);
                if resolution.is_nothing() {
                    return None;
                }
                resolved.resolutions.push(resolution);
                Some(resolved.resolutions.len() - 1)
            });
            if let (Some(_), Target::Registration(values)) = (from, &use_.target) {
                resolved.registrations.push(values.clone());
            }
            // Only uses that add something are kept ([`Graph::add_uses`]): two in five
            // resolve to nothing (system types and their methods), and a use whose
            // holder the revision does not know is never added.
            let resolution = match (resolution, from) {
                (_, None) | (None, Some(Found::Node(_))) => continue,
                (Some(resolution), Some(_)) => resolution,
                // A holder only uses name is interned as the use is added, edge or not.
                (None, Some(Found::Named(_))) => *nothing.get_or_insert_with(|| {
                    resolved.resolutions.push(Resolution::nothing());
                    resolved.resolutions.len() - 1
                }),
            };
            let events = resolved.resolutions[resolution].events;
            resolved.uses.push(ResolvedUse {
                from: from.clone(),
                resolution,
                edge: UseEdge::of(use_, events),
            });
        }
        resolved
    }

    /// Adds a file's uses as edges, with their resolutions ([`Graph::resolve_uses`]: one
    /// per use that adds something, in order), interning the nodes they name.
    pub(super) fn add_uses(&mut self, file: &FileFacts, resolved: ResolvedUses) {
        let path = self.place(&file.path);
        let mut targets = Vec::new();
        for resolved_use in &resolved.uses {
            let Some(from) = resolved_use
                .from
                .as_ref()
                .map(|found| self.found_node(found))
            else {
                continue;
            };
            let resolution = &resolved.resolutions[resolved_use.resolution];
            self.n_unresolved_calls += usize::from(resolution.fell_back);
            targets.clear();
            for (found, reached) in &resolution.targets {
                targets.push((self.found_node(found), *reached));
            }
            self.add_use_edges(path, resolved_use.edge, from, &targets, resolution.receiver);
        }
        // Registrations are read once every use is added: their order among themselves
        // is all that counts.
        let record = Some(&file.component)
            .filter(|component| component.is_type(types::CUSTOM_METADATA))
            .and_then(|component| self.node(component));
        self.pending_registrations.extend(
            resolved
                .registrations
                .into_iter()
                .map(|values| (record, values)),
        );
    }

    /// The node a resolved name stands for, interned when a use names it.
    fn found_node(&mut self, found: &Found) -> NodeIx {
        match found {
            Found::Node(node) => *node,
            Found::Named(id) => self.intern(id, DeclKind::Component),
        }
    }

    /// The edges of one use held by `from`.
    fn add_use_edges(
        &mut self,
        path: u32,
        use_: UseEdge,
        from: NodeIx,
        targets: &[(NodeIx, Reached)],
        receiver: Option<NodeIx>,
    ) {
        let UseEdge {
            events, on_this, ..
        } = use_;
        for &(to, reached) in targets {
            if to == from {
                continue;
            }
            // A record belongs to its type; code that reads the type reads every record,
            // so the type uses its records (and likewise for the other kinds written
            // from the dependent side).
            let (a, b) = if use_.kind.points_back() {
                (to, from)
            } else {
                (from, to)
            };
            let kind = match reached {
                Reached::Override if use_.kind == EdgeKind::Calls => EdgeKind::Dispatches,
                Reached::Field => EdgeKind::Reads,
                Reached::Direct | Reached::Override => use_.kind,
            };
            // `insert x` and `delete y` in one method: one edge, both events.
            let at = At::new(path, use_.line);
            self.add_use_edge(
                (a, b),
                kind,
                at,
                events,
                Receiver {
                    class: receiver,
                    on_this,
                },
            );
        }
    }

    pub(super) fn add_edge(&mut self, from: NodeIx, to: NodeIx, kind: EdgeKind, at: At) -> EdgeIx {
        self.add_edge_with_events(from, to, kind, at, DmlEvents::ALL)
    }

    /// Adds an edge that carries DML events (a write, a firing); when one of the same
    /// kind already joins the two nodes, it gets these events too.
    pub(super) fn add_edge_with_events(
        &mut self,
        from: NodeIx,
        to: NodeIx,
        kind: EdgeKind,
        at: At,
        events: DmlEvents,
    ) -> EdgeIx {
        if let Some(existing) = self.widen_events(from, to, kind, events) {
            return existing;
        }
        self.add_raw_edge(
            from,
            to,
            Edge {
                kind,
                at,
                events,
                receiver: None,
                on_this: false,
            },
        )
    }

    /// Adds the edge of a use, with its call's receiver; when one of the same kind joins
    /// the two nodes already, it gets these events too, its receiver class becomes
    /// unknown unless both calls had the same, and it is on `this` only if both were.
    pub(super) fn add_use_edge(
        &mut self,
        (from, to): (NodeIx, NodeIx),
        kind: EdgeKind,
        at: At,
        events: DmlEvents,
        receiver: Receiver,
    ) {
        if let Some(existing) = self.widen_events(from, to, kind, events) {
            let edge = &mut self[existing];
            if edge.receiver != receiver.class {
                edge.receiver = None;
            }
            edge.on_this &= receiver.on_this;
            return;
        }
        let edge = Edge {
            kind,
            at,
            events,
            receiver: receiver.class,
            on_this: receiver.on_this,
        };
        self.add_raw_edge(from, to, edge);
    }

    /// Adds `events` to the edge of `kind` from `from` to `to`, if there is one.
    pub(super) fn widen_events(
        &mut self,
        from: NodeIx,
        to: NodeIx,
        kind: EdgeKind,
        events: DmlEvents,
    ) -> Option<EdgeIx> {
        let existing = self.find_edge(from, to, kind)?;
        let edge = &mut self[existing];
        edge.events = edge.events.union(events);
        Some(existing)
    }
}

/// A file's uses resolved against the graph of declarations, waiting to be added: an
/// entry per use that adds something to the graph ([`Graph::resolve_uses`]), naming its
/// resolution among the file's distinct ones (a file names the same targets again and
/// again, and a resolution copied per use was an allocation per use).
pub(super) struct ResolvedUses {
    pub resolutions: Vec<Resolution>,
    pub uses: Vec<ResolvedUse>,
    /// The values of the file's registrations held by a node the revision knows, in
    /// order ([`Target::Registration`]).
    pub registrations: Vec<Vec<String>>,
}

/// The node a declaration declared, and the node of its parent when declaring it
/// interned that (a member's class): later passes need not look the parent up by id.
#[derive(Clone, Copy, Debug)]
pub(super) struct Declared {
    pub node: NodeIx,
    pub parent: Option<NodeIx>,
}

/// One use of [`ResolvedUses`].
pub(super) struct ResolvedUse {
    /// The node holding the use; `None` when the revision does not know it.
    pub from: Option<Found>,
    /// The position of its resolution in [`ResolvedUses::resolutions`].
    pub resolution: usize,
    /// What its edges are made of.
    pub edge: UseEdge,
}

/// What the edges of a use are made of, besides their ends: all [`Graph::add_uses`]
/// reads of the use, so that resolutions kept from an earlier build
/// ([`super::reuse`]) are added without decoding the file's uses.
#[derive(Clone, Copy, Debug)]
pub(super) struct UseEdge {
    pub kind: EdgeKind,
    /// The line of the use.
    pub line: u32,
    /// A write's DML events (all for any other use).
    pub events: DmlEvents,
    /// A call on the caller's own object (`Target::Member::on_this`).
    pub on_this: bool,
}

impl UseEdge {
    /// The edge of `use_`, whose resolution gave `resolved` as the events of its write
    /// when only the resolution tells them ([`Target::DmlThrough`]).
    fn of(use_: &Use, resolved: Option<DmlEvents>) -> UseEdge {
        UseEdge {
            kind: use_.kind,
            line: use_.line,
            events: match &use_.target {
                Target::Dml { events, .. }
                | Target::DmlOf { events, .. }
                | Target::ParameterDml { events, .. } => *events,
                _ => resolved.unwrap_or(DmlEvents::ALL),
            },
            on_this: matches!(use_.target, Target::Member { on_this: true, .. }),
        }
    }
}

/// The full name of a record type's node (`Invoice__c.Retail`, or a list of an object's
/// record types, `Invoice__c.*`); the kind is compared first, the type's name only for
/// components.
fn record_type_object(node: &Node) -> Option<&str> {
    (node.kind == DeclKind::Component && node.id.is_type(types::RECORD_TYPE))
        .then(|| node.id.full_name())
}

/// A method's own name, folded, without its class's.
fn method_name(node: &Node) -> &str {
    let name = node.id.folded_full_name();
    // From the end: only the method's own name is scanned.
    match name.bytes().rposition(|byte| byte == b'.') {
        Some(dot) => &name[dot + 1..],
        None => name,
    }
}

/// The methods the runtime calls on any object without naming them (folded):
/// [`Graph::mark_implicit_entries`].
const IMPLICIT_CALLS: [&str; 3] = ["equals", "hashcode", "tostring"];

/// The platform's interfaces whose methods it calls on an object the code only made or
/// handed over, and those methods: no code of the repository names them, so a change to
/// one reaches every user of its class ([`Node::platform_entry`]). Interfaces by their
/// folded name, without `System.` and type arguments.
const PLATFORM_CALLBACKS: &[(&str, &[&str])] = &[
    // `Database.executeBatch`, `System.enqueueJob`, `System.schedule`, `System.attachFinalizer`.
    ("database.batchable", &["start", "execute", "finish"]),
    ("batchable", &["start", "execute", "finish"]),
    ("queueable", &["execute"]),
    ("schedulable", &["execute"]),
    ("finalizer", &["execute"]),
    // `List.sort(comparator)`. (A `Comparable`'s `compareTo` is a call of each
    // `list.sort()` on a list of its class: `Graph::sorted_by`.)
    ("comparator", &["compare"]),
    // A `for` loop or a batch's `start` walking an iterable; code holding an `Iterator<T>`.
    ("iterator", &["hasnext", "next"]),
    ("iterable", &["iterator"]),
    // Code holding a `Callable` (often made by `Type.forName`).
    ("callable", &["call"]),
    // `Test.createStub`, `Test.setMock`: a test's stub or mock, made by a helper class or
    // another test.
    ("stubprovider", &["handlemethodcall"]),
    ("httpcalloutmock", &["respond"]),
    ("webservicemock", &["doinvoke"]),
];

/// Whether `interface` is the platform's and `impact` models its calls: its methods the
/// platform calls ([`PLATFORM_CALLBACKS`]), a `Comparable`'s `compareTo`
/// (`Graph::sorted_by`), or none (the markers `Database.Stateful`,
/// `Database.AllowsCallouts`, `Database.RaisesPlatformEvents`).
fn is_modelled_interface(interface: &str) -> bool {
    const MODELLED: [&str; 4] = [
        "comparable",
        "database.stateful",
        "database.allowscallouts",
        "database.raisesplatformevents",
    ];
    let base = strip_generics(interface).to_ascii_lowercase();
    let base = base.strip_prefix("system.").unwrap_or(&base);
    !platform_callbacks(base).is_empty() || MODELLED.contains(&base)
}

/// The methods the platform calls on a class that implements `interface`
/// ([`PLATFORM_CALLBACKS`]); none for any other interface.
fn platform_callbacks(interface: &str) -> &'static [&'static str] {
    let base = strip_generics(interface).to_ascii_lowercase();
    let base = base.strip_prefix("system.").unwrap_or(&base);
    PLATFORM_CALLBACKS
        .iter()
        .find(|(name, _)| *name == base)
        .map_or(&[], |(_, methods)| methods)
}

/// The kept resolutions of a batch of files (in path order, after the batches before),
/// each read from its record ([`reuse::read_kept`]): the records are taken in order, and
/// read on every core.
fn read_kept_batch<R: std::io::Read, W: std::io::Write>(
    batch: &[&FileFacts],
    mut resolutions: Option<&mut Resolutions<R, W>>,
    places: &reuse::Places,
) -> Vec<Result<FileResolutions, reuse::NotKept>> {
    let records: Vec<Option<reuse::IntactRecord>> = batch
        .iter()
        .map(|file| resolutions.as_deref_mut()?.take_record(file))
        .collect();
    let fit = reuse::Fit {
        places,
        changes: resolutions.as_deref().and_then(Resolutions::changes),
    };
    batch
        .par_iter()
        .zip(records)
        .map(|(file, record)| reuse::read_kept(file, record, &fit))
        .collect()
}

/// A declaration that names a supertype (`extends`, `implements`): the passes that read
/// supertypes visit these, in declaration order, rather than every declaration (at
/// 10,000 classes, 1,974 of 145,523 declarations).
pub(super) struct Supertyped {
    /// The file's position among the build's files.
    file: u32,
    /// The declaration's position in its file.
    position: u32,
    /// The declaration's position among all the build's declarations (in `declared`).
    declared: u32,
}

impl Supertyped {
    /// The declarations of `file` (at `file_position`) that name a supertype; `first` is
    /// the position of its first declaration among all of them.
    fn of_file(
        file: &FileFacts,
        file_position: usize,
        first: usize,
    ) -> impl Iterator<Item = Supertyped> + '_ {
        file.facts
            .declares
            .iter()
            .enumerate()
            .filter(|(_, declaration)| {
                declaration.extends.is_some() || !declaration.implements.is_empty()
            })
            .map(move |(position, _)| Supertyped {
                file: file_position as u32,
                position: position as u32,
                declared: (first + position) as u32,
            })
    }

    /// The file and the declaration.
    fn declaration<'f>(&self, files: &[&'f FileFacts]) -> (&'f FileFacts, &'f Declaration) {
        let file = files[self.file as usize];
        (file, &file.facts.declares[self.position as usize])
    }
}

/// Each node's top-level node, as [`Graph::top_level_by_id`] finds it, from each node's
/// parent node (`parents`, indexed by node), for [`Graph::top_level`] to read: looking
/// each parent up by id missed the cache on the id's key.
fn top_levels(parents: &[Option<NodeIx>]) -> Vec<NodeIx> {
    (0..parents.len())
        .map(|position| {
            let mut current = NodeIx::new(NodeIndex::new(position));
            for _ in 0..MAX_NESTING {
                match parents.get(current.ix()).copied().flatten() {
                    Some(parent) => current = parent,
                    None => break,
                }
            }
            current
        })
        .collect()
}

/// How many files' uses are resolved at once: enough for every core, few enough that
/// their resolutions take little memory beside the graph.
pub(super) const RESOLVE_BATCH: usize = 256;

/// The receiver of a use's call, as its edge keeps it.
pub(super) struct Receiver {
    /// The class of the receiver's static type, when it is one class of the repository.
    class: Option<NodeIx>,
    /// The call is on the caller's own object (`hook()`, `this.hook()`).
    on_this: bool,
}

/// The head revision's graph, and the base revision's when `needs_base` (deleted or
/// removed code must be walked). Unchanged files are the same at both revisions, so the
/// base graph is the head's files minus the changed ones (`changed_new_paths`) plus the
/// changed files' base sides (`old_facts`). The two graphs are independent, so they are
/// built side by side, each reusing and keeping its own resolutions
/// ([`Graph::build_reusing`]).
pub fn build_pair<R: std::io::Read + Send, W: std::io::Write + Send>(
    head_facts: &[FileFacts],
    changed_new_paths: &std::collections::HashSet<String>,
    old_facts: &[FileFacts],
    needs_base: bool,
    head_resolutions: Option<&mut Resolutions<R, W>>,
    base_resolutions: Option<&mut Resolutions<R, W>>,
    namespace: Option<&str>,
) -> (Graph, Option<Graph>) {
    rayon::join(
        || Graph::build_reusing(head_facts, head_resolutions, namespace),
        || {
            needs_base.then(|| {
                Graph::build_reusing(
                    head_facts
                        .iter()
                        .filter(|file| !changed_new_paths.contains(&file.path))
                        .chain(old_facts.iter()),
                    base_resolutions,
                    namespace,
                )
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::apex_file_at as apex;

    fn uses(graph: &Graph, from: &str, to: &ComponentId) -> bool {
        let (Some(from), Some(to)) = (
            graph.node(&ComponentId::member("Reader", from)),
            graph.node(to),
        ) else {
            return false;
        };
        graph.outgoing(from).any(|link| link.to == to)
    }

    /// Records a write reaches through a relationship are of the object it names: a
    /// custom lookup's (`Invoice__r`, through its declared field), a standard parent's
    /// (`Account`, `ServiceResource`) or child's (`Contacts`, `TimeSheetEntries`: the
    /// singular, a common standard object or one the revision declares or names in a
    /// use), a custom child relationship's
    /// (`Plans__r`: the lookup to the record's object named so). Anything else is a
    /// write of any object: a polymorphic lookup (`Owner`), a child relationship of an
    /// object not declared here, a lookup field not declared here, a relationship name
    /// of a lookup to another object.
    #[test]
    fn writes_through_relationships_save_the_related_object() {
        // A flow on `object` named for the relationship it saves.
        let flow_name = |object: &str, reference: &str| {
            format!("{object}_{}", reference.trim_start_matches("$Record."))
        };
        let flow = |object: &str, reference: &str| {
            let name = flow_name(object, reference);
            crate::parse::file_at(
                types::FLOW,
                &name,
                &format!("force-app/main/default/flows/{name}.flow-meta.xml"),
                &format!(
                    "<Flow><recordUpdates><name>Stamp</name>\
                     <inputReference>{reference}</inputReference></recordUpdates>\
                     <start><object>{object}</object><recordTriggerType>Create</recordTriggerType>\
                     <triggerType>RecordAfterSave</triggerType></start></Flow>"
                ),
            )
        };
        let files = [
            object_file(
                types::CUSTOM_FIELD,
                "Payment__c.Invoice__c",
                "Payment__c/fields/Invoice__c.field-meta.xml",
                "<CustomField><referenceTo>Invoice__c</referenceTo><type>Lookup</type></CustomField>",
            ),
            object_file(
                types::CUSTOM_FIELD,
                "Plan__c.Account__c",
                "Plan__c/fields/Account__c.field-meta.xml",
                "<CustomField><referenceTo>Account</referenceTo>\
                 <relationshipName>Plans</relationshipName><type>Lookup</type></CustomField>",
            ),
            object_file(
                types::CUSTOM_OBJECT,
                "TimeSheetEntry",
                "TimeSheetEntry/TimeSheetEntry.object-meta.xml",
                "<CustomObject></CustomObject>",
            ),
            flow("Payment__c", "$Record.Invoice__r"),
            flow("Opportunity", "$Record.Account"),
            flow("Account", "$Record.Contacts"),
            flow("TimeSheet", "$Record.TimeSheetEntries"),
            flow("ServiceTerritoryMember", "$Record.ServiceResource"),
            flow("Case", "$Record.Owner"),
            flow("Widget__c", "$Record.Gadgets"),
            flow("Refund__c", "$Record.Invoice__r"),
            flow("Account", "$Record.Plans__r"),
            flow("Contact", "$Record.Plans__r"),
            // The repository keeps no file of `ServiceResource`; its code queries it.
            apex(
                "force-app/main/default/classes/Roster.cls",
                "Roster",
                "public class Roster { public List<ServiceResource> all() { \
                 return [SELECT Id FROM ServiceResource]; } }",
            ),
            apex(
                "force-app/main/default/classes/Stamper.cls",
                "Stamper",
                "public class Stamper { public void stamp(Opportunity o, Account a) { \
                 update o.Account; update a.Contacts; } \
                 public void own(Opportunity o) { update o.Owner; } }",
            ),
        ];
        let graph = Graph::build(&files);
        let flow_writes = |object: &str, reference: &str| {
            graph.written_by(&ComponentId::new(
                types::FLOW,
                &flow_name(object, reference),
            ))
        };
        assert_eq!(
            flow_writes("Payment__c", "$Record.Invoice__r"),
            ["Invoice__c"]
        );
        assert_eq!(flow_writes("Opportunity", "$Record.Account"), ["Account"]);
        assert_eq!(flow_writes("Account", "$Record.Contacts"), ["Contact"]);
        assert_eq!(flow_writes("Account", "$Record.Plans__r"), ["Plan__c"]);
        assert_eq!(
            flow_writes("TimeSheet", "$Record.TimeSheetEntries"),
            ["TimeSheetEntry"]
        );
        assert_eq!(
            flow_writes("ServiceTerritoryMember", "$Record.ServiceResource"),
            ["ServiceResource"]
        );
        // A write of any object is a write of `*`, and of every automated object.
        for (object, reference) in [
            ("Case", "$Record.Owner"),
            ("Widget__c", "$Record.Gadgets"),
            ("Refund__c", "$Record.Invoice__r"),
            ("Contact", "$Record.Plans__r"),
        ] {
            let writes = flow_writes(object, reference);
            assert!(
                writes.contains(&"*".to_string()),
                "{object} {reference}: {writes:?}"
            );
        }
        assert_eq!(
            graph.written_by(&ComponentId::member("Stamper", "stamp")),
            ["Account", "Contact"]
        );
        assert!(graph
            .written_by(&ComponentId::member("Stamper", "own"))
            .contains(&"*".to_string()));
    }

    /// The facts of a file under an object's folder (`path` within `objects/`).
    fn object_file(type_name: &str, name: &str, path: &str, text: &str) -> FileFacts {
        crate::parse::file_at(
            type_name,
            name,
            &format!("force-app/main/default/objects/{path}"),
            text,
        )
    }

    /// A field read through relationships is the related object's field, and a read of
    /// the lookup each relationship goes through, whoever writes the path: a formula, a
    /// flow, SOQL (a path, a subquery of a child relationship), Apex (a chain of
    /// relationships, a record held by another class, `get` on a typed record; a custom
    /// field's name in a string, on an untyped one). An owner is a user; a relationship
    /// that reaches no one object (`What`) ends the path at its lookup.
    #[test]
    fn fields_read_through_relationships_are_the_related_object_s() {
        let field = |object: &str, name: &str, body: &str| {
            object_file(
                types::CUSTOM_FIELD,
                &format!("{object}.{name}"),
                &format!("{object}/fields/{name}.field-meta.xml"),
                &format!("<CustomField>{body}</CustomField>"),
            )
        };
        let rule = |object: &str, name: &str, formula: &str| {
            object_file(
                types::VALIDATION_RULE,
                &format!("{object}.{name}"),
                &format!("{object}/validationRules/{name}.validationRule-meta.xml"),
                &format!(
                    "<ValidationRule><errorConditionFormula>{formula}\
                     </errorConditionFormula></ValidationRule>"
                ),
            )
        };
        let number = "<type>Number</type>";
        let files = [
            field(
                "Child__c",
                "Parent__c",
                "<referenceTo>Parent__c</referenceTo>\
                 <relationshipName>Children</relationshipName><type>Lookup</type>",
            ),
            field(
                "Child__c",
                "Double__c",
                "<formula>Parent__r.Score__c * 2 + Owner.Region__c + What.Level__c</formula>\
                 <type>Number</type>",
            ),
            field("Parent__c", "Score__c", number),
            field("Parent__c", "Name", "<type>Text</type>"),
            field("Account", "Rating__c", number),
            field("User", "Region__c", number),
            field("Case", "Tier__c", number),
            rule("EmailMessage", "Open_Case", "Parent.Tier__c &gt; 1"),
            rule("Attachment", "Open_Parent", "Parent.Tier__c &gt; 1"),
            rule("Opportunity", "Hot", "Account.Rating__c &gt; 3"),
            rule("NetworkMember", "Local", "Member.Region__c &gt; 1"),
            rule("User", "Managed", "Manager.Region__c &gt; 1"),
            rule("PermissionSetAssignment", "Regional", "Assignee.Region__c &gt; 1"),
            apex(
                "force-app/main/default/classes/Holder.cls",
                "Holder",
                "public class Holder { public Parent__c record; }",
            ),
            apex(
                "force-app/main/default/classes/Reader.cls",
                "Reader",
                "public class Reader {\n\
                 public Decimal chain(Child__c c) { return c.Parent__r.Score__c; }\n\
                 public Decimal held(Holder h) { return h.record.Score__c; }\n\
                 public Object dynamic(Parent__c p) { return p.get('Score__c'); }\n\
                 public Object path() { return [SELECT Parent__r.Score__c FROM Child__c]; }\n\
                 public Object children() { return [SELECT Id, (SELECT Double__c FROM Children__r) FROM Parent__c]; }\n\
                 public Object semiJoin() { return [SELECT Id FROM Parent__c WHERE Id IN (SELECT Parent__c FROM Child__c)]; }\n\
                 public Object untyped(SObject any) { return any.get('Score__c') + any.get('Name'); }\n\
                 }",
            ),
        ];
        let graph = Graph::build(&files);
        let formula = ComponentId::new(types::CUSTOM_FIELD, "Child__c.Double__c");
        // An owner with a custom field is a user (a queue has none); `What` may be any
        // object: its lookup is read, no object's field.
        assert_eq!(
            graph.read_by(&formula),
            [
                "Child__c.OwnerId",
                "Child__c.Parent__c",
                "Child__c.WhatId",
                "Parent__c.Score__c",
                "User.Region__c"
            ]
        );
        // A standard lookup of an object the revision does not know is no node.
        let rule = ComponentId::new(types::VALIDATION_RULE, "Opportunity.Hot");
        assert_eq!(graph.read_by(&rule), ["Account.Rating__c"]);
        // An email message's parent is a case; an attachment's may be anything.
        let rule = ComponentId::new(types::VALIDATION_RULE, "EmailMessage.Open_Case");
        assert_eq!(graph.read_by(&rule), ["Case.Tier__c"]);
        let rule = ComponentId::new(types::VALIDATION_RULE, "Attachment.Open_Parent");
        assert_eq!(graph.read_by(&rule), Vec::<String>::new());
        // A site member, a user's manager, a permission set's assignee are users.
        for rule in [
            "NetworkMember.Local",
            "User.Managed",
            "PermissionSetAssignment.Regional",
        ] {
            let rule = ComponentId::new(types::VALIDATION_RULE, rule);
            assert!(
                graph.read_by(&rule).contains(&"User.Region__c".to_string()),
                "{rule}: {:?}",
                graph.read_by(&rule)
            );
        }
        let reads = |method: &str| graph.read_by(&ComponentId::member("Reader", method));
        assert_eq!(reads("chain"), ["Child__c.Parent__c", "Parent__c.Score__c"]);
        assert_eq!(reads("held"), ["Parent__c.Score__c"]);
        assert_eq!(reads("dynamic"), ["Parent__c.Score__c"]);
        assert_eq!(
            reads("path"),
            ["Child__c", "Child__c.Parent__c", "Parent__c.Score__c"]
        );
        assert_eq!(
            reads("children"),
            [
                "Child__c",
                "Child__c.Double__c",
                "Parent__c",
                "Parent__c.Id"
            ]
        );
        assert_eq!(
            reads("semiJoin"),
            [
                "Child__c",
                "Child__c.Parent__c",
                "Parent__c",
                "Parent__c.Id"
            ]
        );
        // On a record of any object, a custom field's name in a string names every field
        // of that name (a string reference); a standard name is a word.
        let named = |method: &str| {
            graph.used_by(&ComponentId::member("Reader", method), EdgeKind::StringRef)
        };
        assert_eq!(named("untyped"), ["Parent__c.Score__c"]);
    }

    /// Each member is its own class's, found by its folded name in that class only: a
    /// member declared after an inner class is the outer class's (declaring reuses the
    /// node of the class declared last only for that class's members), and a class
    /// whose name is not ASCII has its members found too (their names folded apart).
    #[test]
    fn members_are_found_by_class_and_folded_name() {
        let outer = apex(
            "a/Outer.cls",
            "Outer",
            "public class Outer {\n\
             public void first() {}\n\
             public class Inner {\n\
             public void middle() {}\n\
             }\n\
             public void Last() {}\n\
             }\n",
        );
        let unicode = apex(
            "a/Ärger.cls",
            "Ärger",
            "public class Ärger { public void Go() {} }",
        );
        let graph = Graph::build(&[outer, unicode]);
        let node = |id: ComponentId| graph.node(&id).expect("declared");
        let outer = node(ComponentId::new(types::APEX_CLASS, "Outer"));
        let inner = node(ComponentId::new(types::APEX_CLASS, "Outer.Inner"));
        let first = node(ComponentId::member("Outer", "first"));
        let middle = node(ComponentId::member("Outer.Inner", "middle"));
        let last = node(ComponentId::member("Outer", "Last"));
        assert_eq!(graph.find_member(outer, "FIRST"), Some(first));
        assert_eq!(graph.find_member(outer, "last"), Some(last));
        assert_eq!(graph.find_member(inner, "Middle"), Some(middle));
        assert_eq!(graph.find_member(inner, "last"), None);
        assert_eq!(graph.find_member(outer, "middle"), None);
        assert!(graph.children_of(outer).contains(&last));
        assert!(!graph.children_of(inner).contains(&last));
        assert!(graph.children_of(inner).contains(&middle));
        let unicode = node(ComponentId::new(types::APEX_CLASS, "Ärger"));
        let go = node(ComponentId::member("Ärger", "Go"));
        assert_eq!(graph.find_member(unicode, "go"), Some(go));
        assert_eq!(graph.member(unicode, "go"), Some(go));
    }

    /// A file's uses are resolved once per target and class: the same unqualified call in
    /// a class and in its inner class reaches each one's own method.
    #[test]
    fn the_same_target_named_from_two_classes_of_a_file_resolves_in_each() {
        let source = "public class Outer {\n\
                      public static void go() {}\n\
                      public static void fromOuter() { go(); }\n\
                      public class Inner {\n\
                      public void go() {}\n\
                      public void fromInner() { go(); }\n\
                      }\n}\n";
        let graph = Graph::build(&[apex("a/Outer.cls", "Outer", source)]);
        let calls = |from: &str, to: &str| {
            let (Some(from), Some(to)) = (
                graph.node(&ComponentId::member("Outer", from)),
                graph.node(&ComponentId::member("Outer", to)),
            ) else {
                return false;
            };
            graph.outgoing(from).any(|link| link.to == to)
        };
        assert!(calls("fromOuter", "go"));
        assert!(!calls("fromOuter", "Inner.go"));
        assert!(calls("Inner.fromInner", "Inner.go"));
        assert!(!calls("Inner.fromInner", "go"));
    }

    /// The declarations that name a supertype are listed by file, position and place
    /// among all declarations, in order; the hierarchy they give is the one the graph
    /// has (an inner class's `extends`, an interface's `implements`).
    #[test]
    fn supertyped_declarations_are_those_that_name_a_supertype() {
        let base = apex(
            "a/Base.cls",
            "Base",
            "public virtual class Base { public void run() {} }",
        );
        let child = apex(
            "b/Child.cls",
            "Child",
            "public class Child extends Base implements Runnable { public void go() {} \
             public class Inner extends Base { } }",
        );
        let first = base.facts.declares.len();
        let listed: Vec<(u32, u32, u32)> = Supertyped::of_file(&child, 1, first)
            .map(|entry| (entry.file, entry.position, entry.declared))
            .collect();
        let expected: Vec<(u32, u32, u32)> = child
            .facts
            .declares
            .iter()
            .enumerate()
            .filter(|(_, declaration)| declaration.extends.is_some())
            .map(|(position, _)| (1, position as u32, (first + position) as u32))
            .collect();
        assert_eq!(listed.len(), 2, "Child and Child.Inner");
        assert_eq!(listed, expected);
        let graph = Graph::build(&[base, child]);
        let base_node = graph
            .node(&ComponentId::new("ApexClass", "Base"))
            .expect("Base");
        for name in ["Child", "Child.Inner"] {
            let node = graph
                .node(&ComponentId::new("ApexClass", name))
                .expect(name);
            assert_eq!(graph[node].superclass, Some(base_node), "{name}");
        }
    }

    /// `top_levels` finds each node's top-level node as looking each parent up by id
    /// does: a member of an inner class reaches the outer class, a node only named is
    /// its own; the graph's own table (`Graph::top_level`) holds the same.
    #[test]
    fn top_levels_are_the_nodes_own_top_levels() {
        let outer = "public class Outer { public void a() {} \
                     public class Inner { public void b() { insert new Account(); } } }";
        let other = "public class Other { public void c() { Outer.Inner i = null; i.b(); } }";
        let graph = Graph::build(&[
            apex("a/Outer.cls", "Outer", outer),
            apex("b/Other.cls", "Other", other),
        ]);
        let parents: Vec<Option<NodeIx>> = graph
            .node_ixs()
            .map(|index| graph[index].parent.as_ref().and_then(|p| graph.node(p)))
            .collect();
        let tops = top_levels(&parents);
        assert_eq!(tops.len(), graph.node_count());
        for index in graph.node_ixs() {
            assert_eq!(
                tops[index.ix()],
                graph.top_level(index),
                "{}",
                graph[index].id
            );
            assert_eq!(
                tops[index.ix()],
                graph.top_level_by_id(index),
                "{}",
                graph[index].id
            );
        }
        let inner_member = graph
            .node(&ComponentId::member("Outer.Inner", "b"))
            .expect("Inner.b");
        assert_eq!(
            graph[tops[inner_member.ix()]].id,
            ComponentId::new("ApexClass", "Outer")
        );
        let account = graph.node(&sobject::id("Account")).expect("Account");
        assert_eq!(tops[account.ix()], account);
    }

    /// A use that resolves to nothing is not kept, but one held by a node only uses name
    /// still interns its holder where the use comes: `Contact`, declared nowhere and
    /// written by `Writer`, holds a use of `String` in the file before, so it is a node
    /// before `Account`, which `Writer` writes first; built again from the kept
    /// resolutions, the graph is the same.
    #[test]
    fn a_use_that_resolves_to_nothing_still_interns_a_holder_only_named() {
        let mut holder = apex("a/Holder.cls", "Holder", "public class Holder { }");
        holder.facts.uses = vec![crate::facts::Use {
            from: sobject::id("Contact"),
            target: Target::ApexType("String".into()),
            kind: EdgeKind::References,
            line: 1,
        }]
        .into();
        let writer = apex(
            "b/Writer.cls",
            "Writer",
            "public class Writer { public static void write() { insert new Account(); insert new Contact(); } }",
        );
        let files = [holder, writer];
        let graph = Graph::build(&files);
        let node = |name: &str| graph.node(&sobject::id(name)).expect(name);
        assert!(node("Contact") < node("Account"));
        let mut kept: Resolutions<&[u8], Vec<u8>> = Resolutions::new(None, Some(Vec::new()));
        let first = Graph::build_reusing(&files, Some(&mut kept), None);
        let (_, written) = kept.finish();
        let written = written.expect("written");
        let mut again: Resolutions<&[u8], Vec<u8>> =
            Resolutions::new(Some(written.as_slice()), Some(Vec::new()));
        let rebuilt = Graph::build_reusing(&files, Some(&mut again), None);
        assert_eq!(again.counts(), (0, 2), "both files' records are reused");
        assert_eq!(first.dump(), graph.dump());
        assert_eq!(rebuilt.dump(), graph.dump());
    }

    /// `Contact` is declared nowhere in the repository; a use elsewhere names it (`insert`),
    /// so the revision knows it, and a type name `Contact` is the object wherever the two
    /// files sort. Resolution once depended on whether the writer was read first.
    #[test]
    fn a_name_known_from_another_file_resolves_whichever_file_is_read_first() {
        let reader = "public class Reader { public static Integer count(Contact c) { return 1; } \
                      public static String read(Contact c) { return c.Nickname; } }";
        let writer = "public class Writer { public static void write() { insert new Contact(); } }";
        let contact = sobject::id("Contact");
        let nickname = ComponentId::new(types::CUSTOM_FIELD, "Contact.Nickname");
        for (reader_path, writer_path) in [
            ("a/Reader.cls", "b/Writer.cls"),
            ("b/Reader.cls", "a/Writer.cls"),
        ] {
            let graph = Graph::build(&[
                apex(reader_path, "Reader", reader),
                apex(writer_path, "Writer", writer),
            ]);
            assert!(
                uses(&graph, "count", &contact),
                "{reader_path}: the type is the object"
            );
            assert!(
                uses(&graph, "read", &nickname),
                "{reader_path}: its field is a field"
            );
        }
        // Alone, nothing says `Contact` is an object: it may be a system type.
        let graph = Graph::build(&[apex("a/Reader.cls", "Reader", reader)]);
        assert!(!uses(&graph, "count", &contact));
        assert!(!uses(&graph, "read", &nickname));
    }

    /// The uses are resolved a batch of files at a time on every core: a revision of many
    /// batches builds the same graph each time, on four threads as on one, node for node
    /// and edge for edge.
    #[test]
    fn a_graph_of_many_batches_is_the_same_each_time() {
        let files: Vec<FileFacts> = (0..RESOLVE_BATCH * 2 + 7)
            .map(|n| {
                let next = (n * 7 + 3) % (RESOLVE_BATCH * 2 + 7);
                apex(
                    &format!("c/C{n:04}.cls"),
                    &format!("C{n:04}"),
                    &format!(
                        "public class C{n:04} {{ public static void run() {{ C{next:04}.run(); \
                         insert new Obj{}__c(); String s = Label.L{}; }} }}",
                        n % 13,
                        n % 5
                    ),
                )
            })
            .collect();
        let dump = |graph: &Graph| -> Vec<String> {
            let mut lines: Vec<String> = graph
                .nodes()
                .map(|(ix, node)| format!("{ix:?} {}", node.id))
                .collect();
            for (ix, _) in graph.nodes() {
                for link in graph.outgoing(ix) {
                    lines.push(format!(
                        "{:?} {:?} {:?} {:?} {}",
                        link.id,
                        link.from,
                        link.to,
                        link.edge.kind,
                        graph.show_at(link.edge.at)
                    ));
                }
            }
            lines
        };
        // One thread resolves the batches one file after another: the reference.
        let one_thread = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("a thread pool");
        let first = one_thread.install(|| dump(&Graph::build(&files)));
        assert!(first.len() > 4 * files.len(), "{} lines", first.len());
        let four_threads = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .expect("a thread pool");
        for _ in 0..3 {
            let many = four_threads.install(|| dump(&Graph::build(files.iter().rev())));
            assert_eq!(many, first);
        }
    }
}
