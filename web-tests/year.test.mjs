// The commitments explorer and the early-warning dashboard in a real
// browser, on the registry of examples/registry/run.sh (a year of the global
// protocol with archetype labs, the Seoul commitments, revisions, a
// withdrawal, metric reports and alerts; three witnesses): every page is
// accessible and verifies; the numbers shown are the story's; tampering is
// caught. Screenshots go to output/.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { OUTPUT, checkPages, open as openIn, start, submit, tampered, verify } from "./browser.mjs";

let url;
let dir;
let browser;
let stop;

before(async () => {
  ({ url, dir, browser, stop } = await start("examples/registry/run.sh", ["--serve"]));
});

after(async () => {
  await stop?.();
});

const open = (path, setup) => openIn(browser, url, path, setup);

test("every page is accessible and verifies in the browser", async () => {
  await checkPages(browser, url, [
    ["commitments", "/commitments"],
    ["commitments-open-weights", "/commitments/open-weights"],
    ["commitments-compute-leader-1", "/commitments/compute-leader-1"],
    ["commitments-compute-leader-2", "/commitments/compute-leader-2"],
    ["early-warning", "/early-warning"],
    ["leaderboard-standing", "/leaderboard"],
  ]);
});

test("the explorer shows revisions as diffs and withdrawals with their reason", async () => {
  const page = await open("/commitments/open-weights");
  const revision = await page.$eval("ol.history li", (li) => ({
    text: li.textContent,
    inserted: [...li.querySelectorAll("ins")].map((e) => e.textContent),
    deleted: [...li.querySelectorAll("del")].map((e) => e.textContent),
  }));
  assert.match(revision.text, /Revised model-cards as model-cards-v2/);
  assert.deepEqual(revision.inserted, ["major "]);
  assert.deepEqual(revision.deleted, []);
  const standing = await page.$$eval("#standing tbody tr", (trs) =>
    Object.fromEntries(trs.map((tr) => [tr.querySelector("th").textContent, tr.lastElementChild.textContent])));
  assert.equal(standing["model-cards"], "revised in period 1 by model-cards-v2");
  assert.equal(standing["seoul-3-viii"], "active");
  await page.goto(`${url}/commitments/compute-leader-2`);
  const withdrawn = await page.$$eval("#standing tbody tr", (trs) =>
    trs.find((tr) => tr.querySelector("th").textContent === "seoul-3-viii").lastElementChild.textContent);
  assert.match(withdrawn, /^withdrawn in period 2: external involvement/);
  // Eight Seoul commitments and a framework promise per lab.
  await page.goto(`${url}/commitments`);
  const rows = await page.$$eval("#participants tbody tr", (trs) => trs.length);
  assert.equal(rows, 8);
  // No evaluation is served here, so none is linked.
  assert.equal(await page.$$eval('nav a[href="/evaluation"]', (links) => links.length), 0);
  await page.context().close();
});

test("an attempt to leave a binding pact shows as the breach it was, and verifies", async () => {
  const page = await open("/commitments/compute-leader-1");
  const rows = await page.$$eval("ol.history > li", (lis) => lis.map((li) => li.textContent));
  const attempt = rows.find((row) => row.includes("withdraw its pledge"));
  assert.match(attempt, /^Asked to withdraw its pledge to frontier-safety-pact A breach: the pact binds, so the pledge stands\./);
  assert.ok(!rows.some((row) => row.startsWith("Withdrew its pledge")), rows.join("\n"));
  const verdict = await verify(page);
  assert.ok(verdict.verified, `${verdict.status}\n${verdict.details.join("\n")}`);
  await page.context().close();
});

test("a history row that shows something else than its entry turns the page red", async () => {
  const page = await open(
    "/commitments/compute-leader-2",
    tampered("**/commitments/compute-leader-2", (html) => html.replace("</strong>: external involvement in risk assessment is under review", "</strong>: completed")),
  );
  const verdict = await verify(page);
  assert.ok(!verdict.verified);
  assert.match(verdict.details.join("\n"), /shows another event than its entry/);
  await page.context().close();
});

