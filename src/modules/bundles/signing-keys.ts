import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { sql } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import { open, seal } from '../../platform/crypto/envelope.ts';
import type { KeyRing } from '../../platform/crypto/key-ring.ts';

/**
 * Each organisation's Ed25519 key for signing bundle manifests. The private half is sealed with the
 * organisation key (through the KeyRing) and opened only to sign; the public half is published at a public
 * address, so a court, the police or the defence can check a bundle without an account.
 */

export type SigningKey = { keyId: string; privateKey: KeyObject; publicKey: KeyObject };

export type PublishedKey = {
  keyId: string;
  publicKey: KeyObject;
  organisationName: string;
  createdAt: Date;
  retiredAt: Date | null;
};

/** A key's id: the first 16 hex digits of the SHA-256 of its public half (SubjectPublicKeyInfo, DER). */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

/** The public half as PEM text, as published and as OpenSSL reads it. */
export function publicKeyPem(publicKey: KeyObject): string {
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

const privateAad = (organisationId: string, keyId: string) => `bundle-signing-key:${organisationId}:${keyId}`;

/**
 * The organisation's signing key, made on first use. Two first uses at once make one key (the second insert
 * finds the first's).
 */
export async function activeSigningKey(
  trx: DbOrTrx,
  keys: KeyRing,
  organisationId: string,
  now: Date,
): Promise<SigningKey> {
  const organisationKey = await keys.organisationKey(trx, organisationId);
  const find = () =>
    trx
      .selectFrom('bundle_signing_keys')
      .select(['key_id', 'public_key', 'private_key_sealed'])
      .where('organisation_id', '=', organisationId)
      .where('retired_at', 'is', null)
      .executeTakeFirst();
  let row = await find();
  if (!row) {
    const pair = generateKeyPairSync('ed25519');
    const keyId = keyIdOf(pair.publicKey);
    await trx
      .insertInto('bundle_signing_keys')
      .values({
        organisation_id: organisationId,
        key_id: keyId,
        public_key: pair.publicKey.export({ type: 'spki', format: 'der' }),
        private_key_sealed: seal(
          organisationKey,
          pair.privateKey.export({ type: 'pkcs8', format: 'der' }),
          privateAad(organisationId, keyId),
        ),
        created_at: now,
        retired_at: null,
      })
      .onConflict((conflict) => conflict.doNothing())
      .execute();
    row = await find();
    if (!row) throw new Error('The signing key could not be made');
  }
  return {
    keyId: row.key_id,
    publicKey: createPublicKey({ key: row.public_key, format: 'der', type: 'spki' }),
    privateKey: createPrivateKey({
      key: open(organisationKey, row.private_key_sealed, privateAad(organisationId, row.key_id)),
      format: 'der',
      type: 'pkcs8',
    }),
  };
}

/** The organisation's current public key, if it has made one, for showing in the app. */
export async function currentPublicKey(
  trx: DbOrTrx,
  organisationId: string,
): Promise<{ keyId: string; pem: string } | null> {
  const row = await trx
    .selectFrom('bundle_signing_keys')
    .select(['key_id', 'public_key'])
    .where('organisation_id', '=', organisationId)
    .where('retired_at', 'is', null)
    .executeTakeFirst();
  return row
    ? {
        keyId: row.key_id,
        pem: publicKeyPem(createPublicKey({ key: row.public_key, format: 'der', type: 'spki' })),
      }
    : null;
}

/** A published key by its id, from any organisation (the public half only): for checking signatures. */
export async function publishedKey(db: DbOrTrx, keyId: string): Promise<PublishedKey | null> {
  if (!/^[0-9a-f]{16}$/.test(keyId)) return null;
  const { rows } = await sql<{
    public_key: Buffer;
    organisation_name: string;
    created_at: Date;
    retired_at: Date | null;
  }>`SELECT * FROM vigil_bundle_public_key(${keyId})`.execute(db);
  const row = rows[0];
  if (!row) return null;
  const publicKey = createPublicKey({ key: row.public_key, format: 'der', type: 'spki' });
  // The id is recomputed, so a row whose key does not match its id is never trusted.
  if (keyIdOf(publicKey) !== keyId) return null;
  return {
    keyId,
    publicKey,
    organisationName: row.organisation_name,
    createdAt: row.created_at,
    retiredAt: row.retired_at,
  };
}
