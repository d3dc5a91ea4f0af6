//! ION's part subtypes: categories of the organization (names unique in it) attached to
//! parts.

use entity::{part, part_part_subtype, part_subtype};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use super::commands::{NewPartSubtype, SubtypeLink};
use super::scope::{self};
use super::writers::insert_new;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};

fn name_taken(name: &str) -> AppError {
    AppError::bad_input(format!("a part subtype named {name} already exists"))
        .at(&["input", "name"])
}

pub async fn create_part_subtype(
    db: &impl ConnectionTrait,
    caller: &Caller,
    input: NewPartSubtype,
) -> AppResult<part_subtype::Model> {
    let name = super::catalog::non_empty(&input.name, "name")?;
    let description = super::long_text(input.description, "description")?;
    let same = scope::visible::<part_subtype::Entity>(caller)
        .filter(part_subtype::Column::Name.eq(name.clone()));
    super::refuse_if_any(db, same, || name_taken(&name)).await?;
    let row = part_subtype::ActiveModel {
        organization_id: Set(caller.organization_id),
        name: Set(name.clone()),
        description: Set(description),
        lock_version: Set(1),
        ..Default::default()
    };
    insert_new(db, caller, row, || Some(name_taken(&name))).await
}

/// Attaches the subtype to the part; attaching it again changes nothing. The part as it is.
pub async fn add_subtype_to_part(
    db: &impl ConnectionTrait,
    caller: &Caller,
    input: SubtypeLink,
) -> AppResult<part::Model> {
    let p = scope::named::<part::Entity>(db, caller, input.part_id, "part", "partId").await?;
    let s = scope::named::<part_subtype::Entity>(
        db,
        caller,
        input.part_subtype_id,
        "part subtype",
        "partSubtypeId",
    )
    .await?;
    let link = part_part_subtype::ActiveModel {
        part_id: Set(p.id),
        part_subtype_id: Set(s.id),
        organization_id: Set(caller.organization_id),
    };
    part_part_subtype::Entity::insert(link)
        .on_conflict_do_nothing()
        .exec_without_returning(db)
        .await?;
    Ok(p)
}
