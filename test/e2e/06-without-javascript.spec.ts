import { test } from './support/fixtures.ts';
import { POLICE_LIAISON, SERVICE_NAME } from './support/people.ts';
import { rememberPerson } from './support/run-state.ts';

test('with JavaScript turned off, a new member of staff can set up their account and sign in', async ({
  signedInAs,
  newApp,
}) => {
  const admin = await signedInAs('administrator');
  await admin.visit('/staff/invite');
  await admin.page.getByLabel('Full name').fill(POLICE_LIAISON.name);
  await admin.page.getByLabel('Work email address').fill(POLICE_LIAISON.email);
  await admin.page.getByRole('radio', { name: 'Police liaison' }).check();
  await admin.submit('Create set-up link');
  const invitationLink = ((await admin.page.getByTestId('invitation-link').textContent()) ?? '').trim();
  rememberPerson('police liaison', POLICE_LIAISON);

  const app = await newApp('no-JavaScript', { javaScriptEnabled: false });
  // On every page, the page object also checks that GOV.UK Frontend's scripts did not run.
  await app.visit(invitationLink);
  await app.choosePassphrase(POLICE_LIAISON.passphrase);
  await app.submit('Continue');
  await app.enrolAuthenticator('police liaison');
  await app.expectHome(SERVICE_NAME, 'police liaison', 'Police liaison');

  await app.signOut();
  await app.signIn('police liaison');
  await app.expectHome(SERVICE_NAME, 'police liaison', 'Police liaison');
  await app.signOut();
});
