// The public referral form, as the person filling it in uses it: one method a question page, each answering
// by label and pressing Continue through the page object, so axe-core checks every page reached.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Locator } from '@playwright/test';
import { expect } from './fixtures.ts';
import { fillDateInput, type VigilPage } from './vigil-page.ts';

/** The service's minimum time between starting and sending the form, plus a margin. */
const MINIMUM_COMPLETION_MS = 21_000;

let cachedPath: string | undefined;

/**
 * The address of the service's public referral form (/r/<code>), as staff see it on their home page. It is
 * read once a run, by someone signed in.
 */
export async function referralFormPath(signIn: () => Promise<VigilPage>): Promise<string> {
  if (cachedPath) return cachedPath;
  const staff = await signIn();
  await staff.visit('/');
  const link = ((await staff.page.getByTestId('public-referral-link').textContent()) ?? '').trim();
  const path = new URL(link).pathname;
  expect(path, 'the referral form address on the home page').toMatch(/^\/r\/[a-z0-9]{8}$/);
  cachedPath = path;
  return path;
}

export type ContactAnswers = {
  phone?: string;
  phoneSafe?: boolean;
  voicemail?: boolean;
  saySomething?: boolean;
  email?: string;
  emailSafe?: boolean;
  codeWord?: string;
};

export class ReferralForm {
  readonly app: VigilPage;
  readonly path: string;
  /** Page titles seen, in order, to check none gives anything away. */
  readonly titles: string[] = [];
  private startedAt = 0;
  private readonly afterEachPage: (() => Promise<void>) | undefined;

  constructor(app: VigilPage, path: string, options: { afterEachPage?: () => Promise<void> } = {}) {
    this.app = app;
    this.path = path;
    this.afterEachPage = options.afterEachPage;
  }

  private get page() {
    return this.app.page;
  }

  /** A question, by its legend, for answering radios or checkboxes inside it. */
  group(legend: string): Locator {
    return this.page.getByRole('group', { name: legend, exact: true });
  }

  private async arrived(): Promise<void> {
    this.titles.push(await this.page.title());
    if (this.afterEachPage) await this.afterEachPage();
  }

  async open(): Promise<void> {
    await this.app.visit(this.path);
    await expect(this.app.heading).toHaveText('Ask for support');
    await this.arrived();
  }

  async startNow(): Promise<void> {
    await this.app.submit('Start now');
    this.startedAt = Date.now();
    await this.arrived();
    await this.expectQuestion('Who is this form for?');
  }

  async continue(): Promise<void> {
    await this.app.submit('Continue');
    await this.arrived();
  }

  async expectQuestion(heading: string): Promise<void> {
    await expect(this.app.heading).toHaveText(heading);
    await expect(this.page).toHaveTitle(`${heading} – Online form`);
  }

  async expectErrors(...messages: string[]): Promise<void> {
    await expect(this.page).toHaveTitle(/^Error: /);
    await expect(this.app.errorSummary.getByRole('listitem')).toHaveText(messages);
  }

  async radio(legend: string, answer: string): Promise<void> {
    await this.group(legend).getByRole('radio', { name: answer, exact: true }).check();
  }

  private async yesNo(legend: string, answer: boolean | undefined): Promise<void> {
    if (answer !== undefined) await this.radio(legend, answer ? 'Yes' : 'No');
  }

  async who(route: 'self' | 'professional'): Promise<void> {
    await this.radio(
      'Who is this form for?',
      route === 'self'
        ? 'Me – I am being stalked or harassed'
        : 'Someone else – I am a professional referring them',
    );
    await this.continue();
  }

  async referrer(details: {
    name: string;
    role: string;
    organisation: string;
    email: string;
  }): Promise<void> {
    await this.page.getByLabel('Your full name').fill(details.name);
    await this.page.getByLabel('Your role').fill(details.role);
    await this.page.getByLabel('Your organisation').fill(details.organisation);
    await this.page.getByLabel('Email address').fill(details.email);
    await this.continue();
  }

  async consent(): Promise<void> {
    await this.page.getByRole('checkbox', { name: 'The person has agreed to this referral' }).check();
    await this.continue();
  }

