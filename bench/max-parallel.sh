#!/usr/bin/env bash
# Benchmark: the default `--max-parallel` on a `max-parallel: 3` matrix of
# three `sleep 1` legs in Docker (issue 11, item 26), against the old
# default (one job per CPU) and against a limit high enough to not matter.
# Results are recorded in docs/performance.md.
#
# Usage: bench/max-parallel.sh [MLCI]   Env: RUNS (default 5)
# MLCI defaults to target/release/mlci (built if missing).
# Needs: Docker with mlci/runner:bookworm, hyperfine (installed if missing).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-5}
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
MLCI=${1:-$ROOT/target/release/mlci}
[ -x "$MLCI" ] || (cd "$ROOT" && cargo build --release --quiet)
MLCI=$(realpath "$MLCI")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mlci-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
git init -q . && git -c user.name=b -c user.email=b@b commit -q --allow-empty -m init
mkdir -p .github/workflows
cat >.github/workflows/matrix.yml <<'YAML'
on: push
jobs:
  legs:
    runs-on: ubuntu-latest
    strategy:
      max-parallel: 3
      matrix:
        n: [1, 2, 3]
    steps:
      - run: sleep 1
YAML

echo "== $(nproc) CPUs; $MLCI"
hyperfine --warmup 1 --runs "$RUNS" --export-markdown "$WORK/result.md" \
  -n "old default (--max-parallel $(nproc))" "$MLCI run --store $WORK/store --max-parallel $(nproc)" \
  -n "new default" "$MLCI run --store $WORK/store" \
  -n "limit raised (--max-parallel 100)" "$MLCI run --store $WORK/store --max-parallel 100"
cat "$WORK/result.md"
