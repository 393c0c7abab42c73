// Casework, as the caseworker holding a case does it: a referral accepted and allocated by the team manager, the
// case found through search, safe contact read before a contact is recorded, a task added and done, the case
// closed and reopened. Once on a desktop-sized screen (with the contact form also used without JavaScript), once
// 375 pixels wide. The team manager is the one 10-cases.spec.ts sets up.
import { expect, test } from './support/fixtures.ts';
import { CASEWORKER } from './support/people.ts';
import { ReferralForm, referralFormPath } from './support/referral.ts';
import type { VigilPage } from './support/vigil-page.ts';

const PHONE = { viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

type Client = { name: string; phone: string; codeWord: string };

const DAY_MS = 24 * 60 * 60 * 1000;
const ukParts = (at: Date) => {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/London',
      day: 'numeric',
      month: 'numeric',
      year: 'numeric',
    })
      .formatToParts(at)
      .map((part) => [part.type, part.value]),
  );
  return { day: parts.day!, month: parts.month!, year: parts.year! };
};
/** "7 December 2026": how the case page shows a date. */
const shown = (at: Date) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }).format(at);

test.describe('Casework', () => {
  // The referral form refuses to be sent faster than a person could fill it in (about 20 seconds), and axe-core
  // checks each of the many pages on the way.
  test.setTimeout(420_000);

  test('a caseworker works a case from allocation to closing and reopening', async ({ app, signedInAs }) => {
    const client: Client = { name: 'Morwenna Trelease', phone: '07700 900314', codeWord: 'lapwing' };
    await refer(app, signedInAs, client);
    await acceptAndAllocate(await signedInAs('team manager'), client.name);
    const caseworker = new Casework(await signedInAs('caseworker'));
    await caseworker.findCase(client);
    await caseworker.recordContact(client);

    await test.step('the contact form works without JavaScript, its follow-up question shown', async () => {
      const noScript = new Casework(await signedInAs('caseworker', { javaScriptEnabled: false }));
      await noScript.app.visit(caseworker.page.url());
      await noScript.follow(noScript.page.getByRole('link', { name: 'Record a contact' }));
      await noScript.page.bringToFront();
      await noScript.fillContact({ method: 'Text message', outcome: 'Message sent' });
      const whyNot = noScript.page.getByLabel('Why not?');
      await expect(whyNot, 'shown without choosing "No"').toBeVisible();
      await noScript.radio('Were the client’s safe-contact rules followed?', 'No');
      await whyNot.fill('She asked us to text the number she gave instead, just this once.');
      await noScript.page.getByLabel('Summary', { exact: true }).fill('Texted to confirm Tuesday’s call.');
      await noScript.submit('Save contact');
      await noScript.expectNotice('Contact recorded');
      const card = noScript.page.getByTestId('contact').filter({ hasText: 'Texted to confirm' });
      await expect(card).toContainText('Safe-contact rules NOT followed');
      await expect(card).toContainText('She asked us to text the number she gave instead');
    });

    await caseworker.app.visit(caseworker.page.url());
    await caseworker.addAndCompleteTask();
    await caseworker.closeAndReopen();
  });

  test('on a phone-sized screen, a caseworker does the same and nothing scrolls sideways', async ({
    app,
    signedInAs,
  }) => {
    const client: Client = { name: 'Eluned Carrow', phone: '07700 900628', codeWord: 'curlew' };
    await refer(app, signedInAs, client);
    await acceptAndAllocate(await signedInAs('team manager'), client.name);
    const phone = await signedInAs('caseworker', PHONE);
    const caseworker = new Casework(phone, async () =>
      expect(await phone.scrollWidth(), `width of ${phone.page.url()}`).toBeLessThanOrEqual(375),
    );
    await caseworker.findCase(client);
    await caseworker.recordContact(client);
    await caseworker.addAndCompleteTask();
    await caseworker.closeAndReopen();
  });
});

/** Someone refers themself through the public form, giving a phone that is safe to call. */
async function refer(app: VigilPage, signedInAs: (key: string) => Promise<VigilPage>, client: Client) {
  await test.step(`${client.name} refers themself`, async () => {
    const form = new ReferralForm(app, await referralFormPath(() => signedInAs('administrator')));
    await form.open();
    await form.startNow();
    await form.who('self');
    await form.danger('Are you in immediate danger?', false);
    await app.page.getByLabel('Full name').fill(client.name);
    await form.fillDateOfBirth('3', '5', '1991');
    await form.continue();
    await form.contact({
      phone: client.phone,
      phoneSafe: true,
      voicemail: false,
      saySomething: false,
      codeWord: client.codeWord,
    });
    await form.language('Do you need an interpreter?', false);
    await form.what(
      'What has the person been doing to you?',
      ['Turning up at their home, work or school'],
      '',
      '1 to 6 months',
    );
    await form.perpetrator('Do you know who is doing this?', false);
    await form.police('No');
    await form.children('No');
    await form.send();
  });
}

