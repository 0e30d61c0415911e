// The exported project's user-space loader, in C, in the manner of
// libbpf-bootstrap's examples: open the skeleton, set globals, load, write
// map entries, attach, then print ring buffer / perf buffer records and map
// entries until Ctrl-C or -d SECONDS. Everything specific to the program is
// generated here; what is not (iterating maps, polling buffers) is plain C
// that asks libbpf at run time.
// Pure: strings in, a string out.

import { structPrinter } from './c-types.ts';
import type { RecordField } from './record-fields.ts';

export interface GlobalSetting {
  /** The skeleton's field: `rodata`, `bss`, `rodata_cfg`… */
  ident: string;
  /** The section (`.rodata`…), for loaders without a skeleton. */
  section: string;
  variable: string;
  /** A C literal for a scalar, or null to copy `bytes`. */
  literal: string | null;
  bytes: Uint8Array;
  /** What the seed said, for a comment. */
  shown: string;
}

export interface MapSeedBytes {
  map: string;
  /** null for a queue or a stack: the value is pushed. */
  key: Uint8Array | null;
  /** One CPU's value for a per-CPU map (the others are zero), else the value. */
  value: Uint8Array;
  perCpu: boolean;
  shown: string;
}

export interface RecordPrinter {
  struct: string;
  size: number;
  fields: RecordField[];
}

/** A global in .bss/.data printed every second, through the skeleton's memory-mapped view. */
export interface WatchedGlobal {
  ident: string;
  section: string;
  variable: string;
  signed: boolean;
  size: number;
}

export interface LoaderSpec {
  name: string;
  mainFile: string;
  typeDefinitions: string[];
  settings: GlobalSetting[];
  seeds: MapSeedBytes[];
  printers: RecordPrinter[];
  watched: WatchedGlobal[];
  showMaps: boolean;
}

