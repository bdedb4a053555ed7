//! The type table's rule (issue 11 item 4, issue 14 item 1): every metadata type is
//! followed, has no test impact, or falls back, and a followed type really reaches a
//! test. The table test walks `impact::metadata::types::all_types()` and, for each
//! followed type, runs a scenario below on `fixtures/automation`: the base adds a
//! `Probe__c` object, a `ProbeTest` class that saves one, and the component under test;
//! the head changes that component. The plan must select a test whose reason starts at
//! the changed component over one of the edge kinds the table names for the type (or,
//! for a test type, select the changed test itself). A followed type without a
//! scenario fails the test, so a new row cannot claim to be followed without proof.

use crate::support::*;
use impact::metadata::types::{self, TestImpact};
use serde_json::Value;

const MAIN: &str = "force-app/main/default";

/// One followed type's proof: files the base adds, one edit the head makes, and the
/// component the edit changes.
struct Scenario {
    type_name: &'static str,
    /// The changed component (`Type:Name`).
    component: &'static str,
    /// Files added to the base (paths under `force-app/main/default`).
    base: &'static [(&'static str, &'static str)],
    /// The body of `ProbeTest.probe()` in the base.
    probe: &'static str,
    /// The head's edit: path, text, replacement.
    head: (&'static str, &'static str, &'static str),
}

const OBJECT: (&str, &str) = (
    "objects/Probe__c/Probe__c.object-meta.xml",
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomObject xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <label>Probe</label>\n    <pluralLabel>Probes</pluralLabel>\n    <sharingModel>ReadWrite</sharingModel>\n</CustomObject>\n",
);

/// Saves a probe: every piece of `Probe__c` automation runs for `ProbeTest`.
const SAVE: &str = "insert new Probe__c(Name = 'p');";

const WORKFLOW: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<Workflow xmlns=\"http://soap.sforce.com/2006/04/metadata\">
    <alerts><fullName>Probe_Alert</fullName><description>a</description></alerts>
    <fieldUpdates><fullName>Probe_Update</fullName><field>Name</field><literalValue>x</literalValue><operation>Literal</operation></fieldUpdates>
    <flowActions><fullName>Probe_Flow_Action</fullName><description>a</description></flowActions>
    <knowledgePublishes><fullName>Probe_Publish</fullName><description>a</description></knowledgePublishes>
    <outboundMessages><fullName>Probe_Message</fullName><description>a</description></outboundMessages>
    <rules>
        <fullName>Probe_Rule</fullName>
        <actions><name>Probe_Alert</name><type>Alert</type></actions>
        <actions><name>Probe_Update</name><type>FieldUpdate</type></actions>
        <actions><name>Probe_Flow_Action</name><type>FlowAction</type></actions>
        <actions><name>Probe_Publish</name><type>KnowledgePublish</type></actions>
        <actions><name>Probe_Message</name><type>OutboundMessage</type></actions>
        <actions><name>Probe_Send</name><type>Send</type></actions>
        <actions><name>Probe_Task</name><type>Task</type></actions>
        <active>true</active>
        <formula>true</formula>
        <triggerType>onCreateOnly</triggerType>
    </rules>
    <send><fullName>Probe_Send</fullName><description>a</description></send>
    <tasks><fullName>Probe_Task</fullName><subject>a</subject></tasks>
</Workflow>
";

const SHARING: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<SharingRules xmlns=\"http://soap.sforce.com/2006/04/metadata\">
    <sharingCriteriaRules><fullName>Probe_Criteria</fullName><accessLevel>Read</accessLevel></sharingCriteriaRules>
    <sharingGuestRules><fullName>Probe_Guest</fullName><accessLevel>Read</accessLevel></sharingGuestRules>
    <sharingOwnerRules><fullName>Probe_Owner</fullName><accessLevel>Read</accessLevel></sharingOwnerRules>
    <sharingTerritoryRules><fullName>Probe_Territory</fullName><accessLevel>Read</accessLevel></sharingTerritoryRules>
</SharingRules>
";

const FLOW: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<Flow xmlns=\"http://soap.sforce.com/2006/04/metadata\">
    <label>Probe Flow</label>
    <processType>AutoLaunchedFlow</processType>
    <start>
        <object>Probe__c</object>
        <recordTriggerType>Create</recordTriggerType>
        <triggerType>RecordAfterSave</triggerType>
    </start>
    <status>Active</status>
</Flow>
";

fn xml(root: &str, body: &str) -> String {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{root} xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    {body}\n</{root}>\n")
}

/// An agent (`Probe_Agent`) with one topic (`Probe_Topic`) with one action
/// (`Probe_Action`); `ProbeTest` names the agent, as code invoking it does.
const AGENT: &[(&str, &str)] = &[
    (
        "genAiFunctions/Probe_Action/Probe_Action.genAiFunction-meta.xml",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<GenAiFunction xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <description>one</description>\n    <invocationTarget>ProbeAction</invocationTarget>\n    <invocationTargetType>apex</invocationTargetType>\n    <masterLabel>Probe Action</masterLabel>\n</GenAiFunction>\n",
    ),
    (
        "genAiPlugins/Probe_Topic.genAiPlugin-meta.xml",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<GenAiPlugin xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <description>one</description>\n    <developerName>Probe_Topic</developerName>\n    <genAiFunctions>\n        <functionName>Probe_Action</functionName>\n    </genAiFunctions>\n</GenAiPlugin>\n",
    ),
    (
        "genAiPlannerBundles/Probe_Agent/Probe_Agent.genAiPlannerBundle",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<GenAiPlannerBundle xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <description>one</description>\n    <genAiPlugins>\n        <genAiPluginName>Probe_Topic</genAiPluginName>\n    </genAiPlugins>\n    <plannerType>AiCopilot__ReAct</plannerType>\n</GenAiPlannerBundle>\n",
    ),
];

/// Invokes the agent by name.
const INVOKE_AGENT: &str = "Invocable.Action agent = Invocable.Action.createCustomAction('generateAiAgentResponse', 'Probe_Agent');";

/// One scenario per followed type (test types included).
fn scenarios() -> Vec<Scenario> {
    macro_rules! by_name {
        ($type:literal, $name:literal, $path:literal, $root:literal) => {
            Scenario {
                type_name: $type,
                component: concat!($type, ":", $name),
                base: &[(
                    $path,
                    concat!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<", $root,
                        " xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <description>one</description>\n</", $root, ">\n"),
                )],
                probe: concat!("String name = '", $name, "';"),
                head: ($path, "one", "two"),
            }
        };
    }
    vec![
        Scenario {
            type_name: "ApexClass",
            component: "ApexClass:Probe",
            base: &[
                ("classes/Probe.cls", "public class Probe {\n    public static Integer run() {\n        return 1;\n    }\n}\n"),
            ],
            probe: "Probe.run();",
            head: ("classes/Probe.cls", "return 1;", "return 2;"),
        },
        Scenario {
            type_name: "ApexTrigger",
            component: "ApexTrigger:ProbeTrigger",
            base: &[("triggers/ProbeTrigger.trigger", "trigger ProbeTrigger on Probe__c (before insert) {\n    Integer one = 1;\n}\n")],
            probe: SAVE,
            head: ("triggers/ProbeTrigger.trigger", "= 1;", "= 2;"),
        },
        Scenario {
            type_name: "LightningComponentBundle",
            component: "LightningComponentBundle:probeCard",
            base: &[
                ("lwc/probeCard/probeCard.js", "import { LightningElement } from 'lwc';\nexport default class ProbeCard extends LightningElement {\n    count = 1;\n}\n"),
                ("lwc/probeCard/probeCard.js-meta.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LightningComponentBundle xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <apiVersion>62.0</apiVersion>\n</LightningComponentBundle>\n"),
                ("lwc/probeCard/__tests__/probeCard.test.js", "import { createElement } from 'lwc';\nimport ProbeCard from 'c/probeCard';\n\ndescribe('c-probe-card', () => {\n    it('renders', () => {\n        const element = createElement('c-probe-card', { is: ProbeCard });\n        document.body.appendChild(element);\n    });\n});\n"),
            ],
            probe: "",
            head: ("lwc/probeCard/probeCard.js", "count = 1;", "count = 2;"),
        },
        Scenario {
            type_name: "LwcJestTest",
            component: "LwcJestTest:force-app/main/default/lwc/probeCard/__tests__/probeCard.test.js",
            base: &[
                ("lwc/probeCard/probeCard.js", "import { LightningElement } from 'lwc';\nexport default class ProbeCard extends LightningElement {}\n"),
                ("lwc/probeCard/__tests__/probeCard.test.js", "import ProbeCard from 'c/probeCard';\n\ndescribe('c-probe-card', () => {\n    it('renders', () => {\n        expect(ProbeCard).toBeDefined();\n    });\n});\n"),
            ],
            probe: "",
            head: ("lwc/probeCard/__tests__/probeCard.test.js", "toBeDefined()", "toBeTruthy()"),
        },
        Scenario {
            type_name: "StaticResource",
            component: "StaticResource:ProbeData",
            base: &[
                ("staticresources/ProbeData.csv", "Name\none\n"),
                ("staticresources/ProbeData.resource-meta.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<StaticResource xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <cacheControl>Private</cacheControl>\n    <contentType>text/csv</contentType>\n</StaticResource>\n"),
            ],
            probe: "Test.loadData(Probe__c.SObjectType, 'ProbeData');",
            head: ("staticresources/ProbeData.csv", "one", "two"),
        },
        Scenario {
            type_name: "CustomObject",
            component: "CustomObject:Probe__c",
            base: &[],
            probe: SAVE,
            head: (OBJECT.0, "<label>Probe</label>", "<label>Probe2</label>"),
        },
        Scenario {
            type_name: "CustomField",
            component: "CustomField:Probe__c.Level__c",
            base: &[("objects/Probe__c/fields/Level__c.field-meta.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomField xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <fullName>Level__c</fullName>\n    <label>Level</label>\n    <required>false</required>\n    <type>Text</type>\n    <length>10</length>\n</CustomField>\n")],
            probe: SAVE,
            head: ("objects/Probe__c/fields/Level__c.field-meta.xml", "<required>false</required>", "<required>true</required>"),
        },
        Scenario {
            type_name: "ValidationRule",
            component: "ValidationRule:Probe__c.Probe_Rule",
            base: &[("objects/Probe__c/validationRules/Probe_Rule.validationRule-meta.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ValidationRule xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <fullName>Probe_Rule</fullName>\n    <active>true</active>\n    <errorConditionFormula>ISBLANK(Name)</errorConditionFormula>\n    <errorMessage>Name</errorMessage>\n</ValidationRule>\n")],
            probe: SAVE,
            head: ("objects/Probe__c/validationRules/Probe_Rule.validationRule-meta.xml", "ISBLANK(Name)", "LEN(Name) > 3"),
        },
        Scenario {
            type_name: "RecordType",
            component: "RecordType:Probe__c.Special",
            base: &[("objects/Probe__c/recordTypes/Special.recordType-meta.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<RecordType xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <fullName>Special</fullName>\n    <active>true</active>\n    <label>Special</label>\n</RecordType>\n")],
            probe: "Id special = Schema.SObjectType.Probe__c.getRecordTypeInfosByDeveloperName().get('Special').getRecordTypeId();",
            head: ("objects/Probe__c/recordTypes/Special.recordType-meta.xml", "<active>true</active>", "<active>false</active>"),
        },
        Scenario {
            type_name: "FieldSet",
            component: "FieldSet:Probe__c.Columns",
            base: &[("objects/Probe__c/fieldSets/Columns.fieldSet-meta.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<FieldSet xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <fullName>Columns</fullName>\n    <displayedFields>\n        <field>Name</field>\n        <isFieldManaged>false</isFieldManaged>\n        <isRequired>false</isRequired>\n    </displayedFields>\n    <label>Columns</label>\n</FieldSet>\n")],
            probe: "System.assertEquals(1, Schema.SObjectType.Probe__c.fieldSets.Columns.getFields().size());",
            head: ("objects/Probe__c/fieldSets/Columns.fieldSet-meta.xml", "<field>Name</field>", "<field>CreatedDate</field>"),
        },
        Scenario {
            type_name: "Flow",
            component: "Flow:Probe_Flow",
            base: &[("flows/Probe_Flow.flow-meta.xml", FLOW)],
            probe: SAVE,
            head: ("flows/Probe_Flow.flow-meta.xml", "<label>Probe Flow</label>", "<label>Probe Flow 2</label>"),
        },
        Scenario {
            type_name: "FlowTest",
            component: "FlowTest:Probe_Flow_Test",
            base: &[
                ("flows/Probe_Flow.flow-meta.xml", FLOW),
                ("flowtests/Probe_Flow_Test.flowtest-meta.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<FlowTest xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <flowApiName>Probe_Flow</flowApiName>\n    <label>Probe one</label>\n</FlowTest>\n"),
            ],
            probe: "",
            head: ("flowtests/Probe_Flow_Test.flowtest-meta.xml", "Probe one", "Probe two"),
        },
        Scenario {
            type_name: "FlowDefinition",
            component: "FlowDefinition:Probe_Flow",
            base: &[
                ("flows/Probe_Flow.flow-meta.xml", FLOW),
                ("flowDefinitions/Probe_Flow.flowDefinition-meta.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<FlowDefinition xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <activeVersionNumber>1</activeVersionNumber>\n</FlowDefinition>\n"),
            ],
            probe: SAVE,
            head: ("flowDefinitions/Probe_Flow.flowDefinition-meta.xml", ">1<", ">2<"),
        },
        Scenario {
            type_name: "CustomLabel",
            component: "CustomLabel:Probe_Label",
            base: &[("labels/CustomLabels.labels-meta.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomLabels xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <labels>\n        <fullName>Probe_Label</fullName>\n        <language>en_US</language>\n        <protected>false</protected>\n        <shortDescription>Probe</shortDescription>\n        <value>one</value>\n    </labels>\n</CustomLabels>\n")],
            probe: "String text = System.Label.Probe_Label;",
            head: ("labels/CustomLabels.labels-meta.xml", "<value>one</value>", "<value>two</value>"),
        },
        Scenario {
            type_name: "CustomMetadata",
            component: "CustomMetadata:Order_Handler.Apply_Discount",
            base: &[],
            probe: "List<Order_Handler__mdt> all = Order_Handler__mdt.getAll().values();",
            head: ("customMetadata/Order_Handler.Apply_Discount.md-meta.xml", "20.0", "25.0"),
        },
        Scenario {
            type_name: "NamedCredential",
            component: "NamedCredential:Probe_Api",
            base: &[(
                "namedCredentials/Probe_Api.namedCredential-meta.xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<NamedCredential xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <endpoint>https://one.example.com</endpoint>\n    <label>Probe Api</label>\n</NamedCredential>\n",
            )],
            probe: "HttpRequest request = new HttpRequest(); request.setEndpoint('callout:Probe_Api/items?limit=5');",
            head: ("namedCredentials/Probe_Api.namedCredential-meta.xml", "one.example", "two.example"),
        },
        Scenario {
            type_name: "GenAiFunction",
            component: "GenAiFunction:Probe_Action",
            base: AGENT,
            probe: INVOKE_AGENT,
            head: (AGENT[0].0, "one", "two"),
        },
        Scenario {
            type_name: "GenAiPlugin",
            component: "GenAiPlugin:Probe_Topic",
            base: AGENT,
            probe: INVOKE_AGENT,
            head: (AGENT[1].0, "one", "two"),
        },
        Scenario {
            type_name: "GenAiPlannerBundle",
            component: "GenAiPlannerBundle:Probe_Agent",
            base: AGENT,
            probe: INVOKE_AGENT,
            head: (AGENT[2].0, "one", "two"),
        },
        by_name!("GenAiPlanner", "Probe_Planner", "genAiPlanners/Probe_Planner.genAiPlanner-meta.xml", "GenAiPlanner"),
        by_name!("GenAiPromptTemplate", "Probe_Prompt", "genAiPromptTemplates/Probe_Prompt.genAiPromptTemplate-meta.xml", "GenAiPromptTemplate"),
        by_name!("CustomPermission", "Probe_Permission", "customPermissions/Probe_Permission.customPermission-meta.xml", "CustomPermission"),
        by_name!("PermissionSet", "Probe_Set", "permissionsets/Probe_Set.permissionset-meta.xml", "PermissionSet"),
        by_name!("PermissionSetGroup", "Probe_Group", "permissionsetgroups/Probe_Group.permissionsetgroup-meta.xml", "PermissionSetGroup"),
        by_name!("Profile", "Probe_Profile", "profiles/Probe_Profile.profile-meta.xml", "Profile"),
        by_name!("Group", "Probe_Public", "groups/Probe_Public.group-meta.xml", "Group"),
        by_name!("Queue", "Probe_Queue", "queues/Probe_Queue.queue-meta.xml", "Queue"),
        by_name!("FeatureParameterBoolean", "Probe_Flag", "featureParameters/Probe_Flag.featureParameterBoolean-meta.xml", "FeatureParameterBoolean"),
        by_name!("FeatureParameterInteger", "Probe_Count", "featureParameters/Probe_Count.featureParameterInteger-meta.xml", "FeatureParameterInteger"),
        by_name!("FeatureParameterDate", "Probe_Date", "featureParameters/Probe_Date.featureParameterDate-meta.xml", "FeatureParameterDate"),
        Scenario {
            type_name: "EmailTemplate",
            component: "EmailTemplate:Probe_Folder/Probe_Mail",
            base: &[
                ("email/Probe_Folder/Probe_Mail.email", "Hello one"),
                ("email/Probe_Folder/Probe_Mail.email-meta.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<EmailTemplate xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <available>true</available>\n    <name>Probe Mail</name>\n    <type>text</type>\n</EmailTemplate>\n"),
            ],
            probe: "EmailTemplate mail = [SELECT Id FROM EmailTemplate WHERE DeveloperName = 'Probe_Mail'];",
            head: ("email/Probe_Folder/Probe_Mail.email", "one", "two"),
        },
        workflow_child("WorkflowRule", "Probe_Rule", "<formula>true</formula>", "<formula>false</formula>"),
        workflow_child("WorkflowAlert", "Probe_Alert", "<alerts><fullName>Probe_Alert</fullName><description>a", "<alerts><fullName>Probe_Alert</fullName><description>b"),
        workflow_child("WorkflowFieldUpdate", "Probe_Update", "<literalValue>x", "<literalValue>y"),
        workflow_child("WorkflowFlowAction", "Probe_Flow_Action", "<fullName>Probe_Flow_Action</fullName><description>a", "<fullName>Probe_Flow_Action</fullName><description>b"),
        workflow_child("WorkflowKnowledgePublish", "Probe_Publish", "<fullName>Probe_Publish</fullName><description>a", "<fullName>Probe_Publish</fullName><description>b"),
        workflow_child("WorkflowOutboundMessage", "Probe_Message", "<fullName>Probe_Message</fullName><description>a", "<fullName>Probe_Message</fullName><description>b"),
        workflow_child("WorkflowSend", "Probe_Send", "<fullName>Probe_Send</fullName><description>a", "<fullName>Probe_Send</fullName><description>b"),
        workflow_child("WorkflowTask", "Probe_Task", "<subject>a", "<subject>b"),
        sharing_rule("SharingCriteriaRule", "Probe_Criteria"),
        sharing_rule("SharingGuestRule", "Probe_Guest"),
        sharing_rule("SharingOwnerRule", "Probe_Owner"),
        sharing_rule("SharingTerritoryRule", "Probe_Territory"),
        Scenario {
            type_name: "DuplicateRule",
            component: "DuplicateRule:Probe__c.Probe_Duplicates",
            base: &[("duplicateRules/Probe__c.Probe_Duplicates.duplicateRule-meta.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DuplicateRule xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <actionOnInsert>Allow</actionOnInsert>\n    <isActive>true</isActive>\n</DuplicateRule>\n")],
            probe: SAVE,
            head: ("duplicateRules/Probe__c.Probe_Duplicates.duplicateRule-meta.xml", "<actionOnInsert>Allow", "<actionOnInsert>Block"),
        },
        Scenario {
            type_name: "MatchingRule",
            component: "MatchingRule:Probe__c.Probe_Match",
            base: &[("matchingRules/Probe__c.matchingRule-meta.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<MatchingRules xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <matchingRules>\n        <fullName>Probe_Match</fullName>\n        <label>Probe match</label>\n        <ruleStatus>Active</ruleStatus>\n    </matchingRules>\n</MatchingRules>\n")],
            probe: SAVE,
            head: ("matchingRules/Probe__c.matchingRule-meta.xml", "<label>Probe match", "<label>Probe matching"),
        },
        Scenario {
            type_name: "GlobalValueSet",
            component: "GlobalValueSet:Probe_Levels",
            base: &[
                ("globalValueSets/Probe_Levels.globalValueSet-meta.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<GlobalValueSet xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <customValue><fullName>Low</fullName><default>false</default><label>Low</label></customValue>\n    <masterLabel>Probe levels</masterLabel>\n</GlobalValueSet>\n"),
                ("objects/Probe__c/fields/Level__c.field-meta.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomField xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <fullName>Level__c</fullName>\n    <label>Level</label>\n    <type>Picklist</type>\n    <valueSet>\n        <restricted>true</restricted>\n        <valueSetName>Probe_Levels</valueSetName>\n    </valueSet>\n</CustomField>\n"),
            ],
            probe: SAVE,
            head: ("globalValueSets/Probe_Levels.globalValueSet-meta.xml", "<label>Low</label>", "<label>Lowest</label>"),
        },
        dataweave("DataWeave.Script script = DataWeave.Script.createScript('Probe_Transform');"),
        Scenario {
            type_name: "StandardValueSet",
            component: "StandardValueSet:LeadSource",
            base: &[("standardValueSets/LeadSource.standardValueSet-meta.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<StandardValueSet xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <sorted>false</sorted>\n    <standardValue><fullName>Web</fullName><default>false</default><label>Web</label></standardValue>\n</StandardValueSet>\n")],
            probe: "insert new Lead(LastName = 'p', Company = 'c');",
            head: ("standardValueSets/LeadSource.standardValueSet-meta.xml", "<label>Web</label>", "<label>Website</label>"),
        },
    ]
}

