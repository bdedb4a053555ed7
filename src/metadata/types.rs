//! The one table of metadata types: everything `impact` knows about a type.
//!
//! A row says how the type's files are laid out in source format (SDR's adapter, its
//! directory and suffix, its parent and folder types), which parser reads them, what a
//! change of the type does to tests, whether one file holds many components, and
//! whether its names can appear as string references in code. Every other module asks
//! this table (through [`type_info`] and the row's fields) instead of keeping a list of
//! type names: the registry ([`crate::metadata::registry`]) resolves paths with it, the
//! parser dispatch picks a parser by [`TypeInfo::parser`], `changes` splits
//! [`TypeInfo::many_per_file`] files child by child, the graph resolves string literals
//! against [`TypeInfo::string_refs`] types, and the policy reads [`TypeInfo::impact`].
//!
//! The rule every type obeys: it is exactly one of
//! - followed: its changes reach tests through the edge kinds the row names, and an
//!   integration test (`tests/it/types.rs`) walks the table and proves, on a fixture,
//!   that a change of each followed type reaches a test over one of them;
//! - no test impact, with a one-line reason;
//! - fallback: it can change a test's outcome and no edge follows it, so a change runs
//!   every local test.
//!
//! The types the code branches on have named constants below; nothing else in `src/`
//! spells out a list of type names.

use crate::facts::DmlEvents;
use crate::facts::EdgeKind::{self, *};
use rustc_hash::FxHashMap;
use std::sync::OnceLock;

pub const APEX_CLASS: &str = "ApexClass";
pub const APEX_TRIGGER: &str = "ApexTrigger";
pub const APEX_PAGE: &str = "ApexPage";
pub const APEX_COMPONENT: &str = "ApexComponent";
pub const LWC_BUNDLE: &str = "LightningComponentBundle";
pub const AURA_BUNDLE: &str = "AuraDefinitionBundle";
/// Not metadata: a Jest test file of an LWC bundle.
pub const LWC_JEST_TEST: &str = "LwcJestTest";
pub const STATIC_RESOURCE: &str = "StaticResource";
pub const CUSTOM_OBJECT: &str = "CustomObject";
pub const CUSTOM_FIELD: &str = "CustomField";
pub const VALIDATION_RULE: &str = "ValidationRule";
pub const RECORD_TYPE: &str = "RecordType";
pub const FIELD_SET: &str = "FieldSet";
pub const CUSTOM_LABELS: &str = "CustomLabels";
pub const CUSTOM_LABEL: &str = "CustomLabel";
pub const CUSTOM_METADATA: &str = "CustomMetadata";
pub const CUSTOM_PERMISSION: &str = "CustomPermission";
pub const FLOW: &str = "Flow";
pub const FLOW_TEST: &str = "FlowTest";
pub const FLOW_DEFINITION: &str = "FlowDefinition";
pub const WORKFLOW: &str = "Workflow";
pub const SHARING_RULES: &str = "SharingRules";
pub const PERMISSION_SET: &str = "PermissionSet";
pub const PERMISSION_SET_GROUP: &str = "PermissionSetGroup";
pub const PROFILE: &str = "Profile";
pub const EMAIL_TEMPLATE: &str = "EmailTemplate";
pub const GROUP: &str = "Group";
pub const QUEUE: &str = "Queue";
pub const GLOBAL_VALUE_SET: &str = "GlobalValueSet";
pub const STANDARD_VALUE_SET: &str = "StandardValueSet";
pub const DUPLICATE_RULE: &str = "DuplicateRule";
pub const MATCHING_RULES: &str = "MatchingRules";
pub const MATCHING_RULE: &str = "MatchingRule";
pub const DATAWEAVE_RESOURCE: &str = "DataWeaveResource";
pub const GEN_AI_FUNCTION: &str = "GenAiFunction";
pub const GEN_AI_PLUGIN: &str = "GenAiPlugin";
pub const GEN_AI_PLANNER_BUNDLE: &str = "GenAiPlannerBundle";
pub const GEN_AI_PLANNER: &str = "GenAiPlanner";
pub const GEN_AI_PROMPT_TEMPLATE: &str = "GenAiPromptTemplate";
pub const APEX_TEST_SUITE: &str = "ApexTestSuite";
pub const LIGHTNING_MESSAGE_CHANNEL: &str = "LightningMessageChannel";
pub const WORKFLOW_ALERT: &str = "WorkflowAlert";
pub const EXPERIENCE_BUNDLE: &str = "ExperienceBundle";
pub const DIGITAL_EXPERIENCE: &str = "DigitalExperience";
pub const DOCUMENT_FOLDER: &str = "DocumentFolder";
pub const TERRITORY2_MODEL: &str = "Territory2Model";
pub const TERRITORY2: &str = "Territory2";
pub const TERRITORY2_RULE: &str = "Territory2Rule";

/// Which parser reads a type's files (see `parse::dispatch`). Files of a type that
/// are not the parser's format (a class's `-meta.xml`) are read by the generic XML
/// parser, or hashed as bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Parser {
    /// Any XML file as one component, no references.
    Generic,
    ApexClass,
    ApexTrigger,
    Lwc,
    Jest,
    Aura,
    Visualforce,
    Flow,
    FlowTest,
    FlowDefinition,
    TestSuite,
    Object,
    Field,
    ValidationRule,
    /// List views, field sets and the other children of an object.
    ObjectChild,
    /// A record type: declared, with the label code may read it by.
    RecordType,
    /// An email template's `-meta.xml`: declared, with the name (its label) code may
    /// read it by.
    EmailTemplate,
    CustomMetadataRecord,
    Labels,
    Workflow,
    SharingRules,
    /// A workflow or sharing-rule child in its own file (the decomposed layouts).
    DecomposedChild,
    MatchingRules,
    DuplicateRule,
    StandardValueSet,
    /// An Agentforce agent or topic, and the parts it lists.
    AgentConfig,
}

/// What a change of a type does to tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TestImpact {
    /// The graph follows it: a change reaches tests first over one of these edge kinds
    /// (from a user of the changed node). Empty for tests, which a change runs itself.
    Followed(&'static [EdgeKind]),
    /// It cannot change the outcome of an Apex, Flow or Jest test, for this reason.
    None(&'static str),
    /// It can change behaviour and no edge follows it (why): a change falls back to
    /// `RunLocalTests`.
    Fallback(&'static str),
}

/// How a type's files are laid out (SDR's adapter).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Strategy {
    /// One `Name.<suffix>-meta.xml` file.
    SingleXml,
    /// A content file `Name.<suffix>` plus `Name.<suffix>-meta.xml` (`matchingContentFile`).
    ContentWithMeta,
    /// A folder `<dir>/<Name>/**` is the component.
    Bundle,
    /// A meta file plus a content file or folder of any shape (`mixedContent`).
    MixedContent,
    /// A parent file plus one file per child in the component's folder.
    Decomposed,
    /// Digital experience bundles and their content items.
    DigitalExperience,
    /// A child component stored in its own file under its parent's folder.
    ChildFile,
    /// A child component stored as an element inside its parent's file.
    ChildInFile,
}

/// What `impact` knows about one metadata type: one row of [`TYPES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TypeInfo {
    /// The type name used in package.xml (`<name>ApexClass</name>`).
    pub name: &'static str,
    /// The type's directory in source format (`classes`).
    pub directory: &'static str,
    /// The file suffix (`cls` in `Foo.cls-meta.xml`); `None` for bundles.
    pub suffix: Option<&'static str>,
    /// How the type's files are laid out.
    pub strategy: Strategy,
    /// The component must sit under a directory named [`TypeInfo::directory`].
    pub strict_directory: bool,
    /// The parent type of a child type.
    pub parent: Option<&'static str>,
    /// For foldered types (Report), the type of their folders (ReportFolder).
    pub folder_type: Option<&'static str>,
    /// For folder types (ReportFolder), the type they contain (Report).
    pub folder_content_type: Option<&'static str>,
    /// For children stored inside the parent file, the parent's XML element holding one
    /// child (`rules` for WorkflowRule).
    pub xml_element: Option<&'static str>,
    /// The child's full name is its own name, not `Parent.Name` (CustomLabel).
    pub ignore_parent_name: bool,
    /// The full name is always the type name, whatever the file is called
    /// (CustomLabels).
    pub ignore_parsed_full_name: bool,
    /// False for children that cannot be named in package.xml on their own.
    pub addressable: bool,
    /// Which parser reads the type's files.
    pub parser: Parser,
    /// What a change of the type does to tests; `None` only while a row is being
    /// written (the table test fails on it, and the policy falls back).
    impact: Option<TestImpact>,
    /// One file holds many components of the type's children (labels, workflow rules):
    /// a change is listed child by child.
    pub many_per_file: bool,
    /// Its names can appear as string literals in code that loads them by name
    /// (`Type.forName('X')`, `Test.loadData(…, 'X')`, `WHERE Name = 'X'`).
    pub string_refs: bool,
    /// Code names a component of the type by its own name, after the `.` of its full
    /// name, with no type before it: a custom metadata record `Service_Config.Orders` by
    /// `'Orders'`, as a helper that reads the record takes it
    /// (`ApiMock.setTestMock('Orders', 200)`).
    pub named_alone: bool,
    /// Code names a component of the type by its label too, which its parser reads into
    /// `Declaration::alias`: a record type's (`RecordType.Name`), an email template's
    /// (`EmailTemplate.Name`).
    pub named_by_label: bool,
    /// A command reads the facts of the type's files although a change of it reaches no
    /// test (`plan --suite` reads a test suite's classes from the graph).
    read_by_commands: bool,
    /// Automation that runs when a record is saved, never when it is deleted: validation,
    /// workflow and duplicate rules, field constraints, sharing rules. A delete does not
    /// reach them (a `Database.delete(ids)` of records of unknown type deletes every
    /// object's). Triggers and flows say their own events.
    saves_only: bool,
    /// Apex names components of the type in code that compiles only while they exist
    /// (`Page.X`), though no test runs what they hold: a change reaches tests only when
    /// the component goes ([`deletion_only`]).
    compiled_against: bool,
}

impl TypeInfo {
    const fn new(
        name: &'static str,
        directory: &'static str,
        suffix: Option<&'static str>,
        strategy: Strategy,
    ) -> TypeInfo {
        TypeInfo {
            name,
            directory,
            suffix,
            strategy,
            strict_directory: false,
            parent: None,
            folder_type: None,
            folder_content_type: None,
            xml_element: None,
            ignore_parent_name: false,
            ignore_parsed_full_name: false,
            addressable: true,
            parser: Parser::Generic,
            impact: None,
            many_per_file: false,
            string_refs: false,
            named_alone: false,
            named_by_label: false,
            read_by_commands: false,
            saves_only: false,
            compiled_against: false,
        }
    }

    const fn parse(mut self, parser: Parser) -> TypeInfo {
        self.parser = parser;
        self
    }

    /// Followed: changes reach tests first over `edges` (each pointing at the type's
    /// node from its user); an empty list for test types, which a change runs itself.
    const fn follow(mut self, edges: &'static [EdgeKind]) -> TypeInfo {
        self.impact = Some(TestImpact::Followed(edges));
        self
    }

    const fn none(mut self, reason: &'static str) -> TypeInfo {
        self.impact = Some(TestImpact::None(reason));
        self
    }

    const fn fallback(mut self, reason: &'static str) -> TypeInfo {
        self.impact = Some(TestImpact::Fallback(reason));
        self
    }

    const fn many(mut self) -> TypeInfo {
        self.many_per_file = true;
        self
    }

    const fn strings(mut self) -> TypeInfo {
        self.string_refs = true;
        self
    }

    /// [`TypeInfo::strings`], and by its label ([`TypeInfo::named_by_label`]).
    const fn strings_and_label(mut self) -> TypeInfo {
        self.string_refs = true;
        self.named_by_label = true;
        self
    }

