//! API keys: hashing, lookup, and the first-start bootstrap of an organization and its admin.

use super::writers::{Stamp as _, Writer};
use entity::{api_key, organization, user, user_role};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, Set, sea_query::Expr,
};
use sha2::{Digest, Sha256};

use crate::caller::Caller;
use crate::domain::permission::Rights;
use crate::error::AppResult;

/// Keys are stored as their SHA-256: a leaked database does not leak usable keys. The keys
/// are 256-bit random, so a fast unsalted hash is enough (no dictionary to attack).
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    format!("trv_{}", hex::encode(bytes))
}

/// Resolves a presented key to its caller; `None` for unknown or revoked keys.
pub async fn caller_for_token(
    db: &DatabaseConnection,
    token: &str,
) -> Result<Option<Caller>, DbErr> {
    let Some(key) = api_key::Entity::find()
        .filter(api_key::Column::TokenHash.eq(hash_token(token)))
        .filter(api_key::Column::RevokedAt.is_null())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Some(u) = user::Entity::find_by_id(key.user_id).one(db).await? else {
        return Ok(None);
    };
    let perms = super::roles::perms_of_user(db, u.id).await?;
    Ok(Some(Caller {
        organization_id: u.organization_id,
        user_id: u.id,
        api_key_id: key.id,
        perms,
        export_control_cleared: u.export_control_cleared,
        system_admin: u.system_admin,
        request_id: None,
        rows: Default::default(),
    }))
}

/// What `u` may do, for the rule that nobody acts on a user above themselves.
pub async fn user_rights(db: &impl sea_orm::ConnectionTrait, u: &user::Model) -> AppResult<Rights> {
    let perms = super::roles::perms_of_user(db, u.id).await?;
    Ok(Rights::of(perms, u.export_control_cleared, u.system_admin))
}

/// Creates an organization with one admin user and key; returns the token.
pub async fn create_organization_with_admin(
    db: &impl sea_orm::ConnectionTrait,
    w: Writer,
    name: &str,
    token: Option<String>,
    system_admin: bool,
) -> Result<(organization::Model, String), DbErr> {
    let org = organization::ActiveModel {
        name: Set(name.to_string()),
        require_part_procedure_link: Set(false),
        ..Default::default()
    }
    .written_by(w)
    .insert(db)
    .await?;
    let admin = user::ActiveModel {
        organization_id: Set(org.id),
        name: Set("Administrator".into()),
        email: Set("admin@localhost".into()),
        export_control_cleared: Set(true),
        system_admin: Set(system_admin),
        lock_version: Set(1),
        ..Default::default()
    }
    .written_by(w)
    .insert(db)
    .await?;
    let roles = super::roles::seed_builtin(db, w, org.id).await?;
    let admin_role = roles
        .iter()
        .filter(|r| r.name == "ADMIN")
        .map(|r| user_role::ActiveModel {
            user_id: Set(admin.id),
            role_id: Set(r.id),
            organization_id: Set(org.id),
        });
    user_role::Entity::insert_many(admin_role)
        .exec_without_returning(db)
        .await?;
    let token = token.unwrap_or_else(new_token);
    insert_key(db, w, org.id, admin.id, "admin".into(), &token).await?;
    Ok((org, token))
}

