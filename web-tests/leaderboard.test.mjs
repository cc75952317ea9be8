// The leaderboard pages in a real browser (Debian's chromium, driven by
// playwright-core): each page loads from a registry on loopback holding
// the FMTI's three editions (examples/registry/leaderboard.sh), has no
// serious accessibility violation (axe-core), and verifies in the browser;
// a tampered response turns the page red with what failed. The Rust
// verifier (`accord registry audit`, `accord log verify-bundle`) gives the
// same verdicts on the same log and proofs. Screenshots go to output/.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  leafHash, openCheckpoint, parseTlogProof, parseVerifierKey, verifyInclusion,
} from "../crates/registry/assets/verify.js";
import { chromium } from "playwright-core";
import {
  ACCORD, CHROMIUM, OUTPUT, checkPages, flipProofHash, open as openIn, seriousViolations, start, tampered, verify,
} from "./browser.mjs";

let url;
let vkey;
let browser;
let stop;

// A small evaluation (seconds), shown at /evaluation.
const EVALUATION = mkdtempSync(join(tmpdir(), "accord-evaluation-"));

before(async () => {
  execFileSync(ACCORD, [
    "evaluate", "--replicates", "2", "--generations", "4", "--rationality-generations", "4",
    "--robustness", "0", "--levels", "0.5", "--out", EVALUATION,
  ], { stdio: "pipe" });
  ({ url, vkey, browser, stop } = await start("examples/registry/leaderboard.sh", ["--evaluation", EVALUATION]));
});

after(async () => {
  await stop?.();
});

const open = (path, setup) => openIn(browser, url, path, setup);

const PAGES = [
  ["leaderboard", "/leaderboard"],
  ["fmti-latest", "/leaderboard/fmti"],
  ["fmti-2023", "/leaderboard/fmti?edition=2023-10"],
  ["evidence-ibm-2025", "/leaderboard/fmti/2025-12/ibm"],
];

test("every page is accessible and verifies in the browser", async () => {
  await checkPages(browser, url, PAGES);
});