    /// [`TypeInfo::strings`], by its full name or its own name alone
    /// ([`TypeInfo::named_alone`]).
    const fn strings_named_alone(mut self) -> TypeInfo {
        self.string_refs = true;
        self.named_alone = true;
        self
    }

    /// What a change of the type does to tests. A row without a classification falls
    /// back, so a forgotten row runs more tests, never fewer.
    pub fn impact(&self) -> TestImpact {
        self.impact.unwrap_or(TestImpact::Fallback(
            "the type has no classification in the table",
        ))
    }

    /// True when the facts of the type's unchanged files can change a plan, so a plan
    /// parses them for the graph. A type with no test impact is only listed: its changed
    /// files are still read (to tell a change of meaning from one of form, and to report
    /// what cannot be read), but nothing reaches a test through its nodes (a page is used
    /// only by pages, an Aura bundle by Aura bundles, a layout or a translation by
    /// nothing), so the thousands of layouts, translations and reports of a large org are
    /// never parsed. The exceptions: files holding many components, whose children may be
    /// followed (labels, workflows), and types a command reads (test suites).
    pub fn needs_facts(&self) -> bool {
        match self.impact() {
            TestImpact::None(_) => self.many_per_file || self.read_by_commands,
            TestImpact::Followed(_) | TestImpact::Fallback(_) => true,
        }
    }

    /// [`TypeInfo::compiled_against`].
    const fn compiled_against(mut self) -> TypeInfo {
        self.compiled_against = true;
        self
    }

    /// [`TypeInfo::saves_only`].
    const fn on_save(mut self) -> TypeInfo {
        self.saves_only = true;
        self
    }

    /// The DML events that run a component of the type which runs on `declared` ones (a
    /// trigger's, a flow's, every event for other automation).
    pub fn fired_by(&self, declared: DmlEvents) -> DmlEvents {
        if self.saves_only {
            declared.without(DmlEvents::DELETE)
        } else {
            declared
        }
    }

    const fn read_by_commands(mut self) -> TypeInfo {
        self.read_by_commands = true;
        self
    }

    /// True when the table gives the row a classification (checked by a test).
    pub fn is_classified(&self) -> bool {
        self.impact.is_some()
    }

    const fn strict(mut self) -> TypeInfo {
        self.strict_directory = true;
        self
    }

    const fn in_folder(mut self, folder_type: &'static str) -> TypeInfo {
        self.folder_type = Some(folder_type);
        self
    }

    const fn folder_of(mut self, content_type: &'static str) -> TypeInfo {
        self.folder_content_type = Some(content_type);
        self
    }

    const fn not_addressable(mut self) -> TypeInfo {
        self.addressable = false;
        self
    }

    /// True for child types (their component names are `Parent.Child`).
    pub fn is_child(&self) -> bool {
        self.parent.is_some()
    }
}

const fn xml(name: &'static str, dir: &'static str, suffix: &'static str) -> TypeInfo {
    TypeInfo::new(name, dir, Some(suffix), Strategy::SingleXml)
}

const fn code(name: &'static str, dir: &'static str, suffix: &'static str) -> TypeInfo {
    TypeInfo::new(name, dir, Some(suffix), Strategy::ContentWithMeta)
}

const fn bundle(name: &'static str, dir: &'static str) -> TypeInfo {
    TypeInfo::new(name, dir, None, Strategy::Bundle).strict()
}

const fn child_file(
    name: &'static str,
    parent: &'static str,
    dir: &'static str,
    suffix: &'static str,
) -> TypeInfo {
    let mut info = TypeInfo::new(name, dir, Some(suffix), Strategy::ChildFile);
    info.parent = Some(parent);
    info
}

/// A child stored inside its parent's file whose element SDR does not name (it is not
/// split child by child).
const fn child_of(
    name: &'static str,
    parent: &'static str,
    dir: &'static str,
    suffix: &'static str,
) -> TypeInfo {
    let mut info = TypeInfo::new(name, dir, Some(suffix), Strategy::ChildInFile);
    info.parent = Some(parent);
    info
}

const fn child_in_file(
    name: &'static str,
    parent: &'static str,
    dir: &'static str,
    suffix: &'static str,
    element: &'static str,
) -> TypeInfo {
    let mut info = TypeInfo::new(name, dir, Some(suffix), Strategy::ChildInFile);
    info.parent = Some(parent);
    info.xml_element = Some(element);
    info
}

/// Apex code: reached by whatever names, calls, extends, loads, makes or tests it.
const CODE: &[EdgeKind] = &[
    Calls, References, Extends, Implements, MemberOf, Dispatches, NamedTest, TestFor, FlowAction,
    Imports, StringRef, TypeRef, CoveredBy, Assigns,
];
/// Automation of an object (trigger, rule, value set): reached through the object, by
/// the code that writes it.
const AUTOMATION: &[EdgeKind] = &[Fires];
/// Loaded by name from code (`Type.forName`, `Test.loadData`, `WHERE Name = 'X'`).
const BY_NAME: &[EdgeKind] = &[StringRef];
/// A part of an agent (a topic, an action): reached through the agents and topics that
/// list it, and from them by the code that names the agent.
const AGENT_PART: &[EdgeKind] = &[References];
/// A prompt template: run by the flows and Apex that name it.
const PROMPT: &[EdgeKind] = &[StringRef, FlowAction];
/// A test: a change to it runs it.
const SELF: &[EdgeKind] = &[];

const UI: &str = "page or app configuration shown to users: no Apex, Flow or Jest test renders it";
const REPORTING: &str = "reporting and analytics: no code or automation reads it";
const TRANSLATION: &str = "translations of labels and names: tests run in the running user's language and read no translation";
const SITE: &str = "site, community or branding configuration: tests do not render it";
const CONTAINER: &str = "holds many components: each changed child is listed and judged on its own";
const MARKUP: &str = "markup no test runs: Apex tests cannot render a page, Jest tests only LWC; its controllers are followed as Apex";
const CALLOUT: &str =
    "configures callouts and remote endpoints: Apex tests cannot call out (they use mocks)";
const ACCESS: &str = "access configuration (roles, territories, muting, sharing sets): changes what `System.runAs` users see, and no edge follows it";
const ROUTING: &str = "rules that run on DML (assignment, auto-response, escalation, entitlement, approval): no edge follows them";
const PLATFORM: &str =
    "org or platform configuration that code and automation may depend on: no edge follows it";
const GENERATED: &str = "generates Apex types or actions that code uses: no edge follows it";
const IDENTITY: &str = "login, single sign-on, certificates and client-app security: tests do not log in or authenticate";
const DATA_CLOUD: &str = "Data Cloud ingestion and modelling: runs outside the org's transactions, and Apex tests cannot read Data Cloud data";
const AGENT: &str =
    "AI agent configuration that invokes Apex, flows or prompts: no edge follows it";
const AGENT_TEST: &str = "an agent test, run by `sf agent test run`: the plan runs Apex, Flow and Jest tests, and no such test reads it";

