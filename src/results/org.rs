//! Reader for `sf data query --json` over the org's own test history: `ApexTestResult`
//! (one record per test method run) and, through the Tooling API, `ApexCodeCoverage`
//! (one record per test method × class or trigger, the org's latest coverage).
//!
//! The shape is the REST query result inside the CLI's envelope:
//! `{"status": 0, "result": {"records": [...], "totalSize": N, "done": true}}`, each record
//! `{"attributes": {"type": "ApexTestResult", "url": …}, "Id": …, "ApexClass": {"attributes":
//! …, "Name": …}, …}`; a relationship with no parent is `null`. The bare result (what the
//! REST API returns) is read too.
//!
//! - `ApexTestResult` records are grouped by `AsyncApexJobId` into one run each: the run
//!   id is the job id, the same `707…` id `sf apex run test --json` reports, so a run
//!   recorded from both reads as one. The run's time is its latest `TestTimestamp`.
//! - `ApexCodeCoverage` records carry no job id; the org keeps the latest per test
//!   method × class. They all go into one run, [`COVERAGE_RUN_ID`], whose rows keep the
//!   newest record of each test method × class.
//!
//! Records keep their `Id`, so recording an overlapping query again adds nothing.
//! A query over any other object is refused by naming it; fields the history needs but
//! the query left out are refused by naming them.

use std::collections::BTreeMap;

use serde_json::Value;

use super::sf_json::{field, test_run_record, test_run_row, text};
use super::time::timestamp_ms;
use super::{TestCoverage, TestResult};

/// The run every `ApexCodeCoverage` record is recorded into: the org keeps one current
/// coverage per test method × class, and so does this run (the newest record wins).
pub const COVERAGE_RUN_ID: &str = "org:ApexCodeCoverage";

/// The objects `impact record` reads query results of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryObject {
    /// `SELECT … FROM ApexTestResult` (standard API).
    ApexTestResult,
    /// `SELECT … FROM ApexCodeCoverage` (Tooling API).
    ApexCodeCoverage,
}

impl QueryObject {
    /// The object's API name.
    pub fn as_str(self) -> &'static str {
        match self {
            QueryObject::ApexTestResult => "ApexTestResult",
            QueryObject::ApexCodeCoverage => "ApexCodeCoverage",
        }
    }

    /// The fields a query must select for the history (checked on the first record).
    fn required_fields(self) -> &'static [&'static str] {
        match self {
            QueryObject::ApexTestResult => &[
                "Id",
                "AsyncApexJobId",
                "TestTimestamp",
                "ApexClass",
                "MethodName",
                "Outcome",
            ],
            QueryObject::ApexCodeCoverage => &[
                "Id",
                "ApexTestClass",
                "TestMethodName",
                "ApexClassOrTrigger",
                "NumLinesCovered",
                "NumLinesUncovered",
            ],
        }
    }

    /// The object named by a record's `attributes.type`.
    fn from_type(name: &str) -> Option<QueryObject> {
        [QueryObject::ApexTestResult, QueryObject::ApexCodeCoverage]
            .into_iter()
            .find(|object| object.as_str().eq_ignore_ascii_case(name))
    }
}

/// A test result of the org and the record it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct OrgResult {
    /// The `ApexTestResult` id.
    pub record_id: String,
    /// The result.
    pub result: TestResult,
}

/// One `AsyncApexJobId`: one run.
#[derive(Clone, Debug, PartialEq)]
pub struct OrgRun {
    /// The job id (`707…`).
    pub job_id: String,
    /// The latest `TestTimestamp` of its records, as written.
    pub started_at: String,
    /// The same, in milliseconds since the epoch: what orders the run among others.
    pub at: i64,
    /// Its results, in file order.
    pub results: Vec<OrgResult>,
}

/// One `ApexCodeCoverage` record.
#[derive(Clone, Debug, PartialEq)]
pub struct OrgCoverage {
    /// The record id.
    pub record_id: String,
    /// When the record was last written (`LastModifiedDate`, `SystemModstamp` or
    /// `CreatedDate`, whichever the query selected), in milliseconds since the epoch.
    pub at: Option<i64>,
    /// The coverage.
    pub coverage: TestCoverage,
}

