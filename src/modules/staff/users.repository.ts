import { sql, type Selectable } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import type { UsersTable } from '../../db/schema.ts';

export type UserRow = Selectable<UsersTable>;

export async function findUser(
  trx: DbOrTrx,
  organisationId: string,
  userId: string,
): Promise<UserRow | undefined> {
  return trx
    .selectFrom('users')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function findUserByEmail(
  trx: DbOrTrx,
  organisationId: string,
  email: string,
): Promise<UserRow | undefined> {
  return trx
    .selectFrom('users')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('email', '=', email.trim().toLowerCase())
    .executeTakeFirst();
}

/** Accounts with this email in any organisation (identifiers only), through the one cross-organisation function. */
export async function signInCandidates(
  trx: DbOrTrx,
  email: string,
): Promise<{ organisation_id: string; user_id: string }[]> {
  const result = await sql<{ organisation_id: string; user_id: string }>`
    SELECT organisation_id, user_id FROM vigil_sign_in_candidates(${email})
  `.execute(trx);
  return result.rows;
}

export async function insertUser(
  trx: DbOrTrx,
  user: Pick<
    UserRow,
    | 'organisation_id'
    | 'user_id'
    | 'email'
    | 'display_name'
    | 'role'
    | 'status'
    | 'passphrase_hash'
    | 'created_at'
  >,
): Promise<void> {
  await trx.insertInto('users').values(user).execute();
}

export async function updateUser(
  trx: DbOrTrx,
  organisationId: string,
  userId: string,
  changes: Partial<Omit<UserRow, 'organisation_id' | 'user_id' | 'created_at'>>,
): Promise<void> {
  await trx
    .updateTable('users')
    .set(changes)
    .where('organisation_id', '=', organisationId)
    .where('user_id', '=', userId)
    .execute();
}

export type StaffListRow = Pick<UserRow, 'user_id' | 'display_name' | 'email' | 'role' | 'status'> & {
  last_signed_in_at: Date | null;
};

export async function listStaff(trx: DbOrTrx, organisationId: string): Promise<StaffListRow[]> {
  return trx
    .selectFrom('users')
    .select(['user_id', 'display_name', 'email', 'role', 'status'])
    .select((eb) =>
      eb
        .selectFrom('sessions')
        .select((inner) => inner.fn.max('sessions.created_at').as('latest'))
        .whereRef('sessions.organisation_id', '=', 'users.organisation_id')
        .whereRef('sessions.user_id', '=', 'users.user_id')
        .where('sessions.stage', '=', 'active')
        .as('last_signed_in_at'),
    )
    .where('organisation_id', '=', organisationId)
    .orderBy('status', 'asc')
    .orderBy('display_name')
    .execute();
}
