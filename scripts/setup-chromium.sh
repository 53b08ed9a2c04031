#!/usr/bin/env bash
# Install Debian's Chromium for the e2e tests when it is missing (Playwright cannot download its
# own browser here). `apt-get update` is retried while another apt process holds the lock.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "chromium is missing and this is not root: install it with 'sudo apt-get install chromium'" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
for i in $(seq 1 30); do
  if apt-get update -qq; then break; fi
  echo "apt-get update failed (another apt process may hold the lock); retry $i/30 in 10 s" >&2
  sleep 10
done
for i in $(seq 1 30); do
  if apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null; then break; fi
  echo "apt-get install chromium failed; retry $i/30 in 10 s" >&2
  sleep 10
done
/usr/bin/chromium --version
