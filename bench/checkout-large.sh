#!/usr/bin/env bash
# Times the built-in actions/checkout on a large repository: 10,000 files of
# 100 KB of random bytes (1 GB) in 100 folders, one commit, loose objects as
# `git add` leaves them. For comparison it also times `cp -r` of the same
# working tree on the same disk.
#
#   bench/checkout-large.sh [REPO_DIR]     (default: $TMPDIR/mlci-checkout-large)
#
# The repository is made once and reused. The checkout goes to a fresh folder
# beside it, so both are on one file system, as a workspace under the store is.
set -euo pipefail

repo=${1:-${TMPDIR:-/tmp}/mlci-checkout-large}
if [ ! -d "$repo/.git" ]; then
  echo "making $repo (10,000 x 100 KB random files)..."
  mkdir -p "$repo"
  git -C "$repo" init -q -b main
  for d in $(seq -w 0 99); do
    mkdir -p "$repo/data/$d"
    head -c $((100 * 102400)) /dev/urandom | split -b 102400 -d -a 2 - "$repo/data/$d/part-"
  done
  git -C "$repo" add -A
  git -C "$repo" -c user.name=bench -c user.email=bench@example.com commit -q -m "1 GB of data"
fi

echo "cp -r of the working tree, for comparison:"
copy=$(mktemp -d "$(dirname "$repo")/mlci-cp.XXXXXX")
start=$(date +%s%N)
cp -r "$repo/data" "$copy/"
end=$(date +%s%N)
echo "  cp -r: $(( (end - start) / 1000000 )) ms"
rm -rf "$copy"

cd "$(dirname "$0")/.."
MLCI_CHECKOUT_BENCH_REPO="$repo" cargo test --release --lib actions::checkout::tests::large_repository_benchmark \
  -- --ignored --nocapture
