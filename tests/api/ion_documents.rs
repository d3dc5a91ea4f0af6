//! ION's published GraphQL documents, verbatim, run unchanged against a Traveler floor.
//!
//! Sources: ION's docs site (docs.firstresonance.io: API Playground, Common Queries, guides),
//! its older manual (manual.firstresonance.io: API examples), and ION's public client code
//! (GitHub FirstResonance/ion-examples `queries.py`, FirstResonance/ion-importers
//! `importers/mutations.py`). Each const is the document as published (indentation of the
//! Python triple-quoted strings kept); only the variables are ours, built from the floor.
//! Documents that write literal ids or etags (`run(id: 419)`) get the floor's ids put in
//! their place by the runner (see `LIT`), the rest of the text untouched.
//!
//! Found: 101 whole documents (a text published in two places counted once). In scope
//! (objects Traveler has): 40, and all 40 pass (`parts_as_a_plain_list` since the dialect
//! answers a root connection selected as a plain list). Before this file's fixes 33 passed:
//! `Part.quantity` and ion-examples' flat-argument CREATE_PROCEDURE were refused.
//!
//! Out of scope, 61, about things Traveler does not have at all (not tested):
//! - aBOM / build requirements (7): docs AbomTree, CompareAboms, SerializedUnits (also
//!   locations, `state`, `limit`); ion-examples export_inventories GetInventories,
//!   GET_PART_INVENTORY (`abomItems`), UPDATE_ABOM_ITEM; ion-importers
//!   CREATE_ABOM_FOR_PART_INVENTORY.
//! - purchasing, receiving, suppliers (11): ion-examples UPDATE_PURCHASE, DELETE_PURCHASE,
//!   GET_RECEIPTS, DELETE_RECEIPT, DELETE_PURCHASE_LINE, GET_PURCHASE_LINE_ETAG,
//!   GET_PURCHASE_LINES, GET_PURCHASES, delete_all_blank_pos deletePurchaseOrder and
//!   PurchaseOrders, download_supplier_attribute_files GetSupplierAttributes.
//! - issues / NCRs (3): ion-examples UPDATE_ISSUE_ATTRIBUTE, GET_ISSUE_ATTRIBUTES,
//!   bulk_create_issue CreateIssue.
//! - locations (4): ion-importers CREATE_LOCATION, GET_LOCATIONS; ion-examples
//!   GET_LOCATION; docs Common Queries "Inventory for a Part by Location".
//! - mBOMs, reference designators (3): ion-importers CREATE_MBOM_ITEM; ion-examples
//!   CREATE_MBOM_ITEM_REFERENCE_DESIGNATOR, CREATE_OR_UPDATE_MBOMS.
//! - units of measurement (2): ion-importers CREATE_UNITS_OF_MEASUREMENT,
//!   GET_UNITS_OF_MEASUREMENTS.
//! - files and assets (5): ion-examples CREATE_FILE_ATTACHMENT, CREATE_ASSET,
//!   GET_FILE_ATTACHMENT; docs and manual "Parts" GetParts (`thumbnail`, `fileAttachments`).
//! - datagrids, standard steps, step assets, ION-typed fields (10): ion-examples
//!   GET_PROCEDURE, GET_STEP, GET_STEPS, COPY_STEP, CREATE_STEP, UPDATE_STEP (`datagrid*`,
//!   `assets`, `location`, `standardStep`), CREATE_STEP_FIELD (`partSubtype`, `signoffRole`,
//!   `allowedIonType`), CREATE_DATAGRID_COLUMN, CREATE_DATAGRID_ROW, SET_DATAGRID_VALUE.
//! - labels, barcodes (5): ion-examples ADD_LABEL_TO_PROCEDURE_FAMILY, CREATE_LABEL,
//!   GET_LABELS, CREATE_BARCODE_LABEL, GET_TEMPLATES.
//! - permission groups (2): ion-examples GET_PERMISSION_GROUPS,
//!   ATTACH_PERMISSION_GROUP_TO_ROLE (Traveler's roles hold permissions directly).
//! - ION Actions rules (9): ion-examples Actions/* — 7 rule `context` documents (locations,
//!   part attributes, `permissionGroups`, purchases, receipts, issues) and 2 rule mutations.
//!
//! Seen only in part in the stored copies (not counted): docs Common Queries "Run History
//! for a Part" and "Submit a Run Step Result", Supply Chain pages 13-20 (titles only), the
//! docs inventory guide's PartInventories list, the manual's redline mutation, the docs'
//! Python quickstart, Getting Started parts query and Playground "Examples to try".

use serde_json::{Value, json};

use crate::fixtures::*;
use crate::harness::*;

/// The floor every document runs against; ids as numbers, as ION's clients send them.
struct Floor {
    part: i64,
    procedure: i64,
    /// A unit no run builds yet.
    spare_unit: i64,
    lot: i64,
    run: i64,
    user: i64,
    team: i64,
    /// Two independent steps of a draft procedure (for a step edge).
    draft_steps: [i64; 2],
}