test("a history row that misstates its entry turns the page red", async () => {
  const page = await open(
    "/commitments/open-weights",
    tampered("**/commitments/open-weights", (html) => html.replace("every major open-weights release.&quot;", "every open-weights release.&quot;")),
  );
  const verdict = await verify(page);
  assert.ok(!verdict.verified);
  assert.match(verdict.details.join("\n"), /the entry's text is "Publish a model card with every major open-weights release\."/);
  await page.screenshot({ path: `${OUTPUT}tampered-commitment.png`, fullPage: true });
  await page.context().close();
});

test("the dashboard shows the story's alerts and the bunching estimates on Epoch AI's data", async () => {
  const page = await open("/early-warning");
  const kinds = await page.$$eval("#alert-table tbody tr td:nth-child(3)", (tds) => tds.map((td) => td.textContent));
  assert.ok(kinds.some((k) => k.startsWith("audit discrepancy")), kinds.join(", "));
  assert.ok(kinds.some((k) => k.startsWith("special audit required")), kinds.join(", "));
  const thresholds = await page.$$eval("#thresholds tbody tr", (trs) =>
    trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  assert.equal(thresholds.length, 2);
  // As `accord protocol detect` prints them for data/epoch-ai (seeded bootstrap).
  assert.deepEqual(thresholds[0].slice(4), ["-0.18", "[-0.70, +0.30]", "no significant bunching"]);
  assert.deepEqual(thresholds[1].slice(4), ["-0.57", "[-1.70, +1.14]", "no significant bunching"]);
  assert.match(await page.getAttribute("svg.scatter", "aria-labelledby"), /scatter-title/);
  const shown = await page.$$eval("svg.scatter circle", (c) => c.length);
  assert.match(await page.textContent("figure figcaption"), new RegExp(`\\(${shown} of 515\\)`));
  await page.context().close();
});

test("texts verify whatever characters the core accepts in them, and a changed one is still caught", async () => {
  // A carriage return (the HTML parser reads a raw one as a line feed), NUL
  // (which it drops) and a line feed after U+200B (which innerText drops).
  await submit(url, dir, "fast-follower-1", [
    { type: "publish_commitment", commitment: "c3", text: "line one\r\nline two" },
    { type: "publish_commitment", commitment: "c3b", text: "line one\r\nline two, revised", revises: "c3" },
    { type: "publish_commitment", commitment: "c4", text: "nul\u0000here" },
    { type: "withdraw_commitment", commitment: "c4", reason: "zero\u200b\nwidth\rreturn" },
  ]);
  const page = await open("/commitments/fast-follower-1");
  const verdict = await verify(page);
  assert.ok(verdict.verified, `${verdict.status}\n${verdict.details.join("\n")}`);
  assert.ok((await page.textContent("ol.history")).includes("nul\uFFFDhere"));
  await page.context().close();
  // The page may not show a line feed alone where the entry has a carriage return.
  const changed = await open(
    "/commitments/fast-follower-1",
    tampered("**/commitments/fast-follower-1", (html) => html.replace("</strong>: line one&#13;\n", "</strong>: line one\n")),
  );
  const caught = await verify(changed);
  assert.ok(!caught.verified);
  assert.match(caught.details.join("\n"), /shows another event than its entry/);
  await changed.context().close();
});

test("a lab that leaves the protocol shows the breach its exit was, and verifies", async () => {
  // safety-focused holds a binding commitment and a pledge to the binding pact.
  await submit(url, dir, "safety-focused", [{ type: "leave", reason: "moving abroad" }]);
  const page = await open("/commitments/safety-focused");
  const rows = await page.$$eval("ol.history > li", (lis) => lis.map((li) => li.textContent));
  assert.match(rows[0], /^Left the protocol: moving abroad A breach of every binding promise it held/);
  const standing = await page.$$eval("#standing tbody tr", (trs) =>
    trs.map((tr) => tr.lastElementChild.textContent));
  assert.ok(standing.length > 0 && standing.every((s) => s.startsWith("withdrawn in period")), standing.join("\n"));
  assert.ok(standing.some((s) => s.includes("(a breach: it was binding; 20 credits of compensation owed)")), standing.join("\n"));
  const verdict = await verify(page);
  assert.ok(verdict.verified, `${verdict.status}\n${verdict.details.join("\n")}`);
  await page.context().close();
});
