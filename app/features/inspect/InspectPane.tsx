'use client';

import { useCallback, useEffect, useId, useMemo, useState, type ComponentProps, type ReactNode } from 'react';
import type { SourceBlock } from '../../../protocol/messages.ts';
import { z } from 'zod';
import type { ColorScheme } from '../../common/use-color-scheme.ts';
import { usePreference } from '../../common/use-preference.ts';
import { formatNumber, plural } from '../../common/format.ts';
import { formatDuration, formatRate, formatShare, statSentence } from './program-stats.ts';
import { isActive, type RunView } from '../run/run-view.ts';
import { ReadOnlyCode } from '../editor/ReadOnlyCode.tsx';
import { Segment } from '../../common/Segment.tsx';
import { lineOfRow, rowsOfLine, type SourceLinks } from './source-links.ts';
import { useLinkedLine } from './use-source-links.ts';
import styles from './inspect.module.css';
import ui from '../../common/ui.module.css';

const VIEWS = ['sections', 'disassembly', 'btf', 'skeleton', 'loaded', 'stats'] as const;
export type InspectView = (typeof VIEWS)[number];
const viewSchema = z.enum(VIEWS);

const VIEW_LABELS: Record<InspectView, string> = {
  sections: 'Sections',
  disassembly: 'Disassembly',
  btf: 'BTF',
  skeleton: 'Skeleton',
  loaded: 'After load',
  stats: 'Stats',
};

const VIEW_TITLES: Record<InspectView, string> = {
  sections: 'The ELF sections of the compiled object (llvm-readelf)',
  disassembly: 'The BPF bytecode with the C source between the instructions (llvm-objdump -S)',
  btf: 'The type information in the object (bpftool btf dump)',
  skeleton: 'The header bpftool gen skeleton writes for a C loader',
  loaded: 'What the kernel runs: the verifier-rewritten program and its JIT code (bpftool prog dump)',
  stats: "The kernel's count of runs and run time for each program",
};

interface InspectPaneProps {
  view: RunView;
  scheme: ColorScheme;
  /** Asks the server for the disassembly, sections and BTF: it makes them only for Runs someone inspects. */
  onRequest(): void;
  /** The C line linked with the editor: lit here, and lit there from here. */
  links: SourceLinks;
}

/** What was built and what runs: ELF sections, disassembly, BTF, skeleton, the loaded code and run stats. */
export function InspectPane({ view, scheme, onRequest, links }: InspectPaneProps) {
  const [sub, setSub] = usePreference<InspectView>('inspect-view', viewSchema, 'disassembly');
  const viewGroup = useId();
  // The run whose inspection has not arrived yet: each new run asks again.
  const wantedRun = view.runId !== null && !view.inspect ? view.runId : null;
  useEffect(() => {
    if (wantedRun !== null) onRequest();
  }, [wantedRun, onRequest]);

  return (
    <section className={styles.inspectPane} aria-label="Inspect">
      <div className={`${ui.paneToolbar} ${styles.inspectToolbar}`} role="radiogroup" aria-label="What to inspect">
        {VIEWS.map((v) => (
          <Segment key={v} name={viewGroup} checked={sub === v} title={VIEW_TITLES[v]} onSelect={() => setSub(v)}>
            {VIEW_LABELS[v]}
          </Segment>
        ))}
      </div>
      <div className={ui.paneBody}>
        {sub === 'sections' && <Sections view={view} />}
        {sub === 'disassembly' &&
          (view.inspect ? (
            <LinkedCode
              key="disassembly"
              blocks={view.inspect.disassemblyLines}
              links={links}
              text={view.inspect.disassembly}
              language="bpf-asm"
              wrap={false}
              scheme={scheme}
              label="Disassembly with source"
              testId="disassembly-text"
            />
          ) : (
            <Waiting
              view={view}
              what="The disassembly"
              detail={
                <>
                  Each BPF instruction, numbered, with the C line it came from above it: what <code>llvm-objdump -S</code> prints for the object.
                </>
              }
            />
          ))}
        {sub === 'btf' &&
          (view.inspect ? (
            <ReadOnlyCode key="btf" text={view.inspect.btf} language="c" wrap={false} scheme={scheme} label="BTF of the object" testId="btf-text" />
          ) : (
            <Waiting
              view={view}
              what="The object's BTF"
              detail={<>The types clang recorded for maps, globals and functions: what user space and the verifier read.</>}
            />
          ))}
        {sub === 'skeleton' && <Skeleton view={view} scheme={scheme} />}
        {sub === 'loaded' && <AfterLoad view={view} scheme={scheme} links={links} />}
        {sub === 'stats' && <Stats view={view} />}
      </div>
    </section>
  );
}

