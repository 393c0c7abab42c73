// A browser tab on Vigil. Every way of reaching a page (visit, submit, follow) waits for it to load and runs
// axe-core on it; every main-frame navigation is recorded, so the fixture can fail a test that reached a page
// some other way and so never checked it.
import { expect, type Locator, type Page, type Response } from '@playwright/test';
import { axeViolations } from './accessibility.ts';
import { person, serverState, updatePerson } from './run-state.ts';
import { freshCode } from './totp.ts';

type Visited = { url: string; checked: boolean };

export type DateParts = { day: string; month: string; year: string };

/** Fills a GOV.UK date input (its fieldset as a locator); empty strings clear it. */
export async function fillDateInput(group: Locator, { day, month, year }: DateParts): Promise<void> {
  await group.getByLabel('Day').fill(day);
  await group.getByLabel('Month').fill(month);
  await group.getByLabel('Year').fill(year);
}

export class VigilPage {
  readonly page: Page;
  /** Says whose browser this is in failure messages. */
  readonly label: string;
  private readonly visited: Visited[] = [];
  private readonly javaScriptEnabled: boolean;
  private axeTab: Page | undefined;

  constructor(page: Page, label: string, options: { javaScriptEnabled?: boolean } = {}) {
    this.page = page;
    this.label = label;
    this.javaScriptEnabled = options.javaScriptEnabled ?? true;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame() && frame.url() !== 'about:blank') {
        this.visited.push({ url: frame.url(), checked: false });
      }
    });
  }

  /** An absolute address on the server under test. */
  url(pathOrUrl: string): string {
    return new URL(pathOrUrl, serverState().baseUrl).href;
  }

  /** The current path, such as /sign-in. */
  pathname(): string {
    return new URL(this.page.url()).pathname;
  }

  // Getting around: each of these ends with the page loaded and checked by axe.

  async visit(pathOrUrl: string): Promise<Response | null> {
    const response = await this.page.goto(this.url(pathOrUrl));
    await this.page.waitForLoadState('load');
    await this.checkAccessibility();
    return response;
  }

  /** Fills the GOV.UK date input whose fieldset has this legend; empty strings clear it. */
  async fillDate(legend: string, date: DateParts): Promise<void> {
    await fillDateInput(this.page.getByRole('group', { name: legend }), date);
  }

  /** Presses a form's button (by its accessible name, or a locator) and waits for the page that comes back. */
  async submit(button: string | Locator): Promise<void> {
    const target =
      typeof button === 'string' ? this.page.getByRole('button', { name: button, exact: true }) : button;
    await this.navigateBy(() => target.click());
  }

  /** Follows a link (by its accessible name, or a locator). */
  async follow(link: string | Locator): Promise<void> {
    const target = typeof link === 'string' ? this.page.getByRole('link', { name: link, exact: true }) : link;
    await this.navigateBy(() => target.click());
  }

  private async navigateBy(action: () => Promise<void>): Promise<void> {
    const mainFrame = this.page.mainFrame();
    await Promise.all([
      this.page.waitForEvent('framenavigated', { predicate: (frame) => frame === mainFrame }),
      action(),
    ]);
    await this.page.waitForLoadState('load');
    await this.checkAccessibility();
  }

  /** Runs axe on the page as it is now; violations fail the test (softly, so every page visited is reported). */
  async checkAccessibility(): Promise<void> {
    const url = this.page.url();
    const violations = await this.axeViolations();
    const latest = this.visited.at(-1);
    if (latest?.url === url) latest.checked = true;
    expect
      .soft(violations, `axe-core (WCAG 2.2 AA) found violations on ${url} in the ${this.label} browser`)
      .toEqual([]);
  }

  /**
   * axe-core runs as a script in the page, which a browser with JavaScript turned off will not run. So the page
   * as that browser has it (its DOM, never touched by a script) is served again, at the same address and with
   * scripts forbidden by its Content-Security-Policy, to a tab of the same size that lets axe in.
   */
  private async axeViolations(): Promise<string[]> {
    if (this.javaScriptEnabled) return axeViolations(this.page);
    await expect(this.page.locator('body'), 'the page ran none of its scripts').not.toHaveClass(
      /govuk-frontend-supported/,
    );
    const url = this.page.url();
    const html = await this.page.content();
    if (!this.axeTab) {
      const browser = this.page.context().browser();
      if (!browser) throw new Error('No browser to check the page in');
      const context = await browser.newContext({ viewport: this.page.viewportSize() });
      this.axeTab = await context.newPage();
    }
    const tab = this.axeTab;
    await tab.unrouteAll();
    await tab.route(
      (address) => address.href === url,
      (route) =>
        route.fulfill({
          contentType: 'text/html; charset=utf-8',
          headers: { 'Content-Security-Policy': "script-src 'none'" },
          body: html,
        }),
    );
    await tab.goto(url);
    return axeViolations(tab);
  }

  /** Closes what the page object opened for itself. */
  async close(): Promise<void> {
    await this.axeTab?.context().close();
  }

  /** Pages this tab loaded that were never checked by axe. */
  pagesNotChecked(): string[] {
    return this.visited.filter((visit) => !visit.checked).map((visit) => visit.url);
  }

  // What is on the page.

  get heading(): Locator {
    return this.page.getByRole('heading', { level: 1 });
  }

  get errorSummary(): Locator {
    return this.page
      .getByRole('alert')
      .filter({ has: this.page.getByRole('heading', { name: 'There is a problem' }) });
  }

  get navigation(): Locator {
    return this.page.getByRole('navigation', { name: 'Menu' });
  }

  navigationLink(name: string): Locator {
    return this.navigation.getByRole('link', { name, exact: true });
  }

  /** The names of the links in the service navigation, in order. */
  async navigationLinks(): Promise<string[]> {
    return (await this.navigation.getByRole('link').allInnerTexts()).map((text) => text.trim());
  }

  /** How wide the page's content is, to compare with the viewport for sideways scrolling. */
  async scrollWidth(): Promise<number> {
    return this.page.evaluate(() => (document.scrollingElement ?? document.documentElement).scrollWidth);
  }

  // Journeys.

  /** Chooses a new passphrase on the setup or invitation form (without submitting it). */
  async choosePassphrase(passphrase: string): Promise<void> {
    await this.page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
    await this.page.getByLabel('Confirm passphrase', { exact: true }).fill(passphrase);
  }

  /** On the authenticator page: reads the secret as a person would type it into their app, and enters a code. */
  async enrolAuthenticator(key: string): Promise<void> {
    await expect(this.page).toHaveURL(this.url('/account/authenticator'));
    await expect(this.heading).toHaveText('Set up your authenticator app');
    await expect(
      this.page.getByRole('img', { name: 'QR code to add Vigil to your authenticator app' }),
    ).toBeVisible();
    const secretShown = this.page.getByTestId('totp-secret');
    const secret = await secretShown.getAttribute('data-secret');
    expect(secret, 'the authenticator secret in data-secret').toMatch(/^[A-Z2-7]{16,}=*$/);
    await expect(secretShown).toHaveText(secret!.replace(/(.{4})/g, '$1 ').trim());
    updatePerson(key, { secret: secret! });
    await this.page.getByLabel('Code from your authenticator app').fill(await freshCode(key));
    await this.submit('Continue');
    await expect(this.page).toHaveURL(this.url('/'));
  }

  /** The first half of signing in: email address and passphrase, ending on the code page. */
  async enterPassphrase(key: string): Promise<void> {
    const { email, passphrase } = person(key);
    if (this.pathname() !== '/sign-in') await this.visit('/sign-in');
    await this.page.getByLabel('Email address', { exact: true }).fill(email);
    await this.page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
    await this.submit('Continue');
    await expect(this.page).toHaveURL(this.url('/sign-in/code'));
    await expect(this.heading).toHaveText('Enter the code from your authenticator app');
  }

  async enterCode(code: string): Promise<void> {
    await this.page.getByLabel('Enter the code from your authenticator app').fill(code);
    await this.submit('Sign in');
  }

  /** Signs in with passphrase and a fresh code from the person's authenticator, ending on the home page. */
  async signIn(key: string): Promise<void> {
    await this.enterPassphrase(key);
    await this.enterCode(await freshCode(key));
    await expect(this.page).toHaveURL(this.url('/'));
  }

  async signOut(): Promise<void> {
    await this.submit(this.page.getByTestId('sign-out'));
    await expect(this.page).toHaveURL(this.url('/sign-in?signed-out=yes'));
    await expect(this.page.getByTestId('signed-out-notice')).toContainText('You have signed out.');
    await expect(this.page.getByTestId('signed-in-as')).toHaveCount(0);
  }

  /** The home page, signed in as this person: the service's name as the heading and who is signed in. */
  async expectHome(serviceName: string, key: string, roleLabel: string): Promise<void> {
    await expect(this.page).toHaveURL(this.url('/'));
    await expect(this.heading).toHaveText(serviceName);
    await expect(this.page.getByTestId('signed-in-as')).toHaveText(
      `Signed in as ${person(key).name} (${roleLabel})`,
    );
  }
}
