import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Trx } from '../../db/database.ts';
import { appendAuditEvent } from '../../platform/audit/audit-chain.ts';
import { hashPassphrase } from '../../platform/auth/passphrase.ts';
import { seal } from '../../platform/crypto/envelope.ts';
import type { KeyRing } from '../../platform/crypto/key-ring.ts';
import { insertUser } from '../staff/users.repository.ts';

/** The neutral code in the public referral form's address: 8 lowercase letters and digits. */
export function newReferralCode(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
  return Array.from(randomBytes(8), (byte) => alphabet[byte % alphabet.length]).join('');
}

export type NewOrganisation = {
  serviceName: string;
  administrator: { displayName: string; email: string; passphrase: string };
};

/**
 * Creates an organisation, its encryption key and its first administrator, in the caller's transaction.
 * Used by first-run setup in the browser and by `vigil organisation create`.
 */
export async function createOrganisation(
  trx: Trx,
  keys: KeyRing,
  input: NewOrganisation,
  now: Date,
  options: { totpSecret?: string } = {},
): Promise<{ organisationId: string; userId: string }> {
  const organisationId = randomUUID();
  const userId = randomUUID();
  await sql`SELECT set_config('vigil.organisation_id', ${organisationId}, true)`.execute(trx);
  await trx
    .insertInto('organisations')
    .values({
      organisation_id: organisationId,
      service_name: input.serviceName,
      created_at: now,
      referral_code: newReferralCode(),
    })
    .execute();
  const organisationKey = await keys.createOrganisationKey(trx, organisationId, now);
  await insertUser(trx, {
    organisation_id: organisationId,
    user_id: userId,
    email: input.administrator.email.trim().toLowerCase(),
    display_name: input.administrator.displayName,
    role: 'administrator',
    status: 'active',
    passphrase_hash: await hashPassphrase(input.administrator.passphrase),
    created_at: now,
  });
  if (options.totpSecret) {
    await trx
      .updateTable('users')
      .set({
        totp_secret_sealed: seal(
          organisationKey,
          options.totpSecret,
          `user.totp_secret:${organisationId}:${userId}`,
        ),
        totp_enrolled_at: now,
      })
      .where('organisation_id', '=', organisationId)
      .where('user_id', '=', userId)
      .execute();
  }
  await appendAuditEvent(
    trx,
    {
      organisationId,
      actorUserId: userId,
      action: 'organisation.created',
      recordType: 'organisation',
      recordId: organisationId,
    },
    now,
  );
  await appendAuditEvent(
    trx,
    {
      organisationId,
      actorUserId: userId,
      action: 'staff.created',
      recordType: 'user',
      recordId: userId,
      details: { role: 'administrator' },
    },
    now,
  );
  await trx
    .updateTable('installation')
    .set({ setup_completed_at: now, setup_token_hash: null })
    .where('setup_completed_at', 'is', null)
    .execute();
  return { organisationId, userId };
}