/// Every known type. Rows up to `Letterhead`/`BrandingSet` and the children follow
/// reference/metadata-registry.tsv; the sections after it add every other type of SDR's
/// registry (`src/registry/metadataRegistry.json`, with its directory, suffix, adapter
/// and strict directory). Each row says how the type is laid out, which
/// parser reads it and what a change of it does to tests: followed over the named edge
/// kinds, no test impact (with the reason), or a fallback to `RunLocalTests`.
#[rustfmt::skip]
static TYPES: &[TypeInfo] = &[
    // Code and UI.
    code(APEX_CLASS, "classes", "cls").parse(Parser::ApexClass).follow(CODE).strings(),
    code(APEX_TRIGGER, "triggers", "trigger").parse(Parser::ApexTrigger).follow(AUTOMATION),
    code(APEX_PAGE, "pages", "page").parse(Parser::Visualforce).none(MARKUP).compiled_against(),
    code(APEX_COMPONENT, "components", "component").parse(Parser::Visualforce).none(MARKUP),
    xml(APEX_TEST_SUITE, "testSuites", "testSuite").parse(Parser::TestSuite)
        .none("a named list of test classes: which tests a deploy runs is the plan's choice").read_by_commands(),
    bundle(LWC_BUNDLE, "lwc").parse(Parser::Lwc).follow(&[Imports, Tests]),
    bundle(AURA_BUNDLE, "aura").parse(Parser::Aura).none(MARKUP),
    TypeInfo::new(STATIC_RESOURCE, "staticresources", Some("resource"), Strategy::MixedContent)
        .strict().follow(BY_NAME).strings(),
    TypeInfo::new(EXPERIENCE_BUNDLE, "experiences", None, Strategy::MixedContent).strict().none(SITE),
    TypeInfo::new(
        "DigitalExperienceBundle",
        "digitalExperiences",
        Some("digitalExperience"),
        Strategy::DigitalExperience,
    ).none(SITE),
    xml(LIGHTNING_MESSAGE_CHANNEL, "messageChannels", "messageChannel")
        .none("a message channel's definition: Jest tests mock `lightning/messageService`"),
    // Decomposed and multi-component files.
    TypeInfo::new(CUSTOM_OBJECT, "objects", Some("object"), Strategy::Decomposed).strict()
        .parse(Parser::Object).follow(&[References, Reads, Writes]),
    {
        let mut info = xml(CUSTOM_LABELS, "labels", "labels").parse(Parser::Labels).many().none(CONTAINER);
        info.ignore_parsed_full_name = true;
        info
    },
    xml(WORKFLOW, "workflows", "workflow").parse(Parser::Workflow).many().none(CONTAINER),
    xml(SHARING_RULES, "sharingRules", "sharingRules").parse(Parser::SharingRules).many().none(CONTAINER),
    TypeInfo::new("Bot", "bots", Some("bot"), Strategy::Decomposed).strict()
        .none("a chat bot's dialogs: no test runs them"),
    TypeInfo::new(
        "CustomObjectTranslation",
        "objectTranslations",
        Some("objectTranslation"),
        Strategy::Decomposed,
    )
    .strict().none(TRANSLATION),
    // Automation.
    // Apex runs a flow by its interview type (`new Flow.Interview.X(…)`, a reference) or by name.
    xml(FLOW, "flows", "flow").parse(Parser::Flow).follow(&[Fires, FlowAction, Tests, StringRef, References]).strings(),
    xml(FLOW_DEFINITION, "flowDefinitions", "flowDefinition").parse(Parser::FlowDefinition).follow(&[Defines]),
    xml(FLOW_TEST, "flowtests", "flowtest").parse(Parser::FlowTest).follow(SELF),
    // Pages, access and configuration.
    xml("Layout", "layouts", "layout").none(UI),
    xml("FlexiPage", "flexipages", "flexipage").none(UI),
    xml(PERMISSION_SET, "permissionsets", "permissionset").follow(BY_NAME).strings(),
    xml(PERMISSION_SET_GROUP, "permissionsetgroups", "permissionsetgroup").follow(BY_NAME).strings(),
    xml(PROFILE, "profiles", "profile").follow(BY_NAME).strings(),
    xml(CUSTOM_METADATA, "customMetadata", "md").parse(Parser::CustomMetadataRecord).follow(&[RecordOf, StringRef]).strings_named_alone(),
    xml("CustomTab", "tabs", "tab").none(UI),
    xml("CustomApplication", "applications", "app").none(UI),
    xml("QuickAction", "quickActions", "quickAction")
        .none("an action button's layout: tests do not press it; a flow or Apex behind it is followed on its own"),
    // Foldered types and their folders.
    code(EMAIL_TEMPLATE, "email", "email").parse(Parser::EmailTemplate).in_folder("EmailFolder").follow(BY_NAME).strings_and_label(),
    xml("EmailFolder", "email", "emailFolder").folder_of(EMAIL_TEMPLATE).none(REPORTING),
    xml("Report", "reports", "report").in_folder("ReportFolder").none(REPORTING),
    xml("ReportFolder", "reports", "reportFolder").folder_of("Report").none(REPORTING),
    xml("Dashboard", "dashboards", "dashboard").in_folder("DashboardFolder").none(REPORTING),
    xml("DashboardFolder", "dashboards", "dashboardFolder").folder_of("Dashboard").none(REPORTING),
    TypeInfo::new("Document", "documents", Some("document"), Strategy::MixedContent)
        .strict()
        .in_folder(DOCUMENT_FOLDER)
        .none("a stored file: code reads documents only by query, which tests cannot see (SeeAllData off)"),
    xml(DOCUMENT_FOLDER, "documents", "documentFolder").folder_of("Document").none(REPORTING),
    xml("ReportType", "reportTypes", "reportType").none(REPORTING),
    xml(CUSTOM_PERMISSION, "customPermissions", "customPermission").follow(BY_NAME).strings(),
    // Apex tests cannot call out, so an endpoint's settings change no test; the code that
    // names the credential (`'callout:Name/…'`, or its name passed on) is followed anyway.
    xml("NamedCredential", "namedCredentials", "namedCredential").follow(BY_NAME).strings(),
    xml("ExternalCredential", "externalCredentials", "externalCredential").fallback(PLATFORM),
    xml("RemoteSiteSetting", "remoteSiteSettings", "remoteSite").none(CALLOUT),
    xml("CspTrustedSite", "cspTrustedSites", "cspTrustedSite").none(CALLOUT),
    xml(GLOBAL_VALUE_SET, "globalValueSets", "globalValueSet").follow(&[References]),
    xml(STANDARD_VALUE_SET, "standardValueSets", "standardValueSet").parse(Parser::StandardValueSet).follow(AUTOMATION).on_save(),
    xml(QUEUE, "queues", "queue").follow(BY_NAME).strings(),
    xml(GROUP, "groups", "group").follow(BY_NAME).strings(),
    xml("Role", "roles", "role").fallback(ACCESS),
    xml("CustomNotificationType", "notificationtypes", "notiftype").fallback(PLATFORM),
    code("ContentAsset", "contentassets", "asset").none(UI),
    xml("Translations", "translations", "translation").none(TRANSLATION),
    xml("AssignmentRules", "assignmentRules", "assignmentRules").many().fallback(ROUTING),
    xml("AutoResponseRules", "autoResponseRules", "autoResponseRules").many().fallback(ROUTING),
    xml("EscalationRules", "escalationRules", "escalationRules").many().fallback(ROUTING),
    xml(MATCHING_RULES, "matchingRules", "matchingRule").parse(Parser::MatchingRules).many().none(CONTAINER),
    xml(DUPLICATE_RULE, "duplicateRules", "duplicateRule").parse(Parser::DuplicateRule).follow(AUTOMATION).on_save(),
    xml("ConnectedApp", "connectedApps", "connectedApp").none(CALLOUT),
    xml("PathAssistant", "pathAssistants", "pathAssistant").none(UI),
    xml("Settings", "settings", "settings").fallback(PLATFORM),
    xml("PlatformEventChannel", "platformEventChannels", "platformEventChannel").fallback(PLATFORM),
    xml(
        "PlatformEventChannelMember",
        "platformEventChannelMembers",
        "platformEventChannelMember",
    ).fallback(PLATFORM),
    xml(
        "PlatformEventSubscriberConfig",
        "PlatformEventSubscriberConfigs",
        "platformEventSubscriberConfig",
    ).fallback(PLATFORM),
    xml("CustomSite", "sites", "site").strict().none(SITE),
    xml("Network", "networks", "network").none(SITE),
    xml("ApprovalProcess", "approvalProcesses", "approvalProcess").fallback(ROUTING),
    xml(TERRITORY2_MODEL, "territory2Models", "territory2Model").fallback(ACCESS),
    xml(TERRITORY2, "territories", "territory2").in_folder(TERRITORY2_MODEL).fallback(ACCESS),
    xml(TERRITORY2_RULE, "rules", "territory2Rule").in_folder(TERRITORY2_MODEL).fallback(ACCESS),
    xml("Territory2Type", "territory2Types", "territory2Type").fallback(ACCESS),
    xml(
        "ExternalServiceRegistration",
        "externalServiceRegistrations",
        "externalServiceRegistration",
    ).fallback(GENERATED),
    xml(GEN_AI_PLUGIN, "genAiPlugins", "genAiPlugin").parse(Parser::AgentConfig).follow(AGENT_PART),
    bundle(GEN_AI_FUNCTION, "genAiFunctions").follow(AGENT_PART),
    bundle(GEN_AI_PLANNER_BUNDLE, "genAiPlannerBundles").parse(Parser::AgentConfig).follow(BY_NAME).strings(),
    xml("Letterhead", "letterhead", "letter").none(UI),
    xml("BrandingSet", "brandingSets", "brandingSet").none(SITE),
    // Children (TSV child rows).
    child_in_file("AssignmentRule", "AssignmentRules", "assignmentRules", "assignmentRule", "assignmentRule").fallback(ROUTING),
    child_in_file("AutoResponseRule", "AutoResponseRules", "autoResponseRules", "autoResponseRule", "autoResponseRule").fallback(ROUTING),
    child_file("BotVersion", "Bot", "botVersions", "botVersion").none("a chat bot's dialogs: no test runs them"),
    {
        let mut info = child_in_file(CUSTOM_LABEL, CUSTOM_LABELS, "labels", "labels", "labels")
            .follow(&[Reads, References, StringRef]).strings();
        info.ignore_parent_name = true;
        info
    },
    child_file("BusinessProcess", CUSTOM_OBJECT, "businessProcesses", "businessProcess").parse(Parser::ObjectChild)
        .none("the stages a sales or support process offers in the UI; picklist values are checked by their value set"),
    child_file("CompactLayout", CUSTOM_OBJECT, "compactLayouts", "compactLayout").parse(Parser::ObjectChild).none(UI),
    // Dynamic Apex names a field in a string (`record.get('Rating__c')` on a record of
    // any object, a describe's `getMap().get('Rating__c')`).
    child_file(CUSTOM_FIELD, CUSTOM_OBJECT, "fields", "field").parse(Parser::Field).follow(&[Reads, Writes, Fires, StringRef]).strings().on_save(),
    // Apex lists a field set's fields to query or show them
    // (`Schema.SObjectType.X.fieldSets.Y.getFields()`, or by name from `getMap()`).
    child_file(FIELD_SET, CUSTOM_OBJECT, "fieldSets", "fieldSet").parse(Parser::ObjectChild).follow(&[Reads, StringRef]).strings(),
    child_file("Index", CUSTOM_OBJECT, "indexes", "index").parse(Parser::ObjectChild)
        .none("an index of a big object: speeds queries, changes no result"),
    child_file("ListView", CUSTOM_OBJECT, "listViews", "listView").parse(Parser::ObjectChild).none(UI),
    child_file(RECORD_TYPE, CUSTOM_OBJECT, "recordTypes", "recordType").parse(Parser::RecordType).follow(BY_NAME).strings_and_label(),
    child_file("SharingReason", CUSTOM_OBJECT, "sharingReasons", "sharingReason").parse(Parser::ObjectChild)
        .none("a label for Apex managed sharing rows; the code that shares is followed as Apex"),
    child_file(VALIDATION_RULE, CUSTOM_OBJECT, "validationRules", "validationRule").parse(Parser::ValidationRule).follow(AUTOMATION).on_save(),
    child_file("WebLink", CUSTOM_OBJECT, "webLinks", "webLink").parse(Parser::ObjectChild).none(UI),
    child_file("CustomFieldTranslation", "CustomObjectTranslation", "fields", "fieldTranslation")
        .not_addressable().none(TRANSLATION),
    {
        let mut info = TypeInfo::new(
            DIGITAL_EXPERIENCE,
            "digitalExperiences",
            Some("digitalExperience"),
            Strategy::DigitalExperience,
        ).none(SITE);
        info.parent = Some("DigitalExperienceBundle");
        info
    },
    child_in_file("EscalationRule", "EscalationRules", "escalationRules", "escalationRule", "escalationRule").fallback(ROUTING),
    child_in_file(MATCHING_RULE, MATCHING_RULES, "matchingRules", "matchingRule", "matchingRules").follow(AUTOMATION).on_save(),
    child_in_file("SharingCriteriaRule", SHARING_RULES, "sharingRules", "sharingCriteriaRule", "sharingCriteriaRules").parse(Parser::DecomposedChild).follow(AUTOMATION).on_save(),
    child_in_file("SharingGuestRule", SHARING_RULES, "sharingRules", "sharingGuestRule", "sharingGuestRules").parse(Parser::DecomposedChild).follow(AUTOMATION).on_save(),
    child_in_file("SharingOwnerRule", SHARING_RULES, "sharingRules", "sharingOwnerRule", "sharingOwnerRules").parse(Parser::DecomposedChild).follow(AUTOMATION).on_save(),
    child_in_file("SharingTerritoryRule", SHARING_RULES, "sharingRules", "sharingTerritoryRule", "sharingTerritoryRules").parse(Parser::DecomposedChild).follow(AUTOMATION).on_save(),
    child_in_file(WORKFLOW_ALERT, WORKFLOW, "workflowAlerts", "workflowAlert", "alerts").parse(Parser::DecomposedChild).follow(&[References]),
    child_in_file("WorkflowFieldUpdate", WORKFLOW, "workflowFieldUpdates", "workflowFieldUpdate", "fieldUpdates").parse(Parser::DecomposedChild).follow(&[Fires, References]).on_save(),
    child_in_file("WorkflowFlowAction", WORKFLOW, "workflowFlowActions", "workflowFlowAction", "flowActions").parse(Parser::DecomposedChild).follow(&[References]),
    child_in_file("WorkflowKnowledgePublish", WORKFLOW, "workflowKnowledgePublishs", "workflowKnowledgePublish", "knowledgePublishes").parse(Parser::DecomposedChild).follow(&[References]),
    child_in_file("WorkflowOutboundMessage", WORKFLOW, "workflowOutboundMessages", "workflowOutboundMessage", "outboundMessages").parse(Parser::DecomposedChild).follow(&[References]),
    child_in_file("WorkflowRule", WORKFLOW, "workflowRules", "workflowRule", "rules").parse(Parser::DecomposedChild).follow(AUTOMATION).on_save(),
    child_in_file("WorkflowSend", WORKFLOW, "workflowSends", "workflowSend", "send").parse(Parser::DecomposedChild).follow(&[References]),
    child_in_file("WorkflowTask", WORKFLOW, "workflowTasks", "workflowTask", "tasks").parse(Parser::DecomposedChild).follow(&[References]),
    // Common types beyond the TSV (directory and suffix as in SDR's registry).
    xml("ApexEmailNotifications", "apexEmailNotifications", "notifications")
        .none("who receives Apex error emails: changes no code path"),
    xml("AppMenu", "appMenus", "appMenu").none(UI),
    xml("Audience", "audience", "audience").none(SITE),
    xml("AuthProvider", "authproviders", "authprovider").none(CALLOUT),
    xml("CallCenter", "callCenters", "callCenter").none(UI),
    code("Certificate", "certs", "crt").none(CALLOUT),
    xml("Community", "communities", "community").none(SITE),
    xml("CustomFeedFilter", "feedFilters", "feedFilter").none(UI),
    xml("CustomPageWebLink", "weblinks", "weblink").none(UI),
    xml("DataCategoryGroup", "datacategorygroups", "datacategorygroup").fallback(ACCESS),
    xml("DelegateGroup", "delegateGroups", "delegateGroup").fallback(ACCESS),
    xml("EmailServicesFunction", "emailservices", "xml").strict().fallback(PLATFORM),
    xml("EntitlementProcess", "entitlementProcesses", "entitlementProcess").fallback(ROUTING),
    bundle("ExperiencePropertyTypeBundle", "experiencePropertyTypeBundles").none(SITE),
    xml("ExternalClientApplication", "externalClientApps", "eca").none(CALLOUT),
    xml("ExternalDataSource", "dataSources", "dataSource").fallback(PLATFORM),
    xml(GEN_AI_PROMPT_TEMPLATE, "genAiPromptTemplates", "genAiPromptTemplate").follow(PROMPT).strings(),
    xml("GlobalValueSetTranslation", "globalValueSetTranslations", "globalValueSetTranslation").none(TRANSLATION),
    xml("HomePageComponent", "homePageComponents", "homePageComponent").none(UI),
    xml("HomePageLayout", "homePageLayouts", "homePageLayout").none(UI),
    xml("InstalledPackage", "installedPackages", "installedPackage").fallback(GENERATED),
    xml("LightningExperienceTheme", "lightningExperienceThemes", "lightningExperienceTheme").none(SITE),
    bundle("LightningTypeBundle", "lightningTypes").none(UI),
    xml("ManagedTopics", "managedTopics", "managedTopics").none(UI),
    xml("MilestoneType", "milestoneTypes", "milestoneType").fallback(ROUTING),
    xml("MutingPermissionSet", "mutingpermissionsets", "mutingpermissionset").fallback(ACCESS),
    xml("NavigationMenu", "navigationMenus", "navigationMenu").none(SITE),
    xml("OauthCustomScope", "oauthcustomscopes", "oauthcustomscope").none(CALLOUT),
    xml("PlatformCachePartition", "cachePartitions", "cachePartition").fallback(PLATFORM),
    xml("PresenceUserConfig", "presenceUserConfigs", "presenceUserConfig").fallback(PLATFORM),
    xml("ProfilePasswordPolicy", "profilePasswordPolicies", "profilePasswordPolicy")
        .none("login and password rules: tests do not log in"),
    xml("ProfileSessionSetting", "profileSessionSettings", "profileSessionSetting")
        .none("login and password rules: tests do not log in"),
    xml("Prompt", "prompts", "prompt").none(UI),
    xml("QueueRoutingConfig", "queueRoutingConfigs", "queueRoutingConfig").fallback(PLATFORM),
    xml("RecordActionDeployment", "recordActionDeployments", "deployment").none(UI),
    xml("ServiceChannel", "serviceChannels", "serviceChannel").fallback(PLATFORM),
    xml("SharingSet", "sharingSets", "sharingSet").fallback(ACCESS),
    xml("Skill", "skills", "skill").fallback(PLATFORM),
    xml(
        "StandardValueSetTranslation",
        "standardValueSetTranslations",
        "standardValueSetTranslation",
    ).none(TRANSLATION),
    xml("TopicsForObjects", "topicsForObjects", "topicsForObjects").none(UI),
    bundle("WaveTemplateBundle", "waveTemplates").none(REPORTING),
    // Feature parameters of a managed package: read in Apex only through
    // `FeatureManagement.checkPackage…Value('Name')`, a string reference.
    xml("FeatureParameterBoolean", "featureParameters", "featureParameterBoolean").follow(BY_NAME).strings(),
    xml("FeatureParameterDate", "featureParameters", "featureParameterDate").follow(BY_NAME).strings(),
    xml("FeatureParameterInteger", "featureParameters", "featureParameterInteger").follow(BY_NAME).strings(),
    // Code that Apex loads by name: `DataWeave.Script.createScript('Name')` (a string
    // reference) or `new DataWeaveScriptResource.Name()` (a type the graph resolves).
    code(DATAWEAVE_RESOURCE, "dw", "dwl").follow(&[StringRef, References]).strings(),
    // The rest of SDR's registry (src/registry/metadataRegistry.json, August 2026), in
    // name order. Each reason says why; types that may change what a test sees and that
    // no edge follows fall back. `EmailTemplateFolder` is read as `EmailFolder` (its
    // suffix is an alias, see the registry).
    code("AccessControlPolicy", "accessControlPolicies", "policy").strict().fallback(ACCESS),
    xml("AccountForecastSettings", "AccountForecastSettings", "accountForecastSetting").fallback(PLATFORM),
    xml("AccountingFieldMapping", "accountingFieldMappings", "accountingFieldMapping").fallback(PLATFORM),
    xml("AccountingModelConfig", "accountingModelConfigs", "accountingModelConfig").fallback(PLATFORM),
    xml("AccountPlanObjMeasCalcDef", "accountPlanObjMeasCalcDefs", "accountPlanObjMeasCalcDef").fallback(PLATFORM),
    xml("AccountRelationshipShareRule", "accountRelationshipShareRules", "accountRelationshipShareRule").fallback(ACCESS),
    xml("AcctMgrTargetSettings", "acctMgrTargetSettings", "acctMgrTargetSetting").fallback(PLATFORM),
    xml("ActionableEventOrchDef", "ActionableEventOrchDefSettings", "settings").strict().fallback(PLATFORM),
    xml("ActionableEventTypeDef", "ActionableEventTypeDefSettings", "settings").strict().fallback(PLATFORM),
    xml("ActionableListDefinition", "actionableListDefinitions", "actionableListDefinition").fallback(PLATFORM),
    xml("ActionLauncherItemDef", "ActionLauncherItemDef", "actionLauncherItemDef").none(UI),
    xml("ActionLinkGroupTemplate", "actionLinkGroupTemplates", "actionLinkGroupTemplate").fallback(PLATFORM),
    xml("ActionPlanTemplate", "actionPlanTemplates", "apt").fallback(PLATFORM),
    xml("ActivationPlatform", "activationPlatforms", "activationPlatform").none(DATA_CLOUD),
    xml("ActnblListKeyPrfmIndDef", "actnblListKeyPrfmIndDefs", "actnblListKeyPrfmIndDef").fallback(PLATFORM),
    xml("AdvAccountForecastSet", "AdvAccountForecastSet", "advAccountForecastSet").fallback(PLATFORM),
    xml("AdvAcctForecastDimSource", "AdvAcctForecastDimSource", "advAcctForecastDimSource").fallback(PLATFORM),
    xml("AdvAcctForecastPeriodGroup", "AdvAcctForecastPeriodGroup", "advAcctForecastPeriodGroup").fallback(PLATFORM),
    xml("AffinityScoreDefinition", "affinityScoreDefinitions", "affinityScoreDefinition").fallback(AGENT),
    xml("AiAgentDefinition", "aiAgents", "aiAgentDefinition").fallback(AGENT),
    bundle("AiAgentDefinitionVersion", "aiAgentDefinitionVersions").fallback(AGENT),
    xml("AiAgentScorerDefinition", "aiAgentScorerDefinitions", "aiAgentScorerDefinition").fallback(AGENT),
    xml("AIApplication", "aiApplications", "ai").fallback(AGENT),
    xml("AIApplicationConfig", "aiApplicationConfigs", "aiapplicationconfig").fallback(AGENT),
    xml("AIAssistantTemplate", "aiAssistantTemplates", "aiAssistantTemplate").fallback(AGENT),
    bundle("AiAuthoringBundle", "aiAuthoringBundles").fallback(AGENT),
    xml("AiEvaluationDefinition", "aiEvaluationDefinitions", "aiEvaluationDefinition").none(AGENT_TEST),
    xml("AiResponseFormat", "aiResponseFormats", "aiResponseFormat").fallback(AGENT),
    xml("AIScoringModelDefinition", "aiScoringModelDefinitions", "aiScoringModelDefinition").fallback(AGENT),
    child_in_file("AIScoringModelDefVersion", "AIScoringModelDefinition", "aiScoringModelDefVersions", "aiScoringModelDefVersion", "aiScoringModelDefVersions").fallback(AGENT),
    xml("AiSurface", "aiSurfaces", "aiSurface").fallback(AGENT),
    xml("AiTestingDefinition", "aiTestingDefinitions", "aiTestingDefinition").fallback(AGENT),
    xml("AIUsecaseDefinition", "aiUsecaseDefinitions", "aiUsecaseDefinitions").fallback(AGENT),
    xml("AnalyticsDashboard", "analyticsDashboards", "uadash").none(REPORTING),
    xml("AnalyticSnapshot", "analyticSnapshots", "snapshot").none(REPORTING),
    xml("AnalyticsVisualization", "analyticsVisualizations", "uaviz").none(REPORTING),
    xml("AnalyticsWorkspace", "analyticsWorkspaces", "uawork").none(REPORTING),
    xml("AnimationRule", "animationRules", "animationRule").none(UI),
    xml("ApiNamedQuery", "apiNamedQueries", "apiNamedQuery").fallback(PLATFORM),
    bundle("AppFrameworkTemplateBundle", "appTemplates").fallback(PLATFORM),
    xml("ApplicationRecordTypeConfig", "ApplicationRecordTypeConfig", "applicationRecordTypeConfig").fallback(PLATFORM),
    xml("ApplicationSubtypeDefinition", "ApplicationSubtypeDefinitions", "applicationSubtypeDefinition").fallback(PLATFORM),
    xml("AppointmentAssignmentPolicy", "appointmentAssignmentPolicies", "policy").strict().fallback(ROUTING),
    xml("AppointmentSchedulingPolicy", "appointmentSchedulingPolicies", "policy").strict().fallback(ROUTING),
    xml("AssessmentConfiguration", "AssessmentConfigurations", "assessmentConfiguration").fallback(PLATFORM),
    xml("AssessmentQuestion", "AssessmentQuestions", "aq").fallback(PLATFORM),
    xml("AssessmentQuestionSet", "AssessmentQuestionSets", "aqs").fallback(PLATFORM),
    xml("AssistantContextItem", "assistantContextItems", "assistantContextItem").fallback(AGENT),
    xml("AssistantDefinition", "assistantDefinitions", "assistantDefinition").fallback(AGENT),
    xml("AssistantRecommendationType", "assistantRecommendationTypes", "assistantRecommendationType").fallback(AGENT),
    xml("AssistantSkillQuickAction", "assistantSkillQuickActions", "assistantSkillQuickAction").fallback(AGENT),
    xml("AssistantSkillSobjectAction", "assistantSkillSobjectActions", "assistantSkillSobjectAction").fallback(AGENT),
    xml("AssistantVersion", "assistantVersions", "assistantVersion").fallback(AGENT),
    xml("BatchCalcJobDefinition", "batchCalcJobDefinitions", "batchCalcJobDefinition").fallback(PLATFORM),
    xml("BatchProcessJobDefinition", "batchProcessJobDefinitions", "batchProcessJobDefinition").fallback(PLATFORM),
    xml("BenefitAction", "benefitActions", "benefitAction").fallback(PLATFORM),
    xml("BlacklistedConsumer", "blacklistedConsumers", "blacklistedConsumer").none(IDENTITY),
    xml("BldgEnrgyIntensityCnfg", "buildingEnergyIntensityConfigs", "buildingEnergyIntensityConfig").fallback(PLATFORM),
    xml("BotBlock", "botBlocks", "botBlock").strict().fallback(AGENT),
    xml("BotTemplate", "botTemplates", "botTemplate").strict().fallback(AGENT),
    xml("BriefcaseDefinition", "briefcaseDefinitions", "briefcaseDefinition").fallback(PLATFORM),
    xml("BusinessProcessFeedbackConfiguration", "businessProcessFeedbackConfigurations", "businessProcessFeedbackConfiguration").fallback(PLATFORM),
    xml("BusinessProcessGroup", "businessProcessGroups", "businessProcessGroup").fallback(PLATFORM),
    xml("BusinessProcessTypeDefinition", "BusinessProcessTypeDefinitions", "businessProcessTypeDefinition").fallback(PLATFORM),
    xml("CallCenterRoutingMap", "callCenterRoutingMaps", "callCenterRoutingMap").fallback(ROUTING),
    xml("CallCoachingMediaProvider", "callCoachingMediaProviders", "callCoachingMediaProvider").fallback(PLATFORM),
    xml("CallCtrAgentFavTrfrDest", "callCtrAgentFavTrfrDests", "callCtrAgentFavTrfrDest").fallback(PLATFORM),
    xml("CampaignInfluenceModel", "campaignInfluenceModels", "campaignInfluenceModel").fallback(PLATFORM),
    xml("CanvasMetadata", "Canvases", "Canvas").none(UI),
    xml("CareBenefitVerifySettings", "careBenefitVerifySettings", "careBenefitVerifySettings").fallback(PLATFORM),
    xml("CareLimitType", "careLimitTypes", "careLimitType").fallback(PLATFORM),
    xml("CareProviderAfflRoleConfig", "careProviderAfflRoleConfigs", "careProviderAfflRoleConfig").fallback(PLATFORM),
    xml("CareProviderSearchConfig", "careProviderSearchConfigs", "careProviderSearchConfig").fallback(PLATFORM),
    xml("CareRequestConfiguration", "careRequestConfigurations", "careRequestConfiguration").fallback(PLATFORM),
    xml("CareSystemFieldMapping", "careSystemFieldMappings", "careSystemFieldMapping").fallback(PLATFORM),
    xml("CaseSubjectParticle", "CaseSubjectParticles", "CaseSubjectParticle").fallback(PLATFORM),
    xml("CatalogedApi", "catalogedApis", "catalogedApi").fallback(PLATFORM),
    xml("CatalogedApiArtifactVersionInfo", "catalogedApiArtifactVersionInfos", "catalogedApiArtifactVersionInfo").fallback(PLATFORM),
    xml("CatalogedApiVersion", "catalogedApiVersions", "catalogedApiVersion").fallback(PLATFORM),
    xml("ChannelLayout", "channelLayouts", "channelLayout").none(UI),
    xml("ChannelObjectLinkingRule", "ChannelObjectLinkingRules", "ChannelObjectLinkingRule").fallback(PLATFORM),
    xml("ChatterExtension", "ChatterExtensions", "ChatterExtension").none(UI),
    xml("ChoiceList", "ChoiceList", "ChoiceList").fallback(PLATFORM),
    xml("ClauseCatgConfiguration", "clauseCatgConfigurations", "clauseCatgConfiguration").fallback(PLATFORM),
    xml("CleanDataService", "cleanDataServices", "cleanDataService").fallback(PLATFORM),
    xml("CMSConnectSource", "cmsConnectSource", "cmsConnectSource").none(SITE),
    xml("CnfgItemAttrDef", "cnfgItemAttrDefs", "cnfgItemAttrDef").fallback(PLATFORM),
    xml("CnfgItemAttrPcklstValDef", "cnfgItemAttrPcklstValDefs", "cnfgItemAttrPcklstValDef").fallback(PLATFORM),
    xml("CnfgItemAttrPicklistDef", "cnfgItemAttrPicklistDefs", "cnfgItemAttrPicklistDef").fallback(PLATFORM),
    xml("CnfgItemAttrSetAttr", "cnfgItemAttrSetAttrs", "cnfgItemAttrSetAttr").fallback(PLATFORM),
    xml("CnfgItemAttrSetDef", "cnfgItemAttrSetDefs", "cnfgItemAttrSetDef").fallback(PLATFORM),
    xml("CnfgItemSourceDefinition", "cnfgItemSourceDefinitions", "cnfgItemSourceDefinition").fallback(PLATFORM),
    xml("CnfgItemTypeAttrRelDef", "cnfgItemTypeAttrRelDefs", "cnfgItemTypeAttrRelDef").fallback(PLATFORM),
    xml("CnfgItemTypeDef", "cnfgItemTypeDefs", "cnfgItemTypeDef").fallback(PLATFORM),
    xml("CnfgItemTypeIdentFieldMap", "cnfgItemTypeIdentFieldMaps", "cnfgItemTypeIdentFieldMap").fallback(PLATFORM),
    xml("CnfgItemTypeIdentRule", "cnfgItemTypeIdentRules", "cnfgItemTypeIdentRule").fallback(PLATFORM),
    xml("CnfgItemTypeRelationDef", "cnfgItemTypeRelationDefs", "cnfgItemTypeRelationDef").fallback(PLATFORM),
    xml("CnfgMgmtRelationTypeDef", "cnfgMgmtRelationTypeDefs", "cnfgMgmtRelationTypeDef").fallback(PLATFORM),
    xml("CommandAction", "commandActions", "commandaction").fallback(PLATFORM),
    xml("CommunityTemplateDefinition", "communityTemplateDefinitions", "communityTemplateDefinition").none(SITE),
    xml("CommunityThemeDefinition", "communityThemeDefinitions", "communityThemeDefinition").none(SITE),
    xml("ComputeExtension", "computeExtensions", "computeExtension").fallback(PLATFORM),
    bundle("ContentTypeBundle", "contentTypes").none(SITE),
    xml("ContextDefinition", "contextDefinitions", "contextDefinition").fallback(PLATFORM),
    xml("ContextUseCaseMapping", "contextUseCaseMappings", "contextUseCaseMapping").fallback(PLATFORM),
    xml("ContractType", "contractTypes", "contractType").fallback(PLATFORM),
    xml("ConversationChannelDefinition", "conversationChannelDefinitions", "ConversationChannelDefinition").fallback(PLATFORM),
    xml("ConversationMessageDefinition", "conversationMessageDefinitions", "conversationMessageDefinition").fallback(PLATFORM),
    xml("ConversationVendorFieldDef", "ConversationVendorFieldDefinitions", "ConversationVendorFieldDefinition").fallback(PLATFORM),
    xml("ConversationVendorInfo", "ConversationVendorInformation", "ConversationVendorInformation").fallback(PLATFORM),
    xml("ConvIntelligenceSignalRule", "ConvIntelligenceSignalRule", "ConvIntelligenceSignalRule").fallback(AGENT),
    xml("CorsWhitelistOrigin", "corsWhitelistOrigins", "corsWhitelistOrigin").none(IDENTITY),
    xml("CustomApplicationComponent", "customApplicationComponents", "customApplicationComponent").none(UI),
    xml("CustomDataType", "datatypes", "datatype").fallback(PLATFORM),
    xml("CustomExperience", "customExperiences", "customExperience").fallback(PLATFORM),
    xml("CustomHelpMenuSection", "customHelpMenuSections", "customHelpMenuSection").none(UI),
    xml("CustomIndex", "customindex", "indx").fallback(PLATFORM),
    xml("DataCalcInsightTemplate", "dataCalcInsightTemplates", "dataCalcInsightTemplate").none(DATA_CLOUD),
    xml("DataConnector", "dataconnectors", "dataconnector").none(DATA_CLOUD),
    xml("DataConnectorIngestApi", "dataConnectorIngestApis", "dataConnectorIngestApi").none(DATA_CLOUD),
    xml("DataConnectorS3", "s3DataConnectors", "s3DataConnector").none(DATA_CLOUD),
    xml("DataKitObjectDependency", "dataKitObjectDependencies", "dataKitObjectDependency").none(DATA_CLOUD),
    xml("DataKitObjectTemplate", "dataKitObjectTemplates", "dataKitObjectTemplate").none(DATA_CLOUD),
    xml("DataMapperDefinition", "dataMapperDefinitions", "dataMapperDefinition").fallback(PLATFORM),
    xml("DataObjectBuildOrgTemplate", "dataObjectBuildOrgTemplates", "dataObjectBuildOrgTemplate").none(DATA_CLOUD),
    xml("DataObjectSearchIndexConf", "dataObjectSearchIndexConfs", "dataObjectSearchIndexConf").none(DATA_CLOUD),
    xml("DataPackageKitDefinition", "dataPackageKitDefinitions", "dataPackageKitDefinition").none(DATA_CLOUD),
    xml("DataPackageKitObject", "DataPackageKitObjects", "DataPackageKitObject").none(DATA_CLOUD),
    code("DataPipeline", "dataPipelines", "dataPipeline").fallback(PLATFORM),
    xml("DataSource", "mktDataSources", "dataSource").strict().none(DATA_CLOUD),
    xml("DataSourceBundleDefinition", "dataSourceBundleDefinitions", "dataSourceBundleDefinition").none(DATA_CLOUD),
    xml("DataSourceObject", "dataSourceObjects", "dataSourceObject").none(DATA_CLOUD),
    xml("DataSourceTenant", "dataSourceTenants", "dataSourceTenant").none(DATA_CLOUD),
    xml("DataSrcDataModelFieldMap", "dataSrcDataModelFieldMaps", "dataSrcDataModelFieldMap").none(DATA_CLOUD),
    xml("DataStreamDefinition", "dataStreamDefinitions", "dataStreamDefinition").none(DATA_CLOUD),
    xml("DataStreamTemplate", "dataStreamTemplates", "dataStreamTemplate").none(DATA_CLOUD),
    xml("DecisionMatrixDefinition", "decisionMatrixDefinition", "decisionMatrixDefinition").fallback(PLATFORM),
    xml("DecisionMatrixDefinitionVersion", "decisionMatrixVersion", "decisionMatrixVersion").fallback(PLATFORM),
    xml("DecisionTable", "decisionTables", "decisionTable").fallback(PLATFORM),
    xml("DecisionTableDatasetLink", "decisionTableDatasetLinks", "decisionTableDatasetLink").fallback(PLATFORM),
    xml("DgtAssetMgmtProvider", "dgtAssetMgmtProviders", "dgtAssetMgmtProvider").fallback(PLATFORM),
    xml("DgtAssetMgmtPrvdLghtCpnt", "dgtAssetMgmtPrvdLghtCpnts", "dgtAssetMgmtPrvdLghtCpnt").fallback(PLATFORM),
    xml("DigitalExperienceConfig", "digitalExperienceConfigs", "digitalExperienceConfig").none(SITE),
    xml("DisclosureDefinition", "disclosureDefinitions", "disclosureDefinition").fallback(PLATFORM),
    xml("DisclosureDefinitionVersion", "disclosureDefinitionVersions", "disclosureDefinitionVersion").fallback(PLATFORM),
    xml("DisclosureType", "disclosureTypes", "disclosureType").fallback(PLATFORM),
    code("DiscoveryAIModel", "discovery", "model").none(REPORTING),
    xml("DiscoveryGoal", "discovery", "goal").none(REPORTING),
    code("DiscoveryStory", "discovery", "story").none(REPORTING),
    xml("DocumentCategory", "documentCategory", "documentCategory").fallback(PLATFORM),
    xml("DocumentCategoryDocumentType", "documentCategoryDocumentTypes", "documentCategoryDocumentType").fallback(PLATFORM),
    xml("DocumentGenerationSetting", "documentGenerationSettings", "documentGenerationSetting").fallback(PLATFORM),
    code("DocumentTemplate", "documentTemplates", "dt").fallback(PLATFORM),
    xml("DocumentType", "documentTypes", "documentType").fallback(PLATFORM),
    xml("DynamicTrigger", "dynamicTriggers", "dynamicTrigger").fallback(PLATFORM),
    xml("DynamicUiCardDefinition", "dynamicUiCardDefinitions", "dynamicUiCardDefinition").none(UI),
    code("EclairGeoData", "eclair", "geodata").none(REPORTING),
    xml("EmbeddedServiceBranding", "EmbeddedServiceBranding", "EmbeddedServiceBranding").none(SITE),
    xml("EmbeddedServiceConfig", "EmbeddedServiceConfig", "EmbeddedServiceConfig").none(SITE),
    xml("EmbeddedServiceFieldService", "EmbeddedServiceFieldService", "EmbeddedServiceFieldService").none(SITE),
    xml("EmbeddedServiceFlowConfig", "EmbeddedServiceFlowConfig", "EmbeddedServiceFlowConfig").none(SITE),
    xml("EmbeddedServiceLiveAgent", "EmbeddedServiceLiveAgent", "EmbeddedServiceLiveAgent").none(SITE),
    xml("EmbeddedServiceMenuSettings", "EmbeddedServiceMenuSettings", "EmbeddedServiceMenuSettings").none(SITE),
    xml("EmployeeDataSyncProfile", "employeeDataSyncProfiles", "employeeDataSyncProfile").fallback(PLATFORM),
    xml("EnablementMeasureDefinition", "enablementMeasureDefinitions", "enablementMeasureDefinition").fallback(PLATFORM),
    xml("EnablementProgramDefinition", "enablementProgramDefinitions", "enablementProgramDefinition").fallback(PLATFORM),
    xml("EnblProgramTaskSubCategory", "enblProgramTaskSubCategories", "enblProgramTaskSubCategory").fallback(PLATFORM),
    xml("EntitlementTemplate", "entitlementTemplates", "entitlementTemplate").fallback(ROUTING),
    xml("EntityImplements", "entityImplements", "entityImplements").fallback(PLATFORM),
    xml("ESignatureConfig", "eSignatureConfigs", "eSignatureConfig").fallback(PLATFORM),
    xml("ESignatureEnvelopeConfig", "eSignatureEnvelopeConfigs", "eSignatureEnvelopeConfig").fallback(PLATFORM),
    xml("EventDelivery", "eventDeliveries", "delivery").fallback(PLATFORM),
    xml("EventRelayConfig", "eventRelays", "eventRelay").fallback(PLATFORM),
    xml("EventSubscription", "eventSubscriptions", "subscription").fallback(PLATFORM),
    xml("EventType", "eventTypes", "eventType").fallback(PLATFORM),
    xml("ExplainabilityActionDefinition", "ExplainabilityActionDefinitions", "explainabilityActionDefinition").fallback(AGENT),
    xml("ExplainabilityActionVersion", "ExplainabilityActionVersions", "explainabilityActionVersion").fallback(AGENT),
    xml("ExplainabilityMsgTemplate", "ExplainabilityMsgTemplates", "explainabilityMsgTemplate").fallback(AGENT),
    xml("ExpressionSetDefinition", "expressionSetDefinition", "expressionSetDefinition").fallback(PLATFORM),
    xml("ExpressionSetDefinitionVersion", "expressionSetVersion", "expressionSetVersion").fallback(PLATFORM),
    xml("ExpressionSetMessageToken", "expressionSetMessageToken", "expressionSetMessageToken").fallback(PLATFORM),
    xml("ExpressionSetObjectAlias", "expressionSetObjectAlias", "expressionSetObjectAlias").fallback(PLATFORM),
    child_of("extDataTranFieldTemplate", "ExtDataTranObjectTemplate", "extDataTranFieldTemplates", "extDataTranFieldTemplate").none(DATA_CLOUD),
    xml("ExtDataTranObjectTemplate", "extDataTranObjectTemplates", "extDataTranObjectTemplate").none(DATA_CLOUD),
    xml("ExternalAIModel", "externalAIModels", "externalAIModel").fallback(AGENT),
    xml("ExternalAuthIdentityProvider", "externalAuthIdentityProviders", "externalAuthIdentityProvider").none(IDENTITY),
    xml("ExternalDataConnector", "externalDataConnectors", "externalDataConnector").fallback(PLATFORM),
    xml("ExternalDataTranObject", "externalDataTranObjects", "externalDataTranObject").none(DATA_CLOUD),
    xml("ExternalDocStorageConfig", "externalDocStorageConfigs", "externalDocStorageConfig").fallback(PLATFORM),
    xml("ExternalStoragePrvdConfig", "ExternalStoragePrvdConfig", "ExternalStoragePrvdConfigSet").fallback(PLATFORM),
    xml("ExtlClntAppCanvasSettings", "extlClntAppCanvasSettings", "ecaCanvas").none(IDENTITY),
    xml("ExtlClntAppConfigurablePolicies", "extlClntAppPolicies", "ecaPlcy").none(IDENTITY),
    xml("ExtlClntAppGlobalOauthSettings", "extlClntAppGlobalOauthSets", "ecaGlblOauth").none(IDENTITY),
    xml("ExtlClntAppMobileConfigurablePolicies", "extlClntAppMobilePolicies", "ecaMobilePlcy").none(IDENTITY),
    xml("ExtlClntAppMobileSettings", "extlClntAppMobileSettings", "ecaMobile").none(IDENTITY),
    xml("ExtlClntAppNotificationSettings", "extlClntAppNotifSettings", "ecaNotifications").none(IDENTITY),
    xml("ExtlClntAppOauthConfigurablePolicies", "extlClntAppOauthPolicies", "ecaOauthPlcy").none(IDENTITY),
    xml("ExtlClntAppOauthSecuritySettings", "extlClntAppOauthSecuritySettings", "ecaOauthSecurity").none(IDENTITY),
    xml("ExtlClntAppOauthSettings", "extlClntAppOauthSettings", "ecaOauth").none(IDENTITY),
    xml("ExtlClntAppPushConfigurablePolicies", "extlClntAppPushPolicies", "ecaPushPlcy").none(IDENTITY),
    xml("ExtlClntAppPushSettings", "extlClntAppPushSettings", "ecaPush").none(IDENTITY),
    xml("ExtlClntAppSamlConfigurablePolicies", "extlClntAppSamlConfigurablePolicies", "ecaSamlPlcy").none(IDENTITY),
    xml("ExtlClntAppSampleConfigurablePolicies", "extlClntAppSamplePolicies", "ecaSmplPlcy").none(IDENTITY),
    xml("ExtlClntAppSampleSettings", "extlClntAppSampleSettings", "ecaSmpl").none(IDENTITY),
    xml("FieldMappingConfig", "fieldMappingConfigs", "fieldMappingConfig").fallback(PLATFORM),
    xml("FieldRestrictionRule", "fieldRestrictionRules", "rule").strict().fallback(ACCESS),
    xml("FieldServiceMobileConfig", "fieldServiceMobileConfigs", "fieldServiceMobileConfig").fallback(PLATFORM),
    xml("FieldServiceMobileExtension", "fieldServiceMobileExtensions", "fieldServiceMobileExtension").fallback(PLATFORM),
    xml("FieldSrcTrgtRelationship", "fieldSrcTrgtRelationships", "fieldSrcTrgtRelationship").fallback(PLATFORM),
    xml("FlexcardDefinition", "flexcardDefinitions", "flexcardDefinition").none(UI),
    xml("FlowCategory", "flowCategories", "flowCategory").none(UI),
    xml("FlowValueMap", "flowValueMaps", "flowvaluemap").fallback(PLATFORM),
    xml("ForecastingFilter", "forecastingFilters", "forecastingFilter").fallback(PLATFORM),
    xml("ForecastingFilterCondition", "forecastingFilterConditions", "forecastingFilterCondition").fallback(PLATFORM),
    xml("ForecastingGroup", "forecastingGroups", "forecastingGroup").fallback(PLATFORM),
    xml("ForecastingSourceDefinition", "forecastingSourceDefinitions", "forecastingSourceDefinition").fallback(PLATFORM),
    xml("ForecastingType", "forecastingTypes", "forecastingType").fallback(PLATFORM),
    xml("ForecastingTypeSource", "forecastingTypeSources", "forecastingTypeSource").fallback(PLATFORM),
    xml("Form", "forms", "form").fallback(PLATFORM),
    child_of("FormSection", "Form", "formSections", "formSection").fallback(PLATFORM),
    xml("FuelType", "fuelTypes", "fuelType").fallback(PLATFORM),
    xml("FuelTypeSustnUom", "fuelTypeSustnUoms", "fuelTypeSustnUom").fallback(PLATFORM),
    xml("FunctionReference", "functions", "function").fallback(PLATFORM),
    xml("FundraisingConfig", "fundraisingConfigs", "fundraisingConfig").fallback(PLATFORM),
    xml("GatewayProviderPaymentMethodType", "gatewayProviderPaymentMethodTypes", "gatewayProviderPaymentMethodType").fallback(PLATFORM),
    xml(GEN_AI_PLANNER, "genAiPlanners", "genAiPlanner").parse(Parser::AgentConfig).follow(BY_NAME).strings(),
    xml("GenAiPromptTemplateActv", "genAiPromptTemplateActivations", "genAiPromptTemplateActivation").fallback(AGENT),
    xml("GiftEntryGridTemplate", "giftEntryGridTemplates", "giftEntryGridTemplate").none(UI),
    xml("GlobalPicklist", "globalPicklists", "globalPicklist").fallback(PLATFORM),
    xml("HouseholdNamingConfig", "householdNamingConfigs", "householdNamingConfig").fallback(PLATFORM),
    xml("Icon", "icons", "icon").none(UI),
    xml("IdentityVerificationProcDef", "IdentityVerificationProcDefs", "IdentityVerificationProcDef").fallback(PLATFORM),
    xml("IdpConfiguration", "idpConfigurations", "idpConfiguration").none(IDENTITY),
    xml("IframeWhiteListUrlSettings", "iframeWhiteListUrlSettings", "iframeWhiteListUrlSettings").none(IDENTITY),
    code("InboundCertificate", "inboundCertificates", "inboundCertificate").none(IDENTITY),
    xml("InboundNetworkConnection", "inboundNetworkConnections", "inboundNetworkConnection").none(CALLOUT),
    xml("IndustriesManufacturingSettings", "IndustriesManufacturingSettings", "settings").strict().fallback(PLATFORM),
    xml("InsightType", "insightTypes", "insightType").fallback(PLATFORM),
    bundle("IntegArtifactDef", "integArtifactDefs").fallback(PLATFORM),
    xml("IntegrationHubSettings", "integrationHub", "settings").strict().fallback(PLATFORM),
    xml("IntegrationHubSettingsType", "integrationHub", "type").fallback(PLATFORM),
    xml("IntegrationProcdDefinition", "integrationProcdDefinitions", "integrationProcdDefinition").fallback(PLATFORM),
    xml("IntegrationProviderDef", "integrationProviderDefinitions", "integrationProviderDefinition").fallback(PLATFORM),
    xml("InternalDataConnector", "internalDataConnectors", "internalDataConnector").none(DATA_CLOUD),
    xml("InternalOrganization", "internalOrganizations", "internalOrganization").fallback(PLATFORM),
    xml("InvocableActionExtension", "invocableactionextensions", "invocableactionextension").fallback(PLATFORM),
    xml("IPAddressRange", "IPAddressRanges", "IPAddressRange").none(IDENTITY),
    xml("KeywordList", "moderation", "keywords").fallback(PLATFORM),
    xml("LeadConvertSettings", "LeadConvertSettings", "LeadConvertSetting").fallback(PLATFORM),
    xml("LearningAchievementConfig", "learningAchievementConfigs", "learningAchievementConfig").fallback(PLATFORM),
    xml("LearningItemType", "learningItemTypes", "learningItemType").fallback(PLATFORM),
    xml("LicenseDefinition", "licenseDefinitions", "licenseDefinition").fallback(ACCESS),
    xml("LifeSciConfigCategory", "lifeSciConfigCategories", "lifeSciConfigCategory").fallback(PLATFORM),
    xml("LifeSciConfigRecord", "lifeSciConfigRecords", "lifeSciConfigRecord").fallback(PLATFORM),
    xml("LightningBolt", "lightningBolts", "lightningBolt").none(UI),
    xml("LightningOnboardingConfig", "lightningOnboardingConfigs", "lightningOnboardingConfig").none(UI),
    xml("LightningOutApp", "lightningOutApps", "lightningOutApp").none(UI),
    xml("LiveChatAgentConfig", "liveChatAgentConfigs", "liveChatAgentConfig").none(SITE),
    xml("LiveChatButton", "liveChatButtons", "liveChatButton").none(SITE),
    xml("LiveChatDeployment", "liveChatDeployments", "liveChatDeployment").none(SITE),
    xml("LiveChatSensitiveDataRule", "liveChatSensitiveDataRule", "liveChatSensitiveDataRule").fallback(PLATFORM),
    xml("LocationUse", "locationUses", "locationUse").fallback(PLATFORM),
    xml("LoyaltyProgramSetup", "loyaltyProgramSetups", "loyaltyProgramSetup").fallback(PLATFORM),
    xml("ManagedContentType", "managedContentTypes", "managedContentType").none(SITE),
    xml("ManagedEventSubscription", "managedEventSubscriptions", "managedEventSubscription").fallback(PLATFORM),
    child_of("ManagedTopic", "ManagedTopics", "managedTopics", "managedTopic").none(UI),
    xml("MarketingAppExtension", "marketingappextensions", "marketingappextension").fallback(PLATFORM),
    xml("MarketingResourceType", "marketingResourceType", "marketingResourceType").fallback(PLATFORM),
    xml("MarketSegmentDefinition", "marketSegmentDefinitions", "marketSegmentDefinition").none(DATA_CLOUD),
    xml("McpServerDefinition", "mcpServerDefinitions", "mcpServerDefinition").fallback(AGENT),
    xml("MeetingPlaybookDefinition", "meetingPlaybookDefinitions", "meetingPlaybookDefinition").fallback(PLATFORM),
    xml("MessagingChannel", "messagingChannels", "messagingChannel").fallback(ROUTING),
    xml("MfgProgramTemplate", "MfgProgramTemplate", "mfgProgramTemplate").fallback(PLATFORM),
    xml("MktCalcInsightObjectDef", "mktCalcInsightObjectDefs", "mktCalcInsightObjectDef").none(DATA_CLOUD),
    xml("MktDataConnection", "mktDataConnections", "mktDataConnection").none(DATA_CLOUD),
    xml("MktDataConnectionSrcParam", "mktDataConnectionSrcParams", "mktDataConnectionSrcParam").none(DATA_CLOUD),
    xml("MktDatalakeSrcKeyQualifier", "mktDatalakeSrcKeyQualifier", "mktDatalakeSrcKeyQualifier").none(DATA_CLOUD),
    child_of("MktDataTranField", "MktDataTranObject", "mktDataTranFields", "mktDataTranField").none(DATA_CLOUD),
    xml("MktDataTranObject", "mktDataTranObjects", "mktDataTranObject").none(DATA_CLOUD),
    xml("MLDataDefinition", "mlDataDefinitions", "mlDataDefinition").fallback(AGENT),
    xml("MlDomain", "mlDomains", "mlDomain").fallback(AGENT),
    xml("MLPredictionDefinition", "mlPredictions", "mlPrediction").fallback(AGENT),
    xml("MLRecommendationDefinition", "mlRecommendations", "mlRecommendation").fallback(AGENT),
    xml("MobileApplicationDetail", "MobileApplicationDetails", "MobileApplicationDetail").none(IDENTITY),
    xml("MobileSecurityAssignment", "mobileSecurityAssignments", "mobileSecurityAssignment").none(IDENTITY),
    xml("MobileSecurityPolicy", "mobileSecurityPolicies", "mobileSecurityPolicy").none(IDENTITY),
    xml("MobileSecurityPolicySet", "mobileSecurityPolicySets", "mobileSecurityPolicySet").none(IDENTITY),
    xml("MobSecurityCertPinConfig", "mobSecurityCertPinConfigs", "mobSecurityCertPinConfig").none(IDENTITY),
    xml("ModerationRule", "moderation", "rule").fallback(PLATFORM),
    xml("MyDomainDiscoverableLogin", "myDomainDiscoverableLogins", "myDomainDiscoverableLogin").none(IDENTITY),
    code("NetworkBranding", "networkBranding", "networkBranding").none(SITE),
    xml("NotificationTypeConfig", "notificationTypeConfig", "config").fallback(PLATFORM),
    xml("OauthTokenExchangeHandler", "oauthtokenexchangehandlers", "oauthtokenexchangehandler").none(IDENTITY),
    xml("ObjectHierarchyRelationship", "ObjectHierarchyRelationship", "settings").strict().fallback(PLATFORM),
    xml("ObjectSourceTargetMap", "objectSourceTargetMaps", "objectSourceTargetMap").fallback(PLATFORM),
    xml("ObjIntegProviderDefMapping", "objIntegProviderDefMappings", "objIntegProviderDefMapping").fallback(PLATFORM),
    xml("OcrSampleDocument", "ocrSampleDocuments", "ocrSampleDocument").fallback(PLATFORM),
    xml("OcrTemplate", "ocrTemplates", "ocrTemplate").fallback(PLATFORM),
    xml("OmniDataTransform", "omniDataTransforms", "rpt").fallback(PLATFORM),
    xml("OmniExtTrackingDef", "OmniExtTrackingDefs", "OmniExtTrackingDef").fallback(PLATFORM),
    xml("OmniIntegrationProcedure", "omniIntegrationProcedures", "oip").fallback(PLATFORM),
    xml("OmniInteractionAccessConfig", "OmniInteractionAccessConfig", "omniInteractionAccessConfig").fallback(ACCESS),
    xml("OmniInteractionConfig", "OmniInteractionConfig", "omniInteractionConfig").fallback(PLATFORM),
    xml("OmniScript", "omniScripts", "os").fallback(PLATFORM),
    xml("OmniscriptDefinition", "omniscriptDefinitions", "omniscriptDefinition").fallback(PLATFORM),
    xml("OmniSupervisorConfig", "omniSupervisorConfigs", "omniSupervisorConfig").fallback(ROUTING),
    xml("OmniTrackingGroup", "OmniTrackingGroups", "OmniTrackingGroup").fallback(PLATFORM),
    xml("OmniUiCard", "omniUiCard", "ouc").none(UI),
    xml("OnboardingDataObjectGroup", "onboardingDataObjectGroups", "onboardingDataObjectGroup").fallback(PLATFORM),
    code("Orchestration", "iot", "orchestration").fallback(PLATFORM),
    xml("OrchestrationContext", "iot", "orchestrationContext").fallback(PLATFORM),
    xml("OutboundNetworkConnection", "outboundNetworkConnections", "outboundNetworkConnection").none(CALLOUT),
    xml("ParticipantRole", "participantRoles", "participantRole").fallback(PLATFORM),
    xml("PartyProfileDataObjectValidityDefinition", "partyProfileDataObjectValidityDefinitions", "partyProfileDataObjectValidityDefinition").none(DATA_CLOUD),
    xml("PaymentGatewayProvider", "paymentGatewayProviders", "paymentGatewayProvider").fallback(PLATFORM),
    xml("PermissionSetLicenseDefinition", "permissionSetLicenseDefinitions", "permissionSetLicenseDefinition").fallback(ACCESS),
    xml("PersonAccountOwnerPowerUser", "personAccountOwnerPowerUsers", "personAccountOwnerPowerUser").fallback(ACCESS),
    xml("PipelineInspMetricConfig", "pipelineInspMetricConfigs", "pipelineInspMetricConfig").none(REPORTING),
    xml("PolicyRuleDefinition", "policyRuleDefinitions", "policyRuleDefinition").fallback(PLATFORM),
    xml("PolicyRuleDefinitionSet", "policyRuleDefinitionSets", "policyRuleDefinitionSet").fallback(PLATFORM),
    xml("Portal", "portals", "portal").none(SITE),
    xml("PortalDelegablePermissionSet", "portalDelegablePermissionSet", "portalDelegablePermissionSet").fallback(ACCESS),
    xml("PostTemplate", "postTemplates", "postTemplate").none(UI),
    xml("PresenceDeclineReason", "presenceDeclineReasons", "presenceDeclineReason").fallback(ROUTING),
    xml("PricingActionParameters", "pricingActionParameters", "pricingActionParameters").fallback(PLATFORM),
    xml("PricingRecipe", "pricingRecipe", "pricingRecipe").fallback(PLATFORM),
    xml("ProcedurePlanDefinition", "procedurePlanDefinitions", "procedurePlanDefinition").fallback(PLATFORM),
    xml("ProcessFlowMigration", "processflowmigrations", "processflowmigration").fallback(PLATFORM),
    xml("ProductAttrDisplayConfig", "productAttrDisplayConfigs", "productAttrDisplayConfig").none(UI),
    xml("ProductAttributeSet", "productAttributeSets", "productAttributeSet").fallback(PLATFORM),
    xml("ProductSpecificationRecType", "productSpecificationRecTypes", "productSpecificationRecType").fallback(PLATFORM),
    xml("ProductSpecificationType", "productSpecificationTypes", "productSpecificationType").fallback(PLATFORM),
    xml("ProductSpecificationTypeDefinition", "productSpecificationTypeDefinitions", "productSpecificationTypeDefinition").fallback(PLATFORM),
    xml("PublicKeyCertificate", "PublicKeyCertificate", "PublicKeyCertificate").none(IDENTITY),
    xml("PublicKeyCertificateSet", "PublicKeyCertificateSet", "PublicKeyCertificateSet").none(IDENTITY),
    xml("RecAlrtDataSrcExpSetDef", "recAlrtDataSrcExpSetDefs", "recAlrtDataSrcExpSetDef").fallback(PLATFORM),
    xml("RecommendationStrategy", "recommendationStrategies", "recommendationStrategy").fallback(AGENT),
    xml("RecordAggregationDefinition", "RecordAggregationDefinitions", "RecordAggregationDefinition").fallback(PLATFORM),
    xml("RecordAlertCategory", "recordAlertCategories", "recordAlertCategory").fallback(PLATFORM),
    xml("RecordAlertDataSource", "recordAlertDataSources", "recordAlertDataSource").fallback(PLATFORM),
    xml("RecordAlertTemplate", "recordAlertTemplates", "recordAlertTemplate").fallback(PLATFORM),
    xml("RedirectWhitelistUrl", "redirectWhitelistUrls", "redirectWhitelistUrl").none(IDENTITY),
    xml("ReferencedDashboard", "wave", "refdash").none(REPORTING),
    xml("RegisteredExternalService", "registeredExternalServices", "registeredExternalService").fallback(PLATFORM),
    xml("RelatedRecordAssocCriteria", "relatedRecordAssocCriteria", "relatedRecordAssocCriteria").fallback(PLATFORM),
    xml("RelationshipGraphDefinition", "relationshipGraphDefinitions", "relationshipGraphDefinition").fallback(PLATFORM),
    xml("RestrictionRule", "restrictionRules", "rule").strict().fallback(ACCESS),
    xml("RetrievalSummaryDefinition", "RetrievalSummaryDefinitions", "RetrievalSummaryDefinition").fallback(PLATFORM),
    xml("RuleLibraryDefinition", "ruleLibraryDefinition", "ruleLibraryDefinition").fallback(PLATFORM),
    xml("SalesAgreementSettings", "salesAgreementSettings", "salesAgreementSetting").fallback(PLATFORM),
    xml("SamlSsoConfig", "samlssoconfigs", "samlssoconfig").none(IDENTITY),
    xml("SchedulingObjective", "SchedulingObjectives", "SchedulingObjective").fallback(ROUTING),
    xml("SchedulingRule", "SchedulingRules", "schedulingRule").fallback(ROUTING),
    code("Scontrol", "scontrols", "scf").none(UI),
    xml("ScoreCategory", "scoreCategories", "scoreCategory").fallback(PLATFORM),
    xml("SearchableObjDataSyncInfo", "SearchableObjDataSyncInfoSettings", "SearchableObjDataSyncInfoSetting").fallback(PLATFORM),
    xml("SearchCriteriaConfiguration", "SearchCriteriaConfigurationSettings", "SearchCriteriaConfigurationSetting").fallback(PLATFORM),
    xml("SearchCustomization", "searchCustomizations", "searchCustomization").fallback(PLATFORM),
    xml("SearchOrgWideObjectConfig", "searchOrgWideConfiguration", "searchOrgWideObjectConfig").fallback(PLATFORM),
    xml("ServiceAISetupDefinition", "serviceAISetupDescriptions", "serviceAISetupDescription").fallback(AGENT),
    xml("ServiceAISetupField", "serviceAISetupFields", "serviceAISetupField").fallback(AGENT),
    xml("ServicePresenceStatus", "servicePresenceStatuses", "servicePresenceStatus").fallback(ROUTING),
    xml("ServiceProcess", "serviceprocess", "serviceprocess").fallback(ROUTING),
    code("SiteDotCom", "siteDotComSites", "site").strict().none(SITE),
    xml("SkillType", "skilltypes", "skilltype").fallback(ROUTING),
    code("SlackApp", "slackapps", "slackapp").fallback(PLATFORM),
    xml("StageAssignment", "stageAssignments", "stageAssignment").fallback(PLATFORM),
    xml("StageDefinition", "stageDefinitions", "stageDefinition").fallback(PLATFORM),
    xml("StnryAssetEnvSrcCnfg", "stationaryAssetEnvSourceConfigs", "stationaryAssetEnvSourceConfig").fallback(PLATFORM),
    xml("StreamingAppDataConnector", "streamingAppDataConnectors", "streamingAppDataConnector").none(DATA_CLOUD),
    xml("SustainabilityUom", "sustainabilityUoms", "sustainabilityUom").fallback(PLATFORM),
    xml("SustnUomConversion", "sustnUomConversions", "sustnUomConversion").fallback(PLATFORM),
    xml("SvcCatalogCategory", "svcCatalogCategories", "category").fallback(PLATFORM),
    xml("SvcCatalogFilterCondition", "svcCatalogFilterConditions", "catalogFilterCondition").fallback(PLATFORM),
    xml("SvcCatalogFilterCriteria", "svcCatalogFilterCriterias", "catalogFilterCriteria").fallback(PLATFORM),
    xml("SvcCatalogFulfillmentFlow", "svcCatalogFulfillmentFlows", "fulfillmentFlow").fallback(PLATFORM),
    xml("SvcCatalogItemDef", "svcCatalogItems", "catalogItem").fallback(PLATFORM),
    xml("SvcCatalogItemDefFiltrCrit", "svcCatalogItemDefFiltrCrits", "catalogItemDefFiltrCrit").fallback(PLATFORM),
    xml("SynonymDictionary", "synonymDictionaries", "synonymDictionary").fallback(PLATFORM),
    xml("TelemetryActionDefinition", "TelemetryActionDefinitions", "TelemetryActionDefinition").fallback(PLATFORM),
    xml("TelemetryActionDefStep", "TelemetryActionDefSteps", "TelemetryActionDefStep").fallback(PLATFORM),
    xml("TelemetryActnDefStepAttr", "TelemetryActnDefStepAttrs", "TelemetryActnDefStepAttr").fallback(PLATFORM),
    xml("TelemetryDefinition", "TelemetryDefinitions", "TelemetryDefinition").fallback(PLATFORM),
    xml("TelemetryDefinitionVersion", "TelemetryDefinitionVersions", "TelemetryDefinitionVersion").fallback(PLATFORM),
    xml("Territory", "territories", "territory").fallback(ACCESS),
    xml("TimelineObjectDefinition", "timelineObjectDefinitions", "timelineObjectDefinition").none(UI),
    xml("TimeSheetTemplate", "timeSheetTemplates", "timeSheetTemplate").fallback(PLATFORM),
    xml("TransactionProcessingType", "transactionProcessingTypes", "transactionProcessingType").fallback(PLATFORM),
    xml("TransactionSecurityPolicy", "transactionSecurityPolicies", "transactionSecurityPolicy").fallback(ACCESS),
    bundle("UIBundle", "uiBundles").none(UI),
    xml("UiFormatSpecificationSet", "uiFormatSpecificationSets", "uiFormatSpecificationSet").none(UI),
    xml("UIObjectRelationConfig", "uiObjectRelationConfigs", "uiObjectRelationConfig").none(UI),
    code("UiPlugin", "uiplugins", "uiplugin").none(UI),
    xml("UiPreviewMessageTabDef", "uiPreviewMessageTabDefs", "uiPreviewMessageTabDef").none(UI),
    code("UiViewDefinition", "uiviews", "uiview").none(UI),
    bundle("UiWidgetBundle", "uiWidgets").none(UI),
    xml("UserAccessPolicy", "useraccesspolicies", "useraccesspolicy").fallback(ACCESS),
    xml("UserAuthCertificate", "userAuthCertificates", "userAuthCertificate").none(IDENTITY),
    xml("UserCriteria", "userCriteria", "userCriteria").fallback(ACCESS),
    xml("UserProfileSearchScope", "userProfileSearchScopes", "userProfileSearchScope").fallback(ACCESS),
    xml("UserProvisioningConfig", "userProvisioningConfigs", "userProvisioningConfig").none(IDENTITY),
    xml("VehicleAssetEmssnSrcCnfg", "vehicleAssetEmssnSourceConfigs", "vehicleAssetEmssnSourceConfig").fallback(PLATFORM),
    code("ViewDefinition", "viewdefinitions", "view").fallback(PLATFORM),
    xml("VirtualVisitConfig", "VirtualVisitConfigs", "virtualVisitConfig").fallback(PLATFORM),
    xml("VisualizationPlugin", "visualizationPlugins", "visualizationPlugin").none(REPORTING),
    xml("WaveAnalyticAssetCollection", "wave", "collection").none(REPORTING),
    xml("WaveApplication", "wave", "wapp").none(REPORTING),
    code("WaveComponent", "wave", "wcomp").none(REPORTING),
    code("WaveDashboard", "wave", "wdash").none(REPORTING),
    code("WaveDataflow", "wave", "wdf").none(REPORTING),
    xml("WaveDataset", "wave", "wds").none(REPORTING),
    code("WaveLens", "wave", "wlens").none(REPORTING),
    code("WaveRecipe", "wave", "wdpr").none(REPORTING),
    xml("WaveXmd", "wave", "xmd").none(REPORTING),
    xml("WebStoreBundle", "webStoreBundles", "webStoreBundle").fallback(PLATFORM),
    xml("WebStoreTemplate", "webStoreTemplates", "webStoreTemplate").none(SITE),
    xml("WorkflowFlowAutomation", "workflowFlowAutomations", "workflowFlowAutomation").fallback(PLATFORM),
    xml("WorkSkillRouting", "workSkillRoutings", "workSkillRouting").fallback(ROUTING),
    child_of("WorkSkillRoutingAttribute", "WorkSkillRouting", "workSkillRoutingAttributes", "workSkillRoutingAttribute").fallback(ROUTING),
    xml("XOrgHub", "xorghubs", "xorghub").fallback(PLATFORM),
    // Not metadata: a Jest test file under an LWC bundle's `__tests__` folder
    // (`LwcJestTest:<repository path>`), never deployed.
    TypeInfo::new(LWC_JEST_TEST, "lwc", None, Strategy::Bundle).not_addressable().parse(Parser::Jest).follow(SELF),
];

