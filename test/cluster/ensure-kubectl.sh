#!/usr/bin/env bash
# Makes sure `kubectl` is on PATH. Machines of this project usually have one;
# where it is missing, it is built from the published k8s.io/kubectl v0.36.3
# module (test/cluster/kubectl, same release as the control plane), cached like
# the server binaries and linked into /usr/local/bin.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if command -v kubectl >/dev/null 2>&1; then
  echo "[ensure-kubectl] kubectl present: $(command -v kubectl)" >&2
  exit 0
fi
key=$(sha256sum "$here/kubectl/go.sum" "$here/kubectl/main.go" | sha256sum | cut -c1-12)
out="${STAPEL_CACHE:-$HOME/.cache/stapel-operator}/kubectl-v0.36.3-$key"
if [ ! -x "$out/kubectl" ]; then
  echo "[ensure-kubectl] building kubectl v0.36.3 from the Go module proxy (a few minutes)" >&2
  mkdir -p "$out.tmp"
  ldflags="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags="$ldflags -X $p.gitVersion=v1.36.3 -X $p.gitMajor=1 -X $p.gitMinor=36 -X $p.gitTreeState=clean"
  done
  (cd "$here/kubectl" && GOTOOLCHAIN=local CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$out.tmp/kubectl" .)
  rm -rf "$out" && mv "$out.tmp" "$out"
fi
ln -sf "$out/kubectl" /usr/local/bin/kubectl
echo "[ensure-kubectl] kubectl linked from $out" >&2
