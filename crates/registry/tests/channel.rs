//! The whistleblower channel end to end over HTTP on loopback, on SQLite
//! and on PostgreSQL: a report from a blind-signed token to two monitors
//! and back through the receipt code, its receipt proved offline, an
//! audit citing it, a restart; every refusal storing nothing; and what the
//! issuer sees sharing no value with what the registry stores.

mod common;

use accord_channel::ReceiptCode;
use accord_channel::envelope::{Attachment, Envelope, RecipientSecret, ReportContent};
use accord_channel::token::{TokenIssuer, TokenRequest};
use accord_core::event::{ChannelKeyPurpose, ReportToken, Verdict};
use accord_core::{Event, EventBody, Role};
use accord_log::{Ed25519Signer, NoteSigner as _};
use accord_registry::channel::ChannelConfig;
use accord_registry::channel::client::{
    self as channel, ChannelClientError, SubmittedReport, VerifiedKeys,
};
use accord_registry::channel::wire::{ReportReceipt, ReportSubmission, verify_receipt};
use accord_registry::client::{Client, ClientError};
use accord_registry::{Registry, RegistryConfig, SignedEvent};
use accord_tlog::note::Ed25519Verifier;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use common::{Served, Store, key, serve};
use serde_json::Value;

const ORIGIN: &str = "registry.test/log";

fn protocol() -> String {
    include_str!("../../../examples/protocols/global-protocol.toml").replace(
        "protection = 0.9\n",
        "protection = 0.9\nmonitors = [\"mon-a\", \"mon-b\"]\n",
    )
}

struct Running {
    client: Client,
    log: Ed25519Verifier,
    served: Served,
}

async fn start(store: &Store) -> Running {
    start_with_rate(store, 50).await
}

async fn start_with_rate(store: &Store, inbox_opens_per_second: u32) -> Running {
    let channel_key = store.dir.join("channel.key");
    std::fs::write(&channel_key, format!("{}\n", key("channel", 9).skey())).unwrap();
    let registry = Registry::open(RegistryConfig {
        db: store.db.clone(),
        key_file: store.dir.join("registry.key"),
        origin: ORIGIN.into(),
        protocol: protocol(),
        secretariat_key: Some(key("sec", 1).verifier().public_key()),
        witnesses: None,
        channel: Some(ChannelConfig {
            key_file: channel_key,
            inbox_opens_per_second,
        }),
    })
    .await
    .unwrap();
    let log = registry.log().verifier().clone();
    let served = serve(registry, 64).await;
    Running {
        client: served.client.clone(),
        log,
        served,
    }
}

impl Running {
    async fn shutdown(self) {
        self.served.shutdown().await;
    }

    async fn send(&self, signer: &Ed25519Signer, seq: u64, body: EventBody) -> Value {
        let event = Event::new(signer.name(), seq, 0, body);
        self.client
            .submit(&SignedEvent::sign(event, signer).unwrap())
            .await
            .unwrap()
    }

    async fn log_size(&self) -> u64 {
        let s: Value = self.client.get_json("/v1/state").await.unwrap();
        s["log_size"].as_u64().unwrap()
    }
}

/// The participants and keys of a channel.
struct Cast {
    issuer: TokenIssuer,
    monitors: Vec<(Ed25519Signer, RecipientSecret)>,
}

/// Registers lab-a, two monitors, an issuer and the channel, and
/// publishes the issuer's token key and the monitors' report keys.
async fn set_up(r: &Running) -> Cast {
    let sec = key("sec", 1);
    let mut seq = 0;
    let mut register = |participant: &str, role: Role, signer: &Ed25519Signer| {
        seq += 1;
        (
            seq,
            EventBody::Register {
                participant: participant.into(),
                role,
                public_key: accord_registry::wire::hex(&signer.verifier().public_key()),
            },
        )
    };
    let issuer_key = key("issuer", 5);
    let monitors = vec![
        (key("mon-a", 3), RecipientSecret::generate()),
        (key("mon-b", 4), RecipientSecret::generate()),
    ];
    let mut events = vec![
        register("sec", Role::Secretariat, &sec),
        register("lab-a", Role::Lab, &key("lab-a", 2)),
        register("issuer", Role::WhistleblowerIssuer, &issuer_key),
        register("channel", Role::Secretariat, &key("channel", 9)),
    ];
    for (signer, _) in &monitors {
        events.push(register(signer.name(), Role::Monitor, signer));
    }
    for (seq, body) in events {
        r.send(&sec, seq, body).await;
    }
    let issuer = TokenIssuer::generate(2048).unwrap();
    r.send(
        &issuer_key,
        1,
        EventBody::PublishChannelKey {
            purpose: ChannelKeyPurpose::TokenSigning,
            public_key: issuer.public_key().to_base64(),
        },
    )
    .await;
    for (signer, secret) in &monitors {
        r.send(
            signer,
            1,
            EventBody::PublishChannelKey {
                purpose: ChannelKeyPurpose::ReportEncryption,
                public_key: secret.public_key().to_hex(),
            },
        )
        .await;
    }
    Cast { issuer, monitors }
}

