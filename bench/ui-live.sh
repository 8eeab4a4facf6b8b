#!/usr/bin/env bash
# The web view's live log: a host-backend step prints a line holding its
# own timestamp (`date +%s%N`) every 200 ms for about 20 s while CLIENTS
# clients follow it on the feed the log page uses (/live/log/ID?…, found in
# the page's data-follow, as app.js does). Prints the delay from a line's
# writing to its arrival at a client (median, p95, max over all clients'
# lines) and the memory of the `mlci ui` process (VmRSS before the clients,
# the most seen while they follow, and VmHWM) and its CPU time meanwhile.
# Usage: bench/ui-live.sh [MLCI] [CLIENTS] [LINES]
#        (defaults: target/release/mlci, 1 client, 100 lines)
set -euo pipefail
MLCI=$(realpath "${1:-target/release/mlci}")
CLIENTS=${2:-1}
LINES=${3:-100}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/mlci-ui-live.XXXXXX")
RUN= UI=
trap 'kill $UI $RUN 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$DIR"' EXIT
cd "$DIR" && git init -q -b main && mkdir -p .github/workflows
cat > .github/workflows/ci.yml <<EOF
on: push
jobs:
  live:
    runs-on: ubuntu-latest
    steps:
      - run: for i in \$(seq $LINES); do echo "tick \$i at \$(date +%s%N)"; sleep 0.2; done
EOF
git add -A && git -c user.name=b -c user.email=b@b commit -qm bench
"$MLCI" run --backend host --store "$DIR/store" > "$DIR/run.out" 2>&1 &
RUN=$!
while [ ! -f "$DIR/store/mlci.db" ]; do sleep 0.05; done
"$MLCI" ui --store "$DIR/store" --listen 127.0.0.1:0 > "$DIR/ui.out" &
UI=$!
while ! grep -q http "$DIR/ui.out" 2>/dev/null; do sleep 0.05; done
URL=$(grep -o 'http://[^ ]*' "$DIR/ui.out" | sed 's#/$##')
python3 - "$URL" "$UI" "$CLIENTS" "$LINES" <<'PY'
import html, os, re, statistics, sys, threading, time, urllib.error, urllib.request

url, pid, clients, lines = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
page = url + "/runs/1/log?job=live&leg=0&attempt=1&step=0"

def memory(field):
    with open(f"/proc/{pid}/status") as f:
        for row in f:
            if row.startswith(field + ":"):
                return int(row.split()[1])  # KiB

# Wait, as a browser reloading would, until the step runs and its page
# offers the live feed.
deadline = time.time() + 60
while True:
    try:
        body = urllib.request.urlopen(page).read().decode()
        found = re.search(r'data-follow="([^"]+)"', body)
        if found:
            feed = url + html.unescape(found.group(1))
            break
    except urllib.error.HTTPError:
        pass
    if time.time() > deadline:
        sys.exit("the step's log never offered a live feed")
    time.sleep(0.1)
before = memory("VmRSS")

def cpu_seconds():
    # utime + stime, fields 14 and 15 of /proc/PID/stat (after the name).
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
cpu_before, started = cpu_seconds(), time.time()

delays = [[] for _ in range(clients)]
ended = [False] * clients

def follow(n):
    # One server-sent events client: an event is its `data:` lines up to a
    # blank line; each tick line's delay is its arrival minus its stamp.
    with urllib.request.urlopen(feed) as stream:
        kind, data = None, []
        for raw in stream:
            arrived = time.time_ns()
            row = raw.decode().rstrip("\n")
            if row.startswith("event:"):
                kind = row[6:].strip()
            elif row.startswith("data:"):
                data.append(row[5:])
            elif row == "":
                if kind == "lines":
                    for stamp in re.findall(r"tick \d+ at (\d{19})", "\n".join(data)):
                        delays[n].append((arrived - int(stamp)) / 1e9)
                elif kind == "end":
                    ended[n] = True
                    return
                kind, data = None, []

threads = [threading.Thread(target=follow, args=(n,), daemon=True) for n in range(clients)]
for t in threads:
    t.start()
peak = before
while any(t.is_alive() for t in threads):
    peak = max(peak, memory("VmRSS"))
    time.sleep(0.2)
hwm = memory("VmHWM")
cpu, followed = cpu_seconds() - cpu_before, time.time() - started

every = sorted(d for client in delays for d in client)
if not every:
    sys.exit("no tick line reached a client")
p95 = every[min(len(every) - 1, int(len(every) * 0.95))]
print(f"clients: {clients}, ended: {sum(ended)}, tick lines received per client: "
      f"{min(map(len, delays))}..{max(map(len, delays))} (of {lines}; those before a client joined come with the page)")
print(f"delay written -> client: median {statistics.median(every) * 1000:.0f} ms, "
      f"p95 {p95 * 1000:.0f} ms, max {every[-1] * 1000:.0f} ms, min {every[0] * 1000:.0f} ms ({len(every)} lines)")
print(f"mlci ui memory: VmRSS {before / 1024:.1f} MiB before the clients, "
      f"at most {peak / 1024:.1f} MiB while they followed; VmHWM {hwm / 1024:.1f} MiB")
print(f"mlci ui CPU while they followed: {cpu:.2f} s in {followed:.1f} s ({cpu / followed * 100:.0f}% of a core)")
PY
wait $RUN || { echo "the run failed:"; cat "$DIR/run.out"; exit 1; }
