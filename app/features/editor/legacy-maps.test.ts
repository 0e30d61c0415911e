import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyEdits, convertLegacyMaps, findLegacyMaps, maskComments } from './legacy-maps.ts';

const HEADERS = '#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n';

/** The file after converting every legacy map in it. */
function converted(source: string): string {
  return applyEdits(source, convertLegacyMaps(source).edits);
}

test('a hash map from an old tutorial becomes a BTF map with the same name, types and flags', () => {
  const source = `${HEADERS}
struct bpf_map_def SEC("maps") my_counts = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(u32),
	.value_size = sizeof(u64),
	.max_entries = 1024,
	.map_flags = BPF_F_NO_PREALLOC,   /* optional */
};

SEC("tp/syscalls/sys_enter_execve")
int count(void *ctx)
{
	u32 key = 0;
	u64 *n = bpf_map_lookup_elem(&my_counts, &key);
	return 0;
}
`;
  assert.equal(
    converted(source),
    `${HEADERS}
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, u32);
	__type(value, u64);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* optional */
} my_counts SEC(".maps");

SEC("tp/syscalls/sys_enter_execve")
int count(void *ctx)
{
	u32 key = 0;
	u64 *n = bpf_map_lookup_elem(&my_counts, &key);
	return 0;
}
`,
  );
  const [map] = findLegacyMaps(source);
  assert.equal(map?.ok, true);
  assert.deepEqual({ name: map?.name, line: map?.line, endLine: map?.endLine }, { name: 'my_counts', line: 4, endLine: 10 });
});

test('two maps in one file are both converted, in one set of edits, and the code between them is kept', () => {
  const source = `${HEADERS}
struct bpf_map_def SEC("maps") starts = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(struct task_key),
	.value_size = sizeof(__u64),
	.max_entries = 10240,
};

/* Filled by the exit handler. */
struct bpf_map_def SEC("maps") durations = {
	.type        = BPF_MAP_TYPE_ARRAY,
	.key_size    = sizeof(__u32),
	.value_size  = sizeof(struct hist),
	.max_entries = 1,
};
`;
  const conversion = convertLegacyMaps(source);
  assert.deepEqual(conversion.converted, ['starts', 'durations']);
  assert.equal(conversion.edits.length, 2);
  assert.deepEqual(conversion.notes, []);
  assert.equal(
    applyEdits(source, conversion.edits),
    `${HEADERS}
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct task_key);
	__type(value, __u64);
	__uint(max_entries, 10240);
} starts SEC(".maps");

/* Filled by the exit handler. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct hist);
	__uint(max_entries, 1);
} durations SEC(".maps");
`,
  );
});

test('numeric and computed sizes stay sizes; odd spacing, one line, no trailing comma and the SEC-first order all convert', () => {
  const source = `${HEADERS}
SEC("maps")
struct bpf_map_def stack_traces={.type=BPF_MAP_TYPE_STACK_TRACE,.key_size=4,
    .value_size   =   PERF_MAX_STACK_DEPTH * sizeof(__u64)  ,
    .max_entries= 1 <<
        14
};
struct   bpf_map_def   __attribute__((section("maps"), used))   events = { .type = BPF_MAP_TYPE_PERF_EVENT_ARRAY, .key_size = sizeof(int), .value_size = sizeof(__u32) };
`;
  assert.equal(
    converted(source),
    `${HEADERS}
struct {
    __uint(type, BPF_MAP_TYPE_STACK_TRACE);
    __uint(key_size, 4);
    __uint(value_size, PERF_MAX_STACK_DEPTH * sizeof(__u64));
    __uint(max_entries, 1 << 14);
} stack_traces SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__type(key, int);
	__type(value, __u32);
} events SEC(".maps");
`,
  );
});

test('sizeof of an array type or with a product after it is judged by its whole expression', () => {
  const source = `${HEADERS}
struct bpf_map_def SEC("maps") names = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(char[16]),
	.value_size = sizeof(u64) * 4,
	.max_entries = 64,
};
`;
  const out = converted(source);
  assert.match(out, /\t__type\(key, char\[16\]\);\n/);
  assert.match(out, /\t__uint\(value_size, sizeof\(u64\) \* 4\);\n/);
});

test('comments inside the braces are kept beside the fields they were about', () => {
  const source = `${HEADERS}
struct bpf_map_def SEC("maps") seen = { /* pid -> first exec time */
	/* the kernel's pid, not the thread's */
	.type = BPF_MAP_TYPE_LRU_HASH, // evicts the oldest
	.key_size = sizeof(pid_t),
	.value_size = sizeof(u64 /* ns */),
	.max_entries = 8192 /* enough for a busy build */ // and more
	/* no flags */
};
`;
  assert.equal(
    converted(source),
    `${HEADERS}
struct { /* pid -> first exec time */
	/* the kernel's pid, not the thread's */
	__uint(type, BPF_MAP_TYPE_LRU_HASH); // evicts the oldest
	__type(key, pid_t);
	__type(value, u64); /* ns */
	__uint(max_entries, 8192); /* enough for a busy build */ // and more
	/* no flags */
} seen SEC(".maps");
`,
  );
});

