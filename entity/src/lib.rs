//! SeaORM entities of the Traveler database (hand-written, one module per table).
//!
//! Relations are intentionally empty; joins are written by hand.

pub mod api_key;
pub mod attribute_definition;
pub mod counter;
pub mod event;
pub mod idempotency_key;
pub mod organization;
pub mod part;
pub mod part_inventory;
pub mod part_part_subtype;
pub mod part_procedure;
pub mod part_subtype;
pub mod procedure;
pub mod role;
pub mod run;
pub mod run_batch;
pub mod run_step;
pub mod run_step_edge;
pub mod run_step_event;
pub mod run_step_field;
pub mod step;
pub mod step_edge;
pub mod step_field;
pub mod team;
pub mod team_member;
pub mod team_role;
pub mod user;
pub mod user_role;
pub mod work_center;

/// Entity types re-exported under their table-ish names (`Run`, `RunStep`, ...).
pub mod prelude {
    pub use super::api_key::Entity as ApiKey;
    pub use super::attribute_definition::Entity as AttributeDefinition;
    pub use super::counter::Entity as Counter;
    pub use super::event::Entity as Event;
    pub use super::idempotency_key::Entity as IdempotencyKey;
    pub use super::organization::Entity as Organization;
    pub use super::part::Entity as Part;
    pub use super::part_inventory::Entity as PartInventory;
    pub use super::part_part_subtype::Entity as PartPartSubtype;
    pub use super::part_procedure::Entity as PartProcedure;
    pub use super::part_subtype::Entity as PartSubtype;
    pub use super::procedure::Entity as Procedure;
    pub use super::role::Entity as Role;
    pub use super::run::Entity as Run;
    pub use super::run_batch::Entity as RunBatch;
    pub use super::run_step::Entity as RunStep;
    pub use super::run_step_edge::Entity as RunStepEdge;
    pub use super::run_step_event::Entity as RunStepEvent;
    pub use super::run_step_field::Entity as RunStepField;
    pub use super::step::Entity as Step;
    pub use super::step_edge::Entity as StepEdge;
    pub use super::step_field::Entity as StepField;
    pub use super::team::Entity as Team;
    pub use super::team_member::Entity as TeamMember;
    pub use super::team_role::Entity as TeamRole;
    pub use super::user::Entity as User;
    pub use super::user_role::Entity as UserRole;
    pub use super::work_center::Entity as WorkCenter;
}
