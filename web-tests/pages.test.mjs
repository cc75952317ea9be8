// The registry's public pages in a real browser (Debian's chromium, driven
// by playwright-core): each page loads from a registry on loopback holding
// the FMTI's three editions (examples/registry/leaderboard.sh), has no
// serious accessibility violation (axe-core), and verifies in the browser;
// a tampered response turns the page red with what failed. The Rust
// verifier (`accord registry audit`, `accord log verify-bundle`) gives the
// same verdicts on the same log and proofs. Screenshots go to output/.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import {
  leafHash, openCheckpoint, parseTlogProof, parseVerifierKey, verifyInclusion,
} from "../crates/registry/assets/verify.js";

const ROOT = new URL("..", import.meta.url).pathname;
const ACCORD = process.env.ACCORD ?? join(ROOT, "target/debug/accord");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const OUTPUT = new URL("output/", import.meta.url).pathname;
const AXE = join(ROOT, "web-tests/node_modules/axe-core/axe.min.js");

let server;
let url;
let vkey;
let browser;

before(async () => {
  mkdirSync(OUTPUT, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), "accord-pages-"));
  server = spawn(join(ROOT, "examples/registry/leaderboard.sh"), ["--dir", dir], {
    env: { ...process.env, ACCORD },
    stdio: ["ignore", "pipe", "inherit"],
    detached: true,
  });
  const ready = await new Promise((resolve, reject) => {
    let seen = "";
    server.stdout.on("data", (chunk) => {
      seen += chunk;
      const match = seen.match(/pages on (http:\/\/[^/\s]+)\/leaderboard \(log verifier key: ([^)]+)\)/);
      if (match) resolve(match);
    });
    server.on("exit", (code) => reject(new Error(`leaderboard.sh exited with ${code}`)));
  });
  [, url, vkey] = ready;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
});

after(async () => {
  await browser?.close();
  if (server) process.kill(-server.pid, "SIGTERM");
});

/** Loads a page in a fresh context (its own local storage). */
async function open(path, setup) {
  const context = await browser.newContext();
  const page = await context.newPage();
  if (setup) await setup(page);
  const response = await page.goto(url + path);
  assert.equal(response.status(), 200, path);
  return page;
}

/** Clicks verify and waits for the verdict: `{ verified, status, details }`. */
async function verify(page) {
  await page.click("#verify-button");
  await page.waitForFunction(() =>
    document.body.classList.contains("verified") || document.body.classList.contains("verify-failed"));
  return page.evaluate(() => ({
    verified: document.body.classList.contains("verified"),
    status: document.getElementById("verify-status").textContent,
    details: [...document.querySelectorAll("#verify-details li")].map((li) => li.textContent),
  }));
}

async function seriousViolations(page) {
  await page.addScriptTag({ path: AXE });
  const results = await page.evaluate(() => window.axe.run());
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.length} nodes)`);
}

const PAGES = [
  ["leaderboard", "/leaderboard"],
  ["fmti-latest", "/leaderboard/fmti"],
  ["fmti-2023", "/leaderboard/fmti?edition=2023-10"],
  ["evidence-ibm-2025", "/leaderboard/fmti/2025-12/ibm"],
];

test("every page is accessible and verifies in the browser", async () => {
  for (const [name, path] of PAGES) {
    const page = await open(path);
    assert.deepEqual(await seriousViolations(page), [], `${path}: axe-core`);
    const verdict = await verify(page);
    assert.ok(verdict.verified, `${path}: ${verdict.status}\n${verdict.details.join("\n")}`);
    await page.screenshot({ path: join(OUTPUT, `${name}.png`), fullPage: true });
    await page.context().close();
  }
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

/** A page whose responses at `pattern` pass through `change` first. */
function tampered(pattern, change) {
  return (page) => page.route(pattern, async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, body: change(await response.text()) });
  });
}

/** Flips one base64 character of the first proof hash of a tlog-proof. */
function flipProofHash(bundle) {
  const lines = bundle.split("\n");
  const at = lines.findIndex((line) => line.startsWith("index ")) + 1;
  lines[at] = (lines[at][0] === "A" ? "B" : "A") + lines[at].slice(1);
  return lines.join("\n");
}

test("a tampered response turns the page red with what failed", async () => {
  const cases = [
    ["proof", "**/v1/log/proof/**", flipProofHash, /is not in the tree/],
    ["entry", "**/v1/log/entries/**", (entry) => entry.replace('":1.0', '":0.0'), /is not in the tree/],
    ["checkpoint", "**/checkpoint", (note) => note.replace(/\n(\d+)\n/, (_, n) => `\n${Number(n) + 1}\n`), /signature is invalid/],
    ["page", "**/leaderboard/fmti/2025-12/ibm", (html) => html.replace("&quot;score&quot;:95.0", "&quot;score&quot;:96.0"), /score 95, the page shows 96/],
  ];
  for (const [name, pattern, change, expected] of cases) {
    const page = await open("/leaderboard/fmti/2025-12/ibm", tampered(pattern, change));
    const verdict = await verify(page);
    assert.ok(!verdict.verified, `${name}: tampering went unnoticed`);
    assert.match(verdict.details.join("\n"), expected, name);
    await page.screenshot({ path: join(OUTPUT, `tampered-${name}.png`), fullPage: true });
    await page.context().close();
  }
});

test("the browser remembers the last checkpoint and the registry's key", async () => {
  const page = await open("/leaderboard/fmti");
  assert.ok((await verify(page)).verified);
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