/// The channel's keys, from the log replayed and checked (as clients do).
async fn keys(r: &Running) -> VerifiedKeys {
    VerifiedKeys::fetch(&r.client, &r.log).await.unwrap()
}

/// A token issued blindly; the issuer's view is appended to `issuer_saw`.
async fn token(r: &Running, issuer: &TokenIssuer, issuer_saw: &mut Vec<String>) -> ReportToken {
    let key = keys(r).await.token_key("issuer").unwrap();
    let request = TokenRequest::new("issuer", &key).unwrap();
    let blind_signature = issuer.sign_blinded(&request.blinded).unwrap();
    issuer_saw.push(request.blinded.clone());
    issuer_saw.push(blind_signature.clone());
    request.finalize(&blind_signature).unwrap()
}

fn text(text: &str) -> ReportContent {
    ReportContent::new(text, Vec::new())
}

/// Submits a report and returns its acceptance and verified receipt.
async fn submit(
    r: &Running,
    token: ReportToken,
    content: &ReportContent,
    code: &ReceiptCode,
) -> (SubmittedReport, ReportReceipt) {
    let accepted = channel::submit_report(&r.client, &keys(r).await, "lab-a", token, content, code)
        .await
        .unwrap();
    let receipt = channel::receipt(&r.client, &accepted).await;
    (accepted, receipt)
}

