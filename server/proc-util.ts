/** Small reads of /proc and /sys that may fail on any kernel: a missing file is "nothing", not an error. */
import { readFileSync } from 'node:fs';

export function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Whether a process of this pid exists (a backend's leftovers are named for its pid). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
