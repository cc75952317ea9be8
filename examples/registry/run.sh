#!/usr/bin/env bash
# Quick start: a year of Accord's registry, end to end, on this machine.
#
#   ./examples/registry/run.sh [--dir DIR] [--serve]
#
# Starts three witnesses and a registry running the global protocol
# (examples/protocols/global-protocol.toml, embedded in the binary) with a
# 2-of-3 witness policy, registers a secretariat, the six labs of the default
# world (examples/worlds/frontier-labs.toml), three monitors, two compute
# providers and the three witnesses, then plays four quarters of signed
# events: commitments, pledges to the frontier-safety-pact, investment and
# metric reports, audits, credits, a breach and its sanctions, a denied and
# later an allowed compute-access grant (both verified offline), and ends
# with an independent audit that replays the whole log. Labs also take the
# eight Frontier AI Safety Commitments (Seoul, May 2024), revise and
# withdraw some. With --serve, the registry keeps serving its public pages
# (/commitments, /early-warning, /leaderboard) after the story, until
# interrupted.
#
# Binary: $ACCORD if set, otherwise `cargo build --release -p accord-cli`
# and target/release/accord. Needs bash 4 or later, coreutils, sed and awk.
# Everything lives in a temporary directory (removed at the end) or in
# --dir DIR (kept); every process started here is stopped on exit. Any
# refused submission stops the script with the registry's explanation.

set -euo pipefail

if [ "${BASH_VERSINFO[0]}" -lt 4 ]; then
    echo "error: this script needs bash 4 or later (associative arrays)" >&2
    exit 1
fi

usage() {
    sed -n '2,20s/^# \{0,1\}//p' "$0"
}

DIR=""
SERVE=0
while [ $# -gt 0 ]; do
    case "$1" in
        --serve) SERVE=1; shift ;;
        --dir) DIR="${2:?--dir needs a directory}"; shift 2 ;;
        --dir=*) DIR="${1#--dir=}"; shift ;;
        -h | --help) usage; exit 0 ;;
        *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

die() { echo "error: $*" >&2; exit 1; }
say() { printf '\n== %s\n' "$*"; }   # a section
step() { printf '  %s\n' "$*"; }     # one thing that happened

# --- The binary ------------------------------------------------------------

if [ -z "${ACCORD:-}" ]; then
    echo "building accord (cargo build --release -p accord-cli) ..."
    (cd "$ROOT" && cargo build --release -p accord-cli)
    ACCORD="$ROOT/target/release/accord"
fi
ACCORD=$(command -v "$ACCORD") || die "no accord binary at $ACCORD"

# --- Work directory and clean-up -------------------------------------------

if [ -n "$DIR" ]; then
    if [ -e "$DIR" ] && [ -n "$(ls -A "$DIR")" ]; then
        die "--dir $DIR is not empty; the demo starts from a fresh registry"
    fi
    mkdir -p "$DIR"
    WORK="$(cd "$DIR" && pwd)"
    REMOVE=0
else
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/accord-registry-demo.XXXXXX")"
    REMOVE=1
fi
KEYS="$WORK/keys"
mkdir -p "$KEYS"

PIDS=()
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    # Stop the servers this script started (only those, by process id).
    for pid in ${PIDS[@]+"${PIDS[@]}"}; do kill "$pid" 2>/dev/null || true; done
    for pid in ${PIDS[@]+"${PIDS[@]}"}; do wait "$pid" 2>/dev/null || true; done
    if [ "$REMOVE" = 1 ]; then
        rm -rf "$WORK"
    else
        echo "(files kept in $WORK)"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits until a server started in the background prints a line starting with
# PREFIX in its log, and prints the rest of that line.
wait_for_line() {
    local log=$1 prefix=$2 pid=$3 line
    for _ in $(seq 300); do
        line=$(sed -n "\|^$prefix|{s|^$prefix||p;q;}" "$log")
        if [ -n "$line" ]; then
            printf '%s\n' "$line"
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; die "server $pid stopped"; }
        sleep 0.1
    done
    cat "$log" >&2
    die "server $pid did not print \"$prefix\""
}

# --- Signed events -----------------------------------------------------------

URL=""          # the registry
PERIOD=0        # the current period; every event carries it
declare -A SEQ  # last sequence number used by each author
RECEIPT=""      # the last receipt (JSON)
INDEX=""        # its log index
EFFECTS=""      # its effects, summarised
ALERTS=0        # early-warning alerts seen in receipts

