// Cases: a referral accepted into a case, allocated from the case page, read by the caseworker who holds it
// (safe contact first), worked on (a service, a referral on and its outcome, all on the timeline, on a phone-sized
// screen), and reallocated; people without case access do not see the pages at all.
import { expect, test } from './support/fixtures.ts';
import { CASEWORKER, SERVICE_NAME } from './support/people.ts';
import { ReferralForm, referralFormPath } from './support/referral.ts';
import { rememberPerson, type Person } from './support/run-state.ts';
import type { VigilPage } from './support/vigil-page.ts';

const MANAGER: Person = {
  name: 'Dana Whitlock',
  email: 'dana.whitlock@northshire.example.org',
  passphrase: 'saffron beacon trellis 5820',
};
const CLIENT = 'Alys Penhallow';
const AGENCY = 'Larkhill Refuge';
const PHONE = { viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

/** Today's day, month and year in the UK, as a person would type them. */
function today(): { day: string; month: string; year: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/London',
      day: 'numeric',
      month: 'numeric',
      year: 'numeric',
    })
      .formatToParts(new Date())
      .map((part) => [part.type, part.value]),
  );
  return { day: parts.day!, month: parts.month!, year: parts.year! };
}

test.describe('Cases', () => {
  // The referral form refuses to be sent faster than a person could fill it in (about 20 seconds), and axe-core
  // checks each of the many pages on the way.
  test.setTimeout(300_000);

  test('a case is allocated, read safely by its caseworker, and reallocated', async ({
    app,
    signedInAs,
    newApp,
  }) => {
    let caseAddress = '';

    await test.step('someone refers themself, saying their phone is not safe to call', async () => {
      const form = new ReferralForm(app, await referralFormPath(() => signedInAs('administrator')));
      await form.open();
      await form.startNow();
      await form.who('self');
      await form.danger('Are you in immediate danger?', false);
      await app.page.getByLabel('Full name').fill(CLIENT);
      await form.fillDateOfBirth('14', '9', '1986');
      await form.continue();
      await form.contact({
        phone: '07700 900577',
        phoneSafe: false,
        voicemail: false,
        saySomething: false,
        email: 'alys@example.org',
        emailSafe: true,
        codeWord: 'kingfisher',
      });
      await form.language('Do you need an interpreter?', false);
      await form.what('What has the person been doing to you?', ['Following them'], '', '6 to 12 months');
      await form.perpetrator('Do you know who is doing this?', false);
      await form.police('No');
      await form.children('No');
      await form.send();
    });

    const manager = await inviteManager(await signedInAs('administrator'), newApp);

    await test.step('the manager accepts the referral without allocating it yet', async () => {
      // The navigation counts what is waiting: "Referrals (3)".
      await manager.follow(manager.navigation.getByRole('link', { name: /^Referrals/ }));
      const row = manager.page.getByTestId('referral-row').filter({ hasText: CLIENT });
      await manager.follow(row.getByRole('link'));
      await manager.page.getByRole('radio', { name: 'Accept and open a case' }).check();
      await manager.page.getByLabel('Why').fill('Meets the service’s criteria');
      await manager.submit('Record decision');
      await manager.follow(manager.page.getByTestId('open-case'));
      caseAddress = manager.page.url();
      await expect(manager.page).toHaveTitle(/^Case [A-Z0-9]{4}-[A-Z0-9]{4} – /);
      await expect(manager.page.getByTestId('case-details')).toContainText('Waiting for allocation');
      await expect(manager.page.getByTestId('no-allocations')).toBeVisible();
    });

    await test.step('allocating needs someone chosen, then names who has the case', async () => {
      await manager.submit('Allocate case');
      await expect(manager.errorSummary).toContainText('Select who will hold the case');
      await expect(manager.page).toHaveTitle(/^Error: Case /);
      const caseworker = manager.page.getByRole('radio', { name: CASEWORKER.name, exact: true });
      await caseworker.check();
      await manager.submit('Allocate case');
      await expect(manager.page.getByTestId('case-notice')).toContainText(
        `Case allocated to ${CASEWORKER.name}`,
      );
      await expect(manager.page.getByTestId('allocation-row')).toHaveCount(1);
    });

    await test.step('the caseworker finds the case on their caseload and sees safe contact first', async () => {
      const caseworker = await signedInAs('caseworker');
      await caseworker.follow(caseworker.navigationLink('Your caseload'));
      await expect(caseworker.heading).toHaveText('Your caseload');
      const row = caseworker.page.getByTestId('case-row').filter({ hasText: CLIENT });
      await caseworker.follow(row.getByRole('link'));
      expect(caseworker.page.url()).toBe(caseAddress);
      await expect(caseworker.page).not.toHaveTitle(/Alys|Penhallow/);

      const safeContact = caseworker.page.getByTestId('safe-contact');
      await expect(safeContact).toContainText('07700 900577 – NOT safe to call');
      await expect(safeContact).toContainText('Do not leave a voicemail');
      await expect(safeContact).toContainText('Do not say who is calling or where from');
      await expect(safeContact).toContainText('alys@example.org – safe to email');
      await expect(safeContact).toContainText('kingfisher');
      const above = await safeContact.evaluate(
        (block) =>
          !!(
            block.compareDocumentPosition(document.querySelector('[data-qa="client-identity"]')!) &
            Node.DOCUMENT_POSITION_FOLLOWING
          ),
      );
      expect(above, 'safe contact comes before who the client is').toBe(true);
      await expect(caseworker.page.getByTestId('client-identity')).toContainText('14 September 1986');
      await expect(caseworker.page.getByTestId('allocation-form')).toHaveCount(0);
    });

    await test.step('on a phone, the caseworker records a service and a referral on, and sees both on the timeline', async () => {
      const caseworker = await signedInAs('caseworker', PHONE);
      await caseworker.visit(caseAddress);
      expect(await caseworker.scrollWidth()).toBeLessThanOrEqual(375);

      await caseworker.follow(caseworker.page.getByTestId('record-service'));
      await expect(caseworker.page).toHaveTitle(/^Record a service – /);
      await caseworker.page.getByRole('radio', { name: 'Court support' }).check();
      await caseworker.fillDate('When did it start?', today());
      await caseworker.page.getByLabel('Note (optional)').fill('Goes with her to the magistrates’ court.');
      await caseworker.submit('Save service');
      await expect(caseworker.page.getByTestId('case-notice')).toContainText('Service recorded');
      await expect(caseworker.page.getByTestId('service')).toContainText('Court support');
      await expect(caseworker.page.getByTestId('service')).toContainText('Ongoing');

      await caseworker.follow(caseworker.page.getByTestId('refer-on'));
      await caseworker.page.getByLabel('Kind of agency').selectOption({ label: 'Housing or refuge' });
      await caseworker.page.getByLabel('Name of the agency').fill(AGENCY);
      await caseworker.fillDate('Date of the referral', today());
      await caseworker.page
        .getByLabel('Why is the client being referred?')
        .fill('Needs a safe place to stay.');
      await caseworker.page.getByRole('radio', { name: 'No' }).check();
      await caseworker.submit('Save referral');
      await expect(caseworker.errorSummary).toContainText(
        'Enter why the referral is being made without the client’s consent',
      );
      await expect(caseworker.page.getByLabel('Name of the agency')).toHaveValue(AGENCY);
      await caseworker.page
        .getByLabel('Why are you referring without the client’s consent?')
        .fill('She is at risk tonight and could not be reached.');
      await caseworker.submit('Save referral');
      await expect(caseworker.page.getByTestId('case-notice')).toContainText(
        'Referral to another agency recorded',
      );
      const referral = caseworker.page.getByTestId('onward-referral');
      await expect(referral).toContainText(`Housing or refuge: ${AGENCY}`);
      await expect(referral.getByTestId('consent-override')).toContainText('NOT given');
      await expect(referral.getByTestId('outcome-now')).toContainText('Still waiting');

      await caseworker.follow(referral.getByTestId('record-outcome'));
      await caseworker.page.getByRole('radio', { name: 'Accepted' }).check();
      await caseworker.fillDate('When?', today());
      await caseworker.submit('Save outcome');
      await expect(caseworker.page.getByTestId('case-notice')).toContainText('Outcome recorded');
      await expect(caseworker.page.getByTestId('outcome-now')).toContainText('Accepted');
      expect(await caseworker.scrollWidth()).toBeLessThanOrEqual(375);

      await caseworker.follow(caseworker.page.getByTestId('timeline-link'));
      await expect(caseworker.page).toHaveTitle(/^Case timeline – /);
      await expect(caseworker.page).not.toHaveTitle(/Alys|Penhallow/);
      const titles = caseworker.page.getByTestId('timeline-item').getByRole('heading');
      await expect(titles.first()).toHaveText(`Referral to ${AGENCY}: Accepted`);
      await expect(titles.nth(1)).toHaveText(`Referred to ${AGENCY} (Housing or refuge)`);
      await expect(titles.nth(2)).toHaveText('Service started: Court support');
      await expect(titles.last()).toHaveText('Case opened');
      expect(await caseworker.scrollWidth()).toBeLessThanOrEqual(375);

      await caseworker.page.getByLabel('Show').selectOption({ label: 'Services provided' });
      await caseworker.submit('Show');
      expect(new URL(caseworker.page.url()).search).toBe('?kind=services');
      await expect(titles).toHaveText(['Service started: Court support']);

      await caseworker.visit('/cases');
      await expect(caseworker.page.getByTestId('case-row').filter({ hasText: CLIENT })).toContainText(
        'No contact yet',
      );
      expect(await caseworker.scrollWidth()).toBeLessThanOrEqual(375);
    });

    await test.step('the manager reallocates the case from the team view, keeping who held it', async () => {
      await manager.follow(manager.navigationLink('Cases'));
      await manager.follow(
        manager.page.getByTestId('caseload-tabs').getByRole('link', { name: 'Team cases' }),
      );
      await expect(manager.heading).toHaveText('Team cases');
      const row = manager.page.getByTestId('case-row').filter({ hasText: CLIENT });
      await expect(row.getByTestId('held-by')).toHaveText(CASEWORKER.name);
      await manager.follow(row.getByRole('link'));
      await manager.page.getByRole('radio', { name: MANAGER.name, exact: true }).check();
      await manager.submit('Reallocate case');
      await expect(manager.page.getByTestId('case-notice')).toContainText(
        `Case allocated to ${MANAGER.name}`,
      );
      await expect(manager.page.getByTestId('allocation-row')).toHaveCount(2);
      await expect(manager.page.getByTestId('allocation-row').first()).toContainText('Now');
    });

    await test.step('the caseworker who no longer holds it must say why to open it, and the manager reviews that', async () => {
      const caseworker = await signedInAs('caseworker');
      const refused = await caseworker.visit(caseAddress);
      expect(refused?.status()).toBe(403);
      await expect(caseworker.heading).toHaveText('This case is not on your caseload');
      await expect(caseworker.page.getByTestId('safe-contact')).toHaveCount(0);
      await caseworker.submit('Record reason and open case');
      await expect(caseworker.errorSummary).toContainText('Say why you need to open this case');
      await caseworker.page
        .getByLabel('Why do you need to open this case?')
        .fill('The client rang the duty line while the case holder is on leave');
      await caseworker.submit('Record reason and open case');
      await expect(caseworker.page.getByTestId('access-basis')).toContainText(
        'You opened it with a recorded reason',
      );
      await expect(caseworker.page.getByTestId('safe-contact')).toBeVisible();

      await manager.follow(manager.navigationLink('Home'));
      await manager.follow(
        manager.page.getByRole('link', { name: 'Cases opened outside caseloads (1 to review)' }),
      );
      const waiting = manager.page.getByTestId('waiting-reviews');
      await expect(waiting).toContainText(CASEWORKER.name);
      await expect(waiting).toContainText('duty line');
      await manager.submit(waiting.getByRole('button', { name: /^Mark as reviewed/ }));
      await expect(manager.page.getByTestId('nothing-waiting')).toBeVisible();
      await expect(manager.page.getByTestId('done-reviews')).toContainText(MANAGER.name);
    });
  });

  test('police liaison officers have no caseload and cannot open the pages', async ({ signedInAs }) => {
    const police = await signedInAs('police liaison');
    expect(await police.navigationLinks()).not.toContain('Your caseload');
    expect(await police.navigationLinks()).not.toContain('Cases');
    const response = await police.visit('/cases');
    expect(response?.status()).toBe(403);
    await expect(police.heading).toHaveText('You do not have permission to see this page');
  });
});

/** The administrator invites a team manager, who sets up their account in a browser of their own. */
async function inviteManager(
  admin: VigilPage,
  newApp: (label: string) => Promise<VigilPage>,
): Promise<VigilPage> {
  return test.step('the administrator invites a team manager, who sets up their account', async () => {
    await admin.follow(admin.navigationLink('Staff'));
    await admin.follow(admin.page.getByTestId('invite-staff'));
    await admin.page.getByLabel('Full name').fill(MANAGER.name);
    await admin.page.getByLabel('Work email address').fill(MANAGER.email);
    await admin.page.getByRole('radio', { name: 'Team manager' }).check();
    await admin.submit('Create set-up link');
    const link = ((await admin.page.getByTestId('invitation-link').textContent()) ?? '').trim();
    rememberPerson('team manager', MANAGER);

    const manager = await newApp('team manager');
    await manager.visit(link);
    await manager.choosePassphrase(MANAGER.passphrase);
    await manager.submit('Continue');
    await manager.enrolAuthenticator('team manager');
    await manager.expectHome(SERVICE_NAME, 'team manager', 'Team manager');
    return manager;
  });
}
