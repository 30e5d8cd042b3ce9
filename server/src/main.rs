//! The `server` binary: `server` serves, `server migrate` migrates,
//! `server create-user --email … --role manager` creates a staff account.

use app::server::{clock::Clock, db::Db};
use clap::Parser;
use server::{
    cli::{self, Cli, Command},
    config::{redact_url, Settings},
    startup::Application,
    telemetry,
};

fn main() -> anyhow::Result<()> {
    telemetry::init();
    let cli = Cli::parse();
    server::startup::request_runtime()?.block_on(run(cli))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let workers = tokio::runtime::Handle::current().metrics().num_workers();
            tracing::info!(settings = ?settings, workers, "starting");
            let app = Application::build(settings, Clock::System).await?;
            let addr = app.local_addr();
            tracing::info!(%addr, "listening");
            println!("Faultdesk is running at http://{addr}");
            app.run_until_stopped().await?;
        }
        Command::Migrate => {
            let db = Db::connect(&settings.database_url, 2).await?;
            db.migrate().await?;
            println!(
                "Migrations applied to {}",
                redact_url(&settings.database_url)
            );
        }
        Command::CreateUser {
            email,
            role,
            timezone,
            password_stdin,
        } => {
            cli::create_user(&settings, &email, role, &timezone, password_stdin).await?;
        }
        Command::CreateToken { email, name, days } => {
            cli::create_token(&settings, &email, &name, &days).await?;
        }
    }
    Ok(())
}