async fn round_trip(store: Store) {
    let r = start(&store).await;
    let cast = set_up(&r).await;
    let mut issuer_saw = Vec::new();
    let token = token(&r, &cast.issuer, &mut issuer_saw).await;
    let code = ReceiptCode::generate();
    let report = ReportContent::new(
        "Evaluations of the March model were rerun until they passed.",
        vec![Attachment::new(
            "eval-log.csv",
            b"run,score\n1,0.41\n7,0.12\n",
        )],
    );
    let (accepted, receipt) = submit(&r, token, &report, &code).await;
    assert_eq!(accepted.arrival_day.len(), 10, "a day, nothing finer");
    // The receipt verifies offline, from its JSON alone and the log key.
    let offline: ReportReceipt =
        serde_json::from_str(&serde_json::to_string(&receipt).unwrap()).unwrap();
    let verified = verify_receipt(&offline, &r.log).unwrap();
    assert_eq!(verified.lab, "lab-a");
    assert_eq!(
        verified.arrival_day.as_deref(),
        Some(accepted.arrival_day.as_str())
    );
    let mut forged = offline.clone();
    forged.report_commitment = "00".repeat(32);
    assert!(verify_receipt(&forged, &r.log).is_err());
    // The lab the reporter named is checked against the entry too.
    let mut relabelled = offline.clone();
    relabelled.lab = "lab-b".into();
    let why = verify_receipt(&relabelled, &r.log).unwrap_err().to_string();
    assert!(why.contains("for a report on lab-a, not on lab-b"), "{why}");
    // The receipt's effect on monitoring: a special-audit alert on lab-a.
    let alerts: Value = r.client.get_json("/v1/alerts").await.unwrap();
    assert!(
        alerts.to_string().contains("special_audit_required"),
        "{alerts}"
    );

    // Both monitors read it (with the reporter's keys inside); a monitor
    // asks, the reporter answers.
    let keys = keys(&r).await;
    let commitment = accepted.report_commitment.clone();
    for (signer, secret) in &cast.monitors {
        let list = channel::reports(&r.client, signer, 0).await.unwrap();
        assert_eq!(list.reports.len(), 1);
        assert_eq!(list.reports[0].report_commitment, commitment);
        let read = channel::read(&r.client, &keys, signer, secret, &commitment)
            .await
            .unwrap();
        assert_eq!(read.report.text, report.text);
        assert_eq!(read.report.attachments, report.attachments);
        assert_eq!(
            read.report.reply_key.as_deref(),
            Some(code.reply_key().public_key().to_hex().as_str())
        );
    }
    let (mon_a, secret_a) = &cast.monitors[0];
    // A registry that swaps the stored reply key gains nothing: monitors
    // seal to the key inside the report.
    store
        .tamper(&format!(
            "UPDATE channel_reports SET reply_key = '{}' WHERE commitment = '{commitment}'",
            RecipientSecret::generate().public_key().to_hex()
        ))
        .await;
    let read = channel::read(&r.client, &keys, mon_a, secret_a, &commitment)
        .await
        .unwrap();
    channel::ask(
        &r.client,
        &keys,
        mon_a,
        &read,
        &text("Which runs were discarded?"),
    )
    .await
    .unwrap();
    let (view, backing, messages) = channel::inbox(&r.client, &keys, &code).await.unwrap();
    assert_eq!(backing, channel::Backing::Proved);
    assert_eq!(messages.len(), 1);
    let question = messages[0].as_ref().unwrap();
    assert_eq!(question.sender, "mon-a");
    assert_eq!(question.content.text, "Which runs were discarded?");
    channel::reply(
        &r.client,
        &keys,
        &code,
        &view.report_commitment,
        &text("Runs 2 to 6."),
    )
    .await
    .unwrap();
    let (mon_b, secret_b) = &cast.monitors[1];
    let read = channel::read(&r.client, &keys, mon_b, secret_b, &commitment)
        .await
        .unwrap();
    let said: Vec<(&str, &str)> = read
        .messages
        .iter()
        .map(|m| m.as_ref().unwrap())
        .map(|m| (m.sender.as_str(), m.content.text.as_str()))
        .collect();
    assert_eq!(
        said,
        [
            ("mon-a", "Which runs were discarded?"),
            ("reporter", "Runs 2 to 6.")
        ]
    );
    // A registry that relabels a message is caught by the signature inside.
    store
        .tamper("UPDATE channel_messages SET sender = 'mon-b' WHERE sender = 'mon-a'")
        .await;
    let (_, _, messages) = channel::inbox(&r.client, &keys, &code).await.unwrap();
    let relabelled = messages[0].as_ref().unwrap_err().to_string();
    assert!(
        relabelled.contains("signed by mon-a, shown as from mon-b"),
        "{relabelled}"
    );
    // The other messages still open: one bad message hides nothing else.
    assert_eq!(messages[1].as_ref().unwrap().content.text, "Runs 2 to 6.");
    store
        .tamper("UPDATE channel_messages SET sender = 'mon-a' WHERE sender = 'mon-b'")
        .await;
    // Someone else's code opens nothing; a non-monitor signature reads nothing.
    let stranger = channel::inbox(&r.client, &keys, &ReceiptCode::generate()).await;
    assert!(matches!(
        stranger,
        Err(ChannelClientError::Client(ClientError::Refused(ref p))) if p.status == 404
    ));
    let lab = channel::reports(&r.client, &key("lab-a", 2), 0).await;
    assert!(matches!(
        lab,
        Err(ChannelClientError::Client(ClientError::Refused(ref p))) if p.status == 403
    ));

    // An audit cites the report's commitment.
    r.send(
        mon_a,
        2,
        EventBody::Audit {
            lab: "lab-a".into(),
            audited_period: 0,
            verdict: Verdict::Violation,
            verified_investment: None,
            measurements: Default::default(),
            violated_commitments: Vec::new(),
            cites_reports: vec![commitment.clone()],
        },
    )
    .await;

    // A restart replays the log (tokens verified again) and keeps the channel.
    r.shutdown().await;
    let r = start(&store).await;
    let (view, _, messages) = channel::inbox(&r.client, &keys, &code).await.unwrap();
    assert_eq!(view.log_index, Some(accepted.index));
    assert_eq!(messages.len(), 2);
    r.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_round_trips_on_sqlite() {
    round_trip(Store::sqlite("round-trip")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_round_trips_on_postgres() {
    round_trip(Store::postgres("round_trip")).await;
}

/// A crash between storing a report and noting its log index, or between
/// storing one and its receipt being refused, leaves pending rows; the
/// next start confirms those the log commits to and deletes the others.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_reports_are_settled_against_the_log_on_start() {
    let store = Store::sqlite("settle");
    let r = start(&store).await;
    let cast = set_up(&r).await;
    let mut issuer_saw = Vec::new();
    let code = ReceiptCode::generate();
    let token = token(&r, &cast.issuer, &mut issuer_saw).await;
    let (accepted, _) = submit(&r, token, &text("logged"), &code).await;
    let keys = keys(&r).await;
    r.shutdown().await;
    // As if the process died before noting the index; plus a report whose
    // receipt never reached the log, and one that lost its sequence number
    // to the logged report.
    let envelope = "x'00'";
    store
        .tamper(&format!(
            "UPDATE channel_reports SET log_index = NULL WHERE commitment = '{commitment}';
             INSERT INTO channel_reports VALUES ('{never}', 999, NULL, 'lab-a', '2026-12-05', 'h1', 'k', {envelope});
             INSERT INTO channel_reports VALUES ('{lost}', 1, NULL, 'lab-a', '2026-12-05', 'h2', 'k', {envelope});",
            commitment = accepted.report_commitment,
            never = "aa".repeat(32),
            lost = "bb".repeat(32),
        ))
        .await;
    let r = start(&store).await;
    let (view, _, _) = channel::inbox(&r.client, &keys, &code).await.unwrap();
    assert_eq!(view.log_index, Some(accepted.index));
    let rows = store.dump().await;
    assert!(
        !rows.contains(&"aa".repeat(32)) && !rows.contains(&"bb".repeat(32)),
        "{rows}"
    );
    r.shutdown().await;
}

/// A submission that must be refused with `status`, leaving the log and
/// the channel's tables as they were.
async fn refused(r: &Running, store: &Store, submission: &ReportSubmission, status: u16) -> String {
    let before = (r.log_size().await, store.dump().await);
    let answer: Result<Value, _> = r
        .client
        .post_json("/v1/channel/reports", submission, None)
        .await;
    let Err(ClientError::Refused(problem)) = answer else {
        panic!("expected a refusal with {status}, got {answer:?}");
    };
    assert_eq!(problem.status, status, "{problem}");
    assert_eq!(
        (r.log_size().await, store.dump().await),
        before,
        "{problem}"
    );
    problem.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_reports_store_nothing() {
    let store = Store::sqlite("refusals");
    let r = start(&store).await;
    let cast = set_up(&r).await;
    let mut issuer_saw = Vec::new();
    let recipients = keys(&r).await.monitors().unwrap();
    let recipients: Vec<(&str, accord_channel::RecipientKey)> = recipients
        .iter()
        .map(|(id, key)| (id.as_str(), key.clone()))
        .collect();
    let recipient_refs: Vec<(&str, &accord_channel::RecipientKey)> =
        recipients.iter().map(|(id, k)| (*id, k)).collect();
    let sealed = Envelope::seal(&recipient_refs, b"{\"text\":\"hello\"}").unwrap();
    let code = ReceiptCode::generate();
    let submission = |token: ReportToken, envelope: &[u8]| ReportSubmission {
        lab: "lab-a".into(),
        token,
        envelope: BASE64.encode(envelope),
        reply_key: code.reply_key().public_key().to_hex(),
        inbox_secret: code.inbox_secret(),
    };
    let good = token(&r, &cast.issuer, &mut issuer_saw).await;

    // A token signed by another key.
    let other = TokenIssuer::generate(2048).unwrap();
    let request = TokenRequest::new("issuer", &other.public_key()).unwrap();
    let foreign = request
        .finalize(&other.sign_blinded(&request.blinded).unwrap())
        .unwrap();
    let why = refused(&r, &store, &submission(foreign, &sealed), 400).await;
    assert!(why.contains("does not verify"), "{why}");
    // A message spelled with signs ("+f+f…", which `u8::from_str_radix`
    // reads as hex), refused before it is stored, as the core would.
    let mut signs = good.clone();
    signs.message = "+f".repeat(32);
    let why = refused(&r, &store, &submission(signs, &sealed), 400).await;
    assert!(why.contains("64 hex digits"), "{why}");
    // A truncated envelope, and one sealed to the wrong monitors.
    let why = refused(&r, &store, &submission(good.clone(), &sealed[..60]), 400).await;
    assert!(why.contains("truncated"), "{why}");
    let only_a = Envelope::seal(&recipient_refs[..1], b"{}").unwrap();
    let why = refused(&r, &store, &submission(good.clone(), &only_a), 400).await;
    assert!(why.contains("recipients"), "{why}");
    // Over the size limit: refused before anything is read.
    let huge = vec![b'x'; accord_channel::envelope::MAX_ENVELOPE_BYTES + 1];
    refused(&r, &store, &submission(good.clone(), &huge), 413).await;
    // A lab that does not exist.
    let mut no_lab = submission(good.clone(), &sealed);
    no_lab.lab = "lab-z".into();
    refused(&r, &store, &no_lab, 400).await;

    // The good token works once; spending it again is refused.
    let accepted: Value = r
        .client
        .post_json(
            "/v1/channel/reports",
            &submission(good.clone(), &sealed),
            None,
        )
        .await
        .unwrap();
    assert!(accepted["index"].as_u64().is_some());
    let other_code = ReceiptCode::generate();
    let mut again = submission(good, &Envelope::seal(&recipient_refs, b"{}").unwrap());
    again.inbox_secret = other_code.inbox_secret();
    let why = refused(&r, &store, &again, 409).await;
    assert!(why.contains("already spent"), "{why}");

    // A report of several MiB (under the limit) is accepted: the channel's
    // routes take more than one log entry's worth.
    let big = text(&"x".repeat(3 << 20));
    let (accepted, _) = submit(
        &r,
        token(&r, &cast.issuer, &mut issuer_saw).await,
        &big,
        &ReceiptCode::generate(),
    )
    .await;
    let read = channel::read(
        &r.client,
        &keys(&r).await,
        &cast.monitors[1].0,
        &cast.monitors[1].1,
        &accepted.report_commitment,
    )
    .await
    .unwrap();
    assert_eq!(read.report.text, big.text);

    // A forged ciphertext passes the layout check but monitors refuse it clearly.
    let mut forged = sealed.clone();
    let last = forged.len() - 1;
    forged[last] ^= 1;
    let envelope = Envelope::parse(&forged).unwrap();
    let error = envelope
        .open(&forged, "mon-a", &cast.monitors[0].1)
        .unwrap_err()
        .to_string();
    assert!(error.contains("forged, corrupted"), "{error}");
    r.shutdown().await;
}

/// Everything the issuer saw (its key, the blinded messages, the blind
/// signatures) and everything the registry stores (the log and the
/// channel's tables) share no value that links an issuance to a report.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_issuer_and_the_registry_share_nothing_that_links() {
    let store = Store::sqlite("unlinkable");
    let r = start(&store).await;
    let cast = set_up(&r).await;
    let mut issuer_saw = Vec::new();
    for i in 0..3 {
        let token = token(&r, &cast.issuer, &mut issuer_saw).await;
        submit(
            &r,
            token,
            &text(&format!("report {i}")),
            &ReceiptCode::generate(),
        )
        .await;
    }
    let mut registry_holds = store.dump().await;
    let size = r.log_size().await;
    for index in 0..size {
        registry_holds.push_str(
            &r.client
                .get_text(&format!("/v1/log/entries/{index}"))
                .await
                .unwrap(),
        );
    }
    // Compare every value in every encoding either side uses, down to
    // 16-byte windows of the raw bytes.
    let forms = |base64_value: &str| -> Vec<String> {
        let bytes = BASE64.decode(base64_value).unwrap();
        let mut forms = vec![base64_value.to_string()];
        for window in bytes.chunks(16).filter(|w| w.len() == 16) {
            forms.push(accord_registry::wire::hex(window));
            forms.push(BASE64.encode(window));
        }
        forms
    };
    for value in &issuer_saw {
        for form in forms(value) {
            assert!(
                !registry_holds.contains(&form),
                "the registry holds {form}, which the issuer saw"
            );
        }
    }
    assert!(registry_holds.contains("whistleblower_receipt"));
    r.shutdown().await;
}

/// Inbox requests (token-less) share one global rate: a burst of guesses
/// is answered 429 without keeping anyone's address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_receipt_codes_is_rate_limited() {
    let store = Store::sqlite("rate");
    let r = start_with_rate(&store, 1).await;
    set_up(&r).await;
    let keys = keys(&r).await;
    let mut limited = 0;
    for _ in 0..20 {
        match channel::inbox(&r.client, &keys, &ReceiptCode::generate()).await {
            Err(ChannelClientError::Client(ClientError::Refused(p))) if p.status == 429 => {
                limited += 1;
            }
            Err(ChannelClientError::Client(ClientError::Refused(p))) if p.status == 404 => {}
            other => panic!("{other:?}"),
        }
        if limited > 0 {
            break;
        }
    }
    assert!(limited > 0, "20 guesses in a burst were never limited");
    r.shutdown().await;
}

/// A registry (or a proxy in front of one) that answers every report
/// submission with `answer(submission)`.
async fn lying_registry(
    answer: impl Fn(ReportSubmission) -> Value + Clone + Send + Sync + 'static,
) -> (Client, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new().route(
        "/v1/channel/reports",
        axum::routing::post(move |axum::Json(sent): axum::Json<ReportSubmission>| {
            let answer = answer.clone();
            async move { axum::Json(answer(sent)) }
        }),
    );
    let task = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (Client::new(&url), task)
}

/// A registry whose inbox shows `view`, whatever the code.
async fn lying_inbox(view: Value) -> (Client, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new().route(
        "/v1/channel/inbox",
        axum::routing::post(move || {
            let view = view.clone();
            async move { axum::Json(view) }
        }),
    );
    let task = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (Client::new(&url), task)
}

/// The commitment of a submission's envelope, as the log should hold it.
fn commitment_of(sent: &ReportSubmission) -> String {
    use sha2::Digest as _;
    accord_registry::wire::hex(&sha2::Sha256::digest(
        BASE64.decode(&sent.envelope).unwrap(),
    ))
}

/// What a lying registry answers a submission with.
#[derive(Debug, Clone, Copy)]
enum Lie {
    /// An earlier receipt, as it was.
    Replayed,
    /// The commitment of the report sent, with an earlier report's entry.
    OtherEntry,
    /// An entry for the report sent, but about another lab.
    OtherLab,
    /// An entry for the report sent, but of another day than answered.
    OtherDay,
    /// The right entry, at an index that does not hold it.
    OtherIndex,
}

fn lie(lie: Lie, earlier: &SubmittedReport, sent: &ReportSubmission) -> Value {
    let today = accord_registry::channel::wire::today();
    let entry = |lab: &str, day: &str| {
        let event = Event::new(
            "channel",
            99,
            0,
            EventBody::WhistleblowerReceipt {
                lab: lab.into(),
                report_commitment: commitment_of(sent),
                arrival_day: Some(day.into()),
                token: Some(sent.token.clone()),
            },
        );
        SignedEvent::sign(event, &key("channel", 9))
            .unwrap()
            .as_str()
            .to_string()
    };
    let (commitment, day, entry) = match lie {
        Lie::Replayed => (
            earlier.report_commitment.clone(),
            earlier.arrival_day.clone(),
            earlier.entry.clone(),
        ),
        Lie::OtherEntry => (
            commitment_of(sent),
            earlier.arrival_day.clone(),
            earlier.entry.clone(),
        ),
        Lie::OtherLab => (commitment_of(sent), today.clone(), entry("lab-b", &today)),
        Lie::OtherDay => (commitment_of(sent), today, entry("lab-a", "2020-01-01")),
        Lie::OtherIndex => (commitment_of(sent), today.clone(), entry("lab-a", &today)),
    };
    serde_json::json!({
        "report_commitment": commitment,
        "arrival_day": day,
        "index": earlier.index,
        "entry": entry,
    })
}

/// The reporter takes no receipt that is not the report's: an earlier
/// receipt replayed, another report's entry, an entry for another lab or
/// another day, or at an index that does not hold it, are refused, saying
/// the token may be spent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_for_another_report_is_refused() {
    let store = Store::sqlite("other-receipt");
    let r = start(&store).await;
    let cast = set_up(&r).await;
    let mut issuer_saw = Vec::new();
    let keys = keys(&r).await;
    let (earlier, _) = submit(
        &r,
        token(&r, &cast.issuer, &mut issuer_saw).await,
        &text("earlier"),
        &ReceiptCode::generate(),
    )
    .await;
    for (told, expected) in [
        (Lie::Replayed, "but the report sent is"),
        (Lie::OtherEntry, "the entry commits to report"),
        (Lie::OtherLab, "for a report on lab-b, not on lab-a"),
        (Lie::OtherDay, "its entry 2020-01-01"),
        (Lie::OtherIndex, "its log index"),
    ] {
        let earlier = earlier.clone();
        let (liar, task) = lying_registry(move |sent| lie(told, &earlier, &sent)).await;
        let token = token(&r, &cast.issuer, &mut issuer_saw).await;
        let code = ReceiptCode::generate();
        let refused =
            channel::submit_report(&liar, &keys, "lab-a", token, &text("mine"), &code).await;
        let Err(error @ ChannelClientError::ReceiptMismatch(_)) = refused else {
            panic!("{told:?}: expected a mismatch, got {refused:?}");
        };
        let why = error.to_string();
        assert!(why.contains(expected), "{why}");
        assert!(why.contains("token may have been spent"), "{why}");
        task.abort();
    }
    r.shutdown().await;
}