  async danger(legend: string, inDanger: boolean): Promise<void> {
    await this.yesNo(legend, inDanger);
    await this.continue();
  }

  async fillDateOfBirth(day: string, month: string, year: string): Promise<void> {
    await fillDateInput(this.group('Date of birth'), { day, month, year });
  }

  async contact(answers: ContactAnswers): Promise<void> {
    if (answers.phone) await this.page.getByLabel('Phone number').fill(answers.phone);
    await this.yesNo('Is it safe for us to call this number?', answers.phoneSafe);
    await this.yesNo('Can we leave a voicemail?', answers.voicemail);
    await this.yesNo('Can we say who we are when we call?', answers.saySomething);
    if (answers.email) await this.page.getByLabel('Email address').fill(answers.email);
    await this.yesNo('Is it safe for us to email this address?', answers.emailSafe);
    if (answers.codeWord) await this.page.getByLabel('Code word (optional)').fill(answers.codeWord);
    await this.continue();
  }

  async language(interpreterLegend: string, interpreter: boolean): Promise<void> {
    await this.yesNo(interpreterLegend, interpreter);
    await this.continue();
  }

  async what(legend: string, behaviours: string[], words: string, duration: string): Promise<void> {
    for (const behaviour of behaviours)
      await this.group(legend).getByRole('checkbox', { name: behaviour, exact: true }).check();
    if (words) await this.page.getByLabel('Tell us what has been happening').fill(words);
    await this.radio('How long has this been happening?', duration);
    await this.continue();
  }

  async perpetrator(legend: string, known: boolean, relationship?: { legend: string; answer: string }) {
    await this.yesNo(legend, known);
    if (relationship) await this.radio(relationship.legend, relationship.answer);
    await this.continue();
  }

  async police(answer: 'Yes' | 'No' | 'Not sure'): Promise<void> {
    await this.radio('Have the police been told?', answer);
    await this.continue();
  }

  async children(answer: 'Yes' | 'No' | 'Prefer not to say'): Promise<void> {
    await this.radio('Are there children in the household?', answer);
    await this.continue();
  }

  /** An answer on the check-your-answers page, by its label. */
  answer(key: string): Locator {
    return this.page.locator('.govuk-summary-list__row').filter({
      has: this.page.locator('.govuk-summary-list__key', { hasText: key }),
    });
  }

  /** Nobody fills the form in under 20 seconds; the service asks anyone that quick to check and send again. */
  async waitAsLongAsAPerson(): Promise<void> {
    const wait = this.startedAt + MINIMUM_COMPLETION_MS - Date.now();
    if (wait > 0) await sleep(wait);
  }

  async send(): Promise<string> {
    await this.waitAsLongAsAPerson();
    await this.app.submit('Send referral');
    return this.expectSent();
  }

  /** The confirmation: the panel and the reference, which is returned. */
  async expectSent(): Promise<string> {
    await expect(this.page).toHaveURL(this.app.url(`${this.path}/sent`));
    await expect(this.page).toHaveTitle('Form sent – Online form');
    await expect(this.page.locator('.govuk-panel__title')).toHaveText('Referral sent');
    const reference = ((await this.page.getByTestId('reference').textContent()) ?? '').trim();
    expect(reference).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    await this.arrived();
    return reference;
  }

  /** After sending: no cookie, local or session storage left from the form. */
  async expectNothingStored(): Promise<void> {
    const cookies = await this.page.context().cookies();
    expect(cookies.map((cookie) => cookie.name)).not.toContain('__Host-vigil-referral');
    if (await this.page.evaluate(() => true).catch(() => false)) {
      expect(await this.page.evaluate(() => localStorage.length + sessionStorage.length)).toBe(0);
    }
  }

  /** No title named the person or said what the form is about. */
  expectNeutralTitles(...names: string[]): void {
    expect(this.titles.length).toBeGreaterThan(5);
    for (const title of this.titles) {
      expect(title).toMatch(/ – Online form$/);
      expect(title).not.toMatch(/stalk|harass/i);
      for (const name of names) expect(title).not.toContain(name);
    }
  }
}
