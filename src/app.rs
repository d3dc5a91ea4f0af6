//! Start-up: connect, migrate, bootstrap the first admin, build the schema and router.

use std::sync::Arc;

use axum::Router;

use crate::config::Config;
use crate::graphql::ctx::AppData;
use crate::http::{AppState, router};
use crate::store;

pub struct App {
    pub router: Router,
    pub state: AppState,
    /// The admin key created on first start (to print once), if one was.
    pub new_admin_token: Option<String>,
}

pub async fn build(config: Config) -> Result<App, Box<dyn std::error::Error + Send + Sync>> {
    let db = store::connect(&config.database_url).await?;
    // Counted for `/metrics` (tests call `build_with` with their own counter instead).
    build_with(config, db, Some(crate::ops::metrics::statements())).await
}

/// Like `build`, on an open connection, `hook` told of every statement.
pub async fn build_with(
    config: Config,
    db: sea_orm::DatabaseConnection,
    hook: Option<store::pooled::Hook>,
) -> Result<App, Box<dyn std::error::Error + Send + Sync>> {
    let (db, reads) = store::pooled::observed(db, hook);
    store::migrate(&db).await?;
    let new_admin_token = store::auth::bootstrap(&db, config.admin_token.clone()).await?;
    let keys = std::sync::Arc::new(store::auth::KeyCache::new(config.limits.key_cache_ttl));
    keys.spawn_flusher(db.clone());
    let live = crate::live::Hub::new(db.clone(), crate::live::LiveLimits::from(&config.limits));
    let schema = crate::graphql::builder(&config.limits)
        .data(live.clone())
        .data(AppData {
            db: db.clone(),
            reads: reads.clone(),
            limits: config.limits.clone(),
            keys: keys.clone(),
        })
        .finish();
    let sqlite = !store::is_postgres(&db);
    let readers = config.limits.sqlite_readers;
    let state = AppState {
        schema,
        writers: sqlite.then(|| Arc::new(tokio::sync::Semaphore::new(1))),
        readers: (sqlite && readers > 0).then(|| Arc::new(tokio::sync::Semaphore::new(readers))),
        db,
        reads,
        config: Arc::new(config),
        keys,
        live,
        documents: Default::default(),
    };
    if let Some(turn) = &state.writers {
        let pool = state.db.get_sqlite_connection_pool().clone();
        store::wal::spawn_checkpoints(pool, Arc::downgrade(turn), store::wal::EVERY);
    }
    Ok(App {
        router: router(state.clone()),
        state,
        new_admin_token,
    })
}
