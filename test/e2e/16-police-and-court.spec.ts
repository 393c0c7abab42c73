// Police liaison and court support, as the caseworker holding a case does them: the officer in the case and the
// crime reference added, a trial with the support she will give, the hearing on her calendar (on a phone too)
// and in the calendar file she takes away, and the request to police for a Stalking Protection Order, checked
// and then downloaded. The case is the one 11-casework.spec.ts opened and 12-diary.spec.ts added to.
import { readFile } from 'node:fs/promises';
import { expect, test } from './support/fixtures.ts';
import type { VigilPage } from './support/vigil-page.ts';

const CLIENT = 'Eluned Carrow';
const PHONE = { viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

/** A day about a month from now, in the boxes of a GOV.UK date input. */
function aMonthAhead() {
  const day = new Date(Date.now() + 30 * 86_400_000);
  return {
    day: String(day.getUTCDate()),
    month: String(day.getUTCMonth() + 1),
    year: String(day.getUTCFullYear()),
    long: new Intl.DateTimeFormat('en-GB', {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    }).format(day),
  };
}

async function openCase(app: VigilPage) {
  await app.visit('/cases');
  await app.follow(app.page.getByTestId('case-row').filter({ hasText: CLIENT }).getByRole('link'));
}

test.describe('Police liaison and court support', () => {
  test.setTimeout(240_000);

  test('a caseworker records the police and a court hearing, takes the calendar away and asks police for an SPO', async ({
    signedInAs,
  }) => {
    const app = await signedInAs('caseworker');
    const hearingDay = aMonthAhead();

    await test.step('she adds the officer in the case', async () => {
      await openCase(app);
      const police = app.page.getByTestId('case-police');
      await expect(police.getByTestId('no-police-contacts')).toBeVisible();
      await app.follow(police.getByRole('link', { name: 'Add a police contact' }));
      await app.page.getByLabel('Police force').fill('Northshire Police');
      await app.submit('Add police contact');
      await expect(app.errorSummary).toContainText('Enter the officer’s name');
      await app.page.getByLabel('Officer’s name').fill('DC Priya Shah');
      await app.page.getByLabel('Collar number (optional)').fill('NS4417');
      await app.page.getByLabel('Officer in the case').check();
      await app.page.getByLabel('Phone (optional)').fill('01632 960 417');
      await app.submit('Add police contact');
      await expect(app.page.getByTestId('case-notice')).toHaveText(/Police contact added/);
      await expect(app.page.getByTestId('police-contact')).toContainText('DC Priya Shah (NS4417)');
    });

    await test.step('and the crime reference, reported and being investigated', async () => {
      await app.follow(app.page.getByRole('link', { name: 'Add a crime reference' }));
      await app.page.getByLabel('Crime reference', { exact: true }).fill('41/20417/26');
      await app.page.getByLabel('Police force').fill('Northshire Police');
      await app.page.getByLabel('Stalking (section 2A)').check();
      await app.page.getByLabel('Being investigated').check();
      await app.fillDate('Since when', { day: '20', month: '11', year: '2026' });
      await app.submit('Add crime reference');
      const row = app.page.getByTestId('crime-reference-row');
      await expect(row).toContainText('41/20417/26');
      await expect(row.getByTestId('crime-status')).toContainText('Being investigated');
      await app.follow(row.getByRole('link', { name: '41/20417/26' }));
      await expect(app.page.getByTestId('crime-history-row')).toHaveCount(1);
      await app.follow(app.page.getByRole('link', { name: 'Back to the case' }));
    });

    await test.step('she adds the trial, with the support she will give', async () => {
      await app.follow(app.page.getByRole('link', { name: 'Add a court hearing' }));
      await app.page.getByLabel('Criminal court').check();
      await app.page.getByLabel('Which court').fill('Northtown Magistrates’ Court');
      await app.fillDate('Date of the hearing', hearingDay);
      await app.page.getByLabel('Time', { exact: true }).fill('10:00');
      await app.page.getByLabel('Trial').check();
      await app.page
        .getByLabel('Crime reference (optional)')
        .selectOption({ label: '41/20417/26 (Stalking (section 2A))' });
      await app.page.getByLabel('Going to court with the client').check();
      await app.page.getByLabel('A separate waiting room').check();
      await app.page.getByRole('group', { name: 'Special measures asked for' }).getByLabel('Screens').check();
      await app.submit('Add court hearing');
      const hearing = app.page.getByTestId('case-court').getByTestId('hearing');
      await expect(hearing.getByTestId('hearing-title')).toContainText(`${hearingDay.long}, 10:00am: Trial`);
      await expect(hearing).toContainText('Going to court with the client, A separate waiting room');
      await expect(hearing.getByTestId('hearing-reminder')).toBeVisible();
      await expect(
        app.page.getByTestId('task-row').filter({ hasText: 'Prepare the client for the court hearing' }),
      ).toHaveCount(1);
    });

    await test.step('the hearing is on her calendar, and the calendar file names only the case', async () => {
      await app.follow(app.navigationLink('Court hearings'));
      await expect(app.heading).toHaveText('Your court hearings');
      const row = app.page
        .getByTestId('calendar-hearing')
        .filter({ hasText: 'Northtown Magistrates’ Court' });
      await expect(row).toHaveCount(1);
      await expect(row).toContainText(`${hearingDay.long}, 10:00am`);
      const download = app.page.waitForEvent('download');
      await app.page.getByTestId('download-ics').click();
      const file = await download;
      expect(file.suggestedFilename()).toBe('court-hearings.ics');
      const ics = await readFile(await file.path(), 'utf8');
      expect(ics).toMatch(/SUMMARY:Court hearing – case [A-Z0-9-]+/);
      expect(ics).toContain('DTSTART;TZID=Europe/London:');
      expect(ics).not.toContain('Eluned');
      expect(ics).not.toContain('Carrow');
      expect(ics).not.toContain('Northtown');
    });

    await test.step('on a phone, the calendar reads without scrolling sideways', async () => {
      const phone = await signedInAs('caseworker', PHONE);
      await phone.visit('/hearings');
      await expect(phone.page.getByTestId('calendar-hearing').first()).toBeVisible();
      expect(await phone.scrollWidth()).toBeLessThanOrEqual(375);
    });

    await test.step('she asks police for a Stalking Protection Order, checks the request and downloads it', async () => {
      await openCase(app);
      await app.follow(
        app.page.getByRole('link', { name: 'Request a Stalking Protection Order from police' }),
      );
      await app.page
        .getByLabel('Which officer it is for')
        .selectOption({ label: 'DC Priya Shah (NS4417), Northshire Police, Officer in the case' });
      await app.page.getByLabel('Not to contact the person to be protected, directly or indirectly').check();
      await app.page.getByLabel('Not to enter the areas, or go to the places').check();
      await app.submit('Continue');
      await expect(app.errorSummary).toContainText('Name the places to exclude, one on each line');
      await app.page.getByLabel('Places to exclude').fill('Her home street: Ashby Road, Northtown');
      await app.page.getByLabel('To attend an assessment').check();
      await app.page.getByLabel('The client agrees to this request going to the police').check();
      await app.submit('Continue');
      await expect(app.heading).toHaveText('Check the request before it is made');
      await expect(app.page.getByTestId('spo-places')).toContainText('Ashby Road, Northtown');
      await expect(app.page.getByTestId('spo-officer')).toContainText('DC Priya Shah');
      await expect(app.page.getByTestId('spo-consent')).toHaveText(
        'They agree to this request going to the police',
      );
      await expect(app.page.getByTestId('spo-incidents')).toContainText(
        'He was waiting at the end of her road',
      );
      await app.submit('Make the request');
      await expect(app.page.getByTestId('spo-notice')).toBeVisible();
      const download = app.page.waitForEvent('download');
      await app.page.getByTestId('spo-document').click();
      const file = await download;
      expect(file.suggestedFilename()).toMatch(/^SPO-REQUEST-[A-Z0-9-]+-1\.pdf$/);
      await app.follow(app.page.getByRole('link', { name: 'Back to the case' }));
      await expect(app.page.getByTestId('spo-request-link')).toHaveText('SPO request 1');
    });
  });
});
