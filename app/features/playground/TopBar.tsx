'use client';

import type { Example, KernelInfo } from '../../../protocol/messages.ts';
import { Button } from '../../common/Button.tsx';
import { DropdownMenu, type MenuChoice } from '../../common/DropdownMenu.tsx';
import { shortcut } from '../../common/format.ts';
import { ExamplesMenu } from '../examples/ExamplesMenu.tsx';
import { ExportMenu, exportChoices, type ExportLanguage } from '../export/ExportMenu.tsx';
import { KernelPicker } from '../kernels/KernelPicker.tsx';
import type { Membership } from '../rooms/use-room.ts';
import { RunStatus } from '../run/RunStatus.tsx';
import type { RunView } from '../run/run-view.ts';
import type { TraceBuffer } from '../run/trace-buffer.ts';
import { SHARE_TITLE, ShareAnchor, ShareButton } from '../share/ShareButton.tsx';
import { useShareDialog, type ShareResult } from '../share/use-share-dialog.ts';
import { shareLink } from '../share/share-link.ts';
import type { RightTab } from './RightTabs.tsx';
import { EMBED_FOLDS, PAGE_FOLDS, useTopBarFold } from './use-top-bar-fold.ts';
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

/** The top bar: the brand, what to open (examples, lessons, room), the kernel, Run and Stop, the triggers, Export and Share, the run's state. Where it is narrow, the less-used actions fold into More. */
export function TopBar(props: TopBarProps) {
  const { embed, example, kernel, connected, active, tab, membership } = props;
  const waiting = props.runWaitSeconds > 0;
  const where = kernel?.kind === 'vm' ? 'in your VM' : 'on the server';
  const share = useShareDialog(props.onShare);
  // What changes the unfolded controls' widths: the bar is measured again when it does.
  const widths = [
    props.examples ? props.currentExample : null,
    membership?.code,
    kernel?.name,
    props.kernels.length,
    waiting && String(props.runWaitSeconds).length,
    props.view.phase,
  ];
  const { bar, folded } = useTopBarFold(embed ? EMBED_FOLDS : PAGE_FOLDS, widths.join('|'));
  const titles = {
    lessons: 'A course of lessons with checks',
    room: membership ? `Workshop room ${membership.code}` : 'Join or start a workshop room',
    exec: `Run /bin/true ${where}: one execve`,
    open: `Open /etc/hostname ${where}: one openat`,
  };
  const roomLabel = membership ? `Room ${membership.code}` : 'Room';
  const canShare = connected && props.hasFiles;

  const more: MenuChoice[] = [
    ...(folded('lessons') ? [{ key: 'lessons', title: 'Lessons', description: titles.lessons, onSelect: () => props.onSelectTab('lesson') }] : []),
    ...(folded('room') ? [{ key: 'room', title: roomLabel, description: titles.room, onSelect: () => props.onSelectTab('room') }] : []),
    ...(folded('trigger')
      ? [{ key: 'exec', title: 'Trigger exec', description: titles.exec, disabled: !connected, onSelect: () => props.onTrigger('exec') }]
      : []),
    ...(folded('open') ? [{ key: 'open', title: 'Open a file', description: titles.open, disabled: !connected, onSelect: () => props.onTrigger('open') }] : []),
    ...(folded('export') ? exportChoices(props.onExport, { prefix: 'Export as ', disabled: !connected }) : []),
    ...(folded('share') ? [{ key: 'share', title: 'Share', description: SHARE_TITLE, disabled: !canShare, onSelect: () => void share.share() }] : []),
  ];
  const moreMenu = more.length > 0 && (
    <DropdownMenu look="button" label="More" title="What the bar has no room for here" disabled={false} menuLabel="More actions" alignEnd choices={more} />
  );

  return (
    <header ref={bar} className={styles.topbar}>
      <Brand embed={embed} shareId={props.shareId} nameShown={!folded('brand')} />
      {!embed && (
        <>
          <ExamplesMenu examples={props.examples} current={props.currentExample} onPick={props.onPickExample} />
          {!folded('lessons') && (
            <Button compact suggested={tab === 'lesson'} onClick={() => props.onSelectTab('lesson')} title={titles.lessons}>
              Lessons
            </Button>
          )}
          {!folded('room') && (
            <Button compact suggested={tab === 'room'} onClick={() => props.onSelectTab('room')} title={titles.room}>
              {roomLabel}
            </Button>
          )}
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
          <>Run{!folded('runHint') && <kbd>{shortcut('Enter', true)}</kbd>}</>
        )}
      </Button>
      <Button onClick={props.onStop} disabled={!active} aria-keyshortcuts="Escape" title="Detach and unload (Esc)">
        <span aria-hidden="true">■</span>Stop
      </Button>
      <span className={styles.topbarSep} aria-hidden="true" />
      {!folded('trigger') && (
        <Button compact suggested={example?.trigger === 'exec'} onClick={() => props.onTrigger('exec')} disabled={!connected} title={titles.exec}>
          Trigger exec
        </Button>
      )}
      {!embed && (
        <>
          {!folded('open') && (
            <Button compact suggested={example?.trigger === 'open'} onClick={() => props.onTrigger('open')} disabled={!connected} title={titles.open}>
              Open a file
            </Button>
          )}
          {!(folded('export') && folded('share')) && <span className={styles.topbarSep} aria-hidden="true" />}
          {!folded('export') && <ExportMenu disabled={!connected} onExport={props.onExport} />}
          {!folded('share') && <ShareButton dialog={share} disabled={!canShare} />}
        </>
      )}
      {/* Share folded into More opens its popover under More. */}
      {folded('share') ? <ShareAnchor dialog={share}>{moreMenu}</ShareAnchor> : moreMenu}
      <span className={ui.spacer} />
      <RunStatus view={props.view} trace={props.trace} />
    </header>
  );
}

/** The brand; an embed's links to the full playground with the same program. Where the bar is narrow, only its mark shows (the name stays for screen readers). */
function Brand({ embed, shareId, nameShown }: { embed: boolean; shareId: string | null; nameShown: boolean }) {
  const name = embed ? 'Open in eBPF Playground' : 'eBPF Playground';
  const content = (
    <>
      <span className={styles.brandMark} aria-hidden="true">
        ⬡
      </span>
      {nameShown ? name : <span className={ui.visuallyHidden}>{name}</span>}
    </>
  );
  if (!embed) return <span className={styles.brand}>{content}</span>;
  return (
    <a
      className={styles.brand}
      href={shareId ? shareLink(window.location.origin, shareId) : '/'}
      target="_blank"
      rel="noopener"
      title="Open this program in the full playground (a new tab)"
    >
      {content}
    </a>
  );
}
