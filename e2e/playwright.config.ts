import path from 'node:path';
import { defineConfig } from '@playwright/test';

const ROOT = path.resolve(import.meta.dirname, '..');
// E2E_PORT lets two checkouts run their suites side by side.
const PORT = Number(process.env.E2E_PORT ?? 3100);
const BASE_URL = `http://127.0.0.1:${PORT}`;

/**
 * End-to-end tests: Debian's Chromium against the real server, which loads
 * programs into this machine's kernel. One worker: runs share the kernel's
 * trace output and the machine's two cores. The web build must exist first
 * (`npx next build`).
 */
export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  outputDir: path.join(ROOT, 'test-results'),
  use: {
    baseURL: BASE_URL,
    headless: true,
    viewport: { width: 1280, height: 720 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  webServer: {
    command: 'node --import tsx server/main.ts',
    cwd: ROOT,
    // One VM kernel (6.12) with one VM booted ahead: the kernel picker's test runs on it.
    env: { PORT: String(PORT), HOST: '127.0.0.1', NEXT_TELEMETRY_DISABLED: '1', PLAYGROUND_CONFIG: path.join(ROOT, 'e2e', 'playground.config.json') },
    url: BASE_URL,
    reuseExistingServer: !process.env.CI,
    // A first start probes the VM kernel in a guest (tens of seconds under TCG); later starts read the cache.
    timeout: 180_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
