'use client';

import { useCallback, useMemo, useRef, useState } from 'react';
import { SplitPane } from '../../common/SplitPane.tsx';
import { useColorScheme } from '../../common/use-color-scheme.ts';
import { ConnectionBanners } from '../connection/ConnectionBanners.tsx';
import { usePlaygroundClient } from '../connection/use-playground-client.ts';
import type { EditorHandle } from '../editor/CodeEditor.tsx';
import { EditorPane } from '../editor/EditorPane.tsx';
import { useFileDeletion } from '../editor/use-file-deletion.ts';
import { EventStore } from '../events/event-store.ts';
import { useEventType } from '../events/use-event-type.ts';
import { useExamples } from '../examples/use-examples.ts';
import { useProjectExport } from '../export/use-project-export.ts';
import { useSourceLinks } from '../inspect/use-source-links.ts';
import { useKernelChoice } from '../kernels/use-kernel-choice.ts';
import { useLessonOpener } from '../lessons/use-lesson-opener.ts';
import { useLessons } from '../lessons/use-lessons.ts';
import { MapHistory } from '../maps/map-history.ts';
import { useMapActions, useMapInterval } from '../maps/use-map-actions.ts';
import { useMapHistory } from '../maps/use-map-history.ts';
import { useSeedCheck } from '../maps/use-seed-check.ts';
import { PushBanner } from '../rooms/PushBanner.tsx';
import { useRoom } from '../rooms/use-room.ts';
import { useRoomPush } from '../rooms/use-room-push.ts';
import { RunErrorBanner, RunNoticeBanner, RunRefusalBanner } from '../run/RunBanners.tsx';
import { isActive } from '../run/run-view.ts';
import { TraceBuffer } from '../run/trace-buffer.ts';
import { useDocumentTitle } from '../run/use-document-title.ts';
import { usePrepare } from '../run/use-prepare.ts';
import { useRun } from '../run/use-run.ts';
import { useRunControls } from '../run/use-run-controls.ts';
import { AttachSettingsBar } from '../attach/AttachSettingsBar.tsx';
import { attachNeeds, settingsToSend } from '../attach/attach-needs.ts';
import { useAttachSettings } from '../attach/use-attach-settings.ts';
import { readPageParams } from '../share/share-link.ts';
import { SharedProgramBanner } from '../share/SharedProgramBanner.tsx';
import { useShare, useSharedProgram } from '../share/use-shared-program.ts';
import { useVerifierStop } from '../verifier-log/use-verifier-stop.ts';
import { useProgramOpener } from '../workspace/use-program-opener.ts';
import { useWorkspace } from '../workspace/use-workspace.ts';
import { useWorkspaceSaving } from '../workspace/use-workspace-saving.ts';
import { ResultsPanel } from './ResultsPanel.tsx';
import { StatusBar } from './StatusBar.tsx';
import { FloatingToast } from './Toast.tsx';
import { TopBar } from './TopBar.tsx';
import { useHotkeys } from './use-hotkeys.ts';
import { useTabs } from './use-tabs.ts';
import { useToast } from './use-toast.ts';
import styles from './playground.module.css';

/**
 * The whole page: top bar, banners, editor and results side by side, status bar.
 * Each feature's state and requests live in its own hooks; this wires them together.
 * `?share=ID` opens a shared program; `?embed=1` is the minimal page for docs
 * and slides: the editor and Output with Run, Stop and Trigger exec, and Maps
 * and Events once the loaded program has them.
 */
