//! The public pages over HTTP on loopback, as the server renders them:
//! what a withdrawal did under the protocol, participants' texts as the
//! browser's DOM will hold them, history numbering beyond the events kept,
//! links only to pages the registry has, and caching headers. (What only a
//! browser shows is tested in `web-tests/`.)

mod common;

use accord_core::{Event, EventBody, Role};
use accord_log::Ed25519Signer;
use accord_registry::wire::hex;
use accord_registry::{Registry, RegistryConfig, SignedEvent};
use common::{Served, Store, key, serve};
use std::collections::HashMap;

const PROTOCOL: &str = include_str!("../../../examples/protocols/global-protocol.toml");
const PACT: &str = "frontier-safety-pact";

/// A registry without witnesses (its pages show the latest log) and the
/// next sequence number of each author.
struct Pages {
    served: Served,
    signers: HashMap<&'static str, Ed25519Signer>,
    seqs: HashMap<&'static str, u64>,
}

impl Pages {
    /// Secretariat `secretariat`, labs `lab-a`, `lab-b`, `lab-c`.
    async fn start(name: &str) -> Self {
        let store = Store::sqlite(name);
        let registry = Registry::open(RegistryConfig {
            db: store.db.clone(),
            key_file: store.dir.join("registry.key"),
            origin: "pages.test/log".into(),
            protocol: PROTOCOL.into(),
            secretariat_key: Some(key("secretariat", 1).verifier().public_key()),
            witnesses: None,
            channel: None,
        })
        .await
        .unwrap();
        let mut pages = Self {
            served: serve(registry, 64).await,
            signers: HashMap::new(),
            seqs: HashMap::new(),
        };
        for (seed, id) in ["secretariat", "lab-a", "lab-b", "lab-c"]
            .into_iter()
            .enumerate()
        {
            let signer = key(id, seed as u8 + 1);
            let role = if id == "secretariat" {
                Role::Secretariat
            } else {
                Role::Lab
            };
            let public_key = hex(&signer.verifier().public_key());
            pages.signers.insert(id, signer);
            pages
                .submit(
                    "secretariat",
                    EventBody::Register {
                        participant: id.into(),
                        role,
                        public_key,
                    },
                )
                .await;
        }
        pages
    }

    async fn submit(&mut self, author: &'static str, body: EventBody) {
        let seq = self.seqs.entry(author).or_default();
        *seq += 1;
        let event = Event::new(author, *seq, 0, body);
        let signed = SignedEvent::sign(event, &self.signers[author]).unwrap();
        self.served.client.submit(&signed).await.unwrap();
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        let response = reqwest::get(format!("{}{path}", self.served.url))
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        response
    }

    async fn page(&self, path: &str) -> String {
        self.get(path).await.text().await.unwrap()
    }
}

fn publish(commitment: &str, text: &str, binding: bool) -> EventBody {
    EventBody::PublishCommitment {
        commitment: commitment.into(),
        text: text.into(),
        binding,
        beneficiary: None,
        compensation_credits: binding.then_some(10),
        revises: None,
    }
}

fn withdraw(commitment: &str) -> EventBody {
    EventBody::WithdrawCommitment {
        commitment: commitment.into(),
        reason: "changed plans".into(),
    }
}

fn pledge() -> EventBody {
    EventBody::Pledge { pact: PACT.into() }
}

fn withdraw_pledge() -> EventBody {
    EventBody::WithdrawPledge { pact: PACT.into() }
}

/// The history row of a participant page that cites log entry `entry`.
fn row(page: &str, entry: u64) -> &str {
    let start = page
        .find(&format!("<li data-entry=\"{entry}\""))
        .unwrap_or_else(|| panic!("no row for entry {entry}"));
    &page[start..start + page[start..].find("</li>").unwrap()]
}

