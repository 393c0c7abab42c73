// The browser tests' `test`: every tab it hands out is a VigilPage, whose visit, submit and follow run
// axe-core on each page reached. After each test, any page a tab loaded without being checked (reached by a
// raw page.goto or click, say) fails the test, so a page cannot be left out of the accessibility checks.
import { existsSync } from 'node:fs';
import { test as base, type BrowserContext, type BrowserContextOptions } from '@playwright/test';
import { storageStateFile } from './run-state.ts';
import { VigilPage } from './vigil-page.ts';

export { expect } from '@playwright/test';

type OpenBrowser = (label: string, options?: BrowserContextOptions) => Promise<VigilPage>;

type Browsers = {
  /** A tab in a browser of its own (no cookies shared with any other), checked like every other. */
  open: OpenBrowser;
  /** Puts a tab under the same checks. */
  guard(app: VigilPage): VigilPage;
};

type Fixtures = {
  browsers: Browsers;
  /** The test's own tab. */
  app: VigilPage;
  /** Opens another browser, for a second person or different settings (viewport, JavaScript off). */
  newApp: OpenBrowser;
  /**
   * A browser signed in as someone the earlier specs set up: their saved session when it is still good,
   * otherwise a fresh sign-in with passphrase and code. The session is saved again for later specs.
   */
  signedInAs: (key: string, options?: BrowserContextOptions) => Promise<VigilPage>;
};

export const test = base.extend<Fixtures>({
  browsers: async ({ browser }, use, testInfo) => {
    const guarded: VigilPage[] = [];
    const contexts: BrowserContext[] = [];
    await use({
      guard(app) {
        guarded.push(app);
        return app;
      },
      async open(label, options = {}) {
        const context = await browser.newContext(options);
        contexts.push(context);
        const app = new VigilPage(await context.newPage(), label, {
          javaScriptEnabled: options.javaScriptEnabled,
        });
        guarded.push(app);
        return app;
      },
    });
    for (const app of guarded) await app.close();
    for (const context of contexts) await context.close();

    const unchecked = guarded.flatMap((app) =>
      app.pagesNotChecked().map((url) => `  ${url} (in the ${app.label} browser)`),
    );
    // A test that has already failed says why itself; this would only add noise.
    if (unchecked.length && testInfo.status === 'passed') {
      throw new Error(
        'These pages were loaded but never checked with axe-core. Reach pages through the page object ' +
          `(visit, submit, follow) so each one is checked:\n${unchecked.join('\n')}`,
      );
    }
  },

  app: async ({ page, browsers }, use) => {
    await use(browsers.guard(new VigilPage(page, 'main')));
  },

  newApp: async ({ browsers }, use) => {
    await use(browsers.open);
  },

  signedInAs: async ({ browsers }, use) => {
    await use(async (key, options = {}) => {
      const saved = storageStateFile(key);
      const app = await browsers.open(key, existsSync(saved) ? { ...options, storageState: saved } : options);
      await app.visit('/');
      if (app.pathname() !== '/') await app.signIn(key);
      await app.page.context().storageState({ path: saved });
      return app;
    });
  },
});