test("the pages show the published scores and work without JavaScript", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${url}/leaderboard/fmti?edition=2023-10`);
  const rows = await page.$$eval("#scores tbody tr", (trs) =>
    trs.map((tr) => [tr.querySelector("th").textContent, tr.querySelector("td.score").textContent]));
  assert.deepEqual(rows.slice(0, 3), [["meta", "54"], ["hugging-face", "53"], ["openai", "48"]]);
  assert.equal(rows.length, 10);
  // The trend charts' numbers are in a table too.
  const ibm = await page.$$eval("#trends tbody tr", (trs) => trs.length);
  assert.equal(ibm, 10);
  await page.goto(`${url}/leaderboard/fmti/2025-12/ibm`);
  assert.equal(await page.textContent("dd.score"), "95");
  assert.equal(await page.$$eval("#indicators tbody tr", (trs) => trs.length), 100);
  await context.close();
});

test("a tampered response turns the page red with what failed", async () => {
  const cases = [
    ["proof", "**/v1/log/proof/**", flipProofHash, /is not in the tree/],
    ["entry", "**/v1/log/entries/**", (entry) => entry.replace('":1.0', '":0.0'), /is not in the tree/],
    ["checkpoint", "**/checkpoint", (note) => note.replace(/\n(\d+)\n/, (_, n) => `\n${Number(n) + 1}\n`), /signature is invalid/],
    ["page", "**/leaderboard/fmti/2025-12/ibm", (html) => html.replace("&quot;score&quot;:95.0", "&quot;score&quot;:96.0"), /score 95, the page shows 96/],
    ["shown score", "**/leaderboard/fmti/2025-12/ibm", (html) => html.replace('<dd class="score">95</dd>', '<dd class="score">96</dd>'), /shows another score/],
    ["shown indicator", "**/leaderboard/fmti/2025-12/ibm", (html) => html.replace(/<td class="value">1<\/td>/, '<td class="value">0</td>'), /shows another value of/],
    ["uncited row", "**/leaderboard/fmti", (html) => html.replace(/<tr data-entry="\d+" data-claim="[^"]*">/, "<tr>"), /a score on this page cites no log entry/, "/leaderboard/fmti"],
    ["row developer", "**/leaderboard/fmti", (html) => html.replace('<th class="lab" scope="row">ibm</th>', '<th class="lab" scope="row">xai</th>'), /shows another developer/, "/leaderboard/fmti"],
    ["domain share", "**/leaderboard/fmti", (html) => html.replace('<span class="share">100%</span>', '<span class="share">10%</span>'), /shows another share of upstream/, "/leaderboard/fmti"],
    ["origin", "**/leaderboard/fmti/2025-12/ibm", (html) => html.replace('data-origin="registry.accord.example/log"', 'data-origin="elsewhere.example/log"'), /names another log/],
  ];
  for (const [name, pattern, change, expected, path = "/leaderboard/fmti/2025-12/ibm"] of cases) {
    const page = await open(path, tampered(pattern, change));
    const verdict = await verify(page);
    assert.ok(!verdict.verified, `${name}: tampering went unnoticed`);
    assert.match(verdict.details.join("\n"), expected, name);
    // A failed check remembers nothing, and does not say it did.
    assert.ok(!verdict.details.some((d) => d.startsWith("first visit")), `${name}: ${verdict.details.join("\n")}`);
    assert.deepEqual(await page.evaluate(() => Object.keys(localStorage)), [], name);
    await page.screenshot({ path: join(OUTPUT, `tampered-${name}.png`), fullPage: true });
    await page.context().close();
  }
});

test("the browser remembers the last checkpoint and the registry's key", async () => {
  const page = await open("/leaderboard/fmti");
  const first = await verify(page);
  assert.ok(first.verified);
  // Said once verification succeeded, as its last word.
  assert.match(first.details.at(-1), /^first visit: this browser now remembers/);
  assert.ok(!(await verify(page)).details.some((d) => d.startsWith("first visit")));
  const stored = await page.evaluate(() => Object.entries(localStorage));
  assert.equal(stored.length, 1);
  const [storeKey, value] = stored[0];
  const seen = JSON.parse(value);
  // A forked log: another tree of the same size.
  await page.evaluate(([k, v]) => localStorage.setItem(k, v), [storeKey, JSON.stringify({ ...seen, root: btoa("x".repeat(32)) })]);
  let verdict = await verify(page);
  assert.ok(!verdict.verified);
  assert.match(verdict.details.join("\n"), /two different trees of size/);
  // A registry that changed its key.
  await page.evaluate(([k, v]) => localStorage.setItem(k, v), [storeKey, JSON.stringify({ ...seen, vkey: "other+00000000+AQ==" })]);
  verdict = await verify(page);
  assert.match(verdict.status, /key changed/);
  await page.context().close();
});

test("the Rust verifier agrees on the same log and proofs", async () => {
  // The whole log replays and checks (Rust), as every page verified (browser).
  execFileSync(ACCORD, ["registry", "audit", url, "--vkey", vkey], { stdio: "pipe" });
  const dir = mkdtempSync(join(tmpdir(), "accord-proofs-"));
  const verifier = await parseVerifierKey(vkey);
  for (const index of [1, 2, 30, 60]) {
    const entry = await (await fetch(`${url}/v1/log/entries/${index}`)).text();
    const bundle = await (await fetch(`${url}/v1/log/proof/${index}`)).text();
    for (const [name, text] of [["good", bundle], ["bad", flipProofHash(bundle)]]) {
      writeFileSync(join(dir, "entry"), entry);
      writeFileSync(join(dir, "bundle"), text);
      let rust = true;
      try {
        execFileSync(ACCORD, ["log", "verify-bundle", "--vkey", vkey, "--bundle", join(dir, "bundle"), "--entry", join(dir, "entry")], { stdio: "pipe" });
      } catch {
        rust = false;
      }
      let js = true;
      try {
        const parsed = parseTlogProof(text);
        const checkpoint = await openCheckpoint(parsed.checkpoint, verifier);
        await verifyInclusion(parsed.index, checkpoint.size, await leafHash(new TextEncoder().encode(entry)), parsed.proof, checkpoint.root);
      } catch {
        js = false;
      }
      assert.equal(js, rust, `entry ${index}, ${name} bundle: browser ${js}, Rust ${rust}`);
      assert.equal(js, name === "good");
    }
  }
});

test("without a secure context or Ed25519, the page says it cannot verify, not that a check failed", async () => {
  // Plain HTTP under a name that is not loopback: no secure context.
  const insecure = await chromium.launch({
    executablePath: CHROMIUM, args: ["--no-sandbox", "--host-resolver-rules=MAP registry.accord.test 127.0.0.1"],
  });
  try {
    const page = await (await insecure.newContext()).newPage();
    await page.goto(url.replace("127.0.0.1", "registry.accord.test") + "/leaderboard/fmti/2025-12/ibm");
    assert.equal(await page.evaluate(() => window.isSecureContext), false);
    const verdict = await verify(page);
    assert.ok(!verdict.verified && !verdict.failed, verdict.status);
    assert.match(verdict.status, /^Cannot verify in this browser: .*HTTPS \(or on localhost\)\. Nothing was checked, so nothing failed\./);
  } finally {
    await insecure.close();
  }
  // A browser whose WebCrypto lacks Ed25519.
  const page = await open("/leaderboard/fmti/2025-12/ibm", (p) => p.addInitScript(() => {
    const importKey = crypto.subtle.importKey.bind(crypto.subtle);
    crypto.subtle.importKey = (format, key, algorithm, ...rest) => (algorithm?.name === "Ed25519"
      ? Promise.reject(new DOMException("Algorithm: Unrecognized name", "NotSupportedError"))
      : importKey(format, key, algorithm, ...rest));
  }));
  const verdict = await verify(page);
  assert.ok(!verdict.verified && !verdict.failed, verdict.status);
  assert.match(verdict.status, /no Ed25519 signatures.*Nothing was checked, so nothing failed\./);
  await page.context().close();
});

test("an evaluation report sits beside the live state, with its hash", async () => {
  const page = await open("/evaluation");
  // Served with --evaluation, so linked from every page.
  assert.equal(await page.$$eval('nav a[href="/evaluation"]', (links) => links.length), 1);
  assert.deepEqual(await seriousViolations(page), [], "/evaluation: axe-core");
  const verdict = await verify(page);
  assert.ok(verdict.verified, verdict.status);
  const report = readFileSync(join(EVALUATION, "report.json"));
  assert.equal(await page.textContent("#report-sha256"), createHash("sha256").update(report).digest("hex"));
  const json = JSON.parse(report);
  const cooperation = await page.$eval("#outcome tbody tr td:nth-child(3)", (td) => td.textContent);
  assert.ok(cooperation.includes(`${Number((json.comparison.protocol.cooperation.mean * 100).toFixed(2))}%`), cooperation);
  assert.equal(await page.$$eval("#rationality tbody tr", (trs) => trs.length), json.rationality.length);
  assert.equal(await page.$$eval("#contributions tbody tr", (trs) => trs.length), json.ablation.cooperation.length);
  await page.screenshot({ path: join(OUTPUT, "evaluation.png"), fullPage: true });
  await page.context().close();
});