/// The table's rows by folded name, built once.
fn by_name() -> &'static FxHashMap<String, &'static TypeInfo> {
    static INDEX: OnceLock<FxHashMap<String, &'static TypeInfo>> = OnceLock::new();
    INDEX.get_or_init(|| {
        TYPES
            .iter()
            .map(|info| (info.name.to_ascii_lowercase(), info))
            .collect()
    })
}

/// The row of a type, by its package.xml name (case-insensitive). The graph asks this of
/// every node it declares (145,000 at 10,000 classes), so the name is folded on the
/// stack, not in a new string.
pub fn type_info(type_name: &str) -> Option<&'static TypeInfo> {
    let mut folded = [0u8; 64];
    let Some(room) = folded.get_mut(..type_name.len()) else {
        return by_name().get(&type_name.to_ascii_lowercase()).copied();
    };
    room.copy_from_slice(type_name.as_bytes());
    room.make_ascii_lowercase();
    // Lowercasing ASCII bytes keeps UTF-8 valid.
    let folded = std::str::from_utf8(room).ok()?;
    by_name().get(folded).copied()
}

/// Every type the table knows, in table order.
pub fn all_types() -> &'static [TypeInfo] {
    TYPES
}

/// The child types of `parent_type` (case-insensitive), in table order: the
/// decomposed files of CustomObject, or the in-file elements of Workflow.
pub fn children_of(parent_type: &str) -> Vec<&'static TypeInfo> {
    TYPES
        .iter()
        .filter(|info| {
            info.parent
                .is_some_and(|parent| parent.eq_ignore_ascii_case(parent_type))
        })
        .collect()
}

