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
mod staff;
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
    /// Platform staff: `koppel staff grant EMAIL`, `koppel staff revoke EMAIL`.
    Staff(staff::StaffArgs),
}

fn main() -> anyhow::Result<()> {
    tune_malloc();
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
            Command::Staff(args) => staff::run(args).await,
        }
    })
}

/// glibc's allocator set for a long-lived process whose work comes in bursts (each env variable still wins):
///
/// - At most two malloc arenas (`MALLOC_ARENA_MAX`). By default glibc gives threads up to 8 per core, and what a
///   run freed stays in them, fragmented: `koppel serve` grew from 80 to 107 MB over three 20,000-order runs
///   while its live heap stayed near 25 MB (valgrind massif); with two, 60 to 73 MB. (mimalloc was faster but
///   kept more: 118-147 MB.)
/// - Blocks from 64 KiB up in their own mappings, returned when freed (`MALLOC_MMAP_THRESHOLD_`), and free
///   memory above 128 KiB at the top of the heap returned (`MALLOC_TRIM_THRESHOLD_`). By default glibc raises
///   the mapping threshold each time such a block is freed (up to 32 MiB), after which a run's large buffers
///   (pages of sales, journal batches) come from the heap and fragment it: three 100,000-order runs in one
///   process peaked at 67, 87 and 87 MB; with these, 60, 65 and 68 MB, at the same CPU per order.
///
/// Set before any thread starts.
fn tune_malloc() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    for (variable, parameter, value) in [
        ("MALLOC_ARENA_MAX", libc::M_ARENA_MAX, 2),
        ("MALLOC_MMAP_THRESHOLD_", libc::M_MMAP_THRESHOLD, 64 * 1024),
        ("MALLOC_TRIM_THRESHOLD_", libc::M_TRIM_THRESHOLD, 128 * 1024),
    ] {
        if std::env::var_os(variable).is_none() {
            // SAFETY: mallopt only changes an allocator setting; no other thread exists yet.
            unsafe {
                libc::mallopt(parameter, value);
            }
        }
    }
}
