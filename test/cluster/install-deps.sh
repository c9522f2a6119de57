#!/usr/bin/env bash
# Installs the Debian packages the test cluster needs (idempotent, quiet):
# openssl (certificates), buildah (builds, image runtime), docker-registry
# (loopback registry), busybox-static (base image), util-linux (unshare).
# With recommends: that is the set the tests were run with.
set -euo pipefail
packages=(openssl curl buildah docker-registry busybox-static util-linux)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "[install-deps] Debian packages present: ${packages[*]}" >&2
  exit 0
fi
echo "[install-deps] installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Another process may hold the dpkg lock for a while: wait for it.
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  if apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; then
    echo "[install-deps] installed ${missing[*]}" >&2
    exit 0
  fi
  echo "[install-deps] apt-get failed (attempt $attempt); retrying in 15s" >&2
  sleep 15
done
exit 1
