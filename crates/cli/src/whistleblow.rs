//! `accord whistleblow`, `accord issuer` and `accord monitor`: the three
//! sides of the registry's whistleblower channel. Sealing and opening
//! happen here, on the user's machine; the logic lives in
//! `accord-channel` and `accord_registry::channel`.

use crate::registry::{PolicyArgs, runtime, signer};
use accord_channel::ReceiptCode;
use accord_channel::envelope::{Attachment, RecipientSecret, ReportContent};
use accord_channel::token::{TOKEN_KEY_BITS, TokenIssuer, TokenRequest};
use accord_core::event::{ChannelKeyPurpose, EventBody, ReportToken};
use accord_log::{Ed25519Verifier, NoteSigner as _};
use accord_registry::channel::client::{self as channel, Opened, VerifiedKeys};
use accord_registry::channel::wire::{ReportReceipt, verify_receipt, verify_receipt_with};
use accord_registry::client::AuditOptions;
use accord_registry::client::Client;
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};

/// Times `submit` asks for the inclusion proof (half a second apart) before
/// leaving it for `verify --url`.
const PROOF_ATTEMPTS: usize = 20;

/// `accord whistleblow`: the reporter's side.
#[derive(Debug, Subcommand)]
pub enum WhistleblowCommand {
    /// Blind a fresh token request for an issuer; hand the printed blinded message to the issuer.
    Request(Box<RequestArgs>),
    /// Unblind the issuer's blind signature into a token.
    Finalize(FinalizeArgs),
    /// Seal a report to the protocol's report monitors and submit it with a token; prints the receipt code once.
    Submit(Box<SubmitArgs>),
    /// Read the monitors' messages with the receipt code, and answer.
    Inbox(Box<InboxArgs>),
    /// Verify a report's receipt offline against the registry's verifier key.
    Verify(VerifyArgs),
}

/// `accord issuer`: the token issuer's side.
#[derive(Debug, Subcommand)]
pub enum IssuerCommand {
    /// Make an RSA token key; prints the event that publishes it.
    Keygen(IssuerKeygenArgs),
    /// Sign a blinded token request (after checking the insider's eligibility by your own means).
    Sign(IssuerSignArgs),
}

/// `accord monitor`: a report monitor's side.
#[derive(Debug, Subcommand)]
pub enum MonitorCommand {
    /// Make an X25519 report key; prints the event that publishes it.
    Keygen(MonitorKeygenArgs),
    /// Read reports and conversations, or write to one.
    Inbox(Box<MonitorInboxArgs>),
}

/// What the channel's keys are checked against: the log is replayed and
/// audited, so keys come from the log and not from the registry's word.
#[derive(Debug, Args)]
pub struct Anchor {
    /// The registry's verifier key as you know it (default: trust the key it serves, and say so).
    #[arg(long)]
    vkey: Option<String>,
    #[command(flatten)]
    policy: PolicyArgs,
    /// A file with the last checkpoint you saw: the log must have grown from it; replaced on success.
    #[arg(long)]
    known: Option<PathBuf>,
}

/// The registry to talk to.
#[derive(Debug, Args)]
pub struct Url {
    /// Registry URL.
    #[arg(long, default_value = "http://127.0.0.1:8377")]
    url: String,
}

/// `accord whistleblow request`.
#[derive(Debug, Args)]
pub struct RequestArgs {
    #[command(flatten)]
    url: Url,
    /// The issuer's participant id.
    #[arg(long)]
    issuer: String,
    #[command(flatten)]
    anchor: Anchor,
    /// Where to keep the request (it holds the blinding secret; must not exist).
    #[arg(long)]
    out: PathBuf,
}

/// `accord whistleblow finalize`.
#[derive(Debug, Args)]
pub struct FinalizeArgs {
    /// The request file made by `accord whistleblow request`.
    #[arg(long)]
    request: PathBuf,
    /// The issuer's blind signature (base64).
    #[arg(long)]
    blind_signature: String,
    /// Where to write the token (must not exist).
    #[arg(long)]
    out: PathBuf,
}

/// `accord whistleblow submit`.
#[derive(Debug, Args)]
pub struct SubmitArgs {
    #[command(flatten)]
    url: Url,
    /// The token file made by `accord whistleblow finalize`.
    #[arg(long)]
    token: PathBuf,
    /// The lab the report is about.
    #[arg(long)]
    lab: String,
    /// The report's text.
    #[arg(long)]
    file: PathBuf,
    /// A file to attach (repeat).
    #[arg(long = "attach")]
    attachments: Vec<PathBuf>,
    #[command(flatten)]
    anchor: Anchor,
    /// Where to keep the receipt: the logged entry and its inclusion proof (must not exist).
    #[arg(long, default_value = "report-receipt.json")]
    receipt_out: PathBuf,
}