const DATAWEAVE_META: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DataWeaveResource xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <apiVersion>62.0</apiVersion>\n    <isGlobal>false</isGlobal>\n</DataWeaveResource>\n";

/// A DataWeave script `Probe_Transform` that `probe` loads.
fn dataweave(probe: &'static str) -> Scenario {
    Scenario {
        type_name: "DataWeaveResource",
        component: "DataWeaveResource:Probe_Transform",
        base: &[
            (
                "dw/Probe_Transform.dwl",
                "%dw 2.0\noutput application/json\n---\n{ level: 1 }\n",
            ),
            ("dw/Probe_Transform.dwl-meta.xml", DATAWEAVE_META),
        ],
        probe,
        head: ("dw/Probe_Transform.dwl", "level: 1", "level: 2"),
    }
}

fn workflow_child(
    type_name: &'static str,
    name: &'static str,
    from: &'static str,
    to: &'static str,
) -> Scenario {
    Scenario {
        type_name,
        component: Box::leak(format!("{type_name}:Probe__c.{name}").into_boxed_str()),
        base: &[("workflows/Probe__c.workflow-meta.xml", WORKFLOW)],
        probe: SAVE,
        head: ("workflows/Probe__c.workflow-meta.xml", from, to),
    }
}

fn sharing_rule(type_name: &'static str, name: &'static str) -> Scenario {
    Scenario {
        type_name,
        component: Box::leak(format!("{type_name}:Probe__c.{name}").into_boxed_str()),
        base: &[("sharingRules/Probe__c.sharingRules-meta.xml", SHARING)],
        probe: SAVE,
        head: (
            "sharingRules/Probe__c.sharingRules-meta.xml",
            Box::leak(format!("<fullName>{name}</fullName><accessLevel>Read").into_boxed_str()),
            Box::leak(format!("<fullName>{name}</fullName><accessLevel>Edit").into_boxed_str()),
        ),
    }
}

