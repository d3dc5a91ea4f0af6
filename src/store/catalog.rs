//! Parts, users, teams, API keys, custom attribute definitions and organizations.

use super::commands::{
    AttributeDefinition, NewApiKey, NewPart, NewTeam, NewUser, OrganizationEdit, PartEdit,
    TeamMember,
};
use super::writers::{Stamp as _, insert_new, touch};
use entity::{api_key, attribute_definition, part, role, team, team_member, user};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

use super::scope::{self, path};
use super::{etag, roles};
use crate::caller::Caller;
use crate::domain::enums::{AttributeType, PartStatus};
use crate::domain::numbering;
use crate::domain::permission::{DEFAULT_ROLES, may_act_on_user};
use crate::error::{AppError, AppResult, Code, Seg};

/// The caller's own user row.
pub async fn me(db: &impl ConnectionTrait, caller: &Caller) -> AppResult<user::Model> {
    scope::find::<user::Entity>(db, caller, caller.user_id)
        .await?
        .ok_or_else(|| AppError::not_found("user"))
}

/// The organization's API keys, by id.
pub async fn api_keys(
    db: &impl ConnectionTrait,
    caller: &Caller,
) -> AppResult<Vec<api_key::Model>> {
    scope::all::<api_key::Entity>(db, caller).await
}

/// The organization's custom attribute definitions, by id.
pub async fn attribute_definitions(
    db: &impl ConnectionTrait,
    caller: &Caller,
) -> AppResult<Vec<attribute_definition::Model>> {
    scope::all::<attribute_definition::Entity>(db, caller).await
}

pub(super) fn non_empty(v: &str, field: &'static str) -> AppResult<String> {
    let t = v.trim();
    if t.is_empty() {
        return Err(
            AppError::bad_input(format!("`{field}` must not be empty")).at(&["input", field])
        );
    }
    if t.len() > 500 {
        return Err(
            AppError::bad_input(format!("`{field}` is longer than 500 characters"))
                .at(&["input", field]),
        );
    }
    Ok(t.to_string())
}

fn scheme(v: Option<&str>, default: &str, field: &'static str) -> AppResult<String> {
    let s = v
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(default);
    numbering::validate_scheme(s)
        .map_err(|e| AppError::bad_input(format!("`{field}`: {e}")).at(&["input", field]))?;
    Ok(s.to_string())
}

pub async fn create_part(
    db: &impl ConnectionTrait,
    caller: &Caller,
    input: NewPart,
) -> AppResult<part::Model> {
    let part_number = non_empty(&input.part_number, "partNumber")?;
    let revision = non_empty(&input.revision, "revision")?;
    let serial_scheme = scheme(
        input.serial_scheme.as_deref(),
        numbering::DEFAULT_SERIAL_SCHEME,
        "serialScheme",
    )?;
    let lot_scheme = scheme(
        input.lot_scheme.as_deref(),
        numbering::DEFAULT_LOT_SCHEME,
        "lotScheme",
    )?;
    let same = scope::visible::<part::Entity>(caller)
        .filter(part::Column::PartNumber.eq(part_number.clone()))
        .filter(part::Column::Revision.eq(revision.clone()));
    super::refuse_if_any(db, same, || {
        let msg = format!("part {part_number} rev {revision} already exists");
        AppError::bad_input(msg).at(&["input", "partNumber"])
    })
    .await?;
    let row = part::ActiveModel {
        organization_id: Set(caller.organization_id),
        part_number: Set(part_number),
        revision: Set(revision),
        description: Set(super::long_text(input.description, "description")?),
        tracking_type: Set(input.tracking_type.as_str().to_string()),
        serial_scheme: Set(serial_scheme),
        lot_scheme: Set(lot_scheme),
        part_type: Set(part_type(input.part_type.as_deref())?),
        status: Set(PartStatus::Released.as_str().into()),
        lock_version: Set(1),
        ..Default::default()
    };
    insert_new(db, caller, row, || {
        let taken = AppError::bad_input("this part number and revision already exist");
        Some(taken.at(&["input", "partNumber"]))
    })
    .await
}