/// `accord whistleblow inbox`.
#[derive(Debug, Args)]
pub struct InboxArgs {
    #[command(flatten)]
    url: Url,
    /// The receipt code (`-`: read it from standard input, which keeps it out of shell history).
    #[arg(long)]
    receipt: String,
    /// Answer the monitors with this text.
    #[arg(long)]
    reply: Option<String>,
    /// Attach this file to the answer (repeat).
    #[arg(long = "attach")]
    attachments: Vec<PathBuf>,
    #[command(flatten)]
    anchor: Anchor,
}

/// `accord whistleblow verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The receipt file written by `accord whistleblow submit`.
    receipt: PathBuf,
    /// The registry's verifier key.
    #[arg(long)]
    vkey: String,
    /// Fetch a missing inclusion proof from this registry (and keep it in the file).
    #[arg(long)]
    url: Option<String>,
}

/// `accord issuer keygen`.
#[derive(Debug, Args)]
pub struct IssuerKeygenArgs {
    /// Where to write the secret key, PEM (must not exist).
    #[arg(long)]
    out: PathBuf,
    /// Modulus size in bits (2048 to 4096).
    #[arg(long, default_value_t = TOKEN_KEY_BITS)]
    bits: usize,
}

/// `accord issuer sign`.
#[derive(Debug, Args)]
pub struct IssuerSignArgs {
    /// The issuer's secret key (PEM).
    #[arg(long)]
    key: PathBuf,
    /// The blinded message the insider handed over (base64).
    #[arg(long)]
    blinded: String,
}

/// `accord monitor keygen`.
#[derive(Debug, Args)]
pub struct MonitorKeygenArgs {
    /// Where to write the secret report key (must not exist).
    #[arg(long)]
    out: PathBuf,
}

/// `accord monitor inbox`.
#[derive(Debug, Args)]
pub struct MonitorInboxArgs {
    #[command(flatten)]
    url: Url,
    /// The monitor's secret report key (from `accord monitor keygen`).
    #[arg(long)]
    key: PathBuf,
    /// The monitor's participant key (from `accord registry keygen`), which signs its requests.
    #[arg(long)]
    signing_key: PathBuf,
    /// Only this report (its commitment).
    #[arg(long)]
    report: Option<String>,
    /// Write this question to the report's conversation (needs --report).
    #[arg(long)]
    ask: Option<String>,
    /// Save attachments into this folder.
    #[arg(long)]
    save_attachments: Option<PathBuf>,
    #[command(flatten)]
    anchor: Anchor,
}

fn read_text(path: &Path, what: &str) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading the {what} {}", path.display()))
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path, what: &str) -> Result<T> {
    serde_json::from_str(&read_text(path, what)?)
        .with_context(|| format!("{}: not a {what}", path.display()))
}

fn content(text: String, files: &[PathBuf]) -> Result<ReportContent> {
    let attachments = files
        .iter()
        .map(|path| {
            let bytes =
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .with_context(|| format!("{}: no file name", path.display()))?;
            Ok(Attachment::new(name, &bytes))
        })
        .collect::<Result<_>>()?;
    Ok(ReportContent::new(text, attachments))
}

/// The registry's verifier key: the one given, or the one it serves (said so).
fn verifier(client: &Client, vkey: Option<&str>) -> Result<Ed25519Verifier> {
    let vkey = match vkey {
        Some(vkey) => vkey.to_string(),
        None => {
            let info: serde_json::Value = runtime()?.block_on(client.get_json("/v1/registry"))?;
            eprintln!(
                "note: trusting the verifier key the registry serves; pass --vkey to check it against one you know"
            );
            info["verifier_key"]
                .as_str()
                .context("the registry serves no verifier_key")?
                .to_string()
        }
    };
    Ed25519Verifier::from_vkey(&vkey).context("--vkey: not a verifier key")
}

/// The channel's keys from the registry's log, replayed and audited as
/// `anchor` says, and the log's verifier key they were checked against.
fn verified_keys(client: &Client, anchor: &Anchor) -> Result<(VerifiedKeys, Ed25519Verifier)> {
    let log = verifier(client, anchor.vkey.as_deref())?;
    let policy = anchor.policy.policy()?;
    let options = AuditOptions {
        registry_key: Some(&log),
        policy: policy.as_ref(),
        known: anchor.known.as_deref(),
        grants: &[],
    };
    let keys = runtime()?
        .block_on(VerifiedKeys::audit(client, &options))
        .context("reading the channel's keys from the registry's log (an audit)")?;
    Ok((keys, log))
}

