// The exported project's Makefile and README. Pure.

export interface ProjectText {
  name: string;
  mainFile: string;
  /** A source includes vmlinux.h: the Makefile generates it from the running kernel. */
  usesVmlinux: boolean;
  /** Seeds the loader applies, one line each, for the README. */
  seeded: string[];
}

export function makefile(p: ProjectText): string {
  const vmlinux = p.usesVmlinux ? ' $(OUTPUT)/vmlinux.h' : '';
  return `# ${p.name}: the BPF object from src/${p.mainFile}, its skeleton, and the loader
# src/${p.name}.c built on it. \`make\`, then \`sudo ./${p.name} -d 5\`; \`make clean\`.
APP := ${p.name}
BPF_SRC := src/${p.mainFile}
BPF_HEADERS := $(wildcard src/*.h)
OUTPUT := build

CLANG ?= clang
# Debian keeps bpftool in /usr/sbin, which is not on a user's PATH.
BPFTOOL ?= $(or $(shell command -v bpftool 2>/dev/null),/usr/sbin/bpftool)
CFLAGS ?= -g -O2 -Wall
# bpf_tracing.h reads a probe's arguments from registers by __TARGET_ARCH_x86, _arm64…
ARCH ?= $(shell uname -m | sed 's/x86_64/x86/' \\
	| sed 's/arm.*/arm/' \\
	| sed 's/aarch64/arm64/' \\
	| sed 's/ppc64le/powerpc/' \\
	| sed 's/mips.*/mips/' \\
	| sed 's/riscv64/riscv/' \\
	| sed 's/loongarch64/loongarch/' \\
	| sed 's/s390x/s390/')
# The host's system include dirs, searched after everything else, as libbpf-bootstrap
# does: with -target bpf, clang would not find <asm/types.h> for <linux/bpf.h>.
CLANG_BPF_SYS_INCLUDES ?= $(shell $(CLANG) -v -E - </dev/null 2>&1 \\
	| sed -n '/<...> search starts here:/,/End of search list./{ s| \\(/.*\\)|-idirafter \\1|p }')

all: $(APP)

$(OUTPUT):
	mkdir -p $@

# The running kernel's types, from its BTF, for sources that include vmlinux.h.
$(OUTPUT)/vmlinux.h: | $(OUTPUT)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

$(OUTPUT)/$(APP).bpf.o: $(BPF_SRC) $(BPF_HEADERS)${vmlinux} | $(OUTPUT)
	$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I$(OUTPUT) -Isrc $(CLANG_BPF_SYS_INCLUDES) -c $(BPF_SRC) -o $@

# The skeleton embeds the object: the loader needs no other file at run time.
$(OUTPUT)/$(APP).skel.h: $(OUTPUT)/$(APP).bpf.o
	$(BPFTOOL) gen skeleton $< name $(APP)_bpf > $@

$(APP): src/$(APP).c $(OUTPUT)/$(APP).skel.h
	$(CC) $(CFLAGS) -I$(OUTPUT) $< -o $@ $(LDFLAGS) -lbpf -lelf -lz

clean:
	rm -rf $(OUTPUT) $(APP)

.PHONY: all clean
# A failed step leaves no half-written file behind for the next make to trust.
.DELETE_ON_ERROR:
`;
}

export function readme(p: ProjectText): string {
  const seeded = p.seeded.length
    ? `\nWhat you set in the playground is in the loader too, in the same order:\n\n${p.seeded.map((s) => `- ${s}`).join('\n')}\n`
    : '';
  return `# ${p.name}

A BPF program exported from eBPF Playground as a standalone libbpf project.

- \`src/${p.mainFile}\` (and its headers) is the program exactly as written in the playground.
- \`src/${p.name}.c\` is its user space, in the style of
  [libbpf-bootstrap](https://github.com/libbpf/libbpf-bootstrap): it opens the skeleton that
  \`bpftool gen skeleton\` makes from the object, sets globals, loads it, writes map entries,
  attaches every program, then prints ring buffer and perf buffer records as they arrive and the
  entries of hash and array maps every second, until Ctrl-C or \`-d SECONDS\`.
${seeded}
## Prerequisites

Linux 5.8 or newer${p.usesVmlinux ? ' with BTF (`/sys/kernel/btf/vmlinux`; the build turns it into `vmlinux.h`)' : ''}, and:

- Debian 12 / Ubuntu: \`sudo apt install clang libbpf-dev libelf-dev zlib1g-dev make gcc bpftool\`
  (on Ubuntu, bpftool comes with \`linux-tools-common linux-tools-$(uname -r)\`)
- Fedora: \`sudo dnf install clang libbpf-devel elfutils-libelf-devel zlib-devel make gcc bpftool\`

## Build and run

\`\`\`sh
make
sudo ./${p.name} -d 5
\`\`\`

It prints \`attached: …\` once its programs are attached. \`-d 5\` stops it after five seconds;
without it, it runs until Ctrl-C. \`-v\` shows libbpf's debug log, the verifier's included.

\`bpf_printk()\` output goes to the kernel's trace pipe, not to this program. Read it with:

\`\`\`sh
sudo cat /sys/kernel/debug/tracing/trace_pipe
\`\`\`

\`make clean\` removes \`build/\` and the binary.

## Differences from the playground

- The build uses your system's libbpf headers. The playground's \`bpf_helpers.h\` put a session
  tag before each \`bpf_printk()\` line so it could route the line to your tab; here lines are plain.
- The playground's limits (program types, helpers, CPU budget) do not apply: this is your machine.
- Programs are attached together by the skeleton: if one cannot attach, the loader stops,
  where the playground ran the others.
`;
}
