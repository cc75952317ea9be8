#!/usr/bin/env bash
# Serves the registry's public pages on real data: a registry whose log holds
# the Foundation Model Transparency Index's three editions (data/fmti, CC BY
# 4.0), imported with `accord leaderboard import-fmti` and submitted as
# signed events by the secretariat and the rater.
#
#   ./examples/registry/leaderboard.sh                # then open the printed URL
#   ./examples/registry/leaderboard.sh --dir /tmp/lb  # keep keys, database and logs
#   ./examples/registry/leaderboard.sh --listen 127.0.0.1:8377
#   ./examples/registry/leaderboard.sh --evaluation results/evaluation   # also show an `accord evaluate` report
#
# Binary: $ACCORD if set, otherwise target/release/accord (built if missing).
# Prints "pages on http://…" once every event is in, then serves until
# interrupted, and stops the registry when it exits.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WORK=""
LISTEN="127.0.0.1:0"
EVALUATION=()
while [ $# -gt 0 ]; do
    case "$1" in
        --evaluation) EVALUATION=(--evaluation "$2"); shift 2 ;;
        --dir) WORK="$2"; shift 2 ;;
        --listen) LISTEN="$2"; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
if [ -z "${ACCORD:-}" ]; then
    ACCORD="$ROOT/target/release/accord"
    [ -x "$ACCORD" ] || (cd "$ROOT" && cargo build --release -p accord-cli)
fi
if [ -z "$WORK" ]; then
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/accord-leaderboard.XXXXXX")"
fi
mkdir -p "$WORK/keys"
KEYS="$WORK/keys"
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

"$ACCORD" log keygen --name registry.accord.example/log --key-file "$KEYS/registry-log.key" >/dev/null
for id in secretariat fmti; do
    "$ACCORD" registry keygen --id "$id" --out "$KEYS/$id.key" >/dev/null
done
"$ACCORD" leaderboard import-fmti --from "$ROOT/data/fmti" \
    --protocol-out "$WORK/protocol.toml" --events-out "$WORK/events.jsonl" \
    --register-with secretariat --secretariat-key "$(cat "$KEYS/secretariat.key.pub")" \
    --rater fmti --rater-key "$(cat "$KEYS/fmti.key.pub")" >/dev/null

"$ACCORD" serve --db "$WORK/registry.db" --key "$KEYS/registry-log.key" \
    --secretariat-key "$KEYS/secretariat.key.pub" "$WORK/protocol.toml" \
    --listen "$LISTEN" ${EVALUATION[@]+"${EVALUATION[@]}"} >"$WORK/registry.log" 2>&1 &
SERVER=$!
URL=""
for _ in $(seq 1 100); do
    URL=$(sed -n 's/^accord registry on \(http[^ ]*\).*/\1/p' "$WORK/registry.log" | head -n 1)
    [ -n "$URL" ] && break
    kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/registry.log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$URL" ] || { echo "the registry did not start" >&2; cat "$WORK/registry.log" >&2; exit 1; }

# Each line is signed by its author's key and submitted in order.
while IFS= read -r event; do
    author=$(printf '%s\n' "$event" | sed -n 's/^{"author":"\([^"]*\)".*/\1/p')
    if ! printf '%s\n' "$event" | "$ACCORD" registry submit --url "$URL" --key "$KEYS/$author.key" - >/dev/null 2>"$WORK/refusal"; then
        echo "REFUSED: $event" >&2
        cat "$WORK/refusal" >&2
        exit 1
    fi
done <"$WORK/events.jsonl"

echo "pages on $URL/leaderboard (log verifier key: $("$ACCORD" log verifier-key --key-file "$KEYS/registry-log.key"))"
wait "$SERVER"