/// Text a reporter or monitor wrote, made safe for a terminal: control
/// characters (escape sequences, carriage returns) are shown escaped, and
/// every line is indented behind a bar, so no report can clear the screen,
/// overwrite a line, or pass for one of the lines this tool prints.
fn untrusted(text: &str) -> String {
    text.lines()
        .map(|line| format!("  | {}", escape_controls(line, |c| c != '\t')))
        .collect::<Vec<_>>()
        .join("\n")
}

/// An attachment's name as the reporter gave it, on one line.
fn untrusted_name(name: &str) -> String {
    escape_controls(name, |_| true)
}

/// `text` with each control character that `escaped` picks written as `\u{…}`.
fn escape_controls(text: &str, escaped: impl Fn(char) -> bool) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && escaped(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn print_messages(messages: &[Opened]) {
    for m in messages {
        match m {
            Ok(m) => {
                println!("--- message {} from {} ({})", m.seq, m.sender, m.day);
                println!("{}", untrusted(&m.content.text));
                for a in &m.content.attachments {
                    println!("    [attachment {}]", untrusted_name(&a.name));
                }
            }
            Err(error) => println!("--- REFUSED: {error}"),
        }
    }
}

fn save_attachments(folder: &Path, prefix: &str, content: &ReportContent) -> Result<()> {
    std::fs::create_dir_all(folder).with_context(|| format!("creating {}", folder.display()))?;
    for attachment in &content.attachments {
        // Names come from the reporter: keep only the last component, and no
        // control characters (the name is printed, and listed by shells).
        let name = Path::new(&attachment.name)
            .file_name()
            .map(|n| {
                n.to_string_lossy()
                    .chars()
                    .filter(|c| !c.is_control())
                    .collect::<String>()
            })
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "attachment".into());
        let path = folder.join(format!("{prefix}-{name}"));
        std::fs::write(&path, attachment.bytes()?)
            .with_context(|| format!("writing {}", path.display()))?;
        println!("    saved {}", path.display());
    }
    Ok(())
}