pub async fn update_part(
    db: &impl ConnectionTrait,
    caller: &Caller,
    input: PartEdit,
) -> AppResult<part::Model> {
    let id = input.id;
    let current = scope::get_current::<part::Entity>(db, caller, id, "part", &input.etag).await?;
    let mut am: part::ActiveModel = current.clone().into();
    if let Some(d) = super::long_text(input.description, "description")? {
        am.description = Set(Some(d));
    }
    if let Some(s) = input.serial_scheme.as_deref() {
        am.serial_scheme = Set(scheme(
            Some(s),
            numbering::DEFAULT_SERIAL_SCHEME,
            "serialScheme",
        )?);
    }
    if input.part_type.is_some() {
        am.part_type = Set(part_type(input.part_type.as_deref())?);
    }
    if let Some(st) = input.status {
        am.status = Set(st.as_str().into());
    }
    if let Some(s) = input.lot_scheme.as_deref() {
        am.lot_scheme = Set(scheme(Some(s), numbering::DEFAULT_LOT_SCHEME, "lotScheme")?);
    }
    etag::guarded_update::<part::Entity>(db, caller, am, id, current.lock_version, "part").await
}

/// A part type as stored (`domain::part::part_type`); absent is none.
fn part_type(raw: Option<&str>) -> AppResult<Option<String>> {
    let Some(raw) = raw else { return Ok(None) };
    crate::domain::part::part_type(raw)
        .map_err(|msg| AppError::bad_input(msg).at(&["input", "partType"]))
}

pub async fn create_user(
    db: &impl ConnectionTrait,
    caller: &Caller,
    input: NewUser,
) -> AppResult<user::Model> {
    let name = non_empty(&input.name, "name")?;
    let email = non_empty(&input.email, "email")?.to_lowercase();
    if !email.contains('@') {
        return Err(AppError::bad_input("`email` is not an email address").at(&["input", "email"]));
    }
    let same = scope::visible::<user::Entity>(caller).filter(user::Column::Email.eq(email.clone()));
    super::refuse_if_any(db, same, || {
        let msg = format!("a user with email {email} already exists");
        AppError::bad_input(msg).at(&["input", "email"])
    })
    .await?;
    let roles = match (input.roles, input.role_ids.is_empty()) {
        (None, true) => default_roles(db, caller).await?,
        (names, _) => {
            roles::resolve(db, caller, &names.unwrap_or_default(), &input.role_ids).await?
        }
    };
    roles::require_grant(caller, &roles, input.export_control_cleared, "roles")?;
    let u = user::ActiveModel {
        organization_id: Set(caller.organization_id),
        name: Set(name),
        email: Set(email),
        export_control_cleared: Set(input.export_control_cleared),
        system_admin: Set(false),
        lock_version: Set(1),
        ..Default::default()
    }
    .written_by(caller)
    .insert(db)
    .await?;
    roles::grant(db, caller, roles::Holder::User(u.id), &roles).await?;
    Ok(u)
}

/// The roles a user gets when created without any: `DEFAULT_ROLES`, those of them the
/// organization still has by those names.
async fn default_roles(db: &impl ConnectionTrait, caller: &Caller) -> AppResult<Vec<role::Model>> {
    let names = DEFAULT_ROLES.iter().map(|n| n.to_string());
    let q = scope::visible::<role::Entity>(caller).filter(role::Column::Name.is_in(names));
    Ok(q.order_by_asc(role::Column::Id).all(db).await?)
}

