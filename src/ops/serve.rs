//! `traveler serve`: build the app, serve it and `/metrics`, drain on SIGTERM / Ctrl-C.

use std::time::{Duration, Instant};

use super::BoxError;
use super::metrics::{Scrape, Setting};
use crate::config::Config;

pub async fn serve(config: Config, metrics: Setting) -> Result<(), BoxError> {
    // Installed before the app so start-up is counted too.
    let handle = match metrics {
        Setting::Off => None,
        _ => Some(super::metrics::install()?),
    };
    let token_from_env = config.admin_token.is_some();
    let listen = config.listen.clone();
    let app = crate::app::build(config).await?;
    announce_admin(app.new_admin_token.as_deref(), token_from_env);
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    if let Some(handle) = handle {
        let scrape = Scrape {
            handle,
            db: app.state.db.clone(),
            live: app.state.live.clone(),
        };
        if let Some(addr) = super::metrics::serve(&metrics, scrape).await? {
            tracing::info!(address = %addr, "serving metrics at /metrics");
        }
    }
    tracing::info!(address = %listener.local_addr()?, "serving the web app at /, GraphiQL at /graphiql and the API at /graphql");
    let live = app.state.live.clone();
    let hub = live.clone();
    let limits = &app.state.config.limits;
    let connections = crate::http::server::ConnectionLimits {
        header_timeout: limits.header_timeout,
        max_connections: limits.connections,
    };
    crate::http::server::serve(listener, app.router, connections, async move {
        shutdown().await;
        // Subscription sockets are not requests in flight: tell them to close (1001).
        hub.close_all();
    })
    .await?;
    // Give subscription sockets a moment to send their close frames.
    let drain = Instant::now();
    while live.connection_count() > 0 && drain.elapsed() < Duration::from_secs(2) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tracing::info!("stopped after finishing requests in flight");
    Ok(())
}

/// On first start, says how to get in: the configured token, or the new key (printed once:
/// only its hash is stored).
fn announce_admin(new_token: Option<&str>, token_from_env: bool) {
    match (new_token, token_from_env) {
        (Some(_), true) => println!(
            "\nFirst start: created an organization and an admin whose key is TRAVELER_ADMIN_TOKEN.\n"
        ),
        (Some(token), false) => println!(
            "\nFirst start: created an organization and an admin.\nAdmin API key (shown once, keep it): {token}\nOpen the web app at / and paste it to sign in (API clients send it as Authorization: Bearer <key>)\n"
        ),
        (None, _) => {}
    }
}

/// Ctrl-C or SIGTERM: stop accepting, finish what is in flight, exit.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
