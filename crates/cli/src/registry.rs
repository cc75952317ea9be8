//! `accord serve` and `accord registry …`: the registry service and its
//! client. The logic lives in `accord-registry`; this file parses
//! arguments, reads key files and prints.

use accord_core::event::parse_event;
use accord_log::witness::WitnessPolicy;
use accord_log::{
    AnyStorage, CosignatureSigner, CosignatureVerifier, Ed25519Signer, Ed25519Verifier,
    NoteSigner as _, Witness,
};
use accord_registry::channel::ChannelConfig;
use accord_registry::client::{AuditOptions, Client};
use accord_registry::wire::{hex, parse_key_hex};
use accord_registry::{
    AccessGrant, Registry, RegistryConfig, SignedEvent, Witnessing, verify_grant,
};
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};

/// `accord serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Protocol file (default: the shipped global protocol, embedded).
    protocol: Option<PathBuf>,
    /// SQLite file, or postgres://… URL (add ?schema=NAME to keep several registries in one database).
    #[arg(long, default_value = "registry.db")]
    db: String,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8377")]
    listen: String,
    /// The log's secret signing key; generated on first start if missing.
    #[arg(long, default_value = "registry.key")]
    key: PathBuf,
    /// Log origin (the key's name) for a newly generated key.
    #[arg(long, default_value = "registry.accord.example/log")]
    origin: String,
    /// The first secretariat's public key: 64 hex digits, or a file made by
    /// `accord registry keygen` (needed on first start only).
    #[arg(long)]
    secretariat_key: Option<String>,
    /// Requests served at once; more are answered 503 straight away.
    #[arg(long, default_value_t = accord_registry::DEFAULT_MAX_IN_FLIGHT)]
    max_in_flight: usize,
    /// A witness as URL=VERIFIER_KEY (repeat); checkpoints are published once cosigned.
    #[arg(long = "witness")]
    witnesses: Vec<String>,
    /// Cosignatures a published checkpoint needs (default: all witnesses).
    #[arg(long)]
    witness_quorum: Option<usize>,
    /// Run the whistleblower channel, recording receipts with this key (a
    /// secretariat participant's key made by `accord registry keygen`).
    #[arg(long)]
    channel_key: Option<PathBuf>,
    /// Inbox requests (by receipt code) per second, from everyone together.
    #[arg(long, default_value_t = accord_registry::channel::service::DEFAULT_INBOX_OPENS_PER_SECOND)]
    inbox_opens_per_second: u32,
    /// An `accord evaluate` report (report.json or its folder) to show at /evaluation beside the live state.
    #[arg(long)]
    evaluation: Option<PathBuf>,
}

/// Witness commands.
#[derive(Debug, Subcommand)]
pub enum WitnessCommand {
    /// Run a tlog-witness (POST /add-checkpoint) for the given logs.
    Serve(WitnessServeArgs),
}

/// `accord witness serve`.
#[derive(Debug, Args)]
pub struct WitnessServeArgs {
    /// The witness's state: SQLite file or postgres:// URL.
    #[arg(long, default_value = "witness.db")]
    db: String,
    /// The cosigning key; generated on first start if missing.
    #[arg(long, default_value = "witness.key")]
    key: PathBuf,
    /// Name of a newly generated key.
    #[arg(long, default_value = "witness.accord.example")]
    name: String,
    /// A log to witness: its verifier key (repeat).
    #[arg(long = "log", required = true)]
    logs: Vec<String>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8378")]
    listen: String,
}

/// Witness keys and a quorum, as the verifying commands take them.
#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// A witness's cosigner verifier key to require (repeat).
    #[arg(long = "witness")]
    witnesses: Vec<String>,
    /// Cosignatures required from the --witness keys (default: all of them).
    #[arg(long)]
    quorum: Option<usize>,
}

impl PolicyArgs {
    pub(crate) fn policy(&self) -> Result<Option<WitnessPolicy>> {
        if self.witnesses.is_empty() {
            anyhow::ensure!(self.quorum.is_none(), "--quorum needs --witness keys");
            return Ok(None);
        }
        policy(&self.witnesses, self.quorum).map(Some)
    }
}

