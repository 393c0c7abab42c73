import type { Db } from './db/database.ts';
import { AuditService } from './modules/audit/audit.service.ts';
import { SetupService } from './modules/setup/setup.service.ts';
import { SignInService } from './modules/sign-in/sign-in.service.ts';
import { StaffService } from './modules/staff/staff.service.ts';
import { SessionService } from './platform/auth/sessions.ts';
import { SignInThrottle } from './platform/auth/throttle.ts';
import type { Clock } from './platform/clock.ts';
import { KeyRing } from './platform/crypto/key-ring.ts';

/** The composition root: every service built from the database, the clock and the master key. No container. */
export function createServices(deps: { db: Db; clock: Clock; masterKey: Buffer; publicUrl: string }) {
  const { db, clock } = deps;
  const keys = new KeyRing(deps.masterKey);
  const sessions = new SessionService(db, clock);
  const throttle = new SignInThrottle(db, clock, deps.masterKey);
  return {
    keys,
    sessions,
    throttle,
    audit: new AuditService(db, clock),
    setup: new SetupService({ db, clock, keys, sessions }),
    signIn: new SignInService({ db, clock, sessions, throttle, keys }),
    staff: new StaffService({ db, clock, sessions, publicUrl: deps.publicUrl }),
  };
}

export type Services = ReturnType<typeof createServices>;
