/**
 * The WebSocket's access token when the operator set none: made on the first
 * start, kept in dataDir (readable by root only) so links stay valid across
 * restarts. On a shared kernel anyone who reaches the backend loads root BPF
 * programs; without a token that would be any local user, `nobody` included.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from './config.ts';

export const ACCESS_TOKEN_FILE = 'access-token';

/** The token to require: the configured one, the kept or a new one when none is configured, or null when the operator turned it off. */
export function resolveAccessToken(config: Config): string | null {
  if (config.accessToken === false) return null;
  if (config.accessToken) return config.accessToken;
  const file = path.join(config.dataDir, ACCESS_TOKEN_FILE);
  const kept = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  if (kept.length >= 8) return kept;
  const token = randomBytes(12).toString('base64url');
  mkdirSync(config.dataDir, { recursive: true });
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

/** The CLI on the backend's own machine: the kept token, when this user may read it. */
export function localAccessToken(dataDir: string): string | undefined {
  try {
    const token = readFileSync(path.join(dataDir, ACCESS_TOKEN_FILE), 'utf8').trim();
    return token.length >= 8 ? token : undefined;
  } catch {
    return undefined;
  }
}
