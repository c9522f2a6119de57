#!/usr/bin/env bash
# Builds the Go template oracle into bin/ (git-ignored) when missing or stale.
# Prints the binary's path on its last line. Needs only Go and the module proxy.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin="$here/bin/oracle"
stamp="$here/bin/.source-hash"
hash=$(cat "$here/go.mod" "$here/go.sum" "$here/main.go" | sha256sum | cut -c1-16)
if [ -x "$bin" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ]; then
  echo "$bin"
  exit 0
fi
mkdir -p "$here/bin"
(cd "$here" && GOTOOLCHAIN=local CGO_ENABLED=0 go build -trimpath -buildvcs=false -o "$bin.tmp" .) >&2
mv "$bin.tmp" "$bin"
echo "$hash" > "$stamp"
echo "$bin"
