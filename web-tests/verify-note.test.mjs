// verify.js on checkpoints that c2sp.org/signed-note and tlog-checkpoint
// say to reject, as the Rust verifier (crates/tlog) rejects them: a
// signature with the log key's name and key ID that does not verify, of
// whatever length, and a tree size with leading zeros.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { openCheckpoint, parseVerifierKey } from "../crates/registry/assets/verify.js";

const NAME = "registry.accord.example/log";
const { publicKey, privateKey } = generateKeyPairSync("ed25519");
const raw = Buffer.concat([Buffer.of(1), publicKey.export({ format: "der", type: "spki" }).subarray(12)]);
const keyId = createHash("sha256").update(Buffer.concat([Buffer.from(`${NAME}\n`), raw])).digest().subarray(0, 4);
const VKEY = `${NAME}+${keyId.toString("hex")}+${raw.toString("base64")}`;
const ROOT = randomBytes(32).toString("base64");

/** A signature line by `name` carrying `bytes` after the key ID. */
const line = (bytes, name = NAME, id = keyId) => `\u2014 ${name} ${Buffer.concat([id, bytes]).toString("base64")}\n`;
const signature = (text) => sign(null, Buffer.from(text), privateKey);

async function opens(text, lines) {
  try {
    await openCheckpoint(`${text}\n${lines.join("")}`, await parseVerifierKey(VKEY));
    return true;
  } catch {
    return false;
  }
}

test("a checkpoint signed by the log's key opens; others' signatures are ignored", async () => {
  const text = `${NAME}\n5\n${ROOT}\n`;
  assert.ok(await opens(text, [line(signature(text))]));
  assert.ok(await opens(text, [line(signature(text)), line(randomBytes(64), "witness.example/w")]));
  // Same name, another key ID: another key.
  assert.ok(await opens(text, [line(randomBytes(3), NAME, Buffer.alloc(4, 0xee)), line(signature(text))]));
});

test("every signature with the log key's name and ID must verify, whatever its length", async () => {
  const text = `${NAME}\n5\n${ROOT}\n`;
  const good = line(signature(text));
  for (const length of [0, 1, 60, 63, 65, 128]) {
    const bad = line(randomBytes(length));
    assert.equal(await opens(text, [bad, good]), false, `a ${length}-byte signature before the valid one`);
    assert.equal(await opens(text, [good, bad]), false, `a ${length}-byte signature after the valid one`);
  }
  const flipped = signature(text);
  flipped[10] ^= 1;
  assert.equal(await opens(text, [good, line(flipped)]), false, "a second, invalid 64-byte signature");
});

test("a tree size with leading zeros is refused, even signed", async () => {
  for (const [size, ok] of [["0", true], ["5", true], ["05", false], ["00", false], ["+5", false], ["5 ", false]]) {
    const text = `${NAME}\n${size}\n${ROOT}\n`;
    assert.equal(await opens(text, [line(signature(text))]), ok, JSON.stringify(size));
  }
});
