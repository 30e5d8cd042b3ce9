//! The command line: serve (default), run migrations, or create a staff account.
//! There are no default passwords: the first manager is created here.

use crate::config::{redact_url, Settings};
use anyhow::{bail, Context};
use app::{
    domain::{
        account::{Email, Password},
        calendar::parse_tz,
        role::Role,
    },
    error::AppError,
    server::{auth::hash_password, db::Db, users},
};
use clap::{Parser, Subcommand};
use std::io::BufRead;

/// Faultdesk: the support desk for API failures.
#[derive(Parser, Debug)]
#[command(version, about)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the web server (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Create an account (or change an existing one's role and password).
    CreateUser {
        /// The account's email.
        #[arg(long)]
        email: String,
        /// developer, agent or manager.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// IANA timezone for showing times to this user.
        #[arg(long, default_value = "UTC")]
        timezone: String,
        /// Read the password from the first line of standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Create a personal API token for an account and print it (once).
    CreateToken {
        /// The account's email.
        #[arg(long)]
        email: String,
        /// What the token is for ("CI bot").
        #[arg(long)]
        name: String,
        /// Days until it expires: 30, 90, 365 or never.
        #[arg(long, default_value = "90")]
        days: String,
    },
}

/// Runs `create-token`: prints the new token on standard output.
pub async fn create_token(
    settings: &Settings,
    email: &str,
    name: &str,
    days: &str,
) -> anyhow::Result<()> {
    let db = Db::connect(&settings.database_url, 2)
        .await
        .with_context(|| format!("connecting to {}", redact_url(&settings.database_url)))?;
    db.migrate().await?;
    let outcome = async {
        let user = users::find_by_email(&db, email.trim().to_lowercase().as_str())
            .await?
            .ok_or_else(|| AppError::not_found("account with that email"))?;
        let owner = app::wire::auth::CurrentUser {
            id: user.id,
            role: user.role()?,
            email: user.email,
            timezone: user.timezone,
        };
        app::server::tokens::create_for(&db, &owner, name, days, chrono::Utc::now()).await
    }
    .await
    .map_err(|e| anyhow::anyhow!("{}", e.message));
    db.close().await;
    println!("{}", outcome?.token);
    Ok(())
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| format!("unknown role {s:?}: use developer, agent or manager"))
}

/// Runs `create-user`.
pub async fn create_user(
    settings: &Settings,
    email: &str,
    role: Role,
    timezone: &str,
    password_stdin: bool,
) -> anyhow::Result<()> {
    let email = Email::parse(email).map_err(|e| anyhow::anyhow!("{e}"))?;
    let tz = parse_tz(timezone).map_err(|e| anyhow::anyhow!("{e}"))?;
    let password = if password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else {
        let first = rpassword::prompt_password("Password (12+ characters): ")?;
        let again = rpassword::prompt_password("Again: ")?;
        if first != again {
            bail!("the passwords do not match");
        }
        first
    };
    let password = Password::parse(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
    let db = Db::connect(&settings.database_url, 2)
        .await
        .with_context(|| format!("connecting to {}", redact_url(&settings.database_url)))?;
    db.migrate().await?;
    let hash = hash_password(password.expose().to_owned())
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    let (address, now) = (email.as_str().to_owned(), chrono::Utc::now());
    let outcome = db
        .write(move |tx| {
            Box::pin(async move {
                if let Some(existing) = users::find_by_email_in(tx, &address).await? {
                    users::update_role_and_password(tx, existing.id, role, &hash).await?;
                    return Ok((existing.id, false));
                }
                let new = users::NewUser {
                    email: &address,
                    password_hash: &hash,
                    role,
                    timezone: tz.name(),
                };
                let id = users::insert(tx, &new, now)
                    .await?
                    .ok_or_else(|| AppError::conflict("the account was created meanwhile"))?;
                Ok((id, true))
            })
        })
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message));
    db.close().await;
    match outcome? {
        (id, true) => println!("Created {} (id {id}) with role {role}.", email.as_str()),
        (id, false) => println!(
            "Updated {} (id {id}): role {role}, new password set.",
            email.as_str()
        ),
    }
    Ok(())
}
