//! `traveler demo`: a small shop floor in an empty organization, built through the GraphQL
//! API as an admin of that organization (so every rule, number and audit event is the
//! real one): parts of each tracking type, released procedures with nested steps, fields
//! of every type and dependencies, runs in every state, and a batch.

use std::fmt::Write as _;

use async_graphql::{Request, Variables};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use serde_json::{Value, json};

use super::BoxError;
use crate::caller::Caller;
use crate::config::Config;
use crate::domain::Permission;
use crate::graphql::AppSchema;

/// Loads the demo into `organization` (default: the first; the first start's bootstrap
/// makes one if there is none). Returns what to tell the operator.
pub async fn load(
    config: Config,
    db: DatabaseConnection,
    organization: Option<i64>,
) -> Result<String, BoxError> {
    let started = std::time::Instant::now();
    let token_from_env = config.admin_token.is_some();
    let app = crate::app::build_with(config, db.clone(), None).await?;
    let mut out = String::new();
    if let (Some(token), false) = (&app.new_admin_token, token_from_env) {
        writeln!(out, "created an organization and an admin")?;
        writeln!(out, "admin API key (shown once, keep it): {token}")?;
    }
    let caller = admin_of(&db, organization).await?;
    let floor = Floor {
        schema: app.state.schema.clone(),
        reads: app.state.reads.clone(),
        caller,
    };
    let counts = floor.build().await?;
    writeln!(
        out,
        "demo floor loaded into organization {} in {} ms: {counts}",
        floor.caller.organization_id,
        started.elapsed().as_millis()
    )?;
    Ok(out)
}

/// An admin of the organization (which must be empty), as a caller.
async fn admin_of(db: &DatabaseConnection, organization: Option<i64>) -> Result<Caller, BoxError> {
    use entity::{api_key, organization as org, part, procedure, run, user};
    let o = match organization {
        Some(id) => org::Entity::find_by_id(id).one(db).await?,
        None => {
            org::Entity::find()
                .order_by_asc(org::Column::Id)
                .one(db)
                .await?
        }
    }
    .ok_or("no such organization")?;
    let used = part::Entity::find()
        .filter(part::Column::OrganizationId.eq(o.id))
        .count(db)
        .await?
        + procedure::Entity::find()
            .filter(procedure::Column::OrganizationId.eq(o.id))
            .count(db)
            .await?
        + run::Entity::find()
            .filter(run::Column::OrganizationId.eq(o.id))
            .count(db)
            .await?;
    if used > 0 {
        return Err(format!(
            "organization {} ({}) already has parts, procedures or runs; the demo loads into an empty organization (make one with `traveler create-organization`)",
            o.id, o.name
        )
        .into());
    }
    let users = user::Entity::find()
        .filter(user::Column::OrganizationId.eq(o.id))
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?;
    let mut admin = None;
    for u in users {
        let perms = crate::store::roles::perms_of_user(db, u.id).await?;
        if perms.contains(Permission::ManageCatalog) && perms.contains(Permission::ManageRuns) {
            admin = Some((u, perms));
            break;
        }
    }
    let (admin, perms) = admin.ok_or("the organization has no admin user")?;
    let key = api_key::Entity::find()
        .filter(api_key::Column::UserId.eq(admin.id))
        .order_by_asc(api_key::Column::Id)
        .one(db)
        .await?;
    Ok(Caller {
        organization_id: o.id,
        user_id: admin.id,
        api_key_id: key.map_or(0, |k| k.id),
        perms,
        export_control_cleared: true,
        system_admin: false,
        request_id: Some("traveler-demo".into()),
        rows: Default::default(),
    })
}

struct Floor {
    schema: AppSchema,
    reads: crate::store::pooled::ReadPool,
    caller: Caller,
}

/// The ids the runs are made from.
struct Catalog {
    frame: String,
    resin: String,
    fastener: String,
    assemble: String,
    mix: String,
    kit: String,
}

impl Floor {
    /// Runs one operation as the demo's admin; any error stops the demo.
    async fn gql(&self, query: &str, variables: Value) -> Result<Value, BoxError> {
        let req = Request::new(query)
            .variables(Variables::from_json(variables))
            .data(crate::graphql::loaders::new(
                self.reads.clone(),
                self.caller.clone(),
            ))
            .data(self.caller.clone());
        let resp = self.schema.execute(req).await;
        if !resp.errors.is_empty() {
            return Err(format!("demo: {query}: {:?}", resp.errors).into());
        }
        Ok(resp.data.into_json()?)
    }

