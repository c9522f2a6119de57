#!/bin/sh
# Runs as the first program of a test-kubelet container, inside a fresh mount
# namespace (unshare --mount): it bind-mounts each volume at its path, then
# starts the container's command on the host filesystem (ROOT=/) or chrooted
# into an image's root filesystem (with its own /dev and /proc).
# Usage: container-init.sh ROOT WORKDIR USERSPEC [SRC DST ro|rw]... -- COMMAND [ARGS...]
set -eu
# The container's PATH is for its command; the tools used here live on the host.
container_path=${PATH:-/usr/bin:/bin}
PATH=/usr/sbin:/usr/bin:/sbin:/bin
root=$1 workdir=$2 userspec=$3
shift 3
# Own UTS namespace (unshare --uts): the pod name is the hostname, as in Kubernetes.
if [ -n "${HOSTNAME:-}" ]; then hostname "$HOSTNAME"; fi
if [ "$root" != / ]; then
  mkdir -p "$root/dev" "$root/proc"
  mount -t tmpfs -o mode=755 tmpfs "$root/dev"
  for node in null zero full random urandom tty; do
    : > "$root/dev/$node"
    mount --bind "/dev/$node" "$root/dev/$node"
  done
  mount -t proc proc "$root/proc"
fi
while [ "$1" != "--" ]; do
  src=$1 dst=$2 mode=$3
  shift 3
  target="${root%/}$dst"
  if [ -d "$src" ]; then
    mkdir -p "$target"
  else
    mkdir -p "$(dirname "$target")"
    [ -e "$target" ] || : > "$target"
  fi
  mount --bind "$src" "$target"
  if [ "$mode" = ro ]; then mount -o remount,bind,ro "$target"; fi
done
shift
PATH=$container_path
export PATH
if [ "$root" = / ]; then
  cd "$workdir"
  exec "$@"
fi
if [ -n "$userspec" ]; then
  # chroot changes to / inside; the image's shell moves to the working dir.
  exec /usr/sbin/chroot --userspec="$userspec" "$root" /bin/sh -c 'cd "$0" && exec "$@"' "$workdir" "$@"
fi
exec /usr/bin/unshare --root="$root" --wd="$workdir" "$@"