test('an unconvertible field leaves that one definition alone with a sentence naming the field, and the others are converted', () => {
  const source = `${HEADERS}
struct bpf_map_def SEC("maps") pinned = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(u32),
	.value_size = sizeof(u64),
	.max_entries = 16,
	.pinning = 2,
};

struct bpf_map_def SEC("maps") plain = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(u32),
	.value_size = sizeof(u64),
	.max_entries = 1,
};
`;
  const [pinned, plain] = findLegacyMaps(source);
  assert.equal(pinned?.ok, false);
  assert.match(pinned?.ok === false ? pinned.reason : '', /^The map pinned is left as it is: it sets \.pinning, .*\.$/);
  assert.equal(plain?.ok, true);
  const out = converted(source);
  assert.ok(out.includes('struct bpf_map_def SEC("maps") pinned = {\n\t.type = BPF_MAP_TYPE_HASH,'), 'the pinned map is unchanged');
  assert.ok(out.includes('} plain SEC(".maps");'));
});

test('fields a BTF map does not have, a field set twice, positional values and #if inside are each refused in one sentence', () => {
  const cases: [string, RegExp][] = [
    ['.type = BPF_MAP_TYPE_ARRAY_OF_MAPS, .key_size = 4, .value_size = 4, .max_entries = 1, .inner_map_idx = 0,', /\.inner_map_idx: a map of maps/],
    ['.type = BPF_MAP_TYPE_HASH, .id = 1, .key_size = 4,', /it sets \.id, which a BTF-defined map has no field for\.$/],
    ['.type = BPF_MAP_TYPE_HASH, .constructor = 1,', /it sets \.constructor, which a BTF-defined map has no field for\.$/],
    ['.type = BPF_MAP_TYPE_HASH, .max_entries = 1, .max_entries = 2,', /it sets \.max_entries twice\.$/],
    ['BPF_MAP_TYPE_HASH, 4, 8, 1024, 0', /given by position/],
    ['.type = BPF_MAP_TYPE_HASH,\n#ifdef BIG\n.max_entries = 4096,\n#endif', /preprocessor line/],
    ['.type = ,', /\.type has no value\.$/],
  ];
  for (const [body, reason] of cases) {
    const source = `${HEADERS}struct bpf_map_def SEC("maps") m = {\n${body}\n};\n`;
    const [map] = findLegacyMaps(source);
    assert.equal(map?.ok, false, body);
    assert.match(map?.ok === false ? map.reason : '', reason, body);
    assert.deepEqual(convertLegacyMaps(source).edits, [], body);
  }
});

test('a file without the helpers header gets it after its last #include, and says so', () => {
  const source = `#include <linux/bpf.h>
#define SEC(name) __attribute__((section(name), used))

struct bpf_map_def SEC("maps") counts = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(int),
	.value_size = sizeof(long),
	.max_entries = 1,
};
`;
  const conversion = convertLegacyMaps(source);
  assert.match(conversion.notes.join(' '), /^Added #include <bpf\/bpf_helpers\.h>, which defines __uint, __type and SEC/);
  assert.ok(applyEdits(source, conversion.edits).startsWith('#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n#define SEC(name)'));
  // No #include at all: it goes first.
  const bare = 'struct bpf_map_def SEC("maps") m = { .type = BPF_MAP_TYPE_ARRAY, .max_entries = 1 };\n';
  assert.ok(converted(bare).startsWith('#include <bpf/bpf_helpers.h>\nstruct {\n'));
});

test('only the chosen map is converted when asked', () => {
  const source = `${HEADERS}struct bpf_map_def SEC("maps") a = { .type = BPF_MAP_TYPE_ARRAY, .max_entries = 1 };
struct bpf_map_def SEC("maps") b = { .type = BPF_MAP_TYPE_ARRAY, .max_entries = 2 };
`;
  const conversion = convertLegacyMaps(source, (m) => m.name === 'b');
  assert.deepEqual(conversion.converted, ['b']);
  const out = applyEdits(source, conversion.edits);
  assert.ok(out.includes('struct bpf_map_def SEC("maps") a = {'));
  assert.ok(out.includes('} b SEC(".maps");'));
});

test('definitions in comments or strings, BTF maps and other structs are not legacy maps', () => {
  const source = `${HEADERS}
/* struct bpf_map_def SEC("maps") old = { .type = BPF_MAP_TYPE_HASH, }; */
// struct bpf_map_def SEC("maps") older = { .type = BPF_MAP_TYPE_HASH, };
const char *doc = "struct bpf_map_def SEC(\\"maps\\") quoted = {";
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
} modern SEC(".maps");
struct bpf_elf_map SEC("maps") iproute = { .type = BPF_MAP_TYPE_HASH };
`;
  assert.deepEqual(findLegacyMaps(source), []);
  assert.deepEqual(convertLegacyMaps(source).edits, []);
});

test('masking blanks comments but keeps offsets, lines and strings', () => {
  const source = 'a /* b\nc */ "// d" // e\nf';
  const { masked, comments } = maskComments(source);
  assert.equal(masked.length, source.length);
  assert.equal(masked, 'a     \n     "// d"     \nf');
  assert.deepEqual(
    comments.map((c) => c.text),
    ['/* b\nc */', '// e'],
  );
});
