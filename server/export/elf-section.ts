// One section of a little-endian ELF64 file, by name: the export reads the
// .BTF of an object the playground's own clang just built, so a parser of
// the section header table is all it takes (no llvm-objcopy, no jail).
// Pure: bytes in, bytes out.

/** The bytes of section `name`, or null when the file has no such section or is not little-endian ELF64. */
export function elfSection(file: Uint8Array, name: string): Uint8Array | null {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  // \x7fELF, ELFCLASS64, ELFDATA2LSB.
  if (file.length < 64 || view.getUint32(0, false) !== 0x7f454c46 || file[4] !== 2 || file[5] !== 1) return null;
  const shoff = Number(view.getBigUint64(0x28, true));
  const shentsize = view.getUint16(0x3a, true);
  const shnum = view.getUint16(0x3c, true);
  const shstrndx = view.getUint16(0x3e, true);
  if (shentsize < 64 || shstrndx >= shnum || shoff + shnum * shentsize > file.length) return null;

  const header = (index: number) => {
    const at = shoff + index * shentsize;
    return { name: view.getUint32(at, true), offset: Number(view.getBigUint64(at + 24, true)), size: Number(view.getBigUint64(at + 32, true)) };
  };
  const strings = header(shstrndx);
  if (strings.offset + strings.size > file.length) return null;
  const wanted = new TextEncoder().encode(name);
  for (let i = 0; i < shnum; i++) {
    const section = header(i);
    const start = strings.offset + section.name;
    if (start + wanted.length >= strings.offset + strings.size) continue;
    if (file[start + wanted.length] !== 0 || !wanted.every((byte, j) => file[start + j] === byte)) continue;
    if (section.offset + section.size > file.length) return null;
    return file.subarray(section.offset, section.offset + section.size);
  }
  return null;
}