    async fn build(&self) -> Result<String, BoxError> {
        let t = std::time::Instant::now();
        let c = self.catalog().await?;
        tracing::debug!(ms = t.elapsed().as_millis() as u64, "demo: catalog");
        let runs = self.runs(&c).await?;
        tracing::debug!(ms = t.elapsed().as_millis() as u64, "demo: runs");
        let batch = self.batch(&c).await?;
        tracing::debug!(ms = t.elapsed().as_millis() as u64, "demo: batch");
        Ok(format!(
            "3 parts, 3 released procedures, {} runs ({} in a batch)",
            runs + batch,
            batch
        ))
    }

    async fn part(
        &self,
        number: &str,
        tracking: &str,
        description: &str,
    ) -> Result<String, BoxError> {
        let d = self
            .gql(
                "mutation($i: CreatePartInput!) { createPart(input: $i) { part { id } } }",
                json!({"i": {"partNumber": number, "trackingType": tracking, "description": description}}),
            )
            .await?;
        Ok(id(&d["createPart"]["part"]["id"]))
    }

    async fn catalog(&self) -> Result<Catalog, BoxError> {
        let frame = self
            .part("FRAME-100", "SERIAL", "Welded frame, serialized")
            .await?;
        let resin = self
            .part("RESIN-20", "LOT", "Two-part resin, made in lots")
            .await?;
        let fastener = self
            .part("FASTENER-M4", "NONE", "M4 screws, untracked")
            .await?;
        let assemble = self.assemble_procedure(&frame).await?;
        let mix = self
            .chain(&resin, "Mix resin lot", &[
                ("Weigh", json!([{"name": "Mass", "type": "NUMBER", "required": true, "min": 0, "unit": "kg"}])),
                ("Mix", json!([{"name": "Viscosity OK", "type": "BOOLEAN"}])),
            ])
            .await?;
        let kit = self
            .chain(
                &fastener,
                "Kit fasteners",
                &[(
                    "Count",
                    json!([{"name": "Count", "type": "NUMBER", "min": 0}]),
                )],
            )
            .await?;
        Ok(Catalog {
            frame,
            resin,
            fastener,
            assemble,
            mix,
            kit,
        })
    }

    /// A procedure for `part` whose steps form a chain; released.
    async fn chain(
        &self,
        part: &str,
        title: &str,
        steps: &[(&str, Value)],
    ) -> Result<String, BoxError> {
        let p = self.procedure(part, title).await?;
        let mut prev: Option<String> = None;
        for (name, fields) in steps {
            prev = Some(
                self.step(&p, name, None, prev.as_deref(), fields.clone())
                    .await?,
            );
        }
        self.release(&p).await?;
        Ok(p)
    }

    /// "Assemble frame": a parent step with two nested steps, then two dependent steps,
    /// with a field of every type among them.
    async fn assemble_procedure(&self, frame: &str) -> Result<String, BoxError> {
        let p = self.procedure(frame, "Assemble frame").await?;
        let prepare = self
            .step(&p, "Prepare", None, None, json!([
                {"name": "Operator note", "type": "STRING"},
                {"name": "Torque", "type": "NUMBER", "required": true, "min": 1, "max": 10, "unit": "Nm"},
                {"name": "Visual OK", "type": "BOOLEAN"},
            ]))
            .await?;
        let clean = json!([{"name": "Cleaner", "type": "SELECT", "options": ["IPA", "Acetone"]}]);
        self.step(&p, "Clean surface", Some(&prepare), None, clean)
            .await?;
        let inspect = json!([{"name": "Defects", "type": "MULTISELECT", "options": ["Scratch", "Dent", "Burr"]}]);
        self.step(&p, "Inspect parts", Some(&prepare), None, inspect)
            .await?;
        let assemble = self
            .step(
                &p,
                "Assemble",
                None,
                Some(&prepare),
                json!([
                    {"name": "Cure start", "type": "DATETIME"},
                    {"name": "Photo", "type": "FILE_ATTACHMENT"},
                ]),
            )
            .await?;
        let sign = json!([{"name": "Inspector", "type": "SIGNOFF", "required": true}]);
        self.step(&p, "Final inspection", None, Some(&assemble), sign)
            .await?;
        self.release(&p).await?;
        Ok(p)
    }