fn policy(keys: &[String], quorum: Option<usize>) -> Result<WitnessPolicy> {
    let verifiers = keys
        .iter()
        .map(|k| {
            CosignatureVerifier::from_vkey(k).with_context(|| format!("invalid witness key {k}"))
        })
        .collect::<Result<Vec<_>>>()?;
    let quorum = quorum.unwrap_or(verifiers.len());
    WitnessPolicy::new(verifiers, quorum).context("witness policy")
}

/// Registry client commands.
#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// Make a participant's signing key (its name is the participant id).
    Keygen(KeygenArgs),
    /// Sign an event (JSON) with a key file and submit it.
    Submit(SubmitArgs),
    /// Register a participant (signed by the secretariat's key).
    Register(RegisterArgs),
    /// Print the registry's state summary, or one lab's record.
    Status(StatusArgs),
    /// Fetch a lab's signed compute-access grant.
    Access(AccessArgs),
    /// Verify an access grant offline with the registry's verifier key.
    VerifyGrant(VerifyGrantArgs),
    /// Fetch the public log, check it, replay it through the core and compare the state hash.
    Audit(AuditArgs),
}

/// The registry to talk to.
#[derive(Debug, Args)]
pub struct UrlArg {
    /// Registry URL.
    #[arg(long, default_value = "http://127.0.0.1:8377")]
    url: String,
}

/// `accord registry keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Participant id (the key's name).
    #[arg(long)]
    id: String,
    /// Where to write the secret key (must not exist); the public key goes to OUT.pub.
    #[arg(long)]
    out: PathBuf,
}

/// `accord registry submit`.
#[derive(Debug, Args)]
pub struct SubmitArgs {
    #[command(flatten)]
    url: UrlArg,
    /// The author's secret key file.
    #[arg(long)]
    key: PathBuf,
    /// Event JSON file (`-` or none: standard input); `author` defaults to the key's name.
    event: Option<PathBuf>,
}

/// `accord registry register`.
#[derive(Debug, Args)]
pub struct RegisterArgs {
    #[command(flatten)]
    url: UrlArg,
    /// The secretariat's secret key file.
    #[arg(long)]
    key: PathBuf,
    /// The secretariat's sequence number for this event.
    #[arg(long)]
    seq: u64,
    /// The current period (default: the registry's, from `GET /v1/state`).
    #[arg(long)]
    period: Option<u32>,
    /// New participant id.
    #[arg(long)]
    participant: String,
    /// Its role (lab, monitor, compute_provider, secretariat, whistleblower_issuer, witness).
    #[arg(long)]
    role: String,
    /// Its public key: 64 hex digits, or a key file made by keygen.
    #[arg(long)]
    public_key: String,
}

/// `accord registry status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    url: UrlArg,
    /// One lab's record instead of the summary.
    #[arg(long)]
    lab: Option<String>,
}

/// `accord registry access`.
#[derive(Debug, Args)]
pub struct AccessArgs {
    #[command(flatten)]
    url: UrlArg,
    /// Lab.
    lab: String,
    /// Write the grant to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// `accord registry verify-grant`.
#[derive(Debug, Args)]
pub struct VerifyGrantArgs {
    /// The registry's verifier key (printed by `accord serve`).
    #[arg(long)]
    vkey: String,
    /// Grant file (JSON from `accord registry access`).
    grant: PathBuf,
    /// The lab presenting the grant: it must be the grant's lab.
    #[arg(long)]
    lab: Option<String>,
    #[command(flatten)]
    policy: PolicyArgs,
}

/// `accord registry audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Registry URL.
    url: String,
    /// The registry's verifier key as you know it (default: trust the key it serves).
    #[arg(long)]
    vkey: Option<String>,
    /// File with the last checkpoint you audited: the new one must be consistent with it; replaced on success.
    #[arg(long)]
    known: Option<PathBuf>,
    /// An access grant (JSON from `accord registry access`) to recompute from the log (repeat).
    #[arg(long = "grant")]
    grants: Vec<PathBuf>,
    #[command(flatten)]
    policy: PolicyArgs,
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// A public key from 64 hex digits, or from a key file (secret or `.pub`).
fn public_key(text: &str) -> Result<[u8; 32]> {
    if let Ok(key) = parse_key_hex("public key", text) {
        return Ok(key);
    }
    let path = Path::new(text);
    let content = std::fs::read_to_string(path)
        .with_context(|| format!("{text:?} is neither 64 hex digits nor a readable key file"))?;
    let content = content.trim();
    if let Ok(key) = parse_key_hex("public key", content) {
        return Ok(key);
    }
    let signer = Ed25519Signer::from_skey(content).with_context(|| {
        format!(
            "{}: not a key made by `accord registry keygen`",
            path.display()
        )
    })?;
    Ok(signer.verifier().public_key())
}

pub(crate) fn signer(path: &Path) -> Result<Ed25519Signer> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the key {}", path.display()))?;
    Ed25519Signer::from_skey(text.trim()).with_context(|| {
        format!(
            "{}: not a key made by `accord registry keygen`",
            path.display()
        )
    })
}

