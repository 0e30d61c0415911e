#!/usr/bin/env bash
# Brings a Debian 12 host to the point where the playground runs (and, with
# --test, where its tests run). Idempotent, and quick when nothing is missing:
# each step checks before it acts.
set -euo pipefail
cd "$(dirname "$0")/.."

# --test adds Chromium (for the e2e tests) and Debian 12's Go with cilium/ebpf (the Go export's build test);
# --bench adds bpftrace (the peer the benchmarks compare with).
want_tests=0
want_bench=0
[ "${1:-}" = "--test" ] && want_tests=1
[ "${1:-}" = "--bench" ] && want_bench=1

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

# 1. Debian packages: the BPF toolchain, the compile jail, QEMU and what builds the
# guests' images (scripts/build-guest.sh), and Chromium for e2e.
# The playground compiles with clang-19 (Debian 12's newest) rather than the default clang-14: it
# assembles may_goto and compiles arena pointers (README, "Dependencies", has the figures). The
# default clang stays: an exported project's Makefile calls plain `clang`, as a user's machine would.
# systemtap-sdt-dev: <sys/sdt.h>, for the USDT probe in the target program that uprobes watch.
packages=(clang-19 llvm-19 clang llvm libelf-dev zlib1g-dev pkg-config make g++ python3 bubblewrap util-linux
  qemu-system-x86 busybox-static kmod cpio squashfs-tools xz-utils systemtap-sdt-dev)
[ "$want_tests" = 1 ] && packages+=(chromium golang-go golang-github-cilium-ebpf-dev)
[ "$want_bench" = 1 ] && packages+=(bpftrace)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# The VM kernels come from Debian 12's own suites; the 6.12 one from bookworm-backports.
backports=/etc/apt/sources.list.d/bookworm-backports.sources
need_update=0
if [ "$(id -u)" = 0 ] && grep -q '^VERSION_CODENAME=bookworm' /etc/os-release && ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  say "adding Debian's bookworm-backports suite to apt's sources"
  printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' > "$backports"
  need_update=1
fi
# libbpf 1.4 and bpftool 7.5 come from bookworm-backports, named per package ("pkg/suite"), so
# nothing else is upgraded: Debian 12's libbpf 1.1 lacks newer macros and its bpftool 7.1
# writes no kfunc declarations into vmlinux.h.
from_backports=()
newer_than() { dpkg --compare-versions "$(dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo 0)" ge "$2"; }
newer_than libbpf-dev 1:1.4 || from_backports+=(libbpf-dev/bookworm-backports libbpf1/bookworm-backports)
newer_than bpftool 7.5 || from_backports+=(bpftool/bookworm-backports)
if [ "${#missing[@]}" -gt 0 ] || [ "${#from_backports[@]}" -gt 0 ] || [ "$need_update" = 1 ]; then
  [ "$(id -u)" = 0 ] || die "missing Debian packages (${missing[*]} ${from_backports[*]}): run this as root so it can apt-get install them."
  apt-get update -qq
  if [ "${#missing[@]}" -gt 0 ] || [ "${#from_backports[@]}" -gt 0 ]; then
    say "installing ${missing[*]} ${from_backports[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" "${from_backports[@]}" >/dev/null
  fi
fi

# 2. npm dependencies, pinned by package-lock.json. `npm install` rather than
# `npm ci`: npm 11's ci refuses a lockfile without other platforms' optional
# packages (Next's @next/swc-darwin-*), while install keeps the lockfile as is.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm install"
  npm install --no-audit --no-fund
fi

# 3. The native addon, rebuilt when its sources change. Node's own headers
# are used (no download): they ship with every Node install.
# and when libbpf's version changes (its headers decide what the addon may call).
addon=native/build/Release/bpf_addon.node
libbpf_version=$(dpkg-query -W -f='${Version}' libbpf-dev)
if [ ! -f "$addon" ] || [ -n "$(find native/src native/binding.gyp -newer "$addon" 2>/dev/null | head -1)" ] ||
  [ "$(cat native/build/libbpf-version 2>/dev/null)" != "$libbpf_version" ]; then
  nodedir=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
  [ -f "$nodedir/include/node/node_api.h" ] || nodedir=/usr
  [ -f "$nodedir/include/node/node_api.h" ] || die "Node's headers (include/node/node_api.h) are missing: install Node.js with its headers."
  say "building the native addon"
  npx --no-install node-gyp rebuild --directory native --nodedir="$nodedir" >/dev/null
  echo "$libbpf_version" > native/build/libbpf-version
fi

# The runner process, bundled to plain JavaScript so it boots fast (server/runner/runner.ts).
runner=native/build/runner.mjs
if [ ! -f "$runner" ] || [ -n "$(find server/runner native/index.ts -newer "$runner" 2>/dev/null | head -1)" ]; then
  say "bundling the runner"
  npx --no-install esbuild server/runner/runner-main.ts --bundle --platform=node --format=esm --target=node20 --log-level=warning --outfile="$runner"
fi

# The target program uprobes and USDT probes watch (bpf/target/), on the host and in the guests' image.
target=native/build/playground-target
if [ ! -f "$target" ] || [ bpf/target/playground-target.c -nt "$target" ]; then
  say "building the uprobe target program"
  cc -O2 -g -Wall -o "$target" bpf/target/playground-target.c
fi

# The microVMs' kernels and root image (a fresh VM per session, sandbox/vm/).
bash scripts/build-guest.sh

# 4. The Next.js build, redone when the UI, the protocol or the lockfile change.
stamp=$(cat package-lock.json next.config.ts tsconfig.json $(find app protocol -type f | sort) | sha256sum | cut -c1-16)
if [ ! -f .next/BUILD_ID ] || [ "$(cat .next/.playground-stamp 2>/dev/null)" != "$stamp" ]; then
  say "building the web app"
  npx --no-install next build >/dev/null
  echo "$stamp" > .next/.playground-stamp
fi

# 5. The kernel filesystems the backend reads (the server mounts them too).
if [ "$(id -u)" = 0 ]; then
  [ -e /sys/kernel/tracing/trace_pipe ] || mount -t tracefs none /sys/kernel/tracing || true
  [ -e /sys/kernel/debug/tracing ] || mount -t debugfs none /sys/kernel/debug || true
  findmnt -n -t bpf /sys/fs/bpf >/dev/null || mount -t bpf bpf /sys/fs/bpf || true
fi
exit 0
