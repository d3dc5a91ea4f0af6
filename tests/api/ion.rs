//! ION's dialect: requests written as ION's documentation writes them run unchanged.
//!
//! Each document names where its shape comes from. Ids are the ones this test made (ION's
//! samples use their own), and outputs stay as the SDL says (upper-case enum values, ids
//! as strings).

use serde_json::{Value, json};

use crate::fixtures::*;
use crate::harness::*;
// docs.firstresonance.io, Common Queries → "Create a Run from a Procedure": the input type
// is `RunCreateInput`, ids are JSON numbers.
use crate::ion_documents::DOCS_CREATE_RUN as CREATE_RUN;

/// A released one-step procedure for a serialized part, and a unit of it in stock.
async fn floor(app: &TestApp) -> (i64, i64) {
    let part_id = part(app, "BRKT-ION", "SERIAL").await;
    let proc_ = chain_procedure(app, &part_id, 1, true).await;
    let d = app
        .ok(
            "mutation($i: CreatePartInventoryInput!) { createPartInventory(input: $i) { partInventory { id } } }",
            json!({"i": {"partId": part_id, "serialNumber": "SN-00001"}}),
        )
        .await;
    let unit = id(&d["createPartInventory"]["partInventory"]["id"]);
    (proc_.id.parse().unwrap(), unit.parse().unwrap())
}

async fn create_run(app: &TestApp) -> Value {
    let (procedure_id, unit_id) = floor(app).await;
    let d = app
        .ok(
            CREATE_RUN,
            json!({"input": {
                "procedureId": procedure_id,
                "partInventoryId": unit_id,
                "title": "Build #2026-04-26 Unit 1"
            }}),
        )
        .await;
    d["createRun"]["run"].clone()
}

#[tokio::test]
async fn docs_create_a_run() {
    let app = app().await;
    let run = create_run(&app).await;
    assert_eq!(run["title"], "Build #2026-04-26 Unit 1");
    assert_eq!(run["status"], "TODO");
    assert_eq!(run["partInventory"]["serialNumber"], "SN-00001");
    assert_eq!(run["procedure"]["title"], "Assemble bracket");
}

/// manual.firstresonance.io, API → "Change Run Step status": read the steps with their
/// `_etag`, then move a step with `_etag` and a lower-case status.
#[tokio::test]
async fn manual_change_run_step_status() {
    let app = app().await;
    let run = create_run(&app).await;
    let read = format!(
        "{{\n  run(id: {}) {{\n    steps {{id status _etag}}\n  }}\n}}",
        id(&run["id"])
    );
    let steps = app.ok(&read, json!({})).await["run"]["steps"].clone();
    let step = &steps[0];
    assert_eq!(step["status"], "TODO");
    let mutation = format!(
        "mutation {{\n  updateRunStep(input: {{id: {}, status: in_progress, _etag: {}}}) {{\n    runStep {{ id status }}\n  }}\n}}",
        id(&step["id"]),
        step["_etag"]
    );
    let d = app.ok(&mutation, json!({})).await;
    assert_eq!(d["updateRunStep"]["runStep"]["status"], "IN_PROGRESS");
}

