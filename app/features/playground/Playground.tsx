'use client';

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { z } from 'zod';
import type { Example, Json, Lesson } from '../../../protocol/messages.ts';
import { useColorScheme } from '../../shared/use-color-scheme.ts';
import { useExamples } from '../examples/use-examples.ts';
import { useHotkeys } from './use-hotkeys.ts';
import { useLessons } from '../lessons/use-lessons.ts';
import { usePrepare } from '../run/use-prepare.ts';
import { KernelPicker } from '../kernels/KernelPicker.tsx';
import { useRoom } from '../rooms/use-room.ts';
import { useMapHistory } from '../maps/use-map-history.ts';
import { usePlaygroundClient } from '../connection/use-playground-client.ts';
import { usePreference } from '../../shared/use-preference.ts';
import { DEFAULT_MAP_INTERVAL_MS, useRun } from '../run/use-run.ts';
import { useStoreVersion } from '../../shared/use-store-version.ts';
import { useTraceVersion } from '../run/use-trace-buffer.ts';
import { useWorkspace } from '../workspace/use-workspace.ts';
import { formatClock, plural, shortcut } from '../../shared/format.ts';
import { parseSeeds } from '../../shared/json-input.ts';
import { readPageParams, shareLink } from '../share/share-link.ts';
import { EventStore } from '../events/event-store.ts';
import { MapHistory } from '../maps/map-history.ts';
import { describeFailure, failureDetail, isActive } from '../run/run-view.ts';
import { TraceBuffer } from '../run/trace-buffer.ts';
import { verifierDiagnostic } from '../verifier-log/verifier-log.ts';
import { Banner } from '../../shared/Banner.tsx';
import { fileOfDiagnostic, type EditorHandle } from '../editor/CodeEditor.tsx';
import { EditorPane } from '../editor/EditorPane.tsx';
import { EventsPane } from '../events/EventsPane.tsx';
import { ExamplesMenu } from '../examples/ExamplesMenu.tsx';
import { InspectPane } from '../inspect/InspectPane.tsx';
import { LessonPane } from '../lessons/LessonPane.tsx';
import { HandIcon } from '../rooms/HandIcon.tsx';
import { RoomPane } from '../rooms/RoomPane.tsx';
import { LogPane } from '../verifier-log/LogPane.tsx';
import { MapsPane } from '../maps/MapsPane.tsx';
import { OutputPane } from '../run/OutputPane.tsx';
import { RightTabs, type RightTab, type TabSpec } from './RightTabs.tsx';
import { RunStatus } from '../run/RunStatus.tsx';
import { ShareButton, type ShareResult } from '../share/ShareButton.tsx';
import { ExportMenu, type ExportLanguage } from '../export/ExportMenu.tsx';
import { SplitPane } from '../../shared/SplitPane.tsx';
import { StatusBar } from './StatusBar.tsx';

/** Tabs whose badge says "something new since you looked" (Output and Events count instead). */
type NewsTab = Exclude<RightTab, 'output' | 'events' | 'lesson' | 'room'>;

interface Toast {
  text: string;
  undo?: () => void;
}

/** Where a shared program stands: asked for once per page, never run by itself. */
type ShareOpen = { kind: 'waiting' } | { kind: 'opened' } | { kind: 'failed'; message: string } | null;

/**
 * The whole page: top bar, editor and results side by side, status bar.
 * `?share=ID` opens a shared program; `?embed=1` is the minimal page for docs
 * and slides: the editor and Output with Run, Stop and Trigger exec.
 */