/// The floor and what its run looks like now (etags change as documents run).
struct Ctx {
    f: Floor,
    run: Value,
    lot_etag: Value,
}

impl Ctx {
    fn step(&self) -> &Value {
        &self.run["steps"][0]
    }
    fn field(&self) -> &Value {
        &self.step()["fields"][0]
    }
}

/// What the runner does before a document, to put the floor where the source's story is.
#[derive(Clone, Copy)]
enum Prep {
    None,
    /// Start the run's first step, then fail it (the manual moves a FAILED step to TODO).
    FailFirstStep,
    /// Add a step to the run by redline (ION adds fields to steps in REDLINE).
    RedlineStep,
}

struct Doc {
    name: &'static str,
    text: &'static str,
    prep: Prep,
    vars: fn(&Ctx) -> Value,
    check: fn(&Value) -> bool,
}

/// Key of `vars`' answer naming literal text to replace with the floor's (`"419"` -> run id).
const LIT: &str = "__literals";

async fn floor(app: &TestApp) -> Floor {
    let part_id = part(app, "BRKT-ION", "SERIAL").await;
    let q =
        "mutation($i: CreateProcedureInput!) { createProcedure(input: $i) { procedure { id } } }";
    let d = app
        .ok(
            q,
            json!({"i": {"title": "Bracket Assembly", "partIds": [part_id]}}),
        )
        .await;
    let pid = id(&d["createProcedure"]["procedure"]["id"]);
    let q = "mutation($i: CreateStepInput!) { createStep(input: $i) { step { id } } }";
    let fields = json!([{"name": "pass_fail", "type": "BOOLEAN", "required": true},
                        {"name": "note", "type": "STRING"}]);
    app.ok(
        q,
        json!({"i": {"procedureId": pid, "title": "Inspect", "fields": fields}}),
    )
    .await;
    release_procedure(app, &pid).await;
    let unit = |sn: &'static str| inventory(app, &part_id, json!({"serialNumber": sn}));
    let (unit, spare_unit) = (unit("SN-00001").await, unit("SN-00002").await);
    let lot_part = part(app, "RESIN", "LOT").await;
    let lot = inventory(app, &lot_part, json!({"lotNumber": "L-1", "quantity": 5})).await;
    let q = "mutation($i: CreateRunInput!) { createRun(input: $i) { run { id } } }";
    let input = json!({"procedureId": pid, "partInventoryId": unit, "title": "Unit 1"});
    let d = app.ok(q, json!({"i": input})).await;
    let q = "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }";
    let u = json!({"name": "Op", "email": "op@example.com", "roles": ["OPERATOR"]});
    let user = app.ok(q, json!({"i": u})).await;
    let q = "mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { id } } }";
    let team = app
        .ok(q, json!({"i": {"name": "Line 1", "roles": ["OPERATOR"]}}))
        .await;
    let draft = chain_procedure(app, &part_id, 0, false).await;
    let q = "mutation($i: CreateStepInput!) { createStep(input: $i) { step { id } } }";
    let mut draft_steps = [0; 2];
    for (n, slot) in draft_steps.iter_mut().enumerate() {
        let step = json!({"procedureId": draft.id, "title": format!("Draft {n}")});
        *slot = num(&app.ok(q, json!({"i": step})).await["createStep"]["step"]["id"]);
    }
    Floor {
        draft_steps,
        part: num(&json!(part_id)),
        procedure: num(&json!(pid)),
        spare_unit,
        lot,
        run: num(&d["createRun"]["run"]["id"]),
        user: num(&user["createUser"]["user"]["id"]),
        team: num(&team["createTeam"]["team"]["id"]),
    }
}

async fn inventory(app: &TestApp, part_id: &str, extra: Value) -> i64 {
    let mut input = json!({"partId": part_id});
    input
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let q = "mutation($i: CreatePartInventoryInput!) { createPartInventory(input: $i) { partInventory { id } } }";
    let d = app.ok(q, json!({"i": input})).await;
    num(&d["createPartInventory"]["partInventory"]["id"])
}

fn num(v: &Value) -> i64 {
    v.as_str().and_then(|s| s.parse().ok()).expect("numeric id")
}

async fn read_run(app: &TestApp, run: i64) -> Value {
    let q =
        "query($id: ID!) { run(id: $id) { _etag steps { id status _etag fields { id _etag } } } }";
    app.ok(q, json!({"id": run})).await["run"].clone()
}

async fn prepare(app: &TestApp, ctx: &Ctx, prep: Prep) {
    let m = "mutation($i: UpdateRunStepInput!) { updateRunStep(input: $i) { runStep { _etag } } }";
    match prep {
        Prep::None => {}
        Prep::FailFirstStep => {
            let step = ctx.step();
            let mut etag = step["_etag"].clone();
            if step["status"] == "TODO" {
                let start = json!({"id": step["id"], "etag": etag, "status": "IN_PROGRESS"});
                let d = app.ok(m, json!({"i": start})).await;
                etag = d["updateRunStep"]["runStep"]["_etag"].clone();
            }
            app.ok(
                m,
                json!({"i": {"id": step["id"], "etag": etag, "status": "FAILED"}}),
            )
            .await;
        }
        Prep::RedlineStep => {
            let q =
                "mutation($i: CreateRunStepInput!) { createRunStep(input: $i) { step { id } } }";
            app.ok(q, json!({"i": {"runId": ctx.f.run, "title": "Re-inspect"}}))
                .await;
        }
    }
}

