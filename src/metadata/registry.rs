//! The source-format metadata registry: which component a file of a package directory
//! belongs to, and what `package.xml` calls each type.
//!
//! [`classify`] follows the order Salesforce's source-deploy-retrieve (SDR) library uses
//! to resolve a file (reference/formats.md §2.2): first the strict type directories
//! (bundles, static resources, decomposed objects, …), outermost first, then the
//! `Name.<suffix>-meta.xml` suffix, then the content file extension of content+meta
//! types. Nothing depends on the `main/default` layout. Suffixes and directory names
//! are matched case-sensitively, as SDR does; component names keep the file's casing.
//!
//! The table is written by hand from reference/metadata-registry.tsv (every type there)
//! plus every other type of SDR's registry (`metadataRegistry.json`); it is not read at
//! runtime. The
//! decomposition presets `decomposeCustomLabelsBeta2`, `decomposeWorkflowBeta`,
//! `decomposeSharingRulesBeta` and `decomposePermissionSetBeta2` are recognised by their
//! paths, which nothing else uses. This module does not read files: children stored
//! inside one XML file (workflow rules, sharing rules, labels) are found by the XML
//! parsers, using [`children_of`] and [`TypeInfo::xml_element`].

use crate::metadata::component::ComponentId;
use crate::metadata::types;
use crate::metadata::types::{all_types, Strategy, TypeInfo};
#[cfg(test)]
use crate::metadata::types::{children_of, type_info};
use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

/// What part of a component a file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileRole {
    /// The component's main file: the code of a content+meta type (`Foo.cls`), the one
    /// XML file of a single-file type (`Foo.flow-meta.xml`), the parent file of a
    /// decomposed type, or the content of a static resource or document.
    Content,
    /// The `-meta.xml` companion of a content file or of a bundle or resource.
    Meta,
    /// Any other file of a folder-shaped component (LWC, Aura, static resource folder,
    /// experience bundle).
    BundlePart,
    /// The file of one child component of a decomposed parent (a field, a bot version).
    ChildXml,
}

/// A file of a package directory, mapped to its component.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// The component the file belongs to.
    pub component: ComponentId,
    /// What part of the component the file is.
    pub role: FileRole,
    /// The parent component of a child (`CustomObject:Account` for a field).
    pub parent: Option<ComponentId>,
}

/// Suffixes SDR treats as another name for a type's suffix.
const SUFFIX_ALIASES: &[(&str, &str)] = &[
    // `emailTemplateFolder` is an alias of EmailFolder.
    ("emailTemplateFolder", "emailFolder"),
];

/// The lookup indexes over the type table, built once: a plan classifies every path of
/// its revision (14,000 on NPSP), and scanning the table for each decomposed child's
/// type, with the indexes hashed by SipHash, took 7.7 ms of it (3.6 ms now).
struct Indexes {
    /// Top-level types found by their suffix anywhere (strict types excluded).
    by_suffix: HashMap<&'static str, &'static TypeInfo>,
    /// Strict types (and digital experiences) found by their directory.
    by_directory: HashMap<&'static str, &'static TypeInfo>,
    /// Child types by their parent type's name (as the table spells it) and their
    /// suffix; the first in table order, as [`types::children_of`] lists them.
    child_by_suffix: HashMap<(&'static str, &'static str), &'static TypeInfo>,
}

fn indexes() -> &'static Indexes {
    static INDEXES: OnceLock<Indexes> = OnceLock::new();
    INDEXES.get_or_init(|| {
        let mut by_suffix = HashMap::default();
        let mut by_directory = HashMap::default();
        let mut child_by_suffix = HashMap::default();
        for info in all_types() {
            if let Some(parent) = info.parent {
                if let Some(suffix) = info.suffix {
                    child_by_suffix.entry((parent, suffix)).or_insert(info);
                }
                continue;
            }
            if info.strict_directory || info.strategy == Strategy::DigitalExperience {
                by_directory.insert(info.directory, info);
            } else if let Some(suffix) = info.suffix {
                by_suffix.entry(suffix).or_insert(info);
            }
        }
        Indexes {
            by_suffix,
            by_directory,
            child_by_suffix,
        }
    })
}

