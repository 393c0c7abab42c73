import type { DbOrTrx } from '../../db/database.ts';
import { generateKey, keyId, open, seal } from './envelope.ts';

/**
 * Holds the master key (supplied from outside the database) and unwraps organisation keys on demand.
 * Per-case data keys are wrapped by the organisation key in the same way.
 */
export class KeyRing {
  private readonly masterKey: Buffer;
  readonly masterKeyId: string;
  private readonly organisationKeys = new Map<string, Buffer>();

  constructor(masterKey: Buffer) {
    this.masterKey = masterKey;
    this.masterKeyId = keyId(masterKey);
  }

  async createOrganisationKey(trx: DbOrTrx, organisationId: string, now: Date): Promise<Buffer> {
    const key = generateKey();
    await trx
      .insertInto('organisation_keys')
      .values({
        organisation_id: organisationId,
        master_key_id: this.masterKeyId,
        wrapped_key: seal(this.masterKey, key, `organisation-key:${organisationId}`),
        created_at: now,
      })
      .execute();
    this.organisationKeys.set(organisationId, key);
    return key;
  }

  async organisationKey(trx: DbOrTrx, organisationId: string): Promise<Buffer> {
    const cached = this.organisationKeys.get(organisationId);
    if (cached) return cached;
    const row = await trx
      .selectFrom('organisation_keys')
      .select(['wrapped_key', 'master_key_id'])
      .where('organisation_id', '=', organisationId)
      .executeTakeFirstOrThrow();
    if (row.master_key_id !== this.masterKeyId) {
      throw new Error(
        `Organisation key was wrapped by master key ${row.master_key_id}, not the one supplied`,
      );
    }
    const key = open(this.masterKey, row.wrapped_key, `organisation-key:${organisationId}`);
    this.organisationKeys.set(organisationId, key);
    return key;
  }

  /** A new data key for one case, returned with its wrapped form to store beside the case. */
  newDataKey(organisationKey: Buffer, scope: string): { key: Buffer; wrapped: Buffer } {
    const key = generateKey();
    return { key, wrapped: seal(organisationKey, key, `data-key:${scope}`) };
  }

  unwrapDataKey(organisationKey: Buffer, wrapped: Buffer, scope: string): Buffer {
    return open(organisationKey, wrapped, `data-key:${scope}`);
  }
}