/// Runs every document in order; a failure names the document and its errors.
async fn run_table(app: &TestApp, f: Floor, table: &[Doc]) {
    let mut ctx = Ctx {
        f,
        run: Value::Null,
        lot_etag: Value::Null,
    };
    let lot = "query($id: ID!) { partInventory(id: $id) { _etag } }";
    let mut failed = Vec::new();
    for doc in table {
        ctx.run = read_run(app, ctx.f.run).await;
        prepare(app, &ctx, doc.prep).await;
        ctx.run = read_run(app, ctx.f.run).await;
        ctx.lot_etag =
            app.ok(lot, json!({"id": ctx.f.lot})).await["partInventory"]["_etag"].clone();
        let mut vars = (doc.vars)(&ctx);
        let mut text = doc.text.to_string();
        if let Some(Value::Object(lits)) = vars.as_object_mut().and_then(|v| v.remove(LIT)) {
            for (from, to) in lits {
                text = text.replacen(&from, to.as_str().map_or(&to.to_string(), |s| s), 1);
            }
        }
        let body = app.gql(&text, vars).await;
        if body.get("errors").is_some() {
            failed.push(format!("{}: {}", doc.name, body["errors"]));
        } else if !(doc.check)(&body["data"]) {
            failed.push(format!("{}: unexpected data {}", doc.name, body["data"]));
        }
    }
    assert!(
        failed.is_empty(),
        "ION documents failing:\n{}",
        failed.join("\n")
    );
}

fn none(_: &Ctx) -> Value {
    json!({})
}

// ---- docs.firstresonance.io ----

/// docs.firstresonance.io, "API Playground" → Quick start.
const DOCS_ME: &str = r#"query Me {
  currentUser {
    id
    name
    email
    organization { id domain }
  }
}"#;

/// docs.firstresonance.io, Common Queries → "Create a Run from a Procedure".
pub const DOCS_CREATE_RUN: &str = r#"mutation CreateRun($input: RunCreateInput!) {
  createRun(input: $input) {
    run {
      id
      title
      status
      procedure { id title }
      partInventory { id serialNumber }
    }
  }
}"#;

/// docs.firstresonance.io, Common Queries → "Start or Complete a Run".
const DOCS_UPDATE_RUN_STATUS: &str = r#"mutation UpdateRunStatus($input: RunUpdateInput!) {
  updateRun(input: $input) {
    run { id status startedAt completedAt }
  }
}"#;

/// docs.firstresonance.io, Common Queries → "Get a Procedure with All Steps".
const DOCS_GET_PROCEDURE: &str = r#"query GetProcedure($id: Int!) {
  procedure(id: $id) {
    id
    title
    steps {
      id
      title
      fields { id }
    }
  }
}"#;

/// docs.firstresonance.io, Common Queries → "List Open Runs with Current Step".
const DOCS_OPEN_RUNS: &str = r#"query OpenRuns {
  runs(filters: { status: { in: ["TODO", "IN_PROGRESS"] } }, first: 100) {
    edges {
      node {
        id
        title
        status
        procedure { id title }
        partInventory { id serialNumber part { partNumber } }
      }
    }
  }
}"#;

/// docs.firstresonance.io, guide "Update run step fields" (automatically updating fields).
const DOCS_RUN_FIELDS: &str = r#"{
  run(id: 419) {
    id steps {
      id fields {
        id name value type _etag
      }
    }
  }
}"#;

/// docs.firstresonance.io, guide "Update run step fields"; the manual's "Automatically
/// updating fields in runs" publishes the same mutation.
const DOCS_UPDATE_FIELD_VALUE: &str = r#"mutation {
  updateRunStepFieldValue(input: {
    id: 1462,
    value: true,
    etag: "066b1eb08dab44d6925d7bbd899e92cf"
  }) {
    runStepField {
      id value
    }
  }
}"#;

/// docs.firstresonance.io, guide "Parts and part revisioning" → Get a single part (the
/// manual's "Parts and Part Revisioning" publishes the same text without indentation).
const DOCS_GET_PART: &str = r#"query GetPart{
part(id: 1) {
id partNumber description quantity
}
}"#;

/// docs.firstresonance.io, guide "Parts and part revisioning" → Create a part (the manual
/// publishes the same text).
const DOCS_CREATE_PART_GUIDE: &str = r#"mutation CreatePart($input: CreatePartInput!) {
createPart(input: $input) {
part {
id revision partNumber description
}
}
}"#;

