import { expect, test } from './support/fixtures.ts';
import { CASEWORKER, SERVICE_NAME } from './support/people.ts';
import { rememberPerson } from './support/run-state.ts';

test('an administrator invites a caseworker, who sets up their account and signs in', async ({
  signedInAs,
  newApp,
}) => {
  const admin = await signedInAs('administrator');
  let invitationLink = '';

  await test.step('the administrator creates a set-up link', async () => {
    await admin.follow(admin.navigationLink('Staff'));
    await expect(admin.heading).toHaveText('Staff');
    await admin.follow(admin.page.getByTestId('invite-staff'));
    await expect(admin.heading).toHaveText('Invite a member of staff');
    await admin.page.getByLabel('Full name').fill(CASEWORKER.name);
    await admin.page.getByLabel('Work email address').fill(CASEWORKER.email);
    await admin.page.getByRole('radio', { name: 'Caseworker (ISAC)' }).check();
    await admin.submit('Create set-up link');
    await expect(admin.heading).toHaveText('Set-up link created');
    invitationLink = ((await admin.page.getByTestId('invitation-link').textContent()) ?? '').trim();
    expect(invitationLink).toMatch(new RegExp(`^${admin.url('/invitation/')}[\\w.-]{20,}$`));
    rememberPerson('caseworker', CASEWORKER);
  });

  const caseworker = await newApp('caseworker');

  await test.step('the caseworker chooses a passphrase and sets up an authenticator app', async () => {
    await caseworker.visit(invitationLink);
    await expect(caseworker.heading).toHaveText('Set up your account');
    await expect(caseworker.page.getByRole('main')).toContainText(CASEWORKER.email);
    await caseworker.choosePassphrase(CASEWORKER.passphrase);
    await caseworker.submit('Continue');
    await caseworker.enrolAuthenticator('caseworker');
    await caseworker.expectHome(SERVICE_NAME, 'caseworker', 'Caseworker (ISAC)');
  });

  await test.step('the caseworker signs out and in, and sees no staff or audit pages', async () => {
    await caseworker.signOut();
    await caseworker.signIn('caseworker');
    await caseworker.expectHome(SERVICE_NAME, 'caseworker', 'Caseworker (ISAC)');
    expect(await caseworker.navigationLinks()).toEqual([
      'Home',
      'Your caseload',
      'Search',
      'Court hearings',
      'Your account',
    ]);
    await expect(caseworker.navigationLink('Staff')).toHaveCount(0);
    await expect(caseworker.navigationLink('Audit trail')).toHaveCount(0);
    await caseworker.signOut();
  });

  await test.step('the set-up link does not work a second time', async () => {
    const response = await caseworker.visit(invitationLink);
    expect(response?.status()).toBe(404);
    await expect(caseworker.heading).toHaveText('Page not found');
  });

  await test.step('the administrator sees the caseworker as active', async () => {
    await admin.follow(admin.navigationLink('Staff'));
    const row = admin.page.getByTestId('staff-row').filter({ hasText: CASEWORKER.email });
    await expect(row.getByRole('cell')).toHaveText([
      `${CASEWORKER.name}${CASEWORKER.email}`,
      'Caseworker (ISAC)',
      'Active',
      /\d/,
    ]);
  });
});
