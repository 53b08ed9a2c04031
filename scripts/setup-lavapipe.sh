#!/usr/bin/env bash
# Installs a Vulkan CPU driver (Mesa lavapipe) that Dawn accepts, so the WebGPU backend of the
# engine can run in Node on a machine without a GPU (CI, the 2-core build machines).
# Debian 12's own Mesa (22.3) is rejected by Dawn; bookworm-backports ships Mesa >= 25.
# Idempotent: does nothing when a lavapipe ICD from Mesa >= 25 is already installed. Run as root.
set -euo pipefail

MIN_MESA_MAJOR=25
BACKPORTS_LIST=/etc/apt/sources.list.d/backports.list
BACKPORTS_LINE='deb http://deb.debian.org/debian bookworm-backports main'

log() { echo "[setup-lavapipe] $*"; }

# Version of the installed mesa-vulkan-drivers package (empty when absent).
mesa_vulkan_version() {
  dpkg-query -W -f='${Status} ${Version}\n' mesa-vulkan-drivers 2>/dev/null |
    awk '$3 == "installed" { print $4 }'
}

lavapipe_icd_present() {
  ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1
}

have_good_lavapipe() {
  local v major
  v="$(mesa_vulkan_version)"
  [ -n "$v" ] || return 1
  lavapipe_icd_present || return 1
  major="${v%%.*}"
  major="${major##*:}" # drop an epoch such as 1:
  [ "$major" -ge "$MIN_MESA_MAJOR" ] 2>/dev/null
}

# apt-get that waits while another apt/dpkg holds the lock (other engineers, unattended upgrades).
apt_retry() {
  local i
  for i in $(seq 1 10); do
    if apt-get -o DPkg::Lock::Timeout=30 "$@"; then return 0; fi
    log "apt-get $* failed (attempt $i/10; maybe another apt holds the lock); retrying in 15 s"
    sleep 15
  done
  log "apt-get $* failed 10 times; giving up"
  return 1
}

if have_good_lavapipe; then
  log "lavapipe already present: mesa-vulkan-drivers $(mesa_vulkan_version); nothing to do"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  log "must run as root (installs Debian packages); re-run with sudo"
  exit 1
fi

if ! grep -rqs '^deb .*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/ &&
  ! grep -rqs 'bookworm-backports' /etc/apt/sources.list.d/*.sources; then
  echo "$BACKPORTS_LINE" >"$BACKPORTS_LIST"
  log "added bookworm-backports in $BACKPORTS_LIST"
else
  log "bookworm-backports already configured"
fi

apt_retry update
export DEBIAN_FRONTEND=noninteractive
apt_retry install -y --no-install-recommends -t bookworm-backports mesa-vulkan-drivers libvulkan1
log "installed mesa-vulkan-drivers $(mesa_vulkan_version)"

if have_good_lavapipe; then
  log "lavapipe ICD: $(ls /usr/share/vulkan/icd.d/lvp_icd*.json | tr '\n' ' ')"
else
  log "mesa-vulkan-drivers $(mesa_vulkan_version) installed but no lavapipe of Mesa >= $MIN_MESA_MAJOR found"
  exit 1
fi