pub async fn create_team(
    db: &impl ConnectionTrait,
    caller: &Caller,
    input: NewTeam,
) -> AppResult<team::Model> {
    let name = non_empty(&input.name, "name")?;
    let roles = roles::resolve(db, caller, &input.roles, &input.role_ids).await?;
    roles::require_grant(caller, &roles, false, "roles")?;
    if let Some(s) = input.supervisor_id {
        let at = path(&["input", "supervisorId"]);
        scope::get::<user::Entity>(db, caller, s, "user", at).await?;
    }
    let mut user_ids = Vec::new();
    for (i, &uid) in input.user_ids.iter().enumerate() {
        let p = vec![Seg::Key("input"), Seg::Key("userIds"), Seg::Index(i)];
        let u = scope::get::<user::Entity>(db, caller, uid, "user", p.clone()).await?;
        require_covers(db, caller, &u, p).await?;
        if !user_ids.contains(&uid) {
            user_ids.push(uid);
        }
    }
    let t = team::ActiveModel {
        organization_id: Set(caller.organization_id),
        name: Set(name),
        supervisor_id: Set(input.supervisor_id),
        lock_version: Set(1),
        ..Default::default()
    }
    .written_by(caller)
    .insert(db)
    .await?;
    roles::grant(db, caller, roles::Holder::Team(t.id), &roles).await?;
    if !user_ids.is_empty() {
        team_member::Entity::insert_many(user_ids.into_iter().map(|uid| {
            team_member::ActiveModel {
                team_id: Set(t.id),
                user_id: Set(uid),
                organization_id: Set(caller.organization_id),
            }
        }))
        .exec_without_returning(db)
        .await?;
    }
    Ok(t)
}

pub async fn add_user_to_team(
    db: &impl ConnectionTrait,
    caller: &Caller,
    input: TeamMember,
) -> AppResult<team::Model> {
    let (tid, uid) = (input.team_id, input.user_id);
    let t = scope::named::<team::Entity>(db, caller, tid, "team", "teamId").await?;
    roles::require_grant(caller, &roles::of_team(db, tid).await?, false, "teamId")?;
    let p = path(&["input", "userId"]);
    let u = scope::get::<user::Entity>(db, caller, uid, "user", p.clone()).await?;
    require_covers(db, caller, &u, p).await?;
    let exists = team_member::Entity::find_by_id((tid, uid)).one(db).await?;
    if exists.is_none() {
        team_member::ActiveModel {
            team_id: Set(tid),
            user_id: Set(uid),
            organization_id: Set(caller.organization_id),
        }
        .insert(db)
        .await?;
        etag::bump::<team::Entity>(db, caller, tid).await?;
    }
    Ok(team::Entity::find_by_id(t.id).one(db).await?.unwrap_or(t))
}

/// Refuses with `FORBIDDEN` at `at` unless the caller is `u` or holds everything `u` holds
/// (`domain::permission::may_act_on_user`): a key for, or a change to, a user above oneself
/// would lift the caller to that user.
pub(super) async fn require_covers(
    db: &impl ConnectionTrait,
    caller: &Caller,
    u: &user::Model,
    at: Vec<Seg>,
) -> AppResult<()> {
    let target = super::auth::user_rights(db, u).await?;
    if may_act_on_user(&caller.rights(), u.id == caller.user_id, &target) {
        return Ok(());
    }
    let msg = "this user holds permissions or clearance you do not: only they, or a \
               caller who holds everything they do, may act on their keys and teams";
    Err(AppError::new(Code::Forbidden, msg).with_path(at))
}

pub async fn create_api_key(
    db: &impl ConnectionTrait,
    caller: &Caller,
    input: NewApiKey,
) -> AppResult<(api_key::Model, String)> {
    let uid = input.user_id;
    let p = path(&["input", "userId"]);
    let u = scope::get::<user::Entity>(db, caller, uid, "user", p.clone()).await?;
    require_covers(db, caller, &u, p).await?;
    let token = super::auth::new_token();
    let name = input.name.unwrap_or_else(|| "api key".into());
    let key = super::auth::insert_key(db, caller.into(), caller.organization_id, uid, name, &token)
        .await?;
    Ok((key, token))
}