#[tokio::test]
async fn withdrawals_show_what_they_did_under_the_protocol() {
    let mut pages = Pages::start("withdrawals").await;
    // Entries 1–4 register; lab-a's events follow from 5.
    pages
        .submit("lab-a", publish("kept", "A kept promise.", false))
        .await; // 5
    pages
        .submit("lab-a", publish("dropped", "A loose promise.", false))
        .await; // 6
    pages.submit("lab-a", withdraw("dropped")).await; // 7
    pages
        .submit("lab-a", publish("bound", "A binding promise.", true))
        .await; // 8
    pages.submit("lab-a", withdraw("bound")).await; // 9
    // Before the pact binds, a pledge can be withdrawn.
    pages.submit("lab-a", pledge()).await; // 10
    pages.submit("lab-a", withdraw_pledge()).await; // 11
    pages.submit("lab-a", pledge()).await; // 12
    pages.submit("lab-b", pledge()).await;
    pages.submit("lab-c", pledge()).await; // the pact binds
    pages.submit("lab-a", withdraw_pledge()).await; // 15

    let page = pages.page("/commitments/lab-a").await;
    let free = row(&page, 11);
    assert!(
        free.contains("Asked to withdraw its pledge to frontier-safety-pact")
            && free.contains("The pledge is withdrawn."),
        "{free}"
    );
    let breach = row(&page, 15);
    assert!(
        breach.contains("Asked to withdraw its pledge to frontier-safety-pact")
            && breach.contains("A breach: the pact binds, so the pledge stands."),
        "{breach}"
    );
    assert!(!page.contains("Withdrew its pledge"), "{page}");
    let binding = row(&page, 9);
    assert!(
        binding.contains("Withdrew bound")
            && binding.contains(
                "A breach: the commitment was binding; 10 credits of compensation are owed."
            ),
        "{binding}"
    );
    let loose = row(&page, 7);
    assert!(
        loose.contains("Withdrew dropped") && !loose.contains("breach"),
        "{loose}"
    );
    // The standing says so too.
    assert!(
        page.contains(
            "withdrawn in period 0 (a breach: it was binding; 10 credits of compensation owed): changed plans"
        ),
        "{page}"
    );
    assert!(
        page.contains("withdrawn in period 0: changed plans"),
        "{page}"
    );

    // On the index, the binding withdrawal counts as violated, the other as withdrawn.
    let index = pages.page("/commitments").await;
    let start = index.find(r#"<a href="/commitments/lab-a">"#).unwrap();
    let lab_a = &index[start..start + index[start..].find("</tr>").unwrap()];
    assert!(
        lab_a.contains("<td>1</td><td>0</td><td>1</td><td>1</td>"),
        "active, revised, withdrawn, violated: {lab_a}"
    );
    pages.served.shutdown().await;
}

#[tokio::test]
async fn participants_texts_reach_the_dom_as_logged() {
    let mut pages = Pages::start("texts").await;
    pages
        .submit("lab-a", publish("c3", "line one\r\nline two", false))
        .await;
    pages
        .submit(
            "lab-a",
            EventBody::PublishCommitment {
                commitment: "c3b".into(),
                text: "line one\r\nline two, revised".into(),
                binding: false,
                beneficiary: None,
                compensation_credits: None,
                revises: Some("c3".into()),
            },
        )
        .await;
    pages
        .submit("lab-a", publish("c4", "nul\0here", false))
        .await;
    let page = pages.page("/commitments/lab-a").await;
    // The HTML parser would read a raw carriage return as a line feed and
    // drop NUL; `&#13;` it keeps, and NUL is shown as U+FFFD.
    assert!(!page.contains('\r') && !page.contains('\0'));
    assert!(page.contains("line one&#13;\nline two"), "{page}");
    assert!(page.contains("nul\u{FFFD}here"), "{page}");
    pages.served.shutdown().await;
}

/// lab-a with 260 pledge events, the pact never binding: more than the
/// 256 its page keeps, and a log of 265 entries (genesis, 4
/// registrations): one full tile and entry bundle, then partial ones of 9.
async fn busy(name: &str) -> Pages {
    let mut pages = Pages::start(name).await;
    for _ in 0..130 {
        pages.submit("lab-a", pledge()).await;
        pages.submit("lab-a", withdraw_pledge()).await;
    }
    pages
}

#[tokio::test]
async fn history_numbers_events_by_their_place_among_all() {
    let pages = busy("numbering").await;
    let page = pages.page("/commitments/lab-a").await;
    assert!(page.contains("The latest 256 of 260 events"), "{page}");
    assert!(
        page.contains(r#"<ol class="history" reversed start="260">"#),
        "{page}"
    );
    let second = pages.page("/commitments/lab-a?page=2").await;
    assert!(
        second.contains(r#"<ol class="history" reversed start="210">"#),
        "{second}"
    );
    pages.served.shutdown().await;
}

#[tokio::test]
async fn pages_link_only_to_pages_the_registry_has() {
    let pages = Pages::start("links").await;
    // No `--evaluation`: `/evaluation` is a 404, so no page links to it.
    for path in ["/leaderboard", "/commitments", "/early-warning"] {
        let page = pages.page(path).await;
        assert!(!page.contains(r#"href="/evaluation""#), "{path}: {page}");
    }
    pages.served.shutdown().await;
}

#[tokio::test]
async fn caching_follows_tlog_tiles_and_pages_are_revalidated() {
    let pages = busy("caching").await;
    let cache = |response: &reqwest::Response| {
        response
            .headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap().to_string())
    };
    let full = "public, max-age=31536000, immutable";
    for path in ["/tile/0/000", "/tile/entries/000"] {
        assert_eq!(
            cache(&pages.get(path).await).as_deref(),
            Some(full),
            "{path}"
        );
    }
    for path in ["/tile/0/001.p/9", "/tile/entries/001.p/9"] {
        assert_eq!(
            cache(&pages.get(path).await).as_deref(),
            Some("public, max-age=60"),
            "{path}"
        );
    }
    assert_eq!(
        cache(&pages.get("/checkpoint").await).as_deref(),
        Some("no-cache")
    );
    for path in ["/commitments", "/commitments/lab-a", "/leaderboard"] {
        assert_eq!(
            cache(&pages.get(path).await).as_deref(),
            Some("no-cache"),
            "{path}"
        );
    }
    pages.served.shutdown().await;
}
