#!/usr/bin/env bash
# Benchmark: the runner daemon (issue 5).
#
#   1. the daemon's memory (RSS) while idle with 3 repositories configured;
#   2. the time from `git push` returning to the first step starting, on the
#      host backend and in a container, against `mlci run` of the same
#      workflow started by hand (what a push would cost without a daemon).
#
# Usage: bench/runner-latency.sh     Env: PUSHES (default 10)
# Needs: Docker with mlci/runner:bookworm (mlci images build), git.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PUSHES=${PUSHES:-10}
echo "== building (release)"
(cd "$ROOT" && cargo build --release --quiet)
MLCI="$ROOT/target/release/mlci"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mlci-runner-bench.XXXXXX")
DAEMON=
trap '[ -n "$DAEMON" ] && kill "$DAEMON" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
cd "$WORK"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

for repo in vision nlp audio; do
  git init --quiet --bare --initial-branch=main "$repo.git"
done
git clone --quiet vision.git work
cd work
git config user.name bench && git config user.email bench@example.com
git checkout --quiet -B main
mkdir -p .github/workflows
cat > .github/workflows/host.yml <<YML
on:
  push:
    branches: [host]
jobs:
  first:
    runs-on: ubuntu-latest
    steps:
      - run: date +%s.%N > $WORK/started
YML
cat > .github/workflows/docker.yml <<YML
on:
  push:
    branches: [docker]
jobs:
  first:
    runs-on: container
    container:
      image: mlci/runner:bookworm
      volumes: ["$WORK:/stamp"]
    steps:
      - run: date +%s.%N > /stamp/started
YML
git add -A && git commit --quiet -m start
git push --quiet origin HEAD:main
cd "$WORK"

cat > runner.yml <<YML
store: store
capacity: 2
listen: 127.0.0.1:$PORT
labels:
  ubuntu-latest: host
  container: mlci/runner:bookworm
repos:
  - { name: vision, path: vision.git }
  - { name: nlp, path: nlp.git }
  - { name: audio, path: audio.git }
YML
for repo in vision nlp audio; do "$MLCI" hook install --repo "$repo.git" --config runner.yml >/dev/null; done
"$MLCI" runner start --config runner.yml > daemon.log 2>&1 &
DAEMON=$!
until grep -q "listening on" daemon.log; do sleep 0.1; done
sleep 5
echo "== idle memory, 3 repositories: $(ps -o rss= -p "$DAEMON" | awk '{printf "%.1f MiB", $1/1024}')"

settle() { # wait until no run is queued or running
  until "$MLCI" runner status --config runner.yml --json | python3 -c 'import json,sys; s=json.load(sys.stdin); sys.exit(0 if not s["queued"] and not s["running"] else 1)' 2>/dev/null; do sleep 0.2; done
}

latency() { # branch
  local branch=$1 total=0 i
  for ((i = 0; i < PUSHES; i++)); do
    rm -f started
    (cd work && git commit --quiet --allow-empty -m "$branch $i")
    (cd work && git push --quiet origin "HEAD:$branch" 2>/dev/null)
    pushed=$(date +%s.%N)
    until [ -s started ]; do sleep 0.01; done
    total=$(python3 -c "print($total + $(cat started) - $pushed)")
    settle
  done
  python3 -c "print(f'{$total / $PUSHES * 1000:.0f} ms')"
}
echo "== git push returned -> first step started (mean of $PUSHES):"
echo "   host backend:   $(latency host)"
echo "   docker backend: $(latency docker)"

echo "== by hand: mlci run of the same workflows, start -> first step started (mean of $PUSHES):"
git clone --quiet vision.git by-hand 2>/dev/null
by_hand() { # workflow file, platform
  local total=0 i
  for ((i = 0; i < PUSHES; i++)); do
    rm -f started
    start=$(date +%s.%N)
    (cd by-hand && git checkout --quiet -B "${1%.yml}" && "$MLCI" run -W ".github/workflows/$1" -P "$2" --store "$WORK/hand-store" >/dev/null)
    total=$(python3 -c "print($total + $(cat started) - $start)")
  done
  python3 -c "print(f'{$total / $PUSHES * 1000:.0f} ms')"
}
echo "   host backend:   $(by_hand host.yml ubuntu-latest=host)"
echo "   docker backend: $(by_hand docker.yml container=mlci/runner:bookworm)"
