#!/usr/bin/env bash
# Builds etcd, kube-apiserver and kube-controller-manager from the Go module
# proxy into a cache folder outside the repo; reused when already present.
# Prints the folder holding the binaries on its last line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
K8S_VERSION=v1.36.3
key=$(cat "$here/go/go.sum" "$here/etcd/go.sum" | sha256sum | cut -c1-12)
out="${STAPEL_CACHE:-$HOME/.cache/stapel-operator}/k8s-$K8S_VERSION-$key"

if [ -x "$out/kube-apiserver" ] && [ -x "$out/kube-controller-manager" ] && [ -x "$out/etcd" ]; then
  echo "$out"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "[build-binaries] Go is needed to build etcd and Kubernetes v1.36.3 (go 1.26.x on PATH); none found" >&2
  exit 1
fi
export GOTOOLCHAIN=local CGO_ENABLED=0
mkdir -p "$out.tmp"
ldflags="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags="$ldflags -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=36"
  ldflags="$ldflags -X $p.gitTreeState=clean -X $p.buildDate=2026-01-01T00:00:00Z"
done

start=$(date +%s)
step() { echo "[build-binaries] $* ($(( $(date +%s) - start ))s elapsed)" >&2; }
step "building etcd (first build takes a few minutes)"
(cd "$here/etcd" && go build -trimpath -buildvcs=false -ldflags "-s -w" -o "$out.tmp/etcd" go.etcd.io/etcd/server/v3) >&2
step "building kube-apiserver $K8S_VERSION (first build takes 10-20 minutes on 2 cores)"
(cd "$here/go" && go build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$out.tmp/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver) >&2
step "building kube-controller-manager $K8S_VERSION"
(cd "$here/go" && go build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$out.tmp/kube-controller-manager" k8s.io/kubernetes/cmd/kube-controller-manager) >&2
rm -rf "$out" && mv "$out.tmp" "$out"
step "done"
echo "$out"