/** The team manager accepts the referral and allocates the case to the caseworker in one decision. */
async function acceptAndAllocate(manager: VigilPage, clientName: string) {
  await test.step('the team manager accepts the referral and allocates the case', async () => {
    await manager.follow(manager.navigation.getByRole('link', { name: /^Referrals/ }));
    const row = manager.page.getByTestId('referral-row').filter({ hasText: clientName });
    await manager.follow(row.getByRole('link'));
    await manager.page.getByRole('radio', { name: 'Accept and open a case' }).check();
    const allocateTo = manager.page.getByLabel('Allocate the case to');
    const caseworker = await allocateTo.locator('option', { hasText: CASEWORKER.name }).getAttribute('value');
    expect(caseworker, 'the caseworker can be chosen').toMatch(/^[0-9a-f-]{36}$/);
    await allocateTo.selectOption(caseworker);
    await manager.page.getByLabel('Why', { exact: true }).fill('Meets the service’s criteria');
    await manager.submit('Record decision');
    await expect(manager.page.getByTestId('decision-recorded')).toBeVisible();
    await manager.follow(manager.page.getByTestId('open-case'));
    await expect(manager.page.getByTestId('case-details')).toContainText(CASEWORKER.name);
  });
}

/**
 * The caseworker's side, by headings, labels and buttons as a person finds them (the case page grows; nothing
 * here depends on where a section sits). `onEachPage` runs after every page reached, after axe has checked it.
 */
class Casework {
  readonly app: VigilPage;
  private readonly onEachPage: () => Promise<void>;

  constructor(app: VigilPage, onEachPage: () => Promise<void> = async () => {}) {
    this.app = app;
    this.onEachPage = onEachPage;
  }

  get page() {
    return this.app.page;
  }

  async follow(link: Parameters<VigilPage['follow']>[0]) {
    await this.app.follow(link);
    await this.onEachPage();
  }

  async submit(button: Parameters<VigilPage['submit']>[0]) {
    await this.app.submit(button);
    await this.onEachPage();
  }

  async radio(legend: string, answer: string) {
    await this.page
      .getByRole('group', { name: legend, exact: true })
      .getByRole('radio', { name: answer, exact: true })
      .check();
  }

  async expectNotice(text: string) {
    await expect(this.page.getByTestId('case-notice')).toContainText(text);
  }

  /** The case's status, as its details say it. */
  async expectStatus(status: string) {
    const details = this.page.getByTestId('case-details');
    await expect(details.locator('.govuk-summary-list__row', { hasText: 'Status' })).toContainText(status);
  }

  async findCase(client: Client) {
    await test.step('the caseworker finds the case through search, and reads safe contact first', async () => {
      // On a phone, the service navigation is behind its Menu button.
      const menu = this.page.getByRole('button', { name: 'Menu' });
      if (await menu.isVisible()) await menu.click();
      await this.follow(this.app.navigationLink('Search'));
      await expect(this.app.heading).toHaveText('Search');
      await this.page
        .getByLabel('Case reference, client name, phone number or email address')
        .fill(client.name);
      await this.submit('Search');
      const result = this.page.getByTestId('search-result').filter({ hasText: client.name });
      await expect(result).toHaveCount(1);
      await this.follow(result.getByRole('link'));
      await expect(this.page).toHaveTitle(/^Case [A-Z0-9]{4}-[A-Z0-9]{4} – /);
      await expect(this.page).not.toHaveTitle(new RegExp(client.name.split(' ')[1]!));
      const safeContact = this.page.getByTestId('safe-contact');
      await expect(safeContact).toContainText(`${client.phone} – safe to call`);
      await expect(safeContact).toContainText('Do not leave a voicemail');
      await expect(safeContact).toContainText(client.codeWord);
      await this.expectStatus('Active');
    });
  }