export function Playground() {
  const [page] = useState(() => readPageParams(window.location.search));
  const embed = page.embed;
  const handle = usePlaygroundClient();
  const { client, connection, host } = handle;
  const connected = connection.status === 'open';
  const scheme = useColorScheme();
  const editorRef = useRef<EditorHandle | null>(null);
  const [toast, say] = useToast();
  const tabs = useTabs(page.roomCode ? 'room' : 'output');
  const { selectTab } = tabs;

  const examples = useExamples(handle);
  const lessons = useLessons(handle);
  // A link or an embed shows what its address says: the user's saved work stays in storage, unread and untouched.
  // A link's program is the first thing the editor shows: the first example opens only if the link fails.
  const [workspace, files] = useWorkspace(examples, { restore: !page.shareId && !embed, firstExample: !page.shareId });
  const save = useWorkspaceSaving(workspace, files, { embed, say });
  const shared = useSharedProgram(handle, page.shareId, files);
  const room = useRoom(handle, { lesson: lessons.lesson?.name ?? null, step: lessons.step, files: workspace.files });
  const { kernels, kernel, choose: chooseKernel } = useKernelChoice(host);

  const [trace] = useState(() => new TraceBuffer());
  const [events] = useState(() => new EventStore());
  const [mapHistory] = useState(() => new MapHistory());
  const [mapIntervalMs, setMapIntervalMs] = useMapInterval();
  const runControls = useRun(handle, trace, events, mapIntervalMs);
  const { view } = runControls;
  usePrepare(handle, workspace.files, kernel?.name, view.runId, runControls.showPrepared);
  const active = isActive(view.phase);
  useMapHistory(mapHistory, view, mapIntervalMs, connected);
  useDocumentTitle(view.phase);
  const mapActions = useMapActions(handle, active, setMapIntervalMs);
  const setEventType = useEventType(handle);
  const verifier = useVerifierStop(view, workspace, files, editorRef);
  const sourceLinks = useSourceLinks(editorRef, workspace.files, files.setActiveFile);

  // Seeds that do not parse are shown where they are edited (Maps); an embed shows Maps only once a program has loaded, so it says so in a message.
  const onInvalidSeeds = useCallback((error: string) => (embed ? say(`The seeds are not valid: ${error}`) : selectTab('maps')), [embed, say, selectTab]);
  const { seedError, checkSeeds } = useSeedCheck(workspace.seeds, onInvalidSeeds);
  const [attachSettings, setAttachSettings] = useAttachSettings();
  const needs = useMemo(() => attachNeeds(workspace.files), [workspace.files]);
  const attachToSend = useMemo(() => settingsToSend(attachSettings, needs, kernel?.kind ?? 'host'), [attachSettings, needs, kernel?.kind]);
  const { run, runEveryStep, stopRun, trigger, runWaitSeconds } = useRunControls(handle, view, runControls, {
    files: workspace.files,
    kernel: kernel?.name,
    attach: attachToSend,
    checkSeeds,
    onStart: shared.dismiss,
    say,
  });
  useHotkeys({ run: () => void run(), stop: () => void stopRun(), save });

  // An example, a lesson or a room's push opens exactly that program: the running one stops.
  const pickExample = useProgramOpener(files, { running: active, stop: stopRun, say });
  const openLesson = useLessonOpener(lessons, workspace.example, pickExample);
  const { openPushed, pushEditor } = useRoomPush({
    room,
    lessons,
    files: workspace.files,
    checkSeeds,
    openLesson,
    openExample: pickExample,
    showLessons: () => selectTab('lesson'),
  });
  const exportProject = useProjectExport(handle, workspace.files, checkSeeds, say);
  const share = useShare(handle, workspace.files, checkSeeds);
  const deleteFile = useFileDeletion(workspace, files, say);

  const goToFirstError = () => {
    const first = view.diagnostics.find((d) => d.severity === 'error') ?? view.diagnostics[0];
    if (first)
      editorRef.current?.reveal(workspace.files.some((f) => f.name === first.file) ? first.file : (workspace.activeFile ?? ''), first.line, first.column);
  };
  const example = examples?.find((e) => e.name === workspace.example);

  return (
    <div className={embed ? `${styles.app} ${styles.embed}` : styles.app}>
      <TopBar
        embed={embed}
        shareId={page.shareId}
        examples={examples}
        example={example}
        currentExample={workspace.example}
        onPickExample={pickExample}
        tab={tabs.tab}
        onSelectTab={selectTab}
        membership={room.membership}
        kernels={kernels}
        kernel={kernel}
        onChooseKernel={chooseKernel}
        connected={connected}
        active={active}
        hasFiles={workspace.files.length > 0}
        runWaitSeconds={runWaitSeconds}
        onRun={() => void run()}
        onStop={() => void stopRun()}
        onTrigger={(what) => void trigger(what)}
        onExport={(language) => void exportProject(language)}
        onShare={share}
        view={view}
        trace={trace}
      />

      <ConnectionBanners handle={handle} running={active} />
      <RunRefusalBanner refusal={runControls.refusal} running={active} onDismiss={runControls.dismissRefusal} />
      <RunErrorBanner
        view={view}
        verifierStop={verifier.stop}
        canShowLog={!embed}
        onGoToLine={verifier.goToLine}
        onGoToFirstError={goToFirstError}
        onShowLog={() => selectTab('log')}
      />
      <SharedProgramBanner {...shared} />
      <PushBanner room={room} lessons={lessons} onOpen={openPushed} />
      <RunNoticeBanner view={view} />

      <main className={styles.workbench}>
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
              diagnostics={verifier.diagnostics}
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
              onPointAt={sourceLinks.pointInEditor}
              editorRef={editorRef}
              settingsBar={<AttachSettingsBar needs={needs} kernel={kernel} settings={attachSettings} onChange={setAttachSettings} />}
            />
          }
          right={
            <ResultsPanel
              view={view}
              trace={trace}
              events={events}
              tabs={tabs}
              embed={embed}
              example={example}
              kernel={kernel}
              scheme={scheme}
              maps={{
                seeds: workspace.seeds,
                seedError,
                onSeedsChange: files.setSeeds,
                intervalMs: mapIntervalMs,
                onIntervalChange: mapActions.changeInterval,
                onWrite: mapActions.writeEntry,
                onDelete: mapActions.deleteEntry,
                history: mapHistory,
              }}
              onSetEventType={setEventType}
              onOpenFile={() => void trigger('open')}
              onInspect={() => void client?.request({ type: 'inspect' })}
              sourceLinks={sourceLinks}
              onGoToLine={verifier.goToLine}
              onShowLine={verifier.showLine}
              onRunEveryStep={() => void runEveryStep()}
              lessons={lessons}
              currentExample={workspace.example}
              onOpenLesson={openLesson}
              room={room}
              suggestedRoomCode={page.roomCode}
              onPushEditor={pushEditor}
            />
          }
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
      {toast && (toast.undo || embed) && <FloatingToast toast={toast} />}
    </div>
  );
}
