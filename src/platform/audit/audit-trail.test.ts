import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import {
  buildTestApp,
  givenOrganisation,
  type StaffCredentials,
  type TestApp,
} from '../../../test/support/app.ts';
import { inOrganisation } from '../../db/database.ts';
import { MINUTE } from '../clock.ts';
import { appendAuditEvent, chainAuditEvents, verifyAuditChains } from './audit-chain.ts';

/** A promise and the function that settles it: lets a test keep a transaction open while others run. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => undefined as void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('audit trail', () => {
  let test: TestApp;
  let admin: StaffCredentials;

  const record = (organisationId: string, recordId: string, details: Record<string, unknown> = {}) =>
    inOrganisation(test.database.db, organisationId, (trx) =>
      appendAuditEvent(
        trx,
        { organisationId, actorUserId: null, action: 'test.event', recordType: 'test', recordId, details },
        test.clock.now(),
      ),
    );

  /** Chains everything recorded, waiting for transactions of other test files in this cluster to finish. */
  async function chainAll(organisationId?: string): Promise<void> {
    const run = await chainAuditEvents(test.database.ownerDb, { organisationId, settleMs: 20_000 });
    assert.equal(run.waiting, 0, 'every recorded event is chained');
  }

  async function reportFor(
    organisationId: string,
    options?: { now?: Date; graceMs?: number; chainFirst?: boolean },
  ) {
    const [report] = await verifyAuditChains(test.database.ownerDb, organisationId, options);
    assert.ok(report);
    return report;
  }

  const chainRow = (organisationId: string, recordId: string) =>
    test.database.ownerDb
      .selectFrom('audit_chain')
      .innerJoin('audit_events', (join) =>
        join
          .onRef('audit_events.organisation_id', '=', 'audit_chain.organisation_id')
          .onRef('audit_events.event_id', '=', 'audit_chain.event_id'),
      )
      .select(['audit_chain.seq', 'audit_chain.event_id'])
      .where('audit_chain.organisation_id', '=', organisationId)
      .where('audit_events.record_id', '=', recordId)
      .executeTakeFirst();

  /** Runs statements with the powers of someone who owns the database: triggers and foreign keys off. */
  const asTamperer = (...statements: ReturnType<typeof sql>[]) =>
    test.database.ownerDb.transaction().execute(async (trx) => {
      await sql`SET LOCAL session_replication_role = replica`.execute(trx);
      for (const statement of statements) await statement.execute(trx);
    });

  before(async () => {
    test = await buildTestApp();
    admin = await givenOrganisation(test);
    await givenOrganisation(test, 'Other Service');
    for (let index = 0; index < 5; index += 1) await record(admin.organisationId, String(index), { index });
  });
  after(async () => test.close());

  it('verifies an intact chain for every organisation once its events are chained', async () => {
    await chainAll();
    const reports = await verifyAuditChains(test.database.ownerDb);
    assert.equal(reports.length, 2);
    for (const report of reports) {
      assert.equal(report.firstBroken, null);
      assert.equal(report.unchained, null);
    }
    const ours = reports.find((r) => r.organisationId === admin.organisationId)!;
    assert.equal(ours.events, 7);
    assert.equal(ours.head?.seq, 7);
  });

  it('records an event without waiting for another transaction of the organisation to commit', async () => {
    const held = gate();
    const recorded = gate();
    const slow = inOrganisation(test.database.db, admin.organisationId, async (trx) => {
      await appendAuditEvent(
        trx,
        { organisationId: admin.organisationId, actorUserId: null, action: 'test.slow' },
        test.clock.now(),
      );
      // An event travels with the transaction's next statement: send one, so the event is written now.
      await sql`SELECT 1`.execute(trx);
      recorded.open();
      await held.opened;
    });
    await recorded.opened;
    // Under a per-organisation lock held to commit, this would wait for the slow transaction (and time out).
    const quick = record(admin.organisationId, 'quick');
    const outcome = await Promise.race([
      quick.then(() => 'recorded'),
      new Promise((resolve) => setTimeout(() => resolve('blocked'), 5000)),
    ]);
    held.open();
    await slow;
    await quick;
    assert.equal(outcome, 'recorded');
    await chainAll(admin.organisationId);
    assert.equal((await reportFor(admin.organisationId)).firstBroken, null);
  });

  it('chains concurrent appends from many transactions into one linear chain without gaps', async () => {
    const before = (await reportFor(admin.organisationId)).events;
    const appends = Array.from({ length: 60 }, (_, index) =>
      record(admin.organisationId, `concurrent-${index}`, { index }),
    );
    // Chainers run while the events are being recorded, and two at once: each link is made exactly once.
    const chainers = Array.from({ length: 6 }, async (_, index) => {
      await new Promise((resolve) => setTimeout(resolve, index * 15));
      await chainAuditEvents(test.database.ownerDb);
    });
    await Promise.all([...appends, ...chainers, chainAuditEvents(test.database.ownerDb)]);
    await chainAll();

    const report = await reportFor(admin.organisationId);
    assert.equal(report.firstBroken, null);
    assert.equal(report.unchained, null);
    assert.equal(report.events, before + 60);
    const links = await test.database.ownerDb
      .selectFrom('audit_chain')
      .select(['seq', 'event_id'])
      .where('organisation_id', '=', admin.organisationId)
      .orderBy('seq')
      .execute();
    assert.deepEqual(
      links.map((link) => Number(link.seq)),
      links.map((_, index) => index + 1),
    );
    assert.equal(new Set(links.map((link) => link.event_id)).size, links.length, 'no event chained twice');
  });

  it('chains a long run of events from one transaction, whose ids are time-ordered', async () => {
    const before = (await reportFor(admin.organisationId)).events;
    const startedAt = Date.now();
    await inOrganisation(test.database.db, admin.organisationId, async (trx) => {
      for (let index = 0; index < 2_100; index += 1) {
        await appendAuditEvent(
          trx,
          {
            organisationId: admin.organisationId,
            actorUserId: null,
            action: 'test.bulk',
            recordId: `bulk-${index}`,
          },
          test.clock.now(),
        );
      }
    });
    await chainAll();

    const report = await reportFor(admin.organisationId);
    assert.equal(report.firstBroken, null);
    assert.equal(report.events, before + 2_100);
    const ids = (
      await test.database.ownerDb
        .selectFrom('audit_events')
        .select('event_id')
        .where('organisation_id', '=', admin.organisationId)
        .where('action', '=', 'test.bulk')
        .orderBy('seq')
        .execute()
    ).map((row) => row.event_id);
    // Version 7: the first 48 bits are the time the event was recorded, in milliseconds.
    const times = ids.map((id) => parseInt(id.replaceAll('-', '').slice(0, 12), 16));
    assert.ok(ids.every((id) => id[14] === '7'));
    assert.ok(times[0]! >= startedAt - 1 && times.at(-1)! <= Date.now());
    assert.deepEqual(
      times,
      times.toSorted((a, b) => a - b),
    );
  });
  it('chains the event of a transaction that commits after a later-started one has committed', async () => {
    const held = gate();
    const recorded = gate();
    // The earlier transaction records its event first and commits last.
    const earlier = inOrganisation(test.database.db, admin.organisationId, async (trx) => {
      await appendAuditEvent(
        trx,
        {
          organisationId: admin.organisationId,
          actorUserId: null,
          action: 'test.event',
          recordId: 'commits-last',
        },
        test.clock.now(),
      );
      // An event travels with the transaction's next statement: send one, so the event is written now.
      await sql`SELECT 1`.execute(trx);
      recorded.open();
      await held.opened;
    });
    try {
      await recorded.opened;
      await record(admin.organisationId, 'commits-first');
      await chainAuditEvents(test.database.ownerDb, { organisationId: admin.organisationId });
      assert.equal(
        await chainRow(admin.organisationId, 'commits-first'),
        undefined,
        'not chained while an older transaction could still commit an event before it',
      );
    } finally {
      held.open();
      await earlier;
    }
    await chainAll(admin.organisationId);
    const last = await chainRow(admin.organisationId, 'commits-last');
    const first = await chainRow(admin.organisationId, 'commits-first');
    assert.ok(last && first, 'both events are in the chain');
    assert.ok(Number(last.seq) < Number(first.seq), 'in the order their transactions began');
    const report = await reportFor(admin.organisationId);
    assert.equal(report.firstBroken, null);
    assert.equal(report.unchained, null);
  });

  it('leaves nothing of a transaction that rolls back', async () => {
    const before = (await reportFor(admin.organisationId)).events;
    await assert.rejects(
      inOrganisation(test.database.db, admin.organisationId, async (trx) => {
        await appendAuditEvent(
          trx,
          {
            organisationId: admin.organisationId,
            actorUserId: null,
            action: 'test.event',
            recordId: 'undone',
          },
          test.clock.now(),
        );
        throw new Error('the action failed');
      }),
      /the action failed/,
    );
    await chainAll(admin.organisationId);
    const events = await test.database.ownerDb
      .selectFrom('audit_events')
      .select('event_id')
      .where('record_id', '=', 'undone')
      .execute();
    assert.deepEqual(events, []);
    const report = await reportFor(admin.organisationId);
    assert.equal(report.events, before);
    assert.equal(report.firstBroken, null);
  });

  it('refuses UPDATE, DELETE and TRUNCATE of events and links, from the application and even from the owner', async () => {
    const inOurs = (statement: ReturnType<typeof sql>) =>
      inOrganisation(test.database.db, admin.organisationId, (trx) => statement.execute(trx));
    await assert.rejects(inOurs(sql`UPDATE audit_events SET action = 'x'`), /permission denied/);
    await assert.rejects(inOurs(sql`DELETE FROM audit_events`), /permission denied/);
    await assert.rejects(inOurs(sql`UPDATE audit_chain SET hash = hash`), /permission denied/);
    await assert.rejects(inOurs(sql`DELETE FROM audit_chain`), /permission denied/);
    for (const table of ['audit_events', 'audit_chain']) {
      await assert.rejects(
        sql`UPDATE ${sql.table(table)} SET organisation_id = organisation_id`.execute(test.database.ownerDb),
        new RegExp(`${table} is append-only`),
      );
      await assert.rejects(
        sql`DELETE FROM ${sql.table(table)}`.execute(test.database.ownerDb),
        new RegExp(`${table} is append-only`),
      );
      await assert.rejects(
        sql`TRUNCATE ${sql.table(table)} CASCADE`.execute(test.database.ownerDb),
        /append-only/,
      );
    }
  });

  it('lets the application neither write a link nor choose where its event goes in the chain', async () => {
    const [link] = await test.database.ownerDb
      .selectFrom('audit_chain')
      .selectAll()
      .where('organisation_id', '=', admin.organisationId)
      .limit(1)
      .execute();
    await assert.rejects(
      inOrganisation(test.database.db, admin.organisationId, (trx) =>
        trx
          .insertInto('audit_chain')
          .values({ ...link!, seq: 1_000_000 })
          .execute(),
      ),
      /permission denied/,
    );
    await assert.rejects(
      inOrganisation(test.database.db, admin.organisationId, (trx) =>
        sql`INSERT INTO audit_events (organisation_id, event_id, occurred_at, action, recorded_xid)
            VALUES (${admin.organisationId}, gen_random_uuid(), now(), 'test.event', '1'::xid8)`.execute(trx),
      ),
      /permission denied/,
    );
  });

  it('reports events left out of the chain past the grace period', async () => {
    const other = await givenOrganisation(test, 'Waiting Service');
    await chainAll(other.organisationId);
    // A transaction of the same database that has written something and not ended holds the chain back.
    const held = gate();
    const started = gate();
    const open = test.database.ownerDb.transaction().execute(async (trx) => {
      await sql`SELECT pg_current_xact_id()`.execute(trx);
      started.open();
      await held.opened;
    });
    try {
      await started.opened;
      await record(other.organisationId, 'held-back');
      const run = await chainAuditEvents(test.database.ownerDb, { organisationId: other.organisationId });
      assert.equal(run.waiting, 1);
      const later = new Date(test.clock.now().getTime() + 10 * MINUTE);

      const report = await reportFor(other.organisationId, { now: later, chainFirst: false });
      assert.equal(report.firstBroken, null, 'what is chained is intact');
      const event = await test.database.ownerDb
        .selectFrom('audit_events')
        .select('event_id')
        .where('record_id', '=', 'held-back')
        .executeTakeFirstOrThrow();
      assert.equal(report.unchained?.count, 1);
      assert.equal(report.unchained?.oldestEventId, event.event_id);
      assert.equal(
        (await reportFor(other.organisationId, { chainFirst: false })).unchained,
        null,
        'within the grace period it is not a problem',
      );
    } finally {
      held.open();
      await open;
    }
    await chainAll(other.organisationId);
    const report = await reportFor(other.organisationId, {
      now: new Date(test.clock.now().getTime() + 10 * MINUTE),
    });
    assert.equal(report.unchained, null);
    assert.equal(report.firstBroken, null);
  });

  describe('tampering', () => {
    let victim: StaffCredentials;
    const recordIds = ['t1', 't2', 't3', 't4', 't5'];

    async function freshChain(): Promise<string> {
      victim = await givenOrganisation(test, `Tampered Service ${Math.random().toString(36).slice(2, 8)}`);
      for (const recordId of recordIds) await record(victim.organisationId, recordId);
      await chainAll(victim.organisationId);
      const report = await reportFor(victim.organisationId);
      assert.equal(report.firstBroken, null);
      return victim.organisationId;
    }

    it('names the link whose event was altered', async () => {
      const organisationId = await freshChain();
      const target = (await chainRow(organisationId, 't4'))!;
      await asTamperer(
        sql`UPDATE audit_events SET record_id = 'someone-else' WHERE organisation_id = ${organisationId} AND event_id = ${target.event_id}`,
      );
      const report = await reportFor(organisationId);
      assert.equal(report.firstBroken?.seq, Number(target.seq));
      assert.equal(report.firstBroken?.eventId, target.event_id);
      assert.match(report.firstBroken?.problem ?? '', /altered/);
      assert.equal(report.events, Number(target.seq) - 1, 'the events before the tampered one still verify');
    });

    it('names a link whose hash was rewritten', async () => {
      const organisationId = await freshChain();
      const target = (await chainRow(organisationId, 't3'))!;
      await asTamperer(
        sql`UPDATE audit_chain SET hash = repeat('a', 64) WHERE organisation_id = ${organisationId} AND seq = ${target.seq}`,
      );
      const report = await reportFor(organisationId);
      assert.equal(report.firstBroken?.seq, Number(target.seq));
      assert.match(report.firstBroken?.problem ?? '', /altered/);
    });

    it('names a link pointed at another event', async () => {
      const organisationId = await freshChain();
      const target = (await chainRow(organisationId, 't2'))!;
      const other = (await chainRow(organisationId, 't5'))!;
      const link = (seq: number, eventId: string) =>
        sql`UPDATE audit_chain SET event_id = ${eventId} WHERE organisation_id = ${organisationId} AND seq = ${seq}`;
      await asTamperer(
        link(target.seq, crypto.randomUUID()),
        link(other.seq, target.event_id),
        link(target.seq, other.event_id),
      );
      const report = await reportFor(organisationId);
      assert.equal(report.firstBroken?.seq, Number(target.seq));
      assert.match(report.firstBroken?.problem ?? '', /altered/);
    });

    it('names the gap when a link is deleted, and does not chain its event again', async () => {
      const organisationId = await freshChain();
      const target = (await chainRow(organisationId, 't3'))!;
      await asTamperer(
        sql`DELETE FROM audit_chain WHERE organisation_id = ${organisationId} AND seq = ${target.seq}`,
      );
      await chainAll(organisationId);
      const report = await reportFor(organisationId);
      const seq = Number(target.seq);
      assert.equal(report.firstBroken?.seq, seq + 1);
      assert.match(report.firstBroken?.problem ?? '', new RegExp(`events ${seq} to ${seq} are missing`));
    });

    it('names the link whose event was deleted', async () => {
      const organisationId = await freshChain();
      const target = (await chainRow(organisationId, 't2'))!;
      await asTamperer(
        sql`DELETE FROM audit_events WHERE organisation_id = ${organisationId} AND event_id = ${target.event_id}`,
      );
      const report = await reportFor(organisationId);
      assert.equal(report.firstBroken?.seq, Number(target.seq));
      assert.match(report.firstBroken?.problem ?? '', /event it links is missing/);
    });

    it('names a link moved to another place in the chain', async () => {
      const organisationId = await freshChain();
      const a = (await chainRow(organisationId, 't2'))!;
      const b = (await chainRow(organisationId, 't3'))!;
      // Swap the two events' places: each link still names a real event, but not the one it was made for.
      const move = (from: number, to: number) =>
        sql`UPDATE audit_chain SET seq = ${to} WHERE organisation_id = ${organisationId} AND seq = ${from}`;
      await asTamperer(move(a.seq, 1_000_000), move(b.seq, a.seq), move(1_000_000, b.seq));
      const report = await reportFor(organisationId);
      assert.equal(report.firstBroken?.seq, Number(a.seq));
    });
  });
});
