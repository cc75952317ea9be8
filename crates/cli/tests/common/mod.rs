//! Helpers the end-to-end tests share: run the `accord` binary from the
//! repository's root with a chosen thread count, and scratch folders.
// Each test file uses only some of these.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A path in the repository.
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

/// Runs `accord ARGS` from the repository's root on `threads` rayon threads.
pub fn accord(args: &[&str], threads: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .current_dir(repo(""))
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .expect("run accord")
}

/// Standard output of a command that must succeed.
pub fn succeed(args: &[&str], threads: &str) -> String {
    let output = accord(args, threads);
    assert!(
        output.status.success(),
        "accord {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Standard error of a command that must fail.
pub fn fail(args: &[&str]) -> String {
    let output = accord(args, "2");
    assert!(!output.status.success(), "accord {args:?} should fail");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// An empty scratch folder for test `name` of `suite`, unique to this process.
pub fn tempdir(suite: &str, name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("accord-{suite}-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A loopback port free at the time of asking.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
