import { z } from 'zod';

export const signInSchema = z.strictObject({
  email: z
    .string({ error: 'Enter your email address' })
    .trim()
    .min(1, 'Enter your email address')
    .max(254, 'Enter your email address'),
  passphrase: z
    .string({ error: 'Enter your passphrase' })
    .min(1, 'Enter your passphrase')
    .max(1024, 'Enter your passphrase'),
});

export const codeSchema = z.strictObject({
  code: z
    .string({ error: 'Enter the 6-digit code from your authenticator app' })
    .transform((value) => value.replace(/\s+/g, ''))
    .pipe(z.string().regex(/^\d{6}$/, 'Enter the 6-digit code from your authenticator app')),
});
