import { sql } from 'kysely';
import type { Selectable, Updateable } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import type {
  ClientContactHistoryTable,
  ClientDependantsTable,
  ClientDetailsTable,
} from '../../db/schema.ts';

export type ClientDetailsRow = Selectable<ClientDetailsTable>;
export type DependantRow = Selectable<ClientDependantsTable>;
export type ContactChangeRow = Selectable<ClientContactHistoryTable>;

/** The sealed parts of a client's record that one save may change. */
export type DetailsChange = Pick<
  Updateable<ClientDetailsTable>,
  'aliases_sealed' | 'alias_indexes' | 'address_sealed' | 'equality_sealed' | 'support_needs_sealed'
>;

export async function findDetails(
  trx: DbOrTrx,
  organisationId: string,
  clientId: string,
): Promise<ClientDetailsRow | undefined> {
  return trx
    .selectFrom('client_details')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('client_id', '=', clientId)
    .executeTakeFirst();
}

/** Saves some parts of the record, creating the client's row on the first save. */
export async function saveDetails(
  trx: DbOrTrx,
  organisationId: string,
  clientId: string,
  change: DetailsChange,
  by: string,
  now: Date,
): Promise<void> {
  await trx
    .insertInto('client_details')
    .values({
      organisation_id: organisationId,
      client_id: clientId,
      ...change,
      updated_at: now,
      updated_by: by,
    })
    .onConflict((conflict) =>
      conflict
        .columns(['organisation_id', 'client_id'])
        .doUpdateSet({ ...change, updated_at: now, updated_by: by }),
    )
    .execute();
}

/** The client's children and dependants who have not been removed, in the order they were added. */
export async function currentDependants(
  trx: DbOrTrx,
  organisationId: string,
  clientId: string,
): Promise<DependantRow[]> {
  return trx
    .selectFrom('client_dependants')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('client_id', '=', clientId)
    .where('removed_at', 'is', null)
    .orderBy('added_at')
    .orderBy('dependant_id')
    .execute();
}

/** Adds a dependant; false if one with this id exists already (the same form sent twice). */
export async function insertDependant(
  trx: DbOrTrx,
  row: Omit<DependantRow, 'removed_at' | 'removed_by'>,
): Promise<boolean> {
  const inserted = await trx
    .insertInto('client_dependants')
    .values({ ...row, removed_at: null, removed_by: null })
    .onConflict((conflict) => conflict.columns(['organisation_id', 'dependant_id']).doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** Marks a current dependant of this client as removed; false if there is no such dependant. */
export async function markDependantRemoved(
  trx: DbOrTrx,
  organisationId: string,
  clientId: string,
  dependantId: string,
  by: string,
  now: Date,
): Promise<boolean> {
  const result = await trx
    .updateTable('client_dependants')
    .set({ removed_at: now, removed_by: by })
    .where('organisation_id', '=', organisationId)
    .where('client_id', '=', clientId)
    .where('dependant_id', '=', dependantId)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Clients with an other name whose blind index is this one (at most 100: search and matching show few). */
export async function clientsKnownAs(
  trx: DbOrTrx,
  organisationId: string,
  nameIndex: Buffer,
): Promise<string[]> {
  const rows = await trx
    .selectFrom('client_details')
    .select('client_id')
    .where('organisation_id', '=', organisationId)
    .where(sql<boolean>`alias_indexes @> ARRAY[${nameIndex}]::bytea[]`)
    .limit(100)
    .execute();
  return rows.map((row) => row.client_id);
}

/** Keeps the contact details a change replaced. Rows are only ever added (the database refuses the rest). */
export async function insertContactChange(trx: DbOrTrx, row: ContactChangeRow): Promise<void> {
  await trx.insertInto('client_contact_history').values(row).execute();
}

/** Every earlier version of the client's contact details, newest first, with who changed them. */
export async function contactHistory(
  trx: DbOrTrx,
  organisationId: string,
  clientId: string,
): Promise<(ContactChangeRow & { changed_by_name: string })[]> {
  return trx
    .selectFrom('client_contact_history')
    .innerJoin('users', (join) =>
      join
        .onRef('users.organisation_id', '=', 'client_contact_history.organisation_id')
        .onRef('users.user_id', '=', 'client_contact_history.changed_by'),
    )
    .selectAll('client_contact_history')
    .select('users.display_name as changed_by_name')
    .where('client_contact_history.organisation_id', '=', organisationId)
    .where('client_contact_history.client_id', '=', clientId)
    .orderBy('client_contact_history.changed_at', 'desc')
    .orderBy('client_contact_history.change_id')
    .execute();
}
