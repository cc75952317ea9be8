#!/usr/bin/env bash
# Runs Accord's whole test suite on a fresh machine: installs and starts what
# the tests need (Go's sumdb/tlog and sumdb/note for the log's differential
# tests, PostgreSQL with database `test` on 127.0.0.1:5432 for its storage
# tests), then `cargo test --workspace`, then schemathesis against the
# registry's OpenAPI document (scripts/registry-api-check.sh) and the
# registry's quick start (examples/registry/run.sh) end to end, then the
# registry's public pages in Debian's chromium (web-tests/), then the
# Python package (`pip install ./python`) with its pytest suite, which
# compares accord.egt with EGTtools 0.1.14.2 from PyPI, executes the
# notebook examples/notebooks/accord-tour.ipynb (nbclient, ipykernel) and
# runs accord.distributed on a Dask LocalCluster, then the distributed
# examples (a Slurm job array played locally, a hand-started Dask cluster).
set -euo pipefail
cd "$(dirname "$0")/.."

# Elapsed wall time at each stage, so a slow run shows where it went.
stage() { echo "-- $1 (test.sh at $((SECONDS / 60)) min $((SECONDS % 60)) s)"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v go >/dev/null 2>&1 || ! dpkg -s golang-golang-x-mod-dev >/dev/null 2>&1; then
  echo "installing golang-go and golang-golang-x-mod-dev (Go's reference transparency-log code)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go golang-golang-x-mod-dev
fi
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "installing PostgreSQL"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
fi
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  echo "starting PostgreSQL"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || as_root service postgresql start
fi
for _ in $(seq 1 60); do
  pg_isready -h 127.0.0.1 -p 5432 -q && break
  sleep 1
done
pg_isready -h 127.0.0.1 -p 5432
if ! psql -h 127.0.0.1 -U postgres -d test -c 'select 1' >/dev/null 2>&1; then
  as_root su postgres -c "createdb test" || createdb -h 127.0.0.1 -U postgres test
fi

stage "cargo test"
cargo test --workspace --locked "$@"
stage "schemathesis"
./scripts/registry-api-check.sh target/debug/accord
stage "registry quick start"
example_log="$(mktemp)"
if ! ACCORD=target/debug/accord ./examples/registry/run.sh >"$example_log" 2>&1; then
  cat "$example_log"
  echo "examples/registry/run.sh failed"
  exit 1
fi
tail -n 3 "$example_log"
rm -f "$example_log"

# The public pages in a real browser: Debian's chromium driven by
# playwright-core, axe-core for accessibility, verify.js on the
# transparency-dev vectors and against the Rust verifier (web-tests/).
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing chromium and chromium-driver (browser tests of the registry's pages)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
fi
stage "browser tests"
(cd web-tests && npm ci --no-audit --no-fund --loglevel=error && ACCORD="$PWD/../target/debug/accord" npm test)

stage "Python package and pytest"
python3 -m pip install --quiet --disable-pip-version-check ./python "egttools==0.1.14.2" "pytest>=7" pandas \
  matplotlib nbclient nbformat ipykernel "dask[distributed]" pyarrow
ACCORD=target/debug/accord python3 -m pytest -q python/tests

# The two ways out of one machine, end to end (docs/distributed.md).
stage "distributed examples"
ACCORD=target/debug/accord ./examples/distributed/job-array-locally.sh
ACCORD=target/debug/accord ./examples/distributed/dask-cluster.sh
stage "done"