/// Runs `accord serve`.
pub fn serve(args: ServeArgs) -> Result<()> {
    let protocol = match &args.protocol {
        Some(path) => {
            // Validate first, for errors that name the file, line and field.
            crate::protocol::load_protocol(path)?;
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?
        }
        None => accord_sim::shard::DEFAULT_PROTOCOL.to_string(),
    };
    let secretariat_key = args
        .secretariat_key
        .as_deref()
        .map(public_key)
        .transpose()?;
    let witnesses = if args.witnesses.is_empty() {
        anyhow::ensure!(
            args.witness_quorum.is_none(),
            "--witness-quorum needs --witness"
        );
        None
    } else {
        let (urls, keys): (Vec<String>, Vec<String>) = args
            .witnesses
            .iter()
            .map(|w| {
                w.split_once('=')
                    .map(|(u, k)| (u.to_string(), k.to_string()))
                    .with_context(|| format!("--witness {w}: expected URL=VERIFIER_KEY"))
            })
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .unzip();
        Some(Witnessing {
            policy: policy(&keys, args.witness_quorum)?,
            urls,
            retry: std::time::Duration::from_secs(1),
        })
    };
    let evaluation = args
        .evaluation
        .as_deref()
        .map(accord_registry::load_evaluation)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--evaluation {e}"))?;
    runtime()?.block_on(async {
        let mut registry = Registry::open(RegistryConfig {
            db: args.db.clone(),
            key_file: args.key.clone(),
            origin: args.origin.clone(),
            protocol,
            secretariat_key,
            witnesses,
            channel: args.channel_key.clone().map(|key_file| ChannelConfig {
                key_file,
                inbox_opens_per_second: args.inbox_opens_per_second,
            }),
        })
        .await
        .with_context(|| format!("opening the registry in {}", args.db))?;
        if let Some(report) = evaluation {
            registry.set_evaluation(report);
        }
        let listener = tokio::net::TcpListener::bind(&args.listen)
            .await
            .with_context(|| format!("listening on {}", args.listen))?;
        println!("accord registry on http://{}", listener.local_addr()?);
        println!("verifier key: {}", registry.log().verifier().vkey());
        if let Some(channel) = registry.channel() {
            println!(
                "whistleblower channel on, receipts recorded by {}",
                channel.participant()
            );
        }
        {
            let published = registry.published();
            println!(
                "log size {}, state hash {}",
                published.replica.log_size(),
                published.state_hash()
            );
        }
        accord_registry::serve(listener, registry, args.max_in_flight, shutdown_signal())
            .await
            .context("serving")?;
        println!("stopped");
        Ok(())
    })
}

/// Completes on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}

