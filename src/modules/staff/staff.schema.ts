import { z } from 'zod';
import { ROLES } from '../../platform/permissions.ts';

const form = z.strictObject;

export const displayName = z
  .string({ error: 'Enter the full name' })
  .trim()
  .min(1, 'Enter the full name')
  .max(120, 'Full name must be 120 characters or fewer');

export const email = z
  .string({ error: 'Enter an email address' })
  .trim()
  .min(1, 'Enter an email address')
  .max(254, 'Email address must be 254 characters or fewer')
  .pipe(z.email('Enter an email address in the correct format, like name@example.org'));

export const role = z.enum(ROLES as [string, ...string[]], { error: 'Select a role' });

export const inviteSchema = form({ displayName, email, role });
export const roleSchema = form({ role });
export const emptySchema = form({});

/** Passphrase and its confirmation; the strength check needs context and runs in the handler. */
export const newPassphraseSchema = form({
  passphrase: z.string({ error: 'Enter a passphrase' }).min(1, 'Enter a passphrase'),
  confirmPassphrase: z.string({ error: 'Confirm your passphrase' }).min(1, 'Confirm your passphrase'),
}).refine((value) => value.passphrase === value.confirmPassphrase, {
  path: ['confirmPassphrase'],
  message: 'The passphrases do not match',
});

export const teamSchema = form({
  name: z
    .string({ error: 'Enter a name for the team' })
    .trim()
    .min(1, 'Enter a name for the team')
    .max(100, 'Team name must be 100 characters or fewer'),
  sharesCases: z.enum(['yes', 'no'], { error: 'Select whether members may open each other’s cases' }),
});

/** "none" takes someone out of every team. */
export const staffTeamSchema = form({
  teamId: z.union([z.literal('none'), z.uuid()], { error: 'Select a team' }),
});
