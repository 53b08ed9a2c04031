#!/usr/bin/env bash
# Installs the two outside checkers of the VOTable export test: xmllint (libxml2-utils), which
# validates the file against the VOTable 1.4 XSD, and Debian's python3-astropy, which ships that XSD
# and parses the file in strict mode. Idempotent: does nothing when both are present.
# `apt-get update` is retried while another apt process holds the lock. Run as root.
set -euo pipefail

log() { echo "[setup-votable-tools] $*"; }

have_all() {
  command -v xmllint >/dev/null 2>&1 && /usr/bin/python3 -c 'import astropy.io.votable' >/dev/null 2>&1
}

if have_all; then
  log "xmllint and python3-astropy already present; nothing to do"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  log "xmllint or python3-astropy is missing and this is not root: 'sudo apt-get install libxml2-utils python3-astropy'"
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
for i in $(seq 1 30); do
  if apt-get -o DPkg::Lock::Timeout=30 update -qq; then break; fi
  log "apt-get update failed (another apt process may hold the lock); retry $i/30 in 10 s"
  sleep 10
done
for i in $(seq 1 30); do
  if apt-get -o DPkg::Lock::Timeout=30 install -y -qq --no-install-recommends libxml2-utils python3-astropy >/dev/null; then
    break
  fi
  log "apt-get install failed; retry $i/30 in 10 s"
  sleep 10
done
have_all || {
  log "libxml2-utils / python3-astropy did not install"
  exit 1
}
log "$(xmllint --version 2>&1 | head -1); astropy $(/usr/bin/python3 -c 'import astropy; print(astropy.__version__)')"
