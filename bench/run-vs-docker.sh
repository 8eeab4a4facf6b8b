#!/usr/bin/env bash
# Benchmark: `mlci run` against the Docker CLI on the same machine, in the
# same session (issue 3's targets), and a 200-job graph on the host backend
# against make. Results are recorded in docs/performance.md.
#
#   1. a 1-job, 1-step workflow (`true`)   vs  docker run --rm IMAGE true     (target: within 1.5x)
#   2. each further step (11 vs 1 steps)   vs  one `docker exec C true`       (target: within 1.3x)
#   3. a step printing 1,000,000 lines     vs  docker exec C sh -c 'seq 1000000' >/dev/null  (within 1.3x)
#   4. 200 jobs, fan-out/fan-in, --backend host   vs  make -j$(nproc) on the same graph
#
# Usage: bench/run-vs-docker.sh     Env: RUNS (default 10)
# Needs: Docker with mlci/runner:bookworm (mlci images build), hyperfine (installed if missing).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-10}
IMAGE=mlci/runner:bookworm
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }

echo "== building (release)"
(cd "$ROOT" && cargo build --release --quiet)
MLCI="$ROOT/target/release/mlci"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mlci-bench.XXXXXX")
trap 'docker rm -f mlci-bench-exec >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
cd "$WORK"

workflow() { # name, steps (each a run: line), [job count]
  local name=$1 steps=$2
  {
    echo "on: push"
    echo "jobs:"
    echo "  only:"
    echo "    runs-on: ubuntu-latest"
    echo "    steps:"
    for ((i = 0; i < steps; i++)); do echo "      - run: $3"; done
  } >"$name.yml"
}
workflow one-step 1 true
workflow eleven-steps 11 true
workflow million-lines 1 "seq 1000000"

# Fan-out/fan-in: a root, 198 independent jobs that need it, and a sink.
{
  echo "on: push"
  echo "jobs:"
  echo "  root: {runs-on: ubuntu-latest, steps: [{run: 'true'}]}"
  for ((i = 0; i < 198; i++)); do echo "  j$i: {runs-on: ubuntu-latest, needs: root, steps: [{run: 'true'}]}"; done
  printf "  sink: {runs-on: ubuntu-latest, needs: ["
  for ((i = 0; i < 198; i++)); do printf "j%d%s" "$i" "$([ $i -lt 197 ] && echo ', ')"; done
  echo "], steps: [{run: 'true'}]}"
} >fan.yml
{
  echo "all: sink"
  echo "root: ; @true"
  for ((i = 0; i < 198; i++)); do echo "j$i: root ; @true"; done
  printf "sink:"
  for ((i = 0; i < 198; i++)); do printf " j%d" "$i"; done
  echo " ; @true"
  echo ".PHONY: all root sink $(for ((i = 0; i < 198; i++)); do printf 'j%d ' "$i"; done)"
} >Makefile

run() { echo "$MLCI run -W $1.yml --store $WORK/store ${2:-}"; }
docker run -d --name mlci-bench-exec --entrypoint tail "$IMAGE" -f /dev/null >/dev/null

echo "== 1. one job, one step vs docker run --rm"
hyperfine -N --warmup 2 --runs "$RUNS" --export-markdown one.md \
  "docker run --rm $IMAGE true" "$(run one-step)"
echo "== 2. eleven steps vs one step vs docker exec"
hyperfine -N --warmup 2 --runs "$RUNS" --export-markdown steps.md \
  "docker exec mlci-bench-exec true" "$(run one-step)" "$(run eleven-steps)"
echo "== 3. a million lines"
hyperfine --warmup 1 --runs "$RUNS" --export-markdown lines.md \
  "docker exec mlci-bench-exec sh -c 'seq 1000000' >/dev/null" "$(run million-lines) >/dev/null" "$(run one-step) >/dev/null"
echo "== 4. 200 jobs on the host backend vs make"
hyperfine --warmup 1 --runs "$RUNS" --export-markdown fan.md \
  "make -s -j$(nproc)" "$(run fan "--backend host") >/dev/null"
cat one.md steps.md lines.md fan.md
