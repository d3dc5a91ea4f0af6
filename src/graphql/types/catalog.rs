//! Parts, units, users, teams, API keys, attribute definitions.

use async_graphql::{ComplexObject, Context, ID, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{api_key, attribute_definition, part, part_inventory, part_subtype, role, team, user};

use super::id;
use super::procedure::Procedure;
use super::{related, row_object};
use crate::graphql::ctx::{Gql, loaders};
use crate::graphql::enums::{
    AttributeEntity, AttributeType, PartInventoryStatus, PartStatus, Permission, TrackingType,
};
use crate::graphql::loaders::{
    OrganizationKey, PartKey, PartProceduresKey, PartQuantityKey, PartSubtypesKey, RoleKey,
    TeamMembersKey, TeamRolesKey, UserKey, UserRolesKey,
};
use crate::store::rows;

row_object!(
    /// A design: part number + revision.
    pub struct Part(pub part::Model) in PartConnection, PartEdge {
    /// The part's id.
    id: ID,
    _etag,
    _writers,
    /// The part number; with the revision, unique in the organization.
    part_number: &str,
    /// The revision, e.g. `A`.
    revision: &str,
    /// Free-text description.
    description: Option<&str>,
    /// How the part's units are tracked: by serial, by lot, or by quantity only.
    async fn tracking_type(&self) -> Result<TrackingType> {
        rows::part_tracking_type(&self.0).map(Into::into).gql()
    }
    /// ION's part type (free text, e.g. `ASSEMBLY`); null until set.
    part_type: Option<&str>,
    /// RELEASED (current; the status of a new part) or ARCHIVED (retired: no new units or
    /// lots; existing ones are unaffected).
    async fn status(&self) -> Result<PartStatus> {
        rows::part_status(&self.0).map(Into::into).gql()
    }
    /// Template of generated serial numbers, e.g. `{PART}-{SEQ:5}`.
    serial_scheme: &str,
    /// Template of generated lot numbers.
    lot_scheme: &str,
    /// The summed quantity of all the part's units and lots (ION's field); 0 without any.
    async fn quantity(&self, ctx: &Context<'_>) -> Result<f64> {
        Ok(loaders(ctx).load(PartQuantityKey(self.0.id)).await?.unwrap_or(0.0))
    }
    /// The part's subtypes (ION's), by id; attached with `addSubtypeToPart`.
    #[list_cost]
    async fn part_subtypes(&self, ctx: &Context<'_>) -> Result<Vec<PartSubtype>> {
        let list = super::load_or_default(ctx, PartSubtypesKey(self.0.id)).await?;
        Ok(list.iter().cloned().map(PartSubtype).collect())
    }
    /// The RELEASED procedures linked to this part: what it can be built with.
    #[list_cost]
    async fn procedures(&self, ctx: &Context<'_>) -> Result<Vec<Procedure>> {
        let list = super::load_or_default(ctx, PartProceduresKey(self.0.id)).await?;
        Ok(list.iter().cloned().map(Procedure).collect())
    }
});

row_object!(
    /// ION's part subtype: a category of the organization's own (names unique in it),
    /// attached to parts.
    pub struct PartSubtype(pub part_subtype::Model) {
    /// The subtype's id.
    id: ID,
    _writers,
    /// Its name, unique in the organization.
    name: &str,
    /// Free-text description.
    description: Option<&str>,
});

row_object!(
    /// One tracked unit or lot of a part.
    pub struct PartInventory(pub part_inventory::Model)
        in PartInventoryConnection, PartInventoryEdge {
    /// The unit's or lot's id.
    id: ID,
    _etag,
    _writers,
    /// The part it is a unit or lot of.
    part_id: ID,
    /// The part it is a unit or lot of.
    async fn part(&self, ctx: &Context<'_>) -> Result<Part> {
        let p = loaders(ctx).load(PartKey(self.0.part_id)).await?;
        p.map(Part)
            .ok_or_else(|| crate::error::AppError::not_found("part").into_gql())
    }
    /// The serial number of a SERIAL unit; null otherwise.
    serial_number: Option<&str>,
    /// The lot number of a LOT; null otherwise.
    lot_number: Option<&str>,
    /// How many: always 1 for a SERIAL unit.
    quantity: f64,
    /// Where the unit or lot stands.
    async fn status(&self) -> Result<PartInventoryStatus> {
        rows::inventory_status(&self.0).map(Into::into).gql()
    }
    /// What can be used now (ION's field): the quantity of an AVAILABLE unit or lot, else 0.
    async fn quantity_available(&self) -> Result<f64> {
        let s = rows::inventory_status(&self.0).gql()?;
        let available = s == crate::domain::PartInventoryStatus::Available;
        Ok(if available { self.0.quantity } else { 0.0 })
    }
});

row_object!(
    /// A person or a service account.
    pub struct User(pub user::Model) in UserConnection, UserEdge {
    /// The user's id.
    id: ID,
    _etag,
    _writers,
    /// The user's name.
    name: &str,
    /// The user's e-mail address.
    email: &str,
    /// The roles this user holds directly (those of their teams are on `Team.roles`).
    #[list_cost]
    async fn roles(&self, ctx: &Context<'_>) -> Result<Vec<Role>> {
        super::members::<_, RoleKey, _>(ctx, UserRolesKey(self.0.id), Role, |r| r.0.id).await
    }
    /// Cleared to see and work export-controlled procedures and runs.
    export_control_cleared: bool,
    /// The user's organization.
    organization_id: ID,
    /// The user's organization (ION's `currentUser { organization { id domain } }`).
    async fn organization(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        related(ctx, Some(OrganizationKey(self.0.organization_id)), Organization::from).await
    }
    /// Runs assigned to this user or to a team the user is on (an operator's work view).
    #[cost(|child| super::page_cost(first, None, child))]
    async fn assigned_runs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions on the runs' fields; every one given must hold.")]
        filters: Option<crate::graphql::input::filters::RunsInputFilters>,
        #[graphql(desc = "Sort keys, the first deciding; ties break on id. Default: id ascending.")]
        sort: Option<Vec<crate::graphql::input::filters::RunSortEnum>>,
        #[graphql(desc = "First N runs after `after`; default 50, at most the page size (100).")]
        first: Option<i32>,
        #[graphql(desc = "Start after the run with this cursor (an edge's `cursor`).")]
        after: Option<String>,
    ) -> Result<super::run::RunConnection> {
        use crate::graphql::ctx::{Gql, caller, limits, reads};
        let mut args = crate::graphql::connection::page_args(first, after, None, None);
        args.total = crate::graphql::connection::wants_total(ctx);
        let spec = crate::graphql::input::filters::spec(filters, sort);
        let (c, max) = (caller(ctx)?, limits(ctx).page_size);
        let page = crate::store::lists::assigned_runs(reads(ctx), c, self.0.id, spec, &args, max)
            .await
            .gql()?;
        crate::graphql::query::run_connection(ctx, page, super::run::StepOrder::Traveler).await
    }
});

