//! The `koppel` command: one binary for the web app, the worker, migrations, the sandbox and benchmarks.

mod backup;
mod bench;
mod bench_logs;
mod bench_serve;
mod config;
mod open_files;
mod rotate_key;
mod sandbox;
mod serve;
mod worker;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "koppel", version, about = "Koppel links MplusKASSA to AFAS Profit.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web application (the default for `cargo run`).
    Serve(serve::ServeArgs),
    /// Run only the background work: flow runs, the scheduler, alerts, retention (scale-out).
    Worker(worker::WorkerArgs),
    /// Re-encrypt stored credentials under a new KOPPEL_SECRET_KEY (the old one in KOPPEL_PREVIOUS_SECRET_KEYS).
    RotateKey(rotate_key::RotateKeyArgs),
    /// Bring the database schema up to date, then exit.
    Migrate(config::CommonArgs),
    /// Write a consistent copy of the SQLite database to PATH while Koppel runs (PostgreSQL: use pg_dump).
    Backup(backup::BackupArgs),
    /// Run the MplusKASSA and AFAS Profit simulators.
    Sandbox(sandbox::SandboxArgs),
    /// Benchmarks (`koppel bench sync`, `koppel bench serve`, `koppel bench logs`).
    Bench(bench::BenchArgs),
}

fn main() -> anyhow::Result<()> {
    few_malloc_arenas();
    // `cargo run` with no arguments serves, so the quick start is one command.
    let args: Vec<String> = std::env::args().collect();
    let cli = if args.len() == 1 {
        Cli::parse_from([args[0].as_str(), "serve"])
    } else {
        Cli::parse()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        match cli.command {
            Command::Serve(args) => serve::run(args).await,
            Command::Worker(args) => worker::run(args).await,
            Command::Migrate(common) => {
                common.init_logging();
                let url = common.database_url()?;
                let db = koppel_jobs::settings::connect_and_migrate(&url).await?;
                // The job queue's tables too, so processes started after a deployment's migrate apply nothing.
                koppel_jobs::JobQueue::connect(&db).await?;
                db.close().await;
                tracing::info!(database = %config::redact_url(&url), "migrations applied");
                Ok(())
            }
            Command::Backup(args) => backup::run(args).await,
            Command::Sandbox(args) => sandbox::run(args).await,
            Command::RotateKey(args) => rotate_key::run(args).await,
            Command::Bench(args) => bench::run(args).await,
        }
    })
}

/// At most two glibc malloc arenas. By default glibc gives threads up to 8 per core, and what a run freed stays
/// in them, fragmented: `koppel serve` grew from 80 to 107 MB over three 20,000-order runs while its live heap
/// stayed near 25 MB (valgrind massif); with two, 60 to 73 MB. (mimalloc was faster but kept more: 118-147 MB.)
/// Set before any thread starts; `MALLOC_ARENA_MAX` in the environment still wins.
fn few_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only changes an allocator setting; no other thread exists yet.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}