/// The child type of `parent_type` (a name as the table spells it) with `suffix`.
fn child_type(parent_type: &'static str, suffix: &str) -> Option<&'static TypeInfo> {
    indexes()
        .child_by_suffix
        .get(&(parent_type, suffix))
        .copied()
}

/// Maps a path relative to a package directory (`main/default/classes/Foo.cls`,
/// `/`-separated) to its component; `None` when no known type claims the file.
pub fn classify(path_in_package: &str) -> Option<SourceFile> {
    let segments: Vec<&str> = path_in_package
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    if segments.contains(&"..") {
        return None;
    }
    let (file, dirs) = segments.split_last()?;
    for (i, dir) in dirs.iter().enumerate() {
        if let Some(found) = classify_under(dir, &dirs[i + 1..], file) {
            return Some(found);
        }
    }
    classify_by_suffix(dirs, file)
}

/// `Name.suffix-meta.xml` → (`Name`, `suffix`); the name takes every dot but the last,
/// like SDR's greedy `(.+)\.(.+)-meta\.xml`.
fn parse_meta(file: &str) -> Option<(&str, &str)> {
    let stem = file.strip_suffix("-meta.xml")?;
    let (name, suffix) = stem.rsplit_once('.')?;
    (!name.is_empty() && !suffix.is_empty()).then_some((name, suffix))
}

/// `logo.png` → (`logo`, `Some("png")`); a name without a dot (or a dot-file) has no
/// extension.
fn split_extension(file: &str) -> (&str, Option<&str>) {
    match file.rsplit_once('.') {
        Some((name, ext)) if !name.is_empty() => (name, Some(ext)),
        _ => (file, None),
    }
}

fn id(type_name: &str, full_name: &str) -> ComponentId {
    ComponentId::new(type_name, full_name)
}

/// A file of a top-level component.
fn file_of(component: ComponentId, role: FileRole) -> Option<SourceFile> {
    Some(SourceFile {
        component,
        role,
        parent: None,
    })
}

/// A file of a child component.
fn child(component: ComponentId, role: FileRole, parent: ComponentId) -> Option<SourceFile> {
    Some(SourceFile {
        component,
        role,
        parent: Some(parent),
    })
}

/// Resolution by a type directory `dir` found in the path, with `rest` the directories
/// between it and `file`. `None` lets the caller try a deeper directory, then suffixes.
fn classify_under(dir: &str, rest: &[&str], file: &str) -> Option<SourceFile> {
    match dir {
        // Decomposition presets (formats.md §2.4), recognised by their folder layout.
        "labels" => {
            let (name, suffix) = parse_meta(file)?;
            (suffix == "label").then_some(())?;
            child(
                id(types::CUSTOM_LABEL, name),
                FileRole::ChildXml,
                id(types::CUSTOM_LABELS, types::CUSTOM_LABELS),
            )
        }
        "workflows" | "sharingRules" => {
            let parent_type = if dir == "workflows" {
                types::WORKFLOW
            } else {
                types::SHARING_RULES
            };
            let owner = rest.first()?;
            let (name, suffix) = parse_meta(file)?;
            let child_type = child_type(parent_type, suffix)?;
            child(
                id(child_type.name, &format!("{owner}.{name}")),
                FileRole::ChildXml,
                id(parent_type, owner),
            )
        }
        "permissionsets" => {
            let set = rest.first()?;
            if parse_meta(file).is_some_and(|(_, suffix)| suffix == "permissionset") {
                return None; // the parent file: the suffix rule names it
            }
            file_of(id(types::PERMISSION_SET, set), FileRole::BundlePart)
        }
        "territory2Models" => {
            let model = rest.first()?;
            let (name, suffix) = parse_meta(file)?;
            let type_name = match suffix {
                "territory2Model" => {
                    return file_of(id(types::TERRITORY2_MODEL, name), FileRole::Content)
                }
                "territory2" => types::TERRITORY2,
                "territory2Rule" => types::TERRITORY2_RULE,
                _ => return None,
            };
            file_of(id(type_name, &format!("{model}.{name}")), FileRole::Content)
        }
        _ => {
            let info = indexes().by_directory.get(dir).copied()?;
            classify_strict(info, rest, file)
        }
    }
}

/// Resolution inside the directory of a strict type (or a digital experience).
fn classify_strict(info: &'static TypeInfo, rest: &[&str], file: &str) -> Option<SourceFile> {
    // A bundle inside a folder of bundles (`lwc/forms/lwc/addressInput/`, a layout SDR
    // resolves by the last directory of the type, as Jest does by the innermost
    // bundle): the deeper directory names the component.
    let nested = |rest: &[&str]| rest.iter().skip(1).any(|dir| *dir == info.directory);
    match info.strategy {
        Strategy::Bundle | Strategy::MixedContent if nested(rest) => None,
        Strategy::Bundle => {
            let name = rest.first()?;
            let role = if rest.len() == 1 && file.ends_with("-meta.xml") {
                FileRole::Meta
            } else {
                FileRole::BundlePart
            };
            file_of(id(info.name, name), role)
        }
        Strategy::MixedContent if info.folder_type.is_some() => classify_document(info, rest, file),
        Strategy::MixedContent => match rest.first() {
            Some(name) => file_of(id(info.name, name), FileRole::BundlePart),
            None => match parse_meta(file) {
                // An experience bundle's meta file is `<name>.site-meta.xml`.
                Some((name, suffix))
                    if Some(suffix) == info.suffix
                        || (info.name == types::EXPERIENCE_BUNDLE && suffix == "site") =>
                {
                    file_of(id(info.name, name), FileRole::Meta)
                }
                Some(_) => None,
                // A static resource's single content file; an experience bundle has
                // none at the top level.
                None if info.suffix.is_some() => {
                    file_of(id(info.name, split_extension(file).0), FileRole::Content)
                }
                None => None,
            },
        },
        Strategy::Decomposed => {
            let (name, suffix) = parse_meta(file)?;
            if Some(suffix) == info.suffix {
                return file_of(id(info.name, name), FileRole::Content);
            }
            let owner = rest.first()?;
            // SDR still accepts the legacy `indexe` suffix for indexes.
            let suffix = if suffix == "indexe" { "index" } else { suffix };
            let child_type = child_type(info.name, suffix)?;
            child(
                id(child_type.name, &format!("{owner}.{name}")),
                FileRole::ChildXml,
                id(info.name, owner),
            )
        }
        Strategy::DigitalExperience => {
            // digitalExperiences/<baseType>/<name>/… ; content items are
            // <contentType>/<item>/… inside the bundle.
            let (base_type, name) = (rest.first()?, rest.get(1)?);
            let bundle = id(info.name, &format!("{base_type}/{name}"));
            if rest.len() == 2 {
                let role = match parse_meta(file) {
                    Some((_, suffix)) if Some(suffix) == info.suffix => FileRole::Content,
                    _ => FileRole::BundlePart,
                };
                return file_of(bundle, role);
            }
            match (rest.get(2), rest.get(3)) {
                (Some(content_type), Some(item)) => child(
                    id(
                        types::DIGITAL_EXPERIENCE,
                        &format!("{base_type}/{name}.{content_type}/{item}"),
                    ),
                    FileRole::BundlePart,
                    bundle,
                ),
                _ => file_of(bundle, FileRole::BundlePart),
            }
        }
        // Strict content+meta types (SiteDotCom, AccessControlPolicy): `Name.<suffix>`
        // and `Name.<suffix>-meta.xml`.
        Strategy::ContentWithMeta => {
            let suffix = info.suffix?;
            if let Some((name, found)) = parse_meta(file) {
                return (found == suffix)
                    .then(|| id(info.name, name))
                    .and_then(|c| file_of(c, FileRole::Meta));
            }
            match split_extension(file) {
                (name, Some(extension)) if extension == suffix => {
                    file_of(id(info.name, name), FileRole::Content)
                }
                _ => None,
            }
        }
        // Strict single-file types (CustomSite, EmailServicesFunction).
        _ => {
            let (name, suffix) = parse_meta(file)?;
            (Some(suffix) == info.suffix).then_some(())?;
            file_of(id(info.name, name), FileRole::Content)
        }
    }
}

/// `documents/<Folder>/<Name>.<ext>` + `<Name>.document-meta.xml`, and
/// `documents/<Folder>.documentFolder-meta.xml`.
fn classify_document(info: &'static TypeInfo, rest: &[&str], file: &str) -> Option<SourceFile> {
    let meta = parse_meta(file);
    if let Some((name, "documentFolder")) = meta {
        let folder_type = info.folder_type.unwrap_or(types::DOCUMENT_FOLDER);
        return file_of(id(folder_type, &folder_path(rest, name)), FileRole::Content);
    }
    if rest.is_empty() {
        return None;
    }
    match meta {
        Some((name, suffix)) if Some(suffix) == info.suffix => {
            file_of(id(info.name, &folder_path(rest, name)), FileRole::Meta)
        }
        Some(_) => None,
        None => {
            let name = split_extension(file).0;
            file_of(id(info.name, &folder_path(rest, name)), FileRole::Content)
        }
    }
}

/// `a/b` + `Name` → `a/b/Name`.
fn folder_path(folders: &[&str], name: &str) -> String {
    let mut parts: Vec<&str> = folders.to_vec();
    parts.push(name);
    parts.join("/")
}

/// Resolution by `-meta.xml` suffix, then by content extension of content+meta types.
fn classify_by_suffix(dirs: &[&str], file: &str) -> Option<SourceFile> {
    if let Some((name, suffix)) = parse_meta(file) {
        let suffix = SUFFIX_ALIASES
            .iter()
            .find(|(alias, _)| *alias == suffix)
            .map_or(suffix, |(_, real)| real);
        let info = indexes().by_suffix.get(suffix).copied()?;
        let role = match info.strategy {
            Strategy::ContentWithMeta => FileRole::Meta,
            _ => FileRole::Content,
        };
        return file_of(id(info.name, &full_name(info, dirs, name)), role);
    }
    let (name, extension) = split_extension(file);
    let info = indexes().by_suffix.get(extension?).copied()?;
    (info.strategy == Strategy::ContentWithMeta).then_some(())?;
    file_of(
        id(info.name, &full_name(info, dirs, name)),
        FileRole::Content,
    )
}

/// The full name of a file named `name` of type `info` under `dirs`.
fn full_name(info: &TypeInfo, dirs: &[&str], name: &str) -> String {
    if info.ignore_parsed_full_name {
        return info.name.to_string();
    }
    let type_dir = dirs.iter().position(|d| *d == info.directory);
    if info.folder_type == Some(types::TERRITORY2_MODEL) {
        // territory2Models/<Model>/territories/<Name>: named `<Model>.<Name>`.
        return match dirs.iter().position(|d| *d == "territory2Models") {
            Some(i) if i + 1 < dirs.len() => format!("{}.{name}", dirs[i + 1]),
            _ => name.to_string(),
        };
    }
    if info.folder_type.is_some() {
        // Foldered: every folder below the type directory (or the parent folder).
        let folders: &[&str] = match type_dir {
            Some(i) => &dirs[i + 1..],
            None => dirs.last().map(std::slice::from_ref).unwrap_or(&[]),
        };
        return folder_path(folders, name);
    }
    if info.folder_content_type.is_some() {
        // A folder's own file: nested folders keep their path.
        let folders: &[&str] = type_dir.map_or(&[], |i| &dirs[i + 1..]);
        return folder_path(folders, name);
    }
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(path: &str, expected: &str, role: FileRole, parent: Option<&str>) {
        let found = classify(path).unwrap_or_else(|| panic!("{path}: not classified"));
        assert_eq!(found.component.to_string(), expected, "{path}");
        assert_eq!(found.role, role, "{path}");
        assert_eq!(
            found.parent.map(|p| p.to_string()).as_deref(),
            parent,
            "{path}"
        );
    }

    use FileRole::*;

    /// One path per TSV example (paths relative to the package directory).
    #[rustfmt::skip]
    #[test]
    fn tsv_examples() {
        let rows: &[(&str, &str, FileRole, Option<&str>)] = &[
            ("main/default/classes/InvoiceService.cls", "ApexClass:InvoiceService", Content, None),
            ("main/default/classes/InvoiceService.cls-meta.xml", "ApexClass:InvoiceService", Meta, None),
            ("main/default/triggers/InvoiceTrigger.trigger", "ApexTrigger:InvoiceTrigger", Content, None),
            ("main/default/triggers/InvoiceTrigger.trigger-meta.xml", "ApexTrigger:InvoiceTrigger", Meta, None),
            ("main/default/pages/InvoicePdf.page", "ApexPage:InvoicePdf", Content, None),
            ("main/default/pages/InvoicePdf.page-meta.xml", "ApexPage:InvoicePdf", Meta, None),
            ("main/default/components/Header.component", "ApexComponent:Header", Content, None),
            ("main/default/testSuites/Billing.testSuite-meta.xml", "ApexTestSuite:Billing", Content, None),
            ("main/default/lwc/invoiceList/invoiceList.js", "LightningComponentBundle:invoiceList", BundlePart, None),
            ("main/default/lwc/invoiceList/invoiceList.html", "LightningComponentBundle:invoiceList", BundlePart, None),
            ("main/default/lwc/invoiceList/invoiceList.js-meta.xml", "LightningComponentBundle:invoiceList", Meta, None),
            // Bundles in a folder of bundles: the innermost type directory names them.
            ("main/default/lwc/forms/lwc/addressInput/addressInput.js", "LightningComponentBundle:addressInput", BundlePart, None),
            ("main/default/lwc/forms/lwc/addressInput/addressInput.js-meta.xml", "LightningComponentBundle:addressInput", Meta, None),
            ("main/default/lwc/forms/lwc/addressInput/__tests__/addressInput.test.js", "LightningComponentBundle:addressInput", BundlePart, None),
            ("main/default/lwc/forms/lwc/nested/lwc/deepInput/deepInput.html", "LightningComponentBundle:deepInput", BundlePart, None),
            ("main/default/aura/layouts/aura/invoiceShell/invoiceShell.cmp", "AuraDefinitionBundle:invoiceShell", BundlePart, None),
            ("main/default/staticresources/vendor/staticresources/chart.resource-meta.xml", "StaticResource:chart", Meta, None),
            ("main/default/aura/invoiceApp/invoiceApp.cmp", "AuraDefinitionBundle:invoiceApp", BundlePart, None),
            ("main/default/aura/invoiceApp/invoiceApp.cmp-meta.xml", "AuraDefinitionBundle:invoiceApp", Meta, None),
            ("main/default/aura/invoiceApp/invoiceAppController.js", "AuraDefinitionBundle:invoiceApp", BundlePart, None),
            ("main/default/staticresources/logo.resource-meta.xml", "StaticResource:logo", Meta, None),
            ("main/default/staticresources/logo.png", "StaticResource:logo", Content, None),
            ("main/default/staticresources/bundle.resource-meta.xml", "StaticResource:bundle", Meta, None),
            ("main/default/staticresources/bundle/js/app.js", "StaticResource:bundle", BundlePart, None),
            ("main/default/experiences/Portal1.site-meta.xml", "ExperienceBundle:Portal1", Meta, None),
            ("main/default/experiences/Portal1/views/home.json", "ExperienceBundle:Portal1", BundlePart, None),
            ("main/default/digitalExperiences/site/Portal/Portal.digitalExperience-meta.xml", "DigitalExperienceBundle:site/Portal", Content, None),
            ("main/default/digitalExperiences/site/Portal/sfdc_cms__view/home/content.json", "DigitalExperience:site/Portal.sfdc_cms__view/home", BundlePart, Some("DigitalExperienceBundle:site/Portal")),
            ("main/default/messageChannels/InvoiceChannel.messageChannel-meta.xml", "LightningMessageChannel:InvoiceChannel", Content, None),
            ("main/default/objects/Account/Account.object-meta.xml", "CustomObject:Account", Content, None),
            ("main/default/labels/CustomLabels.labels-meta.xml", "CustomLabels:CustomLabels", Content, None),
            ("main/default/workflows/Account.workflow-meta.xml", "Workflow:Account", Content, None),
            ("main/default/sharingRules/Account.sharingRules-meta.xml", "SharingRules:Account", Content, None),
            ("main/default/bots/Helper/Helper.bot-meta.xml", "Bot:Helper", Content, None),
            ("main/default/bots/Helper/v1.botVersion-meta.xml", "BotVersion:Helper.v1", ChildXml, Some("Bot:Helper")),
            ("main/default/objectTranslations/Account-es/Account-es.objectTranslation-meta.xml", "CustomObjectTranslation:Account-es", Content, None),
            ("main/default/objectTranslations/Account-es/Foo__c.fieldTranslation-meta.xml", "CustomFieldTranslation:Account-es.Foo__c", ChildXml, Some("CustomObjectTranslation:Account-es")),
            ("main/default/flows/Invoice_After_Save.flow-meta.xml", "Flow:Invoice_After_Save", Content, None),
            ("main/default/flowDefinitions/Invoice_After_Save.flowDefinition-meta.xml", "FlowDefinition:Invoice_After_Save", Content, None),
            ("main/default/flowtests/Invoice_After_Save_Test.flowtest-meta.xml", "FlowTest:Invoice_After_Save_Test", Content, None),
            ("main/default/layouts/Account-Account Layout.layout-meta.xml", "Layout:Account-Account Layout", Content, None),
            ("main/default/flexipages/Invoice_Record_Page.flexipage-meta.xml", "FlexiPage:Invoice_Record_Page", Content, None),
            ("main/default/permissionsets/Billing_User.permissionset-meta.xml", "PermissionSet:Billing_User", Content, None),
            ("main/default/permissionsetgroups/Billing.permissionsetgroup-meta.xml", "PermissionSetGroup:Billing", Content, None),
            ("main/default/profiles/Admin.profile-meta.xml", "Profile:Admin", Content, None),
            ("main/default/customMetadata/Config.Default.md-meta.xml", "CustomMetadata:Config.Default", Content, None),
            ("main/default/tabs/Invoice__c.tab-meta.xml", "CustomTab:Invoice__c", Content, None),
            ("main/default/applications/Billing.app-meta.xml", "CustomApplication:Billing", Content, None),
            ("main/default/quickActions/Account.New_Invoice.quickAction-meta.xml", "QuickAction:Account.New_Invoice", Content, None),
            ("main/default/email/Billing/Invoice_Sent.email", "EmailTemplate:Billing/Invoice_Sent", Content, None),
            ("main/default/email/Billing/Invoice_Sent.email-meta.xml", "EmailTemplate:Billing/Invoice_Sent", Meta, None),
            ("main/default/email/Billing.emailFolder-meta.xml", "EmailFolder:Billing", Content, None),
            ("main/default/reports/Billing/Open_Invoices.report-meta.xml", "Report:Billing/Open_Invoices", Content, None),
            ("main/default/reports/Billing.reportFolder-meta.xml", "ReportFolder:Billing", Content, None),
            ("main/default/dashboards/Sales/Pipeline.dashboard-meta.xml", "Dashboard:Sales/Pipeline", Content, None),
            ("main/default/dashboards/Sales.dashboardFolder-meta.xml", "DashboardFolder:Sales", Content, None),
            ("main/default/documents/Shared/Logo.png", "Document:Shared/Logo", Content, None),
            ("main/default/documents/Shared/Logo.document-meta.xml", "Document:Shared/Logo", Meta, None),
            ("main/default/documents/Shared.documentFolder-meta.xml", "DocumentFolder:Shared", Content, None),
            ("main/default/reportTypes/Invoices.reportType-meta.xml", "ReportType:Invoices", Content, None),
            ("main/default/customPermissions/Approve.customPermission-meta.xml", "CustomPermission:Approve", Content, None),
            ("main/default/namedCredentials/Erp.namedCredential-meta.xml", "NamedCredential:Erp", Content, None),
            ("main/default/externalCredentials/Erp.externalCredential-meta.xml", "ExternalCredential:Erp", Content, None),
            ("main/default/remoteSiteSettings/Erp.remoteSite-meta.xml", "RemoteSiteSetting:Erp", Content, None),
            ("main/default/cspTrustedSites/Cdn.cspTrustedSite-meta.xml", "CspTrustedSite:Cdn", Content, None),
            ("main/default/globalValueSets/Regions.globalValueSet-meta.xml", "GlobalValueSet:Regions", Content, None),
            ("main/default/standardValueSets/LeadSource.standardValueSet-meta.xml", "StandardValueSet:LeadSource", Content, None),
            ("main/default/queues/Support.queue-meta.xml", "Queue:Support", Content, None),
            ("main/default/groups/Finance.group-meta.xml", "Group:Finance", Content, None),
            ("main/default/roles/CEO.role-meta.xml", "Role:CEO", Content, None),
            ("main/default/notificationtypes/Overdue.notiftype-meta.xml", "CustomNotificationType:Overdue", Content, None),
            ("main/default/contentassets/logo.asset", "ContentAsset:logo", Content, None),
            ("main/default/contentassets/logo.asset-meta.xml", "ContentAsset:logo", Meta, None),
            ("main/default/translations/es.translation-meta.xml", "Translations:es", Content, None),
            ("main/default/assignmentRules/Lead.assignmentRules-meta.xml", "AssignmentRules:Lead", Content, None),
            ("main/default/autoResponseRules/Case.autoResponseRules-meta.xml", "AutoResponseRules:Case", Content, None),
            ("main/default/escalationRules/Case.escalationRules-meta.xml", "EscalationRules:Case", Content, None),
            ("main/default/matchingRules/Account.matchingRule-meta.xml", "MatchingRules:Account", Content, None),
            ("main/default/duplicateRules/Account.Dupes.duplicateRule-meta.xml", "DuplicateRule:Account.Dupes", Content, None),
            ("main/default/connectedApps/Erp.connectedApp-meta.xml", "ConnectedApp:Erp", Content, None),
            ("main/default/pathAssistants/Opp.pathAssistant-meta.xml", "PathAssistant:Opp", Content, None),
            ("main/default/settings/Account.settings-meta.xml", "Settings:Account", Content, None),
            ("main/default/platformEventChannels/Chan.platformEventChannel-meta.xml", "PlatformEventChannel:Chan", Content, None),
            ("main/default/platformEventChannelMembers/M.platformEventChannelMember-meta.xml", "PlatformEventChannelMember:M", Content, None),
            ("main/default/PlatformEventSubscriberConfigs/S.platformEventSubscriberConfig-meta.xml", "PlatformEventSubscriberConfig:S", Content, None),
            ("main/default/sites/Portal.site-meta.xml", "CustomSite:Portal", Content, None),
            ("main/default/networks/Portal.network-meta.xml", "Network:Portal", Content, None),
            ("main/default/approvalProcesses/Invoice__c.Approve.approvalProcess-meta.xml", "ApprovalProcess:Invoice__c.Approve", Content, None),
            ("main/default/territory2Models/Global/Global.territory2Model-meta.xml", "Territory2Model:Global", Content, None),
            ("main/default/territory2Models/Global/territories/EMEA.territory2-meta.xml", "Territory2:Global.EMEA", Content, None),
            ("main/default/territory2Models/Global/rules/Big.territory2Rule-meta.xml", "Territory2Rule:Global.Big", Content, None),
            ("main/default/territory2Types/Region.territory2Type-meta.xml", "Territory2Type:Region", Content, None),
            ("main/default/externalServiceRegistrations/Erp.externalServiceRegistration-meta.xml", "ExternalServiceRegistration:Erp", Content, None),
            ("main/default/genAiPlugins/Billing.genAiPlugin-meta.xml", "GenAiPlugin:Billing", Content, None),
            ("main/default/genAiFunctions/Lookup/schema.json", "GenAiFunction:Lookup", BundlePart, None),
            ("main/default/genAiPlannerBundles/Agent/Agent.genAiPlannerBundle", "GenAiPlannerBundle:Agent", BundlePart, None),
            ("main/default/letterhead/Corp.letter-meta.xml", "Letterhead:Corp", Content, None),
            ("main/default/brandingSets/Corp.brandingSet-meta.xml", "BrandingSet:Corp", Content, None),
            // CustomObject children.
            ("main/default/objects/Account/fields/Foo__c.field-meta.xml", "CustomField:Account.Foo__c", ChildXml, Some("CustomObject:Account")),
            ("main/default/objects/Account/validationRules/Foo_Required.validationRule-meta.xml", "ValidationRule:Account.Foo_Required", ChildXml, Some("CustomObject:Account")),
            ("main/default/objects/Account/recordTypes/Partner.recordType-meta.xml", "RecordType:Account.Partner", ChildXml, Some("CustomObject:Account")),
            ("main/default/objects/Account/listViews/All.listView-meta.xml", "ListView:Account.All", ChildXml, Some("CustomObject:Account")),
            ("main/default/objects/Account/compactLayouts/Main.compactLayout-meta.xml", "CompactLayout:Account.Main", ChildXml, Some("CustomObject:Account")),
            ("main/default/objects/Account/webLinks/Open_Map.webLink-meta.xml", "WebLink:Account.Open_Map", ChildXml, Some("CustomObject:Account")),
            ("main/default/objects/Account/fieldSets/Summary.fieldSet-meta.xml", "FieldSet:Account.Summary", ChildXml, Some("CustomObject:Account")),
            ("main/default/objects/Account/businessProcesses/Sales.businessProcess-meta.xml", "BusinessProcess:Account.Sales", ChildXml, Some("CustomObject:Account")),
            ("main/default/objects/Big__b/indexes/ByDate.index-meta.xml", "Index:Big__b.ByDate", ChildXml, Some("CustomObject:Big__b")),
            ("main/default/objects/Big__b/indexes/Old.indexe-meta.xml", "Index:Big__b.Old", ChildXml, Some("CustomObject:Big__b")),
            ("main/default/objects/Invoice__c/sharingReasons/Auditor__c.sharingReason-meta.xml", "SharingReason:Invoice__c.Auditor__c", ChildXml, Some("CustomObject:Invoice__c")),
        ];
        for (path, expected, role, parent) in rows {
            check(path, expected, *role, *parent);
        }
    }

    #[rustfmt::skip]
    #[test]
    fn types_beyond_the_tsv() {
        let rows: &[(&str, &str, FileRole)] = &[
            ("weblinks/Help.weblink-meta.xml", "CustomPageWebLink:Help", Content),
            ("authproviders/Google.authprovider-meta.xml", "AuthProvider:Google", Content),
            ("certs/Signing.crt", "Certificate:Signing", Content),
            ("certs/Signing.crt-meta.xml", "Certificate:Signing", Meta),
            ("emailservices/Inbound.xml-meta.xml", "EmailServicesFunction:Inbound", Content),
            ("lightningTypes/money/schema.json", "LightningTypeBundle:money", BundlePart),
            ("cachePartitions/Main.cachePartition-meta.xml", "PlatformCachePartition:Main", Content),
            ("externalClientApps/Erp.eca-meta.xml", "ExternalClientApplication:Erp", Content),
            ("dw/Orders_To_Csv.dwl", "DataWeaveResource:Orders_To_Csv", Content),
            ("dw/Orders_To_Csv.dwl-meta.xml", "DataWeaveResource:Orders_To_Csv", Meta),
            ("lightningOnboardingConfigs/Welcome.lightningOnboardingConfig-meta.xml", "LightningOnboardingConfig:Welcome", Content),
            ("siteDotComSites/Portal1.site", "SiteDotCom:Portal1", Content),
            ("siteDotComSites/Portal1.site-meta.xml", "SiteDotCom:Portal1", Meta),
            ("restrictionRules/Own_Cases.rule-meta.xml", "RestrictionRule:Own_Cases", Content),
            ("moderation/Bad_Words.rule-meta.xml", "ModerationRule:Bad_Words", Content),
            ("integrationHub/Hub.settings-meta.xml", "IntegrationHubSettings:Hub", Content),
            ("integrationHub/Kind.type-meta.xml", "IntegrationHubSettingsType:Kind", Content),
            ("uiBundles/shell/index.html", "UIBundle:shell", BundlePart),
            ("wave/Sales.wdash", "WaveDashboard:Sales", Content),
            ("omniScripts/Intake.os-meta.xml", "OmniScript:Intake", Content),
        ];
        for (path, expected, role) in rows {
            check(path, expected, *role, None);
        }
    }

    #[test]
    fn tricky_paths() {
        // Jest tests are part of their bundle; the caller decides what to do with them.
        check(
            "lwc/x/__tests__/x.test.js",
            "LightningComponentBundle:x",
            BundlePart,
            None,
        );
        // Any nesting works: SDR does not need main/default.
        check("a/b/c/classes/Foo.cls", "ApexClass:Foo", Content, None);
        check("Foo.cls", "ApexClass:Foo", Content, None);
        // The outermost strict directory wins over names inside a bundle.
        check(
            "staticresources/lib/lwc/x.js",
            "StaticResource:lib",
            BundlePart,
            None,
        );
        check(
            "staticresources/lib/classes/A.cls",
            "StaticResource:lib",
            BundlePart,
            None,
        );
        // Names keep their casing and dots.
        check(
            "quickActions/Account.New_Invoice.quickAction-meta.xml",
            "QuickAction:Account.New_Invoice",
            Content,
            None,
        );
        check(
            "customMetadata/My_Type.My_Record.md-meta.xml",
            "CustomMetadata:My_Type.My_Record",
            Content,
            None,
        );
        check(
            "labels/Anything.labels-meta.xml",
            "CustomLabels:CustomLabels",
            Content,
            None,
        );
        // Nested report folders keep their path; an alias suffix maps to its type.
        check(
            "reports/Parent/Child/R.report-meta.xml",
            "Report:Parent/Child/R",
            Content,
            None,
        );
        check(
            "reports/Parent/Child.reportFolder-meta.xml",
            "ReportFolder:Parent/Child",
            Content,
            None,
        );
        check(
            "email/Billing.emailTemplateFolder-meta.xml",
            "EmailFolder:Billing",
            Content,
            None,
        );
        // Static resource content named with several dots: SDR drops the last extension.
        check(
            "staticresources/jquery.min.js",
            "StaticResource:jquery.min",
            Content,
            None,
        );
        // Layout names with spaces and parentheses.
        check(
            "layouts/Case-Case Layout (Support).layout-meta.xml",
            "Layout:Case-Case Layout (Support)",
            Content,
            None,
        );
    }

    #[test]
    fn decomposition_presets() {
        check(
            "labels/Greeting.label-meta.xml",
            "CustomLabel:Greeting",
            ChildXml,
            Some("CustomLabels:CustomLabels"),
        );
        check(
            "workflows/Account/workflowRules/Notify.workflowRule-meta.xml",
            "WorkflowRule:Account.Notify",
            ChildXml,
            Some("Workflow:Account"),
        );
        check(
            "sharingRules/Account/sharingCriteriaRules/Partners.sharingCriteriaRule-meta.xml",
            "SharingCriteriaRule:Account.Partners",
            ChildXml,
            Some("SharingRules:Account"),
        );
        check(
            "permissionsets/Billing/Billing.permissionset-meta.xml",
            "PermissionSet:Billing",
            Content,
            None,
        );
        check(
            "permissionsets/Billing/objectSettings/Account.objectSettings-meta.xml",
            "PermissionSet:Billing",
            BundlePart,
            None,
        );
        check(
            "workflows/Account/Account.workflow-meta.xml",
            "Workflow:Account",
            Content,
            None,
        );
        // The child folders of the presets, SDR's test project's lowercase owner folder,
        // and the older labels preset (`labels/CustomLabels/…`).
        check(
            "workflows/Case/workflowFieldUpdates/ChangePriorityToHigh.workflowFieldUpdate-meta.xml",
            "WorkflowFieldUpdate:Case.ChangePriorityToHigh",
            ChildXml,
            Some("Workflow:Case"),
        );
        check(
            "sharingRules/account/sharingOwnerRules/Desk.sharingOwnerRule-meta.xml",
            "SharingOwnerRule:account.Desk",
            ChildXml,
            Some("SharingRules:account"),
        );
        check(
            "sharingRules/account/account.sharingRules-meta.xml",
            "SharingRules:account",
            Content,
            None,
        );
        check(
            "labels/CustomLabels/Greeting.label-meta.xml",
            "CustomLabel:Greeting",
            ChildXml,
            Some("CustomLabels:CustomLabels"),
        );
        check(
            "labels/CustomLabels/CustomLabels.labels-meta.xml",
            "CustomLabels:CustomLabels",
            Content,
            None,
        );
    }

    #[test]
    fn unknown_and_misplaced_files_are_none() {
        for path in [
            "",
            "README.md",
            "lwc/jsconfig.json",
            "objects/Account/README.md",
            "objects/Foo__c.field-meta.xml",
            "main/default/Foo.unknown-meta.xml",
            "experiences/readme.txt",
            "documents/Logo.png",
            // Strict types only count inside their directory; SDR is case-sensitive.
            "other/Portal.site-meta.xml",
            "classes/Foo.CLS",
            "classes/Foo.cls-META.xml",
            "fields/Foo__c.field-meta.xml",
            "classes/../Foo.cls",
            "labels/X.label",
        ] {
            assert_eq!(classify(path), None, "{path}");
        }
    }

    /// The index finds the child type the table's scan finds, for every parent the
    /// classification asks about (spelled as the table spells the parent's name).
    #[test]
    fn child_types_by_suffix_are_the_tables() {
        let mut checked = 0;
        for parent in all_types() {
            for child in children_of(parent.name) {
                let suffix = child.suffix.expect("every child type has a suffix");
                let first = children_of(parent.name)
                    .into_iter()
                    .find(|c| c.suffix == Some(suffix))
                    .map(|c| c.name);
                assert_eq!(child_type(parent.name, suffix).map(|c| c.name), first);
                checked += 1;
            }
        }
        assert!(checked > 20, "{checked}");
        for parent in [types::WORKFLOW, types::SHARING_RULES, types::CUSTOM_OBJECT] {
            assert_eq!(type_info(parent).map(|info| info.name), Some(parent));
        }
        assert_eq!(
            child_type(types::CUSTOM_OBJECT, "field").map(|c| c.name),
            Some("CustomField")
        );
    }

    #[test]
    fn type_info_and_children() {
        let apex = type_info("apexclass").unwrap();
        assert_eq!(apex.name, "ApexClass");
        assert_eq!(apex.directory, "classes");
        assert_eq!(apex.suffix, Some("cls"));
        assert_eq!(
            type_info("CustomField").unwrap().parent,
            Some("CustomObject")
        );
        assert!(!type_info("CustomFieldTranslation").unwrap().addressable);
        assert_eq!(
            type_info("Report").unwrap().folder_type,
            Some("ReportFolder")
        );
        assert_eq!(type_info("Nope"), None);
        let workflow: Vec<(&str, Option<&str>)> = children_of("Workflow")
            .iter()
            .map(|c| (c.name, c.xml_element))
            .collect();
        assert_eq!(workflow.len(), 8);
        assert!(workflow.contains(&("WorkflowRule", Some("rules"))));
        assert!(type_info("CustomLabel").unwrap().ignore_parent_name);
        assert_eq!(children_of("CustomObject").len(), 10);
    }

    /// Every type of reference/metadata-registry.tsv is in the table with the same
    /// directory and suffix.
    #[rustfmt::skip]
    #[test]
    fn table_covers_the_tsv() {
        const TSV: &[(&str, &str, &str)] = &[
            ("ApexClass", "classes", "cls"), ("ApexTrigger", "triggers", "trigger"),
            ("ApexPage", "pages", "page"), ("ApexComponent", "components", "component"),
            ("ApexTestSuite", "testSuites", "testSuite"), ("LightningComponentBundle", "lwc", ""),
            ("AuraDefinitionBundle", "aura", ""), ("StaticResource", "staticresources", "resource"),
            ("ExperienceBundle", "experiences", ""),
            ("DigitalExperienceBundle", "digitalExperiences", "digitalExperience"),
            ("LightningMessageChannel", "messageChannels", "messageChannel"),
            ("CustomObject", "objects", "object"), ("CustomLabels", "labels", "labels"),
            ("Workflow", "workflows", "workflow"), ("SharingRules", "sharingRules", "sharingRules"),
            ("Bot", "bots", "bot"), ("CustomObjectTranslation", "objectTranslations", "objectTranslation"),
            ("Flow", "flows", "flow"), ("FlowDefinition", "flowDefinitions", "flowDefinition"),
            ("FlowTest", "flowtests", "flowtest"), ("Layout", "layouts", "layout"),
            ("FlexiPage", "flexipages", "flexipage"), ("PermissionSet", "permissionsets", "permissionset"),
            ("PermissionSetGroup", "permissionsetgroups", "permissionsetgroup"),
            ("Profile", "profiles", "profile"), ("CustomMetadata", "customMetadata", "md"),
            ("CustomTab", "tabs", "tab"), ("CustomApplication", "applications", "app"),
            ("QuickAction", "quickActions", "quickAction"), ("EmailTemplate", "email", "email"),
            ("EmailFolder", "email", "emailFolder"), ("Report", "reports", "report"),
            ("ReportFolder", "reports", "reportFolder"), ("Dashboard", "dashboards", "dashboard"),
            ("DashboardFolder", "dashboards", "dashboardFolder"), ("Document", "documents", "document"),
            ("DocumentFolder", "documents", "documentFolder"), ("ReportType", "reportTypes", "reportType"),
            ("CustomPermission", "customPermissions", "customPermission"),
            ("NamedCredential", "namedCredentials", "namedCredential"),
            ("ExternalCredential", "externalCredentials", "externalCredential"),
            ("RemoteSiteSetting", "remoteSiteSettings", "remoteSite"),
            ("CspTrustedSite", "cspTrustedSites", "cspTrustedSite"),
            ("GlobalValueSet", "globalValueSets", "globalValueSet"),
            ("StandardValueSet", "standardValueSets", "standardValueSet"), ("Queue", "queues", "queue"),
            ("Group", "groups", "group"), ("Role", "roles", "role"),
            ("CustomNotificationType", "notificationtypes", "notiftype"),
            ("ContentAsset", "contentassets", "asset"), ("Translations", "translations", "translation"),
            ("AssignmentRules", "assignmentRules", "assignmentRules"),
            ("AutoResponseRules", "autoResponseRules", "autoResponseRules"),
            ("EscalationRules", "escalationRules", "escalationRules"),
            ("MatchingRules", "matchingRules", "matchingRule"), ("DuplicateRule", "duplicateRules", "duplicateRule"),
            ("ConnectedApp", "connectedApps", "connectedApp"), ("PathAssistant", "pathAssistants", "pathAssistant"),
            ("Settings", "settings", "settings"),
            ("PlatformEventChannel", "platformEventChannels", "platformEventChannel"),
            ("PlatformEventChannelMember", "platformEventChannelMembers", "platformEventChannelMember"),
            ("PlatformEventSubscriberConfig", "PlatformEventSubscriberConfigs", "platformEventSubscriberConfig"),
            ("CustomSite", "sites", "site"), ("Network", "networks", "network"),
            ("ApprovalProcess", "approvalProcesses", "approvalProcess"),
            ("Territory2Model", "territory2Models", "territory2Model"), ("Territory2", "territories", "territory2"),
            ("Territory2Rule", "rules", "territory2Rule"), ("Territory2Type", "territory2Types", "territory2Type"),
            ("ExternalServiceRegistration", "externalServiceRegistrations", "externalServiceRegistration"),
            ("GenAiPlugin", "genAiPlugins", "genAiPlugin"), ("GenAiFunction", "genAiFunctions", ""),
            ("GenAiPlannerBundle", "genAiPlannerBundles", ""), ("Letterhead", "letterhead", "letter"),
            ("BrandingSet", "brandingSets", "brandingSet"),
            ("AssignmentRule", "assignmentRules", "assignmentRule"),
            ("AutoResponseRule", "autoResponseRules", "autoResponseRule"), ("BotVersion", "botVersions", "botVersion"),
            ("CustomLabel", "labels", "labels"), ("BusinessProcess", "businessProcesses", "businessProcess"),
            ("CompactLayout", "compactLayouts", "compactLayout"), ("CustomField", "fields", "field"),
            ("FieldSet", "fieldSets", "fieldSet"), ("Index", "indexes", "index"), ("ListView", "listViews", "listView"),
            ("RecordType", "recordTypes", "recordType"), ("SharingReason", "sharingReasons", "sharingReason"),
            ("ValidationRule", "validationRules", "validationRule"), ("WebLink", "webLinks", "webLink"),
            ("CustomFieldTranslation", "fields", "fieldTranslation"),
            ("DigitalExperience", "digitalExperiences", "digitalExperience"),
            ("EscalationRule", "escalationRules", "escalationRule"), ("MatchingRule", "matchingRules", "matchingRule"),
            ("SharingCriteriaRule", "sharingRules", "sharingCriteriaRule"),
            ("SharingGuestRule", "sharingRules", "sharingGuestRule"),
            ("SharingOwnerRule", "sharingRules", "sharingOwnerRule"),
            ("SharingTerritoryRule", "sharingRules", "sharingTerritoryRule"),
            ("WorkflowAlert", "workflowAlerts", "workflowAlert"),
            ("WorkflowFieldUpdate", "workflowFieldUpdates", "workflowFieldUpdate"),
            ("WorkflowFlowAction", "workflowFlowActions", "workflowFlowAction"),
            ("WorkflowKnowledgePublish", "workflowKnowledgePublishs", "workflowKnowledgePublish"),
            ("WorkflowOutboundMessage", "workflowOutboundMessages", "workflowOutboundMessage"),
            ("WorkflowRule", "workflowRules", "workflowRule"), ("WorkflowSend", "workflowSends", "workflowSend"),
            ("WorkflowTask", "workflowTasks", "workflowTask"),
        ];
        assert_eq!(TSV.len(), 105, "75 top-level + 30 child types");
        for (name, dir, suffix) in TSV {
            let info = type_info(name).unwrap_or_else(|| panic!("{name} missing"));
            assert_eq!(info.name, *name);
            assert_eq!(info.directory, *dir, "{name}");
            assert_eq!(info.suffix.unwrap_or(""), *suffix, "{name}");
        }
        let mut names: Vec<&str> = all_types().iter().map(|t| t.name).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "duplicate type names");
    }
}
