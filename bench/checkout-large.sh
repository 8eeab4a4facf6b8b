#!/usr/bin/env bash
# Times the built-in actions/checkout on a large repository: 10,000 files of
# 100 KB of random bytes (1 GB) in 100 folders, one commit, loose objects as
# `git add` leaves them. In the same run, for comparison:
#   - `cp -r` of the working tree;
#   - `git clone --local`, which hard-links the objects, as mlci's checkout
#     did before a job could be allowed no inode of the user's repository;
#   - `git clone --no-hardlinks`, which copies them, as mlci does now.
#
#   bench/checkout-large.sh [REPO_DIR]     (default: $TMPDIR/mlci-checkout-large)
#   ROUNDS=3 MLCI=target/release/mlci bench/checkout-large.sh
#
# The repository is made once and reused. Every copy goes to a fresh folder
# beside it, so all are on one file system, as a workspace under the store is.
# mlci's figure is the checkout step's own time (`seconds` of its
# step_finished event), from `mlci run --backend host`.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
mlci=$(realpath "${MLCI:-$here/target/release/mlci}")
rounds=${ROUNDS:-3}
repo=${1:-${TMPDIR:-/tmp}/mlci-checkout-large}
[ -x "$mlci" ] || { echo "build mlci first: cargo build --release" >&2; exit 1; }

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

scratch=$(mktemp -d "$(dirname "$repo")/mlci-checkout-bench.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
cat > "$scratch/checkout.yml" <<'EOF'
on: push
jobs:
  checkout:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
EOF

# Prints the milliseconds a command takes, after flushing the page cache's
# dirty pages so one copy's writeback does not land on the next.
ms() {
  sync
  local start end
  start=$(date +%s%N)
  "$@" > /dev/null
  end=$(date +%s%N)
  echo $(( (end - start) / 1000000 ))
}

mlci_checkout_ms() {
  local store=$scratch/store
  rm -rf "$store"
  sync
  (cd "$repo" && "$mlci" run -W "$scratch/checkout.yml" --backend host --store "$store" --json) |
    python3 -c 'import json,sys
for line in sys.stdin:
    e = json.loads(line)
    if e.get("type") == "step_finished":
        print(round(e["seconds"] * 1000))'
  rm -rf "$store"
}

echo "round  cp -r  git clone --local (hard links)  git clone --no-hardlinks  mlci checkout  (ms)"
for round in $(seq 1 "$rounds"); do
  cp_ms=$(ms cp -r "$repo/data" "$scratch/cp"); rm -rf "$scratch/cp"
  local_ms=$(ms git clone -q --local "$repo" "$scratch/local"); rm -rf "$scratch/local"
  copy_ms=$(ms git clone -q --local --no-hardlinks "$repo" "$scratch/copy"); rm -rf "$scratch/copy"
  mlci_ms=$(mlci_checkout_ms)
  echo "$round      $cp_ms  $local_ms  $copy_ms  $mlci_ms"
done
