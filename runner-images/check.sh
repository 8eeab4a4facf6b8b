#!/usr/bin/env bash
# Self-check of an mlci runner image: every tool a job expects is there and
# runs, numpy imports, `python` is Python 3, and `pip install` works (no PEP 668
# "externally-managed-environment" refusal). Runs the container with
# --network none: nothing here may need the network.
#
# Usage: runner-images/check.sh [IMAGE]     (default mlci/runner:bookworm)
# Exit status: 0 all good, 1 something missing or broken, 2 cannot run the check.
set -euo pipefail

IMAGE=${1:-mlci/runner:bookworm}

die() { printf 'check: ERROR: %s\n' "$*" >&2; exit 2; }

command -v docker >/dev/null 2>&1 || die "docker CLI not found in PATH"
timeout 20 docker info >/dev/null 2>&1 || die "the Docker daemon is not answering (docker info failed)"
docker image inspect "$IMAGE" >/dev/null 2>&1 \
  || die "image $IMAGE not found; build it with runner-images/build-debian.sh"

# The brief's smoke line, verbatim.
echo "check: smoke test in $IMAGE"
if ! docker run --rm --network none "$IMAGE" bash -c \
  'python3 -c "import numpy; print(numpy.__version__)"; git --version; pip --version; ps --version; sh -c "echo ok"'; then
  echo "check: FAILED: the smoke test (numpy, git, pip, ps, sh) did not pass in $IMAGE" >&2
  exit 1
fi

# Tool by tool, with versions.
read -r -d '' inner <<'EOF' || true
missing=()
broken=()
chk() {  # chk NAME COMMAND...   (runs COMMAND, shows first line of output)
  local name=$1; shift
  if ! command -v "$1" >/dev/null 2>&1; then
    printf '  %-10s MISSING\n' "$name"; missing+=("$name"); return
  fi
  local out
  if out=$("$@" 2>&1); then
    printf '  %-10s %s\n' "$name" "$(printf '%s\n' "$out" | head -n1)"
  else
    printf '  %-10s BROKEN: %s\n' "$name" "$(printf '%s\n' "$out" | tail -n1)"; broken+=("$name")
  fi
}
chk bash     bash --version
chk sh       sh -c 'echo "sh ok"'
chk python3  python3 --version
chk python   python -c 'import sys; assert sys.version_info[0] == 3, sys.version; print("python ->", sys.executable, sys.version.split()[0])'
chk numpy    python3 -c 'import numpy; print("numpy", numpy.__version__)'
chk pip      pip --version
chk pip3     pip3 --version
chk venv     python3 -c 'import venv, ensurepip; print("venv + ensurepip ok")'
chk git      git --version
chk ps       ps --version
chk kill     /usr/bin/kill --version
chk find     find --version
chk grep     grep --version
chk sed      sed --version
chk awk      awk -W version
chk tar      tar --version
chk gzip     gzip --version
chk xz       xz --version
chk bzip2    bash -c 'bzip2 --help 2>&1 | head -n1'
chk zstd     zstd --version
chk unzip    bash -c 'unzip -v | head -n1'
chk zip      bash -c 'zip -v | sed -n 2p'
chk make     make --version
chk jq       jq --version
chk less     less --version
chk sudo     sudo --version
chk which    which which
chk certs    sh -c 'test -s /etc/ssl/certs/ca-certificates.crt && echo "$(grep -c BEGIN /etc/ssl/certs/ca-certificates.crt) CA certificates"'
chk hostname sh -c 'getent hosts "$(hostname)" >/dev/null && echo "own hostname resolves (sudo, torch.distributed need it)"'

# pip install as on a GitHub runner: a local package, no index, no network.
if compgen -G '/usr/lib/python3*/EXTERNALLY-MANAGED' >/dev/null; then
  echo "  pip-install EXTERNALLY-MANAGED marker present"; broken+=(pip-install)
fi
pkg=$(mktemp -d)
mkdir -p "$pkg/mlci_selfcheck"
echo 'VALUE = 42' > "$pkg/mlci_selfcheck/__init__.py"
printf '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n[project]\nname = "mlci-selfcheck"\nversion = "0.1"\n' > "$pkg/pyproject.toml"
if out=$(cd / && pip install --no-index --no-build-isolation "$pkg" 2>&1) \
   && (cd / && python3 -c 'import mlci_selfcheck; assert mlci_selfcheck.VALUE == 42'); then
  echo "  pip-install ok (local package, --no-index)"
else
  printf '  pip-install BROKEN:\n%s\n' "$(printf '%s\n' "$out" | tail -n 5)"; broken+=(pip-install)
fi
# A venv with pip inside, as `actions/setup-python`-style steps expect.
if python3 -m venv /tmp/venv-check >/dev/null 2>&1 && /tmp/venv-check/bin/pip --version >/dev/null 2>&1; then
  echo "  venv-pip   ok"
else
  echo "  venv-pip   BROKEN: python3 -m venv failed"; broken+=(venv-pip)
fi
[ "${LANG:-}" = C.UTF-8 ] && echo "  LANG       $LANG" || { echo "  LANG       wrong: '${LANG:-}'"; broken+=(LANG); }

if [ ${#missing[@]} -gt 0 ] || [ ${#broken[@]} -gt 0 ]; then
  echo "missing: ${missing[*]:-none}; broken: ${broken[*]:-none}"
  exit 1
fi
EOF

echo "check: tools in $IMAGE"
if ! docker run --rm --network none "$IMAGE" bash -c "$inner"; then
  echo "check: FAILED: $IMAGE lacks or has broken tools (see above)" >&2
  exit 1
fi
echo "check: OK: $IMAGE has everything ($(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{ printf "%.0f MB", $1 / 1e6 }'), labels: $(docker image inspect -f '{{range $k, $v := .Config.Labels}}{{$k}}={{$v}} {{end}}' "$IMAGE"))"
