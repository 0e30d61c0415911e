import type { Diagnostic, Severity } from '../../protocol/messages.ts';

const LOCATED = /^(.+?):(\d+):(\d+): (fatal error|error|warning|note|remark): (.*)$/;
const UNLOCATED = /^(?:clang(?:-\d+)?: )?(fatal error|error|warning): (.*)$/;
// BPF codegen errors come without a file: "error: <unknown>:0:0: in function f i32 (i8*): …".
const CODEGEN = /^<unknown>:0:0: (?:in function (\S+)[^:]*: )?(.*)$/;

function severityOf(word: string): Severity {
  if (word === 'fatal error' || word === 'error') return 'error';
  if (word === 'warning') return 'warning';
  return 'note';
}

/**
 * Turns clang's stderr into diagnostics. `mainFile` receives the messages that
 * carry no location (codegen errors, driver errors), at line 1.
 */
export function parseClangDiagnostics(stderr: string, mainFile: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const line of stderr.split('\n')) {
    const located = LOCATED.exec(line);
    if (located) {
      const [, file, row, col, word, message] = located;
      out.push({
        file: file!.replace(/^\.\//, ''),
        line: Number(row),
        column: Number(col),
        severity: severityOf(word!),
        message: message!,
        source: 'clang',
      });
      continue;
    }
    const unlocated = UNLOCATED.exec(line);
    if (unlocated) {
      const [, word, rest] = unlocated;
      const codegen = CODEGEN.exec(rest!);
      const message = codegen ? (codegen[1] ? `in function ${codegen[1]}: ${codegen[2]}` : codegen[2]!) : rest!;
      out.push({ file: mainFile, line: 1, column: 1, severity: severityOf(word!), message, source: 'clang' });
    }
  }
  return out.map(withMeaning);
}

/**
 * clang's words where they mislead a learner, said for what they mean; clang's
 * own message stays, in brackets. Old tutorials define maps as struct
 * bpf_map_def in SEC("maps"), which libbpf 1.0 removed with the struct.
 */
function withMeaning(d: Diagnostic): Diagnostic {
  if (/variable has incomplete type 'struct bpf_map_def'/.test(d.message)) {
    return {
      ...d,
      message: `This map is defined the old way, struct bpf_map_def in SEC("maps"), which libbpf 1.0 removed: define it as a BTF map in SEC(".maps") with __uint(type, …), __uint(max_entries, …), __type(key, …) and __type(value, …) (clang: ${d.message}).`,
    };
  }
  return d;
}
