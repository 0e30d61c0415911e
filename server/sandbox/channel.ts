/**
 * Messages over a byte stream (a VM's virtio-serial port): each frame is a
 * 4-byte big-endian length and the message in V8's serialization, the same
 * one Node's 'advanced' IPC uses, so Uint8Arrays pass as bytes. The reader
 * treats the other side as untrusted: an oversized or unreadable frame is
 * reported once, and nothing after it is read.
 */
import { deserialize, serialize } from 'node:v8';

/** No frame the protocol sends comes near this (objects ≤ 2 MiB, a map dump of 10,000 entries, a kernel BTF of ~6 MiB). */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

export function encodeFrame(message: unknown): Buffer {
  const body = serialize(message);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  return Buffer.concat([head, body]);
}

/** Collects chunks and yields whole messages; after a bad frame, `broken` says why and the rest is ignored. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  broken: string | null = null;

  constructor(
    private readonly onMessage: (message: unknown) => void,
    private readonly onBroken: (why: string) => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.broken) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 4) {
      if (this.chunks[0]!.length < 4) this.chunks = [Buffer.concat(this.chunks)];
      const length = this.chunks[0]!.readUInt32BE(0);
      if (length > MAX_FRAME_BYTES) return this.fail(`a message of ${length} bytes (the limit is ${MAX_FRAME_BYTES})`);
      // Joined only once the whole frame is here: a big frame comes in thousands of chunks.
      if (this.buffered < 4 + length) return;
      const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
      const body = all.subarray(4, 4 + length);
      const rest = all.subarray(4 + length);
      this.chunks = rest.length ? [rest] : [];
      this.buffered = rest.length;
      let message: unknown;
      try {
        message = deserialize(body);
      } catch (error) {
        return this.fail(`a message that could not be read (${(error as Error).message})`);
      }
      this.onMessage(message);
    }
  }

  private fail(why: string): void {
    this.broken = why;
    this.chunks = [];
    this.buffered = 0;
    this.onBroken(why);
  }
}