/// docs.firstresonance.io, "GraphQL field selection" → why field selection works this way.
const DOCS_GET_PART_SELECTION: &str = r#"query GetPart {
  part(id: 42) {
    id
    partNumber
  }
}"#;

/// docs.firstresonance.io, "GraphQL field selection" → the blank-response trap. ION's page
/// answers a plain list here (`{"parts": [{"id": 1}]}`), unlike its connection documents.
const DOCS_PARTS_SELECTION: &str = r#"query Parts {
  parts(filters: {}) {
    id
  }
}"#;

fn with_run_etag(ctx: &Ctx, status: &str) -> Value {
    json!({"input": {"id": ctx.f.run, "_etag": ctx.run["_etag"], "status": status}})
}

/// docs.firstresonance.io, guide "Pagination" → Fetch the first page.
const DOCS_FIRST_PAGE: &str = r#"{
  parts(first: 5) {
    edges {
      node {
        id
      }
    }
    pageInfo {
      endCursor         # use this to fetch the next page
      hasNextPage       # are there more parts after this page?
      totalCount        #total number of parts
      count             #number of parts returned by this query
    }
  }
}"#;

/// docs.firstresonance.io, guide "Pagination" → Fetch the next page.
const DOCS_NEXT_PAGE: &str = r#"{
  parts(first: 5, after: "YXJyYXljb25uZWN0aW9uOjE5") {
    edges {
      node {
        id
      }
    }
    pageInfo {
      endCursor         # use this to fetch the next page
      hasNextPage       # are there more parts after this page?
      totalCount        #total number of parts
      count            #number of parts returned by this query
    }
  }
}"#;

#[tokio::test]
async fn docs_site_common_queries() {
    let app = app().await;
    let f = floor(&app).await;
    let table = [
        Doc {
            name: "docs Me",
            text: DOCS_ME,
            prep: Prep::None,
            vars: none,
            check: |d| d["currentUser"]["organization"]["id"].is_string(),
        },
        Doc {
            name: "docs CreateRun",
            text: DOCS_CREATE_RUN,
            prep: Prep::None,
            vars: |c| {
                json!({"input": {"procedureId": c.f.procedure, "partInventoryId": c.f.spare_unit,
                                 "title": "Build #2026-04-26 Unit 1"}})
            },
            check: |d| {
                let run = &d["createRun"]["run"];
                run["status"] == "TODO" && run["partInventory"]["serialNumber"] == "SN-00002"
            },
        },
        Doc {
            name: "docs GetProcedure",
            text: DOCS_GET_PROCEDURE,
            prep: Prep::None,
            vars: |c| json!({"id": c.f.procedure}),
            check: |d| {
                d["procedure"]["steps"][0]["fields"]
                    .as_array()
                    .map(Vec::len)
                    == Some(2)
            },
        },
        Doc {
            name: "docs UpdateRunStatus (start)",
            text: DOCS_UPDATE_RUN_STATUS,
            prep: Prep::None,
            vars: |c| with_run_etag(c, "in_progress"),
            check: |d| {
                let run = &d["updateRun"]["run"];
                run["status"] == "IN_PROGRESS" && run["startedAt"].is_string()
            },
        },
        Doc {
            name: "docs OpenRuns",
            text: DOCS_OPEN_RUNS,
            prep: Prep::None,
            vars: none,
            check: |d| d["runs"]["edges"].as_array().map(Vec::len) == Some(2),
        },
    ];
    run_table(&app, f, &table).await;
}

