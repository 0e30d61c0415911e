#!/usr/bin/env bash
# Builds what a session's microVM boots (server/sandbox/vm/): Debian's own
# kernels, unpacked (never installed), each with a tiny initramfs that loads
# the modules needed to reach the root image; and one read-only root image
# holding only what the guest agent needs (node, the agent bundle, the addon,
# libbpf, libelf, zlib, busybox and an init). Nothing of the host's
# filesystem is shared with a guest: it sees this image and nothing else.
#
# Idempotent: each kernel is fetched once (by its exact package), and the
# root image is rebuilt only when what goes into it changed.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

out=.cache/vm
mkdir -p "$out/kernels"

# The kernels, by the suite their linux-image-amd64 comes from: the name is
# what the page's kernel picker and playground.config.json call it.
#   6.12: Debian 12's bookworm-backports kernel (the default VM kernel)
#   6.1:  Debian 12's own kernel
kernel_package() {
  local suite=$1 version
  version=$(apt-cache madison linux-image-amd64 | awk -v s="$suite" '{ if ($6 ~ "^" s "(/|$)" || $5 ~ "^" s "/") { print $3; exit } }')
  [ -n "$version" ] || return 1
  apt-cache depends "linux-image-amd64=$version" | awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}

# Modules the initramfs loads, in this order, with whatever each depends on first.
wanted_modules=(virtio_pci virtio_console virtio_blk squashfs)

