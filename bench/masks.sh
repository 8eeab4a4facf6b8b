#!/usr/bin/env bash
# Masking cost with many masks: one step registers 5,000 values with
# `::add-mask::` (each followed by a line of output, as a loop that prints
# them does), then prints 100,000 lines, every tenth holding one of the
# values. Reports the run's wall time and checks that no value was shown.
#
#   bench/masks.sh [MLCI] [MASKS] [LINES]
#     (default: ./target/release/mlci 5000 100000; host backend, so the
#      figure is mlci's masking and not Docker's log stream)
set -euo pipefail
mlci=$(realpath "${1:-./target/release/mlci}")
masks=${2:-5000}
lines=${3:-100000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/.github/workflows"
cat > "$dir/.github/workflows/masks.yml" <<YAML
on: push
jobs:
  masks:
    runs-on: ubuntu-latest
    steps:
      - run: |
          awk 'BEGIN {
            for (i = 0; i < $masks; i++) {
              printf "::add-mask::value-%06d-of-the-secret-set\n", i
              printf "registered %d\n", i
            }
            for (i = 0; i < $lines; i++) {
              if (i % 10 == 0) printf "line %d shows value-%06d-of-the-secret-set here\n", i, i % $masks
              else printf "line %d is ordinary output of a training step, loss=0.%04d\n", i, i % 10000
            }
          }'
YAML
cd "$dir"
start=$(date +%s%N)
code=0
"$mlci" run --backend host --store "$dir/store" > "$dir/out.txt" 2>&1 || code=$?
end=$(date +%s%N)
leaked=$(grep -c 'of-the-secret-set' "$dir/out.txt" || true)
shown=$(grep -c '^.*line .* shows \*\*\* here' "$dir/out.txt" || true)
echo "$masks masks x $lines lines: run took $(( (end - start) / 1000000 )) ms, exit $code, masked lines $shown, values shown $leaked"
