import assert from 'node:assert/strict';
import { test } from 'node:test';
import { writesTrace } from './trace-writers.ts';

const HELPERS = new Map([
  [1, 'bpf_map_lookup_elem'],
  [6, 'bpf_trace_printk'],
  [177, 'bpf_trace_vprintk'],
]);

/** A program of these instructions: [opcode, registers, imm] each, 8 bytes little-endian. */
function program(...instructions: [number, number, number][]): Uint8Array {
  const bytes = new Uint8Array(instructions.length * 8);
  const view = new DataView(bytes.buffer);
  instructions.forEach(([code, regs, imm], i) => {
    view.setUint8(i * 8, code);
    view.setUint8(i * 8 + 1, regs);
    view.setInt32(i * 8 + 4, imm, true);
  });
  return bytes;
}

const CALL = 0x85;
const EXIT: [number, number, number] = [0x95, 0, 0];
const MOV_R0_0: [number, number, number] = [0xb7, 0, 0];

test('a program calling bpf_trace_printk or bpf_trace_vprintk writes trace lines', () => {
  assert.equal(writesTrace([program([CALL, 0, 6], MOV_R0_0, EXIT)], HELPERS), true);
  assert.equal(writesTrace([program([CALL, 0, 1], EXIT), program([CALL, 0, 177], EXIT)], HELPERS), true);
});

test('a program that only looks maps up writes none', () => {
  assert.equal(writesTrace([program([CALL, 0, 1], MOV_R0_0, EXIT)], HELPERS), false);
  assert.equal(writesTrace([], HELPERS), false);
});

test("a call of the program's own function numbered like the printk helper is not a print", () => {
  // src_reg 1 (BPF_PSEUDO_CALL): imm is a relative jump to a subprogram, not a helper id.
  assert.equal(writesTrace([program([CALL, 0x10, 6], EXIT)], HELPERS), false);
});
