'use client';

import type { Example, KernelInfo } from '../../../protocol/messages.ts';
import { Button } from '../../common/Button.tsx';
import { shortcut } from '../../common/format.ts';
import { ExamplesMenu } from '../examples/ExamplesMenu.tsx';
import { ExportMenu, type ExportLanguage } from '../export/ExportMenu.tsx';
import { KernelPicker } from '../kernels/KernelPicker.tsx';
import type { Membership } from '../rooms/use-room.ts';
import { RunStatus } from '../run/RunStatus.tsx';
import type { RunView } from '../run/run-view.ts';
import type { TraceBuffer } from '../run/trace-buffer.ts';
import { ShareButton, type ShareResult } from '../share/ShareButton.tsx';
import { shareLink } from '../share/share-link.ts';
import type { RightTab } from './RightTabs.tsx';
import styles from './playground.module.css';
import ui from '../../common/ui.module.css';

interface TopBarProps {
  embed: boolean;
  /** An embed's brand links to the full playground with the same program. */
  shareId: string | null;
  examples: Example[] | null;
  example: Example | undefined;
  currentExample: string | null;
  onPickExample(example: Example): void;
  tab: RightTab;
  onSelectTab(tab: RightTab): void;
  membership: Membership;
  kernels: KernelInfo[];
  kernel: KernelInfo | null;
  onChooseKernel(name: string): void;
  connected: boolean;
  active: boolean;
  hasFiles: boolean;
  /** Seconds until the server takes a Run again (after the rate limit refused one); 0: now. */
  runWaitSeconds: number;
  onRun(): void;
  onStop(): void;
  onTrigger(what: 'exec' | 'open'): void;
  onExport(language: ExportLanguage): void;
  onShare(): Promise<ShareResult | null>;
  view: RunView;
  trace: TraceBuffer;
}

/** The top bar: the brand, what to open (examples, lessons, room), the kernel, Run and Stop, the triggers, Export and Share, the run's state. */
export function TopBar(props: TopBarProps) {
  const { embed, example, kernel, connected, active, tab, membership } = props;
  const waiting = props.runWaitSeconds > 0;
  const where = kernel?.kind === 'vm' ? 'in your VM' : 'on the server';
  return (
    <header className={styles.topbar}>
      {embed ? (
        <a
          className={styles.brand}
          href={props.shareId ? shareLink(window.location.origin, props.shareId) : '/'}
          target="_blank"
          rel="noopener"
          title="Open this program in the full playground (a new tab)"
        >
          <span className={styles.brandMark} aria-hidden="true">
            ⬡
          </span>
          Open in eBPF Playground
        </a>
      ) : (
        <>
          <span className={styles.brand}>
            <span className={styles.brandMark} aria-hidden="true">
              ⬡
            </span>
            eBPF Playground
          </span>
          <ExamplesMenu examples={props.examples} current={props.currentExample} onPick={props.onPickExample} />
          <Button compact suggested={tab === 'lesson'} onClick={() => props.onSelectTab('lesson')} title="A course of lessons with checks">
            Lessons
          </Button>
          <Button
            compact
            suggested={tab === 'room'}
            onClick={() => props.onSelectTab('room')}
            title={membership ? `Workshop room ${membership.code}` : 'Join or start a workshop room'}
          >
            {membership ? `Room ${membership.code}` : 'Room'}
          </Button>
        </>
      )}
      <span className={styles.topbarSep} aria-hidden="true" />
      <KernelPicker kernels={props.kernels} value={kernel?.name} onChange={props.onChooseKernel} disabled={active} />
      <Button
        primary
        onClick={props.onRun}
        disabled={!props.hasFiles || waiting}
        aria-label="Run"
        aria-keyshortcuts="Control+Enter Meta+Enter"
        aria-describedby={waiting ? 'run-wait' : undefined}
        title={waiting ? 'Too many runs just now: the server takes the next one when the countdown ends' : `Compile, load and attach (${shortcut('Enter')})`}
      >
        <span aria-hidden="true">▶</span>
        {waiting ? (
          <span id="run-wait" data-testid="run-wait">
            Run in {props.runWaitSeconds} s
          </span>
        ) : (
          <>
            Run<kbd>{shortcut('Enter', true)}</kbd>
          </>
        )}
      </Button>
      <Button onClick={props.onStop} disabled={!active} aria-keyshortcuts="Escape" title="Detach and unload (Esc)">
        <span aria-hidden="true">■</span>Stop
      </Button>
      <span className={styles.topbarSep} aria-hidden="true" />
      <Button
        compact
        suggested={example?.trigger === 'exec'}
        onClick={() => props.onTrigger('exec')}
        disabled={!connected}
        title={`Run /bin/true ${where}: one execve`}
      >
        Trigger exec
      </Button>
      {!embed && (
        <>
          <Button
            compact
            suggested={example?.trigger === 'open'}
            onClick={() => props.onTrigger('open')}
            disabled={!connected}
            title={`Open /etc/hostname ${where}: one openat`}
          >
            Open a file
          </Button>
          <span className={styles.topbarSep} aria-hidden="true" />
          <ExportMenu disabled={!connected} onExport={props.onExport} />
          <ShareButton disabled={!connected || !props.hasFiles} onShare={props.onShare} />
        </>
      )}
      <span className={ui.spacer} />
      <RunStatus view={props.view} trace={props.trace} />
    </header>
  );
}
