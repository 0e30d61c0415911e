import type { Severity } from '../../../protocol/messages.ts';

/** Monaco's MarkerSeverity enum, as a type: Hint=1, Info=2, Warning=4, Error=8 (bits, not 0..3). */
export interface MarkerSeverities {
  Hint: number;
  Info: number;
  Warning: number;
  Error: number;
}

/**
 * The one place protocol severities become Monaco's. The numbers are taken
 * from Monaco's own enum (passed in) rather than written down: they are
 * Hint=1, Info=2, Warning=4, Error=8, which is easy to get wrong.
 */
export function toMarkerSeverity<S extends MarkerSeverities>(severity: Severity, monaco: { MarkerSeverity: S }): S[keyof MarkerSeverities] {
  switch (severity) {
    case 'error':
      return monaco.MarkerSeverity.Error as S['Error'];
    case 'warning':
      return monaco.MarkerSeverity.Warning as S['Warning'];
    case 'note':
      return monaco.MarkerSeverity.Info as S['Info'];
  }
}