    async fn procedure(&self, part: &str, title: &str) -> Result<String, BoxError> {
        let d = self
            .gql(
                "mutation($i: CreateProcedureInput!) { createProcedure(input: $i) { procedure { id } } }",
                json!({"i": {"title": title, "partIds": [part]}}),
            )
            .await?;
        Ok(id(&d["createProcedure"]["procedure"]["id"]))
    }

    async fn step(
        &self,
        procedure: &str,
        title: &str,
        parent: Option<&str>,
        upstream: Option<&str>,
        fields: Value,
    ) -> Result<String, BoxError> {
        let d = self
            .gql(
                "mutation($i: CreateStepInput!) { createStep(input: $i) { step { id } } }",
                json!({"i": {"procedureId": procedure, "title": title, "parentId": parent,
                             "upstreamStepIds": upstream.into_iter().collect::<Vec<_>>(), "fields": fields}}),
            )
            .await?;
        Ok(id(&d["createStep"]["step"]["id"]))
    }

    async fn release(&self, procedure: &str) -> Result<(), BoxError> {
        let d = self
            .gql(
                "query($id: ID!) { procedure(id: $id) { _etag } }",
                json!({"id": procedure}),
            )
            .await?;
        self.gql(
            "mutation($id: ID!, $e: String!) { releaseProcedure(input: {id: $id, etag: $e}) { procedure { id } } }",
            json!({"id": procedure, "e": d["procedure"]["_etag"]}),
        )
        .await?;
        Ok(())
    }

    /// One run per run status, made in one call, then worked at once; returns how many.
    async fn runs(&self, c: &Catalog) -> Result<usize, BoxError> {
        let frame = |title: &str| json!({"partId": c.frame, "procedureId": c.assemble, "title": title, "autogenerateSerialNumber": true});
        let mut inputs: Vec<Value> = [
            "Frame: not started",
            "Frame: being prepared",
            "Frame: on hold",
            "Frame: redline",
            "Frame: failed",
            "Frame: done",
        ]
        .map(frame)
        .into();
        inputs.push(json!({"partId": c.resin, "procedureId": c.mix, "title": "Resin: mixed, test skipped", "autogenerateLotNumber": true, "quantity": 20}));
        inputs.push(json!({"partId": c.fastener, "procedureId": c.kit, "title": "Fasteners: kit canceled", "quantity": 500}));
        let q = format!(
            "mutation($i: CreateRunsInput!) {{ createRuns(input: $i) {{ runs {{ {STEPS} }} }} }} {FRAGMENT}"
        );
        let d = self.gql(&q, json!({"i": {"runs": inputs}})).await?;
        let runs: Vec<Work> = d["createRuns"]["runs"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| Work::new(self, r))
            .collect();
        let n = runs.len();
        let [
            _todo,
            mut prep,
            mut hold,
            mut red,
            mut fail,
            mut done,
            mut lot,
            mut kit,
        ] = <[Work; 8]>::try_from(runs)
            .map_err(|_| format!("demo: createRuns made {n} runs, not 8"))?;
        tokio::try_join!(
            prep.prepare_frame(),
            hold.set("Prepare", "HOLD"),
            red.set("Prepare", "REDLINE"),
            async {
                fail.set("Prepare", "IN_PROGRESS").await?;
                fail.set("Prepare", "FAILED").await
            },
            done.complete_frame(),
            async {
                lot.work("Weigh", Some(("Mass", json!(19.8)))).await?;
                lot.set("Mix", "CANCELED").await
            },
            kit.set("Count", "CANCELED"),
        )?;
        Ok(n)
    }

    /// Three frames in a batch; starting the first one's step starts its siblings'.
    async fn batch(&self, c: &Catalog) -> Result<usize, BoxError> {
        let q = format!(
            "mutation($i: CreateBatchedRunInput!) {{ createBatchedRun(input: $i) {{ runs {{ {STEPS} }} }} }} {FRAGMENT}"
        );
        let d = self
            .gql(&q, json!({"i": {"title": "Frames, week 49", "runs": [{"partId": c.frame, "procedureId": c.assemble, "autogenerateSerialNumber": true, "copies": 3}]}}))
            .await?;
        let runs = d["createBatchedRun"]["runs"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let first = runs.first().ok_or("the batch has no runs")?;
        Work::new(self, first).set("Prepare", "IN_PROGRESS").await?;
        Ok(runs.len())
    }
}

/// What a run's steps are read with, nested ones included.
const STEPS: &str = "steps { ...S steps { ...S } }";
const FRAGMENT: &str = "fragment S on RunStep { id _etag title status fields { id _etag name } }";

/// A run being worked, with its steps as last seen: each change returns the new etags.
struct Work<'a> {
    floor: &'a Floor,
    steps: Vec<Value>,
}

