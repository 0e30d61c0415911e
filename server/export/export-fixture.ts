// What both export test files need: a toolchain, the bundled examples, a work dir, and an
// export that must succeed. Registers its own before/after hooks in the calling file.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Example, MapSeed, SourceFile } from '../../protocol/messages.ts';
import type { Config } from '../config.ts';
import { findToolchain, type Toolchain } from '../compile/toolchain.ts';
import { loadExamples } from '../examples/examples.ts';
import { exportProject, type ExportResult } from './project.ts';

export interface ExportFixture {
  readonly config: Config;
  readonly toolchain: Toolchain;
  readonly workdir: string;
  example(name: string): Example;
  exported(files: SourceFile[], seeds: MapSeed[], name?: string, language?: 'c' | 'go'): Promise<Extract<ExportResult, { ok: true }>>;
}

/** `configIn(workdir)`: the config the exports run with (a unit test keeps its vmlinux.h cache in the work dir). */
export function exportFixture(configIn: (workdir: string) => Config): ExportFixture {
  const state = {} as { config: Config; toolchain: Toolchain; workdir: string; examples: Example[] };
  before(async () => {
    state.workdir = mkdtempSync(path.join(tmpdir(), 'export-test-'));
    state.config = configIn(state.workdir);
    state.toolchain = await findToolchain(state.config.cacheDir);
    state.examples = loadExamples();
  });
  after(() => rmSync(state.workdir, { recursive: true, force: true }));
  return {
    get config() {
      return state.config;
    },
    get toolchain() {
      return state.toolchain;
    },
    get workdir() {
      return state.workdir;
    },
    example(name) {
      const found = state.examples.find((e) => e.name === name);
      assert.ok(found, `no example ${name}`);
      return found;
    },
    async exported(files, seeds, name, language = 'c') {
      const result = await exportProject({ files, seeds, name, language }, { config: state.config, toolchain: state.toolchain });
      assert.ok(result.ok, result.ok ? '' : result.error);
      return result;
    },
  };
}
