// Protection orders as the caseworker holding the case records them: an interim Stalking Protection Order, then
// the full order with its conditions (refused at first for being shorter than two years), a plain summary for
// the client, the incident from 12-diary.spec.ts recorded as a breach, seen on the home page and reported to
// police. The case is the one 11-casework.spec.ts opened.
import { expect, test } from './support/fixtures.ts';
import { fillDateInput, type VigilPage } from './support/vigil-page.ts';

const CLIENT = 'Eluned Carrow';

/** Fills a GOV.UK date input (found by its legend) with a date some days from today. */
async function fillDate(app: VigilPage, legend: string, daysFromToday: number) {
  const when = new Date(Date.now() + daysFromToday * 86_400_000);
  await fillDateInput(app.page.getByRole('group', { name: legend, exact: true }), {
    day: String(when.getUTCDate()),
    month: String(when.getUTCMonth() + 1),
    year: String(when.getUTCFullYear()),
  });
}

test.describe('Protection orders', () => {
  test.setTimeout(240_000);

  test('a caseworker records an interim SPO, then the full order with conditions, and a breach reported to police', async ({
    signedInAs,
  }) => {
    const app = await signedInAs('caseworker');

    await test.step('she records the interim order from the case', async () => {
      await app.visit('/cases');
      await app.follow(app.page.getByTestId('case-row').filter({ hasText: CLIENT }).getByRole('link'));
      await expect(app.page.getByTestId('case-no-orders')).toBeVisible();
      await app.follow(app.page.getByRole('button', { name: 'Record a protection order' }));
      await app.page.getByLabel('Stalking Protection Order').check();
      await app.page.getByRole('group', { name: 'Who is it against?' }).getByRole('radio').first().check();
      await app.page.getByLabel('Interim order in force').check();
      await app.submit('Record the order');
      await expect(app.errorSummary).toContainText('Enter the date the interim order was made');
      await fillDate(app, 'Date the interim order was made', -10);
      await fillDate(app, 'Date the order ends', 20);
      await app.page.getByLabel('Applicant (optional)').fill('Northshire Police');
      await app.submit('Record the order');
      await expect(app.page.getByTestId('order-notice')).toHaveText(/Order recorded/);
      await expect(app.page.getByTestId('order-status')).toHaveText('Interim order in force');
    });

    await test.step('she adds its conditions word for word', async () => {
      await app.page.getByLabel('No contact, direct or indirect').check();
      await app.page
        .getByLabel('Wording, exactly as in the order')
        .fill(
          'Not to contact the applicant by any means, directly or indirectly, including through social media.',
        );
      await app.submit('Add the condition');
      await app.page.getByLabel('Not to come within a set distance of named places').check();
      await app.page
        .getByLabel('Wording, exactly as in the order')
        .fill('Not to come within 200 metres of the applicant’s home address.');
      await app.page.getByLabel('The client’s home').check();
      await app.page.getByLabel('Distance in metres (for a distance)').fill('200');
      await app.submit('Add the condition');
      await expect(app.page.getByTestId('order-condition')).toHaveCount(2);
    });

    await test.step('the full order is refused at 1 year, then recorded at 3', async () => {
      await app.page.getByLabel('Full order in force').check();
      await fillDate(app, 'Date the full order was made', 0);
      await fillDate(app, 'Date the order was served', 0);
      await fillDate(app, 'Date the order ends', 365);
      await app.submit('Save the update');
      await expect(app.errorSummary).toContainText('A full Stalking Protection Order lasts at least 2 years');
      await fillDate(app, 'Date the order ends', 3 * 365);
      await app.submit('Save the update');
      await expect(app.page.getByTestId('order-status')).toHaveText('Full order in force');
      await expect(app.page.getByTestId('order-reminders')).toContainText(
        'review with the client whether to ask police to renew it',
      );
      await expect(app.page.getByTestId('order-reminders')).toContainText(
        'notified them of names and address',
      );
      await app.follow(app.page.getByTestId('order-summary-link'));
      await expect(app.page.getByTestId('order-forbids')).toContainText(
        'They must not come within 200 metres of your home.',
      );
      await app.follow('Back to the order');
    });

    await test.step('the incident in the diary is recorded as a breach', async () => {
      const caseUrl = app.page.url().replace(/\/orders\/.*$/, '');
      await app.visit(`${caseUrl}/diary`);
      await app.follow(
        app.page
          .getByTestId('diary-entry')
          .filter({ hasText: 'waiting at the end of her road' })
          .getByRole('link')
          .first(),
      );
      await app.follow(app.page.getByRole('button', { name: 'Record as a breach of an order' }));
      await expect(app.page.getByRole('heading', { level: 1 })).toHaveText('Record as a breach of an order');
      await app.submit('Record the breach');
      await expect(app.errorSummary).toContainText('Select the conditions the incident may have breached');
      await app.page.getByLabel('2. Not to come within a set distance of named places').check();
      await app.submit('Record the breach');
      await expect(app.page.getByTestId('breach-notice')).toContainText('Breach recorded');
    });

    await test.step('the home page shows the breach until it is reported to police', async () => {
      const breachUrl = app.page.url().split('?')[0]!;
      await app.visit('/');
      await expect(app.page.getByTestId('home-breach')).toContainText('Not reported to police yet');
      await app.visit(breachUrl);
      await fillDate(app, 'Date it was reported', 0);
      await app.page.getByLabel('Time', { exact: true }).fill('00:05');
      await app.page.getByLabel('By calling 101').check();
      await app.page.getByLabel('Crime reference (optional)').fill('NP/26/771204');
      await app.submit('Save the report to police');
      await expect(app.page.getByTestId('breach-report')).toContainText('NP/26/771204');
      await app.visit('/');
      await expect(app.page.getByTestId('home-breach')).toContainText('Reported to police');
    });
  });
});
