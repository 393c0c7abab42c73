import type { Db } from './db/database.ts';
import { AuditService } from './modules/audit/audit.service.ts';
import { ReferralService } from './modules/referrals/referrals.service.ts';
import { SetupService } from './modules/setup/setup.service.ts';
import { SignInService } from './modules/sign-in/sign-in.service.ts';
import { StaffService } from './modules/staff/staff.service.ts';
import { SessionService } from './platform/auth/sessions.ts';
import { SignInThrottle } from './platform/auth/throttle.ts';
import type { Clock } from './platform/clock.ts';
import { KeyRing } from './platform/crypto/key-ring.ts';
import type { Mailer } from './platform/mail/mailer.ts';
import { RateLimiter } from './platform/rate-limit.ts';
import { HOUR } from './platform/clock.ts';
import { NotificationService } from './modules/notifications/notifications.service.ts';
import { SettingsService } from './modules/settings/settings.service.ts';
import { CaseService } from './modules/cases/cases.service.ts';
import { TeamService } from './modules/staff/teams.service.ts';
import { BreakGlassService } from './modules/cases/break-glass.service.ts';
import { CaseworkService } from './modules/cases/casework.service.ts';
import { SearchService } from './modules/search/search.service.ts';
import { TriageService } from './modules/referrals/triage.service.ts';
import { PerpetratorService } from './modules/perpetrators/perpetrators.service.ts';
import { ClientService } from './modules/clients/clients.service.ts';
import { DiaryService } from './modules/diary/diary.service.ts';
import { DiaryImportService } from './modules/diary/import.service.ts';
import path from 'node:path';
import { DEFAULT_EVIDENCE_LIMITS, type EvidenceLimits } from './config.ts';
import { EvidenceService } from './modules/evidence/evidence.service.ts';
import { LocalFolderStorage } from './platform/storage/local-folder.ts';
import { checkEscalation, PatternsService } from './modules/diary/patterns.service.ts';
import type { AfterDiaryChange } from './modules/diary/diary-entry.ts';
import { MaracService } from './modules/marac/marac.service.ts';
import type { MaracSettings } from './modules/marac/criteria.ts';
import type { RiskSettings } from './modules/risk/reassessment.ts';
import { RiskService } from './modules/risk/risk.service.ts';
import { OrdersService } from './modules/orders/orders.service.ts';
import { SafetyPlanService } from './modules/safety-plans/safety-plans.service.ts';
import { BundleService, BundleWorker } from './modules/bundles/bundles.service.ts';
import { LiaisonService } from './modules/liaison/liaison.service.ts';
import { SpoRequestService } from './modules/liaison/spo-request.service.ts';
import type { CourtSettings } from './modules/liaison/reminders.ts';

/** The composition root: every service built from the database, the clock and the master key. No container. */
export function createServices(deps: {
  db: Db;
  clock: Clock;
  masterKey: Buffer;
  publicUrl: string;
  mailer?: Mailer | null;
  /** The data folder; evidence files go in its `evidence` folder. */
  dataDir?: string;
  evidenceLimits?: EvidenceLimits;
  /** The local MARAC's escalation rule (3 incidents in 12 months when not given). */
  marac?: MaracSettings;
  /** When reassessments fall due (8 weeks after an assessment when not given). */
  risk?: RiskSettings;
  /** When a court hearing's reminder falls due (7 days before when not given). */
  court?: CourtSettings;
}) {
  const { db, clock } = deps;
  const keys = new KeyRing(deps.masterKey);
  const sessions = new SessionService(db, clock);
  const throttle = new SignInThrottle(db, clock, deps.masterKey);
  const teams = new TeamService({ db, clock });
  const casework = new CaseworkService({ db, clock, keys });
  const cases = new CaseService({ db, clock, keys, teams, casework });
  // Every change to a diary is checked against the escalation rules in the same transaction.
  const checkDiaryEscalation: AfterDiaryChange = async (trx, kase, session) => {
    await checkEscalation(trx, kase, session, clock.now());
  };
  const evidenceStorage = new LocalFolderStorage(path.join(deps.dataDir ?? path.resolve('data'), 'evidence'));
  const bundles = new BundleService({
    db,
    clock,
    keys,
    evidenceStorage,
    bundleStorage: new LocalFolderStorage(path.join(deps.dataDir ?? path.resolve('data'), 'bundles')),
    publicUrl: deps.publicUrl,
  });
  return {
    publicUrl: deps.publicUrl,
    /** The clock every service uses; handlers ask it for "now" and "today" too, so tests can move it. */
    clock,
    keys,
    sessions,
    throttle,
    audit: new AuditService(db, clock),
    setup: new SetupService({ db, clock, keys, sessions }),
    signIn: new SignInService({ db, clock, sessions, throttle, keys }),
    staff: new StaffService({ db, clock, sessions, publicUrl: deps.publicUrl }),
    referrals: new ReferralService({ db, clock, keys }),
    settings: new SettingsService({ db, clock }),
    cases,
    casework,
    breakGlass: new BreakGlassService({ db, clock, keys }),
    teams,
    clients: new ClientService({ db, clock, keys }),
    search: new SearchService({ db, clock, keys }),
    triage: new TriageService({ db, clock, keys, cases }),
    perpetrators: new PerpetratorService({ db, clock, keys }),
    diaryImports: new DiaryImportService({ db, clock, keys, afterChange: checkDiaryEscalation }),
    notifications: new NotificationService({
      db,
      clock,
      mailer: deps.mailer ?? null,
      publicUrl: deps.publicUrl,
    }),
    diary: new DiaryService({ db, clock, keys, afterChange: checkDiaryEscalation }),
    evidence: new EvidenceService({
      db,
      clock,
      keys,
      storage: evidenceStorage,
      limits: deps.evidenceLimits ?? DEFAULT_EVIDENCE_LIMITS,
    }),
    /** Limits on the public forms, per client address, over an hour. */
    publicFormLimiter: new RateLimiter(db, clock, deps.masterKey, HOUR),
    patterns: new PatternsService({ db, clock, keys }),
    marac: new MaracService({ db, clock, keys, settings: deps.marac }),
    risk: new RiskService({ db, clock, keys, settings: deps.risk }),
    orders: new OrdersService({ db, clock, keys }),
    safetyPlans: new SafetyPlanService({ db, clock, keys }),
    bundles,
    /** Builds evidence bundles in the background; server.ts starts and stops it. */
    bundleWorker: new BundleWorker(bundles),
    liaison: new LiaisonService({ db, clock, keys, court: deps.court }),
    spoRequests: new SpoRequestService({ db, clock, keys }),
  };
}

export type Services = ReturnType<typeof createServices>;