/// A report the registry refuses for good (a 4xx: a spent token, an
/// unknown lab) is said to be refused with nothing stored, not "may have
/// been logged" (an outside review found the reporter told to wait for an
/// inbox that would never exist); the token an unknown lab was refused
/// with still works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_final_refusal_says_nothing_was_stored() {
    let store = Store::sqlite("final-refusal");
    let r = start(&store).await;
    let cast = set_up(&r).await;
    let mut issuer_saw = Vec::new();
    let keys = keys(&r).await;
    let spent = token(&r, &cast.issuer, &mut issuer_saw).await;
    submit(&r, spent.clone(), &text("first"), &ReceiptCode::generate()).await;
    let fresh = token(&r, &cast.issuer, &mut issuer_saw).await;
    for (lab, token, expected) in [
        ("lab-a", spent, "already spent"),
        ("lab-zz", fresh.clone(), "lab-zz"),
    ] {
        let before = store.dump().await;
        let refused = channel::submit_report(
            &r.client,
            &keys,
            lab,
            token,
            &text("again"),
            &ReceiptCode::generate(),
        )
        .await;
        let Err(error @ ChannelClientError::Refused(_)) = refused else {
            panic!("{lab}: expected a final refusal, got {refused:?}");
        };
        let why = error.to_string();
        assert!(
            why.contains("stored nothing") && why.contains(expected),
            "{why}"
        );
        assert_eq!(store.dump().await, before);
    }
    submit(&r, fresh, &text("fixed"), &ReceiptCode::generate()).await;
    r.shutdown().await;
}