/// docs.firstresonance.io, "Start or Complete a Run" sends the run's `_etag` and a
/// lower-case status through `RunUpdateInput`; the same spelling works for a run step
/// through variables, and an unknown word is refused by validation, naming it.
#[tokio::test]
async fn variables_in_ion_spelling() {
    let app = app().await;
    let run = create_run(&app).await;
    let read = "query($id: ID!) { run(id: $id) { steps { id _etag } } }";
    let steps = app.ok(read, json!({"id": run["id"]})).await["run"]["steps"].clone();
    let step = &steps[0];
    let m = "mutation Move($input: UpdateRunStepInput!) { updateRunStep(input: $input) { runStep { status } } }";
    let d = app
        .ok(
            m,
            json!({"input": {"id": step["id"], "_etag": step["_etag"], "status": "in_progress"}}),
        )
        .await;
    assert_eq!(d["updateRunStep"]["runStep"]["status"], "IN_PROGRESS");
    let bad = app
        .gql(
            m,
            json!({"input": {"id": step["id"], "_etag": "v1", "status": "finished"}}),
        )
        .await;
    let msg = bad["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(msg.contains("finished"), "{bad}");
}

/// Filters in ION's spelling: `pending` is a new run's TODO, in literals and variables;
/// `UserInputFilters` is the docs' name for `UsersInputFilters`.
#[tokio::test]
async fn filters_in_ion_spelling() {
    let app = app().await;
    let run = create_run(&app).await;
    let literal = "{ runs(filters: {status: {eq: pending}}) { edges { node { id } } } }";
    let d = app.ok(literal, json!({})).await;
    assert_eq!(d["runs"]["edges"][0]["node"]["id"], run["id"]);
    let vars =
        "query($s: [RunStatus!]) { runs(filters: {status: {in: $s}}) { edges { node { id } } } }";
    let d = app.ok(vars, json!({"s": ["in_progress", "pending"]})).await;
    assert_eq!(d["runs"]["edges"][0]["node"]["id"], run["id"]);
    let users = "query Users($filters: UserInputFilters) { users(filters: $filters) { edges { node { id } } } }";
    let d = app.ok(users, json!({"filters": {}})).await;
    assert!(!d["users"]["edges"].as_array().unwrap().is_empty());
}

/// docs.firstresonance.io, "Getting Started": a token is checked with `currentUser`
/// (ION's name for `me`).
#[tokio::test]
async fn current_user_is_the_caller() {
    let app = app().await;
    let me = app
        .ok("{ me { id name email organizationId } }", json!({}))
        .await;
    let current = app
        .ok(
            "query { currentUser { id name email organizationId } }",
            json!({}),
        )
        .await;
    assert_eq!(current["currentUser"], me["me"]);
    assert!(current["currentUser"]["email"].is_string(), "{current}");

    // docs.firstresonance.io's "current user" query selects the organization's domain.
    let q = "query { currentUser { id name email organization { id domain } } }";
    let d = app.ok(q, json!({})).await;
    let org = &d["currentUser"]["organization"];
    assert_eq!(org["id"], me["me"]["organizationId"]);
    assert!(org["domain"].is_null());
    let set = "mutation($i: UpdateOrganizationInput!) { updateOrganization(input: $i) { organization { domain } } }";
    let d = app.ok(set, json!({"i": {"domain": " Example.COM "}})).await;
    assert_eq!(
        d["updateOrganization"]["organization"]["domain"],
        "example.com"
    );
    let e = app.gql(set, json!({"i": {"domain": "not a domain"}})).await;
    assert_eq!(codes(&e), ["BAD_USER_INPUT"]);
    assert_eq!(
        e["errors"][0]["extensions"]["field"],
        json!(["input", "domain"])
    );
    let d = app.ok(q, json!({})).await;
    assert_eq!(d["currentUser"]["organization"]["domain"], "example.com");
}

/// ION's documents declare ids as `Int!` as often as `ID!`: an `Int` variable in an id
/// position works, and one in an `Int` position (a page size) stays an `Int`.
#[tokio::test]
async fn int_typed_id_variables() {
    let app = app().await;
    let run = create_run(&app).await;
    let n: i64 = id(&run["id"]).parse().unwrap();
    let q = "query Run($id: Int!, $first: Int) { run(id: $id) { id title } runs(first: $first) { totalCount } }";
    let d = app.ok(q, json!({"id": n, "first": 5})).await;
    assert_eq!(d["run"]["id"], run["id"]);
    assert_eq!(d["runs"]["totalCount"], 1);
}

/// The contract's own names: every mutation its own `VerbNounInput` and `VerbNounPayload`,
/// dates as `Date`; Traveler's earlier names (`IdEtagInput`, `NaiveDate`) still validate.
#[tokio::test]
async fn contract_names_for_inputs_payloads_and_dates() {
    let app = app().await;
    let part_id = part(&app, "BRKT-NAMES", "SERIAL").await;
    let proc_ = chain_procedure(&app, &part_id, 1, false).await;
    let etag = etag_of_procedure(&app, &proc_.id).await;
    let d = app
        .ok(
            "mutation R($input: ReleaseProcedureInput!) { releaseProcedure(input: $input) { __typename procedure { status } } }",
            json!({"input": {"id": proc_.id, "_etag": etag}}),
        )
        .await;
    assert_eq!(
        d["releaseProcedure"]["__typename"],
        "ReleaseProcedurePayload"
    );
    assert_eq!(d["releaseProcedure"]["procedure"]["status"], "RELEASED");

    for (n, ty) in ["Date", "NaiveDate"].into_iter().enumerate() {
        let q = format!(
            "mutation C($p: ID!, $r: ID!, $due: {ty}) {{ createRun(input: {{partId: $p, procedureId: $r, autogenerateSerialNumber: true, dueDate: $due}}) {{ __typename run {{ dueDate }} }} }}"
        );
        let due = format!("2026-12-2{n}");
        let d = app
            .ok(&q, json!({"p": part_id, "r": proc_.id, "due": due}))
            .await;
        assert_eq!(d["createRun"]["__typename"], "CreateRunPayload");
        assert_eq!(d["createRun"]["run"]["dueDate"], due.as_str());
        let q = format!(
            "query Q($due: {ty}) {{ runs(filters: {{dueDate: {{lte: $due}}}}) {{ totalCount }} }}"
        );
        let d = app.ok(&q, json!({"due": "2026-12-31"})).await;
        assert_eq!(d["runs"]["totalCount"], n + 1, "{ty}");
    }
    let e = app
        .gql(
            "query Q($due: Date) { runs(filters: {dueDate: {lte: $due}}) { totalCount } }",
            json!({"due": "24/12/2026"}),
        )
        .await;
    assert!(
        e["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("YYYY-MM-DD"),
        "{e:#}"
    );
}

/// Depth and complexity over their limits answer LIMIT_EXCEEDED naming the limit and the
/// measured value.
#[tokio::test]
async fn depth_and_complexity_limits_name_their_values() {
    let app = app_with(traveler::config::Limits {
        depth: 4,
        complexity: 50,
        ..Default::default()
    })
    .await;
    let e = app
        .gql(
            "{ runs(first: 1) { edges { node { steps { fields { id } } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(codes(&e), ["LIMIT_EXCEEDED"], "{e:#}");
    let m = e["errors"][0]["message"].as_str().unwrap();
    assert!(m.contains("depth") && m.contains("limit of 4"), "{m}");
    let e = app
        .gql(
            "{ runs(first: 100) { edges { node { id title } } } }",
            json!({}),
        )
        .await;
    assert_eq!(codes(&e), ["LIMIT_EXCEEDED"], "{e:#}");
    let m = e["errors"][0]["message"].as_str().unwrap();
    assert!(m.contains("complexity") && m.contains("limit of 50"), "{m}");
    assert!(e.get("data").is_none());
}

/// Every mutation is `verbNoun(input: VerbNounInput!): VerbNounPayload!`, as the contract
/// says (so a client may declare `$input: ReleaseProcedureInput!` for any of them).
#[tokio::test]
async fn every_mutation_has_its_own_input_and_payload() {
    let app = app().await;
    let q = "{ __type(name: \"Mutation\") { fields { name args { name type { ofType { name } } } type { ofType { name } } } } }";
    let d = app.ok(q, json!({})).await;
    let mut wrong = Vec::new();
    for f in d["__type"]["fields"].as_array().unwrap() {
        let name = f["name"].as_str().unwrap();
        let verb_noun = format!("{}{}", name[..1].to_uppercase(), &name[1..]);
        let args: Vec<(&str, &str)> = f["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["name"].as_str().unwrap(),
                    a["type"]["ofType"]["name"].as_str().unwrap_or(""),
                )
            })
            .collect();
        let input = format!("{verb_noun}Input");
        let payload = format!("{verb_noun}Payload");
        if args != [("input", input.as_str())] || f["type"]["ofType"]["name"] != payload.as_str() {
            wrong.push(format!("{name}({args:?}): {}", f["type"]["ofType"]["name"]));
        }
    }
    assert!(
        wrong.is_empty(),
        "not VerbNounInput -> VerbNounPayload: {wrong:#?}"
    );
}

/// ion-examples' ADD_USER_TO_TEAM shape: `$input: TeamToUserInput!`, payload `{ teamId userId }`.
#[tokio::test]
async fn add_user_to_team_as_ion_examples_send_it() {
    let app = app().await;
    let u = app
        .ok(
            "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }",
            json!({"i": {"name": "Op", "email": "op@example.com", "roles": ["OPERATOR"]}}),
        )
        .await;
    let t = app
        .ok(
            "mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { id } } }",
            json!({"i": {"name": "Line 1", "roles": ["OPERATOR"]}}),
        )
        .await;
    let (user, team) = (
        &u["createUser"]["user"]["id"],
        &t["createTeam"]["team"]["id"],
    );
    let q = "mutation AddUserToTeam($input: TeamToUserInput!) { addUserToTeam(input: $input) { teamId userId } }";
    let d = app
        .ok(
            q,
            json!({"input": {"teamId": id(team).parse::<i64>().unwrap(), "userId": id(user)}}),
        )
        .await;
    assert_eq!(&d["addUserToTeam"]["teamId"], team);
    assert_eq!(&d["addUserToTeam"]["userId"], user);
}

/// `PartInventory.quantityAvailable` (ion-importers select it): the quantity of an
/// AVAILABLE unit or lot, 0 otherwise.
#[tokio::test]
async fn quantity_available_follows_the_status() {
    let app = app().await;
    let p = part(&app, "RESIN", "LOT").await;
    let d = app
        .ok(
            "mutation($i: CreatePartInventoryInput!) { createPartInventory(input: $i) { partInventory { id _etag quantity quantityAvailable } } }",
            json!({"i": {"partId": p, "lotNumber": "L-1", "quantity": 5}}),
        )
        .await;
    let inv = &d["createPartInventory"]["partInventory"];
    assert_eq!(
        (&inv["quantity"], &inv["quantityAvailable"]),
        (&json!(5.0), &json!(5.0))
    );
    let d = app
        .ok(
            "mutation($i: UpdatePartInventoryInput!) { updatePartInventory(input: $i) { partInventory { quantityAvailable } } }",
            json!({"i": {"id": inv["id"], "etag": inv["_etag"], "status": "UNAVAILABLE"}}),
        )
        .await;
    assert_eq!(
        d["updatePartInventory"]["partInventory"]["quantityAvailable"],
        0.0
    );
}

/// `Part.quantity` (ION's guides select it): the summed quantity of the part's units and
/// lots, 0 without any, read for a whole page of parts in one statement.
#[tokio::test]
async fn part_quantity_sums_units_and_lots() {
    let app = app().await;
    let lot = part(&app, "RESIN", "LOT").await;
    part(&app, "EMPTY", "SERIAL").await;
    let q = "mutation($i: CreatePartInventoryInput!) { createPartInventory(input: $i) { partInventory { id } } }";
    for (n, qty) in [2.5, 4.0].into_iter().enumerate() {
        let lot_input = json!({"partId": lot, "lotNumber": format!("L-{n}"), "quantity": qty});
        app.ok(q, json!({"i": lot_input})).await;
    }
    let list = |fields: &'static str| {
        format!("{{ parts(first: 10) {{ edges {{ node {{ partNumber {fields} }} }} }} }}")
    };
    let before = app.count();
    app.ok(&list(""), json!({})).await;
    let plain = app.count() - before;
    let before = app.count();
    let d = app.ok(&list("quantity"), json!({})).await;
    assert_eq!(
        app.count() - before,
        plain + 1,
        "one statement for every part's quantity"
    );
    let quantities: Vec<(&str, f64)> = d["parts"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["node"]["partNumber"].as_str().unwrap(),
                e["node"]["quantity"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(quantities, [("RESIN", 6.5), ("EMPTY", 0.0)]);
}

/// A root list selected as a plain list (ION's field-selection page) is answered as the
/// list of its nodes; with an alias too. A connection selected as one, or a selection that
/// mixes both, is left as the SDL says.
#[tokio::test]
async fn a_root_connection_selected_as_a_plain_list() {
    let app = app().await;
    part(&app, "P-1", "SERIAL").await;
    part(&app, "P-2", "LOT").await;
    let d = app
        .ok(
            "{ parts(first: 5) { id partNumber } mine: parts { partNumber } }",
            json!({}),
        )
        .await;
    assert_eq!(d["parts"].as_array().unwrap().len(), 2);
    assert_eq!(d["parts"][1]["partNumber"], "P-2");
    assert_eq!(d["mine"][0], json!({"partNumber": "P-1"}));
    let d = app
        .ok(
            "{ parts { totalCount edges { node { partNumber } } } }",
            json!({}),
        )
        .await;
    assert_eq!(d["parts"]["totalCount"], 2);
    let mixed = app
        .gql("{ parts { totalCount partNumber } }", json!({}))
        .await;
    assert_eq!(codes(&mixed), ["GRAPHQL_VALIDATION_FAILED"]);
}
