// A safety plan, built by the caseworker with the client beside her: actions in two sections (one shared with
// the client), an emergency contact and a code word, each section saved as a version; the plan on the case page;
// then the safe-to-print plan, which must carry none of the code word, the contact's phone or the case. The case
// is the one 11-casework.spec.ts opened (and 12-diary.spec.ts added to).
import { expect, test } from './support/fixtures.ts';
import { CASEWORKER } from './support/people.ts';

const CLIENT = 'Eluned Carrow';
const CODE_WORD = 'Sandpiper';
const CONTACT = { name: 'Gwenllian Carrow', relationship: 'Sister', phone: '07700 900877' };
const SHARED_ACTION = 'Keep the curtains closed at the front after dark';

test.describe('The safety plan', () => {
  test.setTimeout(180_000);

  test('a caseworker builds a safety plan with the client, sees it on the case, and prints a safe copy', async ({
    signedInAs,
  }) => {
    const app = await signedInAs('caseworker');
    let caseUrl = '';
    let reference = '';

    await test.step('she opens the case, which has no plan yet, and starts one', async () => {
      await app.visit('/cases');
      await app.follow(app.page.getByTestId('case-row').filter({ hasText: CLIENT }).getByRole('link'));
      caseUrl = app.page.url();
      reference = /^Case (\S+)/.exec(await app.heading.innerText())?.[1] ?? '';
      expect(reference).not.toBe('');
      const section = app.page.getByTestId('case-safety-plan');
      await expect(section.getByTestId('safety-plan-status')).toHaveText('No safety plan yet.');
      await app.follow(section.getByRole('button', { name: 'Create a safety plan' }));
      await expect(app.heading).toHaveText('Safety plan');
    });

    await test.step('she adds two actions to home security, one shared with the client', async () => {
      await app.follow(app.page.getByRole('link', { name: 'Change home security' }));
      await expect(app.heading).toHaveText('Home security');
      const first = app.page.getByRole('group', { name: 'Action 1', exact: true });
      await first.getByLabel('What will be done').fill(SHARED_ACTION);
      await first.getByRole('radio', { name: 'The client' }).check();
      await first.getByRole('checkbox', { name: 'Share with the client' }).check();
      await app.submit('Add another action');
      await expect(app.page.getByTestId('action-row')).toHaveCount(2);
      const second = app.page.getByRole('group', { name: 'Action 2', exact: true });
      await second.getByLabel('What will be done').fill('Ask the landlord for a video doorbell');
      await second.getByRole('radio', { name: 'The caseworker' }).check();
      await second.getByRole('radio', { name: 'In progress' }).check();
      await app.submit('Save home security');
      await expect(app.page.getByTestId('plan-notice')).toContainText('Safety plan saved');
      await expect(app.page.getByTestId('plan-version')).toContainText(`Version 1, saved`);
      const card = app.page.getByTestId('plan-section-home-security');
      await expect(card.getByTestId('plan-action')).toHaveCount(2);
      await expect(card.getByTestId('plan-action').first()).toContainText('Shared with the client');
    });

    await test.step('she adds an emergency contact, a code word and a shared action to them', async () => {
      await app.follow(app.page.getByRole('link', { name: 'Change emergency contacts and a code word' }));
      const action = app.page.getByRole('group', { name: 'Action 1', exact: true });
      await action.getByLabel('What will be done').fill('Text the code word to my sister if I need help');
      await action.getByRole('radio', { name: 'The client' }).check();
      await action.getByRole('checkbox', { name: 'Share with the client' }).check();
      const contact = app.page.getByRole('group', { name: 'Contact 1', exact: true });
      await contact.getByLabel('Name', { exact: true }).fill(CONTACT.name);
      await contact.getByLabel('Who they are to the client').fill(CONTACT.relationship);
      await contact.getByLabel('Phone number').fill(CONTACT.phone);
      await app.page.getByLabel('Code word', { exact: true }).fill(CODE_WORD);
      await app.submit('Save emergency contacts and a code word');
      await expect(app.page.getByTestId('plan-version')).toContainText('Version 2, saved');
      const card = app.page.getByTestId('plan-section-emergency-contacts');
      await expect(card.getByTestId('plan-contact-phone')).toHaveText(CONTACT.phone);
      await expect(card.getByTestId('plan-code-word')).toHaveText(CODE_WORD);
    });

    await test.step('the case page shows the plan: its version, who saved it and its open actions', async () => {
      await app.visit(caseUrl);
      const section = app.page.getByTestId('case-safety-plan');
      await expect(section.getByTestId('safety-plan-status')).toContainText(`Version 2 saved`);
      await expect(section.getByTestId('safety-plan-status')).toContainText(`by ${CASEWORKER.name}`);
      await expect(section.getByTestId('safety-plan-summary')).toContainText('3 open actions');
      await app.follow(section.getByRole('button', { name: 'View the safety plan' }));
    });

    await test.step('the history lists both versions with what changed', async () => {
      await app.follow(app.page.getByRole('link', { name: 'See every version and what changed' }));
      const rows = app.page.getByTestId('plan-version-row');
      await expect(rows).toHaveCount(2);
      await expect(rows.first()).toContainText('Added an emergency contact');
      await expect(rows.last()).toContainText('Created the plan');
      await app.follow(app.page.getByRole('link', { name: 'Back to the safety plan' }));
    });

    await test.step('the safe-to-print plan has the shared actions and nothing that gives her away', async () => {
      await app.follow(app.page.getByRole('link', { name: 'Safe-to-print plan for the client' }));
      await expect(app.heading).toHaveText('My plan');
      await expect(app.page).toHaveTitle('My plan');
      const printed = app.page.getByTestId('printed-plan');
      await expect(printed).toContainText(SHARED_ACTION);
      await expect(printed).toContainText('Text the code word to my sister if I need help');
      await expect(printed).toContainText('999');
      const text = await app.page.locator('body').innerText();
      for (const absent of [
        CODE_WORD,
        CONTACT.phone,
        CONTACT.name,
        CLIENT,
        reference,
        'Ask the landlord',
        'Vigil',
        'Safety plan',
        'Case ',
      ])
        expect(text, `the printed plan does not say "${absent}"`).not.toContain(absent);
      await app.page.emulateMedia({ media: 'print' });
      await expect(app.page.getByTestId('print-controls')).toBeHidden();
      await expect(printed).toBeVisible();
      await app.page.emulateMedia({ media: 'screen' });
    });
  });
});
