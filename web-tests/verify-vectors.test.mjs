// verify.js against the transparency-dev/merkle vectors that the Rust
// verifier runs in crates/log/tests/vectors.rs: both accept exactly the
// vectors with `wantErr: false`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  base64Decode, rootFromInclusion, verifyConsistency, verifyInclusion,
} from "../crates/registry/assets/verify.js";

const VECTORS = new URL("../crates/log/tests/data/merkle/testdata/", import.meta.url).pathname;

function jsonFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return jsonFiles(path);
    return name.endsWith(".json") ? [path] : [];
  });
}

async function accepts(check) {
  try {
    await check();
    return true;
  } catch {
    return false;
  }
}

test("inclusion vectors: accepted exactly when wantErr is false", async () => {
  const files = jsonFiles(join(VECTORS, "inclusion"));
  assert.ok(files.length >= 98, `only ${files.length} inclusion vectors`);
  for (const file of files) {
    const v = JSON.parse(readFileSync(file, "utf8"));
    const ok = await accepts(() => verifyInclusion(
      v.leafIdx, v.treeSize, base64Decode(v.leafHash), (v.proof ?? []).map(base64Decode), base64Decode(v.root),
    ));
    assert.equal(ok, !v.wantErr, `${file}: ${v.desc}`);
  }
});

test("consistency vectors: accepted exactly when wantErr is false", async () => {
  const files = jsonFiles(join(VECTORS, "consistency"));
  assert.ok(files.length >= 90, `only ${files.length} consistency vectors`);
  for (const file of files) {
    const v = JSON.parse(readFileSync(file, "utf8"));
    const ok = await accepts(() => verifyConsistency(
      v.size1, v.size2, (v.proof ?? []).map(base64Decode), base64Decode(v.root1), base64Decode(v.root2),
    ));
    assert.equal(ok, !v.wantErr, `${file}: ${v.desc}`);
  }
});

test("indices beyond 2^32 are not truncated", async () => {
  // A lone leaf at 2^32 in a tree of 2^32 + 1: its proof is the root of the
  // first 2^32 leaves, hashed on the left.
  const leaf = new Uint8Array(32).fill(7);
  const left = new Uint8Array(32).fill(9);
  const root = await rootFromInclusion(2 ** 32, 2 ** 32 + 1, leaf, [left]);
  await verifyInclusion(2 ** 32, 2 ** 32 + 1, leaf, [left], root);
  await assert.rejects(verifyInclusion(0, 2 ** 32 + 1, leaf, [left], root));
});
