#!/usr/bin/env bash
# Overhead of a job leg on Slurm: `mlci run --backend slurm` of one job with
# one `true` step, against a bare `sbatch --wrap true` watched with squeue
# every 50 ms (`sbatch --wait` itself polls every 10 s, which would hide
# everything), and the same leg with `--backend host`, measured in the same
# run on the cluster of tests/slurm/setup.sh.
# Usage: bench/slurm.sh [MLCI] [ROUNDS]
set -euo pipefail
MLCI=$(realpath "${1:-target/release/mlci}")
ROUNDS=${2:-5}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
mkdir -p "$DIR/.github/workflows"
printf 'on: push\njobs:\n  leg:\n    runs-on: ubuntu-latest\n    steps:\n      - run: "true"\n' >"$DIR/.github/workflows/ci.yml"
git -C "$DIR" init -q && git -C "$DIR" add -A && git -C "$DIR" -c user.name=b -c user.email=b@e commit -qm bench
now() { date +%s.%N; }
for i in $(seq 1 "$ROUNDS"); do
  t0=$(now)
  id=$(cd "$DIR" && sbatch --parsable -o /dev/null --wrap true)
  while [ -n "$(squeue -h -j "$id" 2>/dev/null)" ]; do sleep 0.05; done
  t1=$(now)
  (cd "$DIR" && "$MLCI" run --backend slurm >/dev/null); t2=$(now)
  (cd "$DIR" && "$MLCI" run --backend host >/dev/null); t3=$(now)
  printf 'round %d: bare sbatch %.2fs  mlci on slurm %.2fs  mlci on host %.2fs\n' "$i" \
    "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" "$(echo "$t3 - $t2" | bc)"
done