/// A monitor reads only reports their log entry backs: rows the registry
/// relabels, swaps, redates or invents are refused with the reason, and
/// the genuine ones still read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monitors_refuse_reports_the_log_does_not_back() {
    let store = Store::sqlite("unbacked");
    let r = start(&store).await;
    let cast = set_up(&r).await;
    let mut issuer_saw = Vec::new();
    let mut commitments = Vec::new();
    let first_code = ReceiptCode::generate();
    for said in ["first", "second"] {
        let token = token(&r, &cast.issuer, &mut issuer_saw).await;
        let code = if said == "first" {
            first_code.clone()
        } else {
            ReceiptCode::generate()
        };
        let (submitted, _) = submit(&r, token, &text(said), &code).await;
        commitments.push(submitted.report_commitment);
    }
    let [first, second] = &commitments[..] else {
        unreachable!()
    };
    let keys = keys(&r).await;
    let (mon_a, secret_a) = &cast.monitors[0];
    let read = |commitment: String| {
        let keys = &keys;
        let client = r.client.clone();
        async move { channel::read(&client, keys, mon_a, secret_a, &commitment).await }
    };
    let refused = |result: Result<channel::ReadReport, ChannelClientError>| match result {
        Err(error @ ChannelClientError::NotAsLogged(_)) => error.to_string(),
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert_eq!(read(first.clone()).await.unwrap().report.text, "first");

    // A registry that hides the index cannot skip the reporter's check:
    // the report is then shown as not logged, its lab the registry's word,
    // and a swapped envelope is still refused.
    let (real, _, _) = channel::inbox(&r.client, &keys, &first_code).await.unwrap();
    // The second report's envelope, as a monitor is served it.
    let second_view = read(second.clone()).await.unwrap().view;
    for (envelope, expected) in [
        (&real.envelope, None),
        (&second_view.envelope, Some("not to its commitment")),
    ] {
        let mut shown = serde_json::to_value(&real).unwrap();
        shown["log_index"] = Value::Null;
        shown["lab"] = "lab-b".into();
        shown["envelope"] = envelope.as_str().into();
        let (liar, task) = lying_inbox(shown).await;
        let inbox = channel::inbox(&liar, &keys, &first_code).await;
        match expected {
            None => {
                let (view, backing, _) = inbox.unwrap();
                assert_eq!(
                    (view.lab.as_str(), backing),
                    ("lab-b", channel::Backing::Pending)
                );
                assert!(backing.to_string().contains("registry's word"), "{backing}");
            }
            Some(expected) => {
                let why = refused(inbox.map(|_| unreachable!("shown to the reporter")));
                assert!(why.contains(expected), "{why}");
            }
        }
        task.abort();
    }

    let day = store_value(&store, first, "arrival_day").await;
    let tampered = [
        (
            format!("UPDATE channel_reports SET lab = 'lab-b' WHERE commitment = '{first}'"),
            format!("UPDATE channel_reports SET lab = 'lab-a' WHERE commitment = '{first}'"),
            "for a report on lab-a, not on lab-b",
        ),
        (
            format!(
                "UPDATE channel_reports SET arrival_day = '2020-01-01' WHERE commitment = '{first}'"
            ),
            format!(
                "UPDATE channel_reports SET arrival_day = '{day}' WHERE commitment = '{first}'"
            ),
            "shown as arrived on 2020-01-01",
        ),
        (
            format!(
                "UPDATE channel_reports SET envelope = (SELECT envelope FROM channel_reports WHERE commitment = '{second}') WHERE commitment = '{first}'"
            ),
            String::new(),
            "not to its commitment",
        ),
    ];
    for (tamper, restore, expected) in tampered {
        store.tamper(&tamper).await;
        let why = refused(read(first.clone()).await);
        assert!(why.contains(expected), "{why}");
        // The reporter's inbox shows it no more than the monitors' does.
        let inbox = channel::inbox(&r.client, &keys, &first_code).await;
        let why = refused(inbox.map(|_| unreachable!("shown to the reporter")));
        assert!(why.contains(expected), "{why}");
        if !restore.is_empty() {
            store.tamper(&restore).await;
        }
    }
    // The swapped envelope opens (it is a genuine report, the second's)
    // but is not the first's; the second still reads.
    assert_eq!(read(second.clone()).await.unwrap().report.text, "second");

    // A row invented at the index of the first registration: sealed to
    // the monitors, so it opens, but the log holds no receipt for it.
    let monitors = keys.monitors().unwrap();
    let recipients: Vec<(&str, &accord_channel::RecipientKey)> =
        monitors.iter().map(|(id, k)| (id.as_str(), k)).collect();
    let invented = Envelope::seal(&recipients, &text("invented").to_bytes().unwrap()).unwrap();
    let commitment = {
        use sha2::Digest as _;
        accord_registry::wire::hex(&sha2::Sha256::digest(&invented))
    };
    store
        .tamper(&format!(
            "INSERT INTO channel_reports VALUES ('{commitment}', 1, 1, 'lab-a', '{day}', 'invented', 'k', x'{}')",
            accord_registry::wire::hex(&invented)
        ))
        .await;
    let listed = channel::reports(&r.client, mon_a, 0).await.unwrap();
    assert!(
        listed
            .reports
            .iter()
            .any(|l| l.report_commitment == commitment)
    );
    let why = refused(read(commitment).await);
    assert!(
        why.contains("log entry 1")
            && why.contains("a register event, not a whistleblower receipt"),
        "{why}"
    );
    r.shutdown().await;
}

