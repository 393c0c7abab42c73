import { expect, test } from './support/fixtures.ts';
import { SERVICE_NAME } from './support/people.ts';

const PHONE = { viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

test.describe('On a phone-sized screen (375 pixels wide)', () => {
  test('the sign-in page does not scroll sideways', async ({ newApp }) => {
    const app = await newApp('phone', PHONE);
    await app.visit('/sign-in');
    await expect(app.heading).toHaveText('Sign in');
    expect(await app.scrollWidth()).toBeLessThanOrEqual(375);
  });

  test('the home page does not scroll sideways', async ({ signedInAs }) => {
    const app = await signedInAs('administrator', PHONE);
    await app.expectHome(SERVICE_NAME, 'administrator', 'Administrator');
    expect(await app.scrollWidth()).toBeLessThanOrEqual(375);
  });
});