/// Runs an `accord whistleblow` command.
pub fn whistleblow(command: WhistleblowCommand) -> Result<()> {
    match command {
        WhistleblowCommand::Request(a) => {
            let client = Client::new(&a.url.url);
            let (keys, _) = verified_keys(&client, &a.anchor)?;
            let request = TokenRequest::new(&a.issuer, &keys.token_key(&a.issuer)?)?;
            crate::log::write_secret(&a.out, &serde_json::to_string_pretty(&request)?)?;
            println!("{}", request.blinded);
            eprintln!(
                "hand the line above to {}; keep {} until you finalize",
                a.issuer,
                a.out.display()
            );
            Ok(())
        }
        WhistleblowCommand::Finalize(a) => {
            let request: TokenRequest = read_json(&a.request, "token request")?;
            let token = request.finalize(&a.blind_signature)?;
            crate::log::write_secret(&a.out, &serde_json::to_string_pretty(&token)?)?;
            eprintln!("token written to {}; it admits one report", a.out.display());
            Ok(())
        }
        WhistleblowCommand::Submit(a) => {
            let token: ReportToken = read_json(&a.token, "token")?;
            let content = content(read_text(&a.file, "report")?, &a.attachments)?;
            anyhow::ensure!(
                !a.receipt_out.exists(),
                "{} exists; choose another --receipt-out",
                a.receipt_out.display()
            );
            let client = Client::new(&a.url.url);
            let (keys, log) = verified_keys(&client, &a.anchor)?;
            let rt = runtime()?;
            let code = ReceiptCode::generate();
            // The code before anything can fail: if the answer is lost, the
            // report may still have been logged, and the code opens it.
            println!("receipt code: {}", code.display());
            println!("  write it down now: it is shown once, and it alone opens your inbox");
            let accepted = match rt.block_on(channel::submit_report(
                &client, &keys, &a.lab, token, &content, &code,
            )) {
                Ok(accepted) => accepted,
                // Both say exactly what happened to the report and its token.
                Err(
                    e @ (channel::ChannelClientError::NotStored(_)
                    | channel::ChannelClientError::Refused(_)
                    | channel::ChannelClientError::ReceiptMismatch(_)),
                ) => return Err(e.into()),
                Err(e) => return Err(anyhow::Error::new(e).context(
                    "the report was not acknowledged; it may still have been logged: try `accord whistleblow inbox` with the code above later, before spending another token",
                )),
            };
            println!("report commitment: {}", accepted.report_commitment);
            println!(
                "logged at index {} on {}",
                accepted.index, accepted.arrival_day
            );
            let mut receipt = rt.block_on(channel::receipt(&client, &accepted));
            for _ in 0..PROOF_ATTEMPTS {
                if receipt.proof.is_some() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(500));
                receipt = rt.block_on(channel::receipt(&client, &accepted));
            }
            std::fs::write(&a.receipt_out, serde_json::to_string_pretty(&receipt)?)
                .with_context(|| format!("writing {}", a.receipt_out.display()))?;
            if receipt.proof.is_some() {
                // As the audit did: with the witnesses the anchor requires.
                let policy = a.anchor.policy.policy()?;
                let verified = verify_receipt_with(&receipt, &log, policy.as_ref())?;
                println!(
                    "inclusion proved in a checkpoint of size {}",
                    verified.checkpoint_size
                );
            } else {
                println!(
                    "no inclusion proof yet (witnesses have not cosigned a checkpoint with it); later: accord whistleblow verify {} --vkey VKEY --url {}",
                    a.receipt_out.display(),
                    a.url.url
                );
            }
            println!("receipt: {}", a.receipt_out.display());
            Ok(())
        }
        WhistleblowCommand::Inbox(a) => {
            let text = if a.receipt == "-" {
                std::io::read_to_string(std::io::stdin()).context("reading the receipt code")?
            } else {
                a.receipt.clone()
            };
            let code = ReceiptCode::parse(text.trim())?;
            let client = Client::new(&a.url.url);
            let (keys, _) = verified_keys(&client, &a.anchor)?;
            let rt = runtime()?;
            let (mut view, mut backing, mut messages) =
                rt.block_on(channel::inbox(&client, &keys, &code))?;
            if let Some(reply) = a.reply {
                let answer = rt.block_on(channel::reply(
                    &client,
                    &keys,
                    &code,
                    &view.report_commitment,
                    &content(reply, &a.attachments)?,
                ))?;
                println!("answer stored as message {}", answer.seq);
                (view, backing, messages) = rt.block_on(channel::inbox(&client, &keys, &code))?;
            }
            println!(
                "report {} on {} (arrived {}, log index {})",
                view.report_commitment,
                view.lab,
                view.arrival_day,
                view.log_index
                    .map_or_else(|| "pending".to_string(), |i| i.to_string())
            );
            println!("  {backing}");
            if messages.is_empty() {
                println!("no messages yet");
            }
            print_messages(&messages);
            Ok(())
        }
        WhistleblowCommand::Verify(a) => {
            let mut receipt: ReportReceipt = read_json(&a.receipt, "report receipt")?;
            let log = Ed25519Verifier::from_vkey(&a.vkey).context("--vkey")?;
            if receipt.proof.is_none()
                && let Some(url) = &a.url
            {
                receipt.proof = Some(
                    runtime()?
                        .block_on(
                            Client::new(url).get_text(&format!("/v1/log/proof/{}", receipt.index)),
                        )
                        .context("fetching the inclusion proof")?,
                );
            }
            let verified = verify_receipt(&receipt, &log)
                .with_context(|| format!("{} fails verification", a.receipt.display()))?;
            if a.url.is_some() {
                std::fs::write(&a.receipt, serde_json::to_string_pretty(&receipt)?)
                    .with_context(|| format!("writing {}", a.receipt.display()))?;
            }
            println!(
                "verified: report {} on {} was logged at index {}{} (checkpoint size {})",
                receipt.report_commitment,
                verified.lab,
                verified.index,
                verified
                    .arrival_day
                    .map(|d| format!(" on {d}"))
                    .unwrap_or_default(),
                verified.checkpoint_size
            );
            Ok(())
        }
    }
}

/// Prints the `publish_channel_key` event for a new key, to be completed
/// and signed by its owner.
fn print_publish_event(purpose: ChannelKeyPurpose, public_key: String) {
    let event = EventBody::PublishChannelKey {
        purpose,
        public_key,
    };
    println!(
        "{}",
        serde_json::to_string(&event).expect("events serialise")
    );
    eprintln!(
        "publish it: add \"seq\" and \"period\" and submit with `accord registry submit --key YOUR_PARTICIPANT_KEY`"
    );
}

