// Verifies a registry page in the reader's browser, trusting nothing the
// server says without proof:
//
//  1. the checkpoint is signed by the registry's Ed25519 key (C2SP signed
//     note, checked with WebCrypto), and that key is the one this browser
//     saw here before (trust on first use, kept in local storage);
//  2. the checkpoint extends the last one this browser saw here (RFC 9162
//     consistency proof, §2.1.4.2);
//  3. every log entry the page cites is in that checkpoint's tree (RFC 9162
//     inclusion proof, §2.1.3.2);
//  4. each entry says what the page shows beside it (for a score: the
//     rater's answers, scored again here with the index's definition).
//
// The same functions run under Node for the tests (`web-tests/`), on the
// transparency-dev vectors and against the Rust verifier's verdicts.

const SIGNATURE_PREFIX = "\u2014 ";
const EVENT_HEADER = "accord-registry/event/v1";
const TLOG_PROOF_HEADER = "c2sp.org/tlog-proof@v1";
const GPA_MAX = 4.3;
const LETTER_GRADES = {
  "A+": 4.3, A: 4.0, "A-": 3.7, "B+": 3.3, B: 3.0, "B-": 2.7, "C+": 2.3, C: 2.0,
  "C-": 1.7, "D+": 1.3, D: 1.0, "D-": 0.7, F: 0.0,
};

const encoder = new TextEncoder();

/**
 * Why this browser cannot verify at all (no WebCrypto outside a secure
 * context, no Ed25519): not a failed check, and never shown as one.
 */
export class CannotVerify extends Error {}

