//! Roles as objects (ION's `roles { id name }`): per-organization named sets of permissions,
//! assigned to users and teams, replacing the comma-separated role names stored on
//! `users.roles` and `teams.roles`.
//!
//! Every organization gets the five roles it had as fixed names, holding the permissions
//! those names granted, and every user and team keeps exactly the roles it had.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The fixed roles as they stood when this migration was written (a snapshot: the server's
/// `domain::permission::BUILTIN_ROLES` seeds new organizations and may grow later).
const BUILTIN: &[(&str, &str)] = &[
    (
        "ADMIN",
        "read,catalog:write,runs:write,steps:work,steps:redline,users:write",
    ),
    ("ENGINEER", "read,catalog:write,steps:work,steps:redline"),
    ("PLANNER", "read,runs:write"),
    ("OPERATOR", "read,steps:work"),
    ("VIEWER", "read"),
];

fn big(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).big_integer().not_null().take()
}

fn ts(name: &'static str) -> ColumnDef {
    ColumnDef::new(name)
        .timestamp_with_time_zone()
        .not_null()
        .take()
}

fn roles_table() -> TableCreateStatement {
    Table::create()
        .table("roles")
        .col(
            ColumnDef::new("id")
                .big_integer()
                .not_null()
                .auto_increment()
                .primary_key(),
        )
        .col(big("organization_id"))
        .col(ColumnDef::new("name").text().not_null())
        .col(ColumnDef::new("permissions").text().not_null())
        .col(
            ColumnDef::new("lock_version")
                .integer()
                .not_null()
                .default(1),
        )
        .col(ts("created_at"))
        .col(ts("updated_at"))
        .foreign_key(
            ForeignKey::create()
                .name("fk_roles_organization_id")
                .from("roles", "organization_id")
                .to("organizations", "id"),
        )
        .take()
}

/// `user_roles` or `team_roles`: who (`holder`, a user or a team) holds which role.
fn holders_table(
    table: &'static str,
    holder: &'static str,
    to: &'static str,
) -> TableCreateStatement {
    Table::create()
        .table(table)
        .col(big(holder))
        .col(big("role_id"))
        .col(big("organization_id"))
        .primary_key(Index::create().col(holder).col("role_id"))
        .foreign_key(
            ForeignKey::create()
                .name(format!("fk_{table}_{holder}"))
                .from(table, holder)
                .to(to, "id"),
        )
        .foreign_key(
            ForeignKey::create()
                .name(format!("fk_{table}_role_id"))
                .from(table, "role_id")
                .to("roles", "id"),
        )
        .take()
}

fn index(
    name: &str,
    table: &'static str,
    cols: &[&'static str],
    unique: bool,
) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(*c);
    }
    if unique {
        i.unique();
    }
    i.take()
}

/// Seeds the built-in roles of every organization and moves each user's and team's role
/// names onto them (`,ADMIN,ENGINEER,` contains `,ADMIN,`).
fn copy_statements() -> Vec<String> {
    let mut sql: Vec<String> = BUILTIN
        .iter()
        .map(|(name, perms)| {
            format!(
                "INSERT INTO roles (organization_id, name, permissions, lock_version, created_at, updated_at) \
                 SELECT id, '{name}', '{perms}', 1, created_at, created_at FROM organizations"
            )
        })
        .collect();
    for (table, holder, from) in [
        ("user_roles", "user_id", "users"),
        ("team_roles", "team_id", "teams"),
    ] {
        sql.push(format!(
            "INSERT INTO {table} ({holder}, role_id, organization_id) \
             SELECT h.id, r.id, h.organization_id FROM {from} h JOIN roles r \
             ON r.organization_id = h.organization_id \
             AND ',' || REPLACE(h.roles, ' ', '') || ',' LIKE '%,' || r.name || ',%'"
        ));
    }
    sql.push("ALTER TABLE users DROP COLUMN roles".into());
    sql.push("ALTER TABLE teams DROP COLUMN roles".into());
    sql
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(roles_table()).await?;
        manager
            .create_table(holders_table("user_roles", "user_id", "users"))
            .await?;
        manager
            .create_table(holders_table("team_roles", "team_id", "teams"))
            .await?;
        let indexes = [
            index(
                "ux_roles_org_name",
                "roles",
                &["organization_id", "name"],
                true,
            ),
            index("ix_user_roles_role", "user_roles", &["role_id"], false),
            index("ix_team_roles_role", "team_roles", &["role_id"], false),
        ];
        for i in indexes {
            manager.create_index(i).await?;
        }
        let db = manager.get_connection();
        for s in copy_statements() {
            db.execute_unprepared(&s).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let agg = match manager.get_database_backend() {
            DatabaseBackend::Postgres => "string_agg(r.name, ',')",
            _ => "group_concat(r.name, ',')",
        };
        for (table, holder, from) in [
            ("user_roles", "user_id", "users"),
            ("team_roles", "team_id", "teams"),
        ] {
            db.execute_unprepared(&format!(
                "ALTER TABLE {from} ADD COLUMN roles text NOT NULL DEFAULT ''"
            ))
            .await?;
            db.execute_unprepared(&format!(
                "UPDATE {from} SET roles = COALESCE((SELECT {agg} FROM {table} x JOIN roles r \
                 ON r.id = x.role_id WHERE x.{holder} = {from}.id), '')"
            ))
            .await?;
        }
        for t in ["team_roles", "user_roles", "roles"] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
