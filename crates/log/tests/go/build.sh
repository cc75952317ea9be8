#!/bin/sh
# Build the Go reference oracle (tlogref) for Accord's differential tests.
#
# Usage: build.sh [OUTPUT_BINARY] [SOURCE]
#   default OUTPUT_BINARY: <repo>/target/tlogref
#   default SOURCE: tlogref.go (the oracle); tlogbench.go is the benchmark
#
# Requires Debian packages:  apt-get install -y golang-go golang-golang-x-mod-dev
# Environment overrides:
#   GO        go binary to use (default: go on PATH)
#   GOCACHE   writable Go build cache (default: a fresh temp dir, removed after)
#   GOPATH    root containing src/golang.org/x/mod (used only if it has x/mod;
#             otherwise found via dpkg -L golang-golang-x-mod-dev)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/../../../../target/tlogref"}
src=${2:-tlogref.go}
case "$out" in /*) ;; *) out="$(pwd)/$out" ;; esac

die() { echo "build.sh: error: $*" >&2; exit 1; }

GO=${GO:-go}
command -v "$GO" >/dev/null 2>&1 || die "'$GO' not found; install it with: apt-get install -y golang-go golang-golang-x-mod-dev"

# Locate the GOPATH root holding golang.org/x/mod (Debian: /usr/share/gocode).
# An ambient GOPATH is used only if it actually contains x/mod/sumdb.
has_xmod() { [ -f "$1/src/golang.org/x/mod/sumdb/tlog/tlog.go" ] && [ -f "$1/src/golang.org/x/mod/sumdb/note/note.go" ]; }
root=""
if [ -n "${GOPATH:-}" ] && has_xmod "$GOPATH"; then
    root=$GOPATH
else
    if command -v dpkg >/dev/null 2>&1; then
        f=$(dpkg -L golang-golang-x-mod-dev 2>/dev/null | grep '/src/golang.org/x/mod/sumdb/tlog/tlog.go$' | head -n1 || true)
        [ -n "$f" ] && root=${f%/src/golang.org/x/mod/sumdb/tlog/tlog.go}
    fi
    if [ -z "$root" ] && has_xmod /usr/share/gocode; then
        root=/usr/share/gocode
    fi
fi
[ -n "$root" ] && has_xmod "$root" || die "golang.org/x/mod/sumdb sources not found (GOPATH=${GOPATH:-unset}); install them with: apt-get install -y golang-golang-x-mod-dev"
GOPATH=$root

tmpcache=""
if [ -z "${GOCACHE:-}" ]; then
    tmpcache=$(mktemp -d "${TMPDIR:-/tmp}/tlogref-gocache.XXXXXX")
    GOCACHE=$tmpcache
    trap 'rm -rf "$tmpcache"' EXIT
    trap 'exit 130' INT TERM
fi
mkdir -p "$GOCACHE" "$(dirname "$out")"

# GOPATH mode: Debian ships x/mod as GOPATH source, not as a module.
# GOFLAGS cleared so a user's -mod=... setting cannot break GOPATH mode.
cd "$here"
GO111MODULE=off GOPATH=$GOPATH GOCACHE=$GOCACHE GOFLAGS= CGO_ENABLED=0 \
    "$GO" build -o "$out" "$src" || die "go build of $src failed"
echo "built $out (GOPATH=$GOPATH)" >&2
