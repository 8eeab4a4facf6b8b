#!/usr/bin/env bash
# A step that floods its output without line breaks (`cat /dev/zero`) under
# a 15 s step timeout: samples mlci's resident memory every second, then
# reports the peak, the run's wall time and exit code, and any container
# left behind.
#
#   bench/flood.sh [MLCI] [BACKEND]    (default: ./target/release/mlci docker)
set -euo pipefail
mlci=$(realpath "${1:-./target/release/mlci}")
backend=${2:-docker}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/.github/workflows"
cat > "$dir/.github/workflows/flood.yml" <<'YAML'
on: push
jobs:
  flood:
    runs-on: ubuntu-latest
    steps:
      - run: cat /dev/zero
        timeout-minutes: 0.25
YAML
cd "$dir"
start=$(date +%s%N)
"$mlci" run --backend "$backend" --store "$dir/store" > /dev/null 2>&1 &
pid=$!
peak=0
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/VmRSS/{print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
  [ "${rss:-0}" -gt "$peak" ] && peak=$rss
  sleep 1
done
code=0; wait "$pid" || code=$?
end=$(date +%s%N)
left=$(docker ps -aq --filter label=mlci.job=flood | wc -l)
echo "backend $backend: peak RSS $((peak / 1024)) MiB, run took $(( (end - start) / 1000000 )) ms, exit $code, containers left $left"