#[tokio::test]
async fn docs_site_and_manual_guides() {
    let app = app().await;
    let f = floor(&app).await;
    let table = [
        Doc {
            name: "docs run fields",
            text: DOCS_RUN_FIELDS,
            prep: Prep::None,
            vars: |c| json!({LIT: {"419": c.f.run.to_string()}}),
            check: |d| d["run"]["steps"][0]["fields"][0]["type"] == "BOOLEAN",
        },
        Doc {
            name: "manual run fields",
            text: MANUAL_RUN_FIELDS,
            prep: Prep::None,
            vars: |c| json!({LIT: {"419": c.f.run.to_string()}}),
            check: |d| d["run"]["steps"][0]["fields"][0]["name"] == "pass_fail",
        },
        Doc {
            name: "docs updateRunStepFieldValue",
            text: DOCS_UPDATE_FIELD_VALUE,
            prep: Prep::None,
            vars: |c| {
                json!({LIT: {"1462": c.field()["id"].as_str().unwrap(),
                             "066b1eb08dab44d6925d7bbd899e92cf": c.field()["_etag"]}})
            },
            check: |d| d["updateRunStepFieldValue"]["runStepField"]["value"] == true,
        },
        Doc {
            name: "docs GetPart",
            text: DOCS_GET_PART,
            prep: Prep::None,
            vars: |c| json!({LIT: {"1": c.f.part.to_string()}}),
            check: |d| d["part"]["quantity"] == 2.0,
        },
        Doc {
            name: "docs GetPart (field selection)",
            text: DOCS_GET_PART_SELECTION,
            prep: Prep::None,
            vars: |c| json!({LIT: {"42": c.f.part.to_string()}}),
            check: |d| d["part"]["partNumber"] == "BRKT-ION",
        },
        Doc {
            name: "docs CreatePart (guide)",
            text: DOCS_CREATE_PART_GUIDE,
            prep: Prep::None,
            vars: |_| json!({"input": {"partNumber": "ion-12", "description": "Part for API docs."}}),
            check: |d| d["createPart"]["part"]["revision"] == "A",
        },
        Doc {
            name: "docs pagination (first page)",
            text: DOCS_FIRST_PAGE,
            prep: Prep::None,
            vars: none,
            check: |d| d["parts"]["pageInfo"]["totalCount"] == 3,
        },
        Doc {
            name: "docs pagination (next page)",
            text: DOCS_NEXT_PAGE,
            prep: Prep::None,
            vars: none,
            check: |d| d["parts"]["edges"].as_array().is_some_and(Vec::is_empty),
        },
        Doc {
            name: "manual pagination (first page)",
            text: MANUAL_FIRST_PAGE,
            prep: Prep::None,
            vars: none,
            check: |d| d["parts"]["pageInfo"]["count"] == 3,
        },
        Doc {
            name: "manual pagination (next page)",
            text: MANUAL_NEXT_PAGE,
            prep: Prep::None,
            vars: none,
            check: |d| d["parts"]["pageInfo"]["hasNextPage"] == false,
        },
        Doc {
            name: "manual run steps",
            text: MANUAL_RUN_STEPS,
            prep: Prep::None,
            vars: |c| json!({LIT: {"372": c.f.run.to_string()}}),
            check: |d| d["run"]["steps"][0]["_etag"].is_string(),
        },
        Doc {
            name: "manual UpdateRunStep",
            text: MANUAL_UPDATE_RUN_STEP,
            prep: Prep::FailFirstStep,
            vars: |c| json!({"input": {"id": num(&c.step()["id"]), "status": "todo", "etag": c.step()["_etag"]}}),
            check: |d| d["updateRunStep"]["runStep"]["status"] == "TODO",
        },
    ];
    run_table(&app, f, &table).await;
}

/// ION's docs page selects `parts` as a plain list; Traveler's `parts` is a connection, as
/// the rest of ION's documents (and its client code) use it. The dialect answers both.
#[tokio::test]
async fn parts_as_a_plain_list() {
    let app = app().await;
    let f = floor(&app).await;
    let table = [Doc {
        name: "docs Parts (field selection)",
        text: DOCS_PARTS_SELECTION,
        prep: Prep::None,
        vars: none,
        check: |d| d["parts"].is_array() && d["parts"][0]["id"].is_string(),
    }];
    run_table(&app, f, &table).await;
}

// ---- manual.firstresonance.io ----

/// manual.firstresonance.io, API → "Pagination" (first page; the stored copy keeps no
/// indentation).
const MANUAL_FIRST_PAGE: &str = r#"{
parts(first: 5) {
edges {
node {
id
}
}
pageInfo {
endCursor #use this to grab the next set of parts
hasNextPage #are their more parts after the ones returned in this query?
totalCount #total number of parts
count #number of parts returned by this query
}
}
}"#;

/// manual.firstresonance.io, API → "Pagination" (next page).
const MANUAL_NEXT_PAGE: &str = r#"{
parts(first: 5, after: "YXJyYXljb25uZWN0aW9uOjE5") {
edges {
node {
id
}
}
pageInfo {
endCursor #use this to grab the next set of parts
hasNextPage #are their more parts after the ones returned in this query?
totalCount #total number of parts
count #number of parts returned by this query
}
}
}"#;

/// manual.firstresonance.io, API → Example queries → "Change Run Step status" (query).
const MANUAL_RUN_STEPS: &str = r#"{
  run(id: 372) {
    steps {id status _etag}
  }
}"#;

/// manual.firstresonance.io, API → Example queries → "Change Run Step status" (mutation).
const MANUAL_UPDATE_RUN_STEP: &str = r#"mutation UpdateRunStep($input: UpdateRunStepInput!) {
  updateRunStep(input: $input) {
    runStep {
        id status
    }
  }
}"#;

/// manual.firstresonance.io, API → "Automatically updating fields in runs" (query).
const MANUAL_RUN_FIELDS: &str = r#"{
  run(id: 419) {
    id steps {
      id fields {
        id name value _etag
      }
    }
  }
}"#;

// ---- GitHub FirstResonance/ion-examples, queries.py ----

const EX_GET_RUNS: &str = r#"
    query GetRuns($filters: RunsInputFilters, $sort: [RunSortEnum]) {
        runs(sort: $sort, filters: $filters) {
            edges{node {
                id title procedureId
            }}
        }
    }
"#;

const EX_GET_RUN: &str = r#"
    query GetRun($id: ID!) {
        run(id: $id) {
        id steps {
            id
            position
            entityId
        }
        }
    }
"#;

