//! Parts, units, users, teams, API keys, attribute definitions.

use async_graphql::{ComplexObject, Context, ID, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{api_key, attribute_definition, part, part_inventory, role, team, user};

use super::id;
use super::procedure::Procedure;
use super::{related, row_object};
use crate::graphql::ctx::{Gql, loaders};
use crate::graphql::enums::{
    AttributeEntity, AttributeType, PartInventoryStatus, Permission, TrackingType,
};
use crate::graphql::loaders::{
    OrganizationKey, PartKey, PartProceduresKey, RoleKey, TeamMembersKey, TeamRolesKey, UserKey,
    UserRolesKey,
};
use crate::store::rows;

/// A design: part number + revision.
pub struct Part(pub part::Model);

row_object!(Part {
    id: ID,
    _etag,
    part_number: &str,
    revision: &str,
    description: Option<&str>,
    async fn tracking_type(&self) -> Result<TrackingType> {
        rows::part_tracking_type(&self.0).map(Into::into).gql()
    }
    /// Template of generated serial numbers, e.g. `{PART}-{SEQ:5}`.
    serial_scheme: &str,
    /// Template of generated lot numbers.
    lot_scheme: &str,
    created_at: DateTime<Utc>,
    /// The RELEASED procedures linked to this part: what it can be built with.
    #[list_cost]
    async fn procedures(&self, ctx: &Context<'_>) -> Result<Vec<Procedure>> {
        let list = super::load_or_default(ctx, PartProceduresKey(self.0.id)).await?;
        Ok(list.iter().cloned().map(Procedure).collect())
    }
});

/// One tracked unit or lot of a part.
pub struct PartInventory(pub part_inventory::Model);

row_object!(PartInventory {
    id: ID,
    _etag,
    part_id: ID,
    async fn part(&self, ctx: &Context<'_>) -> Result<Part> {
        let p = loaders(ctx).load(PartKey(self.0.part_id)).await?;
        p.map(Part)
            .ok_or_else(|| crate::error::AppError::not_found("part").into_gql())
    }
    serial_number: Option<&str>,
    lot_number: Option<&str>,
    quantity: f64,
    async fn status(&self) -> Result<PartInventoryStatus> {
        rows::inventory_status(&self.0).map(Into::into).gql()
    }
    /// What can be used now (ION's field): the quantity of an AVAILABLE unit or lot, else 0.
    async fn quantity_available(&self) -> Result<f64> {
        let s = rows::inventory_status(&self.0).gql()?;
        let available = s == crate::domain::PartInventoryStatus::Available;
        Ok(if available { self.0.quantity } else { 0.0 })
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
});

/// A person or a service account.
pub struct User(pub user::Model);

row_object!(User {
    id: ID,
    _etag,
    name: &str,
    email: &str,
    /// The roles this user holds directly (those of their teams are on `Team.roles`).
    #[list_cost]
    async fn roles(&self, ctx: &Context<'_>) -> Result<Vec<Role>> {
        super::members::<_, RoleKey, _>(ctx, UserRolesKey(self.0.id), Role, |r| r.0.id).await
    }
    /// Cleared to see and work export-controlled procedures and runs.
    export_control_cleared: bool,
    organization_id: ID,
    /// The user's organization (ION's `currentUser { organization { id domain } }`).
    async fn organization(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        related(ctx, Some(OrganizationKey(self.0.organization_id)), Organization::from).await
    }
    created_at: DateTime<Utc>,
    /// Runs assigned to this user or to a team the user is on (an operator's work view).
    #[cost(|child| super::page_cost(first, None, child))]
    async fn assigned_runs(
        &self,
        ctx: &Context<'_>,
        filters: Option<crate::graphql::input::filters::RunsInputFilters>,
        sort: Option<Vec<crate::graphql::input::filters::RunSortEnum>>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<super::run::RunConnection> {
        use crate::graphql::ctx::{Gql, caller, db, limits};
        let mut args = crate::graphql::connection::page_args(first, after, None, None);
        args.total = crate::graphql::connection::wants_total(ctx);
        let spec = crate::graphql::input::filters::spec(filters, sort);
        let (c, max) = (caller(ctx)?, limits(ctx).page_size);
        let page = crate::store::lists::assigned_runs(db(ctx), c, self.0.id, spec, &args, max)
            .await
            .gql()?;
        crate::graphql::query::run_connection(ctx, page).await
    }
});

/// A group of users; a run can be assigned to a team.
pub struct Team(pub team::Model);

row_object!(Team {
    id: ID,
    _etag,
    name: &str,
    /// Roles every member gets through the team.
    #[list_cost]
    async fn roles(&self, ctx: &Context<'_>) -> Result<Vec<Role>> {
        super::members::<_, RoleKey, _>(ctx, TeamRolesKey(self.0.id), Role, |r| r.0.id).await
    }
    #[list_cost]
    async fn users(&self, ctx: &Context<'_>) -> Result<Vec<User>> {
        super::members::<_, UserKey, _>(ctx, TeamMembersKey(self.0.id), User, |u| u.0.id).await
    }
});

/// An API key (the token itself is shown only once, when created).
pub struct ApiKey(pub api_key::Model);

row_object!(ApiKey {
    id: ID,
    #[graphql(name = "_etag")]
    async fn etag(&self) -> String {
        format!("v{}", if self.0.revoked_at.is_some() { 2 } else { 1 })
    }
    name: &str,
    user_id: ID,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
});

/// An organization-defined custom attribute.
pub struct AttributeDefinition(pub attribute_definition::Model);

row_object!(AttributeDefinition {
    id: ID,
    _etag,
    async fn entity(&self) -> Result<Option<AttributeEntity>> {
        rows::attribute_entity(&self.0)
            .map(|v| Some(v.into()))
            .gql()
    }
    key: &str,
    #[graphql(name = "type")]
    async fn attr_type(&self) -> Result<Option<AttributeType>> {
        rows::attribute_type(&self.0).map(|v| Some(v.into())).gql()
    }
    required: bool,
    async fn options(&self) -> Vec<String> {
        super::options(&self.0.options)
    }
});

/// A custom attribute value on a run.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct Attribute {
    pub key: String,
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

crate::graphql::connection::connection!(PartConnection, PartEdge, Part);
crate::graphql::connection::connection!(PartInventoryConnection, PartInventoryEdge, PartInventory);
crate::graphql::connection::connection!(UserConnection, UserEdge, User);
crate::graphql::connection::connection!(TeamConnection, TeamEdge, Team);

/// One audited mutation: who (user and key), when, what entity, the change (its input).
pub struct Event(pub entity::event::Model);

row_object!(Event {
    id: ID,
    /// The mutation, e.g. `createRun`.
    action: &str,
    /// The kind of entity changed, e.g. `Run`.
    entity: &str,
    async fn entity_id(&self) -> Option<ID> {
        self.0.entity_id.map(id)
    }
    user_id: ID,
    api_key_id: ID,
    /// The mutation's arguments, as JSON.
    async fn change(&self) -> async_graphql::Json<serde_json::Value> {
        async_graphql::Json(serde_json::from_str(&self.0.change).unwrap_or_default())
    }
    created_at: DateTime<Utc>,
    /// The id of the request that made the change (its `X-Request-Id`), to find its log
    /// lines; null for events written before request ids were kept.
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
});

crate::graphql::connection::connection!(EventConnection, EventEdge, Event);

/// A named set of permissions of the organization, held by users and teams. Every
/// organization starts with ADMIN, ENGINEER, PLANNER, OPERATOR and VIEWER.
pub struct Role(pub role::Model);

row_object!(Role {
    id: ID,
    _etag,
    /// Unique in the organization; `createUser(input: {roles: [..]})` names roles by it.
    name: &str,
    /// What the role lets its holders do.
    async fn permissions(&self) -> Result<Vec<Permission>> {
        let perms = rows::role_permissions(&self.0).gql()?;
        Ok(perms.iter().map(Into::into).collect())
    }
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
});

crate::graphql::connection::connection!(RoleConnection, RoleEdge, Role);

/// A tenant: everything a caller sees belongs to its organization.
#[derive(SimpleObject)]
pub struct Organization {
    pub id: ID,
    pub name: String,
    /// When true, a run's procedure must be linked to its part.
    pub require_part_procedure_link: bool,
    /// The organization's e-mail domain (`example.com`), if set.
    pub domain: Option<String>,
}

impl From<entity::organization::Model> for Organization {
    fn from(m: entity::organization::Model) -> Self {
        Organization {
            id: id(m.id),
            name: m.name,
            require_part_procedure_link: m.require_part_procedure_link,
            domain: m.domain,
        }
    }
}
