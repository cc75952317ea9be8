//! The whistleblower channel through the `accord` binary, on SQLite and on
//! PostgreSQL: an issuer, two monitors and a reporter each use only their
//! own commands; the report round-trips with a follow-up question, its
//! receipt verifies offline; and afterwards neither the database, nor the
//! server's output, nor any response holds the reporter's address, user
//! agent, a forwarded address or a time finer than a day.

mod common;

use accord_channel::ReceiptCode;
use accord_channel::envelope::{Envelope, RecipientKey};
use accord_core::event::ReportToken;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use common::{repo, tempdir};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const USER_AGENT: &str = "Distinctive-Agent/7.3 (whistle-test; 5f2c9e)";
const FORWARDED_FOR: &str = "203.0.113.77";

/// Runs `accord ARGS` in `dir`; standard output of a command that must succeed.
fn run(dir: &Path, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run accord");
    assert!(
        output.status.success(),
        "accord {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

struct Server {
    child: Child,
    url: String,
    output: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(dir: &Path, db: &str, secretariat_pub: &str) -> Server {
    let port = common::free_port();
    let output = dir.join("server-output.txt");
    let log = std::fs::File::create(&output).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["serve", "protocol.toml", "--db", db])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--secretariat-key", secretariat_pub.trim()])
        .args(["--channel-key", "channel.key"])
        .current_dir(dir)
        .stdout(Stdio::from(log.try_clone().unwrap()))
        .stderr(Stdio::from(log))
        .spawn()
        .unwrap();
    // Dropped (killed and waited for) on every path, the failing one too.
    let server = Server {
        child,
        url: format!("http://127.0.0.1:{port}"),
        output,
    };
    for _ in 0..400 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return server;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!(
        "accord serve did not start: {}",
        std::fs::read_to_string(&server.output).unwrap()
    );
}

/// `accord monitor inbox` as `monitor`, with its two key files.
fn monitor_inbox(dir: &Path, url: &str, monitor: &str, extra: &[&str]) -> String {
    let report_key = format!("{monitor}.report-key");
    let signing_key = format!("{monitor}.key");
    let mut args = vec![
        "monitor",
        "inbox",
        "--url",
        url,
        "--key",
        &report_key,
        "--signing-key",
        &signing_key,
    ];
    args.extend_from_slice(extra);
    run(dir, &args)
}

/// Submits `event` (JSON without author) signed with `key`.
fn submit(dir: &Path, url: &str, key: &str, event: serde_json::Value) {
    let file = dir.join("event.json");
    std::fs::write(&file, event.to_string()).unwrap();
    run(
        dir,
        &[
            "registry",
            "submit",
            "--url",
            url,
            "--key",
            key,
            "event.json",
        ],
    );
}

/// Runs the issuer's and the reporter's commands for one token.
fn token(dir: &Path, url: &str, name: &str) -> PathBuf {
    let request = format!("{name}.request.json");
    let blinded = run(
        dir,
        &[
            "whistleblow",
            "request",
            "--url",
            url,
            "--issuer",
            "issuer",
            "--out",
            &request,
        ],
    );
    let blind_signature = run(
        dir,
        &[
            "issuer",
            "sign",
            "--key",
            "issuer.pem",
            "--blinded",
            blinded.trim(),
        ],
    );
    let token = format!("{name}.token.json");
    run(
        dir,
        &[
            "whistleblow",
            "finalize",
            "--request",
            &request,
            "--blind-signature",
            blind_signature.trim(),
            "--out",
            &token,
        ],
    );
    dir.join(token)
}

/// Everything the scenario leaves behind: the server's output, every
/// stored byte, and the response headers the reporter saw.
struct Traces {
    server_output: String,
    headers: String,
}

fn scenario(dir: &Path, db: &str) -> Traces {
    std::fs::write(
        dir.join("protocol.toml"),
        std::fs::read_to_string(repo("examples/protocols/global-protocol.toml"))
            .unwrap()
            .replace(
                "protection = 0.9\n",
                "protection = 0.9\nmonitors = [\"mon-a\", \"mon-b\"]\n",
            ),
    )
    .unwrap();
    let mut public = std::collections::BTreeMap::new();
    for id in ["sec", "lab-a", "issuer", "channel", "mon-a", "mon-b"] {
        let key = format!("{id}.key");
        public.insert(
            id,
            run(dir, &["registry", "keygen", "--id", id, "--out", &key]),
        );
    }
    let server = serve(dir, db, &public["sec"]);
    let url = server.url.as_str();
    let roles = [
        ("sec", "secretariat"),
        ("lab-a", "lab"),
        ("issuer", "whistleblower_issuer"),
        ("channel", "secretariat"),
        ("mon-a", "monitor"),
        ("mon-b", "monitor"),
    ];
    for (seq, (id, role)) in roles.iter().enumerate() {
        run(
            dir,
            &[
                "registry",
                "register",
                "--url",
                url,
                "--key",
                "sec.key",
                "--seq",
                &(seq + 1).to_string(),
                "--participant",
                id,
                "--role",
                role,
                "--public-key",
                public[id].trim(),
            ],
        );
    }
    let publish = |key: &str, printed: String| {
        let mut event: serde_json::Value = serde_json::from_str(printed.trim()).unwrap();
        event["seq"] = 1.into();
        event["period"] = 0.into();
        submit(dir, url, key, event);
    };
    publish(
        "issuer.key",
        run(
            dir,
            &["issuer", "keygen", "--out", "issuer.pem", "--bits", "2048"],
        ),
    );
    for monitor in ["mon-a", "mon-b"] {
        let secret = format!("{monitor}.report-key");
        publish(
            &format!("{monitor}.key"),
            run(dir, &["monitor", "keygen", "--out", &secret]),
        );
    }

    // The reporter: a token, a report with an attachment, a receipt.
    let token_file = token(dir, url, "first");
    std::fs::write(
        dir.join("report.txt"),
        "The March evaluations were rerun until they passed.",
    )
    .unwrap();
    std::fs::write(dir.join("runs.csv"), "run,score\n1,0.41\n7,0.12\n").unwrap();
    let submitted = run(
        dir,
        &[
            "whistleblow",
            "submit",
            "--url",
            url,
            "--token",
            token_file.to_str().unwrap(),
            "--lab",
            "lab-a",
            "--file",
            "report.txt",
            "--attach",
            "runs.csv",
            "--receipt-out",
            "receipt.json",
        ],
    );
    let code = submitted
        .lines()
        .find_map(|l| l.strip_prefix("receipt code: "))
        .expect("a receipt code")
        .to_string();
    assert!(ReceiptCode::parse(&code).is_ok());
    let commitment = submitted
        .lines()
        .find_map(|l| l.strip_prefix("report commitment: "))
        .unwrap()
        .to_string();
    // The token is spent.
    let again = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["whistleblow", "submit", "--url", url, "--token"])
        .arg(&token_file)
        .args([
            "--lab",
            "lab-a",
            "--file",
            "report.txt",
            "--receipt-out",
            "again.json",
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already spent"));

    // Both monitors read it; one asks; the reporter reads and answers.
    for monitor in ["mon-a", "mon-b"] {
        let inbox = monitor_inbox(dir, url, monitor, &["--save-attachments", monitor]);
        assert!(
            inbox.contains("The March evaluations were rerun"),
            "{inbox}"
        );
        let saved = std::fs::read_dir(dir.join(monitor))
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        assert_eq!(
            std::fs::read_to_string(saved.path()).unwrap(),
            "run,score\n1,0.41\n7,0.12\n"
        );
    }
    monitor_inbox(
        dir,
        url,
        "mon-a",
        &[
            "--report",
            &commitment,
            "--ask",
            "Which runs were discarded?",
        ],
    );
    let inbox = run(
        dir,
        &[
            "whistleblow",
            "inbox",
            "--url",
            url,
            "--receipt",
            &code,
            "--reply",
            "Runs 2 to 6.",
        ],
    );
    assert!(
        inbox.contains("from mon-a") && inbox.contains("Which runs were discarded?"),
        "{inbox}"
    );
    assert!(
        inbox.contains("from reporter") && inbox.contains("Runs 2 to 6."),
        "{inbox}"
    );
    let inbox = monitor_inbox(dir, url, "mon-b", &["--report", &commitment]);
    assert!(inbox.contains("Runs 2 to 6."), "{inbox}");
    // Another monitor's report key is named as the mistake it is, not read
    // as forged reports.
    let wrong = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args([
            "monitor",
            "inbox",
            "--url",
            url,
            "--key",
            "mon-a.report-key",
            "--signing-key",
            "mon-b.key",
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    let why = String::from_utf8_lossy(&wrong.stderr);
    assert!(!wrong.status.success(), "{why}");
    assert!(why.contains("is not mon-b's report key"), "{why}");

    // The receipt verifies offline with the verifier key the server printed.
    let printed = std::fs::read_to_string(&server.output).unwrap();
    let vkey = printed
        .lines()
        .find_map(|l| l.strip_prefix("verifier key: "))
        .unwrap()
        .to_string();
    let verified = run(
        dir,
        &["whistleblow", "verify", "receipt.json", "--vkey", &vkey],
    );
    assert!(
        verified.starts_with("verified: report") && verified.contains("lab-a"),
        "{verified}"
    );

    // A second report and an inbox request sent with a distinctive user
    // agent and a forwarded-for header, for the traces below.
    let second: ReportToken =
        serde_json::from_str(&std::fs::read_to_string(token(dir, url, "second")).unwrap()).unwrap();
    let http = reqwest::blocking::Client::builder()
        .user_agent(USER_AGENT)
        .build()
        .unwrap();
    let keys: serde_json::Value = http
        .get(format!("{url}/v1/channel/keys"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let recipients: Vec<(String, RecipientKey)> = keys["monitors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["id"].as_str().unwrap().to_string(),
                RecipientKey::from_hex(m["key"].as_str().unwrap()).unwrap(),
            )
        })
        .collect();
    let list: Vec<(&str, &RecipientKey)> =
        recipients.iter().map(|(i, k)| (i.as_str(), k)).collect();
    let second_code = ReceiptCode::generate();
    let body = serde_json::json!({
        "lab": "lab-a",
        "token": second,
        "envelope": BASE64.encode(Envelope::seal(&list, b"{\"text\":\"second\"}").unwrap()),
        "reply_key": second_code.reply_key().public_key().to_hex(),
        "inbox_secret": second_code.inbox_secret(),
    });
    let mut headers = String::new();
    for (path, body) in [
        ("/v1/channel/reports", body),
        (
            "/v1/channel/inbox",
            serde_json::json!({"inbox_secret": second_code.inbox_secret()}),
        ),
    ] {
        let response = http
            .post(format!("{url}{path}"))
            .header("x-forwarded-for", FORWARDED_FOR)
            .json(&body)
            .send()
            .unwrap();
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        headers.push_str(&format!("{:?}\n", response.headers()));
    }
    drop(server);
    Traces {
        server_output: std::fs::read_to_string(dir.join("server-output.txt")).unwrap(),
        headers,
    }
}

/// Fails if `text` (from `place`) holds the reporter's address, user
/// agent, forwarded address or a time of day.
fn assert_no_metadata(place: &str, text: &str) {
    for needle in ["127.0.0.1", USER_AGENT, "Distinctive-Agent", FORWARDED_FOR] {
        // The server prints its own listening address once, at start.
        let allowed = if needle == "127.0.0.1" && place == "server output" {
            text.lines()
                .filter(|l| l.starts_with("accord registry on http://127.0.0.1:"))
                .count()
        } else {
            0
        };
        assert_eq!(
            text.matches(needle).count(),
            allowed,
            "{place} holds {needle:?}"
        );
    }
    let bytes = text.as_bytes();
    for window in bytes.windows(8) {
        let digit = |i: usize| window[i].is_ascii_digit();
        let time = digit(0)
            && digit(1)
            && window[2] == b':'
            && digit(3)
            && digit(4)
            && window[5] == b':'
            && digit(6)
            && digit(7);
        assert!(
            !time,
            "{place} holds a time of day: {:?}",
            String::from_utf8_lossy(window)
        );
    }
}

/// `text` with every `\\x…` hex run (PostgreSQL's text form of bytea)
/// decoded, so a scan sees the stored bytes.
fn decode_bytea(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("\\x") {
        out.push_str(&rest[..at]);
        let hex: String = rest[at + 2..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .collect();
        let bytes: Vec<u8> = (0..hex.len() / 2)
            .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        out.push_str(&String::from_utf8_lossy(&bytes));
        rest = &rest[at + 2 + hex.len()..];
    }
    out.push_str(rest);
    out
}

fn sqlite_bytes(db: &Path) -> String {
    let mut text = String::new();
    for suffix in ["", "-wal", "-shm", "-journal"] {
        if let Ok(bytes) = std::fs::read(format!("{}{suffix}", db.display())) {
            text.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    text
}

#[test]
fn the_channel_round_trips_and_keeps_no_metadata_on_sqlite() {
    let dir = tempdir("whistleblow", "sqlite");
    let db = dir.join("registry.db");
    let traces = scenario(&dir, db.to_str().unwrap());
    let stored = sqlite_bytes(&db);
    assert!(
        stored.contains("whistleblower_receipt"),
        "the scan reads the database"
    );
    assert_no_metadata("the SQLite files", &stored);
    assert_no_metadata("server output", &traces.server_output);
    assert!(
        !traces.headers.to_ascii_lowercase().contains("set-cookie"),
        "{}",
        traces.headers
    );
}

#[test]
fn the_channel_round_trips_and_keeps_no_metadata_on_postgres() {
    let dir = tempdir("whistleblow", "postgres");
    let schema = format!("accord_whistle_test_{}", std::process::id());
    let base = std::env::var("ACCORD_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string());
    let traces = scenario(&dir, &format!("{base}?schema={schema}"));
    // Every row of every table in the registry's schema, as text.
    let psql = |sql: &str| {
        let output = Command::new("psql")
            .arg(&base)
            .args(["-X", "-A", "-t", "-c", sql])
            .output()
            .expect("psql");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let tables = psql(&format!(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = '{schema}'"
    ));
    let mut stored = String::new();
    for table in tables.lines().filter(|t| !t.is_empty()) {
        let rows = psql(&format!("SELECT x::text FROM {schema}.{table} x"));
        stored.push_str(&decode_bytea(&rows));
    }
    let _ = Command::new("psql")
        .arg(&base)
        .args([
            "-X",
            "-q",
            "-c",
            &format!("DROP SCHEMA IF EXISTS {schema} CASCADE"),
        ])
        .output();
    assert!(
        stored.contains("whistleblower_receipt"),
        "the dump reads the tables"
    );
    assert_no_metadata("the PostgreSQL tables", &stored);
    assert_no_metadata("server output", &traces.server_output);
}