/// Runs an `accord issuer` command.
pub fn issuer(command: IssuerCommand) -> Result<()> {
    match command {
        IssuerCommand::Keygen(a) => {
            let issuer = TokenIssuer::generate(a.bits)?;
            crate::log::write_secret(&a.out, issuer.to_pem().trim_end())?;
            print_publish_event(
                ChannelKeyPurpose::TokenSigning,
                issuer.public_key().to_base64(),
            );
            Ok(())
        }
        IssuerCommand::Sign(a) => {
            let issuer = TokenIssuer::from_pem(&read_text(&a.key, "issuer key")?)?;
            println!("{}", issuer.sign_blinded(&a.blinded)?);
            Ok(())
        }
    }
}

/// Runs an `accord monitor` command.
pub fn monitor(command: MonitorCommand) -> Result<()> {
    match command {
        MonitorCommand::Keygen(a) => {
            let secret = RecipientSecret::generate();
            crate::log::write_secret(&a.out, &secret.to_hex())?;
            print_publish_event(
                ChannelKeyPurpose::ReportEncryption,
                secret.public_key().to_hex(),
            );
            Ok(())
        }
        MonitorCommand::Inbox(a) => {
            let secret = RecipientSecret::from_hex(&read_text(&a.key, "report key")?)?;
            let signing = signer(&a.signing_key)?;
            let client = Client::new(&a.url.url);
            let (keys, _) = verified_keys(&client, &a.anchor)?;
            // A report key that is not the one this monitor published would
            // make every report read as forged: say what is wrong instead.
            let published = keys
                .monitors()?
                .into_iter()
                .find(|(id, _)| id == signing.name())
                .map(|(_, key)| key);
            match published {
                Some(key) if key.to_hex() == secret.public_key().to_hex() => {}
                Some(_) => anyhow::bail!(
                    "{} is not {}'s report key: the log holds another one for {}; pass the report key file {} published",
                    a.key.display(),
                    signing.name(),
                    signing.name(),
                    signing.name()
                ),
                None => anyhow::bail!(
                    "{} is not a report monitor of this registry's protocol (--signing-key names it)",
                    signing.name()
                ),
            }
            let rt = runtime()?;
            if let Some(question) = &a.ask {
                let commitment = a.report.as_deref().context("--ask needs --report")?;
                let read =
                    rt.block_on(channel::read(&client, &keys, &signing, &secret, commitment))?;
                let stored = rt.block_on(channel::ask(
                    &client,
                    &keys,
                    &signing,
                    &read,
                    &content(question.clone(), &[])?,
                ))?;
                println!("question stored as message {}", stored.seq);
            }
            let commitments = match &a.report {
                Some(commitment) => vec![commitment.clone()],
                None => rt
                    .block_on(channel::reports(&client, &signing, 0))?
                    .reports
                    .into_iter()
                    .map(|r| r.report_commitment)
                    .collect(),
            };
            if commitments.is_empty() {
                println!("no reports");
            }
            for commitment in commitments {
                // One report that does not open does not hide the others.
                let read = match rt.block_on(channel::read(
                    &client,
                    &keys,
                    &signing,
                    &secret,
                    &commitment,
                )) {
                    Ok(read) => read,
                    Err(error) => {
                        println!("=== report {commitment}: REFUSED: {error}");
                        continue;
                    }
                };
                let view = &read.view;
                println!(
                    "=== report {} on {} (arrived {}, log index {})",
                    view.report_commitment,
                    view.lab,
                    view.arrival_day,
                    view.log_index
                        .map_or_else(|| "pending".to_string(), |i| i.to_string())
                );
                if read.backing != channel::Backing::Proved {
                    println!("  {}", read.backing);
                }
                println!("{}", untrusted(&read.report.text));
                for attachment in &read.report.attachments {
                    println!("    [attachment {}]", untrusted_name(&attachment.name));
                }
                if let Some(folder) = &a.save_attachments {
                    let prefix = commitment.get(..12).unwrap_or(&commitment);
                    save_attachments(folder, prefix, &read.report)?;
                }
                print_messages(&read.messages);
            }
            eprintln!("(signed as {})", signing.name());
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_cannot_drive_the_terminal_or_forge_a_line() {
        let hostile = "fine\u{1b}[2J\u{1b}]0;pwned\u{7}\rOVERWRITE\n=== report abc on lab-b\ttab";
        let shown = untrusted(hostile);
        assert!(
            !shown
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t'),
            "{shown}"
        );
        assert!(
            shown.lines().all(|line| line.starts_with("  | ")),
            "{shown}"
        );
        assert!(shown.contains("\\u{1b}[2J"), "{shown}");
        assert_eq!(untrusted("two\nlines"), "  | two\n  | lines");
        assert_eq!(untrusted_name("a\u{1b}b.csv"), "a\\u{1b}b.csv");
    }
}