/// The records of one query result file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OrgQuery {
    /// What was queried; `None` for an empty result, which names no object.
    pub object: Option<QueryObject>,
    /// `ApexTestResult` records, one run per job, sorted by job id.
    pub runs: Vec<OrgRun>,
    /// `ApexCodeCoverage` records, in file order.
    pub coverage: Vec<OrgCoverage>,
    /// Records that could not be used (no class, method, job id or time): skipped.
    pub skipped: usize,
    /// False when the query said more records were left (`done: false`).
    pub complete: bool,
}

/// Why a query result cannot be recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Records of an object the history does not read (its `attributes.type`).
    OtherObject(String),
    /// The query left out a field the history needs.
    MissingField {
        /// The object queried.
        object: &'static str,
        /// The field.
        field: &'static str,
    },
}

impl Refusal {
    /// The reason, for the error message.
    pub fn reason(&self) -> String {
        match self {
            Refusal::OtherObject(found) => format!(
                "it holds `{found}` records; `impact record` reads query results over ApexTestResult and ApexCodeCoverage"
            ),
            Refusal::MissingField { object, field } => {
                format!("its {object} records have no `{field}` field")
            }
        }
    }
}

/// Reads `sf data query --json` output. `None` when the bytes are not a query result at
/// all (then they may be another result format); `Some(Err)` when they are one, but over
/// an object or with fields the history cannot use.
pub fn parse(bytes: &[u8]) -> Option<Result<OrgQuery, Refusal>> {
    let root: Value = serde_json::from_slice(bytes).ok()?;
    let payload = match root.get("result") {
        Some(result) if result.is_object() => result,
        _ => &root,
    };
    let records = payload.get("records")?.as_array()?;
    if payload.get("totalSize").is_none() && payload.get("done").is_none() {
        return None;
    }
    let complete = payload.get("done").and_then(Value::as_bool).unwrap_or(true);
    Some(read_records(records).map(|mut query| {
        query.complete = complete;
        query
    }))
}

/// Reads the records of one object.
fn read_records(records: &[Value]) -> Result<OrgQuery, Refusal> {
    let mut object = None;
    for record in records {
        let found = record
            .get("attributes")
            .and_then(|a| text(field(a, "type")))
            .unwrap_or_else(|| "untyped".to_string());
        match (QueryObject::from_type(&found), object) {
            (Some(this), None) => object = Some(this),
            (Some(this), Some(first)) if this == first => {}
            _ => return Err(Refusal::OtherObject(found)),
        }
    }
    let Some(object) = object else {
        return Ok(OrgQuery::default());
    };
    if let Some(first) = records.first() {
        if let Some(missing) = object
            .required_fields()
            .iter()
            .find(|name| first.get(**name).is_none())
        {
            return Err(Refusal::MissingField {
                object: object.as_str(),
                field: missing,
            });
        }
    }
    let mut query = OrgQuery {
        object: Some(object),
        ..OrgQuery::default()
    };
    match object {
        QueryObject::ApexTestResult => read_results(records, &mut query),
        QueryObject::ApexCodeCoverage => read_coverage(records, &mut query),
    }
    Ok(query)
}

/// Groups `ApexTestResult` records by job.
fn read_results(records: &[Value], query: &mut OrgQuery) {
    let mut jobs: BTreeMap<String, OrgRun> = BTreeMap::new();
    for record in records {
        let parts = (
            text(field(record, "Id")),
            text(field(record, "AsyncApexJobId")),
            text(field(record, "TestTimestamp"))
                .and_then(|time| timestamp_ms(&time).map(|ms| (time, ms))),
            test_run_row(record),
        );
        let (Some(record_id), Some(job_id), Some((time, at)), Some(result)) = parts else {
            query.skipped += 1;
            continue;
        };
        let run = jobs.entry(job_id.clone()).or_insert_with(|| OrgRun {
            job_id,
            started_at: time.clone(),
            at,
            results: Vec::new(),
        });
        if at > run.at {
            run.at = at;
            run.started_at = time;
        }
        run.results.push(OrgResult { record_id, result });
    }
    query.runs = jobs.into_values().collect();
}