const EX_GET_PART_INVENTORIES: &str = r#"
query getPartInventories($filters: PartInventoriesInputFilters){
  partInventories(filters:$filters){
    edges{
      node{
        id
        partId
        quantityAvailable
        quantity
        part{
          partNumber
          description
          revision
        }
      }
    }
  }
}
"#;

const EX_CREATE_RUN_STEP_FIELD: &str = r#"
    mutation CreateRunStepField($input: CreateRunStepFieldInput!) {
        createRunStepField(input: $input) {
            runStepField {
                id name type value _etag
            }
        }
    }
"#;

const EX_UPDATE_RUN_STEP_FIELD_VALUE: &str = r#"
    mutation UpdateRunStepFieldValue($input: UpdateRunStepFieldValueInput!) {
        updateRunStepFieldValue(input: $input) {
            runStepField {
                id name type value _etag
            }
        }
    }
"#;

const EX_UPDATE_RUN_STEP: &str = r#"
    mutation UpdateRunStep($input: UpdateRunStepInput!) {
        updateRunStep(input: $input) {
            runStep {
                id status title _etag content
            }
        }
    }
"#;

const EX_GET_ROLES: &str = r#"
    query GetRoles($filters: RolesInputFilters) {
        roles(filters: $filters) {
            edges {
                node {
                    id
                    name
                }
            }
        }
    }
"#;

const EX_CREATE_ROLE: &str = r#"
    mutation CreateRole($input: CreateRoleInput!) {
        createRole(input: $input) {
            role {
                id name
            }
        }
    }
"#;

const EX_GET_TEAMS: &str = r#"
    query GetTeams($filters: TeamsInputFilters) {
        teams(filters: $filters) {
            edges {
                node {
                    id
                    name
                    roles {
                        id
                        name
                    }
                    supervisorId
                    users { id }
                }
            }
        }
    }
"#;

const EX_ADD_USER_TO_TEAM: &str = r#"
    mutation AddUserToTeam($input: TeamToUserInput!) {
        addUserToTeam(input: $input) {
            teamId
            userId
        }
    }
"#;

const EX_GET_USERS: &str = r#"
    query GetUsers($filters: UserInputFilters, $sort: [UserSortEnum]) {
        users(sort: $sort, filters: $filters) {
            edges{
                node {
                    id
                    name
                    organizationId
                    roles {
                        id
                        name
                    }
                }
            }
        }
    }
"#;

const EX_UPDATE_PART_INVENTORY: &str = r#"
    mutation UpdatePartInventory($input: UpdatePartInventoryInput!) {
        updatePartInventory(input: $input) {
            partInventory {
                _etag
                id
                part {
                    description
                    partNumber
                    revision
                }
                quantity
            }
        }
    }
"#;

const EX_CREATE_STEP_EDGE: &str = r#"
    mutation CreateStepEdge($stepId: ID!, $upstreamStepId: ID!) {
        createStepEdge(input: {stepId: $stepId, upstreamStepId: $upstreamStepId}) {
            stepEdge {
                id stepId upstreamStepId createdById updatedById
            }
        }
    }
"#;

const EX_CREATE_PROCEDURE: &str = r#"
    mutation CreateProcedure(
        $title: String!,
        $description: String,
        $exportControlled: Boolean,
        $type: Proceduretypeenum
    ) {
        createProcedure(
            title: $title,
            description: $description,
            exportControlled: $exportControlled,
            type: $type
        ) {
            procedure {
                id
                familyId
            }
        }
    }
"#;

fn redline_step(c: &Ctx) -> &Value {
    let steps = c.run["steps"].as_array().unwrap();
    steps.last().unwrap()
}