pub async fn revoke_api_key(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: i64,
) -> AppResult<api_key::Model> {
    let p = path(&["input", "id"]);
    let key = scope::get::<api_key::Entity>(db, caller, id, "API key", p.clone()).await?;
    let owner = scope::get::<user::Entity>(db, caller, key.user_id, "API key", p.clone()).await?;
    require_covers(db, caller, &owner, p).await?;
    let mut am: api_key::ActiveModel = key.into();
    am.revoked_at = Set(Some(super::now()));
    touch(&mut am, caller);
    Ok(am.update(db).await?)
}

pub async fn define_attribute(
    db: &impl ConnectionTrait,
    caller: &Caller,
    input: AttributeDefinition,
) -> AppResult<attribute_definition::Model> {
    let key = non_empty(&input.key, "key")?;
    let options = input.options.unwrap_or_default();
    if input.attr_type == AttributeType::Select && options.is_empty() {
        return Err(
            AppError::bad_input("a SELECT attribute needs options").at(&["input", "options"])
        );
    }
    let same = scope::visible::<attribute_definition::Entity>(caller)
        .filter(attribute_definition::Column::Entity.eq(input.entity.as_str()))
        .filter(attribute_definition::Column::Key.eq(key.clone()));
    super::refuse_if_any(db, same, || {
        let msg = format!("attribute {key} is already defined");
        AppError::bad_input(msg).at(&["input", "key"])
    })
    .await?;
    Ok(attribute_definition::ActiveModel {
        organization_id: Set(caller.organization_id),
        entity: Set(input.entity.as_str().to_string()),
        key: Set(key),
        attr_type: Set(input.attr_type.as_str().to_string()),
        required: Set(input.required),
        options: Set(
            (!options.is_empty()).then(|| serde_json::to_string(&options).unwrap_or_default())
        ),
        lock_version: Set(1),
        ..Default::default()
    }
    .written_by(caller)
    .insert(db)
    .await?)
}

pub async fn update_organization(
    db: &impl ConnectionTrait,
    caller: &Caller,
    edit: OrganizationEdit,
) -> AppResult<entity::organization::Model> {
    let OrganizationEdit {
        name,
        require_part_procedure_link: require_link,
        domain,
    } = edit;
    use entity::organization;
    let o = organization::Entity::find_by_id(caller.organization_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("organization"))?;
    let mut am: organization::ActiveModel = o.into();
    if let Some(n) = name {
        am.name = Set(non_empty(&n, "name")?);
    }
    if let Some(r) = require_link {
        am.require_part_procedure_link = Set(r);
    }
    if let Some(d) = domain {
        am.domain = Set(email_domain(&d)?);
    }
    touch(&mut am, caller);
    Ok(am.update(db).await?)
}

/// An e-mail domain as people write it (`Example.COM` is `example.com`); empty is none.
fn email_domain(d: &str) -> AppResult<Option<String>> {
    let d = d.trim().to_ascii_lowercase();
    if d.is_empty() {
        return Ok(None);
    }
    let label_ok = |l: &str| {
        (1..=63).contains(&l.len())
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if d.len() > 253 || !d.contains('.') || !d.split('.').all(label_ok) {
        let msg = format!("`domain` \"{d}\" is not a domain name such as example.com");
        return Err(AppError::bad_input(msg).at(&["input", "domain"]));
    }
    Ok(Some(d))
}

/// A new organization with its first admin user and key (the token, shown once). Its rows
/// are the system's (no writer): the system administrator who asks is a user of another
/// organization, whose id the new one's users should not see.
pub async fn create_organization(
    db: &impl ConnectionTrait,
    name: &str,
) -> AppResult<(entity::organization::Model, String)> {
    let name = non_empty(name, "name")?;
    Ok(super::auth::create_organization_with_admin(
        db,
        super::writers::Writer::system(),
        &name,
        None,
        false,
    )
    .await?)
}