build_kernel() {
  local name=$1 suite=$2 package work release dir
  package=$(kernel_package "$suite") || die "no linux-image-amd64 in $suite: is bookworm-backports in apt's sources?"
  dir="$out/kernels/$name"
  if [ -f "$dir/package" ] && [ "$(cat "$dir/package")" = "$package" ] && [ -f "$dir/initrd.img" ]; then return 0; fi
  say "fetching and unpacking $package (guest kernel $name)"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  (cd "$work" && apt-get download -qq "$package" 2>/dev/null) || die "apt-get download $package failed"
  dpkg-deb -x "$work"/*.deb "$work/root"
  release=$(ls "$work/root/lib/modules")
  depmod -b "$work/root" "$release"
  rm -rf "$dir.new" && mkdir -p "$dir.new/initrd/bin" "$dir.new/initrd/modules"
  cp "$work/root/boot/vmlinuz-$release" "$dir.new/vmlinuz"
  cp "$work/root/boot/config-$release" "$dir.new/config"
  # Each wanted module after its dependencies, decompressed (busybox's insmod reads plain .ko).
  local order=() seen=" " mod path
  add_module() {
    local line path dep
    line=$(grep -E "/$1\.ko(\.xz)?:" "$work/root/lib/modules/$release/modules.dep" || true)
    [ -n "$line" ] || return 0 # built into this kernel
    path=${line%%:*}
    case "$seen" in *" $path "*) return 0 ;; esac
    for dep in ${line#*:}; do add_module "$(basename "${dep%%.ko*}")"; done
    seen="$seen$path "
    order+=("$path")
  }
  for mod in "${wanted_modules[@]}"; do add_module "$mod"; done
  : > "$dir.new/initrd/modules/order"
  for path in "${order[@]}"; do
    local file
    file=$(basename "${path%.xz}")
    if [[ $path == *.xz ]]; then xz -dc "$work/root/lib/modules/$release/$path" > "$dir.new/initrd/modules/$file"
    else cp "$work/root/lib/modules/$release/$path" "$dir.new/initrd/modules/$file"; fi
    echo "$file" >> "$dir.new/initrd/modules/order"
  done
  cp /bin/busybox "$dir.new/initrd/bin/busybox"
  cp scripts/guest/initramfs-init "$dir.new/initrd/init"
  chmod 755 "$dir.new/initrd/init"
  (cd "$dir.new/initrd" && find . | cpio -o -H newc --quiet | gzip -1) > "$dir.new/initrd.img"
  rm -rf "$dir.new/initrd"
  echo "$release" > "$dir.new/release"
  echo "$package" > "$dir.new/package"
  rm -rf "$dir" && mv "$dir.new" "$dir"
}

build_kernel 6.12 bookworm-backports
build_kernel 6.1 'bookworm(-security)?'

# The guest agent, bundled like the runner: one file of plain JavaScript.
agent=native/build/guest-agent.mjs
if [ ! -f "$agent" ] || [ -n "$(find server/sandbox server/runner server/lessons/workload.ts server/jail/exec.ts server/host/kernel-facts.ts native/index.ts -newer "$agent" 2>/dev/null | head -1)" ]; then
  say "bundling the guest agent"
  npx --no-install esbuild server/sandbox/guest/agent-main.ts --bundle --platform=node --format=esm --target=node20 --log-level=warning --outfile="$agent"
fi

# The root image: rebuilt when node, the addon, the agent, the target program, busybox or the init changed.
addon=native/build/Release/bpf_addon.node
node_bin=$(readlink -f "$(command -v node)")
# The shared libraries node and the addon need (libbpf among them), copied in below.
shared_libs=$( (ldd "$node_bin"; ldd "$addon"; ldd /usr/bin/dash) | awk '$3 ~ /^\// { print $3 } $1 ~ /^\/lib64\// { print $1 }' | sort -u)
# shellcheck disable=SC2086
target=native/build/playground-target
stamp=$(cat "$node_bin" "$addon" "$agent" "$target" /bin/busybox /usr/bin/dash scripts/guest/init scripts/build-guest.sh $(readlink -f $shared_libs) | sha256sum | cut -c1-16)
if [ ! -f "$out/rootfs.img" ] || [ "$(cat "$out/rootfs.stamp" 2>/dev/null)" != "$stamp" ]; then
  say "building the guest's root image"
  root=$(mktemp -d)
  chmod 755 "$root" # mktemp makes it 0700: the guest's / must be open to nobody (lesson workloads)
  # Merged /usr, as on Debian 12: /lib/x86_64-linux-gnu/libc.so.6 (a uprobe target) is the same file as under /usr.
  mkdir -p "$root"/{dev,proc,sys,tmp,etc,opt/playground,run,usr/bin,usr/lib,usr/lib64}
  for top in bin sbin lib lib64; do ln -s "usr/${top/sbin/bin}" "$root/$top"; done
  cp "$node_bin" "$root/usr/bin/node"
  cp "$addon" "$root/opt/playground/bpf_addon.node"
  cp "$agent" "$root/opt/playground/guest-agent.mjs"
  cp "$target" "$root/opt/playground/playground-target"
  cp /bin/busybox "$root/usr/bin/busybox"
  for tool in cat mount mkdir true sleep kill ls echo poweroff; do ln -s busybox "$root/usr/bin/$tool"; done
  # /bin/sh is dash, as on Debian: a lesson's workload starts it through a symlink with a random
  # name (its comm), which a multi-call busybox would take for an applet's name.
  cp /usr/bin/dash "$root/usr/bin/dash"
  ln -s dash "$root/usr/bin/sh"
  # The shared libraries node and the addon need, where the dynamic loader looks for them.
  for lib in $shared_libs; do
    target="$root/usr/${lib#/usr/}"
    mkdir -p "$(dirname "$target")"
    cp -L "$lib" "$target"
  done
  cp scripts/guest/init "$root/init"
  chmod 755 "$root/init"
  printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
  echo playground-guest > "$root/etc/hostname"
  rm -f "$out/rootfs.img.new"
  mksquashfs "$root" "$out/rootfs.img.new" -comp lz4 -all-root -no-progress -quiet >/dev/null
  rm -rf "$root"
  chmod 644 "$out/rootfs.img.new"
  mv "$out/rootfs.img.new" "$out/rootfs.img"
  echo "$stamp" > "$out/rootfs.stamp"
fi
