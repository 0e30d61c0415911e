'use client';

import type { Example, Json, KernelInfo, Lesson } from '../../../protocol/messages.ts';
import { plural } from '../../common/format.ts';
import { TabLabel, UnseenCountLabel } from '../../common/TabLabel.tsx';
import type { ColorScheme } from '../../common/use-color-scheme.ts';
import type { RequestResult } from '../connection/playground-client.ts';
import type { EventStore } from '../events/event-store.ts';
import { EventsPane } from '../events/EventsPane.tsx';
import { InspectPane } from '../inspect/InspectPane.tsx';
import type { SourceLinks } from '../inspect/source-links.ts';
import { LessonPane } from '../lessons/LessonPane.tsx';
import { LessonsTabLabel } from '../lessons/LessonsTabLabel.tsx';
import { lessonExampleName } from '../lessons/use-lesson-opener.ts';
import type { LessonsHandle } from '../lessons/use-lessons.ts';
import type { MapHistory } from '../maps/map-history.ts';
import { MapsPane } from '../maps/MapsPane.tsx';
import { isGlobalsMap } from '../maps/map-shape.ts';
import { RoomPane } from '../rooms/RoomPane.tsx';
import { RoomTabLabel } from '../rooms/RoomTabLabel.tsx';
import type { RoomHandle } from '../rooms/use-room.ts';
import { OutputPane } from '../run/OutputPane.tsx';
import type { RunView } from '../run/run-view.ts';
import type { TraceBuffer } from '../run/trace-buffer.ts';
import { LogPane } from '../verifier-log/LogPane.tsx';
import type { SeedRow } from '../workspace/saved-work.ts';
import { RightTabs, type TabSpec } from './RightTabs.tsx';
import { isEventStream } from './result-tabs.ts';
import { useResultTabs } from './use-result-tabs.ts';
import type { TabsState } from './use-tabs.ts';
import { useTabNews } from './use-tab-news.ts';
import styles from './playground.module.css';
import ui from '../../common/ui.module.css';

interface ResultsPanelProps {
  view: RunView;
  trace: TraceBuffer;
  events: EventStore;
  tabs: TabsState;
  /** An embed shows only what a reader of the docs needs: the program's output, and its maps and events when it has them. */
  embed: boolean;
  example: Example | undefined;
  kernel: KernelInfo | null;
  scheme: ColorScheme;
  maps: {
    seeds: SeedRow[];
    seedError: string | null;
    onSeedsChange(seeds: SeedRow[]): void;
    intervalMs: number;
    onIntervalChange(ms: number): void;
    onWrite(map: string, key: Json, value: Json): Promise<RequestResult>;
    onDelete(map: string, key: Json): Promise<RequestResult>;
    history: MapHistory;
  };
  onSetEventType(map: string, typeName: string | null): Promise<RequestResult>;
  onOpenFile(): void;
  onInspect(): void;
  /** The link between the inspected code's rows and the editor's C lines. */
  sourceLinks: SourceLinks;
  onGoToLine(file: string, line: number): void;
  /** Puts a line in view in the editor, the focus left where it is. */
  onShowLine(file: string, line: number): void;
  /** Runs again with the verifier's every step logged. */
  onRunEveryStep(): void;
  lessons: LessonsHandle;
  /** The example the editor holds, to tell whether the open lesson's files are loaded. */
  currentExample: string | null;
  onOpenLesson(lesson: Lesson): void;
  room: RoomHandle;
  suggestedRoomCode: string | null;
  onPushEditor(): Promise<string | null>;
}