function Waiting({ view, what, detail }: { view: RunView; what: string; detail: ReactNode }) {
  const building = isActive(view.phase) && view.compiled?.ok !== false;
  return (
    <div className={ui.emptyState}>
      <p className={ui.emptyTitle}>
        {building ? `${what} is on its way…` : view.compiled?.ok === false ? `${what} needs a compile that succeeds.` : `${what} appears here after Run.`}
      </p>
      <p>{detail}</p>
    </div>
  );
}

function Sections({ view }: { view: RunView }) {
  if (!view.inspect)
    return (
      <Waiting
        view={view}
        what="The section table"
        detail={
          <>
            Each ELF section of the object: programs live in sections named after their <code>SEC()</code>, maps in <code>.maps</code>, types in{' '}
            <code>.BTF</code>.
          </>
        }
      />
    );
  const { sections } = view.inspect;
  const total = sections.reduce((sum, s) => sum + s.size, 0);
  return (
    <div className={ui.tableScroll}>
      <table className={ui.dataTable} aria-label="ELF sections">
        <thead>
          <tr>
            <th scope="col">name</th>
            <th scope="col">type</th>
            <th scope="col" className={ui.num}>
              size (bytes)
            </th>
            <th scope="col" title="W write, A alloc, X execute, M merge, S strings, I info link, E exclude">
              flags
            </th>
          </tr>
        </thead>
        <tbody>
          {sections.map((s) => (
            <tr key={s.name} className={s.flags.includes('X') ? ui.codeSection : undefined}>
              <td className={ui.mono}>{s.name}</td>
              <td className={`${ui.mono} ${ui.muted}`}>{s.type}</td>
              <td className={`${ui.num} ${ui.mono}`}>{formatNumber(s.size)}</td>
              <td className={ui.mono}>{s.flags}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <td colSpan={2}>{plural(sections.length, 'section')}</td>
            <td className={`${ui.num} ${ui.mono}`}>{formatNumber(total)}</td>
            <td />
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

function Skeleton({ view, scheme }: { view: RunView; scheme: ColorScheme }) {
  if (!view.skeleton) {
    return (
      <div className={ui.emptyState}>
        <p className={ui.emptyTitle}>The generated skeleton appears here after a compile.</p>
        <p>
          <code>bpftool gen skeleton</code> writes a <code>.skel.h</code> that a C loader includes to open, load and attach this object, with a typed field for
          each map, program and global.
        </p>
      </div>
    );
  }
  if (!view.skeleton.ok) {
    return (
      <div className={ui.emptyState}>
        <p className={ui.emptyTitle}>bpftool could not generate the skeleton.</p>
        <pre className={ui.plainLog}>{view.skeleton.text}</pre>
      </div>
    );
  }
  return (
    <ReadOnlyCode key="skeleton" text={view.skeleton.text} language="c" wrap={false} scheme={scheme} label="Generated skeleton header" testId="skeleton-text" />
  );
}

function AfterLoad({ view, scheme, links }: { view: RunView; scheme: ColorScheme; links: SourceLinks }) {
  const programs = view.loadedCode ?? [];
  const [picked, setPicked] = useState<string | null>(null);
  const [kind, setKind] = useState<'xlated' | 'jited'>('xlated');
  const codeGroup = useId();
  const program = programs.find((p) => p.name === picked) ?? programs[0];
  if (!program) {
    return (
      <div className={ui.emptyState}>
        <p className={ui.emptyTitle}>
          {view.loaded && !view.loaded.ok
            ? 'Nothing was loaded: the kernel refused the program.'
            : view.loaded
              ? 'The loaded code is on its way…'
              : 'The code the kernel runs appears here after a load.'}
        </p>
        <p>
          The verifier rewrites the program as it loads it (map addresses filled in, helper calls resolved, some instructions patched); then the JIT turns it
          into machine code. <code>bpftool prog dump xlated</code> and <code>jited</code> show both.
        </p>
      </div>
    );
  }
  return (
    <>
      <div className={`${ui.paneToolbar} ${ui.subToolbar}`}>
        {programs.length > 1 && (
          <label className={ui.toolbarLabel}>
            Program
            <select aria-label="Program" value={program.name} onChange={(e) => setPicked(e.target.value)}>
              {programs.map((p) => (
                <option key={p.name}>{p.name}</option>
              ))}
            </select>
          </label>
        )}
        <div role="radiogroup" aria-label="Which code" className={ui.segments}>
          <Segment name={codeGroup} checked={kind === 'xlated'} onSelect={() => setKind('xlated')} title="The program after the verifier rewrote it">
            Translated
          </Segment>
          {program.jited !== null && (
            <Segment name={codeGroup} checked={kind === 'jited'} onSelect={() => setKind('jited')} title="The machine code the JIT made">
              JIT
            </Segment>
          )}
        </div>
        {program.jited === null && (
          <span
            className={styles.jitNote}
            data-testid="jited-unavailable"
            title="The program is still JIT-compiled and runs as machine code; only the listing cannot be shown."
          >
            JIT dump unavailable on this host (bpftool built without libbfd)
          </span>
        )}
      </div>
      {kind === 'jited' && program.jited !== null ? (
        <ReadOnlyCode
          key={`j-${program.name}`}
          text={program.jited}
          language="bpf-asm"
          wrap={false}
          scheme={scheme}
          label={`JIT code of ${program.name}`}
          testId="jited-text"
        />
      ) : (
        <LinkedCode
          key={`x-${program.name}`}
          blocks={program.xlatedLines}
          links={links}
          text={program.xlated}
          language="bpf-asm"
          wrap={false}
          scheme={scheme}
          label={`Translated code of ${program.name}`}
          testId="xlated-text"
        />
      )}
    </>
  );
}

/**
 * A code view whose rows link to C lines: the rows of the editor's line (under
 * the mouse or the cursor) are lit, a row under the mouse lights its C line in
 * the editor, and a click shows that line there.
 */
function LinkedCode({ blocks, links, ...code }: { blocks: SourceBlock[]; links: SourceLinks } & ComponentProps<typeof ReadOnlyCode>) {
  const linked = useLinkedLine(links);
  const rows = useMemo(() => rowsOfLine(blocks, linked), [blocks, linked]);
  const pointRow = useCallback((row: number | null) => links.pointInCode(row === null ? null : lineOfRow(blocks, row)), [blocks, links]);
  const pickRow = useCallback(
    (row: number) => {
      const at = lineOfRow(blocks, row);
      if (at) links.pickInCode(at);
    },
    [blocks, links],
  );
  // A view that goes (another tab, another program) while the mouse is on it points at nothing any more.
  useEffect(() => () => links.pointInCode(null), [links]);
  return <ReadOnlyCode {...code} linkedRows={rows} revealLinked={linked?.from === 'editor-cursor'} onPointRow={pointRow} onPickRow={pickRow} />;
}

function Stats({ view }: { view: RunView }) {
  const stats = view.stats;
  if (!stats) {
    return (
      <div className={ui.emptyState}>
        <p className={ui.emptyTitle}>
          {view.phase === 'running' ? 'The first count comes within a second…' : 'Run counts and times appear here while the program runs.'}
        </p>
        <p>The kernel counts each run of each program and the time it took (BPF stats are switched on for the object). The server reads them every second.</p>
      </div>
    );
  }
  return (
    <div className={ui.tableScroll}>
      <table className={ui.dataTable} aria-label="Program statistics">
        <thead>
          <tr>
            <th scope="col">program</th>
            <th scope="col" className={ui.num} title="Times the kernel ran the program since attach">
              runs
            </th>
            <th scope="col" className={ui.num} title="Total time spent in the program since attach">
              run time
            </th>
            <th scope="col" className={ui.num} title="Run time divided by runs">
              avg ns/run
            </th>
            <th scope="col" className={ui.num} title="Runs per second between the last two readings">
              runs/s
            </th>
          </tr>
        </thead>
        <tbody>
          {stats.programs.map((p) => {
            const rate = view.runRates[p.name];
            return (
              <tr key={p.name}>
                <td className={ui.mono}>{p.name}</td>
                <td className={`${ui.num} ${ui.mono}`} data-testid="stat-runs">
                  {formatNumber(p.runCount)}
                </td>
                <td className={`${ui.num} ${ui.mono}`}>{formatDuration(p.runTimeNs)}</td>
                <td className={`${ui.num} ${ui.mono}`}>{p.runCount ? formatNumber(Math.round(p.runTimeNs / p.runCount)) : '–'}</td>
                <td className={`${ui.num} ${ui.mono}`}>{rate === undefined ? '–' : formatRate(rate)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <ul className={styles.statSentences}>
        {stats.programs.map((p) => (
          <li key={p.name} data-testid="stat-sentence">
            {statSentence(p, view.runRates[p.name])}
          </li>
        ))}
      </ul>
      <p className={styles.statsCpu} data-testid="stats-cpu">
        CPU: <strong className={ui.mono}>{formatShare(stats.cpuShare)}</strong> of one CPU over the server&apos;s budget window
        {view.phase !== 'running' && <span className={ui.muted}> (last reading before the program stopped)</span>}
      </p>
    </div>
  );
}
