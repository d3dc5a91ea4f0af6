//! What a person does in the browser: GraphiQL offline, the New Run wizard, the traveler
//! updating live.

use fantoccini::{Client, Locator};
use serde_json::{Value, json};

use crate::browser::{
    REPLACE, Rig, TAB, button, by_label, choose, click, error_at, only_own_origin, rig, screenshot,
    type_into, wait_js, wait_text,
};
use crate::fixtures::{Proc, chain_procedure, part};
use crate::harness::{ADMIN, id};

const CREATE_RUN: &str = "mutation($i: CreateRunInput!) { createRun(input: $i) { run { id partInventory { serialNumber } } } }";

async fn run_count(rig: &Rig) -> i64 {
    rig.app.ok("{ runs { totalCount } }", json!({})).await["runs"]["totalCount"]
        .as_i64()
        .unwrap()
}

async fn catalog(rig: &Rig) -> (String, Proc) {
    let p = part(&rig.app, "BRKT", "SERIAL").await;
    let proc_ = chain_procedure(&rig.app, &p, 2, true).await;
    (p, proc_)
}

/// Opens the wizard and fills Source (build) and Part & Procedure.
async fn wizard_to_identify(rig: &Rig, c: &Client, part_id: &str, proc_id: &str) {
    c.goto(&format!("{}/#/new", rig.base)).await.unwrap();
    wait_text(c, "Build a new item").await;
    click(c, "Next").await;
    choose(c, "Part", part_id).await;
    choose(c, "Procedure", proc_id).await;
    screenshot(c, "wizard-part").await;
    click(c, "Next").await;
}

