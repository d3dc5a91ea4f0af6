//! The audit log: one append-only event per mutation, written in the mutation's own
//! transaction (so an event exists exactly when its change does). The database refuses
//! UPDATE and DELETE on `events` (triggers in the migration).

use entity::{
    api_key, attribute_definition, event, organization, part, part_inventory, part_subtype,
    procedure, role, run, run_batch, run_step, run_step_field, step, step_edge, step_field, team,
    user, work_center,
};
use sea_orm::{ConnectionTrait, EntityTrait, Set};

use super::execution::{FieldOutcome, StepOutcome};
use crate::caller::Caller;
use crate::error::AppResult;

/// What a mutation changed: the kind of entity and its id.
pub trait Subject {
    fn subject(&self) -> (&'static str, Option<i64>);
}

macro_rules! subject {
    ($($m:ident => $name:literal),* $(,)?) => {$(
        impl Subject for $m::Model {
            fn subject(&self) -> (&'static str, Option<i64>) {
                ($name, Some(self.id))
            }
        }
    )*};
}

subject!(
    part => "Part", procedure => "Procedure", step => "Step", step_field => "StepField",
    step_edge => "StepEdge", part_inventory => "PartInventory", user => "User", team => "Team",
    api_key => "ApiKey", attribute_definition => "AttributeDefinition", organization => "Organization",
    run => "Run", run_batch => "RunBatch", run_step => "RunStep", run_step_field => "RunStepField",
    role => "Role",
    work_center => "WorkCenter",
    part_subtype => "PartSubtype",
);

/// A role given or taken: the event is about the role; the input names the user or team.
impl Subject for super::roles::Assigned {
    fn subject(&self) -> (&'static str, Option<i64>) {
        ("Role", Some(self.role.id))
    }
}

impl<T: Subject> Subject for (T, String) {
    fn subject(&self) -> (&'static str, Option<i64>) {
        self.0.subject()
    }
}

impl Subject for StepOutcome {
    fn subject(&self) -> (&'static str, Option<i64>) {
        ("RunStep", Some(self.step.id))
    }
}

impl Subject for FieldOutcome {
    fn subject(&self) -> (&'static str, Option<i64>) {
        ("RunStepField", Some(self.field.id))
    }
}

pub async fn record(
    db: &impl ConnectionTrait,
    caller: &Caller,
    action: &str,
    (entity, entity_id): (&'static str, Option<i64>),
    change: serde_json::Value,
) -> AppResult<()> {
    event::Entity::insert(event::ActiveModel {
        organization_id: Set(caller.organization_id),
        user_id: Set(caller.user_id),
        api_key_id: Set(caller.api_key_id),
        action: Set(action.to_string()),
        entity: Set(entity.to_string()),
        entity_id: Set(entity_id),
        change: Set(change.to_string()),
        created_at: Set(super::now()),
        request_id: Set(caller.request_id.clone()),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}
