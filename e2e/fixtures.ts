import { test as base, expect, type Page } from '@playwright/test';
import { PlaygroundPage } from './pages/playground.ts';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost']);

interface Fixtures {
  /** The playground, opened and ready (editor loaded, first example in it). */
  playground: PlaygroundPage;
  /** Fails the test on any request off this machine (no CDN) and on any console error. */
  guard: undefined;
}

export const test = base.extend<Fixtures>({
  guard: [
    async ({ page, context }, use) => {
      const offsite: string[] = [];
      const consoleErrors: string[] = [];
      await context.route('**/*', (route) => {
        const url = new URL(route.request().url());
        if (url.protocol === 'http:' || url.protocol === 'https:') {
          if (!LOCAL_HOSTS.has(url.hostname)) {
            offsite.push(url.href);
            return route.abort('blockedbyclient');
          }
        }
        return route.continue();
      });
      // Every page of the context is watched: a test may open a link in a second page.
      const watch = (watched: Page) => {
        watched.on('websocket', (ws) => {
          const url = new URL(ws.url());
          if (!LOCAL_HOSTS.has(url.hostname)) offsite.push(url.href);
        });
        watched.on('console', (message) => {
          if (message.type() === 'error') consoleErrors.push(`${message.text()} (${message.location().url})`);
        });
        watched.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
      };
      watch(page);
      context.on('page', watch);
      await use(undefined);
      expect(offsite, 'requests to hosts other than this machine').toEqual([]);
      expect(consoleErrors, 'errors in the browser console').toEqual([]);
    },
    { auto: true },
  ],
  playground: async ({ page }, use) => {
    await use(await PlaygroundPage.open(page));
  },
});

export { expect };