row_object!(
    /// A group of users; a run can be assigned to a team.
    pub struct Team(pub team::Model) in TeamConnection, TeamEdge {
    /// The team's id.
    id: ID,
    _etag,
    _writers,
    /// The team's name.
    name: &str,
    /// The id of the user who leads the team, if any (ION's field).
    supervisor_id: Option<ID>,
    /// The user who leads the team, if any.
    async fn supervisor(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        related(ctx, self.0.supervisor_id.map(UserKey), User).await
    }
    /// Roles every member gets through the team.
    #[list_cost]
    async fn roles(&self, ctx: &Context<'_>) -> Result<Vec<Role>> {
        super::members::<_, RoleKey, _>(ctx, TeamRolesKey(self.0.id), Role, |r| r.0.id).await
    }
    /// The team's members, by id.
    #[list_cost]
    async fn users(&self, ctx: &Context<'_>) -> Result<Vec<User>> {
        super::members::<_, UserKey, _>(ctx, TeamMembersKey(self.0.id), User, |u| u.0.id).await
    }
});

row_object!(
    /// An API key (the token itself is shown only once, when created).
    pub struct ApiKey(pub api_key::Model) {
    /// The key's id.
    id: ID,
    _writers,
    /// The key's version: `v1`, `v2` once revoked.
    #[graphql(name = "_etag")]
    async fn etag(&self) -> String {
        format!("v{}", if self.0.revoked_at.is_some() { 2 } else { 1 })
    }
    /// A name for the key, to tell keys apart.
    name: &str,
    /// The user the key acts as.
    user_id: ID,
    /// When the key last authenticated a request (kept to within 5 seconds); null if never.
    last_used_at: Option<DateTime<Utc>>,
    /// When the key was revoked; null while it works.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
});

