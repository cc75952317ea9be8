// What every browser test of the pages shares: starting a demo registry
// script, loading a page in a fresh browser context, clicking "Verify",
// running axe-core, and tampering with responses.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const ROOT = new URL("..", import.meta.url).pathname;
export const ACCORD = process.env.ACCORD ?? join(ROOT, "target/debug/accord");
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const OUTPUT = new URL("output/", import.meta.url).pathname;
const AXE = join(ROOT, "web-tests/node_modules/axe-core/axe.min.js");

/**
 * Starts a demo script that prints "pages on URL/… (log verifier key: K)"
 * once its registry is ready, and a browser: `{ url, vkey, dir, browser,
 * stop }` (the script's `--dir`, with its keys).
 */
export async function start(script, args) {
  mkdirSync(OUTPUT, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), "accord-pages-"));
  const server = spawn(join(ROOT, script), [...args, "--dir", join(dir, "registry")], {
    env: { ...process.env, ACCORD },
    stdio: ["ignore", "pipe", "inherit"],
    detached: true,
  });
  const [, url, vkey] = await new Promise((resolve, reject) => {
    let seen = "";
    server.stdout.on("data", (chunk) => {
      seen += chunk;
      const match = seen.match(/pages on (http:\/\/[^/\s]+)\/\S* \(log verifier key: ([^)]+)\)/);
      if (match) resolve(match);
    });
    server.on("exit", (code) => reject(new Error(`${script} exited with ${code}:\n${seen}`)));
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  const stop = async () => {
    await browser.close();
    process.kill(-server.pid, "SIGTERM");
  };
  return { url, vkey, dir: join(dir, "registry"), browser, stop };
}

/** Loads a page in a fresh context (its own local storage). */
export async function open(browser, url, path, setup) {
  const context = await browser.newContext();
  const page = await context.newPage();
  if (setup) await setup(page);
  const response = await page.goto(url + path);
  assert.equal(response.status(), 200, path);
  return page;
}

/**
 * Clicks verify and waits for the verdict: `{ verified, failed, status,
 * details }` (neither verified nor failed: this browser cannot verify).
 */
export async function verify(page) {
  await page.click("#verify-button");
  await page.waitForFunction(() => ["verified", "verify-failed", "verify-unavailable"]
    .some((verdict) => document.body.classList.contains(verdict)));
  return page.evaluate(() => ({
    verified: document.body.classList.contains("verified"),
    failed: document.body.classList.contains("verify-failed"),
    status: document.getElementById("verify-status").textContent,
    details: [...document.querySelectorAll("#verify-details li")].map((li) => li.textContent),
  }));
}

/**
 * Signs and submits events as `author` with its key in `dir`/keys (the
 * demo scripts' layout), in the registry's current period, then waits
 * until the witnessed pages show the last one's log entry.
 */
export async function submit(url, dir, author, bodies) {
  const { period } = await (await fetch(`${url}/v1/state`)).json();
  let index;
  for (const [i, body] of bodies.entries()) {
    // Sequence numbers need only increase; the demo's own stay far below.
    const event = JSON.stringify({ seq: 1_000_000 + i, period, ...body });
    const receipt = JSON.parse(execFileSync(ACCORD, [
      "registry", "submit", "--url", url, "--key", join(dir, "keys", `${author}.key`), "-",
    ], { input: event, encoding: "utf8" }));
    index = receipt.index;
  }
  for (let tries = 0; ; tries += 1) {
    const page = await (await fetch(`${url}/commitments/${author}`)).text();
    if (page.includes(`data-entry="${index}"`)) return;
    if (tries === 300) throw new Error(`entry ${index} never reached the witnessed pages`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function seriousViolations(page) {
  await page.addScriptTag({ path: AXE });
  const results = await page.evaluate(() => window.axe.run());
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.length} nodes)`);
}


/** A page setup whose responses at `pattern` pass through `change` first. */
export function tampered(pattern, change) {
  return (page) => page.route(pattern, async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, body: change(await response.text()) });
  });
}

/** Flips one base64 character of the first proof hash of a tlog-proof. */
export function flipProofHash(bundle) {
  const lines = bundle.split("\n");
  const at = lines.findIndex((line) => line.startsWith("index ")) + 1;
  lines[at] = (lines[at][0] === "A" ? "B" : "A") + lines[at].slice(1);
  return lines.join("\n");
}

/** Loads each `[name, path]`, checks axe-core and verification, saves a screenshot. */
export async function checkPages(browser, url, pages) {
  for (const [name, path] of pages) {
    const page = await open(browser, url, path);
    assert.deepEqual(await seriousViolations(page), [], `${path}: axe-core`);
    const verdict = await verify(page);
    assert.ok(verdict.verified, `${path}: ${verdict.status}\n${verdict.details.join("\n")}`);
    await page.screenshot({ path: `${OUTPUT}${name}.png`, fullPage: true });
    await page.context().close();
  }
}
