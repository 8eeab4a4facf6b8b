#!/usr/bin/env bash
# Moving a 1 GB model checkpoint through mlci's artifacts, against `cp`.
#
# Writes 1 GiB of random data (a checkpoint does not compress) into a
# temporary folder, times `cp` of it to the same folder (same disk), then
# runs the driver in src/artifacts/bench.rs (release build) that uploads it
# as an artifact and downloads it again, each timed after a `sync`.
# The target (issue 4): upload + download take at most twice `cp`'s time.
#
# Usage: bench/artifacts-1gb.sh [RUNS]   (default 3; temporary folder under
# $TMPDIR or /tmp, removed at the end)
set -euo pipefail
RUNS=${1:-3}
cd "$(dirname "$0")/.."
DIR=$(mktemp -d "${TMPDIR:-/tmp}/mlci-artifacts-bench.XXXXXX")
trap 'rm -rf "$DIR"' EXIT

echo "building the driver (release)..."
cargo test --release --lib --no-run -q

head -c 1G /dev/urandom >"$DIR/checkpoint.bin"
echo "file: $DIR/checkpoint.bin ($(stat -c %s "$DIR/checkpoint.bin") bytes), on $(df --output=source "$DIR" | tail -1)"

for run in $(seq "$RUNS"); do
  sync
  start=$(date +%s.%N)
  cp "$DIR/checkpoint.bin" "$DIR/copy.bin"
  end=$(date +%s.%N)
  echo "run $run: cp $(echo "$end - $start" | bc -l | xargs printf '%.3f') s"
  rm "$DIR/copy.bin"
done

MLCI_BENCH_FILE="$DIR/checkpoint.bin" MLCI_BENCH_RUNS="$RUNS" \
  cargo test --release --lib -q artifacts::bench -- --ignored --nocapture 2>&1 | grep '^run '
