#!/usr/bin/env bash
# Overhead of a job leg on Slurm: `mlci run --backend slurm` of one job with
# one `true` step, against a bare `sbatch --wrap true` watched with squeue
# every 50 ms (`sbatch --wait` itself polls every 10 s, which would hide
# everything), and the same leg with `--backend host`, measured in the same
# run on the cluster of tests/slurm/setup.sh. From the run's record
# (`mlci show --json`): submit → first step (the leg's start, which is
# just before `sbatch`, to its step's start) and last step → job end (the
# step's end to the leg's end, which waits for the job to leave Slurm).
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
# Submit → first step and last step → job end of the newest run, in seconds.
split() {
  (cd "$DIR" && "$MLCI" show "$1" --json) | python3 -c '
import json, sys
from datetime import datetime
t = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
job = json.load(sys.stdin)["jobs"][0]
steps = job["steps"]
print("%.2f %.2f" % (t(steps[0]["started_at"]) - t(job["started_at"]), t(job["finished_at"]) - t(steps[-1]["finished_at"])))'
}
# Other checkouts' Slurm tests take turns with this lock (tests/support/slurm.rs).
exec 9>>/tmp/mlci-slurm-tests.lock
flock 9
run=0
for i in $(seq 1 "$ROUNDS"); do
  t0=$(now)
  id=$(cd "$DIR" && sbatch --parsable -o /dev/null --wrap true)
  while [ -n "$(squeue -h -j "$id" 2>/dev/null)" ]; do sleep 0.05; done
  t1=$(now)
  (cd "$DIR" && "$MLCI" run --backend slurm >/dev/null); t2=$(now)
  run=$((run + 1)); read -r first last < <(split "$run")
  (cd "$DIR" && "$MLCI" run --backend host >/dev/null); t3=$(now)
  run=$((run + 1))
  printf 'round %d: bare sbatch %.2fs  mlci on slurm %.2fs (submit→first step %ss, last step→job end %ss)  mlci on host %.2fs\n' "$i" \
    "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" "$first" "$last" "$(echo "$t3 - $t2" | bc)"
done