/// Runs an `accord registry` command.
pub fn run(command: RegistryCommand) -> Result<()> {
    match command {
        RegistryCommand::Keygen(a) => {
            let signer = Ed25519Signer::generate(&a.id)
                .with_context(|| format!("{:?} is not a valid participant id", a.id))?;
            crate::log::write_secret(&a.out, &signer.skey())?;
            let public = hex(&signer.verifier().public_key());
            let mut pub_path = a.out.clone().into_os_string();
            pub_path.push(".pub");
            std::fs::write(&pub_path, format!("{public}\n"))
                .with_context(|| format!("writing {}", Path::new(&pub_path).display()))?;
            println!("{public}");
            Ok(())
        }
        RegistryCommand::Submit(a) => {
            let key = signer(&a.key)?;
            let text =
                match a.event.as_deref() {
                    None => std::io::read_to_string(std::io::stdin())
                        .context("reading standard input")?,
                    Some(p) if p == Path::new("-") => std::io::read_to_string(std::io::stdin())
                        .context("reading standard input")?,
                    Some(p) => std::fs::read_to_string(p)
                        .with_context(|| format!("reading {}", p.display()))?,
                };
            let mut value: serde_json::Value =
                serde_json::from_str(&text).context("the event is not JSON")?;
            if let Some(object) = value.as_object_mut() {
                object
                    .entry("author")
                    .or_insert_with(|| key.name().to_string().into());
            }
            let event = parse_event(&value.to_string(), 1).context("the event")?;
            let signed = SignedEvent::sign(event, &key)?;
            submit(&a.url.url, &signed)
        }
        RegistryCommand::Register(a) => {
            let key = signer(&a.key)?;
            let role: accord_core::Role = serde_json::from_value(a.role.clone().into())
                .with_context(|| format!("--role {:?}: not a role", a.role))?;
            let period = match a.period {
                Some(period) => period,
                None => {
                    let state: serde_json::Value =
                        runtime()?.block_on(Client::new(&a.url.url).get_json("/v1/state"))?;
                    state["period"]
                        .as_u64()
                        .and_then(|p| u32::try_from(p).ok())
                        .context("the registry's /v1/state has no period; pass --period")?
                }
            };
            let event = accord_core::Event::new(
                key.name(),
                a.seq,
                period,
                accord_core::EventBody::Register {
                    participant: a.participant.clone(),
                    role,
                    public_key: hex(&public_key(&a.public_key)?),
                },
            );
            let signed = SignedEvent::sign(event, &key)?;
            submit(&a.url.url, &signed)
        }
        RegistryCommand::Status(a) => {
            let path = match &a.lab {
                Some(lab) => format!("/v1/labs/{lab}"),
                None => "/v1/state".to_string(),
            };
            let value: serde_json::Value =
                runtime()?.block_on(Client::new(&a.url.url).get_json(&path))?;
            println!("{}", serde_json::to_string_pretty(&value)?);
            Ok(())
        }
        RegistryCommand::Access(a) => {
            let grant = runtime()?.block_on(Client::new(&a.url.url).access(&a.lab))?;
            let json = serde_json::to_string_pretty(&grant)?;
            match a.out {
                Some(out) => std::fs::write(&out, json)
                    .with_context(|| format!("writing {}", out.display()))?,
                None => println!("{json}"),
            }
            Ok(())
        }
        RegistryCommand::VerifyGrant(a) => {
            let verifier = Ed25519Verifier::from_vkey(&a.vkey).context("--vkey")?;
            let grant = read_grant(&a.grant)?;
            let policy = a.policy.policy()?;
            let statement = verify_grant(&grant, &verifier, policy.as_ref())
                .with_context(|| format!("{} fails verification", a.grant.display()))?;
            if let Some(lab) = &a.lab {
                anyhow::ensure!(
                    *lab == statement.lab,
                    "{} is a grant for {}, not for {lab}",
                    a.grant.display(),
                    statement.lab
                );
            }
            println!(
                "verified: {} is {} covered compute in period {} (log size {}, state {})",
                statement.lab,
                if statement.allowed {
                    "ALLOWED"
                } else {
                    "DENIED"
                },
                statement.period,
                statement.log_size,
                statement.state_hash
            );
            for reason in &statement.reasons {
                println!("  reason: {reason}");
            }
            if policy.is_none() {
                println!(
                    "note: no --witness keys given: the checkpoint's witnesses were not checked"
                );
            }
            println!(
                "note: this is the decision as of log size {}; ask for a fresh grant, or audit it with `accord registry audit --grant`, if you need more",
                statement.log_size
            );
            Ok(())
        }
        RegistryCommand::Audit(a) => {
            let key = a
                .vkey
                .as_deref()
                .map(Ed25519Verifier::from_vkey)
                .transpose()
                .context("--vkey")?;
            let policy = a.policy.policy()?;
            let grants = a
                .grants
                .iter()
                .map(|path| read_grant(path))
                .collect::<Result<Vec<_>>>()?;
            let report = runtime()?.block_on(Client::new(&a.url).audit(&AuditOptions {
                registry_key: key.as_ref(),
                policy: policy.as_ref(),
                known: a.known.as_deref(),
                grants: &grants,
            }))?;
            println!(
                "audit passed: {} — {} entries hash to the signed checkpoint, {} events replay to state hash {}",
                report.origin,
                report.log_size,
                report.log_size - 1,
                report.state_hash
            );
            match (report.consistent_with, &a.known) {
                (Some(size), _) => {
                    println!("consistent with the checkpoint of size {size} seen before")
                }
                (None, Some(known)) => println!(
                    "first audit with {}: this checkpoint is remembered for the next one",
                    known.display()
                ),
                (None, None) => {
                    println!("no earlier checkpoint to compare (use --known FILE to keep one)")
                }
            }
            if report.grants_checked > 0 {
                println!(
                    "{} access grant(s) recomputed from the log: decisions and state hashes match",
                    report.grants_checked
                );
            }
            if report.key_trusted_from_server {
                println!(
                    "note: the verifier key was taken from the server; pass --vkey to check it"
                );
            }
            Ok(())
        }
    }
}

