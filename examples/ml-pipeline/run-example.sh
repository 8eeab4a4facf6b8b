#!/usr/bin/env bash
# Runs the example pipeline end to end with mlci, as a user would: the
# example copied into its own git repository (actions/checkout checks out
# the commit of the repository mlci runs in), then `mlci run`.
#
# Usage: examples/ml-pipeline/run-example.sh [MLCI] [DIR]
#   MLCI  the mlci binary (default: target/release/mlci of this repository)
#   DIR   where to put the repository (default: a fresh temporary directory)
# Extra mlci flags can go in MLCI_FLAGS, e.g. MLCI_FLAGS="--env MLCI_EXAMPLE_BAD_MODEL=1".
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MLCI=$(realpath "${1:-$HERE/../../target/release/mlci}")
DIR=${2:-$(mktemp -d "${TMPDIR:-/tmp}/mlci-ml-pipeline.XXXXXX")}

[ -x "$MLCI" ] || { echo "error: no mlci binary at $MLCI (cargo build --release first)" >&2; exit 2; }
mkdir -p "$DIR"
cp -r "$HERE"/. "$DIR"/
rm -f "$DIR/run-example.sh"
cd "$DIR"
if [ ! -d .git ]; then
  git init -q -b main
  git add -A
  git -c user.name=mlci -c user.email=mlci@example.com commit -qm "ML pipeline example"
fi
echo "== running the pipeline in $DIR"
status=0
# shellcheck disable=SC2086
"$MLCI" run -W .github/workflows/train-gate-deploy.yml ${MLCI_FLAGS:-} || status=$?
# Said after the run's table, where a new user looks next.
echo "== see the run in a browser: cd $DIR && $MLCI ui"
exit "$status"