/// Stores a new key for `user_id` (only the token's hash is kept).
pub async fn insert_key(
    db: &impl sea_orm::ConnectionTrait,
    w: Writer,
    organization_id: i64,
    user_id: i64,
    name: String,
    token: &str,
) -> Result<api_key::Model, DbErr> {
    api_key::ActiveModel {
        organization_id: Set(organization_id),
        user_id: Set(user_id),
        name: Set(name),
        token_hash: Set(hash_token(token)),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .written_by(w)
    .insert(db)
    .await
}

/// On first start (no organization yet) creates the first organization and its admin.
/// Returns the admin token when one was created, so it can be printed once.
pub async fn bootstrap(
    db: &DatabaseConnection,
    admin_token: Option<String>,
) -> Result<Option<String>, DbErr> {
    if organization::Entity::find().count(db).await? > 0 {
        // A configured token is still honoured on a later start: scripted set-ups rely on it.
        if let Some(token) = admin_token {
            ensure_admin_token(db, &token).await?;
        }
        return Ok(None);
    }
    let txn = super::begin_write(db).await?;
    let (_, token) =
        create_organization_with_admin(&txn, Writer::system(), "Default", admin_token, true)
            .await?;
    txn.commit().await?;
    Ok(Some(token))
}

/// Makes `token` a key of the first system administrator if it is not a key yet.
async fn ensure_admin_token(db: &DatabaseConnection, token: &str) -> Result<(), DbErr> {
    let hash = hash_token(token);
    if api_key::Entity::find()
        .filter(api_key::Column::TokenHash.eq(hash.clone()))
        .count(db)
        .await?
        > 0
    {
        return Ok(());
    }
    let Some(admin) = user::Entity::find()
        .filter(user::Column::SystemAdmin.eq(true))
        .one(db)
        .await?
    else {
        return Ok(());
    };
    api_key::ActiveModel {
        organization_id: Set(admin.organization_id),
        user_id: Set(admin.id),
        name: Set("admin (TRAVELER_ADMIN_TOKEN)".into()),
        token_hash: Set(hash),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .written_by(Writer::system())
    .insert(db)
    .await?;
    Ok(())
}

/// Recently resolved keys, so a request does not pay three lookups before its own work.
/// Entries live `ttl` (`KEY_CACHE_TTL` unless configured); this process empties the cache
/// whenever users, teams or keys change, so another process sees a revoked key or a
/// changed role within the TTL.
pub struct KeyCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, (Caller, std::time::Instant)>>,
    ttl: std::time::Duration,
    /// Keys used since the last [`KeyCache::flush`]: authentication never writes (a write
    /// on the request path waits for the database's writer and fails requests when it is
    /// busy); their `lastUsedAt` is written in one statement, in the background.
    used: std::sync::Mutex<std::collections::HashSet<i64>>,
}

/// How often a process writes the last use of its keys.
pub const LAST_USED_FLUSH: std::time::Duration = std::time::Duration::from_secs(5);

impl Default for KeyCache {
    fn default() -> Self {
        KeyCache::new(KEY_CACHE_TTL)
    }
}

pub const KEY_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(5);

impl KeyCache {
    pub fn new(ttl: std::time::Duration) -> Self {
        KeyCache {
            entries: Default::default(),
            ttl,
            used: Default::default(),
        }
    }

    pub async fn caller(
        &self,
        db: &DatabaseConnection,
        token: &str,
    ) -> Result<Option<Caller>, DbErr> {
        let hash = hash_token(token);
        if let Some((c, at)) = self
            .entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&hash)
            && at.elapsed() < self.ttl
        {
            return Ok(Some(c.clone()));
        }
        let found = caller_for_token(db, token).await?;
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() > 10_000 {
            entries.clear();
        }
        match &found {
            Some(c) => entries.insert(hash, (c.clone(), std::time::Instant::now())),
            None => entries.remove(&hash),
        };
        drop(entries);
        // Looked up at least every TTL while in use: close enough for a last use.
        if let Some(c) = &found {
            self.used
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(c.api_key_id);
        }
        Ok(found)
    }

    /// Writes `lastUsedAt` of the keys used since the last flush, in one statement; on
    /// failure they are kept for the next one.
    pub async fn flush(&self, db: &impl sea_orm::ConnectionTrait) -> Result<(), DbErr> {
        let ids: Vec<i64> =
            std::mem::take(&mut *self.used.lock().unwrap_or_else(|e| e.into_inner()))
                .into_iter()
                .collect();
        if ids.is_empty() {
            return Ok(());
        }
        let res = api_key::Entity::update_many()
            .col_expr(api_key::Column::LastUsedAt, Expr::value(super::now()))
            .filter(api_key::Column::Id.is_in(ids.iter().copied()))
            .exec(db)
            .await;
        if res.is_err() {
            self.used
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend(ids);
        }
        res.map(|_| ())
    }

    /// Flushes every [`LAST_USED_FLUSH`] while the cache is alive.
    pub fn spawn_flusher(self: &std::sync::Arc<Self>, db: DatabaseConnection) {
        let weak = std::sync::Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(LAST_USED_FLUSH).await;
                let Some(keys) = weak.upgrade() else { return };
                if let Err(e) = keys.flush(&db).await {
                    tracing::warn!(error = %e, "could not record the last use of API keys");
                }
            }
        });
    }

    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}
