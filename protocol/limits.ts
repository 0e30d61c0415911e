// The server's size limits, as it tells each client in hello, and the sentences both sides use
// when something is over one: the page checks before it sends, the server checks what arrives.
import { z } from 'zod';
import type { SourceFile } from './sources.ts';

export const serverLimitsSchema = z.object({
  /** The files of one program, all together, in UTF-8 bytes. */
  sourceBytes: z.number().int().positive(),
  /** The largest WebSocket message the server takes; a bigger one would cost the connection. */
  wsMaxPayloadBytes: z.number().int().positive(),
});
export type ServerLimits = z.infer<typeof serverLimitsSchema>;

const KB = 1024;
const MB = 1024 * KB;

/** UTF-8 bytes of a string (what the server counts), without encoding it. A lone surrogate counts as U+FFFD, as encoders write it. */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** "64 KB", "100.1 KB", "1.1 MB": one decimal, none when whole. */
export function formatKilobytes(bytes: number): string {
  const [value, unit] = bytes >= MB ? [bytes / MB, 'MB'] : [bytes / KB, 'KB'];
  return `${trimmed(Math.round(value * 10) / 10)} ${unit}`;
}

/** A size that is over `limit`, said so that it never reads as equal to it (65,537 bytes: "64.1 KB", not "64 KB"). */
export function formatSizeOver(bytes: number, limit: number): string {
  const shown = formatKilobytes(bytes);
  if (shown !== formatKilobytes(limit)) return shown;
  const [value, unit] = bytes >= MB ? [bytes / MB, 'MB'] : [bytes / KB, 'KB'];
  return `${trimmed(Math.ceil(value * 10) / 10)} ${unit}`;
}

function trimmed(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

/** One sentence when the files together are over the limit, naming the biggest; null when they fit. */
export function sourceSizeProblem(files: SourceFile[], sourceBytes: number): string | null {
  const sizes = files.map((file) => ({ name: file.name, bytes: utf8Bytes(file.content) })).sort((a, b) => b.bytes - a.bytes);
  const total = sizes.reduce((sum, file) => sum + file.bytes, 0);
  if (total <= sourceBytes) return null;
  const limit = `the limit is ${formatKilobytes(sourceBytes)} for all files together`;
  const [biggest] = sizes;
  // One file holds (nearly) all of it: name that file alone.
  if (biggest && (sizes.length === 1 || biggest.bytes > sourceBytes)) return `${biggest.name} is ${formatSizeOver(biggest.bytes, sourceBytes)}; ${limit}.`;
  const named = sizes
    .slice(0, 3)
    .map((file) => `${file.name} ${formatKilobytes(file.bytes)}`)
    .join(', ');
  return `The files are ${formatSizeOver(total, sourceBytes)} together (${named}${sizes.length > 3 ? ', …' : ''}); ${limit}.`;
}

/** One sentence when an encoded message is over the server's WebSocket limit; null when it fits. */
export function frameSizeProblem(frameBytes: number, wsMaxPayloadBytes: number): string | null {
  if (frameBytes <= wsMaxPayloadBytes) return null;
  return `This is too big to send: ${formatSizeOver(frameBytes, wsMaxPayloadBytes)} once encoded, and the server takes at most ${formatKilobytes(wsMaxPayloadBytes)} in one message.`;
}