export function base64Decode(text) {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new Error(`not base64: ${JSON.stringify(text.slice(0, 40))}`);
  }
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function equal(a, b) {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** WebCrypto, or why this page cannot have it. */
function subtle() {
  if (globalThis.crypto?.subtle) return crypto.subtle;
  if (globalThis.isSecureContext === false) {
    throw new CannotVerify(
      "this page was loaded over plain HTTP from another machine, and browsers offer the cryptography "
      + "verification needs only to secure pages: open it over HTTPS (or on localhost). Nothing was checked, so nothing failed.",
    );
  }
  throw new CannotVerify("this browser has no WebCrypto, which verification needs. Nothing was checked, so nothing failed.");
}

async function sha256(bytes) {
  return new Uint8Array(await subtle().digest("SHA-256", bytes));
}

/** RFC 9162 leaf hash: SHA-256(0x00 || entry). */
export async function leafHash(entry) {
  return sha256(concat(Uint8Array.of(0), entry));
}

async function nodeHash(left, right) {
  return sha256(concat(Uint8Array.of(1), left, right));
}

function checkHash(hash, what) {
  if (!(hash instanceof Uint8Array) || hash.length !== 32) {
    throw new Error(`${what} is not a 32-byte hash`);
  }
}

/** RFC 9162 §2.1.3.2: the root an inclusion proof leads to; throws if malformed. */
export async function rootFromInclusion(index, size, leaf, proof) {
  let fn = BigInt(index);
  let sn = BigInt(size) - 1n;
  if (fn > sn) throw new Error(`index ${index} is beyond the tree of size ${size}`);
  checkHash(leaf, "the leaf");
  let r = leaf;
  for (const p of proof) {
    checkHash(p, "a proof hash");
    if (sn === 0n) throw new Error("the inclusion proof is too long");
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw new Error("the inclusion proof is too short");
  return r;
}

/** Whether `proof` proves `leaf` at `index` in the tree of `size` with `root`. */
export async function verifyInclusion(index, size, leaf, proof, root) {
  checkHash(root, "the root");
  const computed = await rootFromInclusion(index, size, leaf, proof);
  if (!equal(computed, root)) throw new Error(`entry ${index} is not in the tree of size ${size}`);
}

/** RFC 9162 §2.1.4.2: throws unless the tree (size2, root2) extends (size1, root1). */
export async function verifyConsistency(size1, size2, proof, root1, root2) {
  let first = BigInt(size1);
  const second = BigInt(size2);
  if (first > second) throw new Error(`the log shrank from ${size1} to ${size2} entries`);
  if (first === 0n) throw new Error("a consistency proof from the empty tree proves nothing");
  if (first === second) {
    if (proof.length !== 0) throw new Error("a consistency proof between equal sizes must be empty");
    if (!equal(root1, root2)) throw new Error(`two different trees of size ${size1}`);
    return;
  }
  checkHash(root1, "the old root");
  checkHash(root2, "the new root");
  if (proof.length === 0) throw new Error("the consistency proof is empty");
  proof.forEach((p) => checkHash(p, "a proof hash"));
  const path = (first & (first - 1n)) === 0n ? [root1, ...proof] : [...proof];
  let fn = first - 1n;
  let sn = second - 1n;
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0n) throw new Error("the consistency proof is too long");
    if ((fn & 1n) === 1n || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n || !equal(fr, root1) || !equal(sr, root2)) {
    throw new Error(`the tree of size ${size2} does not extend the one of size ${size1}`);
  }
}

/** A C2SP verifier key `name+hash+base64(0x01 || key)`. */
export async function parseVerifierKey(vkey) {
  // The key's base64 may itself hold "+".
  const parts = vkey.match(/^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/);
  if (!parts) throw new Error("the registry key is not a verifier key");
  const [, name, hashHex, encoded] = parts;
  const raw = base64Decode(encoded);
  if (raw.length !== 33 || raw[0] !== 1) throw new Error("the registry key is not an Ed25519 verifier key");
  const keyHash = (await sha256(concat(encoder.encode(`${name}\n`), raw))).slice(0, 4);
  const expected = Array.from(keyHash, (b) => b.toString(16).padStart(2, "0")).join("");
  if (expected !== hashHex) throw new Error("the registry key's hash does not match the key");
  let key;
  try {
    key = await subtle().importKey("raw", raw.slice(1), { name: "Ed25519" }, false, ["verify"]);
  } catch (error) {
    // The key was checked above: a refusal here is the browser's.
    if (error instanceof CannotVerify || error?.name !== "NotSupportedError") throw error;
    throw new CannotVerify(
      "this browser's WebCrypto has no Ed25519 signatures, which the log's checkpoints carry: "
      + "use a current browser (Chrome 137, Firefox 129, Safari 17 or later). Nothing was checked, so nothing failed.",
    );
  }
  return { name, keyHash, key };
}

/** Splits a signed note into its text and signature lines. */
export function parseNote(note) {
  const split = note.lastIndexOf("\n\n");
  if (split < 0 || !note.endsWith("\n")) throw new Error("not a signed note");
  const text = note.slice(0, split + 1);
  const signatures = note
    .slice(split + 2, -1)
    .split("\n")
    .map((line) => {
      if (!line.startsWith(SIGNATURE_PREFIX)) throw new Error("malformed signature line");
      const [name, encoded] = line.slice(SIGNATURE_PREFIX.length).split(" ");
      return { name, bytes: base64Decode(encoded) };
    });
  return { text, signatures };
}

/**
 * Throws unless `note` carries a valid signature by `verifier`. As signed
 * notes require, every signature with the key's name and key ID is
 * checked (one of the wrong length fails); others are ignored.
 */
export async function verifyNote(note, verifier) {
  const { text, signatures } = parseNote(note);
  const known = signatures.filter(
    (s) => s.name === verifier.name && s.bytes.length >= 4 && equal(s.bytes.slice(0, 4), verifier.keyHash),
  );
  if (known.length === 0) throw new Error(`the checkpoint carries no signature by ${verifier.name}`);
  for (const signature of known) {
    const valid = signature.bytes.length === 68
      && await subtle().verify({ name: "Ed25519" }, verifier.key, signature.bytes.slice(4), encoder.encode(text));
    if (!valid) throw new Error("the checkpoint's signature is invalid");
  }
  return text;
}

/** A checkpoint note, its signature checked: `{ origin, size, root, note }`. */
export async function openCheckpoint(note, verifier) {
  const text = await verifyNote(note, verifier);
  const [origin, size, root] = text.split("\n");
  if (origin !== verifier.name) throw new Error(`the checkpoint is for ${origin}, not ${verifier.name}`);
  if (!/^(0|[1-9]\d*)$/.test(size)) throw new Error("the checkpoint's size is not a decimal number without leading zeros");
  return { origin, size: BigInt(size), root: base64Decode(root), note };
}

/** A c2sp.org/tlog-proof bundle: `{ index, proof, checkpoint }`. */
export function parseTlogProof(text) {
  const split = text.indexOf("\n\n");
  if (split < 0) throw new Error("not a tlog-proof");
  const lines = text.slice(0, split).split("\n");
  if (lines.shift() !== TLOG_PROOF_HEADER) throw new Error("not a tlog-proof");
  if (lines[0]?.startsWith("extra ")) lines.shift();
  const index = lines.shift()?.match(/^index (\d+)$/)?.[1];
  if (index === undefined) throw new Error("the tlog-proof has no index");
  return { index: BigInt(index), proof: lines.map(base64Decode), checkpoint: text.slice(split + 2) };
}

/** The event a log entry holds (its JSON line). */
export function eventOf(entryText) {
  const { text } = parseNote(entryText);
  const lines = text.split("\n");
  if (lines[0] !== EVENT_HEADER) throw new Error("the entry is not an event");
  return JSON.parse(lines[1]);
}

const TRISTATE = new Map([["fulfilled", 1], ["partial", 0.5], ["unfulfilled", 0]]);
const GRADE_POINTS = new Map(Object.entries(LETTER_GRADES));

/** v_i of an answer, as the core values it (`crate::ratings`). */
export function answerValue(indicator, answer) {
  const kind = indicator.answer ?? "binary";
  if (kind === "binary" && (answer === 0 || answer === 1 || typeof answer === "boolean")) return Number(answer);
  if (kind === "tristate" && TRISTATE.has(answer)) return TRISTATE.get(answer);
  if (kind === "graded" && typeof answer === "number" && answer >= 0 && answer <= indicator.max_points) {
    return answer / indicator.max_points;
  }
  if (kind === "letter" && typeof answer === "string") {
    const letter = answer.replaceAll("\u2212", "-");
    if (GRADE_POINTS.has(letter)) return GRADE_POINTS.get(letter) / GPA_MAX;
  }
  throw new Error(`indicator ${indicator.id}: ${JSON.stringify(answer)} is not a ${kind} answer`);
}

/**
 * An assessment's score and its domain shares S_d (`null` where no indicator
 * of the domain is in force), by the index's score function (`crate::ratings`).
 */
export function scoreParts(index, edition, answers) {
  const inForce = index.indicators.filter((i) => !i.editions?.length || i.editions.includes(edition));
  const weighted = new Map(index.domains.map((d) => [d.id, 0]));
  const weights = new Map(index.domains.map((d) => [d.id, 0]));
  for (const indicator of inForce) {
    if (!Object.hasOwn(answers, indicator.id)) throw new Error(`the entry has no answer for ${indicator.id}`);
    const w = indicator.weight ?? 1;
    weighted.set(indicator.domain, weighted.get(indicator.domain) + w * answerValue(indicator, answers[indicator.id]));
    weights.set(indicator.domain, weights.get(indicator.domain) + w);
  }
  if (Object.keys(answers).length !== inForce.length) throw new Error("the entry answers indicators not in force");
  const domains = new Map(index.domains.map((d) => [d.id, weights.get(d.id) > 0 ? weighted.get(d.id) / weights.get(d.id) : null]));
  if ((index.aggregate ?? "mean") === "points") {
    const total = index.domains.reduce((sum, d) => sum + (d.weight ?? 1) * weighted.get(d.id), 0);
    return { total, domains, inForce };
  }
  let sum = 0;
  let weight = 0;
  for (const d of index.domains) {
    if (domains.get(d.id) !== null) {
      sum += (d.weight ?? 1) * domains.get(d.id);
      weight += d.weight ?? 1;
    }
  }
  return { total: weight > 0 ? ((index.scale ?? 1) * sum) / weight : 0, domains, inForce };
}

/** The score of an assessment. */
export function scoreOf(index, edition, answers) {
  return scoreParts(index, edition, answers).total;
}

/** A number as the pages print it: two decimals at most, halves up, no trailing zeros. */
export function formatNumber(value) {
  return (Math.round(value * 100) / 100).toFixed(2).replace(/0+$/, "").replace(/\.$/, "");
}

/** The highest letter whose grade point `gpa` reaches (`crate::ratings::letter_for`). */
function letterFor(gpa) {
  for (const [letter, point] of GRADE_POINTS) if (gpa + 1e-9 >= point) return letter;
  return "F";
}

/** The fields a claim about each kind of entry must state. */
const CLAIM_FIELDS = {
  assess: ["type", "author", "index", "edition", "lab", "score"],
  publish_commitment: ["type", "author", "commitment", "text", "binding", "revises"],
  withdraw_commitment: ["type", "author", "commitment", "reason"],
  pledge: ["type", "author", "pact"],
  withdraw_pledge: ["type", "author", "pact"],
  leave: ["type", "author", "reason"],
};

/** Throws unless the event says what the page claims beside it. */
export function checkClaim(event, claim, index) {
  const required = CLAIM_FIELDS[claim.type];
  if (!Object.hasOwn(CLAIM_FIELDS, claim.type)) {
    throw new Error(`the page claims an entry of unknown type ${JSON.stringify(claim.type)}`);
  }
  for (const field of required) {
    if (!Object.hasOwn(claim, field)) throw new Error(`the page's claim leaves out ${field}`);
  }
  for (const [field, value] of Object.entries(claim)) {
    if (field === "score") continue;
    if (JSON.stringify(event[field] ?? null) !== JSON.stringify(value)) {
      throw new Error(`the entry's ${field} is ${JSON.stringify(event[field] ?? null)}, the page says ${JSON.stringify(value)}`);
    }
  }
  if (claim.type === "assess") {
    if (!index || index.id !== event.index) throw new Error("the page's index definition is not the entry's index");
    const score = scoreOf(index, event.edition, event.answers);
    if (!(typeof claim.score === "number" && Math.abs(score - claim.score) <= 1e-9 * Math.max(1, Math.abs(score)))) {
      throw new Error(`the entry's answers score ${score}, the page shows ${claim.score}`);
    }
  }
}

/**
 * A participant's text as the page's DOM holds it: the server writes
 * carriage returns so the HTML parser keeps them, but no HTML can carry
 * NUL, which the page shows as U+FFFD (`pages::Shown`). Only NUL changes,
 * and only into a character the page would show for it anyway.
 */
function asShown(text) {
  return text.replaceAll("\0", "\uFFFD");
}

/** The rendered text of the first element matching `selector` under `root`. */
function shown(root, selector) {
  const element = root.querySelector(selector);
  if (!element) throw new Error(`the page has no ${selector} where it should`);
  return element.innerText.trim();
}

/** What a history row says the event did, rebuilt from the entry (`pages::commitments::describe`). */
function described(event, diffShown) {
  switch (event.type) {
    case "publish_commitment": {
      const binding = event.binding ? " (binding)" : "";
      return event.revises != null
        ? `Revised ${event.revises} as ${event.commitment}${binding}: ${diffShown ?? event.text}`
        : `Published ${event.commitment}${binding}: ${event.text}`;
    }
    case "withdraw_commitment":
      return `Withdrew ${event.commitment}${event.reason ? `: ${event.reason}` : ""}`;
    case "pledge":
      return `Pledged to ${event.pact}`;
    case "withdraw_pledge":
      return `Asked to withdraw its pledge to ${event.pact}`;
    case "leave":
      return `Left the protocol${event.reason ? `: ${event.reason}` : ""}`;
    default:
      return event.type;
  }
}

/** Throws unless what the element shows is what its entry says. */
export function checkShown(element, claim, event, index) {
  const mismatch = (what) => new Error(`the page shows another ${what} than its entry`);
  const link = element.querySelector('a[href^="/v1/log/entries/"]');
  if (link && link.getAttribute("href") !== `/v1/log/entries/${element.dataset.entry}`) throw mismatch("entry link");
  if (claim.type === "assess") {
    const parts = scoreParts(index, event.edition, event.answers);
    const grade = index.letter_grades ? ` (${letterFor(parts.total)})` : "";
    if (shown(element, ".score") !== formatNumber(parts.total) + grade) throw mismatch("score");
    const lab = element.querySelector(".lab");
    if (lab && lab.innerText.trim() !== event.lab) throw mismatch("developer");
    const rater = element.querySelector(".rater");
    if (rater && rater.innerText.trim() !== event.author) throw mismatch("rater");
    const share = (d) => (parts.domains.get(d) === null ? "—" : `${formatNumber(parts.domains.get(d) * 100)}%`);
    for (const cell of element.querySelectorAll(".domain[data-domain]")) {
      if (!parts.domains.has(cell.dataset.domain) || shown(cell, ".share") !== share(cell.dataset.domain)) {
        throw mismatch(`share of ${cell.dataset.domain}`);
      }
    }
    return parts;
  }
  const what = element.querySelector(".what");
  if (!what) throw mismatch("event");
  // The text is compared exactly as the DOM holds it; the browser's
  // rendering (innerText) only lays out white space its own way, so it
  // must show the same characters, none hidden.
  const visible = (text) => text.replace(/\s+/g, "");
  if (visible(what.innerText) !== visible(what.textContent)) throw mismatch("event");
  let diffShown;
  const diff = what.querySelector(".diff");
  if (diff) {
    const revised = diff.cloneNode(true);
    revised.querySelectorAll("del").forEach((d) => d.remove());
    if (revised.textContent !== asShown(event.text)) throw mismatch("revised text");
    diffShown = diff.textContent;
  }
  if (what.textContent !== asShown(described(event, diffShown))) throw mismatch("event");
  return null;
}

/** Throws unless an evidence page shows exactly the entry's indicators and domain shares. */
function checkEvidence(parts, event, index) {
  const mismatch = (what) => new Error(`the page shows another ${what} than its entry`);
  const rows = [...document.querySelectorAll("#indicators tbody tr")];
  if (rows.length !== parts.inForce.length) throw mismatch("number of indicators");
  rows.forEach((row, i) => {
    const indicator = parts.inForce[i];
    if (row.dataset.indicator !== indicator.id || shown(row, ".title") !== indicator.title) {
      throw mismatch(`indicator in row ${i + 1}`);
    }
    if (shown(row, ".value") !== formatNumber(answerValue(indicator, event.answers[indicator.id]))) {
      throw mismatch(`value of ${indicator.id}`);
    }
  });
  const domains = [...document.querySelectorAll("#domains tbody tr")];
  const expected = index.domains.filter((d) => parts.domains.get(d.id) !== null);
  if (domains.length !== expected.length) throw mismatch("domains");
  domains.forEach((row, i) => {
    if (row.dataset.domain !== expected[i].id
      || shown(row, ".share") !== `${formatNumber(parts.domains.get(expected[i].id) * 100)}%`) {
      throw mismatch(`share of ${expected[i].id}`);
    }
  });
}

/**
 * What this kind of page must cite, from its own address (which the server
 * cannot change): every score row, the one assessment, every history row,
 * each claiming the index, edition, lab or participant the address names.
 */
function checkCoverage(cited) {
  const segments = location.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const claims = cited.map((element) => JSON.parse(element.dataset.claim));
  const all = (selector) => [...document.querySelectorAll(selector)];
  const uncited = (selector) => all(selector).some((element) => element.dataset.claim === undefined);
  if (segments[0] === "leaderboard" && segments.length === 2) {
    if (uncited("#scores tbody tr")) throw new Error("a score on this page cites no log entry");
    const edition = new URLSearchParams(location.search).get("edition");
    const editions = new Set(claims.map((c) => c.edition));
    if (claims.some((c) => c.index !== segments[1]) || editions.size > 1
      || (edition !== null && claims.some((c) => c.edition !== edition))) {
      throw new Error("the scores cite another index or edition than the page's");
    }
    const caption = document.querySelector("#scores caption")?.innerText ?? "";
    if (editions.size === 1 && !caption.startsWith(`Edition ${[...editions][0]}:`)) {
      throw new Error("the table names another edition than its scores");
    }
  } else if (segments[0] === "leaderboard" && segments.length === 4) {
    const [, index, edition, lab] = segments;
    if (cited.length !== 1 || cited[0].id !== "assessment"
      || claims[0].index !== index || claims[0].edition !== edition || claims[0].lab !== lab) {
      throw new Error("the page does not cite the assessment its address names");
    }
  } else if (segments[0] === "commitments" && segments.length === 2) {
    if (uncited("ol.history > li")) throw new Error("a history row cites no log entry");
    if (claims.some((c) => c.author !== segments[1])) throw new Error("a history row is another participant's");
  }
}

// ---- The page's verify control -------------------------------------------

async function fetchText(url) {
  const response = await fetch(url, { cache: "no-store" });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.text();
}

/** Browser storage (one per site): the registry key and the last checkpoint seen. */
const STORE_KEY = "accord:last-checkpoint";

async function verifyPage(report) {
  const body = document.body;
  const seen = JSON.parse(localStorage.getItem(STORE_KEY) ?? "null");
  const vkey = body.dataset.vkey;
  if (seen && seen.vkey !== vkey) {
    throw new Error(`the registry's key changed since this browser last saw it (was ${seen.vkey})`);
  }
  const verifier = await parseVerifierKey(vkey);
  if (body.dataset.origin !== verifier.name) throw new Error("the page names another log than its key");
  let checkpoint = await openCheckpoint(await fetchText("/checkpoint"), verifier);
  report(`checkpoint of size ${checkpoint.size} is signed by ${verifier.name}`);
  if (checkpoint.size < BigInt(body.dataset.logSize)) {
    throw new Error(`the checkpoint (size ${checkpoint.size}) is older than the page (size ${body.dataset.logSize})`);
  }
  const extend = async (older, newer) => {
    const proof = older.size < newer.size
      ? (await fetchText(`/v1/log/consistency?old=${older.size}&new=${newer.size}`)).split("\n").filter(Boolean).map(base64Decode)
      : [];
    await verifyConsistency(older.size, newer.size, proof, older.root, newer.root);
  };
  const firstVisit = !(seen && BigInt(seen.size) > 0n);
  if (!firstVisit) {
    await extend({ size: BigInt(seen.size), root: base64Decode(seen.root) }, checkpoint);
    report(`it extends the checkpoint of size ${seen.size} this browser saw before`);
  }
  const definition = document.getElementById("index-definition");
  const index = definition ? JSON.parse(definition.textContent) : null;
  const cited = [...document.querySelectorAll("[data-claim]")];
  checkCoverage(cited);
  let failures = 0;
  for (const element of cited) {
    try {
      if (element.dataset.entry === undefined) throw new Error("the page cites no log entry for what it shows");
      const entryIndex = BigInt(element.dataset.entry);
      const entryText = await fetchText(`/v1/log/entries/${entryIndex}`);
      const bundle = parseTlogProof(await fetchText(`/v1/log/proof/${entryIndex}`));
      if (bundle.index !== entryIndex) throw new Error(`the proof is for entry ${bundle.index}`);
      let proved = await openCheckpoint(bundle.checkpoint, verifier);
      if (proved.size !== checkpoint.size || !equal(proved.root, checkpoint.root)) {
        // The log grew while this page was being checked: the newer
        // checkpoint must extend the one checked so far.
        if (proved.size < checkpoint.size) throw new Error("the proof is against an older checkpoint than the page's");
        await extend(checkpoint, proved);
        checkpoint = proved;
      }
      await verifyInclusion(entryIndex, proved.size, await leafHash(encoder.encode(entryText)), bundle.proof, proved.root);
      const claim = JSON.parse(element.dataset.claim);
      const event = eventOf(entryText);
      checkClaim(event, claim, index);
      const parts = checkShown(element, claim, event, index);
      if (element.id === "assessment") checkEvidence(parts, event, index);
      element.dataset.verify = "ok";
    } catch (error) {
      failures += 1;
      element.dataset.verify = "failed";
      report(`entry #${element.dataset.entry ?? "?"}: ${error.message}`, true);
    }
  }
  if (failures > 0) throw new Error(`${failures} of ${cited.length} cited entries failed`);
  report(cited.length > 0
    ? `${cited.length} cited entries are in the log and say what the page shows`
    : "this page cites no log entry: only the checkpoint was checked");
  localStorage.setItem(STORE_KEY, JSON.stringify({
    vkey, size: checkpoint.size.toString(), root: btoa(String.fromCharCode(...checkpoint.root)),
  }));
  if (firstVisit) report("first visit: this browser now remembers the key and checkpoint");
}

if (typeof document !== "undefined") {
  document.addEventListener("DOMContentLoaded", () => {
    const button = document.getElementById("verify-button");
    const status = document.getElementById("verify-status");
    const details = document.getElementById("verify-details");
    if (!button) return;
    button.addEventListener("click", async () => {
      button.disabled = true;
      document.body.classList.remove("verified", "verify-failed", "verify-unavailable");
      details.replaceChildren();
      status.textContent = "Verifying…";
      const report = (text, failed = false) => {
        const item = document.createElement("li");
        item.textContent = text;
        if (failed) item.className = "failed";
        details.append(item);
      };
      try {
        // One check at a time per site, so two tabs cannot both advance the
        // remembered checkpoint along different forks.
        if (navigator.locks) await navigator.locks.request(STORE_KEY, () => verifyPage(report));
        else await verifyPage(report);
        document.body.classList.add("verified");
        status.textContent = "Verified: everything this page cites is in the registry's signed log.";
      } catch (error) {
        if (error instanceof CannotVerify) {
          report(error.message);
          document.body.classList.add("verify-unavailable");
          status.textContent = `Cannot verify in this browser: ${error.message}`;
        } else {
          report(error.message, true);
          document.body.classList.add("verify-failed");
          status.textContent = `Verification failed: ${error.message}`;
        }
      } finally {
        button.disabled = false;
      }
    });
  });
}
