import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_MARAC_SETTINGS, type MaracSettings } from './modules/marac/criteria.ts';
import { DEFAULT_RISK_SETTINGS, type RiskSettings } from './modules/risk/reassessment.ts';
import { DEFAULT_COURT_SETTINGS, type CourtSettings } from './modules/liaison/reminders.ts';

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const masterKey = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const key = Buffer.from(value, 'base64');
    if (key.length !== 32) {
      ctx.addIssue({ code: 'custom', message: 'must be 32 bytes, base64-encoded (openssl rand -base64 32)' });
      return z.NEVER;
    }
    return key;
  });

const postgresUrl = z
  .string()
  .trim()
  .refine((value) => /^postgres(ql)?:\/\//.test(value), 'must start with postgres:// or postgresql://');

const environmentSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().trim().min(1).default('localhost'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    VIGIL_PUBLIC_URL: z.url().optional(),
    VIGIL_DATA_DIR: z.string().trim().min(1).default('data'),
    DATABASE_URL: postgresUrl.optional(),
    DATABASE_APP_URL: postgresUrl.optional(),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    VIGIL_MASTER_KEY: masterKey.optional(),
    VIGIL_TRUST_PROXY: booleanFromEnv.default(false),
    VIGIL_SMTP_URL: z
      .string()
      .trim()
      .refine((value) => /^smtps?:\/\//.test(value), 'must start with smtp:// or smtps://')
      .optional(),
    VIGIL_MAIL_FROM: z.string().trim().min(3).default('Vigil <no-reply@localhost>'),
    VIGIL_EVIDENCE_MAX_FILE_MB: z.coerce.number().int().min(1).max(10_000).default(100),
    VIGIL_EVIDENCE_MAX_FILES: z.coerce.number().int().min(1).max(200).default(20),
    VIGIL_EVIDENCE_MAX_IMAGE_MEGAPIXELS: z.coerce.number().int().min(1).max(1_000).default(100),
    VIGIL_MARAC_ESCALATION_INCIDENTS: z.coerce
      .number()
      .int()
      .min(1)
      .max(100)
      .default(DEFAULT_MARAC_SETTINGS.escalationIncidents),
    VIGIL_MARAC_ESCALATION_MONTHS: z.coerce
      .number()
      .int()
      .min(1)
      .max(60)
      .default(DEFAULT_MARAC_SETTINGS.escalationMonths),
    VIGIL_RISK_REVIEW_WEEKS: z.coerce
      .number()
      .int()
      .min(1)
      .max(52)
      .default(DEFAULT_RISK_SETTINGS.reviewWeeks),
    VIGIL_HEARING_REMINDER_DAYS: z.coerce
      .number()
      .int()
      .min(0)
      .max(60)
      .default(DEFAULT_COURT_SETTINGS.reminderDaysBefore),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== 'production') return;
    if (!env.VIGIL_MASTER_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['VIGIL_MASTER_KEY'],
        message: 'is required in production: supply it from a secret store, never from the data folder',
      });
    }
    if (!env.DATABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_URL'],
        message: 'is required in production: the embedded PostgreSQL is for development and evaluation',
      });
    }
    if (!env.VIGIL_PUBLIC_URL?.startsWith('https://')) {
      ctx.addIssue({
        code: 'custom',
        path: ['VIGIL_PUBLIC_URL'],
        message: 'is required in production and must start with https://',
      });
    }
  });

export type Config = {
  environment: 'development' | 'production' | 'test';
  host: string;
  port: number;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string | undefined;
  databaseAppUrl: string | undefined;
  databasePoolSize: number;
  masterKey: Buffer | undefined;
  trustProxy: boolean;
  logLevel: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  evidence: EvidenceLimits;
  /** The local MARAC's potential-escalation rule: this many incidents within this many months. */
  marac: MaracSettings;
  /** How many weeks after an assessment the next one falls due. */
  risk: RiskSettings;
  /** How many days before a court hearing the caseworker's reminder falls due. */
  court: CourtSettings;
};

/** How much evidence one upload may carry, and the largest image display copies are made from. */
export type EvidenceLimits = { maxFileBytes: number; maxFiles: number; maxImagePixels: number };

export const DEFAULT_EVIDENCE_LIMITS: EvidenceLimits = {
  maxFileBytes: 100 * 1024 * 1024,
  maxFiles: 20,
  maxImagePixels: 100_000_000,
};

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Vigil cannot start because of its settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

/** Parses the environment once, at boot. Throws ConfigError naming every wrong setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty setting (VAR= in a shell or an env file) means "not set", not "set to nothing".
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'} ${issue.message}`),
    );
  }
  const value = parsed.data;
  return {
    environment: value.NODE_ENV,
    host: value.HOST,
    port: value.PORT,
    publicUrl: (value.VIGIL_PUBLIC_URL ?? `http://localhost:${value.PORT}`).replace(/\/$/, ''),
    dataDir: path.resolve(value.VIGIL_DATA_DIR),
    databaseUrl: value.DATABASE_URL,
    databaseAppUrl: value.DATABASE_APP_URL,
    databasePoolSize: value.DATABASE_POOL_SIZE,
    masterKey: value.VIGIL_MASTER_KEY,
    trustProxy: value.VIGIL_TRUST_PROXY,
    logLevel: value.LOG_LEVEL,
    smtpUrl: value.VIGIL_SMTP_URL,
    mailFrom: value.VIGIL_MAIL_FROM,
    evidence: {
      maxFileBytes: value.VIGIL_EVIDENCE_MAX_FILE_MB * 1024 * 1024,
      maxFiles: value.VIGIL_EVIDENCE_MAX_FILES,
      maxImagePixels: value.VIGIL_EVIDENCE_MAX_IMAGE_MEGAPIXELS * 1_000_000,
    },
    marac: {
      escalationIncidents: value.VIGIL_MARAC_ESCALATION_INCIDENTS,
      escalationMonths: value.VIGIL_MARAC_ESCALATION_MONTHS,
    },
    risk: { reviewWeeks: value.VIGIL_RISK_REVIEW_WEEKS },
    court: { reminderDaysBefore: value.VIGIL_HEARING_REMINDER_DAYS },
  };
}
