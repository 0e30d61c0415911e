import { readFile } from 'node:fs/promises';

/** x86-64 and arm64 put the kernel in the upper half of the address space; user space is below. */
export const KERNEL_HALF = 0xffff_8000_0000_0000n;
/** No kernel function is this long: an address further past the nearest symbol is not in it. */
const MAX_OFFSET = 1n << 20n;

/**
 * The kernel's function symbols, sorted by address, for naming the frames
 * of stack traces: `do_syscall_64+0x5c`, `nft_do_chain+0x1d0 [nf_tables]`.
 */
export class KernelSymbols {
  private constructor(
    private readonly addresses: BigUint64Array,
    private readonly names: string[],
  ) {}

  /**
   * Parses /proc/kallsyms text. Only text symbols (t, T, w, W) are kept:
   * stack frames are return addresses in code. Null when every address is
   * zero, which is what kptr_restrict shows a reader without CAP_SYSLOG.
   */
  static parse(text: string): KernelSymbols | null {
    const found: { address: bigint; name: string }[] = [];
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      // "ffffffff81000000 T _stext" or "ffffffffc0a01000 t nft_do_chain\t[nf_tables]"
      const line = text.slice(start, end);
      start = end + 1;
      const kind = line.charCodeAt(17);
      if (line.charCodeAt(16) !== 32 || !(kind === 116 || kind === 84 || kind === 119 || kind === 87)) continue;
      const address = BigInt(`0x${line.slice(0, 16)}`);
      if (address === 0n) continue;
      const tab = line.indexOf('\t', 19);
      const name = tab < 0 ? line.slice(19) : `${line.slice(19, tab)} ${line.slice(tab + 1)}`;
      found.push({ address, name });
    }
    if (!found.length) return null;
    // Modules and BPF programs come after the kernel's own symbols, out of order.
    found.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    return new KernelSymbols(
      BigUint64Array.from(found, (s) => s.address),
      found.map((s) => s.name),
    );
  }

  get size(): number {
    return this.names.length;
  }

  /** The function an address is in, with the offset into it, or null when no symbol covers it. */
  symbolize(address: bigint): string | null {
    const { addresses } = this;
    let lo = 0;
    let hi = addresses.length - 1;
    if (hi < 0 || address < addresses[0]!) return null;
    // The last symbol at or below the address.
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (addresses[mid]! <= address) lo = mid;
      else hi = mid - 1;
    }
    const offset = address - addresses[lo]!;
    if (offset >= MAX_OFFSET) return null;
    const name = this.names[lo]!;
    const space = name.indexOf(' ');
    const where = `+0x${offset.toString(16)}`;
    // A module's name stays last: "nft_do_chain+0x1d0 [nf_tables]".
    return space < 0 ? `${name}${where}` : `${name.slice(0, space)}${where}${name.slice(space)}`;
  }
}

let loading: Promise<KernelSymbols | null> | null = null;

/**
 * /proc/kallsyms, read and parsed at the first call (it has over 100,000
 * lines) and kept for the life of the process. Symbols of modules and BPF
 * programs loaded later are not in it. Null when the file cannot be read or
 * hides its addresses.
 */
export function kernelSymbols(): Promise<KernelSymbols | null> {
  loading ??= readFile('/proc/kallsyms', 'utf8').then(
    (text) => KernelSymbols.parse(text),
    () => null,
  );
  return loading;
}