/** A comment's text that cannot end the comment early. */
function commentText(text: string): string {
  return text.replace(/\*\//g, '* /').replace(/[\r\n]+/g, ' ');
}

function byteArray(bytes: Uint8Array, indent: string): string {
  if (bytes.length === 0) return '{ 0 }';
  const rows: string[] = [];
  for (let i = 0; i < bytes.length; i += 12) {
    rows.push(`${indent}\t${[...bytes.subarray(i, i + 12)].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ')},`);
  }
  return `{\n${rows.join('\n')}\n${indent}}`;
}

function settingLines(name: string, settings: GlobalSetting[]): string {
  if (!settings.length) return '';
  const lines = ["\t/* Settings from the playground's seeds, written into the skeleton before load. */"];
  for (const s of settings) {
    const field = `skel->${s.ident}->${s.variable}`;
    if (s.literal !== null) {
      lines.push(`\t${field} = ${s.literal};`);
    } else {
      lines.push(`\t/* ${commentText(`${s.variable} = ${s.shown}`)} */`);
      lines.push(`\t{`);
      lines.push(`\t\tstatic const unsigned char bytes[${s.bytes.length}] = ${byteArray(s.bytes, '\t\t')};`);
      lines.push(
        `\t\t_Static_assert(sizeof(((struct ${name}_bpf__${s.ident} *)0)->${s.variable}) == sizeof(bytes), "${s.variable} has the size the playground encoded");`,
      );
      lines.push(`\t\tmemcpy((void *)&${field}, bytes, sizeof(bytes));`);
      lines.push(`\t}`);
    }
  }
  return `${lines.join('\n')}\n\n`;
}

function seedLines(seeds: MapSeedBytes[]): string {
  if (!seeds.length) return '';
  const lines = ["\t/* Map entries from the playground's seeds: after load, before attach. */"];
  for (const s of seeds) {
    lines.push(`\t/* ${commentText(`${s.map}: ${s.shown}`)} */`);
    lines.push('\t{');
    if (s.key) lines.push(`\t\tstatic const unsigned char key[${s.key.length}] = ${byteArray(s.key, '\t\t')};`);
    lines.push(`\t\tstatic const unsigned char value[${s.value.length}] = ${byteArray(s.value, '\t\t')};`);
    if (!s.key) {
      lines.push(`\t\terr = bpf_map__update_elem(skel->maps.${s.map}, NULL, 0, value, sizeof(value), BPF_ANY);`);
    } else if (s.perCpu) {
      lines.push('\t\t/* A per-CPU map takes one value per possible CPU: CPU 0 gets it, the others zero. */');
      lines.push('\t\tint ncpus = libbpf_num_possible_cpus();');
      lines.push('\t\tunsigned char *values = ncpus > 0 ? calloc(ncpus, sizeof(value)) : NULL;');
      lines.push('\t\tif (!values) {');
      lines.push(`\t\t\tfprintf(stderr, "Failed to seed map ${s.map}: out of memory\\n");`);
      lines.push('\t\t\terr = -ENOMEM;');
      lines.push('\t\t\tgoto cleanup;');
      lines.push('\t\t}');
      lines.push('\t\tmemcpy(values, value, sizeof(value));');
      lines.push(`\t\terr = bpf_map__update_elem(skel->maps.${s.map}, key, sizeof(key), values, (size_t)ncpus * sizeof(value), BPF_ANY);`);
      lines.push('\t\tfree(values);');
    } else {
      lines.push(`\t\terr = bpf_map__update_elem(skel->maps.${s.map}, key, sizeof(key), value, sizeof(value), BPF_ANY);`);
    }
    lines.push('\t\tif (err) {');
    lines.push(`\t\t\tfprintf(stderr, "Failed to seed map ${s.map}: %s\\n", strerror(-err));`);
    lines.push('\t\t\tgoto cleanup;');
    lines.push('\t\t}');
    lines.push('\t}');
  }
  return `${lines.join('\n')}\n\n`;
}

function printerFunctions(printers: RecordPrinter[]): string {
  const out: string[] = [];
  for (const p of printers) {
    out.push(`/* struct ${p.struct}, ${p.size} bytes, from the program's BTF. */`);
    out.push(`static void print_struct_${p.struct}(const unsigned char *p)`);
    out.push('{');
    out.push(`\tprintf("  struct ${p.struct}:");`);
    for (const line of structPrinter(p.fields)) out.push(`\t${line}`);
    out.push("\tputchar('\\n');");
    out.push('}');
    out.push('');
  }
  // The record type is guessed by size, as the playground's Events pane does: an exact
  // match first, else a struct up to 7 bytes shorter (perf records are padded to 8).
  out.push('/* Prints a record as the struct of its size, when the program defines one. */');
  out.push('static void print_record(const unsigned char *p, size_t size)');
  out.push('{');
  for (const p of printers) out.push(`\tif (size == ${p.size}) { print_struct_${p.struct}(p); return; }`);
  for (const p of printers) out.push(`\tif (size > ${p.size} && size - ${p.size} < 8) { print_struct_${p.struct}(p); return; }`);
  if (!printers.length) out.push('\t(void)p;\n\t(void)size;');
  out.push('}');
  return out.join('\n');
}

function watchLines(watched: WatchedGlobal[]): string {
  if (!watched.length) return '';
  return watched
    .map(
      (w) =>
        `\tprintf("${w.ident === 'bss' || w.ident === 'data' ? `.${w.ident}` : w.ident} ${w.variable} = "); ${w.signed ? 'print_int' : 'print_uint'}((const unsigned char *)&skel->${w.ident}->${w.variable}, ${w.size}); putchar('\\n');`,
    )
    .join('\n')
    .concat('\n');
}

export function loaderSource(spec: LoaderSpec): string {
  const { name } = spec;
  const types = spec.typeDefinitions.length
    ? `/* Types the program's globals use that only its own sources define: the skeleton names them. */\n${spec.typeDefinitions.join('\n')}\n\n`
    : '';
  return `// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ${name}: user space for src/${spec.mainFile}, built on the skeleton that
 * bpftool generates from it (build/${name}.skel.h). Opens the BPF object,
 * sets its globals, loads it, writes the map entries the playground seeded,
 * attaches every program, then prints ring buffer and perf buffer records as
 * they come and the entries of hash and array maps every second, until
 * Ctrl-C or -d SECONDS.
 *
 * Exported from eBPF Playground.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/types.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

/* vmlinux.h's names for fixed-size integers, which globals often use: the skeleton keeps them. */
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;

${types}#include "${name}.skel.h"

#define MAX_BUFFERS 16
#define MAX_SHOWN 32
/* Helpers the generated printers may or may not call. */
#define MAYBE_UNUSED __attribute__((unused))
/* Whether the object has hash or array maps, or scalars in .bss/.data, to print every second. */
#define SHOW_MAPS ${spec.showMaps ? 1 : 0}

static volatile sig_atomic_t exiting;
static bool verbose;

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

static int print_libbpf(enum libbpf_print_level level, const char *format, va_list args)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, format, args);
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned long long get_uint(const unsigned char *p, size_t size)
{
	__u8 u8v;
	__u16 u16v;
	__u32 u32v;
	__u64 u64v = 0;

	switch (size) {
	case 1: memcpy(&u8v, p, 1); return u8v;
	case 2: memcpy(&u16v, p, 2); return u16v;
	case 4: memcpy(&u32v, p, 4); return u32v;
	default: memcpy(&u64v, p, 8); return u64v;
	}
}

static long long get_int(const unsigned char *p, size_t size)
{
	unsigned long long v = get_uint(p, size);
	unsigned bits = size * 8;

	if (bits < 64 && (v >> (bits - 1)) & 1)
		v |= ~0ULL << bits;
	return (long long)v;
}

/* A bitfield: \`width\` bits from bit \`bit\` of little-endian memory. */
MAYBE_UNUSED static unsigned long long get_bits(const unsigned char *p, size_t bit, size_t width)
{
	unsigned long long v = 0;
	size_t i;

	for (i = 0; i < width; i++)
		v |= (unsigned long long)((p[(bit + i) / 8] >> ((bit + i) % 8)) & 1) << i;
	return v;
}

MAYBE_UNUSED static void print_uint(const unsigned char *p, size_t size) { printf("%llu", get_uint(p, size)); }
MAYBE_UNUSED static void print_int(const unsigned char *p, size_t size) { printf("%lld", get_int(p, size)); }
MAYBE_UNUSED static void print_uint_hex(const unsigned char *p, size_t size) { printf("%llx", get_uint(p, size)); }

MAYBE_UNUSED static void print_uint_bits(const unsigned char *p, size_t bit, size_t width)
{
	printf("%llu", get_bits(p, bit, width));
}

MAYBE_UNUSED static void print_int_bits(const unsigned char *p, size_t bit, size_t width)
{
	unsigned long long v = get_bits(p, bit, width);

	if (width < 64 && (v >> (width - 1)) & 1)
		v |= ~0ULL << width;
	printf("%lld", (long long)v);
}

MAYBE_UNUSED static void print_float(const unsigned char *p, size_t size)
{
	float f;
	double d;

	if (size == 4) {
		memcpy(&f, p, 4);
		printf("%g", f);
	} else {
		memcpy(&d, p, 8);
		printf("%g", d);
	}
}

static void print_hex(const unsigned char *p, size_t size)
{
	size_t i;

	for (i = 0; i < size; i++)
		printf("%02x", p[i]);
}

/* A char array up to its NUL, quoted, with anything unprintable escaped. */
MAYBE_UNUSED static void print_text(const unsigned char *p, size_t size)
{
	size_t i;

	putchar('"');
	for (i = 0; i < size && p[i]; i++) {
		if (p[i] == '"' || p[i] == '\\\\')
			printf("\\\\%c", p[i]);
		else if (p[i] >= 0x20 && p[i] < 0x7f)
			putchar(p[i]);
		else
			printf("\\\\x%02x", p[i]);
	}
	putchar('"');
}

/* Printable text ended by a NUL, like a char[] key holding a string. */
static bool looks_like_text(const unsigned char *p, size_t size)
{
	size_t i;

	for (i = 0; i < size && p[i]; i++)
		if (p[i] < 0x20 || p[i] >= 0x7f)
			return false;
	return i > 0 && i < size;
}

/* Bytes in hex, then as a number (4 and 8 bytes) or as text when they read as one. */
static void print_bytes(const unsigned char *p, size_t size)
{
	print_hex(p, size);
	if (size == 8) {
		printf(" (u64 %llu)", get_uint(p, 8));
	} else if (size == 4) {
		printf(" (u32 %llu)", get_uint(p, 4));
	} else if (size > 1 && looks_like_text(p, size)) {
		putchar(' ');
		print_text(p, size);
	}
}

${printerFunctions(spec.printers)}

static int on_ringbuf_record(void *ctx, void *data, size_t size)
{
	printf("%s: %zu-byte record: ", (const char *)ctx, size);
	print_hex(data, size);
	putchar('\\n');
	print_record(data, size);
	return 0;
}

static void on_perf_record(void *ctx, int cpu, void *data, __u32 size)
{
	printf("%s: %u-byte record on CPU %d: ", (const char *)ctx, size, cpu);
	print_hex(data, size);
	putchar('\\n');
	print_record(data, size);
}

static void on_perf_lost(void *ctx, int cpu, __u64 count)
{
	printf("%s: %llu records lost on CPU %d\\n", (const char *)ctx, (unsigned long long)count, cpu);
}

static bool all_zero(const unsigned char *p, size_t size)
{
	size_t i;

	for (i = 0; i < size; i++)
		if (p[i])
			return false;
	return true;
}

/* Every entry of one hash or array map; arrays leave out their all-zero slots. */
static void dump_map(const struct bpf_map *map)
{
	enum bpf_map_type type = bpf_map__type(map);
	bool per_cpu = type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	bool array = type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY;
	size_t key_size = bpf_map__key_size(map), value_size = bpf_map__value_size(map);
	int ncpus = per_cpu ? libbpf_num_possible_cpus() : 1;
	size_t stride = per_cpu ? (value_size + 7) / 8 * 8 : value_size;
	unsigned char *key = calloc(1, key_size), *next = calloc(1, key_size);
	unsigned char *value = ncpus > 0 ? calloc(ncpus, stride) : NULL;
	unsigned long entries = 0, zero = 0, shown = 0;
	void *prev = NULL;
	int cpu;

	printf("%s (%s):\\n", bpf_map__name(map), libbpf_bpf_map_type_str(type));
	if (!key || !next || !value)
		goto out;
	while (bpf_map__get_next_key(map, prev, next, key_size) == 0) {
		memcpy(key, next, key_size);
		prev = key;
		if (bpf_map__lookup_elem(map, key, key_size, value, (size_t)ncpus * stride, 0))
			continue;
		entries++;
		if (array && all_zero(value, (size_t)ncpus * stride)) {
			zero++;
			continue;
		}
		if (shown++ >= MAX_SHOWN)
			continue;
		printf("  key ");
		print_bytes(key, key_size);
		if (!per_cpu) {
			printf(" -> value ");
			print_bytes(value, value_size);
		} else {
			unsigned long long sum = 0;

			for (cpu = 0; cpu < ncpus; cpu++)
				sum += value_size == 8 ? get_uint(value + cpu * stride, 8) : 0;
			if (value_size == 8)
				printf(" -> sum over CPUs (u64 %llu)", sum);
			for (cpu = 0; cpu < ncpus; cpu++) {
				if (all_zero(value + cpu * stride, value_size))
					continue;
				printf(" cpu%d ", cpu);
				print_hex(value + cpu * stride, value_size);
			}
		}
		putchar('\\n');
	}
	if (shown > MAX_SHOWN)
		printf("  ... and %lu more\\n", shown - MAX_SHOWN);
	printf("  %lu %s", entries, entries == 1 ? "entry" : "entries");
	if (zero)
		printf(" (%lu all zero, not shown)", zero);
	putchar('\\n');
out:
	free(key);
	free(next);
	free(value);
}

static void dump_maps(struct ${name}_bpf *skel, double elapsed)
{
	struct bpf_map *map;

	if (!SHOW_MAPS)
		return;
	printf("--- maps at %.1f s ---\\n", elapsed);
	bpf_object__for_each_map(map, skel->obj) {
		switch (bpf_map__type(map)) {
		case BPF_MAP_TYPE_HASH:
		case BPF_MAP_TYPE_ARRAY:
		case BPF_MAP_TYPE_PERCPU_HASH:
		case BPF_MAP_TYPE_PERCPU_ARRAY:
		case BPF_MAP_TYPE_LRU_HASH:
		case BPF_MAP_TYPE_LRU_PERCPU_HASH:
			/* .rodata, .data and .bss are arrays too: their globals are printed below. */
			if (!bpf_map__is_internal(map))
				dump_map(map);
			break;
		default:
			break;
		}
	}
${watchLines(spec.watched)}}

static void usage(const char *prog)
{
	fprintf(stderr, "Usage: %s [-d SECONDS] [-v]\\n"
			"  -d SECONDS  stop after this long (default: until Ctrl-C)\\n"
			"  -v          print libbpf's debug messages\\n", prog);
}

int main(int argc, char **argv)
{
	struct ${name}_bpf *skel;
	struct ring_buffer *rb = NULL;
	struct perf_buffer *pbs[MAX_BUFFERS];
	int npbs = 0;
	struct bpf_map *map;
	double duration = 0, start, next_dump, dumped_at = -1;
	char *end;
	int err = 0, opt, i, unattached = 0;

	while ((opt = getopt(argc, argv, "d:vh")) != -1) {
		switch (opt) {
		case 'd':
			duration = strtod(optarg, &end);
			if (*end || duration <= 0) {
				usage(argv[0]);
				return 2;
			}
			break;
		case 'v':
			verbose = true;
			break;
		default:
			usage(argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}

	/* One line at a time, so output piped to a file or \`tee\` arrives as it happens. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(print_libbpf);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	/* Open: parse the object embedded in the skeleton, nothing in the kernel yet. */
	skel = ${name}_bpf__open();
	if (!skel) {
		fprintf(stderr, "Failed to open the BPF skeleton: %s\\n", strerror(errno));
		return 1;
	}

${settingLines(name, spec.settings)}	/* Load: create the maps and have the verifier check every program. */
	err = ${name}_bpf__load(skel);
	if (err) {
		fprintf(stderr, "Failed to load and verify the BPF object: %s (run as root; -v shows libbpf's log)\\n", strerror(-err));
		goto cleanup;
	}

${seedLines(spec.seeds)}	/* Attach every program to its hook (SEC() names it). */
	err = ${name}_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "Failed to attach the BPF programs: %s\\n", strerror(-err));
		goto cleanup;
	}
	/* The skeleton keeps each program's link; a program whose SEC() names no attach point has none. */
	printf("attached:");
	for (i = 0; i < skel->skeleton->prog_cnt; i++) {
		const struct bpf_prog_skeleton *p = (const void *)((const char *)skel->skeleton->progs + i * skel->skeleton->prog_skel_sz);

		if (*p->link)
			printf(" %s", p->name);
		else
			unattached++;
	}
	printf("\\n");
	if (unattached) {
		printf("not attached (SEC() names no attach point; attach them yourself):");
		for (i = 0; i < skel->skeleton->prog_cnt; i++) {
			const struct bpf_prog_skeleton *p = (const void *)((const char *)skel->skeleton->progs + i * skel->skeleton->prog_skel_sz);

			if (!*p->link)
				printf(" %s", p->name);
		}
		printf("\\n");
	}
	printf("bpf_printk output goes to the kernel's trace pipe: sudo cat /sys/kernel/debug/tracing/trace_pipe\\n");
	printf("%s\\n", duration > 0 ? "Stopping after -d seconds, or at Ctrl-C." : "Press Ctrl-C to stop.");

	/* Ring buffers and perf buffers: records are printed as they arrive. */
	bpf_object__for_each_map(map, skel->obj) {
		int fd = bpf_map__fd(map);
		void *ctx = (void *)bpf_map__name(map);

		if (bpf_map__type(map) == BPF_MAP_TYPE_RINGBUF) {
			if (!rb)
				rb = ring_buffer__new(fd, on_ringbuf_record, ctx, NULL);
			else if (ring_buffer__add(rb, fd, on_ringbuf_record, ctx))
				fprintf(stderr, "Failed to read ring buffer %s: %s\\n", bpf_map__name(map), strerror(errno));
			if (!rb) {
				err = -errno;
				fprintf(stderr, "Failed to read ring buffer %s: %s\\n", bpf_map__name(map), strerror(errno));
				goto cleanup;
			}
		} else if (bpf_map__type(map) == BPF_MAP_TYPE_PERF_EVENT_ARRAY && npbs < MAX_BUFFERS) {
			pbs[npbs] = perf_buffer__new(fd, 8, on_perf_record, on_perf_lost, ctx, NULL);
			if (!pbs[npbs]) {
				err = -errno;
				fprintf(stderr, "Failed to read perf buffer %s: %s\\n", bpf_map__name(map), strerror(errno));
				goto cleanup;
			}
			npbs++;
		}
	}

	start = now_seconds();
	next_dump = start + 1;
	while (!exiting) {
		double now;

		if (rb) {
			err = ring_buffer__poll(rb, 100);
		} else if (!npbs) {
			usleep(100 * 1000);
			err = 0;
		}
		for (i = 0; i < npbs && err >= 0; i++)
			err = perf_buffer__poll(pbs[i], rb || npbs > 1 ? 0 : 100);
		if (err == -EINTR) {
			err = 0;
			continue;
		}
		if (err < 0) {
			fprintf(stderr, "Failed to poll for records: %s\\n", strerror(-err));
			break;
		}
		err = 0;
		now = now_seconds();
		if (now >= next_dump) {
			dump_maps(skel, now - start);
			dumped_at = now;
			next_dump += 1;
		}
		if (duration > 0 && now - start >= duration)
			break;
	}
	if (err >= 0 && dumped_at < now_seconds() - 0.5)
		dump_maps(skel, now_seconds() - start);

cleanup:
	/* Destroying the skeleton detaches the programs and frees the object: nothing stays in the kernel. */
	ring_buffer__free(rb);
	for (i = 0; i < npbs; i++)
		perf_buffer__free(pbs[i]);
	${name}_bpf__destroy(skel);
	return err < 0 ? -err : 0;
}
`;
}
