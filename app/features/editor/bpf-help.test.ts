import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CODE_SNIPPETS, HELPERS, SECTION_SNIPPETS, helperDoc, helperMarkdown, sectionStart } from './bpf-help.ts';

test('covers the helpers a learner meets first, once each, with every field filled', () => {
  const names = HELPERS.map((h) => h.name);
  assert.equal(new Set(names).size, names.length, 'no helper twice');
  for (const wanted of [
    'bpf_map_lookup_elem',
    'bpf_map_update_elem',
    'bpf_map_delete_elem',
    'bpf_printk',
    'bpf_trace_printk',
    'bpf_get_current_pid_tgid',
    'bpf_get_current_comm',
    'bpf_ktime_get_ns',
    'bpf_probe_read_kernel',
    'bpf_probe_read_user',
    'bpf_probe_read_kernel_str',
    'bpf_probe_read_user_str',
    'bpf_ringbuf_reserve',
    'bpf_ringbuf_submit',
    'bpf_ringbuf_discard',
    'bpf_ringbuf_output',
    'bpf_perf_event_output',
    'bpf_get_current_task',
    'BPF_CORE_READ',
    'bpf_get_smp_processor_id',
    'bpf_get_prandom_u32',
    'bpf_loop',
    'bpf_get_stackid',
    'bpf_send_signal',
  ]) {
    assert.ok(names.includes(wanted), `${wanted} is documented`);
  }
  assert.ok(HELPERS.length >= 25);
  for (const h of HELPERS) {
    assert.ok(h.signature.includes(h.name), `${h.name}: the signature names it`);
    assert.match(h.meaning, /\.$/, `${h.name}: the meaning is a sentence`);
    assert.match(h.programTypes, /\.$/, `${h.name}: says which programs may call it`);
  }
});

test('hover text: prototype in a C block, the meaning, the program types; bpf_send_signal says the playground refuses it', () => {
  const doc = helperDoc('bpf_map_lookup_elem')!;
  const parts = helperMarkdown(doc);
  assert.equal(parts[0], '```c\nvoid *bpf_map_lookup_elem(void *map, const void *key)\n```');
  assert.match(parts.join('\n'), /NULL/);
  assert.match(helperMarkdown(helperDoc('bpf_send_signal')!).join('\n'), /playground refuses/);
  assert.equal(helperDoc('printf'), null);
});

test('snippets: placeholders are balanced, sections are plain SEC names, maps go in .maps', () => {
  for (const s of [...SECTION_SNIPPETS, ...CODE_SNIPPETS]) {
    let depth = 0;
    for (let i = 0; i < s.body.length; i++) {
      if (s.body.startsWith('${', i)) depth++;
      else if (s.body[i] === '}' && depth > 0) depth--;
    }
    assert.equal(depth, 0, `${s.label}: every \${ is closed`);
    assert.ok(s.detail.length > 0);
  }
  for (const s of SECTION_SNIPPETS) assert.doesNotMatch(s.body, /["\s]/, `${s.label} is only a section name`);
  const maps = CODE_SNIPPETS.filter((s) => s.label.startsWith('map '));
  assert.deepEqual(
    maps.map((s) => s.label),
    ['map hash', 'map array', 'map percpu_array', 'map ringbuf'],
  );
  for (const m of maps) assert.match(m.body, /SEC\("\.maps"\);$/);
});

test('knows when the cursor is inside SEC("…")', () => {
  assert.equal(sectionStart('SEC("'), 6);
  assert.equal(sectionStart('SEC("tracepoint/sys'), 6);
  assert.equal(sectionStart('  SEC( "kp'), 9);
  assert.equal(sectionStart('SEC("license") = '), null);
  assert.equal(sectionStart('int x = 0;'), null);
});