#[tokio::test]
async fn ion_examples_queries() {
    let app = app().await;
    let f = floor(&app).await;
    let table = [
        Doc {
            name: "ion-examples GET_RUNS",
            text: EX_GET_RUNS,
            prep: Prep::None,
            vars: |c| json!({"filters": {"procedureId": {"eq": c.f.procedure}}}),
            check: |d| d["runs"]["edges"][0]["node"]["procedureId"].is_string(),
        },
        Doc {
            name: "ion-examples GET_RUN",
            text: EX_GET_RUN,
            prep: Prep::None,
            vars: |c| json!({"id": c.f.run}),
            check: |d| d["run"]["steps"][0]["entityId"].is_string(),
        },
        Doc {
            name: "ion-examples GET_PART_INVENTORIES",
            text: EX_GET_PART_INVENTORIES,
            prep: Prep::None,
            vars: |c| json!({"filters": {"partId": {"eq": c.f.part}}}),
            check: |d| d["partInventories"]["edges"].as_array().map(Vec::len) == Some(2),
        },
        Doc {
            name: "ion-examples UPDATE_RUN_STEP",
            text: EX_UPDATE_RUN_STEP,
            prep: Prep::None,
            vars: |c| json!({"input": {"id": num(&c.step()["id"]), "status": "in_progress", "etag": c.step()["_etag"]}}),
            check: |d| d["updateRunStep"]["runStep"]["status"] == "IN_PROGRESS",
        },
        Doc {
            name: "ion-examples UPDATE_RUN_STEP_FIELD_VALUE",
            text: EX_UPDATE_RUN_STEP_FIELD_VALUE,
            prep: Prep::None,
            vars: |c| json!({"input": {"id": num(&c.field()["id"]), "value": true, "etag": c.field()["_etag"]}}),
            check: |d| d["updateRunStepFieldValue"]["runStepField"]["value"] == true,
        },
        Doc {
            name: "ion-examples CREATE_RUN_STEP_FIELD",
            text: EX_CREATE_RUN_STEP_FIELD,
            prep: Prep::RedlineStep,
            vars: |c| {
                json!({"input": {"runStepId": num(&redline_step(c)["id"]), "name": "torque",
                                 "type": "NUMBER", "required": false}})
            },
            check: |d| d["createRunStepField"]["runStepField"]["type"] == "NUMBER",
        },
        Doc {
            name: "ion-examples GET_ROLES",
            text: EX_GET_ROLES,
            prep: Prep::None,
            vars: |_| json!({"filters": {"name": {"eq": "VIEWER"}}}),
            check: |d| d["roles"]["edges"][0]["node"]["name"] == "VIEWER",
        },
        Doc {
            name: "ion-examples CREATE_ROLE",
            text: EX_CREATE_ROLE,
            prep: Prep::None,
            vars: |_| json!({"input": {"name": "Inspector", "permissions": []}}),
            check: |d| d["createRole"]["role"]["name"] == "Inspector",
        },
        Doc {
            name: "ion-examples GET_USERS",
            text: EX_GET_USERS,
            prep: Prep::None,
            vars: |_| json!({"filters": {"email": {"eq": "op@example.com"}}}),
            check: |d| d["users"]["edges"][0]["node"]["roles"][0]["name"] == "OPERATOR",
        },
        Doc {
            name: "ion-examples ADD_USER_TO_TEAM",
            text: EX_ADD_USER_TO_TEAM,
            prep: Prep::None,
            vars: |c| json!({"input": {"teamId": c.f.team, "userId": c.f.user}}),
            check: |d| d["addUserToTeam"]["userId"].is_string(),
        },
        Doc {
            name: "ion-examples GET_TEAMS",
            text: EX_GET_TEAMS,
            prep: Prep::None,
            vars: |_| json!({"filters": {"name": {"eq": "Line 1"}}}),
            check: |d| d["teams"]["edges"][0]["node"]["users"][0]["id"].is_string(),
        },
        Doc {
            name: "ion-examples CREATE_PROCEDURE",
            text: EX_CREATE_PROCEDURE,
            prep: Prep::None,
            vars: |_| json!({"title": "Exported", "description": "From another tenant", "type": "build"}),
            check: |d| d["createProcedure"]["procedure"]["familyId"].is_string(),
        },
        Doc {
            name: "ion-examples UPDATE_PART_INVENTORY",
            text: EX_UPDATE_PART_INVENTORY,
            prep: Prep::None,
            vars: |c| json!({"input": {"id": c.f.lot, "etag": c.lot_etag, "quantity": 4.5}}),
            check: |d| d["updatePartInventory"]["partInventory"]["quantity"] == 4.5,
        },
    ];
    run_table(&app, f, &table).await;
}

// ---- GitHub FirstResonance/ion-importers, importers/mutations.py ----

const IMP_CREATE_PART_INVENTORY: &str = r#"
    mutation CreatePartInventory($input: CreatePartInventoryInput!) {
        createPartInventory(input: $input) {
            partInventory {
                id _etag lotNumber serialNumber part { partNumber }
            }
        }
    }
"#;

const IMP_CREATE_PART: &str = r#"
mutation CreatePart($input: CreatePartInput!) {
    createPart(input: $input) {
        part { id partNumber }
    }
}
"#;

const IMP_GET_PARTS: &str = r#"
query GetParts($filters: PartsInputFilters) {
    parts(filters: $filters) {
        edges {node {id partNumber}}
    }
}
"#;

const IMP_GET_PROCEDURES: &str = r#"
query GetProcedures($filters: ProceduresInputFilters) {
    procedures(filters: $filters) {
        edges {node {
            id title
        }}
    }
}
"#;

const IMP_CREATE_RUN: &str = r#"
mutation CreateRun($input: CreateRunInput!) {
    createRun(input: $input) {
        run {
            id title procedureId partInventoryId
        }
    }
}
"#;