fn main_path(relative: &str) -> String {
    format!("{MAIN}/{relative}")
}

/// The scenario's repository: the base with the probe files, the head with the edit.
fn run(scenario: &Scenario) -> Value {
    let repo = TestRepo::with_base("automation", |repo| {
        repo.write(&main_path(OBJECT.0), OBJECT.1);
        for (path, content) in scenario.base {
            repo.write(&main_path(path), content);
        }
        if !scenario.probe.is_empty() {
            repo.write(
                &main_path("classes/ProbeTest.cls"),
                &format!(
                    "@IsTest\nprivate class ProbeTest {{\n    @IsTest\n    static void probe() {{\n        {}\n    }}\n}}\n",
                    scenario.probe
                ),
            );
        }
    });
    let (path, from, to) = scenario.head;
    repo.edit(&main_path(path), from, to);
    repo.commit("change the probe");
    repo.plan_committed()
}

/// True when a selected test's reason starts at `component` (or one of its Apex
/// members) over one of `edges`, or, for a test type (`edges` empty), when `component`
/// is itself a selected test.
fn reaches_a_test(plan: &Value, component: &str, edges: &[&str]) -> bool {
    let component = component.to_lowercase();
    let (_, full_name) = component.split_once(':').unwrap_or(("", &component));
    let starts_at = |node: &String| {
        *node == component
            || (node.starts_with("apexmethod:")
                && node["apexmethod:".len()..].starts_with(&format!("{full_name}.")))
    };
    plan["tests"].as_array().into_iter().flatten().any(|test| {
        test["reasons"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|reason| {
                let path: Vec<String> = reason["path"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|node| node.as_str().map(str::to_lowercase))
                    .collect();
                let first_edge = reason["edges"][0]["kind"].as_str();
                path.first().is_some_and(starts_at)
                    && match first_edge {
                        Some(kind) => edges.contains(&kind),
                        None => edges.is_empty() && path.len() == 1,
                    }
            })
    })
}