row_object!(
    /// An organization-defined custom attribute.
    pub struct AttributeDefinition(pub attribute_definition::Model) {
    /// The definition's id.
    id: ID,
    _etag,
    _writers,
    /// The kind of entity the attribute is set on.
    async fn entity(&self) -> Result<Option<AttributeEntity>> {
        rows::attribute_entity(&self.0)
            .map(|v| Some(v.into()))
            .gql()
    }
    /// The attribute's key, unique per entity kind.
    key: &str,
    /// The type of the attribute's values.
    #[graphql(name = "type")]
    async fn attr_type(&self) -> Result<Option<AttributeType>> {
        rows::attribute_type(&self.0).map(|v| Some(v.into())).gql()
    }
    /// A required RUN attribute must have a value on every run created (values are only
    /// set on runs today).
    required: bool,
    /// The choices of a SELECT attribute; empty otherwise.
    async fn options(&self) -> Vec<String> {
        super::options(&self.0.options)
    }
});

/// A custom attribute value on a run.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct Attribute {
    /// The attribute's key.
    pub key: String,
    /// The attribute's type: STRING, NUMBER, BOOLEAN, SELECT or DATE.
    #[graphql(name = "type")]
    pub attr_type: String,
    #[graphql(skip)]
    pub raw: serde_json::Value,
}

#[ComplexObject]
impl Attribute {
    /// The value, as JSON of the attribute's type.
    async fn value(&self) -> async_graphql::Json<serde_json::Value> {
        async_graphql::Json(self.raw.clone())
    }
}

row_object!(
    /// One audited mutation: who (user and key), when, what entity, the change (its input).
    pub struct Event(pub entity::event::Model) in EventConnection, EventEdge {
    /// The event's id, in the order events were written.
    id: ID,
    /// The mutation, e.g. `createRun`.
    action: &str,
    /// The kind of entity changed, e.g. `Run`.
    entity: &str,
    /// The id of the entity changed; null when the mutation changed no single row.
    async fn entity_id(&self) -> Option<ID> {
        self.0.entity_id.map(id)
    }
    /// The user who made the change.
    user_id: ID,
    /// The API key the change was made with.
    api_key_id: ID,
    /// The mutation's arguments, as JSON.
    async fn change(&self) -> async_graphql::Json<serde_json::Value> {
        async_graphql::Json(serde_json::from_str(&self.0.change).unwrap_or_default())
    }
    /// When the change was made.
    created_at: DateTime<Utc>,
    /// The id of the request that made the change (its `X-Request-Id`), to find its log
    /// lines; null for events written before request ids were kept.
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
});

row_object!(
    /// A named set of permissions of the organization, held by users and teams. Every
    /// organization starts with ADMIN, ENGINEER, PLANNER, OPERATOR and VIEWER.
    pub struct Role(pub role::Model) in RoleConnection, RoleEdge {
    /// The role's id.
    id: ID,
    _etag,
    _writers,
    /// Unique in the organization; `createUser(input: {roles: [..]})` names roles by it.
    name: &str,
    /// What the role lets its holders do.
    async fn permissions(&self) -> Result<Vec<Permission>> {
        let perms = rows::role_permissions(&self.0).gql()?;
        Ok(perms.iter().map(Into::into).collect())
    }
});

row_object!(
    /// A tenant: everything a caller sees belongs to its organization.
    pub struct Organization(pub entity::organization::Model) {
    /// The organization's id.
    id: ID,
    _writers,
    /// The organization's name.
    name: &str,
    /// When true, a run's procedure must be linked to its part.
    require_part_procedure_link: bool,
    /// The organization's e-mail domain (`example.com`), if set.
    domain: Option<&str>,
});

impl From<entity::organization::Model> for Organization {
    fn from(m: entity::organization::Model) -> Self {
        Organization(m)
    }
}