/// One column of a stored report, as text.
async fn store_value(store: &Store, commitment: &str, column: &str) -> String {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", store.db))
        .await
        .unwrap();
    let value: String = sqlx::query_scalar(&format!(
        "SELECT {column} FROM channel_reports WHERE commitment = $1"
    ))
    .bind(commitment)
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    value
}

/// Honest reporters submitting at once all get through: a report with a
/// verified token waits for its Argon2id turn rather than being refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_reports_all_get_through() {
    let store = Store::sqlite("concurrent");
    let r = start(&store).await;
    let cast = set_up(&r).await;
    let mut issuer_saw = Vec::new();
    let keys = std::sync::Arc::new(keys(&r).await);
    let mut tasks = Vec::new();
    for i in 0..accord_registry::http::MAX_REPORT_UPLOADS {
        let token = token(&r, &cast.issuer, &mut issuer_saw).await;
        let (client, keys) = (r.client.clone(), keys.clone());
        tasks.push(tokio::spawn(async move {
            let content = text(&format!("report {i}"));
            let code = ReceiptCode::generate();
            channel::submit_report(&client, &keys, "lab-a", token, &content, &code).await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    r.shutdown().await;
}

/// A submission the registry turns away before storing anything (here:
/// every upload slot taken) says so, and the same token then works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_registry_says_nothing_was_stored() {
    use tokio::io::AsyncWriteExt as _;
    let store = Store::sqlite("busy");
    let r = start(&store).await;
    let cast = set_up(&r).await;
    let mut issuer_saw = Vec::new();
    let keys = keys(&r).await;
    let token = token(&r, &cast.issuer, &mut issuer_saw).await;
    // Uploads that never finish hold every upload slot.
    let address = r.served.url.trim_start_matches("http://").to_string();
    let mut slow = Vec::new();
    for _ in 0..accord_registry::http::MAX_REPORT_UPLOADS {
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        stream
            .write_all(
                b"POST /v1/channel/reports HTTP/1.1\r\nhost: registry\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{",
            )
            .await
            .unwrap();
        slow.push(stream);
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let before = store.dump().await;
    let busy = channel::submit_report(
        &r.client,
        &keys,
        "lab-a",
        token.clone(),
        &text("report"),
        &ReceiptCode::generate(),
    )
    .await;
    let Err(error @ ChannelClientError::NotStored(_)) = busy else {
        panic!("expected nothing stored, got {busy:?}");
    };
    let why = error.to_string();
    assert!(
        why.contains("stored nothing") && why.contains("again with the same token"),
        "{why}"
    );
    assert_eq!(store.dump().await, before);
    drop(slow);
    let mut attempts = 0;
    let submitted = loop {
        match channel::submit_report(
            &r.client,
            &keys,
            "lab-a",
            token.clone(),
            &text("report"),
            &ReceiptCode::generate(),
        )
        .await
        {
            Err(ChannelClientError::NotStored(_)) if attempts < 50 => {
                attempts += 1;
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            other => break other.unwrap(),
        }
    };
    assert_eq!(submitted.lab, "lab-a");
    r.shutdown().await;
}