  /** Fills the contact form (yesterday, so the date is in the past whatever the hour) except the summary. */
  async fillContact(answers: { method: string; outcome: string }) {
    await this.app.fillDate('Date of the contact', ukParts(new Date(Date.now() - DAY_MS)));
    await this.page.getByLabel('Time of the contact').fill('14:30');
    await this.page.getByLabel('How long it lasted (optional)').fill('25');
    await this.radio('How did the contact happen?', answers.method);
    await this.radio('Who made contact?', 'We contacted the client');
    await this.radio('What happened?', answers.outcome);
  }

  async recordContact(client: Client) {
    await test.step('the caseworker records a contact, correcting a mistake first', async () => {
      await this.follow(this.page.getByRole('link', { name: 'Record a contact' }));
      await expect(this.app.heading).toHaveText('Record a contact');
      const safeContact = this.page.getByTestId('safe-contact');
      await expect(safeContact).toContainText(`${client.phone} – safe to call`);
      const before = await safeContact.evaluate(
        (panel) =>
          !!(
            panel.compareDocumentPosition(document.querySelector('form[data-qa="contact-form"]')!) &
            Node.DOCUMENT_POSITION_FOLLOWING
          ),
      );
      expect(before, 'the safe-contact rules come before the form').toBe(true);

      await this.fillContact({ method: 'Phone call', outcome: 'Spoke to the client' });
      await this.radio('Were the client’s safe-contact rules followed?', 'Yes');
      await this.submit('Save contact');
      await expect(this.page).toHaveTitle(/^Error: /);
      await expect(this.app.errorSummary.getByRole('listitem')).toHaveText([
        'Enter a summary of the contact',
      ]);
      await expect(this.page.getByLabel('Time of the contact')).toHaveValue('14:30');

      const summary = 'Talked through the safety plan. Next call on Tuesday, same time.';
      await this.page.getByLabel('Summary', { exact: true }).fill(summary);
      await this.submit('Save contact');
      await this.expectNotice('Contact recorded');
      const card = this.page.getByTestId('contact').filter({ hasText: summary });
      await expect(card).toContainText('Phone call');
      await expect(card).toContainText('25 minutes');
      await expect(card).not.toContainText('NOT followed');
    });
  }

  async addAndCompleteTask() {
    const title = 'Ask the police about a Stalking Protection Order';
    const due = new Date(Date.now() + 14 * DAY_MS);
    const row = this.page.getByTestId('task-row').filter({ hasText: title });

    await test.step('the caseworker adds a task with a due date, and sees it on the case', async () => {
      await this.page.getByLabel('What needs doing').fill(title);
      await this.app.fillDate('Due date', ukParts(due));
      await expect(this.page.getByLabel('Who will do it')).toHaveValue(/.+/);
      await this.submit('Add task');
      await this.expectNotice('Task added');
      await expect(row).toContainText(shown(due));
      await expect(row).toContainText(CASEWORKER.name);
      await expect(row).not.toContainText('Overdue');
    });

    await test.step('and marks it as done', async () => {
      await this.submit(row.getByRole('button', { name: `Mark as done – ${title}` }));
      await this.expectNotice('Task marked as done');
      await expect(row).toContainText('Done');
      await expect(row.getByRole('button')).toHaveCount(0);
    });
  }

  async closeAndReopen() {
    await test.step('the caseworker closes the case with a reason', async () => {
      await this.follow(this.page.getByRole('link', { name: 'Close case' }));
      await expect(this.app.heading).toHaveText('Close the case');
      await this.radio('Outcome', 'Support completed');
      await this.page
        .getByLabel('Why is the case being closed?')
        .fill('Safety plan in place; she no longer needs support.');
      await this.submit('Close case');
      await this.expectNotice('Case closed');
      await this.expectStatus('Closed');
      await expect(this.page.getByTestId('status-row').first()).toContainText('Support completed');
      await expect(this.page.getByRole('link', { name: 'Close case' })).toHaveCount(0);
    });

    await test.step('and reopens it, saying why', async () => {
      await this.page.getByLabel('Why is the case being reopened?').fill('He has started turning up again.');
      await this.submit('Reopen case');
      await this.expectNotice('Case reopened');
      await this.expectStatus('Active');
      await expect(this.page.getByTestId('status-row')).toHaveCount(2);
      await expect(this.page.getByTestId('status-row').first()).toContainText('Reopened');
      await expect(this.page.getByTestId('status-row').first()).toContainText(
        'He has started turning up again.',
      );
      await expect(this.page.getByRole('link', { name: 'Close case' })).toBeVisible();
    });
  }
}
