use tracing_subscriber::EnvFilter;

// glibc's malloc took about 40% of the CPU of a large response under load (many small
// allocations across threads); mimalloc is built for that pattern.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    if let Err(e) = run().await {
        // With its causes: an AppError's own message is only "internal server error".
        tracing::error!(error = %traveler::error::chain(&*e), "traveler stopped");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let config = traveler::config::Config::from_env()?;
    let token_from_env = config.admin_token.is_some();
    let listen = config.listen.clone();
    let app = traveler::app::build(config).await?;
    if let (Some(_), true) = (&app.new_admin_token, token_from_env) {
        println!(
            "\nFirst start: created an organization and an admin whose key is TRAVELER_ADMIN_TOKEN.\n"
        );
    } else if let Some(token) = &app.new_admin_token {
        // Printed once: only its hash is stored.
        println!(
            "\nFirst start: created an organization and an admin.\nAdmin API key (shown once, keep it): {token}\nIn GraphiQL, add the header {{\"Authorization\": \"Bearer {token}\"}}\n"
        );
    }
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    tracing::info!(address = %listener.local_addr()?, "serving GraphiQL at / and the API at /graphql");
    let live = app.state.live.clone();
    let hub = live.clone();
    axum::serve(listener, app.router)
        .with_graceful_shutdown(async move {
            shutdown().await;
            // Subscription sockets are not requests in flight: tell them to close (1001).
            hub.close_all();
        })
        .await?;
    // Give subscription sockets a moment to send their close frames.
    let drain = std::time::Instant::now();
    while live.connection_count() > 0 && drain.elapsed() < std::time::Duration::from_secs(2) {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    tracing::info!("stopped after finishing requests in flight");
    Ok(())
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
