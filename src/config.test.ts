import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

const key = Buffer.alloc(32, 1).toString('base64');

describe('loadConfig', () => {
  it('starts a newcomer with sensible defaults and the embedded database', () => {
    const config = loadConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.publicUrl, 'http://localhost:3000');
    assert.equal(config.databaseUrl, undefined);
    assert.match(config.dataDir, /\/data$/);
  });

  it('refuses production without a master key, a database or an https address, naming each', () => {
    assert.throws(
      () => loadConfig({ NODE_ENV: 'production' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.some((p) => p.startsWith('VIGIL_MASTER_KEY')) &&
        error.problems.some((p) => p.startsWith('DATABASE_URL')) &&
        error.problems.some((p) => p.startsWith('VIGIL_PUBLIC_URL')),
    );
  });

  it('accepts a complete production configuration', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      VIGIL_MASTER_KEY: key,
      DATABASE_URL: 'postgres://vigil@db.internal/vigil?sslmode=verify-full',
      VIGIL_PUBLIC_URL: 'https://vigil.example.org/',
    });
    assert.equal(config.masterKey?.length, 32);
    assert.equal(config.publicUrl, 'https://vigil.example.org');
  });

  it('explains a malformed master key, port or database address', () => {
    assert.throws(() => loadConfig({ VIGIL_MASTER_KEY: 'too-short' }), /VIGIL_MASTER_KEY must be 32 bytes/);
    assert.throws(() => loadConfig({ PORT: 'eighty' }), /PORT/);
    assert.throws(
      () => loadConfig({ DATABASE_URL: 'mysql://x' }),
      /DATABASE_URL must start with postgres:\/\//,
    );
  });

  it('takes the local MARAC escalation rule from the environment, 3 incidents in 12 months by default', () => {
    assert.deepEqual(loadConfig({}).marac, { escalationIncidents: 3, escalationMonths: 12 });
    assert.deepEqual(
      loadConfig({ VIGIL_MARAC_ESCALATION_INCIDENTS: '4', VIGIL_MARAC_ESCALATION_MONTHS: '6' }).marac,
      { escalationIncidents: 4, escalationMonths: 6 },
    );
    assert.throws(
      () => loadConfig({ VIGIL_MARAC_ESCALATION_INCIDENTS: '0' }),
      /VIGIL_MARAC_ESCALATION_INCIDENTS/,
    );
  });

  it('takes the days before a court hearing that its reminder falls due from the environment, 7 by default', () => {
    assert.deepEqual(loadConfig({}).court, { reminderDaysBefore: 7 });
    assert.deepEqual(loadConfig({ VIGIL_HEARING_REMINDER_DAYS: '14' }).court, { reminderDaysBefore: 14 });
    assert.throws(() => loadConfig({ VIGIL_HEARING_REMINDER_DAYS: '-1' }), /VIGIL_HEARING_REMINDER_DAYS/);
  });

  it('takes the weeks between risk reassessments from the environment, 8 by default', () => {
    assert.deepEqual(loadConfig({}).risk, { reviewWeeks: 8 });
    assert.deepEqual(loadConfig({ VIGIL_RISK_REVIEW_WEEKS: '6' }).risk, { reviewWeeks: 6 });
    assert.throws(() => loadConfig({ VIGIL_RISK_REVIEW_WEEKS: '0' }), /VIGIL_RISK_REVIEW_WEEKS/);
  });
});