/// Reads `ApexCodeCoverage` records.
fn read_coverage(records: &[Value], query: &mut OrgQuery) {
    for record in records {
        let (Some(record_id), Some(coverage)) =
            (text(field(record, "Id")), test_run_record(record))
        else {
            query.skipped += 1;
            continue;
        };
        let at = ["LastModifiedDate", "SystemModstamp", "CreatedDate"]
            .iter()
            .find_map(|name| text(field(record, name)))
            .and_then(|time| timestamp_ms(&time));
        query.coverage.push(OrgCoverage {
            record_id,
            at,
            coverage,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn envelope(records: Value) -> Vec<u8> {
        let size = records.as_array().map_or(0, Vec::len);
        serde_json::to_vec(&json!({
            "status": 0,
            "result": {"records": records, "totalSize": size, "done": true},
            "warnings": []
        }))
        .expect("json")
    }

    fn result(id: &str, job: &str, time: &str, class: Value, outcome: &str) -> Value {
        json!({
            "attributes": {"type": "ApexTestResult", "url": format!("/services/data/v60.0/sobjects/ApexTestResult/{id}")},
            "Id": id, "AsyncApexJobId": job, "TestTimestamp": time, "ApexClass": class,
            "MethodName": "m", "Outcome": outcome, "RunTime": 12, "Message": null, "StackTrace": null
        })
    }

    fn class(name: &str) -> Value {
        json!({"attributes": {"type": "ApexClass", "url": "/x"}, "Name": name})
    }

    #[test]
    fn groups_results_by_job_and_skips_unnamed_records() {
        let bytes = envelope(json!([
            result(
                "07M2",
                "707B",
                "2024-05-02T10:00:00.000+0000",
                class("BTest"),
                "Fail"
            ),
            result(
                "07M1",
                "707A",
                "2024-05-01T10:00:00.000+0000",
                class("ATest"),
                "Pass"
            ),
            result(
                "07M3",
                "707B",
                "2024-05-02T10:00:05.000+0000",
                class("CTest"),
                "Pass"
            ),
            result(
                "07M4",
                "707B",
                "2024-05-02T10:00:06.000+0000",
                Value::Null,
                "Pass"
            ),
        ]));
        let query = parse(&bytes).expect("a query").expect("usable");
        assert_eq!(query.object, Some(QueryObject::ApexTestResult));
        assert_eq!(
            query.skipped, 1,
            "a result whose class is gone names no test"
        );
        let jobs: Vec<(&str, usize, &str)> = query
            .runs
            .iter()
            .map(|r| (r.job_id.as_str(), r.results.len(), r.started_at.as_str()))
            .collect();
        assert_eq!(
            jobs,
            vec![
                ("707A", 1, "2024-05-01T10:00:00.000+0000"),
                ("707B", 2, "2024-05-02T10:00:05.000+0000"),
            ]
        );
        assert_eq!(query.runs[1].results[0].record_id, "07M2");
        assert!(query.runs[1].results[0].result.outcome.is_failure());
        assert!(query.complete);
    }

    #[test]
    fn other_objects_and_missing_fields_are_refused_by_name() {
        let account =
            envelope(json!([{"attributes": {"type": "Account", "url": "/a"}, "Id": "001"}]));
        assert_eq!(
            parse(&account),
            Some(Err(Refusal::OtherObject("Account".into())))
        );
        let partial = envelope(json!([{
            "attributes": {"type": "ApexTestResult", "url": "/a"}, "Id": "07M1",
            "ApexClass": class("ATest"), "MethodName": "m", "Outcome": "Pass", "TestTimestamp": "2024-05-01"
        }]));
        assert_eq!(
            parse(&partial),
            Some(Err(Refusal::MissingField {
                object: "ApexTestResult",
                field: "AsyncApexJobId"
            }))
        );
        let empty = parse(&envelope(json!([])))
            .expect("a query")
            .expect("usable");
        assert_eq!(
            (empty.object, empty.runs.len(), empty.complete),
            (None, 0, true)
        );
        assert_eq!(parse(br#"{"status": 0, "result": {"summary": {}}}"#), None);
        assert_eq!(parse(b"<xml/>"), None);
    }
}