quarter() { echo "Q$(($1 + 1))"; }

# Summarises a receipt's effects in one line (the CLI pretty-prints JSON
# with sorted keys: effects are the objects indented by four spaces).
summarise_effects() {
    awk '
        function add(s) { out = (out == "" ? s : out "; " s) }
        /^    \{/ { split("", f); inside = 1; next }
        /^    \}/ {
            inside = 0; e = f["effect"]
            if (e == "pledged") add("pledges " f["pledges"] "/" f["threshold"])
            else if (e == "pact_binding") add("PACT BINDS")
            else if (e == "pledge_withdrawn") add(f["breach"] == "true" ? "pledge stands (pact binds)" : "pledge withdrawn")
            else if (e == "verdict_reached") add("verdict: " f["verdict"])
            else if (e == "breach_confirmed") add("BREACH")
            else if (e == "sanction") add("ladder " f["from"] "->" f["to"] " (" f["rung"] ")")
            else if (e == "credits_issued") add(f["amount"] " credits issued")
            else if (e == "credits_burned") add(f["amount"] " credits burned" (f["shortfall"] + 0 > 0 ? ", " f["shortfall"] " owed" : ""))
            else if (e == "commitment_violated") add("commitment violated: " f["compensation_paid"] " paid to the " f["beneficiary"] ", " f["shortfall"] " owed")
            else if (e == "obligation_settled") add(f["creditor"] == "burned" ? "fine of " f["amount"] " paid (burned)" : "settled " f["amount"] " owed to the " f["creditor"])
            else if (e == "alert") add("ALERT " f["kind"])
            else if (e == "metric_retired") add("metric " f["metric"] " retired (sunset)")
            else if (e == "credits_expired") add(f["amount"] " credits expired")
            else if (e !~ /^(registered|report_recorded|audit_recorded|commitment_published|period_closed)$/) add(e)
            next
        }
        inside && /^      "[a-z_]+": / {
            key = $0; sub(/^      "/, "", key); sub(/".*/, "", key)
            val = $0; sub(/^      "[a-z_]+": /, "", val); sub(/,$/, "", val); gsub(/"/, "", val)
            f[key] = val
        }
        END { print out }'
}

# submit AUTHOR 'FIELDS' — signs {"seq":…,"period":…,FIELDS} with AUTHOR's key
# and submits it; stops the script if the registry refuses it.
submit() {
    local author=$1 fields=$2 seq event
    seq=$(( ${SEQ[$author]:-0} + 1 ))
    event="{\"seq\":$seq,\"period\":$PERIOD,$fields}"
    if ! RECEIPT=$(printf '%s\n' "$event" |
        "$ACCORD" registry submit --url "$URL" --key "$KEYS/$author.key" - 2>"$WORK/refusal"); then
        echo "REFUSED: $author: $event" >&2
        cat "$WORK/refusal" >&2
        exit 1
    fi
    SEQ[$author]=$seq
    INDEX=$(printf '%s\n' "$RECEIPT" | sed -n 's/^  "index": \([0-9]*\).*/\1/p')
    EFFECTS=$(printf '%s\n' "$RECEIPT" | summarise_effects)
    ALERTS=$((ALERTS + $(printf '%s\n' "$RECEIPT" | grep -c '"effect": "alert"' || true)))
}

# say_submit AUTHOR 'FIELDS' 'WHAT' — submit and print one line.
say_submit() {
    submit "$1" "$2"
    step "#$INDEX $1: $3${EFFECTS:+  ->  $EFFECTS}"
}

# register ID ROLE — the secretariat registers a participant with a fresh key.
register() {
    "$ACCORD" registry keygen --id "$1" --out "$KEYS/$1.key" >/dev/null
    submit secretariat "\"type\":\"register\",\"participant\":\"$1\",\"role\":\"$2\",\"public_key\":\"$(cat "$KEYS/$1.key.pub")\""
}

close_period() {
    say_submit secretariat '"type":"close_period"' "close_period: $(quarter "$PERIOD") ends"
    PERIOD=$((PERIOD + 1))
}

# json_field KEY — the first scalar "KEY": value in the pretty-printed JSON
# on standard input (what `accord registry status` prints).
json_field() {
    sed -n "/^ *\"$1\": /{s/^ *\"$1\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p;q;}"
}
lab_field() { "$ACCORD" registry status --url "$URL" --lab "$1" | json_field "$2"; }

# Access grants are signed over the latest *witnessed* checkpoint: wait until
# the witnesses have cosigned everything submitted so far.
wait_witnessed() {
    local status size witnessed
    for _ in $(seq 300); do
        status=$("$ACCORD" registry status --url "$URL")
        size=$(printf '%s\n' "$status" | sed -n 's/^  "log_size": \([0-9]*\).*/\1/p')
        witnessed=$(printf '%s\n' "$status" | sed -n 's/^    "log_size": \([0-9]*\).*/\1/p')
        [ -n "$witnessed" ] && [ "$witnessed" = "$size" ] && return 0
        sleep 0.1
    done
    printf '%s\n' "$status" >&2
    die "the witnesses did not cosign log size $size"
}

# grant LAB — fetch the lab's signed access grant, then verify it offline, as
# a compute provider would: the registry's key, 2 of the 3 witnesses'
# cosignatures on its checkpoint, and inclusion proofs of the evidence.
grant() {
    local lab=$1 file="$WORK/grant-$1-$(quarter "$PERIOD").json"
    wait_witnessed
    "$ACCORD" registry access --url "$URL" "$1" --out "$file"
    step "fetched $lab's access grant -> $(basename "$file"); verifying offline (registry key + 2-of-3 witnesses):"
    "$ACCORD" registry verify-grant --vkey "$LOG_VKEY" "${POLICY[@]}" "$file" | sed 's/^/      /'
}

# --- Flags shared by the verifying commands --------------------------------

LABS=(compute-leader-1 compute-leader-2 open-weights safety-focused fast-follower-1 fast-follower-2)
MONITORS=(monitor-1 monitor-2 monitor-3)
PROVIDERS=(compute-provider-1 compute-provider-2)
WITNESSES=(witness-1 witness-2 witness-3)

echo "accord registry quick start"
echo "binary: $ACCORD"
echo "work directory: $WORK$([ "$REMOVE" = 1 ] && echo ' (removed at the end; use --dir DIR to keep it)')"

# ============================================================================
say "Keys, witnesses and the registry"
# ============================================================================

# The registry's log key is made first, so that its verifier key is known
# before the witnesses start (each witness is told which log it witnesses).
"$ACCORD" log keygen --name registry.accord.example/log --key-file "$KEYS/registry-log.key" >/dev/null
LOG_VKEY=$("$ACCORD" log verifier-key --key-file "$KEYS/registry-log.key")
step "registry log key: $LOG_VKEY"

# Three independent witnesses, each with its own cosigning key.
WITNESS_FLAGS=()  # for accord serve: --witness URL=VKEY
POLICY=()         # for verify-grant and audit: --witness VKEY ... --quorum 2
for i in 1 2 3; do
    "$ACCORD" log keygen --cosigner --name "witness-$i.accord.example" \
        --key-file "$KEYS/witness-$i-cosigner.key" >/dev/null
    "$ACCORD" witness serve --db "$WORK/witness-$i.db" --key "$KEYS/witness-$i-cosigner.key" \
        --name "witness-$i.accord.example" --log "$LOG_VKEY" --listen 127.0.0.1:0 \
        >"$WORK/witness-$i.log" 2>&1 &
    PIDS+=("$!")
    url=$(wait_for_line "$WORK/witness-$i.log" "accord witness on " "$!")
    vkey=$("$ACCORD" log verifier-key --key-file "$KEYS/witness-$i-cosigner.key")
    WITNESS_FLAGS+=(--witness "$url=$vkey")
    POLICY+=(--witness "$vkey")
    step "witness-$i on $url, cosigner key $vkey"
done
POLICY+=(--quorum 2)

# The secretariat's key is the registry's genesis key: the first event must
# be the secretariat registering itself with it.
"$ACCORD" registry keygen --id secretariat --out "$KEYS/secretariat.key" >/dev/null

"$ACCORD" serve --db "$WORK/registry.db" --key "$KEYS/registry-log.key" \
    --listen 127.0.0.1:0 --secretariat-key "$KEYS/secretariat.key.pub" \
    "${WITNESS_FLAGS[@]}" --witness-quorum 2 >"$WORK/registry.log" 2>&1 &
PIDS+=("$!")
REGISTRY_PID=$!
URL=$(wait_for_line "$WORK/registry.log" "accord registry on " "$!")
served=$(wait_for_line "$WORK/registry.log" "verifier key: " "$!")
[ "$served" = "$LOG_VKEY" ] || die "the registry serves key $served, not $LOG_VKEY"
step "registry on $URL (global protocol, checkpoints published once 2 of 3 witnesses cosign)"

# ============================================================================
say "$(quarter $PERIOD) (period $PERIOD): registration"
# ============================================================================

submit secretariat "\"type\":\"register\",\"participant\":\"secretariat\",\"role\":\"secretariat\",\"public_key\":\"$(cat "$KEYS/secretariat.key.pub")\""
step "#$INDEX secretariat registers itself with the genesis key"
for lab in "${LABS[@]}"; do register "$lab" lab; done
step "labs (the six archetypes of examples/worlds/frontier-labs.toml): ${LABS[*]}"
for m in "${MONITORS[@]}"; do register "$m" monitor; done
# With three monitors and panel_size = 3, every lab's panel is all three
# monitors (rotation has nobody to rotate in); two agreeing verdicts decide.
step "monitors (each lab's panel: all three; 2 agreeing verdicts decide): ${MONITORS[*]}"
for p in "${PROVIDERS[@]}"; do register "$p" compute_provider; done
step "compute providers: ${PROVIDERS[*]}"
# The witnesses are also participants (role witness). Their participant keys
# are fresh Ed25519 keys, distinct from the cosigning keys they sign
# checkpoints with: the two keys have different jobs.
for w in "${WITNESSES[@]}"; do register "$w" witness; done
step "witnesses as participants (own participant keys, not their cosigning keys): ${WITNESSES[*]}  [log size $((INDEX + 1))]"

# ============================================================================
say "$(quarter $PERIOD): commitments and the frontier-safety-pact"
# ============================================================================

# Binding commitments carry compensation if an audit finds them violated
# (default 20 credits, to the liability pool).
say_submit safety-focused '"type":"publish_commitment","commitment":"responsible-scaling","text":"Pause scaling when dangerous-capability evaluations trigger; publish the evaluations.","binding":true' \
    "publishes a binding responsible-scaling policy"
say_submit compute-leader-1 '"type":"publish_commitment","commitment":"safety-framework","text":"Publish a frontier safety framework and follow it.","binding":true' \
    "publishes a binding frontier safety framework"
say_submit fast-follower-2 '"type":"publish_commitment","commitment":"honest-compute-reports","text":"Report training compute to the registry as measured.","binding":true,"compensation_credits":10' \
    "commits (binding, 10 credits) to honest compute reports"
say_submit open-weights '"type":"publish_commitment","commitment":"model-cards","text":"Publish a model card with every open-weights release."' \
    "publishes a non-binding commitment to model cards"
for p in "${PROVIDERS[@]}"; do
    say_submit "$p" '"type":"publish_commitment","commitment":"grant-gate","text":"Serve covered compute only against an ALLOWED, witnessed access grant."' \
        "commits to serve covered compute only against verified grants"
done

# The Frontier AI Safety Commitments (Seoul, May 2024): three outcomes, eight
# commitments, and a safety framework to publish before the AI Action Summit
# (February 2025). Paraphrased; each lab takes all eight (non-binding).
SEOUL=(
    "seoul-1-i|Assess the risks of our frontier models across the lifecycle: before and during training and before deployment, with external evaluators where appropriate."
    "seoul-1-ii|Set thresholds at which severe risks would be intolerable unless adequately mitigated, and say how they are monitored."
    "seoul-1-iii|Explain how risk mitigations are identified and implemented to keep risks within those thresholds."
    "seoul-1-iv|Set out what we do when a model's risks meet or exceed a threshold, up to not developing or deploying it at all."
    "seoul-1-v|Keep investing in our ability to meet commitments i to iv, including risk assessment, mitigation and their evaluation."
    "seoul-2-vi|Hold ourselves to commitments i to v through internal accountability and governance frameworks, with roles, responsibilities and resources."
    "seoul-3-vii|Publish how we implement commitments i to vi, except where that would increase risk or reveal sensitive commercial information."
    "seoul-3-viii|Explain how external actors (governments, civil society, academics, the public) take part in assessing our risks."
)
first=""
for lab in "${LABS[@]}"; do
    for item in "${SEOUL[@]}"; do
        submit "$lab" "\"type\":\"publish_commitment\",\"commitment\":\"${item%%|*}\",\"text\":\"${item#*|}\""
        first=${first:-$INDEX}
    done
    if [ "$lab" != compute-leader-1 ]; then
        submit "$lab" '"type":"publish_commitment","commitment":"publish-framework","text":"Publish a frontier AI safety framework before the AI Action Summit (France, February 2025)."'
    fi
done
step "#$first-#$INDEX every lab takes the eight Frontier AI Safety Commitments (Seoul: three outcomes) and promises a safety framework by February 2025"

# The pact binds once 3 labs pledge; after that, a pledge cannot be withdrawn
# without a breach.
for lab in safety-focused fast-follower-1 compute-leader-1; do
    say_submit "$lab" '"type":"pledge","pact":"frontier-safety-pact"' "pledges to frontier-safety-pact"
done

# --- Quarterly reports ------------------------------------------------------

# Safety investment reported each quarter (units = credits once audited).
declare -A INVEST=(
    [compute-leader-1]="30 30 30 30" [compute-leader-2]="12 12 15 15"
    [open-weights]="15 18 20 20" [safety-focused]="60 60 60 60"
    [fast-follower-1]="25 25 25 25" [fast-follower-2]="8 20 60 40"
)
# Training compute (FLOP) per quarter, around the world's Epoch AI calibration.
# fast-follower-2 under-reports in Q2 (its real run was ~6e25 FLOP).
declare -A FLOP=(
    [compute-leader-1]="5.0e26 5.1e26 5.3e26 5.4e26" [compute-leader-2]="3.8e26 3.9e26 4.0e26 4.1e26"
    [open-weights]="5.2e25 5.3e25 5.4e25 5.5e25" [safety-focused]="3.4e25 3.5e25 3.5e25 3.6e25"
    [fast-follower-1]="2.5e25 2.6e25 2.6e25 2.7e25" [fast-follower-2]="2.1e25 2.2e25 6.2e25 6.3e25"
)
declare -A EVAL=(
    [compute-leader-1]="0.62 0.64 0.66 0.68" [compute-leader-2]="0.60 0.62 0.63 0.65"
    [open-weights]="0.55 0.56 0.58 0.59" [safety-focused]="0.54 0.55 0.56 0.57"
    [fast-follower-1]="0.50 0.52 0.53 0.55" [fast-follower-2]="0.49 0.51 0.58 0.60"
)
nth() { local -a values=($1); echo "${values[$2]}"; }

# Every lab reports its investment and both early-warning metrics each
# quarter (a missing metric report raises an alert and counts against it).
report_quarter() {
    local lab first=""
    for lab in "${LABS[@]}"; do
        submit "$lab" "\"type\":\"report_investment\",\"amount\":$(nth "${INVEST[$lab]}" "$PERIOD")"
        first=${first:-$INDEX}
        submit "$lab" "\"type\":\"report_metric\",\"metric\":\"training_compute_flop\",\"value\":$(nth "${FLOP[$lab]}" "$PERIOD")"
        submit "$lab" "\"type\":\"report_metric\",\"metric\":\"capability_eval_score\",\"value\":$(nth "${EVAL[$lab]}" "$PERIOD")"
    done
    step "#$first-#$INDEX six labs report $(quarter "$PERIOD") safety investment, training_compute_flop and capability_eval_score"
    for lab in "${LABS[@]}"; do
        printf '      %-17s invested %-3s compute %s FLOP  eval %s\n' "$lab" \
            "$(nth "${INVEST[$lab]}" "$PERIOD")" "$(nth "${FLOP[$lab]}" "$PERIOD")" "$(nth "${EVAL[$lab]}" "$PERIOD")"
    done
}

# audit_and_credit LAB [VERIFIED_BY_SECOND_MONITOR] — two monitors of the
# lab's panel audit the previous quarter as compliant, verifying the
# investment; the secretariat then issues the credits. Issuance pays what a
# quorum vouches for: the 2nd-largest verified amount, never more than reported.
audit_and_credit() {
    local lab=$1 audited=$((PERIOD - 1)) i k m1 m2 amount second
    amount=$(nth "${INVEST[$lab]}" "$audited")
    second=${2:-$amount}
    # Rotate which two of the three monitors do the work.
    for i in "${!LABS[@]}"; do [ "${LABS[$i]}" = "$lab" ] && k=$(((i + audited) % 3)); done
    m1=${MONITORS[$k]} m2=${MONITORS[$(((k + 1) % 3))]}
    submit "$m1" "\"type\":\"audit\",\"lab\":\"$lab\",\"audited_period\":$audited,\"verdict\":\"compliant\",\"verified_investment\":$amount"
    submit "$m2" "\"type\":\"audit\",\"lab\":\"$lab\",\"audited_period\":$audited,\"verdict\":\"compliant\",\"verified_investment\":$second"
    local verdict=$EFFECTS
    submit secretariat "\"type\":\"issue_credits\",\"lab\":\"$lab\",\"for_period\":$audited"
    step "#$INDEX $(printf '%-17s' "$lab") $(quarter "$audited") audited by $m1 ($amount) and $m2 ($second): $verdict -> $EFFECTS"
}

report_quarter
close_period

# ============================================================================
say "$(quarter $PERIOD) (period $PERIOD): audits of $(quarter $((PERIOD - 1))), credits, a fourth pledge"
# ============================================================================

for lab in "${LABS[@]}"; do
    if [ "$lab" = open-weights ]; then
        # One monitor could only verify 12 of the 15 units reported: 12 credits.
        audit_and_credit "$lab" 12
    else
        audit_and_credit "$lab"
    fi
done
say_submit open-weights '"type":"pledge","pact":"frontier-safety-pact"' "pledges to the (already binding) frontier-safety-pact"
# Revisions keep the old text on record. A binding commitment can only be
# revised into one that binds as much; a non-binding one can be weakened,
# in public.
say_submit compute-leader-1 '"type":"publish_commitment","commitment":"safety-framework-v2","text":"Publish a frontier safety framework with capability thresholds and the mitigations each requires, and follow it.","binding":true,"revises":"safety-framework"' \
    "revises its binding safety framework (v2: thresholds and mitigations)"
say_submit open-weights '"type":"publish_commitment","commitment":"model-cards-v2","text":"Publish a model card with every major open-weights release.","revises":"model-cards"' \
    "revises its model-card commitment (now major releases only)"
report_quarter
close_period

# A first independent audit: fetch the log, check the witnessed checkpoint,
# replay every event and compare state hashes; remember the checkpoint.
wait_witnessed
step "independent audit of the log so far:"
"$ACCORD" registry audit "$URL" --vkey "$LOG_VKEY" "${POLICY[@]}" --known "$WORK/known-checkpoint" |
    sed -e '/^first audit with/d' -e 's/^/      /'
step "(its checkpoint is kept in known-checkpoint: the year-end audit must extend it)"

# ============================================================================
say "$(quarter $PERIOD) (period $PERIOD): a whistleblower, a failed audit, sanctions"
# ============================================================================

# The secretariat records an insider's report by its SHA-256 only.
report_hash=$(printf 'fast-follower-2 ran a ~6e25 FLOP training run in Q2 and reported 2.2e25' | { sha256sum 2>/dev/null || shasum -a 256; } | cut -d' ' -f1)
say_submit secretariat "\"type\":\"whistleblower_receipt\",\"lab\":\"fast-follower-2\",\"report_commitment\":\"$report_hash\"" \
    "records a whistleblower report on fast-follower-2 (hash only)"

# The panel audits fast-follower-2's Q2: one monitor finds nothing, two
# measure 6e25 FLOP against the 2.2e25 reported and find its binding
# commitment violated. Two violation votes make the verdict.
say_submit monitor-3 '"type":"audit","lab":"fast-follower-2","audited_period":1,"verdict":"compliant","verified_investment":20' \
    "audits fast-follower-2 Q2: compliant"
say_submit monitor-1 '"type":"audit","lab":"fast-follower-2","audited_period":1,"verdict":"violation","measurements":{"training_compute_flop":6.0e25},"violated_commitments":["fast-follower-2/honest-compute-reports"]' \
    "audits fast-follower-2 Q2: violation, measured 6.0e25 FLOP"
say_submit monitor-2 '"type":"audit","lab":"fast-follower-2","audited_period":1,"verdict":"violation","measurements":{"training_compute_flop":6.1e25},"violated_commitments":["fast-follower-2/honest-compute-reports"]' \
    "audits fast-follower-2 Q2: violation, measured 6.1e25 FLOP"
# The verdict escalated it to a warning; misreporting to the registry is a
# separate breach, which the secretariat sanctions by hand: the next rung
# fines 20 credits it does not hold, so it owes them.
say_submit secretariat '"type":"sanction_decision","lab":"fast-follower-2","action":"escalate","cause":"misreported Q2 training compute to the registry (2.2e25 reported, 6e25 measured)"' \
    "sanction_decision escalate fast-follower-2"

# The other labs' Q2 audits are routine.
for lab in "${LABS[@]}"; do
    [ "$lab" = fast-follower-2 ] || audit_and_credit "$lab"
done

# A withdrawal stays on record with its reason.
say_submit compute-leader-2 '"type":"withdraw_commitment","commitment":"seoul-3-viii","reason":"external involvement in risk assessment is under review"' \
    "withdraws Seoul commitment viii (external actors in risk assessment)"

# A pact breach: compute-leader-1 tries to leave the binding pact.
say_submit compute-leader-1 '"type":"withdraw_pledge","pact":"frontier-safety-pact"' \
    "tries to withdraw from the binding frontier-safety-pact"

# Access now: fast-follower-2 owes its fine and compensation and holds no
# earned credits; compute-leader-1 holds credits but breached a binding pact.
grant fast-follower-2
grant compute-leader-1

report_quarter   # fast-follower-2 reports honestly now, and invests 60 to remediate
close_period

# ============================================================================
say "$(quarter $PERIOD) (period $PERIOD): remediation"
# ============================================================================

for lab in "${LABS[@]}"; do audit_and_credit "$lab"; done
# fast-follower-2's 60 credits first settle what it owes (2 compensation to
# the pool, 20 fine burned); the rest are earned credits it holds.
step "fast-follower-2 now holds $(lab_field fast-follower-2 balance) credits and owes $(lab_field fast-follower-2 owed)"
# Automatic step-down needs 4 consecutive audited-compliant quarters, more
# than fast-follower-2 has had since its breach: the secretariat steps the
# lab down one rung by hand, recording why.
say_submit secretariat '"type":"sanction_decision","lab":"fast-follower-2","action":"step_down","cause":"remediated: obligations settled, Q3 audited compliant, compute reported as measured"' \
    "sanction_decision step_down fast-follower-2"
grant fast-follower-2

report_quarter
close_period

# ============================================================================
say "End of the year (now period $PERIOD): independent audit"
# ============================================================================

# Anyone can do this: fetch every log entry, check that they hash to the
# checkpoint signed by the registry's key and cosigned by 2 of the 3
# witnesses, that the log extends the checkpoint audited in Q3 (--known),
# and replay every event through the protocol core to the same state hash;
# every access grant handed out this year is recomputed from the log too.
wait_witnessed
GRANTS=()
for file in "$WORK"/grant-*.json; do GRANTS+=(--grant "$file"); done
"$ACCORD" registry audit "$URL" --vkey "$LOG_VKEY" "${POLICY[@]}" --known "$WORK/known-checkpoint" "${GRANTS[@]}" | sed 's/^/  /'

say "Summary"
printf '  %-17s %7s %5s  %-15s %s\n' lab credits owed sanction "compute access"
for lab in "${LABS[@]}"; do
    record=$("$ACCORD" registry status --url "$URL" --lab "$lab")
    reasons=$(printf '%s\n' "$record" | sed -n 's/^ *"reason": "\([a-z_]*\)".*/\1/p' | paste -sd, -)
    access=$([ "$(json_field allowed <<<"$record")" = true ] && echo ALLOWED || echo "DENIED ($reasons)")
    printf '  %-17s %7s %5s  %-15s %s\n' "$lab" "$(json_field balance <<<"$record")" \
        "$(json_field owed <<<"$record")" "$(json_field rung <<<"$record")" "$access"
done
summary=$("$ACCORD" registry status --url "$URL")
echo
step "log: $(json_field log_size <<<"$summary") entries (genesis + events), period $PERIOD, state hash $(json_field state_hash <<<"$summary")"
step "early-warning alerts raised: $ALERTS (GET /v1/alerts lists them)"
step "frontier-safety-pact: binding since Q1, 4 pledges; compute-leader-1's attempt to leave was a breach (no compute for 4 quarters)"
step "fast-follower-2: violation -> warning -> credit fine -> remediation -> step down -> access ALLOWED"
echo
echo "done: every event was accepted, both grants verified offline, the audit replayed the log."
if [ "$SERVE" = 1 ]; then
    echo "pages on $URL/commitments (log verifier key: $LOG_VKEY)"
    wait "$REGISTRY_PID"
fi