/// Runs an `accord witness` command.
pub fn witness(command: WitnessCommand) -> Result<()> {
    let WitnessCommand::Serve(a) = command;
    let signer = if a.key.exists() {
        let text = std::fs::read_to_string(&a.key)
            .with_context(|| format!("reading {}", a.key.display()))?;
        CosignatureSigner::from_skey(text.trim())
            .with_context(|| format!("{}: not a witness cosigning key", a.key.display()))?
    } else {
        let signer = CosignatureSigner::generate(&a.name)
            .with_context(|| format!("{:?} is not a valid key name", a.name))?;
        crate::log::write_secret(&a.key, &signer.skey())?;
        signer
    };
    runtime()?.block_on(async {
        let storage = AnyStorage::open(&a.db)
            .await
            .with_context(|| format!("opening the witness state in {}", a.db))?;
        let mut witness = Witness::new(signer, storage);
        for vkey in &a.logs {
            let key = Ed25519Verifier::from_vkey(vkey).with_context(|| format!("--log {vkey}"))?;
            let origin = accord_log::NoteVerifier::name(&key).to_string();
            witness.add_log(&origin, key);
        }
        let listener = tokio::net::TcpListener::bind(&a.listen)
            .await
            .with_context(|| format!("listening on {}", a.listen))?;
        println!("accord witness on http://{}", listener.local_addr()?);
        println!("cosigner verifier key: {}", witness.verifier().vkey());
        let app = accord_registry::witness::router(std::sync::Arc::new(witness));
        axum_serve(listener, app).await
    })
}

async fn axum_serve(
    listener: tokio::net::TcpListener,
    app: accord_registry::witness::Router,
) -> Result<()> {
    accord_registry::witness::serve(listener, app, shutdown_signal())
        .await
        .context("serving")
}

fn read_grant(path: &Path) -> Result<AccessGrant> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{}: not an access grant", path.display()))
}

fn submit(url: &str, signed: &SignedEvent) -> Result<()> {
    let receipt = runtime()?.block_on(Client::new(url).submit(signed))?;
    println!("{}", serde_json::to_string_pretty(&receipt)?);
    if receipt["already_applied"].as_bool() == Some(true) {
        eprintln!("(already applied before; nothing changed)");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_keys_are_read_from_hex_or_key_files() {
        assert_eq!(public_key(&"ab".repeat(32)).unwrap(), [0xab; 32]);
        assert!(public_key("not-a-key").is_err());
    }
}