#[tokio::test]
async fn graphiql_runs_me_with_no_network() {
    let rig = rig().await;
    let name = rig.app.ok("{ me { name } }", json!({})).await["me"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let c = rig.browser().await;
    c.goto(&format!("{}/", rig.base)).await.unwrap();
    // A wrong key is told plainly, at the key.
    by_label(&c, "API key")
        .await
        .send_keys("not-a-key")
        .await
        .unwrap();
    click(&c, "Sign in").await;
    let e = error_at(&c, "API key").await;
    assert!(e.contains("was not accepted"), "{e}");
    let key = by_label(&c, "API key").await;
    key.clear().await.unwrap();
    key.send_keys(ADMIN).await.unwrap();
    click(&c, "Sign in").await;
    wait_text(&c, &name).await;

    // GraphiQL takes the signed-in key from the tab; `{ me { name } }` is its default query.
    c.goto(&format!("{}/graphiql", rig.base)).await.unwrap();
    let run = c
        .wait()
        .at_most(crate::browser::WAIT)
        .for_element(Locator::Css(".graphiql-execute-button"))
        .await
        .expect("GraphiQL renders");
    wait_js(
        &c,
        "return document.querySelector('.graphiql-query-editor').innerText.includes('me')",
    )
    .await;
    run.click().await.unwrap();
    let n = serde_json::to_string(&name).unwrap();
    wait_js(
        &c,
        &format!("const r = document.querySelector('.result-window'); return r && r.innerText.includes({n})"),
    )
    .await;
    only_own_origin(&c, &rig.base).await;

    graphiql_subscription_shows_a_change(&rig, &c).await;

    // A browser asking /graphql for HTML gets GraphiQL too.
    c.goto(&format!("{}/graphql", rig.base)).await.unwrap();
    c.wait()
        .at_most(crate::browser::WAIT)
        .for_element(Locator::Css(".graphiql-execute-button"))
        .await
        .expect("GraphiQL at /graphql");
    only_own_origin(&c, &rig.base).await;
    c.close().await.unwrap();
}

/// A subscription run from GraphiQL (the key goes in connection_init) shows a change made
/// meanwhile.
async fn graphiql_subscription_shows_a_change(rig: &Rig, c: &Client) {
    let (part_id, proc_) = catalog(rig).await;
    let r = rig
        .app
        .ok(
            CREATE_RUN,
            json!({"i": {"partId": part_id, "procedureId": proc_.id, "autogenerateSerialNumber": true}}),
        )
        .await;
    let run = id(&r["createRun"]["run"]["id"]);
    let sub = format!("subscription {{ runChanged(id: {run}) {{ action run {{ status }} }} }}");
    let enc: String = serde_urlencoded::to_string([("query", sub)]).unwrap();
    c.goto(&format!("{}/graphiql?{enc}", rig.base))
        .await
        .unwrap();
    c.wait()
        .at_most(crate::browser::WAIT)
        .for_element(Locator::Css(".graphiql-execute-button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let step = rig
        .app
        .ok(
            "query($id: ID!) { run(id: $id) { steps { id _etag } } }",
            json!({"id": run}),
        )
        .await;
    let s0 = &step["run"]["steps"][0];
    // The subscription may still be starting: work the step until its event arrives.
    let mut etag = s0["_etag"].as_str().unwrap().to_string();
    let mut status = "IN_PROGRESS";
    let start = std::time::Instant::now();
    loop {
        let d = rig
            .app
            .ok(
                "mutation($i: UpdateRunStepInput!) { updateRunStep(input: $i) { runStep { _etag } } }",
                json!({"i": {"id": s0["id"], "etag": etag, "status": status}}),
            )
            .await;
        etag = d["updateRunStep"]["runStep"]["_etag"]
            .as_str()
            .unwrap()
            .to_string();
        status = if status == "IN_PROGRESS" {
            "HOLD"
        } else {
            "IN_PROGRESS"
        };
        let shown = c
            .execute(
                "const r = document.querySelector('.result-window'); return !!r && r.innerText.includes('updateRunStep')",
                vec![],
            )
            .await
            .unwrap();
        if shown == json!(true) {
            break;
        }
        assert!(
            start.elapsed() < crate::browser::WAIT,
            "no event in GraphiQL"
        );
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}

#[tokio::test]
async fn wizard_creates_a_serialized_run_then_a_batch_of_three() {
    let rig = rig().await;
    let (p, proc_) = catalog(&rig).await;
    rig.app
        .ok(
            "mutation { createWorkCenter(input: {name: \"Cell 1\", capacity: 2}) { workCenter { id } } }",
            json!({}),
        )
        .await;
    let c = rig.signed_in(ADMIN).await;

    wizard_to_identify(&rig, &c, &p, &proc_.id).await;
    let auto = by_label(&c, "Auto-generate serial number").await;
    assert_eq!(auto.prop("checked").await.unwrap().as_deref(), Some("true"));
    click(&c, "Next").await;
    wait_text(&c, "Run name").await;
    // Where the work happens, besides who does it.
    by_label(&c, "Work center")
        .await
        .select_by_label("Cell 1")
        .await
        .unwrap();
    click(&c, "Review").await;
    screenshot(&c, "wizard-review").await;
    click(&c, "Create run").await;
    // The new run's traveler: its generated serial from the part's scheme.
    wait_text(&c, "SN BRKT-00001").await;
    wait_text(&c, "Step 2").await;
    // The traveler shows the schedule: the work center, not yet a planned window.
    wait_text(&c, "Cell 1").await;
    wait_text(&c, "Not scheduled").await;
    assert_eq!(run_count(&rig).await, 1);

    wizard_to_identify(&rig, &c, &p, &proc_.id).await;
    click(&c, "Next").await;
    click(&c, "Review").await;
    let copies = button_or_input(&c, "Copies of run 1").await;
    copies.clear().await.unwrap();
    copies.send_keys("3").await.unwrap();
    button(&c, "Create 3 runs").await;
    by_label(&c, "Batch runs").await.click().await.unwrap();
    by_label(&c, "Batch name")
        .await
        .send_keys("Lot A")
        .await
        .unwrap();
    screenshot(&c, "wizard-batch").await;
    button(&c, "Create batched run")
        .await
        .click()
        .await
        .unwrap();
    wait_text(&c, "Created 3 runs").await;
    wait_text(&c, "In batch Lot A").await;

    let b = rig
        .app
        .ok(
            "{ runBatches { edges { node { title runs { partInventory { serialNumber } } } } } }",
            json!({}),
        )
        .await;
    let batches = b["runBatches"]["edges"].as_array().unwrap();
    assert_eq!(batches.len(), 1);
    assert_eq!(batches[0]["node"]["title"], "Lot A");
    let serials: Vec<&Value> = batches[0]["node"]["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["partInventory"]["serialNumber"])
        .collect();
    assert_eq!(
        serials,
        [
            &json!("BRKT-00002"),
            &json!("BRKT-00003"),
            &json!("BRKT-00004")
        ]
    );
    assert_eq!(run_count(&rig).await, 4);

    // The runs list shows them all, and its batch filter the three.
    c.goto(&format!("{}/#/runs", rig.base)).await.unwrap();
    wait_text(&c, "4 runs").await;
    screenshot(&c, "runs").await;
    by_label(&c, "Batch")
        .await
        .select_by_label("Lot A")
        .await
        .unwrap();
    wait_text(&c, "3 runs").await;
    // And its work center filter the first run.
    by_label(&c, "Batch")
        .await
        .select_by_label("Any")
        .await
        .unwrap();
    wait_text(&c, "4 runs").await;
    by_label(&c, "Work center")
        .await
        .select_by_label("Cell 1")
        .await
        .unwrap();
    wait_text(&c, "1 run").await;
    c.close().await.unwrap();
}

async fn button_or_input(c: &Client, name: &str) -> fantoccini::elements::Element {
    c.find(Locator::XPath(&format!("//input[@aria-label='{name}']")))
        .await
        .unwrap_or_else(|e| panic!("no input named {name:?}: {e}"))
}

#[tokio::test]
async fn a_duplicate_serial_is_shown_at_the_serial_field_and_creates_nothing() {
    let rig = rig().await;
    let (p, proc_) = catalog(&rig).await;
    rig.app
        .ok(
            CREATE_RUN,
            json!({"i": {"partId": p, "serialNumber": "SN-7"}}),
        )
        .await;
    let c = rig.signed_in(ADMIN).await;
    wizard_to_identify(&rig, &c, &p, &proc_.id).await;
    by_label(&c, "Auto-generate serial number")
        .await
        .click()
        .await
        .unwrap();
    by_label(&c, "Serial number")
        .await
        .send_keys("SN-7")
        .await
        .unwrap();
    let e = error_at(&c, "Serial number").await;
    assert!(e.contains("SN-7"), "{e}");
    screenshot(&c, "wizard-error").await;

    click(&c, "Next").await;
    click(&c, "Review").await;
    // The row says which step to fix, and creating is refused.
    wait_text(&c, "Identify: ").await;
    click(&c, "Create run").await;
    wait_text(&c, "Nothing was created").await;
    assert_eq!(run_count(&rig).await, 1);
    c.close().await.unwrap();
}

#[tokio::test]
async fn a_step_worked_in_one_browser_updates_another_without_reload() {
    let rig = rig().await;
    let (p, proc_) = catalog(&rig).await;
    let r = rig
        .app
        .ok(
            CREATE_RUN,
            json!({"i": {"partId": p, "procedureId": proc_.id, "autogenerateSerialNumber": true}}),
        )
        .await;
    let run = id(&r["createRun"]["run"]["id"]);
    let (a, b) = (rig.signed_in(ADMIN).await, rig.signed_in(ADMIN).await);
    for c in [&a, &b] {
        c.goto(&format!("{}/#/runs/{run}", rig.base)).await.unwrap();
        wait_js(
            c,
            "const l = document.querySelector('.live-state'); return l && l.textContent === 'Live'",
        )
        .await;
    }
    b.execute("window.sameDocument = true", vec![])
        .await
        .unwrap();
    let badge = |n: usize, status: &str| {
        format!(
            "return document.querySelectorAll('.steps .step .badge')[{n}].textContent === '{status}'"
        )
    };

    click(&a, "Start Step 1").await;
    wait_js(&b, &badge(0, "IN PROGRESS")).await;

    // A value out of range is refused at its field and stays there to be corrected.
    type_into(&a, "torque (Nm) *", &format!("500{TAB}")).await;
    let e = error_at(&a, "torque (Nm) *").await;
    assert!(e.contains("100"), "{e}");
    type_into(&a, "torque (Nm) *", &format!("{REPLACE}42{TAB}")).await;
    wait_js(
        &b,
        "const f = [...document.querySelectorAll('input')].find(i => i.value === '42'); return !!f",
    )
    .await;
    click(&a, "Complete Step 1").await;
    wait_js(&b, &badge(0, "COMPLETE")).await;
    assert_eq!(
        b.execute("return window.sameDocument === true", vec![])
            .await
            .unwrap(),
        json!(true),
        "the second browser was not reloaded"
    );
    click(&a, "Start Step 2").await;
    wait_js(&b, &badge(1, "IN PROGRESS")).await;
    screenshot(&a, "traveler").await;
    a.close().await.unwrap();
    b.close().await.unwrap();
}

#[tokio::test]
async fn wizard_attaches_a_run_to_an_item_in_inventory() {
    let rig = rig().await;
    let (p, proc_) = catalog(&rig).await;
    let unit = rig
        .app
        .ok(
            "mutation($i: CreatePartInventoryInput!) { createPartInventory(input: $i) { partInventory { id } } }",
            json!({"i": {"partId": p, "serialNumber": "KIT-9"}}),
        )
        .await;
    let unit = id(&unit["createPartInventory"]["partInventory"]["id"]);
    let c = rig.signed_in(ADMIN).await;
    // Opened from a procedure (`?procedure=`): its part and it are chosen already.
    c.goto(&format!("{}/#/new?procedure={}", rig.base, proc_.id))
        .await
        .unwrap();
    c.wait()
        .at_most(crate::browser::WAIT)
        .for_element(Locator::Id("w-source-ATTACH"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click(&c, "Next").await;
    for (label, want) in [("Part", &p), ("Procedure", &proc_.id)] {
        let value = by_label(&c, label).await.prop("value").await.unwrap();
        assert_eq!(value.as_deref(), Some(want.as_str()), "{label}");
    }
    click(&c, "Next").await;
    by_label(&c, "Inventory item")
        .await
        .select_by_value(&unit)
        .await
        .unwrap();
    click(&c, "Next").await;
    click(&c, "Review").await;
    click(&c, "Create run").await;
    wait_text(&c, "Existing item").await;
    wait_text(&c, "SN KIT-9").await;
    assert_eq!(run_count(&rig).await, 1);
    c.close().await.unwrap();
}

/// A create whose answer is lost (the request reached the server, the reply did not reach
/// the page) is said at the run, not left waiting; pressing the button again sends the same
/// idempotency key, so the run is created once and its page opens.
#[tokio::test]
async fn a_create_without_an_answer_is_said_and_pressing_again_creates_once() {
    let rig = rig().await;
    let (p, proc_) = catalog(&rig).await;
    let c = rig.signed_in(ADMIN).await;
    wizard_to_identify(&rig, &c, &p, &proc_.id).await;
    click(&c, "Next").await;
    click(&c, "Review").await;
    // The first create (not a validation) goes through, and its answer is thrown away.
    let lose = r#"const real = window.fetch; let lost = false;
        window.fetch = async (url, init) => {
          const res = await real(url, init);
          if (!lost && init && init.body && init.body.includes('"validateOnly":false')) {
            lost = true;
            throw new TypeError("Failed to fetch");
          }
          return res;
        };"#;
    c.execute(lose, vec![]).await.unwrap();
    click(&c, "Create run").await;
    wait_text(&c, "The server did not answer (Failed to fetch)").await;
    assert_eq!(run_count(&rig).await, 1, "the lost request was done");
    click(&c, "Create run").await;
    wait_text(&c, "SN BRKT-00001").await;
    let url = c.current_url().await.unwrap();
    assert!(url.fragment().unwrap().starts_with("/runs/"), "{url}");
    assert_eq!(run_count(&rig).await, 1, "pressed twice, created once");
    c.close().await.unwrap();
}

/// Presses Tab until the focused control is named `name`, then Enter: keyboard only.
async fn tab_and_press(c: &Client, name: &str) {
    let n = serde_json::to_string(name).unwrap();
    let is_it = format!(
        "const a = document.activeElement;
         return !!a && (a.getAttribute('aria-label') || a.textContent.trim()) === {n}"
    );
    for _ in 0..60 {
        if c.execute(&is_it, vec![]).await.unwrap() == json!(true) {
            if let Ok(el) = c.active_element().await
                && el.send_keys("\u{E007}").await.is_ok()
            {
                return;
            }
            continue;
        }
        // A live re-render may replace the focused element between the two calls; the
        // page keeps focus on the same control (by id), so Tab is simply sent again.
        if let Ok(el) = c.active_element().await {
            let _ = el.send_keys(TAB).await;
        }
    }
    panic!("Tab never reached {name:?}");
}

#[tokio::test]
async fn a_step_is_started_signed_off_and_completed_with_the_keyboard_alone() {
    let rig = rig().await;
    let p = part(&rig.app, "PCB", "SERIAL").await;
    let pr = rig
        .app
        .ok(
            "mutation($i: CreateProcedureInput!) { createProcedure(input: $i) { procedure { id } } }",
            json!({"i": {"title": "Inspect board", "partIds": [p]}}),
        )
        .await;
    let pid = id(&pr["createProcedure"]["procedure"]["id"]);
    rig.app
        .ok(
            "mutation($i: CreateStepInput!) { createStep(input: $i) { step { id } } }",
            json!({"i": {"procedureId": pid, "title": "Inspect", "fields": [
                {"name": "Inspector", "type": "SIGNOFF", "required": true}
            ]}}),
        )
        .await;
    crate::fixtures::release_procedure(&rig.app, &pid).await;
    let r = rig
        .app
        .ok(
            CREATE_RUN,
            json!({"i": {"partId": p, "procedureId": pid, "autogenerateSerialNumber": true}}),
        )
        .await;
    let run = id(&r["createRun"]["run"]["id"]);
    let c = rig.signed_in(ADMIN).await;
    c.goto(&format!("{}/#/runs/{run}", rig.base)).await.unwrap();
    wait_text(&c, "Inspect").await;
    tab_and_press(&c, "Start Inspect").await;
    wait_text(&c, "Sign off Inspector").await;
    tab_and_press(&c, "Sign off Inspector").await;
    wait_text(&c, "Signed").await;
    tab_and_press(&c, "Complete Inspect").await;
    wait_js(
        &c,
        "return document.querySelector('.steps .step .badge').textContent === 'COMPLETE'",
    )
    .await;
    wait_text(&c, "COMPLETE").await;
    c.close().await.unwrap();
}
