import { expect, test } from './support/fixtures.ts';
import { SERVICE_NAME } from './support/people.ts';
import { storageStateFile } from './support/run-state.ts';

test('the administrator signs out, then signs in again with passphrase and code', async ({ signedInAs }) => {
  const app = await signedInAs('administrator');
  await app.expectHome(SERVICE_NAME, 'administrator', 'Administrator');

  await app.signOut();
  await expect(app.heading).toHaveText('Sign in');

  await test.step('signing out ended the session', async () => {
    await app.visit('/');
    await expect(app.page).toHaveURL(app.url('/sign-in'));
  });

  await test.step('passphrase, then the code from the authenticator app', async () => {
    await app.signIn('administrator');
    await app.expectHome(SERVICE_NAME, 'administrator', 'Administrator');
    await app.page.context().storageState({ path: storageStateFile('administrator') });
  });
});
