//! `koppel backup` end to end, with real processes: a copy of a running Koppel's SQLite database is made while
//! it serves, a copy never overwrites a file, and Koppel started on the copy (a restore) works with the same
//! account and books nothing twice, although the copy was taken before the run that booked the orders: the
//! orders are found in AFAS by their reference (counted in the simulator, not in Koppel's tables).

mod support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use support::{Api, Process, SECRET_KEY, booked_in_afas, free_port, koppel, run_to_end};

fn command(args: &[&str], data_dir: &Path, database_url: &str, port: u16) -> Command {
    let mut command = koppel(args);
    command
        .env("KOPPEL_DATA_DIR", data_dir)
        .env("DATABASE_URL", database_url)
        .env("KOPPEL_SECRET_KEY", SECRET_KEY)
        .env("KOPPEL_LISTEN", format!("127.0.0.1:{port}"))
        .env("KOPPEL_DEMO_SANDBOX", "false");
    command
}

fn serve(data_dir: &Path, database_url: &str, port: u16) -> Process {
    let mut process = Process::start("koppel serve", command(&["serve"], data_dir, database_url, port));
    process.wait_for_line("Koppel is running", Duration::from_secs(60));
    process
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_of_a_running_koppel_restores_and_books_nothing_twice() {
    let (_sandbox, sandbox) = support::start_sandbox(200);
    let dir = support::data_dir();
    let database_url = format!("sqlite://{}/koppel.db", dir.path().display());
    let port = free_port();
    let mut running = serve(dir.path(), &database_url, port);
    let api = Api::sign_up(&format!("http://127.0.0.1:{port}"), &database_url).await;
    api.connect_to(&sandbox).await;

    // The copy is made while Koppel serves, before the run that books the orders.
    let copy = dir.path().join("koppel-backup.db");
    let copy_path = copy.to_str().expect("a UTF-8 path");
    let backup = || command(&["backup", copy_path], dir.path(), &database_url, port);
    let (status, output) = run_to_end(backup(), Duration::from_secs(60));
    assert!(status.success(), "koppel backup: {output}");
    assert!(output.contains("Backed up"), "{output}");
    let (status, output) = run_to_end(backup(), Duration::from_secs(60));
    assert!(!status.success() && output.contains("exists already"), "{output}");

    let (_, run_id) = api.start_run("orders").await;
    let run = api.wait_finished(&run_id, Duration::from_secs(180)).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    let booked = booked_in_afas(&sandbox).await;
    assert!(booked.len() > 50, "{} orders booked", booked.len());
    running.terminate(Duration::from_secs(30));

    // Restored: Koppel on the copy, same secret key. The session in the copy still signs the owner in.
    let restored_url = format!("sqlite://{copy_path}");
    let mut restored = serve(dir.path(), &restored_url, port);
    let flows = api.get("/api/v1/flows").await;
    assert!(flows.to_string().contains("orders"), "{flows}");
    let (_, run_id) = api.start_run("orders").await;
    let run = api.wait_finished(&run_id, Duration::from_secs(180)).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(
        booked_in_afas(&sandbox).await,
        booked,
        "the restored Koppel booked nothing again"
    );
    assert!(booked.values().all(|count| *count == 1));
    restored.terminate(Duration::from_secs(30));
}
