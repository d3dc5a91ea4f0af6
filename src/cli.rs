//! The command line. Every command reads the same environment as the server
//! (`config::Config::from_env`: `DATABASE_URL`, `TRAVELER_*`); the work is in `ops`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::ops::{self, BoxError};

#[derive(Parser, Debug)]
#[command(
    name = "traveler",
    version,
    about = "Traveler: a manufacturing execution server with a GraphQL API",
    after_help = "Settings come from the environment (DATABASE_URL, TRAVELER_LISTEN, TRAVELER_METRICS, TRAVELER_LOG_FORMAT, RUST_LOG, ...); see the README."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Migrate the database and serve the API (what `traveler` alone does).
    Serve,
    /// Apply pending database migrations.
    Migrate {
        /// Only list the migrations and whether each is applied; change nothing.
        #[arg(long)]
        status: bool,
    },
    /// Write a consistent copy of the SQLite database to PATH, while the server runs.
    Backup {
        /// A file that does not exist yet.
        path: PathBuf,
    },
    /// Create an organization with an admin user; prints the admin's API key once.
    CreateOrganization {
        /// The organization's name.
        name: String,
    },
    /// Load a small demo floor (parts, procedures, runs, a batch) into an empty organization.
    Demo {
        /// The organization to fill (default: the first one, created if there is none).
        #[arg(long)]
        organization: Option<i64>,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
}

/// Parses the command line and runs the command; errors are logged with their causes.
pub async fn main() -> ExitCode {
    let cli = Cli::parse();
    let format = match ops::logs::Format::from_env() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let traces = match ops::traces::provider() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("OpenTelemetry: {e}");
            return ExitCode::from(2);
        }
    };
    ops::logs::init(format, traces.as_ref());
    let code = match run(cli.command.unwrap_or(Command::Serve)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // With its causes: an AppError's own message is only "internal server error".
            tracing::error!(error = %crate::error::chain(&*e), "traveler stopped");
            ExitCode::FAILURE
        }
    };
    if let Some(p) = traces {
        // Sends what is still batched; blocking, so off the runtime's threads.
        let _ = tokio::task::spawn_blocking(move || p.shutdown()).await;
    }
    code
}

async fn run(command: Command) -> Result<(), BoxError> {
    let config = Config::from_env()?;
    let connect = || crate::store::connect(&config.database_url);
    match command {
        Command::Serve => {
            return ops::serve::serve(config, ops::metrics::Setting::from_env()).await;
        }
        Command::Schema => print!("{}", crate::graphql::sdl()),
        Command::Migrate { status } => migrate(&connect().await?, status).await?,
        Command::Backup { path } => {
            if let Some(f) = ops::backup::sqlite_file(&config.database_url)
                && !f.exists()
            {
                return Err(format!("no database at {} (DATABASE_URL)", f.display()).into());
            }
            ops::backup::backup(&connect().await?, &path).await?;
            println!("backed up to {}", path.display());
        }
        Command::CreateOrganization { name } => {
            let (org, token) = ops::admin::create_organization(&connect().await?, &name).await?;
            println!("created organization {} ({})", org.id, org.name);
            println!("admin API key (shown once, keep it): {token}");
        }
        Command::Demo { organization } => {
            let db = connect().await?;
            print!("{}", ops::demo::load(config, db, organization).await?);
        }
    }
    Ok(())
}

async fn migrate(db: &sea_orm::DatabaseConnection, status: bool) -> Result<(), BoxError> {
    if status {
        let all = ops::admin::migration_status(db).await?;
        for m in &all {
            let state = if m.applied { "applied" } else { "pending" };
            println!("{state:8} {}", m.name);
        }
        let pending = all.iter().filter(|m| !m.applied).count();
        println!("{} applied, {pending} pending", all.len() - pending);
    } else {
        let applied = ops::admin::migrate(db).await?;
        for name in &applied {
            println!("applied  {name}");
        }
        println!(
            "{} migrations applied; the schema is up to date",
            applied.len()
        );
    }
    Ok(())
}