impl<'a> Work<'a> {
    fn new(floor: &'a Floor, run: &Value) -> Work<'a> {
        let mut w = Work {
            floor,
            steps: Vec::new(),
        };
        w.read(run);
        w
    }

    fn read(&mut self, run: &Value) {
        let top = run["steps"].as_array().cloned().unwrap_or_default();
        self.steps = top
            .iter()
            .flat_map(|s| std::iter::once(s).chain(s["steps"].as_array().into_iter().flatten()))
            .cloned()
            .collect();
    }

    fn step(&mut self, title: &str) -> Result<&mut Value, BoxError> {
        self.steps
            .iter_mut()
            .find(|s| s["title"] == title)
            .ok_or_else(|| format!("demo: no step {title}").into())
    }

    async fn set(&mut self, step: &str, status: &str) -> Result<(), BoxError> {
        let s = self.step(step)?;
        let input = json!({"id": s["id"], "etag": s["_etag"], "status": status});
        let q = format!(
            "mutation($i: UpdateRunStepInput!) {{ updateRunStep(input: $i) {{ runStep {{ run {{ {STEPS} }} }} }} }} {FRAGMENT}"
        );
        let d = self.floor.gql(&q, json!({"i": input})).await?;
        self.read(&d["updateRunStep"]["runStep"]["run"]);
        Ok(())
    }

    async fn fill(&mut self, step: &str, field: &str, value: Value) -> Result<(), BoxError> {
        let floor = self.floor;
        let s = self.step(step)?;
        let f = s["fields"]
            .as_array_mut()
            .into_iter()
            .flatten()
            .find(|f| f["name"] == field)
            .ok_or_else(|| format!("demo: step {step} has no field {field}"))?;
        let d = floor
            .gql(
                "mutation($i: UpdateRunStepFieldValueInput!) { updateRunStepFieldValue(input: $i) { runStepField { _etag } } }",
                json!({"i": {"id": f["id"], "etag": f["_etag"], "value": value}}),
            )
            .await?;
        f["_etag"] = d["updateRunStepFieldValue"]["runStepField"]["_etag"].clone();
        Ok(())
    }

    /// Starts a step, fills one field, completes it.
    async fn work(&mut self, step: &str, field: Option<(&str, Value)>) -> Result<(), BoxError> {
        self.set(step, "IN_PROGRESS").await?;
        if let Some((name, value)) = field {
            self.fill(step, name, value).await?;
        }
        self.set(step, "COMPLETE").await
    }

    async fn prepare_frame(&mut self) -> Result<(), BoxError> {
        self.set("Prepare", "IN_PROGRESS").await?;
        self.fill("Prepare", "Torque", json!(6.5)).await?;
        self.fill("Prepare", "Operator note", json!("Second shift"))
            .await?;
        self.set("Clean surface", "IN_PROGRESS").await?;
        self.fill("Clean surface", "Cleaner", json!("IPA")).await
    }

    async fn complete_frame(&mut self) -> Result<(), BoxError> {
        self.set("Prepare", "IN_PROGRESS").await?;
        self.fill("Prepare", "Torque", json!(7)).await?;
        self.fill("Prepare", "Visual OK", json!(true)).await?;
        self.work("Clean surface", Some(("Cleaner", json!("Acetone"))))
            .await?;
        let defects = json!(["Scratch", "Burr"]);
        self.work("Inspect parts", Some(("Defects", defects)))
            .await?;
        self.set("Prepare", "COMPLETE").await?;
        self.set("Assemble", "IN_PROGRESS").await?;
        self.fill("Assemble", "Cure start", json!("2026-12-01T08:30:00Z"))
            .await?;
        self.fill("Assemble", "Photo", json!("photos/frame-assembly.jpg"))
            .await?;
        self.set("Assemble", "COMPLETE").await?;
        self.work("Final inspection", Some(("Inspector", json!(true))))
            .await
    }
}

fn id(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}
