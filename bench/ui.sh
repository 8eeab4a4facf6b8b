#!/usr/bin/env bash
# The web view on a big store: 10,000 runs and one step log of 1,000,000
# lines. Prints the time to first byte and the full load of the runs page
# and of the log's (last) page, first and second open.
# Usage: bench/ui.sh [MLCI]   (default: target/release/mlci)
set -euo pipefail
MLCI=$(realpath "${1:-target/release/mlci}")
DIR=$(mktemp -d "${TMPDIR:-/tmp}/mlci-ui-bench.XXXXXX")
trap 'kill $UI 2>/dev/null || true; rm -rf "$DIR"' EXIT
mkdir -p "$DIR/store/runs/1/big-0"
# One real run records the schema, then 9,999 more rows are copied from it.
cd "$DIR" && git init -q -b main && mkdir -p .github/workflows
printf 'on: push\njobs:\n  big:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n' > .github/workflows/ci.yml
git add -A && git -c user.name=b -c user.email=b@b commit -qm bench
"$MLCI" run -P ubuntu-latest=host --store "$DIR/store" >/dev/null
python3 - "$DIR/store" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1] + "/mlci.db")
db.executemany(
    "INSERT INTO runs (workflow, path, event, git_ref, sha, status, result, started_at, finished_at, exit_code, pid) "
    "SELECT workflow, path, event, git_ref, sha, status, ?, started_at, finished_at, exit_code, pid FROM runs WHERE id = 1",
    [("success" if i % 7 else "failure",) for i in range(9999)])
db.commit()
PY
python3 -c "
import sys
with open('$DIR/store/runs/1/big-0/0.log', 'w') as f:
    for i in range(1, 1000001):
        f.write('\x1b[32mstep %d\x1b[0m loss=0.%06d\n' % (i, i) if i % 1000 else 'Error: bad batch %d\n' % i)
"
ls -la "$DIR/store/runs/1/big-0/0.log" | awk '{print "log file:", $5, "bytes"}'
"$MLCI" ui --store "$DIR/store" --listen 127.0.0.1:0 > "$DIR/ui.out" &
UI=$!
while ! grep -q http "$DIR/ui.out" 2>/dev/null; do sleep 0.05; done
URL=$(grep -o 'http://[^ ]*' "$DIR/ui.out" | sed 's#/$##')
measure() {
  curl -s -o /dev/null -w "$1: first byte %{time_starttransfer}s, full %{time_total}s, %{size_download} bytes\n" "$URL$2"
}
measure "runs page (10,000 runs)" "/"
measure "runs page, 100th page" "/?before=5000"
measure "runs page, failures only" "/?result=failure"
measure "log page, first open (indexes 1,000,000 lines)" "/runs/1/log?job=big&leg=0&attempt=1&step=0"
measure "log page, second open" "/runs/1/log?job=big&leg=0&attempt=1&step=0"
measure "log page, page 500" "/runs/1/log?job=big&leg=0&attempt=1&step=0&page=500"
echo "server memory (RSS): $(ps -o rss= -p $UI) KiB"
