'use client';

import type { Diagnostic } from '../../../protocol/messages.ts';
import { Banner } from '../../common/Banner.tsx';
import { describeFailure, failureDetail, type RunView } from './run-view.ts';
import { describeRefusal, type RunRefusal } from './run-refusal.ts';
import ui from '../../common/ui.module.css';

interface RunErrorBannerProps {
  view: RunView;
  /** Where the verifier stopped, when it did. */
  verifierStop: { diagnostic: Diagnostic; file: string } | null;
  /** An embed has no Verifier log tab to show. */
  canShowLog: boolean;
  onGoToLine(file: string, line: number): void;
  onGoToFirstError(): void;
  onShowLog(): void;
}

/** Why the run failed, with the way to its cause: the rejected line, the log, the first compile error. */
export function RunErrorBanner({ view, verifierStop, canShowLog, onGoToLine, onGoToFirstError, onShowLog }: RunErrorBannerProps) {
  const failure = describeFailure(view);
  if (!failure) return null;
  // The error was the last Run's; the files as they are now compile.
  if (view.compilesNow)
    return (
      <Banner tone="info" testId="run-compiles-now">
        The last Run did not compile; the files compile now. Press Run to load them.
      </Banner>
    );
  const detail = failureDetail(view);
  const where = verifierStop ? `${verifierStop.diagnostic.file}:${verifierStop.diagnostic.line}` : null;
  const goToStop = () => verifierStop && onGoToLine(verifierStop.file, verifierStop.diagnostic.line);
  // When the sentence names the line, the name itself is the link; otherwise a "Go to line" action is.
  const sentenceNamesLine = !!where && failure.includes(where);
  return (
    <Banner
      tone="error"
      testId="run-error"
      actions={
        detail === 'log' && canShowLog ? (
          <>
            {verifierStop && !sentenceNamesLine && (
              <button type="button" className={ui.linkButton} onClick={goToStop}>
                Go to line {verifierStop.diagnostic.line}
              </button>
            )}
            <button type="button" className={ui.linkButton} onClick={onShowLog}>
              Show the log
            </button>
          </>
        ) : detail === 'problems' ? (
          <button type="button" className={ui.linkButton} onClick={onGoToFirstError}>
            Go to the first error
          </button>
        ) : null
      }
    >
      {where && sentenceNamesLine ? (
        <>
          {failure.slice(0, failure.indexOf(where))}
          <button type="button" className={`${ui.linkButton} ${ui.inline}`} onClick={goToStop} title="Show the line in the editor">
            {where}
          </button>
          {failure.slice(failure.indexOf(where) + where.length)}
        </>
      ) : (
        failure
      )}
    </Banner>
  );
}

/** A warning about the run that is no failure (a notice from the server), unless an error already shows. */
export function RunNoticeBanner({ view }: { view: RunView }) {
  if (!view.notice || describeFailure(view)) return null;
  return (
    <Banner tone="warning" testId="run-notice">
      {view.notice}
    </Banner>
  );
}

interface RunRefusalBannerProps {
  refusal: RunRefusal | null;
  /** A program is running (or starting): the refusal did not touch it. */
  running: boolean;
  onDismiss(): void;
}

/** A Run that was turned down (by the server or before sending): its sentence, above the running program's view, until the next Run is taken. */
export function RunRefusalBanner({ refusal, running, onDismiss }: RunRefusalBannerProps) {
  if (!refusal) return null;
  const passing = refusal.error.code === 'rate_limited' || refusal.error.code === 'connection_lost';
  return (
    <Banner
      tone={passing ? 'warning' : 'error'}
      testId="run-refusal"
      actions={
        <button type="button" className={ui.linkButton} onClick={onDismiss}>
          Dismiss
        </button>
      }
    >
      {describeRefusal(refusal.error, running)}
    </Banner>
  );
}