export function Playground() {
  const [page] = useState(() => readPageParams(window.location.search));
  const embed = page.embed;
  const handle = usePlaygroundClient();
  const { client, connection, host } = handle;
  const examples = useExamples(handle);
  const lessons = useLessons(handle);
  // A link or an embed shows what its address says: the user's saved work stays in storage, unread and untouched.
  const [workspace, files] = useWorkspace(examples, { restore: !page.shareId && !embed });
  const [shareOpen, setShareOpen] = useState<ShareOpen>(page.shareId ? { kind: 'waiting' } : null);
  const [trace] = useState(() => new TraceBuffer());
  const [events] = useState(() => new EventStore());
  const [mapIntervalMs, setMapIntervalMs] = usePreference('map-interval-ms', z.number().int().min(100).max(60_000), DEFAULT_MAP_INTERVAL_MS);
  const { view, start, stop } = useRun(handle, trace, events, mapIntervalMs);
  const [mapHistory] = useState(() => new MapHistory());
  useMapHistory(mapHistory, view, mapIntervalMs, connection.status === 'open');
  const scheme = useColorScheme();
  const editorRef = useRef<EditorHandle | null>(null);
  const [tab, setTab] = useState<RightTab>(page.roomCode ? 'room' : 'output');
  const [visited, setVisited] = useState<Set<RightTab>>(() => new Set([page.roomCode ? 'room' : 'output']));
  const room = useRoom(handle, { lesson: lessons.lesson?.name ?? null, step: lessons.step, files: workspace.files });
  // The kernel the next Run loads into: remembered, and the server's default when it offers no such kernel.
  const [kernelChoice, setKernelChoice] = usePreference<string>('kernel', z.string(), '');
  const kernels = host?.kernels ?? [];
  const kernel = kernels.find((k) => k.name === kernelChoice) ?? kernels.find((k) => k.default) ?? kernels[0] ?? null;
  usePrepare(handle, workspace.files, kernel?.name);
  const [toast, setToast] = useState<Toast | null>(null);
  const [seedError, setSeedError] = useState<string | null>(null);

  const example: Example | undefined = examples?.find((e) => e.name === workspace.example);
  // A verifier rejection points at a line: the server maps it to the source; when it could not,
  // the page reads the last `; code @ file:line` of the log itself.
  const diagnostics = useMemo(() => {
    const log = view.loaded && !view.loaded.ok ? view.loaded.verifierLog : null;
    if (!log || view.diagnostics.some((d) => d.source === 'verifier')) return view.diagnostics;
    const found = verifierDiagnostic(log);
    return found ? [...view.diagnostics, found] : view.diagnostics;
  }, [view.diagnostics, view.loaded]);
  const active = isActive(view.phase);
  const connected = connection.status === 'open';
  const verifierStop = diagnostics.find((d) => d.source === 'verifier' && d.severity === 'error') ?? null;
  const verifierFile = verifierStop ? fileOfDiagnostic(verifierStop, workspace.files.map((f) => f.name)) : null;

  // A rejection shows its line: the file's tab opens, the line is in view (the focus stays where it was).
  const revealed = useRef<string | null>(null);
  useEffect(() => {
    if (!verifierStop || !verifierFile || view.runId === null) return;
    const key = `${view.runId}:${verifierFile}:${verifierStop.line}`;
    if (revealed.current === key) return;
    revealed.current = key;
    files.setActiveFile(verifierFile);
    editorRef.current?.reveal(verifierFile, verifierStop.line, 1, false);
  }, [verifierStop, verifierFile, view.runId, files]);

  const goToLine = useCallback(
    (file: string, line: number) => {
      const name = fileOfDiagnostic({ file }, workspace.files.map((f) => f.name));
      if (!name) return;
      files.setActiveFile(name);
      editorRef.current?.reveal(name, line, 1);
    },
    [workspace.files, files],
  );

  // Short messages fade after a few seconds; one with an Undo stays a little longer.
  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => setToast(null), toast.undo ? 8000 : 4000);
    return () => clearTimeout(timer);
  }, [toast]);

  // The shared program is asked for once, on the first connection: a reconnect must not replace edits made since.
  // An answer lost with the connection is dropped (the cleanup), and the next connection asks again.
  const waitingForShare = shareOpen?.kind === 'waiting';
  useEffect(() => {
    if (!client || !connected || !page.shareId || !waitingForShare) return;
    let current = true;
    void client.openShare(page.shareId).then((result) => {
      if (!current) return;
      if (result.ok) files.openShared(result.files, result.seeds);
      setShareOpen(result.ok ? { kind: 'opened' } : { kind: 'failed', message: result.error.message });
    });
    return () => {
      current = false;
    };
  }, [client, connected, page.shareId, waitingForShare, files]);

  useEffect(() => {
    if (workspace.restoredFrom === 'saved') setToast({ text: 'Restored the files saved in this browser.' });
    else if (workspace.restoredFrom === 'draft') setToast({ text: 'Restored your unsaved edits from before the reload.' });
  }, [workspace.restoredFrom]);

  // The tab's title says when a program is loaded in the kernel.
  useEffect(() => {
    document.title = view.phase === 'running' ? '● eBPF Playground (running)' : view.phase === 'error' ? '✕ eBPF Playground' : 'eBPF Playground';
  }, [view.phase]);

  const selectTab = useCallback((next: RightTab) => {
    setTab(next);
    setVisited((current) => (current.has(next) ? current : new Set(current).add(next)));
  }, []);

  // Seeds that do not parse are shown where they are edited (Maps); an embed has no Maps tab, so it says so in a message.
  const checkSeeds = useCallback(() => {
    const seeds = parseSeeds(workspace.seeds);
    if (seeds.ok) {
      setSeedError(null);
      return seeds.seeds;
    }
    setSeedError(seeds.error);
    if (embed) setToast({ text: `The seeds are not valid: ${seeds.error}` });
    else selectTab('maps');
    return null;
  }, [workspace.seeds, embed, selectTab]);

  const run = useCallback(async () => {
    if (!workspace.files.length) return;
    const seeds = checkSeeds();
    if (!seeds) return;
    setShareOpen((current) => (current?.kind === 'opened' ? null : current));
    await start(workspace.files, seeds, kernel?.name);
  }, [workspace.files, checkSeeds, start, kernel]);

  const stopRun = useCallback(async () => {
    if (!active) return;
    const result = await stop();
    if (!result.ok && result.error.code !== 'not_running') setToast({ text: result.error.message });
  }, [active, stop]);

  const save = useCallback(() => {
    // An embed sits inside someone else's page: it never writes over the work saved in this browser.
    if (embed) return;
    const ok = files.save();
    setToast({ text: ok ? `Saved to this browser's storage at ${formatClock(Date.now() / 1000).slice(0, 8)}.` : 'Could not save: this browser refused local storage.' });
  }, [files, embed]);

  useHotkeys({ run: () => void run(), stop: () => void stopRun(), save });

  const pickExample = useCallback(
    (picked: Example) => {
      const hadEdits = workspace.dirty;
      files.loadExample(picked);
      setToast({
        text: `Opened "${picked.title}".`,
        undo: hadEdits
          ? () => {
              files.undoLoad();
              setToast({ text: 'Your previous files are back.' });
            }
          : undefined,
      });
    },
    [files, workspace.dirty],
  );

  // A lesson's starter files open like an example (with Undo when they replace edits).
  const openLesson = useCallback(
    (lesson: Lesson) => {
      lessons.open(lesson.name);
      if (workspace.example !== lessonExampleName(lesson)) {
        pickExample({ name: lessonExampleName(lesson), title: lesson.title, description: lesson.summary, expect: '', files: lesson.files, seeds: lesson.seeds, trigger: 'none' });
      }
    },
    [lessons, workspace.example, pickExample],
  );

  // What the instructor pushed opens here, like an example: Undo brings the participant's own files back.
  const openPushed = useCallback(() => {
    const push = room.pushed;
    if (!push) return;
    room.dismissPush();
    const lesson = push.lesson ? lessons.course?.lessons.find((l) => l.name === push.lesson) : undefined;
    if (lesson) {
      openLesson(lesson);
      selectTab('lesson');
    } else if (push.files) {
      pickExample({ name: `room:${push.at}`, title: 'the instructor’s code', description: '', expect: '', files: push.files, seeds: push.seeds ?? [], trigger: 'none' });
    }
  }, [room, lessons.course, openLesson, selectTab, pickExample]);

  const pushEditor = useCallback(async () => {
    const seeds = checkSeeds();
    if (!seeds) return 'The seeds are not valid: fix them in Maps first.';
    return room.push({ files: workspace.files, seeds });
  }, [room, workspace.files, checkSeeds]);

  const exportProject = useCallback(async (language: ExportLanguage) => {
    if (!client) return;
    const seeds = checkSeeds();
    if (!seeds) return;
    setToast({ text: `Building the ${language === 'go' ? 'Go' : 'C'} project…` });
    const result = await client.exportProject(workspace.files, seeds, language);
    if (!result.ok) {
      setToast({ text: `Export failed: ${result.error.message}` });
      return;
    }
    const url = URL.createObjectURL(new Blob([result.zip], { type: 'application/zip' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = result.fileName;
    link.click();
    URL.revokeObjectURL(url);
    const name = result.fileName.replace(/\.zip$/, '');
    const build = language === 'go' ? 'go mod tidy && make' : 'make';
    setToast({ text: `Downloaded ${result.fileName}: unzip, ${build}, sudo ./${name} (see its README).` });
  }, [client, workspace.files, checkSeeds]);

  const share = useCallback(async (): Promise<ShareResult | null> => {
    if (!client) return null;
    const seeds = checkSeeds();
    if (!seeds) return null;
    const result = await client.share(workspace.files, seeds);
    return result.ok ? result : { ok: false, message: result.error.message };
  }, [client, workspace.files, checkSeeds]);

  const trigger = useCallback(
    async (what: 'exec' | 'open') => {
      if (!client) return;
      const result = await client.request({ type: 'trigger', what });
      setToast({ text: result.ok ? (what === 'exec' ? 'Started /bin/true on the server.' : 'Opened /etc/hostname on the server.') : result.error.message });
    },
    [client],
  );

  const writeEntry = useCallback(
    (map: string, key: Json, value: Json) => client?.request({ type: 'map_update', map, key, value }) ?? Promise.resolve({ ok: true as const }),
    [client],
  );
  const deleteEntry = useCallback(
    (map: string, key: Json) => client?.request({ type: 'map_delete', map, key }) ?? Promise.resolve({ ok: true as const }),
    [client],
  );
  const setEventType = useCallback(
    (map: string, typeName: string | null) =>
      client?.request({ type: 'set_event_type', map, typeName }) ?? Promise.resolve({ ok: false as const, error: { code: 'internal' as const, message: 'Not connected.' } }),
    [client],
  );

  const requestInspect = useCallback(() => void client?.request({ type: 'inspect' }), [client]);

  const deleteFile = useCallback(
    (name: string) => {
      const index = workspace.files.findIndex((f) => f.name === name);
      const file = workspace.files[index];
      if (!file) return;
      files.deleteFile(name);
      const undo = () => {
        files.addFile(file.name, file.content, index);
        setToast({ text: `${name} is back.` });
      };
      setToast({ text: `Deleted ${name}.`, undo });
    },
    [workspace.files, files],
  );

  const changeInterval = useCallback(
    (ms: number) => {
      setMapIntervalMs(ms);
      if (client && active) void client.request({ type: 'set_map_interval', ms });
    },
    [client, active, setMapIntervalMs],
  );

  // ---- badges: news in a tab the user is not looking at ----
  const newsKey: Record<NewsTab, string> = {
    maps: `${view.runId}:${view.maps.length}`,
    inspect: `${view.runId}:${view.inspect ? 1 : 0}:${view.skeleton ? 1 : 0}`,
    log: `${view.runId}:${view.loaded ? 1 : 0}:${view.error ? 1 : 0}`,
  };
  const [seen, setSeen] = useState<Record<string, string>>({});
  const newsNow = newsKey[tab as NewsTab];
  useEffect(() => {
    if (newsNow !== undefined) setSeen((current) => (current[tab] === newsNow ? current : { ...current, [tab]: newsNow }));
  }, [tab, newsNow]);
  const unseen = (t: NewsTab) => tab !== t && seen[t] !== newsKey[t];
  const eventMaps = view.maps.filter((m) => m.type === 'ringbuf' || m.type === 'perf_event_array');
  const loadFailed = (view.loaded && !view.loaded.ok) || (view.phase === 'error' && (view.stage === 'load' || view.stage === 'attach'));
  const attachProblems = view.programs.some((p) => p.attachError);

  const allTabs: TabSpec[] = [
    {
      id: 'output',
      label: 'Output',
      labelNode: <OutputTabLabel trace={trace} active={tab === 'output'} />,
      badge: null,
      keepMounted: true,
      panel: (
        <OutputPane
          trace={trace}
          phase={view.phase}
          expect={example?.expect ?? null}
          onShowEvents={eventMaps.length && !embed ? () => selectTab('events') : undefined}
          where={kernel?.kind === 'vm' ? `a VM of your own with kernel ${kernel.name}` : "this machine's kernel"}
        />
      ),
    },
    {
      id: 'maps',
      label: 'Maps',
      badge: view.maps.length && unseen('maps') ? view.maps.length : null,
      badgeLabel: plural(view.maps.length, 'map'),
      keepMounted: true,
      panel: (
        <>
          {seedError && (
            <p className="form-error seeds-error" role="alert">
              Run needs valid seeds first. {seedError}
            </p>
          )}
          <MapsPane
            maps={view.maps}
            snapshots={view.snapshots}
            snapshotAt={view.snapshotAt}
            live={view.phase === 'running'}
            seeds={workspace.seeds}
            onSeedsChange={files.setSeeds}
            intervalMs={mapIntervalMs}
            onIntervalChange={changeInterval}
            onWrite={writeEntry}
            onDelete={deleteEntry}
            history={mapHistory}
            scheme={scheme}
          />
        </>
      ),
    },
    {
      id: 'events',
      label: 'Events',
      labelNode: <EventsTabLabel events={events} active={tab === 'events'} />,
      badge: null,
      keepMounted: true,
      panel: (
        <EventsPane
          store={events}
          runId={view.runId}
          eventMaps={eventMaps}
          structs={view.loaded?.structs ?? []}
          phase={view.phase}
          onSetType={setEventType}
          onOpenFile={() => void trigger('open')}
        />
      ),
    },
    {
      id: 'inspect',
      label: 'Inspect',
      badge: (view.inspect || view.skeleton) && unseen('inspect') ? 'dot' : null,
      badgeLabel: 'new build to inspect',
      keepMounted: false,
      panel: <InspectPane view={view} scheme={scheme} onRequest={requestInspect} />,
    },
    {
      id: 'log',
      label: 'Verifier log',
      badge: unseen('log') && (loadFailed || attachProblems) ? 'error' : unseen('log') && view.loaded?.verifierLog ? 'dot' : null,
      badgeLabel: loadFailed ? 'the load failed' : attachProblems ? 'a program did not attach' : 'new log',
      keepMounted: false,
      panel: <LogPane view={view} scheme={scheme} onGoTo={goToLine} />,
    },
  ];

  allTabs.push({
    id: 'lesson',
    label: 'Lessons',
    labelNode: (
      <>
        Lessons
        {lessons.lesson && lessons.progress.passed.includes(lessons.lesson.name) && <span className="pass-mark" aria-label="passed">✓</span>}
      </>
    ),
    badge: null,
    keepMounted: false,
    panel: (
      <LessonPane
        lessons={lessons}
        running={view.phase === 'running'}
        loaded={!!lessons.lesson && workspace.example === lessonExampleName(lessons.lesson)}
        onOpen={openLesson}
      />
    ),
  });

  allTabs.push({
    id: 'room',
    label: 'Room',
    labelNode: (
      <>
        Room
        {room.membership?.role === 'instructor' && room.board.some((p) => p.hand) && (
          <>
            {' '}
            <HandIcon />
            <span className="badge" data-testid="badge-hands" aria-label="raised hands">
              {room.board.filter((p) => p.hand).length}
            </span>
          </>
        )}
      </>
    ),
    badge: null,
    keepMounted: false,
    panel: <RoomPane room={room} lessons={lessons.course?.lessons ?? []} suggestedCode={page.roomCode} scheme={scheme} onPushEditor={pushEditor} />,
  });

  // An embed shows only what a reader of the docs needs: the program's output.
  const tabs = embed ? allTabs.filter((t) => t.id === 'output') : allTabs;

  const failure = describeFailure(view);
  const detail = failureDetail(view);
  const verifierWhere = verifierStop && verifierFile ? `${verifierStop.file}:${verifierStop.line}` : null;

  return (
    <div className={embed ? 'app embed' : 'app'}>
      <header className="topbar">
        {embed ? (
          <a
            className="brand"
            href={page.shareId ? shareLink(window.location.origin, page.shareId) : '/'}
            target="_blank"
            rel="noopener"
            title="Open this program in the full playground (a new tab)"
          >
            <span className="brand-mark" aria-hidden="true">
              ⬡
            </span>
            Open in eBPF Playground
          </a>
        ) : (
          <>
            <span className="brand" aria-label="eBPF Playground">
              <span className="brand-mark" aria-hidden="true">
                ⬡
              </span>
              eBPF Playground
            </span>
            <ExamplesMenu examples={examples} current={workspace.example} onPick={pickExample} />
            <button type="button" className={`button compact ${tab === 'lesson' ? 'suggested' : ''}`} onClick={() => selectTab('lesson')} title="A course of lessons with checks">
              Lessons
            </button>
            <button
              type="button"
              className={`button compact ${tab === 'room' ? 'suggested' : ''}`}
              onClick={() => selectTab('room')}
              title={room.membership ? `Workshop room ${room.membership.code}` : 'Join or start a workshop room'}
            >
              {room.membership ? `Room ${room.membership.code}` : 'Room'}
            </button>
          </>
        )}
        <span className="topbar-sep" aria-hidden="true" />
        <KernelPicker kernels={kernels} value={kernel?.name} onChange={setKernelChoice} disabled={active} />
        <button
          type="button"
          className="button primary"
          onClick={() => void run()}
          disabled={!workspace.files.length}
          aria-keyshortcuts="Control+Enter Meta+Enter"
          title={`Compile, load and attach (${shortcut('Enter')})`}
        >
          <span aria-hidden="true">▶</span>Run<kbd aria-hidden="true">{shortcut('Enter', true)}</kbd>
        </button>
        <button type="button" className="button" onClick={() => void stopRun()} disabled={!active} aria-keyshortcuts="Escape" title="Detach and unload (Esc)">
          <span aria-hidden="true">■</span>Stop
        </button>
        <span className="topbar-sep" aria-hidden="true" />
        <button
          type="button"
          className={`button compact ${example?.trigger === 'exec' ? 'suggested' : ''}`}
          onClick={() => void trigger('exec')}
          disabled={!connected}
          title={kernel?.kind === 'vm' ? 'Run /bin/true in your VM: one execve' : 'Run /bin/true on the server: one execve'}
        >
          Trigger exec
        </button>
        {!embed && (
          <>
            <button
              type="button"
              className={`button compact ${example?.trigger === 'open' ? 'suggested' : ''}`}
              onClick={() => void trigger('open')}
              disabled={!connected}
              title={kernel?.kind === 'vm' ? 'Open /etc/hostname in your VM: one openat' : 'Open /etc/hostname on the server: one openat'}
            >
              Open a file
            </button>
            <span className="topbar-sep" aria-hidden="true" />
            <ExportMenu disabled={!connected} onExport={(language) => void exportProject(language)} />
            <ShareButton disabled={!connected || !workspace.files.length} onShare={share} />
          </>
        )}
        <span className="topbar-spacer" />
        <RunStatus view={view} trace={trace} />
      </header>

      {connection.status === 'reconnecting' && (
        <ReconnectBanner
          retryAt={connection.retryAt}
          attempt={connection.attempt}
          reason={connection.reason}
          running={active}
          everConnected={handle.welcomes > 0}
          onRetry={() => client?.retryNow()}
        />
      )}
      {connection.refused && (
        <Banner tone="error" testId="connection-banner" actions={<button type="button" className="link-button" onClick={() => window.location.reload()}>Reload</button>}>
          {connection.refused}
        </Banner>
      )}
      {host && host.problems.length > 0 && (
        <Banner tone="error" testId="host-banner">
          This machine cannot run BPF programs: {host.problems.join(' ')}
        </Banner>
      )}
      {failure && (
        <Banner
          tone="error"
          testId="run-error"
          actions={
            detail === 'log' && !embed ? (
              <>
                {verifierStop && verifierFile && !(verifierWhere && failure.includes(verifierWhere)) && (
                  <button type="button" className="link-button" onClick={() => goToLine(verifierFile, verifierStop.line)}>
                    Go to line {verifierStop.line}
                  </button>
                )}
                <button type="button" className="link-button" onClick={() => selectTab('log')}>
                  Show the log
                </button>
              </>
            ) : detail === 'problems' ? (
              <button type="button" className="link-button" onClick={() => {
                const first = view.diagnostics.find((d) => d.severity === 'error') ?? view.diagnostics[0];
                if (first) editorRef.current?.reveal(workspace.files.some((f) => f.name === first.file) ? first.file : (workspace.activeFile ?? ''), first.line, first.column);
              }}>
                Go to the first error
              </button>
            ) : null
          }
        >
          {verifierWhere && verifierFile && verifierStop && failure.includes(verifierWhere) ? (
            <>
              {failure.slice(0, failure.indexOf(verifierWhere))}
              <button type="button" className="link-button inline" onClick={() => goToLine(verifierFile, verifierStop.line)} title="Show the line in the editor">
                {verifierWhere}
              </button>
              {failure.slice(failure.indexOf(verifierWhere) + verifierWhere.length)}
            </>
          ) : (
            failure
          )}
        </Banner>
      )}
      {shareOpen?.kind === 'opened' && (
        <Banner
          tone="info"
          testId="share-banner"
          actions={
            <button type="button" className="link-button" onClick={() => setShareOpen(null)}>
              Dismiss
            </button>
          }
        >
          Opened a shared program: press Run to start it.
        </Banner>
      )}
      {shareOpen?.kind === 'failed' && (
        <Banner tone="error" testId="share-banner">
          {shareOpen.message}
        </Banner>
      )}
      {room.pushed && room.membership?.role === 'participant' && (
        <Banner
          tone="info"
          testId="push-banner"
          actions={
            <>
              <button type="button" className="link-button" onClick={openPushed}>
                Open it
              </button>
              <button type="button" className="link-button" onClick={room.dismissPush}>
                Dismiss
              </button>
            </>
          }
        >
          Your instructor sent {room.pushed.lesson ? `the lesson “${lessons.course?.lessons.find((l) => l.name === room.pushed!.lesson)?.title ?? room.pushed.lesson}”` : 'some code'}.
        </Banner>
      )}
      {view.notice && !failure && (
        <Banner tone="warning" testId="run-notice">
          {view.notice}
        </Banner>
      )}

      <main className="workbench">
        <SplitPane
          storageKey="split-editor"
          initial={0.55}
          minPx={320}
          label="Resize the editor and the results"
          left={
            <EditorPane
              files={workspace.files}
              activeFile={workspace.activeFile}
              modified={workspace.modified}
              diagnostics={diagnostics}
              verifierHint={view.loaded?.explanation?.hint ?? null}
              capabilities={kernel?.capabilities ?? host?.capabilities ?? []}
              scheme={scheme}
              onChange={files.setFile}
              onActivate={files.setActiveFile}
              onAdd={files.addFile}
              onRename={files.renameFile}
              onDelete={deleteFile}
              onRun={() => void run()}
              onSave={save}
              editorRef={editorRef}
            />
          }
          right={<RightTabs tabs={tabs} active={tab} onSelect={selectTab} visited={visited} />}
        />
      </main>

      {!embed && (
        <StatusBar
          connection={connection}
          host={host}
          kernel={kernel}
          sessionId={handle.sessionId}
          expiresAt={handle.expiresAt}
          savedAt={workspace.savedAt}
          dirty={workspace.dirty}
          message={toast && !toast.undo ? toast.text : null}
          onSave={save}
        />
      )}
      {/* Without a status bar (an embed), every short message floats instead. */}
      {toast && (toast.undo || embed) && (
        <div className="toast" role="status" data-testid="status-message">
          {toast.text}
          {toast.undo && (
            <button type="button" className="link-button" onClick={toast.undo}>
              Undo
            </button>
          )}
        </div>
      )}
    </div>
  );
}

/** A lesson's files sit in the workspace as an example of this name, so edits show as changes to them. */
function lessonExampleName(lesson: Lesson): string {
  return `lesson:${lesson.name}`;
}

/** The Output tab's count of unseen lines re-renders per frame on its own, not the whole page. */
function OutputTabLabel({ trace, active }: { trace: TraceBuffer; active: boolean }) {
  useTraceVersion(trace);
  const [seenTotal, setSeenTotal] = useState(0);
  const total = trace.total;
  useEffect(() => {
    if (active || total < seenTotal) setSeenTotal(total);
  }, [active, total, seenTotal]);
  const unseen = active ? 0 : total - seenTotal;
  return (
    <>
      Output
      {unseen > 0 && (
        <>
          <span className="badge" aria-hidden="true" data-testid="badge-output">
            {unseen > 999 ? '999+' : unseen}
          </span>
          <span className="visually-hidden">({plural(unseen, 'new line')})</span>
        </>
      )}
    </>
  );
}

interface ReconnectBannerProps {
  retryAt: number | null;
  attempt: number;
  reason: string | null;
  running: boolean;
  everConnected: boolean;
  onRetry(): void;
}

function ReconnectBanner({ retryAt, attempt, reason, running, everConnected, onRetry }: ReconnectBannerProps) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, []);
  const seconds = retryAt ? Math.max(0, Math.ceil((retryAt - now) / 1000)) : 0;
  const when = useMemo(() => (seconds > 0 ? `in ${seconds} s` : 'now'), [seconds]);
  return (
    <Banner
      tone="warning"
      testId="connection-banner"
      actions={
        <button type="button" className="link-button" onClick={onRetry}>
          Retry now
        </button>
      }
    >
      {everConnected ? (
        <>
          Connection to the server lost{reason ? ` (${reason.replace(/\.$/, '')})` : ''}; reconnecting {when}
          {attempt > 1 ? ` (attempt ${attempt})` : ''}. Your code stays in this tab
          {running ? ', and the server keeps the program running for a while.' : '.'}
        </>
      ) : (
        <>
          Cannot reach the playground server{reason ? ` (${reason.replace(/\.$/, '')})` : ''}; retrying {when}. If you were given a link with{' '}
          <code>?token=</code>, open that link. Your code stays in this tab.
        </>
      )}
    </Banner>
  );
}

/** The Events tab counts records that arrived while another tab was shown, per frame, like Output. */
function EventsTabLabel({ events, active }: { events: EventStore; active: boolean }) {
  useStoreVersion(events);
  const [seenTotal, setSeenTotal] = useState(0);
  const total = events.total;
  useEffect(() => {
    if (active || total < seenTotal) setSeenTotal(total);
  }, [active, total, seenTotal]);
  const unseen = active ? 0 : total - seenTotal;
  return (
    <>
      Events
      {unseen > 0 && (
        <>
          <span className="badge" aria-hidden="true" data-testid="badge-events">
            {unseen > 999 ? '999+' : unseen}
          </span>
          <span className="visually-hidden">({plural(unseen, 'new record')})</span>
        </>
      )}
    </>
  );
}