/** The right side: what the run printed, its maps and events, the build to inspect, the verifier's log, the lessons and the room. */
export function ResultsPanel(props: ResultsPanelProps) {
  const { view, trace, events, tabs, embed, example, kernel, scheme, maps, lessons, room } = props;
  const { visited, selectTab } = tabs;
  const { shown, active: tab } = useResultTabs(view, embed ? 'embed' : 'full', tabs);
  const unseen = useTabNews(view, tab);
  const eventMaps = view.maps.filter(isEventStream);
  // The badge counts the maps the program defines: its globals (.rodata, .bss, …) are one folded entry, not maps of its own.
  const ownMaps = view.maps.filter((m) => !isGlobalsMap(m)).length;
  const lessonLoaded = !!lessons.lesson && props.currentExample === lessonExampleName(lessons.lesson);
  const loadFailed = (view.loaded && !view.loaded.ok) || (view.phase === 'error' && (view.stage === 'load' || view.stage === 'attach'));
  const attachProblems = view.programs.some((p) => p.attachError);

  const allTabs: TabSpec[] = [
    {
      id: 'output',
      label: <UnseenCountLabel text="Output" store={trace} active={tab === 'output'} noun="new line" testId="badge-output" />,
      keepMounted: true,
      panel: (
        <OutputPane
          trace={trace}
          phase={view.phase}
          expect={example?.expect ?? null}
          onShowEvents={eventMaps.length && shown.includes('events') ? () => selectTab('events') : undefined}
          where={kernel?.kind === 'vm' ? `a VM of your own with kernel ${kernel.name}` : "this machine's kernel"}
        />
      ),
    },
    {
      id: 'maps',
      label: <TabLabel text="Maps" badge={ownMaps && unseen('maps') ? ownMaps : null} badgeLabel={plural(ownMaps, 'map')} testId="badge-maps" />,
      keepMounted: true,
      panel: (
        <>
          {maps.seedError && (
            <p className={`${ui.formError} ${styles.seedsError}`} role="alert">
              Run needs valid seeds first. {maps.seedError}
            </p>
          )}
          <MapsPane
            maps={view.maps}
            changes={view.changes}
            snapshots={view.snapshots}
            snapshotAt={view.snapshotAt}
            live={view.phase === 'running'}
            seeds={maps.seeds}
            onSeedsChange={maps.onSeedsChange}
            intervalMs={maps.intervalMs}
            onIntervalChange={maps.onIntervalChange}
            onWrite={maps.onWrite}
            onDelete={maps.onDelete}
            history={maps.history}
            scheme={scheme}
            histogramUnits={lessonLoaded ? lessons.lesson?.histogramUnits : undefined}
          />
        </>
      ),
    },
    {
      id: 'events',
      label: <UnseenCountLabel text="Events" store={events} active={tab === 'events'} noun="new record" testId="badge-events" />,
      keepMounted: true,
      panel: (
        <EventsPane
          store={events}
          runId={view.runId}
          eventMaps={eventMaps}
          structs={view.loaded?.structs ?? []}
          phase={view.phase}
          onSetType={props.onSetEventType}
          onOpenFile={props.onOpenFile}
        />
      ),
    },
    {
      id: 'inspect',
      label: (
        <TabLabel
          text="Inspect"
          badge={(view.inspect || view.skeleton) && unseen('inspect') ? 'dot' : null}
          badgeLabel="new build to inspect"
          testId="badge-inspect"
        />
      ),
      keepMounted: false,
      panel: <InspectPane view={view} scheme={scheme} onRequest={props.onInspect} links={props.sourceLinks} />,
    },
    {
      id: 'log',
      label: (
        <TabLabel
          text="Verifier log"
          badge={unseen('log') && (loadFailed || attachProblems) ? 'error' : unseen('log') && view.loaded?.verifierLog ? 'dot' : null}
          badgeLabel={loadFailed ? 'the load failed' : attachProblems ? 'a program did not attach' : 'new log'}
          testId="badge-log"
        />
      ),
      keepMounted: false,
      panel: <LogPane view={view} scheme={scheme} onGoTo={props.onGoToLine} onShowLine={props.onShowLine} onRunEveryStep={props.onRunEveryStep} />,
    },
    {
      id: 'lesson',
      label: <LessonsTabLabel lessons={lessons} />,
      keepMounted: false,
      panel: <LessonPane lessons={lessons} running={view.phase === 'running'} loaded={lessonLoaded} onOpen={props.onOpenLesson} />,
    },
    {
      id: 'room',
      label: <RoomTabLabel room={room} />,
      keepMounted: false,
      panel: <RoomPane room={room} courses={lessons.courses ?? []} suggestedCode={props.suggestedRoomCode} scheme={scheme} onPushEditor={props.onPushEditor} />,
    },
  ];

  return <RightTabs tabs={allTabs.filter((t) => shown.includes(t.id))} active={tab} onSelect={selectTab} visited={visited} />;
}