/// What a change of `type_name` does to tests; a type the table does not know falls
/// back.
pub fn test_impact(type_name: &str) -> TestImpact {
    type_info(type_name).map_or(
        TestImpact::Fallback("a metadata type `impact` does not know"),
        TypeInfo::impact,
    )
}

/// True when a plan parses the unchanged files of `type_name` (see
/// [`TypeInfo::needs_facts`]); a type the table does not know is parsed.
pub fn needs_facts(type_name: &str) -> bool {
    type_info(type_name).is_none_or(TypeInfo::needs_facts)
}

/// True when only the deletion of a component of `type_name` reaches tests: Apex that
/// names it compiles only while it exists, and no test runs what it holds (a Visualforce
/// page's markup: [`TypeInfo::compiled_against`]).
pub fn deletion_only(type_name: &str) -> bool {
    type_info(type_name).is_some_and(|info| info.compiled_against)
}

/// True when string literals in code may name components of `type_name`.
pub fn named_by_strings(type_name: &str) -> bool {
    type_info(type_name).is_some_and(|info| info.string_refs)
}

/// The types whose names string literals may hold, in table order.
pub fn string_ref_types() -> &'static [&'static str] {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    NAMES.get_or_init(|| {
        TYPES
            .iter()
            .filter(|info| info.string_refs)
            .map(|info| info.name)
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_classified_once() {
        for info in all_types() {
            assert!(info.is_classified(), "{} has no test impact", info.name);
            if let TestImpact::None(reason) | TestImpact::Fallback(reason) = info.impact() {
                assert!(
                    !reason.is_empty() && !reason.contains('\n'),
                    "{}",
                    info.name
                );
            }
        }
    }

    #[test]
    fn lookups_fold_case_and_unknown_types_fall_back() {
        assert_eq!(type_info("apexclass").map(|t| t.name), Some(APEX_CLASS));
        assert!(matches!(test_impact("Layout"), TestImpact::None(_)));
        assert!(matches!(test_impact("Role"), TestImpact::Fallback(_)));
        assert!(matches!(test_impact("NoSuchType"), TestImpact::Fallback(_)));
        assert!(matches!(
            test_impact("duplicaterule"),
            TestImpact::Followed(_)
        ));
        // Every type of SDR's registry has a row: DataWeave scripts are followed (Apex
        // loads them by name), onboarding prompts are UI, restriction rules fall back.
        assert!(matches!(
            test_impact("DataWeaveResource"),
            TestImpact::Followed(_)
        ));
        assert!(matches!(
            test_impact("LightningOnboardingConfig"),
            TestImpact::None(_)
        ));
        assert!(matches!(
            test_impact("RestrictionRule"),
            TestImpact::Fallback(_)
        ));
        assert!(named_by_strings("dataweaveresource"));
        assert!(named_by_strings("staticresource"));
        assert!(!named_by_strings("Layout"));
        assert!(type_info(CUSTOM_LABELS).is_some_and(|t| t.many_per_file));
    }

    #[test]
    fn only_types_with_no_test_impact_go_unparsed() {
        for info in all_types() {
            let listed_only = !info.needs_facts();
            assert_eq!(
                listed_only,
                matches!(info.impact(), TestImpact::None(_))
                    && !info.many_per_file
                    && !info.read_by_commands,
                "{}",
                info.name
            );
        }
        for skipped in [
            "Layout",
            "CustomObjectTranslation",
            "Report",
            "ApexPage",
            "AuraDefinitionBundle",
        ] {
            assert!(!needs_facts(skipped), "{skipped}");
        }
        for parsed in [
            APEX_CLASS,
            FLOW,
            CUSTOM_OBJECT,
            CUSTOM_METADATA,
            LWC_BUNDLE,
            CUSTOM_LABELS,
            WORKFLOW,
            APEX_TEST_SUITE,
            "Role",
            "NoSuchType",
        ] {
            assert!(needs_facts(parsed), "{parsed}");
        }
    }
}
