import { z } from 'zod';
import { displayName, email } from '../staff/staff.schema.ts';

export const setupSchema = z
  .strictObject({
    serviceName: z
      .string({ error: 'Enter the name of your service' })
      .trim()
      .min(2, 'Enter the name of your service')
      .max(120, 'The service name must be 120 characters or fewer'),
    displayName,
    email,
    passphrase: z.string({ error: 'Enter a passphrase' }).min(1, 'Enter a passphrase'),
    confirmPassphrase: z.string({ error: 'Confirm your passphrase' }).min(1, 'Confirm your passphrase'),
  })
  .refine((value) => value.passphrase === value.confirmPassphrase, {
    path: ['confirmPassphrase'],
    message: 'The passphrases do not match',
  });
