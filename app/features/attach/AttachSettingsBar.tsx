'use client';

import { PERF_EVENT_NAMES, type AttachSettings, type KernelInfo, type PerfEventName } from '../../../protocol/messages.ts';
import type { AttachNeeds } from './attach-needs.ts';
import styles from './attach.module.css';
import ui from '../../common/ui.module.css';

interface AttachSettingsBarProps {
  needs: AttachNeeds;
  kernel: KernelInfo | null;
  settings: AttachSettings;
  onChange(next: AttachSettings): void;
}

/**
 * What a tool's loader would take on its command line, asked only when the
 * programs need it: the event a perf_event program samples, and the binary,
 * function and process uprobe and usdt programs watch.
 */
export function AttachSettingsBar({ needs, kernel, settings, onChange }: AttachSettingsBarProps) {
  if (!needs.perfEvent && !needs.userProbes) return null;
  const inVm = kernel?.kind === 'vm';
  const set = (patch: Partial<AttachSettings>) => {
    const next: AttachSettings = { ...settings, ...patch };
    for (const key of Object.keys(next) as (keyof AttachSettings)[]) if (next[key] === undefined || next[key] === '') delete next[key];
    onChange(next);
  };
  return (
    <fieldset className={styles.attachBar} aria-label="Attach settings" data-testid="attach-settings">
      {needs.perfEvent && (
        <label className={ui.toolbarLabel}>
          perf_event samples
          <select value={settings.perfEvent ?? 'cpu-clock'} onChange={(e) => set({ perfEvent: e.target.value as PerfEventName })}>
            {PERF_EVENT_NAMES.map((name) => (
              <option key={name} value={name}>
                {name === 'cpu-clock' ? 'cpu-clock (software)' : `${name} (hardware)`}
              </option>
            ))}
          </select>
        </label>
      )}
      {needs.userProbes && !inVm && (
        <span className={styles.note} data-testid="attach-host-note">
          uprobes watch the playground&apos;s target program, started for each Run: on the host kernel the only binary allowed (a VM kernel probes any)
        </span>
      )}
      {needs.userProbes && inVm && (
        <>
          <label className={ui.toolbarLabel}>
            Binary
            <input
              className={`${ui.filterInput} ${styles.path}`}
              value={settings.binary ?? ''}
              placeholder="the playground's target program"
              spellCheck={false}
              onChange={(e) => set({ binary: e.target.value })}
            />
          </label>
          <label className={ui.toolbarLabel}>
            pid
            <input
              className={`${ui.filterInput} ${styles.pid}`}
              value={settings.pid ?? ''}
              placeholder="every process"
              inputMode="numeric"
              onChange={(e) => {
                // A keystroke that would not leave a pid is not taken, so what was typed stays.
                const text = e.target.value;
                if (text === '') return set({ pid: undefined });
                const pid = Number(text);
                if (/^\d+$/.test(text) && pid > 0 && pid < 2 ** 31) set({ pid });
              }}
            />
          </label>
        </>
      )}
      {(needs.bareUprobe || needs.bareUsdt) && (
        <label className={ui.toolbarLabel}>
          {needs.bareUsdt && !needs.bareUprobe ? 'Probe' : 'Function'}
          <input
            className={`${ui.filterInput} ${styles.name}`}
            value={settings.function ?? ''}
            placeholder={needs.bareUsdt && !needs.bareUprobe ? 'provider:name' : 'playground_add'}
            spellCheck={false}
            onChange={(e) => set({ function: e.target.value })}
          />
        </label>
      )}
    </fieldset>
  );
}
