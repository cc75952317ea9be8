#!/usr/bin/env bash
# Runs schemathesis (PyPI) against a registry started from the project's own
# binary: every operation of /openapi.json is fuzzed; the run fails on any
# 5xx, any response that breaks the documented schema, status code, content
# type or headers, and any invalid request that is not refused.
# ("Schema-valid request accepted" is not checked: a schema cannot say what
# a valid signature is, so schema-valid bodies are refused by design.)
# Usage: scripts/registry-api-check.sh [path/to/accord]
set -euo pipefail
cd "$(dirname "$0")/.."
accord="${1:-target/debug/accord}"
[ -x "$accord" ] || cargo build --locked -p accord-cli
schemathesis_version=4.32.5
if ! python3 -c "import schemathesis, sys; sys.exit(schemathesis.__version__ != '$schemathesis_version')" 2>/dev/null; then
  python3 -m pip install --quiet "schemathesis==$schemathesis_version"
fi
st="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/schemathesis"

work="$(mktemp -d)"
server=""
cleanup() {
  [ -n "$server" ] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$accord" registry keygen --id secretariat --out "$work/secretariat.key" >/dev/null
"$accord" registry keygen --id lab-a --out "$work/lab-a.key" >/dev/null
"$accord" registry keygen --id channel --out "$work/channel.key" >/dev/null
"$accord" serve --db "$work/registry.db" --key "$work/registry.key" --listen 127.0.0.1:0 \
  --secretariat-key "$work/secretariat.key.pub" --channel-key "$work/channel.key" \
  >"$work/serve.log" 2>&1 &
server=$!
url=""
for _ in $(seq 1 100); do
  url="$(sed -n 's/^accord registry on \(http:[^ ]*\)$/\1/p' "$work/serve.log")"
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$work/serve.log"; exit 1; }
"$accord" registry register --url "$url" --key "$work/secretariat.key" --seq 1 \
  --participant secretariat --role secretariat --public-key "$work/secretariat.key.pub" >/dev/null
"$accord" registry register --url "$url" --key "$work/secretariat.key" --seq 2 \
  --participant lab-a --role lab --public-key "$work/lab-a.key.pub" >/dev/null

"$st" run "$url/openapi.json" --checks all --exclude-checks positive_data_acceptance \
  --max-examples 100 --seed 1
