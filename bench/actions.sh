#!/usr/bin/env bash
# Benchmark: published actions (issue 10), side by side in one run.
#
#   1. resolving six published actions with `mlci actions pull`: cold (empty
#      action cache) and warm (cached: one `git ls-remote` each, no fetch)
#   2. each JavaScript action step (11 vs 1 steps)  vs  one
#      `docker exec C /__e/node20/bin/node -e ''`            (aim: within 1.3x)
#   3. each Docker action step, its image built     vs  `docker run --rm IMAGE`
#
# Usage: bench/actions.sh
# Env:   RUNS (default 10); ACTIONS_DIR: a folder of OWNER/REPO.git mirrors of
#        the six actions below (default: fetched from https://github.com).
# Needs: Docker with mlci/runner:bookworm (mlci images build), git, hyperfine
#        (installed if missing).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-10}
IMAGE=mlci/runner:bookworm
SIX=(actions/github-script@v7 actions/setup-node@v4 dorny/paths-filter@v3
     benchmark-action/github-action-benchmark@v1 actions/hello-world-docker-action@v2
     actions/upload-pages-artifact@v3)
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }

echo "== building (release)"
(cd "$ROOT" && cargo build --release --quiet)
MLCI="$ROOT/target/release/mlci"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mlci-bench.XXXXXX")
trap 'docker rm -f mlci-bench-node >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
cd "$WORK"
source_args=()
[ -n "${ACTIONS_DIR:-}" ] && source_args=(--actions-dir "$ACTIONS_DIR")

# Two tiny actions of our own, as bare repositories.
git init -q --bare actions/bench/noop.git
git init -q --bare actions/bench/box.git
git init -q src && (
  cd src
  printf 'name: noop\nruns:\n  using: node20\n  main: index.js\n' >action.yml
  : >index.js
  git add -A && git -c user.name=b -c user.email=b@b commit -qm noop && git push -q ../actions/bench/noop.git HEAD:refs/tags/v1
  git rm -q -r . && printf 'FROM %s\nENTRYPOINT ["true"]\n' "$IMAGE" >Dockerfile
  printf 'name: box\nruns:\n  using: docker\n  image: Dockerfile\n' >action.yml
  git add -A && git -c user.name=b -c user.email=b@b commit -qm box && git push -q ../actions/bench/box.git HEAD:refs/tags/v1
)

repo() { # name, then step lines
  local name=$1; shift
  mkdir -p "$name/.github/workflows"
  { echo "on: push"; echo "jobs:"; echo "  only:"; echo "    runs-on: ubuntu-latest"; echo "    steps:"
    for step in "$@"; do echo "      - $step"; done; } >"$name/.github/workflows/ci.yml"
  (cd "$name" && git init -q && git add -A && git -c user.name=b -c user.email=b@b commit -qm ci)
}
repeat() { local n=$1 step=$2 i; for ((i = 0; i < n; i++)); do echo "$step"; done; }
mapfile -t six < <(printf 'uses: %s\n' "${SIX[@]}")
repo six "${six[@]}"
repo one "run: 'true'"
mapfile -t js < <(repeat 10 "uses: bench/noop@v1")
repo js "run: 'true'" "${js[@]}"
mapfile -t box < <(repeat 10 "uses: bench/box@v1")
repo box "run: 'true'" "${box[@]}"

echo "== 1. resolving six published actions (cold, then warm)"
hyperfine --runs "$RUNS" --prepare "rm -rf $WORK/cache6" \
  -n cold "cd six && $MLCI actions pull --actions-cache $WORK/cache6 ${source_args[*]}"
(cd six && "$MLCI" actions pull --actions-cache "$WORK/cache6" "${source_args[@]}" >/dev/null)
hyperfine --runs "$RUNS" -n warm "cd six && $MLCI actions pull --actions-cache $WORK/cache6 ${source_args[*]}"

local_args="--actions-dir $WORK/actions --actions-cache $WORK/cache"
(cd js && "$MLCI" run $local_args >/dev/null)   # fill the cache
(cd box && "$MLCI" run $local_args >/dev/null)  # and build the image
docker run -d --name mlci-bench-node "$IMAGE" sleep infinity >/dev/null

echo "== 2. JavaScript action steps vs docker exec node"
hyperfine --runs "$RUNS" --warmup 1 \
  -n "1 step" "cd one && $MLCI run $local_args" \
  -n "1 + 10 JavaScript action steps" "cd js && $MLCI run $local_args" \
  -n "docker exec node -e ''" "docker exec mlci-bench-node /__e/node20/bin/node -e ''"

echo "== 3. Docker action steps vs docker run"
hyperfine --runs "$RUNS" --warmup 1 \
  -n "1 step" "cd one && $MLCI run $local_args" \
  -n "1 + 10 Docker action steps" "cd box && $MLCI run $local_args" \
  -n "docker run --rm" "docker run --rm --entrypoint true $IMAGE"
