// The exported Go project's main.go, on cilium/ebpf and the bindings bpf2go
// generates (gen.go): remove the memlock limit, set globals, load, write map
// entries, attach every program by its SEC() name, then print trace lines,
// ring buffer / perf buffer records and map entries until Ctrl-C or -d
// SECONDS, in the C loader's words. What is specific to the program is data
// at the top; the rest asks cilium/ebpf at run time. It uses only API that
// cilium/ebpf has had since v0.9, so the Debian-packaged library builds it
// as well as a current release.
// Pure: data in, a string out.

import type { GlobalSetting, MapSeedBytes, RecordPrinter, WatchedGlobal } from './loader-c.ts';

export interface GoLoaderSpec {
  name: string;
  /** bpf2go's identifier: its generated loader is `load<Ident>()`. */
  ident: string;
  settings: GlobalSetting[];
  seeds: MapSeedBytes[];
  printers: RecordPrinter[];
  watched: WatchedGlobal[];
  /** The program prints with bpf_printk: the loader follows trace_pipe. */
  readsTrace: boolean;
}

function goBytes(bytes: Uint8Array | null): string {
  if (!bytes) return 'nil';
  return `[]byte{${[...bytes].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ')}}`;
}

/** A Go string literal: JSON's escapes are Go's for the characters JSON escapes. */
function goString(text: string): string {
  return JSON.stringify(text)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function settingsTable(settings: GlobalSetting[]): string {
  return settings
    .map(
      (s) =>
        `\t// ${s.variable} = ${s.shown.replace(/[\r\n]+/g, ' ')}\n\t{section: ${goString(s.section)}, variable: ${goString(s.variable)}, bytes: ${goBytes(s.bytes)}},`,
    )
    .join('\n');
}

function seedsTable(seeds: MapSeedBytes[]): string {
  return seeds
    .map(
      (s) =>
        `\t// ${s.map}: ${s.shown.replace(/[\r\n]+/g, ' ')}\n\t{mapName: ${goString(s.map)}, key: ${goBytes(s.key)}, value: ${goBytes(s.value)}, perCPU: ${s.perCpu}},`,
    )
    .join('\n');
}

function recordsTable(printers: RecordPrinter[]): string {
  return printers
    .map((p) => {
      const fields = p.fields.map(
        (f) =>
          `\t\t{name: ${goString(f.name)}, show: ${goString(f.show)}, signed: ${f.signed}, offset: ${f.offset}, size: ${f.size}, bitOffset: ${f.bitOffset}, bitWidth: ${f.bitWidth}},`,
      );
      return `\t{name: ${goString(p.struct)}, size: ${p.size}, fields: []field{\n${fields.join('\n')}\n\t}},`;
    })
    .join('\n');
}

function watchedTable(watched: WatchedGlobal[]): string {
  return watched.map((w) => `\t{section: ${goString(w.section)}, variable: ${goString(w.variable)}, size: ${w.size}, signed: ${w.signed}},`).join('\n');
}

/** A slice literal as gofmt writes it: `[]T{}` when empty, else one element a line. */
function goList(type: string, rows: string): string {
  return rows ? `[]${type}{\n${rows}\n}` : `[]${type}{}`;
}

export function goLoaderSource(spec: GoLoaderSpec): string {
  return `// ${spec.name}: the user space of ${spec.name}.bpf.c, on cilium/ebpf. Build with
// \`go generate && go build\`, run with \`sudo ./${spec.name} -d 5\`.
package main

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/perf"
	"github.com/cilium/ebpf/ringbuf"
	"github.com/cilium/ebpf/rlimit"
)

// What the playground set before the run: globals, written into the object before load.
var settings = ${goList('setting', settingsTable(spec.settings))}

// Map entries the playground wrote after load, before attach.
var seeds = ${goList('seed', seedsTable(spec.seeds))}

// The structs the program defines, to print its records field by field (chosen by size).
var records = ${goList('record', recordsTable(spec.printers))}

// Globals in .bss and .data printed every second.
var watched = ${goList('watchedGlobal', watchedTable(spec.watched))}

const readsTrace = ${spec.readsTrace}

type setting struct {
	section, variable string
	bytes             []byte
}

type seed struct {
	mapName    string
	key, value []byte
	perCPU     bool
}

type field struct {
	name, show                        string
	signed                            bool
	offset, size, bitOffset, bitWidth int
}

type record struct {
	name   string
	size   int
	fields []field
}

type watchedGlobal struct {
	section, variable string
	size              int
	signed            bool
	// Where it sits in its section's value, found in the object's BTF at start.
	offset int
}

// At most this many entries of a map are printed each second.
const maxShown = 32

func main() {
	seconds := flag.Float64("d", 0, "stop after this many seconds (default: until Ctrl-C)")
	btfFile := flag.String("btf", "", "the kernel's types for CO-RE from this BTF file (a min_core_btf file, say) instead of the running kernel's")
	flag.Parse()
	if err := run(*seconds, *btfFile); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(seconds float64, btfFile string) error {
	// Kernels before 5.11 count BPF memory against RLIMIT_MEMLOCK.
	if err := rlimit.RemoveMemlock(); err != nil {
		return fmt.Errorf("removing the memlock limit: %w (run as root)", err)
	}
	spec, err := load${spec.ident}()
	if err != nil {
		return fmt.Errorf("reading the BPF object: %w", err)
	}
	for _, s := range settings {
		if err := applySetting(spec, s); err != nil {
			return err
		}
	}
	shown := watched[:0]
	for _, w := range watched {
		if m, ok := spec.Maps[w.section]; ok {
			if w.offset, ok = varOffset(m, w.variable); ok {
				shown = append(shown, w)
			}
		}
	}
	watched = shown
	var opts ebpf.CollectionOptions
	if btfFile != "" {
		types, err := btf.LoadSpec(btfFile)
		if err != nil {
			return fmt.Errorf("reading the kernel's types from %s: %w", btfFile, err)
		}
		opts.Programs.KernelTypes = types
	}
	coll, err := ebpf.NewCollectionWithOptions(spec, opts)
	if err != nil {
		return fmt.Errorf("loading the BPF object (the verifier's log follows, if it ran): %+v", err)
	}
	defer coll.Close()
	for _, s := range seeds {
		if err := applySeed(coll, s); err != nil {
			return fmt.Errorf("seeding map %s: %w", s.mapName, err)
		}
	}

	links := attachAll(spec, coll)
	defer func() {
		for _, l := range links {
			l.Close()
		}
	}()
	if len(links) == 0 {
		return errors.New("no program could be attached")
	}
	fmt.Println("Running: watch the output below, or sudo cat /sys/kernel/debug/tracing/trace_pipe")

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	var deadline <-chan time.Time
	if seconds > 0 {
		deadline = time.After(time.Duration(seconds * float64(time.Second)))
	}
	closers := followEvents(coll)
	defer func() {
		for _, c := range closers {
			c()
		}
	}()
	if readsTrace {
		go followTrace()
	}
	start := time.Now()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			dumpMaps(coll, time.Since(start))
			return nil
		case <-deadline:
			dumpMaps(coll, time.Since(start))
			return nil
		case <-tick.C:
			dumpMaps(coll, time.Since(start))
		}
	}
}

// A global's bytes go into its section's one value, where the object's BTF puts it.
func applySetting(spec *ebpf.CollectionSpec, s setting) error {
	m, ok := spec.Maps[s.section]
	if !ok {
		return fmt.Errorf("setting %s: the object has no %s section", s.variable, s.section)
	}
	offset, ok := varOffset(m, s.variable)
	if !ok {
		return fmt.Errorf("setting %s: %s has no such variable", s.variable, s.section)
	}
	if len(m.Contents) == 0 {
		// Some releases leave .bss without contents, since the kernel zeroes it anyway.
		m.Contents = []ebpf.MapKV{{Key: uint32(0), Value: make([]byte, m.ValueSize)}}
	}
	data, ok := m.Contents[0].Value.([]byte)
	if !ok || offset+len(s.bytes) > len(data) {
		return fmt.Errorf("setting %s: it does not fit in %s", s.variable, s.section)
	}
	copy(data[offset:], s.bytes)
	return nil
}

// A variable's offset in its section, from the section's BTF (cilium/ebpf fills in
// the offsets from the symbol table, which clang leaves out of the BTF it writes).
func varOffset(m *ebpf.MapSpec, variable string) (int, bool) {
	section, ok := m.Value.(*btf.Datasec)
	if !ok {
		return 0, false
	}
	for _, v := range section.Vars {
		if v.Type.TypeName() == variable {
			return int(v.Offset), true
		}
	}
	return 0, false
}

func applySeed(coll *ebpf.Collection, s seed) error {
	m, ok := coll.Maps[s.mapName]
	if !ok {
		return errors.New("the object has no such map")
	}
	switch {
	case s.key == nil:
		// A queue or a stack: the value is pushed.
		return m.Update(nil, s.value, ebpf.UpdateAny)
	case s.perCPU:
		// The first CPU's slot gets the value; the others start at zero.
		values := make([][]byte, possibleCPUs())
		for i := range values {
			values[i] = make([]byte, len(s.value))
		}
		copy(values[0], s.value)
		return m.Put(s.key, values)
	default:
		return m.Put(s.key, s.value)
	}
}

// Each program is attached as its SEC() name says, as libbpf's auto-attach does.
func attachAll(spec *ebpf.CollectionSpec, coll *ebpf.Collection) []link.Link {
	names := make([]string, 0, len(coll.Programs))
	for name := range coll.Programs {
		names = append(names, name)
	}
	sort.Strings(names)
	var links []link.Link
	for _, name := range names {
		section := spec.Programs[name].SectionName
		l, err := attach(section, coll.Programs[name])
		if err != nil {
			fmt.Printf("not attached: %s (SEC(%q)): %v\\n", name, section, err)
			continue
		}
		fmt.Printf("attached: %s (SEC(%q))\\n", name, section)
		links = append(links, l)
	}
	return links
}

func attach(section string, prog *ebpf.Program) (link.Link, error) {
	kind, target, _ := strings.Cut(section, "/")
	switch kind {
	case "tracepoint", "tp":
		group, name, ok := strings.Cut(target, "/")
		if !ok {
			return nil, errors.New("a tracepoint section names group/name")
		}
		return link.Tracepoint(group, name, prog, nil)
	case "raw_tp", "raw_tracepoint":
		return link.AttachRawTracepoint(link.RawTracepointOptions{Name: target, Program: prog})
	case "kprobe":
		return link.Kprobe(target, prog, nil)
	case "kretprobe":
		return link.Kretprobe(target, prog, nil)
	case "uprobe", "uretprobe":
		// SEC("uprobe//path/to/lib.so:symbol"): the path, then the symbol.
		at := strings.LastIndex(target, ":")
		if at < 0 {
			return nil, errors.New("a uprobe section names path:symbol")
		}
		exe, err := link.OpenExecutable(target[:at])
		if err != nil {
			return nil, err
		}
		if kind == "uretprobe" {
			return exe.Uretprobe(target[at+1:], prog, nil)
		}
		return exe.Uprobe(target[at+1:], prog, nil)
	case "fentry", "fexit", "fmod_ret", "tp_btf":
		return link.AttachTracing(link.TracingOptions{Program: prog})
	case "lsm":
		return link.AttachLSM(link.LSMOptions{Program: prog})
	}
	return nil, fmt.Errorf("a %q program needs a target (an interface, a socket or a perf event) that this loader does not choose", kind)
}

// Ring buffer and perf buffer records, printed as they arrive; returns what closes the readers.
func followEvents(coll *ebpf.Collection) []func() {
	var closers []func()
	for name, m := range coll.Maps {
		name := name
		switch m.Type() {
		case ebpf.RingBuf:
			reader, err := ringbuf.NewReader(m)
			if err != nil {
				fmt.Fprintf(os.Stderr, "reading ring buffer %s: %v\\n", name, err)
				continue
			}
			closers = append(closers, func() { reader.Close() })
			go printRecords(func() (string, []byte, error) {
				rec, err := reader.Read()
				return fmt.Sprintf("%s: %d-byte record", name, len(rec.RawSample)), rec.RawSample, err
			})
		case ebpf.PerfEventArray:
			reader, err := perf.NewReader(m, 16*os.Getpagesize())
			if err != nil {
				fmt.Fprintf(os.Stderr, "reading perf buffer %s: %v\\n", name, err)
				continue
			}
			closers = append(closers, func() { reader.Close() })
			go printRecords(func() (string, []byte, error) {
				rec, err := reader.Read()
				if rec.LostSamples > 0 {
					return fmt.Sprintf("%s: %d records lost on CPU %d", name, rec.LostSamples, rec.CPU), nil, err
				}
				return fmt.Sprintf("%s: %d-byte record on CPU %d", name, len(rec.RawSample), rec.CPU), rec.RawSample, err
			})
		}
	}
	return closers
}

// Prints what read returns until its reader is closed: a header, then the bytes and their fields.
func printRecords(read func() (header string, raw []byte, err error)) {
	for {
		header, raw, err := read()
		if err != nil {
			return
		}
		if raw == nil {
			fmt.Println(header)
			continue
		}
		fmt.Printf("%s: %s\\n", header, hex.EncodeToString(raw))
		printRecord(raw)
	}
}

// bpf_printk's lines, from the kernel's trace buffer (shared by every program on the machine).
func followTrace() {
	for _, path := range []string{"/sys/kernel/tracing/trace_pipe", "/sys/kernel/debug/tracing/trace_pipe"} {
		f, err := os.Open(path)
		if err != nil {
			continue
		}
		defer f.Close()
		lines := bufio.NewScanner(f)
		for lines.Scan() {
			fmt.Println(lines.Text())
		}
		return
	}
	fmt.Fprintln(os.Stderr, "trace_pipe cannot be opened: is tracefs mounted?")
}

// A record as the struct of its size, when the program defines one (perf pads records to 8 bytes).
func printRecord(raw []byte) {
	for _, exact := range []bool{true, false} {
		for _, r := range records {
			if (exact && len(raw) == r.size) || (!exact && len(raw) > r.size && len(raw)-r.size < 8) {
				fmt.Printf("  struct %s:%s\\n", r.name, fields(raw, r.fields))
				return
			}
		}
	}
}

func fields(raw []byte, layout []field) string {
	var out strings.Builder
	for _, f := range layout {
		if f.offset+f.size > len(raw) {
			break
		}
		p := raw[f.offset : f.offset+f.size]
		out.WriteString(" " + f.name + "=")
		switch f.show {
		case "int":
			out.WriteString(number(p, f.signed))
		case "bits":
			out.WriteString(bits(raw, f))
		case "bool":
			out.WriteString(strconv.FormatBool(p[0] != 0))
		case "pointer":
			out.WriteString("0x" + strconv.FormatUint(binary.LittleEndian.Uint64(p), 16))
		case "float":
			if f.size == 4 {
				out.WriteString(strconv.FormatFloat(float64(math.Float32frombits(binary.LittleEndian.Uint32(p))), 'g', -1, 32))
			} else {
				out.WriteString(strconv.FormatFloat(math.Float64frombits(binary.LittleEndian.Uint64(p)), 'g', -1, 64))
			}
		case "text":
			out.WriteString(text(p))
		default:
			out.WriteString(hex.EncodeToString(p))
		}
	}
	return out.String()
}

func unsigned(p []byte) uint64 {
	var v uint64
	for i := len(p) - 1; i >= 0; i-- {
		v = v<<8 | uint64(p[i])
	}
	return v
}

func number(p []byte, signed bool) string {
	v := unsigned(p)
	if !signed {
		return strconv.FormatUint(v, 10)
	}
	shift := 64 - 8*uint(len(p))
	return strconv.FormatInt(int64(v<<shift)>>shift, 10)
}

func bits(raw []byte, f field) string {
	var v uint64
	for i := 0; i < f.bitWidth; i++ {
		bit := f.bitOffset + i
		if bit/8 < len(raw) && raw[bit/8]&(1<<(bit%8)) != 0 {
			v |= 1 << i
		}
	}
	if f.signed && f.bitWidth < 64 && v&(1<<(f.bitWidth-1)) != 0 {
		return strconv.FormatInt(int64(v)-int64(1)<<f.bitWidth, 10)
	}
	return strconv.FormatUint(v, 10)
}

// Text up to its first NUL, quoted, with what is not printable escaped.
func text(p []byte) string {
	var out strings.Builder
	out.WriteByte('"')
	for _, c := range p {
		if c == 0 {
			break
		}
		switch {
		case c == '"' || c == '\\\\':
			out.WriteByte('\\\\')
			out.WriteByte(c)
		case c >= 0x20 && c < 0x7f:
			out.WriteByte(c)
		default:
			fmt.Fprintf(&out, "\\\\x%02x", c)
		}
	}
	out.WriteByte('"')
	return out.String()
}

// Text is printable bytes, then NULs to the end.
func looksLikeText(p []byte) bool {
	i := 0
	for i < len(p) && p[i] >= 0x20 && p[i] < 0x7f {
		i++
	}
	if i == 0 || i == len(p) {
		return false
	}
	for _, c := range p[i:] {
		if c != 0 {
			return false
		}
	}
	return true
}

// Bytes in hex, then as a number (4 and 8 bytes) or as text when they read as one.
func describe(p []byte) string {
	s := hex.EncodeToString(p)
	switch {
	case len(p) == 8:
		s += fmt.Sprintf(" (u64 %d)", unsigned(p))
	case len(p) == 4:
		s += fmt.Sprintf(" (u32 %d)", unsigned(p))
	case len(p) > 1 && looksLikeText(p):
		s += " " + text(p)
	}
	return s
}

func allZero(p []byte) bool {
	for _, c := range p {
		if c != 0 {
			return false
		}
	}
	return true
}

// libbpf's names for the map types this loader prints.
var shownTypes = map[ebpf.MapType]string{
	ebpf.Hash: "hash", ebpf.Array: "array", ebpf.PerCPUHash: "percpu_hash", ebpf.PerCPUArray: "percpu_array",
	ebpf.LRUHash: "lru_hash", ebpf.LRUCPUHash: "lru_percpu_hash",
}

func dumpMaps(coll *ebpf.Collection, elapsed time.Duration) {
	names := make([]string, 0, len(coll.Maps))
	for name, m := range coll.Maps {
		// .rodata, .data and .bss are arrays too: their globals are printed below.
		if _, shown := shownTypes[m.Type()]; shown && !strings.HasPrefix(name, ".") {
			names = append(names, name)
		}
	}
	if len(names) == 0 && len(watched) == 0 {
		return
	}
	sort.Strings(names)
	fmt.Printf("--- maps at %.1f s ---\\n", elapsed.Seconds())
	for _, name := range names {
		dumpMap(name, coll.Maps[name])
	}
	for _, w := range watched {
		m, ok := coll.Maps[w.section]
		if !ok {
			continue
		}
		var value []byte
		if err := m.Lookup(uint32(0), &value); err != nil || w.offset+w.size > len(value) {
			continue
		}
		fmt.Printf("%s %s = %s\\n", w.section, w.variable, number(value[w.offset:w.offset+w.size], w.signed))
	}
}

// Every entry of one hash or array map; arrays leave out their all-zero slots.
func dumpMap(name string, m *ebpf.Map) {
	kind := shownTypes[m.Type()]
	perCPU := m.Type() == ebpf.PerCPUHash || m.Type() == ebpf.PerCPUArray || m.Type() == ebpf.LRUCPUHash
	array := m.Type() == ebpf.Array || m.Type() == ebpf.PerCPUArray
	fmt.Printf("%s (%s):\\n", name, kind)
	var key []byte
	var value []byte
	var values [][]byte
	entries, zero, shown := 0, 0, 0
	iter := m.Iterate()
	for {
		var ok bool
		if perCPU {
			ok = iter.Next(&key, &values)
		} else {
			ok = iter.Next(&key, &value)
		}
		if !ok {
			break
		}
		entries++
		if array && ((!perCPU && allZero(value)) || (perCPU && allZero(joined(values)))) {
			zero++
			continue
		}
		if shown++; shown > maxShown {
			continue
		}
		line := "  key " + describe(key)
		if !perCPU {
			line += " -> value " + describe(value)
		} else {
			var sum uint64
			for _, v := range values {
				if len(v) == 8 {
					sum += unsigned(v)
				}
			}
			if len(values) > 0 && len(values[0]) == 8 {
				line += fmt.Sprintf(" -> sum over CPUs (u64 %d)", sum)
			}
			for cpu, v := range values {
				if !allZero(v) {
					line += fmt.Sprintf(" cpu%d %s", cpu, hex.EncodeToString(v))
				}
			}
		}
		fmt.Println(line)
	}
	if err := iter.Err(); err != nil {
		fmt.Printf("  (stopped reading: %v)\\n", err)
	}
	if shown > maxShown {
		fmt.Printf("  ... and %d more\\n", shown-maxShown)
	}
	plural := "entries"
	if entries == 1 {
		plural = "entry"
	}
	line := fmt.Sprintf("  %d %s", entries, plural)
	if zero > 0 {
		line += fmt.Sprintf(" (%d all zero, not shown)", zero)
	}
	fmt.Println(line)
}

func joined(values [][]byte) []byte {
	var all []byte
	for _, v := range values {
		all = append(all, v...)
	}
	return all
}

// The kernel's possible CPUs ("0-3,8"), as per-CPU maps count them.
func possibleCPUs() int {
	raw, err := os.ReadFile("/sys/devices/system/cpu/possible")
	if err != nil {
		return 1
	}
	count := 0
	for _, part := range strings.Split(strings.TrimSpace(string(raw)), ",") {
		first, last, isRange := strings.Cut(part, "-")
		lo, _ := strconv.Atoi(first)
		hi := lo
		if isRange {
			hi, _ = strconv.Atoi(last)
		}
		count += hi - lo + 1
	}
	return count
}
`;
}
