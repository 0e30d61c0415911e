// The exported Go project's go.mod, gen.go, Makefile and README. Pure.

import type { ProjectText } from './project-files.ts';

/** The cilium/ebpf release go.mod asks for; `go mod tidy` resolves what it needs. */
export const CILIUM_EBPF_VERSION = 'v0.17.3';
/** bpf2go's identifier: the generated names are `loadBpf`, `bpfObjects`… */
export const BPF2GO_IDENT = 'Bpf';

export function goMod(p: ProjectText): string {
  return `module ${p.name}

go 1.22

require github.com/cilium/ebpf ${CILIUM_EBPF_VERSION}
`;
}

/** bpf2go compiles the program and writes Go bindings that embed the object. */
export function genGo(p: ProjectText): string {
  return `package main

// The BPF object and its Go bindings (bpf_x86_bpfel.go or bpf_bpfel_x86.go, by release).
// -I bpf: the program's own headers (and vmlinux.h, which the Makefile makes); the last -I:
// Debian's <asm/types.h>, which clang does not look for when it targets bpf.
//go:generate go run github.com/cilium/ebpf/cmd/bpf2go -cc clang -target amd64 ${BPF2GO_IDENT.toLowerCase()} bpf/${p.mainFile} -- -g -O2 -Wall -D__TARGET_ARCH_x86 -Ibpf -I/usr/include/x86_64-linux-gnu
`;
}

export function goMakefile(p: ProjectText): string {
  const vmlinux = p.usesVmlinux ? ' bpf/vmlinux.h' : '';
  return `# ${p.name}: bpf2go's bindings for bpf/${p.mainFile}, and main.go built on them.
# \`make\`, then \`sudo ./${p.name} -d 5\`; \`make clean\`.
APP := ${p.name}
# Debian keeps bpftool in /usr/sbin, which is not on a user's PATH.
BPFTOOL ?= $(or $(shell command -v bpftool 2>/dev/null),/usr/sbin/bpftool)

all: $(APP)

# The running kernel's types, from its BTF, for sources that include vmlinux.h.
bpf/vmlinux.h:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

$(APP): main.go gen.go go.mod $(wildcard bpf/*.c bpf/*.h)${vmlinux}
	go generate ./...
	go build -o $@ .

clean:
	rm -f $(APP) bpf_*.go bpf_*.o${p.usesVmlinux ? ' bpf/vmlinux.h' : ''}

.PHONY: all clean
.DELETE_ON_ERROR:
`;
}

export function goReadme(p: ProjectText): string {
  const seeded = p.seeded.length
    ? `\nWhat you set in the playground is in \`main.go\` too, in the same order:\n\n${p.seeded.map((s) => `- ${s}`).join('\n')}\n`
    : '';
  return `# ${p.name}

A BPF program exported from eBPF Playground as a Go project on cilium/ebpf.

- \`bpf/${p.mainFile}\` (and its headers) is the program exactly as written in the playground.
- \`gen.go\` has the \`go:generate\` line: bpf2go compiles the program with clang and writes Go
  bindings that embed the object (\`loadBpf()\`, \`bpfObjects\`).
- \`main.go\` is its user space: it removes the memlock limit, sets globals, loads the object,
  writes map entries, attaches every program as its \`SEC()\` name says, then prints trace lines,
  ring buffer and perf buffer records as they arrive (field by field for the structs the program
  defines) and the entries of hash and array maps every second, until Ctrl-C or \`-d SECONDS\`.
${seeded}
## Prerequisites

Linux 5.8 or newer${p.usesVmlinux ? ' with BTF (`/sys/kernel/btf/vmlinux`; the build turns it into `bpf/vmlinux.h`)' : ''}, Go 1.22 or newer,
clang, and libbpf's headers (for \`bpf/bpf_helpers.h\`):

- Debian 12 / Ubuntu: \`sudo apt install golang clang libbpf-dev make bpftool\` (Debian 12 has Go 1.22
  and newer in bookworm-backports)
- Fedora: \`sudo dnf install golang clang libbpf-devel make bpftool\`

## Build and run

\`\`\`sh
go mod tidy      # once: fetches cilium/ebpf and writes go.sum
make             # go generate && go build
sudo ./${p.name} -d 5
\`\`\`

It prints \`attached: …\` for each program it attached. \`-d 5\` stops it after five seconds;
without it, it runs until Ctrl-C. \`-btf FILE\` takes the kernel's types for CO-RE from a BTF
file (one \`bpftool gen min_core_btf\` made, say) instead of \`/sys/kernel/btf/vmlinux\`.

\`make clean\` removes the binary and bpf2go's files.

## Differences from the playground

- The build uses your system's libbpf headers. The playground's \`bpf_helpers.h\` put a session
  tag before each \`bpf_printk()\` line so it could route the line to your tab; here lines are plain,
  and they come from the kernel's one trace buffer, which every program on the machine shares.
- The playground's limits (program types, helpers, CPU budget) do not apply: this is your machine.
- Programs that need a target chosen for them (XDP and tc on an interface, socket filters, perf
  events) are loaded but not attached: \`main.go\` says so for each.
`;
}
