import type { Insertable, Selectable, Updateable } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import type { ClientsTable } from '../../db/schema.ts';
import { blindIndex, blindIndexKey } from '../../platform/crypto/blind-index.ts';
import { openText, seal } from '../../platform/crypto/envelope.ts';

export type ClientRow = Selectable<ClientsTable>;

/** A client's identity and safe-contact preferences, decrypted, as staff work with them. */
export type Client = {
  clientId: string;
  name: string;
  dateOfBirth: string | null;
  /** The age given instead of a date of birth: at referral, or on `ageRecordedOn` when a caseworker gave it. */
  ageAtReferral: number | null;
  ageRecordedOn: string | null;
  gender: string | null;
  genderDescription: string | null;
  phone: string | null;
  phoneSafe: boolean | null;
  email: string | null;
  emailSafe: boolean | null;
  safeTimes: string | null;
  voicemailAllowed: boolean | null;
  maySayWhoWeAre: boolean | null;
  codeWord: string | null;
  language: string | null;
  interpreterNeeded: boolean | null;
  accessibilityNeeds: string | null;
};

type SealedField = 'phone' | 'email' | 'safeTimes' | 'codeWord' | 'accessibilityNeeds';
const SEALED: Record<
  SealedField,
  'phone_sealed' | 'email_sealed' | 'safe_times_sealed' | 'code_word_sealed' | 'accessibility_needs_sealed'
> = {
  phone: 'phone_sealed',
  email: 'email_sealed',
  safeTimes: 'safe_times_sealed',
  codeWord: 'code_word_sealed',
  accessibilityNeeds: 'accessibility_needs_sealed',
};

const aad = (clientId: string, field: string) => `client:${clientId}:${field}`;

/** One of the client row's sealed fields, sealed as clientToRow would (for updating that field alone). */
export function sealClientField(dataKey: Buffer, clientId: string, field: SealedField, value: string | null) {
  return value ? seal(dataKey, value, aad(clientId, field)) : null;
}

/** How to reach the client and what is safe: the part of the client's row the safe-contact form changes. */
export type SafeContact = Pick<
  Client,
  | 'phone'
  | 'phoneSafe'
  | 'email'
  | 'emailSafe'
  | 'safeTimes'
  | 'voicemailAllowed'
  | 'maySayWhoWeAre'
  | 'codeWord'
>;

/** A new client, from a referral: any age given is the age at referral. */
export function clientToRow(
  client: Omit<Client, 'ageRecordedOn'>,
  organisationId: string,
  dataKey: Buffer,
  dataKeyWrapped: Buffer,
  organisationKey: Buffer,
  now: Date,
): Insertable<ClientsTable> {
  const sealed = (field: SealedField) => {
    const value = client[field];
    return value ? seal(dataKey, value, aad(client.clientId, field)) : null;
  };
  const indexKey = blindIndexKey(organisationKey);
  return {
    organisation_id: organisationId,
    client_id: client.clientId,
    data_key_wrapped: dataKeyWrapped,
    name: client.name,
    date_of_birth: client.dateOfBirth,
    age_at_referral: client.ageAtReferral,
    gender: client.gender,
    gender_description: client.genderDescription,
    phone_sealed: sealed('phone'),
    phone_index: client.phone ? blindIndex(indexKey, 'phone', client.phone) : null,
    phone_safe: client.phoneSafe,
    email_sealed: sealed('email'),
    email_index: client.email ? blindIndex(indexKey, 'email', client.email) : null,
    email_safe: client.emailSafe,
    safe_times_sealed: sealed('safeTimes'),
    voicemail_allowed: client.voicemailAllowed,
    may_say_who_we_are: client.maySayWhoWeAre,
    code_word_sealed: sealed('codeWord'),
    language: client.language,
    interpreter_needed: client.interpreterNeeded,
    accessibility_needs_sealed: sealed('accessibilityNeeds'),
    created_at: now,
  };
}

export function rowToClient(row: ClientRow, dataKey: Buffer): Client {
  const opened = (field: SealedField) => {
    const value = row[SEALED[field]];
    return value ? openText(dataKey, value, aad(row.client_id, field)) : null;
  };
  return {
    clientId: row.client_id,
    name: row.name,
    dateOfBirth: row.date_of_birth,
    ageAtReferral: row.age_at_referral,
    ageRecordedOn: row.age_recorded_on,
    gender: row.gender,
    genderDescription: row.gender_description,
    phone: opened('phone'),
    phoneSafe: row.phone_safe,
    email: opened('email'),
    emailSafe: row.email_safe,
    safeTimes: opened('safeTimes'),
    voicemailAllowed: row.voicemail_allowed,
    maySayWhoWeAre: row.may_say_who_we_are,
    codeWord: opened('codeWord'),
    language: row.language,
    interpreterNeeded: row.interpreter_needed,
    accessibilityNeeds: opened('accessibilityNeeds'),
  };
}

export async function findClient(
  trx: DbOrTrx,
  organisationId: string,
  clientId: string,
): Promise<ClientRow | undefined> {
  return trx
    .selectFrom('clients')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('client_id', '=', clientId)
    .executeTakeFirst();
}

/**
 * The columns for new contact details: sealed fields sealed afresh under the client's key, and the phone and
 * email blind indexes recomputed, so that search and the duplicate check match the new details and not the old.
 */
export function safeContactColumns(
  contact: SafeContact,
  clientId: string,
  dataKey: Buffer,
  organisationKey: Buffer,
): Updateable<ClientsTable> {
  const indexKey = blindIndexKey(organisationKey);
  return {
    phone_sealed: sealClientField(dataKey, clientId, 'phone', contact.phone),
    phone_index: contact.phone ? blindIndex(indexKey, 'phone', contact.phone) : null,
    phone_safe: contact.phoneSafe,
    email_sealed: sealClientField(dataKey, clientId, 'email', contact.email),
    email_index: contact.email ? blindIndex(indexKey, 'email', contact.email) : null,
    email_safe: contact.emailSafe,
    safe_times_sealed: sealClientField(dataKey, clientId, 'safeTimes', contact.safeTimes),
    voicemail_allowed: contact.voicemailAllowed,
    may_say_who_we_are: contact.maySayWhoWeAre,
    code_word_sealed: sealClientField(dataKey, clientId, 'codeWord', contact.codeWord),
  };
}

/** The client's row, locked until the transaction ends, so that two changes at once are made one after the other. */
export async function lockClient(
  trx: DbOrTrx,
  organisationId: string,
  clientId: string,
): Promise<ClientRow | undefined> {
  return trx
    .selectFrom('clients')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('client_id', '=', clientId)
    .forUpdate()
    .executeTakeFirst();
}

export async function updateClient(
  trx: DbOrTrx,
  organisationId: string,
  clientId: string,
  columns: Updateable<ClientsTable>,
): Promise<void> {
  await trx
    .updateTable('clients')
    .set(columns)
    .where('organisation_id', '=', organisationId)
    .where('client_id', '=', clientId)
    .execute();
}
