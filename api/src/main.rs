use clap::{Parser, Subcommand};

use carbot::{App, Config};

/// Request handling allocates many small objects across threads; mimalloc does that faster than glibc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// CarBot: AI chat, leads and a live console for car-repair workshops.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the platform (GraphQL API, console, widget).
    Serve(Config),
    /// Apply pending database migrations and exit.
    Migrate(Config),
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Read the outbox: the e-mails the platform sent or kept (without SMTP_URL).
    Mail {
        #[command(subcommand)]
        command: MailCommand,
        #[command(flatten)]
        config: Config,
    },
    /// Backups of the platform's database (README: Backups).
    Backup {
        #[command(subcommand)]
        command: BackupCommand,
        #[command(flatten)]
        config: Config,
    },
    /// The operator's tasks.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
        #[command(flatten)]
        config: Config,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Put a workshop on a plan: without Stripe, or for a deal made outside it.
    SetPlan {
        /// The workshop's id, or the e-mail address of its owner.
        #[arg(long)]
        workshop: String,
        /// BASIC, PREMIUM or ENTERPRISE.
        #[arg(long, value_parser = parse_plan)]
        plan: carbot_schema::plans::PlanCode,
        /// Last day of the plan (YYYY-MM-DD, through the end of that day in Berlin); without
        /// it the plan has no end.
        #[arg(long)]
        until: Option<chrono::NaiveDate>,
        /// A note kept with the workshop's billing (e.g. the contract number).
        #[arg(long)]
        note: Option<String>,
    },
}

fn parse_plan(text: &str) -> Result<carbot_schema::plans::PlanCode, String> {
    carbot_schema::plans::PlanCode::parse(&text.to_uppercase())
        .ok_or_else(|| format!("{text:?} is none of BASIC, PREMIUM, ENTERPRISE"))
}

#[derive(Subcommand)]
enum BackupCommand {
    /// Take a backup now (into CARBOT_BACKUP_DIR, default <data dir>/backups).
    Create,
    /// The backups there, newest first.
    List,
    /// Restore a backup into a scratch database and compare every table's rows with its
    /// manifest; exits non-zero on any difference or a damaged file.
    Verify {
        /// The dump (`….dump`) or its manifest (`….json`).
        file: std::path::PathBuf,
    },
    /// Replace the database's data with a backup (one transaction), then migrate it.
    Restore {
        /// The dump (`….dump`) or its manifest (`….json`).
        file: std::path::PathBuf,
        /// Check the backup and say what would be replaced; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Replace the data (asked for, since it cannot be undone).
        #[arg(long, conflicts_with = "dry_run")]
        yes: bool,
    },
}

#[derive(Subcommand)]
enum MailCommand {
    /// The newest e-mails, newest first.
    List {
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// One e-mail: headers and text (the id, or its first characters, from `list`).
    Show {
        id: String,
        /// Print the HTML part instead of the text.
        #[arg(long)]
        html: bool,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Schema => print!("{}", carbot_schema::sdl()),
        Command::Migrate(config) => {
            carbot::init_logging(&config.log, config.log_format);
            carbot::app::migrate(&config).await?;
        }
        Command::Mail { command, config } => {
            carbot::init_logging("warn", config.log_format);
            match command {
                MailCommand::List { limit } => carbot::app::mail_list(&config, limit).await?,
                MailCommand::Show { id, html } => {
                    carbot::app::mail_show(&config, &id, html).await?
                }
            }
        }
        Command::Backup { command, config } => {
            carbot::init_logging("warn", config.log_format);
            match command {
                BackupCommand::Create => carbot::app::backup_create(&config).await?,
                BackupCommand::List => carbot::app::backup_list(&config)?,
                BackupCommand::Verify { file } => {
                    carbot::app::backup_verify(&config, &file).await?
                }
                BackupCommand::Restore { file, dry_run, yes } => {
                    use carbot::backup::Confirm;
                    let confirm = match (dry_run, yes) {
                        (true, _) => Confirm::DryRun,
                        (false, true) => Confirm::Yes,
                        (false, false) => Confirm::Ask,
                    };
                    if let Err(error) = carbot::app::backup_restore(&config, &file, confirm).await {
                        if error.is::<carbot::backup::NeedsConfirmation>() {
                            eprintln!("{error}");
                            std::process::exit(2);
                        }
                        return Err(error);
                    }
                }
            }
        }
        Command::Admin { command, config } => {
            carbot::init_logging("warn", config.log_format);
            match command {
                AdminCommand::SetPlan {
                    workshop,
                    plan,
                    until,
                    note,
                } => {
                    carbot::app::admin_set_plan(&config, &workshop, plan, until, note.as_deref())
                        .await?
                }
            }
        }
        Command::Serve(config) => {
            carbot::init_logging(&config.log, config.log_format);
            let app = App::build(&config).await?;
            tracing::info!(addr = %app.local_addr(), public_url = %config.public_url(app.local_addr()), "CarBot is listening");
            app.serve(shutdown_signal()).await?;
        }
    }
    Ok(())
}

async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("installing the SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