#[test]
fn every_followed_type_reaches_a_test_over_an_edge_the_table_names() {
    let scenarios = scenarios();
    let mut missing = Vec::new();
    let mut failed = Vec::new();
    for info in types::all_types() {
        let TestImpact::Followed(edges) = info.impact() else {
            continue;
        };
        let Some(scenario) = scenarios
            .iter()
            .find(|s| s.type_name.eq_ignore_ascii_case(info.name))
        else {
            missing.push(info.name);
            continue;
        };
        let plan = run(scenario);
        let names: Vec<&str> = edges.iter().map(|kind| kind.as_str()).collect();
        let fell_back = !plan["fallback"].is_null();
        if fell_back || !reaches_a_test(&plan, scenario.component, &names) {
            let reasons: Vec<String> = plan["tests"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|test| format!("{} {}", test["name"], test["reasons"][0]))
                .collect();
            failed.push(format!(
                "{} (edges {names:?}): fallback {}, tests {reasons:?}",
                info.name, plan["fallback"]["reason"]
            ));
        }
    }
    assert!(
        missing.is_empty(),
        "followed types without a scenario: {missing:?}"
    );
    assert!(
        failed.is_empty(),
        "followed types reaching no test:\n{}",
        failed.join("\n")
    );
}

#[test]
fn no_test_impact_types_select_nothing_and_fallback_types_fall_back() {
    // A layout has no test impact: only the always-run test is selected.
    let repo = TestRepo::new("automation");
    repo.write(
        &main_path("layouts/Probe__c-Probe Layout.layout-meta.xml"),
        &xml(
            "Layout",
            "<layoutSections><label>One</label></layoutSections>",
        ),
    );
    repo.commit("a layout");
    let plan = repo.plan_committed();
    assert!(plan["fallback"].is_null(), "{plan}");
    let tests: Vec<&str> = plan["tests"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(tests, vec!["OrderSmokeTest"]);

    // A role is access configuration no edge follows: the plan falls back and says why.
    let repo = TestRepo::new("automation");
    repo.write(
        &main_path("roles/Probe_Manager.role-meta.xml"),
        &xml("Role", "<name>Probe Manager</name>"),
    );
    repo.commit("a role");
    let plan = repo.plan_committed();
    let reason = plan["fallback"]["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("Role (access configuration"), "{reason}");
    assert_eq!(plan["test_level"], "RunLocalTests");
}

#[test]
fn a_dataweave_script_named_as_a_type_reaches_the_test_that_runs_it() {
    let scenario = dataweave("Object script = new DataWeaveScriptResource.Probe_Transform();");
    let plan = run(&scenario);
    assert!(plan["fallback"].is_null(), "{plan}");
    assert!(
        reaches_a_test(&plan, scenario.component, &["references"]),
        "{plan}"
    );
    // A script nothing names selects no test but the always-run one.
    let unused = dataweave("Integer nothing = 0;");
    let plan = run(&unused);
    assert!(plan["fallback"].is_null(), "{plan}");
    assert!(!reaches_a_test(
        &plan,
        unused.component,
        &["references", "string-ref"]
    ));
}