#[tokio::test]
async fn ion_importers_mutations() {
    let app = app().await;
    let f = floor(&app).await;
    let table = [
        Doc {
            name: "ion-importers CREATE_PART",
            text: IMP_CREATE_PART,
            prep: Prep::None,
            vars: |_| json!({"input": {"partNumber": "PN-7", "description": "From Excel", "trackingType": "serial"}}),
            check: |d| d["createPart"]["part"]["partNumber"] == "PN-7",
        },
        Doc {
            name: "ion-importers GET_PARTS",
            text: IMP_GET_PARTS,
            prep: Prep::None,
            vars: |_| json!({"filters": {"partNumber": {"in": ["BRKT-ION", "PN-7"]}}}),
            check: |d| d["parts"]["edges"].as_array().map(Vec::len) == Some(2),
        },
        Doc {
            name: "ion-importers GET_PROCEDURES",
            text: IMP_GET_PROCEDURES,
            prep: Prep::None,
            vars: |c| json!({"filters": {"id": {"in": [c.f.procedure]}}}),
            check: |d| d["procedures"]["edges"][0]["node"]["title"] == "Bracket Assembly",
        },
        Doc {
            name: "ion-importers CREATE_PART_INVENTORY",
            text: IMP_CREATE_PART_INVENTORY,
            prep: Prep::None,
            vars: |c| json!({"input": {"serialNumber": "SN-00003", "quantity": 1, "partId": c.f.part}}),
            check: |d| {
                d["createPartInventory"]["partInventory"]["part"]["partNumber"] == "BRKT-ION"
            },
        },
        Doc {
            name: "ion-importers CREATE_RUN",
            text: IMP_CREATE_RUN,
            prep: Prep::None,
            vars: |c| {
                json!({"input": {"title": "BRKT-ION - SN-00002 - Bracket Assembly", "procedureId": c.f.procedure,
                                 "partInventoryId": c.f.spare_unit, "partId": c.f.part}})
            },
            check: |d| d["createRun"]["run"]["partInventoryId"].is_string(),
        },
    ];
    run_table(&app, f, &table).await;
}

// ---- Documents that waited for the writer columns; three still wait for Part's status and subtypes ----

/// docs.firstresonance.io, Common Queries → "Search Parts".
const DOCS_SEARCH_PARTS: &str = r#"query SearchParts($q: String!, $first: Int) {
  parts(filters: { partNumber: { ilike: $q } }, first: $first) {
    edges {
      node {
        id
        partNumber
        description
        revision
        partType
        status
        partSubtypes { id name }
      }
    }
  }
}"#;

/// docs.firstresonance.io, Common Queries → "Create a Part".
const DOCS_CREATE_PART: &str = r#"mutation CreatePart($input: PartCreateInput!) {
  createPart(input: $input) {
    part { id partNumber description revision partType status }
  }
}"#;

/// GitHub FirstResonance/ion-examples, queries.py CREATE_RUN_STEP.
const EX_CREATE_RUN_STEP: &str = r#"
    mutation CreateRunStep($input: CreateRunStepInput!) {
        createRunStep(input: $input) {
            step {
                id title content createdById status _etag
            }
        }
    }
"#;

/// Passes since the writer columns (`RunStep.createdById`).
#[tokio::test]
async fn ion_examples_create_run_step() {
    let app = app().await;
    let f = floor(&app).await;
    let table = [Doc {
        name: "ion-examples CREATE_RUN_STEP",
        text: EX_CREATE_RUN_STEP,
        prep: Prep::None,
        vars: |c| json!({"input": {"title": "Re-inspect", "runId": c.f.run}}),
        check: |d| {
            d["createRunStep"]["step"]["status"] == "REDLINE"
                && d["createRunStep"]["step"]["createdById"].is_string()
        },
    }];
    run_table(&app, f, &table).await;
}

/// Pass since `Part.status`, `Part.partSubtypes` and the writers of step edges (issue 17
/// item 7).
const PART_STATUS_SUBTYPES_AND_EDGE_WRITERS: &[Doc] = &[
    Doc {
        name: "docs SearchParts",
        text: DOCS_SEARCH_PARTS,
        prep: Prep::None,
        vars: |_| json!({"q": "%BRKT%", "first": 25}),
        check: |d| {
            let node = &d["parts"]["edges"][0]["node"];
            node["partNumber"] == "BRKT-ION" && node["partSubtypes"].is_array()
        },
    },
    Doc {
        name: "docs CreatePart",
        text: DOCS_CREATE_PART,
        prep: Prep::None,
        vars: |_| {
            json!({"input": {"partNumber": "TEST-001", "description": "Integration test part",
                             "revision": "A", "partType": "part", "trackingType": "lot"}})
        },
        check: |d| {
            d["createPart"]["part"]["partNumber"] == "TEST-001"
                && d["createPart"]["part"]["status"] == "RELEASED"
        },
    },
    Doc {
        name: "ion-examples CREATE_STEP_EDGE",
        text: EX_CREATE_STEP_EDGE,
        prep: Prep::None,
        vars: |c| json!({"stepId": c.f.draft_steps[1], "upstreamStepId": c.f.draft_steps[0]}),
        check: |d| d["createStepEdge"]["stepEdge"]["stepId"].is_string(),
    },
];

#[tokio::test]
async fn part_status_subtypes_and_step_edge_writers() {
    let app = app().await;
    let f = floor(&app).await;
    run_table(&app, f, PART_STATUS_SUBTYPES_AND_EDGE_WRITERS).await;
}
