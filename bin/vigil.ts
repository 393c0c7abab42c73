#!/usr/bin/env node
// The operator command line: database migrations, organisations without the browser, audit trail checks.
// Settings come from the same environment variables as the server (see src/config.ts).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Kysely } from 'kysely';
import type { Config } from '../src/config.ts';
import type { DatabaseRuntime } from '../src/db/runtime.ts';
import type { Database } from '../src/db/schema.ts';
import type { ChainReport } from '../src/platform/audit/audit-chain.ts';
import { paths } from '../src/paths.ts';
import { isUuid } from '../src/platform/auth/tokens.ts';
import { systemClock } from '../src/platform/clock.ts';

/** The application's modules, loaded only when a command runs, so help and usage errors answer at once. */
async function loadVigil() {
  const [
    kysely,
    composition,
    config,
    embedded,
    migrate,
    runtime,
    setup,
    staff,
    organisations,
    audit,
    passphrase,
    totp,
    key,
  ] = await Promise.all([
    import('kysely'),
    import('../src/composition.ts'),
    import('../src/config.ts'),
    import('../src/db/embedded.ts'),
    import('../src/db/migrate.ts'),
    import('../src/db/runtime.ts'),
    import('../src/modules/setup/setup.schema.ts'),
    import('../src/modules/staff/staff.schema.ts'),
    import('../src/modules/setup/organisations.ts'),
    import('../src/platform/audit/audit-chain.ts'),
    import('../src/platform/auth/passphrase.ts'),
    import('../src/platform/auth/totp.ts'),
    import('../src/platform/master-key.ts'),
  ]);
  return {
    sql: kysely.sql,
    createServices: composition.createServices,
    ConfigError: config.ConfigError,
    loadConfig: config.loadConfig,
    DataFolderInUseError: embedded.DataFolderInUseError,
    readLiveLock: embedded.readLiveLock,
    pendingMigrations: migrate.pendingMigrations,
    openDatabase: runtime.openDatabase,
    serviceNameSchema: setup.setupSchema.shape.serviceName,
    displayNameSchema: staff.displayName,
    emailSchema: staff.email,
    createOrganisation: organisations.createOrganisation,
    GENESIS_HASH: audit.GENESIS_HASH,
    verifyAuditChains: audit.verifyAuditChains,
    chainAuditEvents: audit.chainAuditEvents,
    UNCHAINED_GRACE_MS: audit.UNCHAINED_GRACE_MS,
    passphraseProblem: passphrase.passphraseProblem,
    formatSecret: totp.formatSecret,
    newTotpSecret: totp.newTotpSecret,
    totpUri: totp.totpUri,
    loadMasterKey: key.loadMasterKey,
  };
}

type Vigil = Awaited<ReturnType<typeof loadVigil>>;
let loading: Promise<Vigil> | undefined;
const vigil = () => (loading ??= loadVigil());

/** Wrong usage or a refused value: exit 2 with a pointer to the help. */
class UsageError extends Error {
  readonly commandName: string;
  constructor(message: string, commandName = '') {
    super(message);
    this.commandName = commandName;
  }
}

/** A failure the operator can act on: a plain message, exit 1. */
class Failure extends Error {}

/** Settings in the environment that Vigil cannot use: exit 2. */
class SettingsError extends Error {}

type OptionSpec = {
  type: 'string' | 'boolean';
  short?: string;
  value?: string;
  description: string;
  required?: boolean;
};

type Values = Record<string, string | boolean | undefined>;

type Context = {
  out: (line?: string) => void;
  err: (line?: string) => void;
  /** Progress and notices: stderr, so stdout stays parseable. */
  log: (message: string) => void;
};

type Command = {
  words: string[];
  summary: string;
  details: string[];
  options: Record<string, OptionSpec>;
  /** The one argument after the command words that it takes, if any (a file, say). */
  argument?: string;
  run(values: Values, context: Context, argument?: string): Promise<number>;
};

const globalOptions: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', description: 'Show this help' },
  debug: { type: 'boolean', description: 'Show full error details, stack traces included' },
};

const organisationOption: OptionSpec = {
  type: 'string',
  value: 'UUID',
  description: 'Only this organisation (default: every organisation)',
};

const commands: Command[] = [
  {
    words: ['migrate'],
    summary: 'Apply any database migrations not yet applied',
    details: [
      'Brings the database schema up to date. The server does this itself when it starts; run this to',
      'migrate ahead of a start, or against a database that a running server already uses.',
    ],
    options: {},
    run: runMigrate,
  },
  {
    words: ['organisation', 'create'],
    summary: 'Create an organisation and its first administrator',
    details: [
      'Creates the organisation, its encryption key and an active administrator with an authenticator',
      'already enrolled, without the browser. First-run setup counts as done afterwards.',
      '',
      'The passphrase is read from standard input (one line), or from --passphrase-file. It must be at',
      'least 8 characters, hard to guess, and not based on the names or email address given. Example:',
      '',
      "  printf 'correct horse battery staple\\n' | vigil organisation create \\",
      "    --name 'Northshire Stalking Service' --admin-name 'Sam Jones' --admin-email sam@northshire.org",
      '',
      'Prints the organisation id and the authenticator secret, as text and as an otpauth:// link, for',
      'the administrator to add to an authenticator app. The secret is shown only this once.',
    ],
    options: {
      name: { type: 'string', value: 'NAME', description: 'Name of the service', required: true },
      'admin-name': {
        type: 'string',
        value: 'NAME',
        description: "Administrator's full name",
        required: true,
      },
      'admin-email': {
        type: 'string',
        value: 'EMAIL',
        description: "Administrator's email address",
        required: true,
      },
      'passphrase-file': {
        type: 'string',
        value: 'PATH',
        description: "Read the administrator's passphrase from the first line of this file",
      },
    },
    run: runOrganisationCreate,
  },
  {
    words: ['audit', 'verify'],
    summary: "Check each organisation's audit trail hash chain",
    details: [
      'First links events recorded since the last check into their chains (waiting a few seconds for',
      'transactions still running), then walks every chain in order and recomputes each hash. Prints one',
      'line per organisation. Exits 0 when every trail is intact; otherwise names the first broken event,',
      'or the events left out of the chain for more than five minutes, and exits 1.',
    ],
    options: { organisation: organisationOption },
    run: runAuditVerify,
  },
  {
    words: ['audit', 'head'],
    summary: "Print each audit trail's head hash as JSON lines",
    details: [
      'Prints {"organisationId","seq","hash","exportedAt"} per organisation, one JSON object a line, after',
      'chaining recent events and verifying the trail. Store the output outside the database (for example in a ticket or a',
      'write-once bucket): a later head must extend it, so a rewritten trail cannot pass unnoticed.',
    ],
    options: { organisation: organisationOption },
    run: runAuditHead,
  },
  {
    words: ['bundle', 'verify'],
    summary: "Check an evidence bundle's files and signature",
    argument: 'ZIP',
    details: [
      "Re-checks every file in a bundle's ZIP against its manifest (SHA-256 and size), the manifest's",
      "Ed25519 signature against the organisation's published key, and SHA256SUMS against the manifest.",
      'Prints one line per file and, when anything fails, which file and why. Exits 0 when the bundle is',
      'intact and 1 when it is not (or cannot be read).',
      '',
      "The signing key is looked up in this installation's database, or read from --public-key, a PEM",
      'file such as the one published at /bundles/keys/<key id>, without any database. Example:',
      '',
      '  vigil bundle verify evidence-bundle-….zip --public-key vigil-key.pem',
    ],
    options: {
      'public-key': {
        type: 'string',
        value: 'PEM',
        description: "The organisation's published public key (otherwise looked up in the database)",
      },
    },
    run: runBundleVerify,
  },
  {
    words: ['status'],
    summary: 'Show whether the database is reachable, pending migrations and setup state',
    details: ['Exits 0 when the database is reachable, 1 when it is not.'],
    options: {},
    run: runStatus,
  },
  {
    words: ['setup-link'],
    summary: 'Issue a new one-time first-run setup link',
    details: [
      'While no organisation has been set up, prints a new one-time link to the setup page. Any earlier',
      'link stops working. Exits 1 when setup is already done.',
    ],
    options: {},
    run: runSetupLink,
  },
];

const groups = new Map<string, Command[]>();
for (const command of commands) {
  if (command.words.length > 1)
    groups.set(command.words[0]!, [...(groups.get(command.words[0]!) ?? []), command]);
}

// ---------------------------------------------------------------------------------------------------------
// Help

const helpHint = (commandName = '') => `Run 'vigil ${commandName ? `${commandName} ` : ''}--help' for usage.`;

function optionLines(options: Record<string, OptionSpec>): string[] {
  const rows = Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.value ? ` ${spec.value}` : ''}`;
    return [flag, `${spec.description}${spec.required ? ' (required)' : ''}`] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 3;
  return rows.map(([flag, description]) => `  ${flag.padEnd(width)}${description}`);
}

function commandList(list: Command[]): string[] {
  const width = Math.max(...list.map((c) => c.words.join(' ').length)) + 3;
  return list.map((c) => `  ${c.words.join(' ').padEnd(width)}${c.summary}`);
}

function topHelp(): string {
  return [
    'Usage: vigil <command> [options]',
    '',
    'Operator commands for Vigil. Settings come from the same environment as the server:',
    'DATABASE_URL, DATABASE_APP_URL, VIGIL_DATA_DIR, VIGIL_MASTER_KEY, VIGIL_PUBLIC_URL.',
    'When a Vigil server is running on the same data folder, commands use its embedded database.',
    '',
    'Commands:',
    ...commandList([
      ...commands,
      {
        words: ['help [command]'],
        summary: 'Show help for a command',
        details: [],
        options: {},
        run: async () => 0,
      },
    ]),
    '',
    'Options:',
    ...optionLines(globalOptions),
    '',
    "Run 'vigil <command> --help' for a command's options.",
    'Exit status: 0 success, 1 failure, 2 wrong usage or settings.',
  ].join('\n');
}

function groupHelp(group: string): string {
  return [
    `Usage: vigil ${group} <command> [options]`,
    '',
    'Commands:',
    ...commandList(groups.get(group) ?? []),
    '',
    `Run 'vigil ${group} <command> --help' for a command's options.`,
  ].join('\n');
}

function commandHelp(command: Command): string {
  const required = Object.entries(command.options)
    .filter(([, spec]) => spec.required)
    .map(([name, spec]) => `--${name} ${spec.value ?? ''}`.trim());
  return [
    `Usage: vigil ${[...command.words, ...required].join(' ')} [options]`,
    '',
    `${command.summary}.`,
    ...(command.details.length ? ['', ...command.details] : []),
    '',
    'Options:',
    ...optionLines({ ...command.options, ...globalOptions }),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------
// Parsing

type Resolved =
  | { kind: 'top' }
  | { kind: 'group'; group: string }
  | { kind: 'command'; command: Command }
  | { kind: 'unknown'; words: string[]; known: string };

function resolve(words: string[]): Resolved {
  const [first, second] = words;
  if (first === undefined) return { kind: 'top' };
  const group = groups.get(first);
  if (group) {
    if (second === undefined) return { kind: 'group', group: first };
    const command = group.find((c) => c.words[1] === second);
    return command ? { kind: 'command', command } : { kind: 'unknown', words: [first, second], known: first };
  }
  const command = commands.find((c) => c.words.length === 1 && c.words[0] === first);
  return command ? { kind: 'command', command } : { kind: 'unknown', words: [first], known: '' };
}

function allOptions(): Record<string, { type: 'string' | 'boolean'; short?: string }> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const spec of [globalOptions, ...commands.map((c) => c.options)]) {
    for (const [name, { type, short }] of Object.entries(spec))
      options[name] = short ? { type, short } : { type };
  }
  return options;
}

function parseError(error: unknown, commandName: string): UsageError {
  const { code, message } = error as { code?: string; message: string };
  const option = /'(-[^' ]+)/.exec(message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    return new UsageError(
      `Unknown option ${option}${commandName ? ` for 'vigil ${commandName}'` : ''}.`,
      commandName,
    );
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/does not take an argument/.test(message)) {
      return new UsageError(`Option ${option} does not take a value.`, commandName);
    }
    return new UsageError(`Option ${option} needs a value.`, commandName);
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return new UsageError(message, commandName);
  return new UsageError(message.split('\n')[0] ?? message, commandName);
}

async function dispatch(args: string[], context: Context): Promise<number> {
  // A first, lenient pass finds the command words and --help wherever they are.
  const loose = parseArgs({ args, options: allOptions(), strict: false, allowPositionals: true });
  let words = loose.positionals;
  let wantsHelp = loose.values.help === true;
  if (words[0] === 'help') {
    words = words.slice(1);
    wantsHelp = true;
  }
  const resolved = resolve(words.slice(0, 2));

  if (resolved.kind === 'unknown') {
    throw new UsageError(`Unknown command '${resolved.words.join(' ')}'.`, resolved.known);
  }
  if (resolved.kind === 'top') {
    if (wantsHelp) {
      context.out(topHelp());
      return 0;
    }
    context.err('vigil: no command given.');
    context.err();
    context.err(topHelp());
    return 2;
  }
  if (resolved.kind === 'group') {
    if (wantsHelp) {
      context.out(groupHelp(resolved.group));
      return 0;
    }
    const names = (groups.get(resolved.group) ?? []).map((c) => c.words[1]).join(' or ');
    throw new UsageError(`'vigil ${resolved.group}' needs a command: ${names}.`, resolved.group);
  }

  const { command } = resolved;
  const commandName = command.words.join(' ');
  if (wantsHelp) {
    context.out(commandHelp(command));
    return 0;
  }
  const options = Object.fromEntries(
    Object.entries({ ...command.options, ...globalOptions }).map(([name, { type, short }]) => [
      name,
      short ? { type, short } : { type },
    ]),
  );
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (error) {
    throw parseError(error, commandName);
  }
  const extra = parsed.positionals.slice(command.words.length);
  const argument = command.argument ? extra.shift() : undefined;
  if (command.argument && !argument) throw new UsageError(`Missing ${command.argument}.`, commandName);
  if (extra.length) throw new UsageError(`Unexpected argument '${extra[0]}'.`, commandName);
  for (const [name, spec] of Object.entries(command.options)) {
    const value = parsed.values[name];
    if (spec.required && (value === undefined || value === '')) {
      throw new UsageError(`Missing required option --${name}.`, commandName);
    }
    if (spec.type === 'string' && value === '')
      throw new UsageError(`Option --${name} needs a value.`, commandName);
  }
  return command.run(parsed.values, context, argument);
}

// ---------------------------------------------------------------------------------------------------------
// Database

async function loadSettings(): Promise<Config> {
  const { loadConfig, ConfigError } = await vigil();
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) throw new SettingsError(error.message);
    throw error;
  }
}

function appPasswordFile(config: Config): string {
  return path.join(config.dataDir, 'secrets', 'database-app-password');
}

/**
 * Read-only commands never create a database or a new application password: run from the wrong folder,
 * either would give misleading answers, and a new password would lock a running server out of PostgreSQL.
 */
function requireExistingInstallation(config: Config): void {
  if (config.databaseUrl) {
    if (!config.databaseAppUrl && !existsSync(appPasswordFile(config))) {
      throw new Failure(
        `The data folder ${config.dataDir} holds no password for the vigil_app role, so this command would ` +
          "set a new one and lock out a running server. Use the server's VIGIL_DATA_DIR, or set DATABASE_APP_URL.",
      );
    }
  } else if (!existsSync(path.join(config.dataDir, 'postgres', 'PG_VERSION'))) {
    throw new Failure(
      `There is no Vigil database in the data folder ${config.dataDir}. Set VIGIL_DATA_DIR to the server's data ` +
        "folder (or DATABASE_URL to its database), or run 'vigil migrate' to create one here.",
    );
  }
}

async function withDatabase<T>(
  config: Config,
  context: Context,
  options: { migrate: boolean; asApplication?: boolean },
  work: (database: DatabaseRuntime) => Promise<T>,
): Promise<T> {
  const { openDatabase, DataFolderInUseError, sql } = await vigil();
  if (config.databaseUrl && !config.databaseAppUrl && !existsSync(appPasswordFile(config))) {
    context.log(
      `Making a new password for the vigil_app role in ${appPasswordFile(config)}. A Vigil server using another ` +
        'data folder would lose access to the database: give it this data folder, or set DATABASE_APP_URL.',
    );
  }
  let database: DatabaseRuntime;
  try {
    database = await openDatabase(config, {
      log: context.log,
      attachToRunningServer: true,
      migrate: options.migrate,
    });
  } catch (error) {
    if (error instanceof DataFolderInUseError) throw new Failure(error.message);
    throw new Failure(`Could not open the database: ${describeError(error)}`, { cause: error });
  }
  // Connections are made lazily; find out now whether the database answers, before any output.
  try {
    await sql`SELECT 1`.execute(database.ownerDb);
  } catch (error) {
    closingDatabase = true;
    await database.close().catch(() => undefined);
    throw new Failure(`Could not connect to the database: ${describeError(error)}`, { cause: error });
  }
  if (options.asApplication) {
    try {
      await sql`SELECT 1`.execute(database.db);
    } catch (error) {
      closingDatabase = true;
      await database.close().catch(() => undefined);
      throw new Failure(
        `Could not connect to the database as the application role: ${describeError(error)}`,
        {
          cause: error,
        },
      );
    }
  }
  let result: T;
  try {
    result = await work(database);
  } catch (error) {
    closingDatabase = true;
    await database.close().catch(() => undefined);
    throw error;
  }
  closingDatabase = true;
  await database.close();
  return result;
}

/**
 * Set once the database is being closed. A pool's end() resolves before its idle connections have finished
 * closing, so stopping an embedded PostgreSQL straight afterwards can terminate them (57P01) and make the
 * pool emit an error nobody listens for. That error is expected then, and harmless.
 */
let closingDatabase = false;

function isTerminatedWhileClosing(error: unknown): boolean {
  return closingDatabase && (error as { code?: unknown } | null)?.code === '57P01';
}

const asDatabase = (ownerDb: Kysely<unknown>) => ownerDb as unknown as Kysely<Database>;

// ---------------------------------------------------------------------------------------------------------
// Commands

async function runMigrate(_values: Values, context: Context): Promise<number> {
  const settings = await loadSettings();
  const applied = await withDatabase(
    settings,
    context,
    { migrate: true },
    async (database) => database.appliedMigrations,
  );
  if (applied.length === 0) context.out('The database is already up to date: no migrations to apply.');
  else {
    context.out(`Applied ${applied.length} migration${applied.length === 1 ? '' : 's'}:`);
    for (const name of applied) context.out(`  ${name}`);
  }
  return 0;
}

function checked(
  schema: {
    safeParse(
      value: unknown,
    ): { success: true; data: string } | { success: false; error: { issues: { message: string }[] } };
  },
  value: unknown,
  flag: string,
): string {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new UsageError(
    `--${flag}: ${result.error.issues[0]?.message ?? 'not valid'}.`,
    'organisation create',
  );
}

const firstLine = (text: string) => text.split(/\r?\n/)[0] ?? '';

async function readStandardInputLine(): Promise<string> {
  const input = process.stdin;
  input.setEncoding('utf8');
  let text = '';
  for await (const chunk of input) {
    text += chunk as string;
    if (text.includes('\n')) break;
  }
  return firstLine(text);
}

/** Asks on the terminal without echoing what is typed. */
function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(question);
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = () => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') {
          finish();
          resolve(value);
          return;
        }
        if (char === '\u0003') {
          finish();
          reject(new Failure('Cancelled.'));
          return;
        }
        if (char === '\u007f' || char === '\b') value = [...value].slice(0, -1).join('');
        else if (char >= ' ') value += char;
      }
    };
    input.on('data', onData);
  });
}

async function readPassphrase(file: string | undefined): Promise<string> {
  if (file) {
    try {
      return firstLine(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new UsageError(
        `Cannot read --passphrase-file ${file}: ${describeError(error)}.`,
        'organisation create',
      );
    }
  }
  if (process.stdin.isTTY) {
    const passphrase = await promptHidden("Administrator's passphrase: ");
    if (passphrase && (await promptHidden('The same passphrase again: ')) !== passphrase) {
      throw new UsageError('The passphrases do not match.', 'organisation create');
    }
    return passphrase;
  }
  return readStandardInputLine();
}

async function runOrganisationCreate(values: Values, context: Context): Promise<number> {
  const commandName = 'organisation create';
  const { serviceNameSchema, displayNameSchema, emailSchema, passphraseProblem, loadMasterKey } =
    await vigil();
  const { newTotpSecret, formatSecret, totpUri, createServices, createOrganisation } = await vigil();
  const serviceName = checked(serviceNameSchema, values.name, 'name');
  const displayName = checked(displayNameSchema, values['admin-name'], 'admin-name');
  const email = checked(emailSchema, values['admin-email'], 'admin-email').toLowerCase();
  const settings = await loadSettings();

  const passphrase = await readPassphrase(values['passphrase-file'] as string | undefined);
  if (!passphrase) {
    throw new UsageError(
      'No passphrase given: send it on standard input (one line) or use --passphrase-file PATH.',
      commandName,
    );
  }
  const problem = passphraseProblem(passphrase, [serviceName, displayName, email]);
  if (problem) throw new UsageError(`The passphrase was refused: ${problem}.`, commandName);

  const masterKey = loadMasterKey(settings, context.log);
  const totpSecret = newTotpSecret();
  const { organisationId } = await withDatabase(
    settings,
    context,
    { migrate: true, asApplication: true },
    async (database) => {
      if (database.appliedMigrations.length)
        context.log(`Applied migrations: ${database.appliedMigrations.join(', ')}`);
      const { keys } = createServices({
        db: database.db,
        clock: systemClock,
        masterKey,
        publicUrl: settings.publicUrl,
      });
      return database.db
        .transaction()
        .execute((trx) =>
          createOrganisation(
            trx,
            keys,
            { serviceName, administrator: { displayName, email, passphrase } },
            systemClock.now(),
            { totpSecret },
          ),
        );
    },
  );

  context.out(`Created the organisation "${serviceName}".`);
  context.out(`  Organisation id:  ${organisationId}`);
  context.out(`  Administrator:    ${displayName} <${email}>`);
  context.out();
  context.out(
    'Add this account to the administrator’s authenticator app, by typing the secret or opening the link:',
  );
  context.out(`  Secret:  ${formatSecret(totpSecret)}`);
  context.out(`  Link:    ${totpUri(totpSecret, email, serviceName)}`);
  context.out();
  context.out('The secret is shown only this once; do not keep a copy of it anywhere else.');
  context.out(`The administrator signs in at ${settings.publicUrl}${paths.signIn}`);
  return 0;
}

function organisationFilter(values: Values, commandName: string): string | undefined {
  const value = values.organisation as string | undefined;
  if (value === undefined) return undefined;
  if (!isUuid(value.toLowerCase())) {
    throw new UsageError(`--organisation must be an organisation id (a UUID), not '${value}'.`, commandName);
  }
  return value.toLowerCase();
}

async function chainReports(values: Values, context: Context, commandName: string) {
  const organisationId = organisationFilter(values, commandName);
  const settings = await loadSettings();
  requireExistingInstallation(settings);
  const { verifyAuditChains, chainAuditEvents } = await vigil();
  return withDatabase(settings, context, { migrate: false }, async (database) => {
    const ownerDb = asDatabase(database.ownerDb);
    // Events are chained shortly after their transaction commits; link the latest before looking.
    const run = await chainAuditEvents(ownerDb, { organisationId, settleMs: CHAIN_SETTLE_MS });
    if (run.waiting) {
      context.log(
        `${run.waiting} organisation${run.waiting === 1 ? ' has' : 's have'} events waiting for a database ` +
          'transaction still running; they will be chained when it ends.',
      );
    }
    const reports = await verifyAuditChains(ownerDb, organisationId, { chainFirst: false });
    if (organisationId && reports.length === 0)
      throw new Failure(`There is no organisation with the id ${organisationId}.`);
    const names = new Map(
      (await ownerDb.selectFrom('organisations').select(['organisation_id', 'service_name']).execute()).map(
        (row) => [row.organisation_id, row.service_name],
      ),
    );
    return { reports, names };
  });
}

/** How long the audit commands wait for transactions still running before chaining what they recorded. */
const CHAIN_SETTLE_MS = 10_000;

function unchainedProblem(report: ChainReport, graceMs: number): string {
  const { count, oldestEventId, oldestOccurredAt } = report.unchained!;
  return (
    `${count} event${count === 1 ? ' is' : 's are'} not in the chain ${Math.round(graceMs / 60_000)} minutes after ` +
    `being recorded (the oldest: event ${oldestEventId}, ${oldestOccurredAt.toISOString()})`
  );
}

async function runAuditVerify(values: Values, context: Context): Promise<number> {
  const { reports, names } = await chainReports(values, context, 'audit verify');
  const { GENESIS_HASH, UNCHAINED_GRACE_MS } = await vigil();
  if (reports.length === 0) {
    context.out('There are no organisations yet, so there is no audit trail to verify.');
    return 0;
  }
  const broken: ChainReport[] = [];
  for (const report of reports) {
    const label = `Organisation ${report.organisationId} (${JSON.stringify(names.get(report.organisationId) ?? '')})`;
    if (report.firstBroken) {
      broken.push(report);
      const { seq, eventId, problem } = report.firstBroken;
      context.out(
        `${label}: BROKEN at seq ${seq} (event ${eventId}): ${problem}. ${report.events} events before it are intact.`,
      );
    } else if (report.unchained) {
      broken.push(report);
      context.out(
        `${label}: INCOMPLETE: ${unchainedProblem(report, UNCHAINED_GRACE_MS)}. ${report.events} chained events are intact.`,
      );
    } else {
      context.out(
        `${label}: intact, ${report.events} events, head seq ${report.head?.seq ?? 0} hash ${report.head?.hash ?? GENESIS_HASH}`,
      );
    }
  }
  if (broken.length) {
    context.err(
      `The audit trail of ${broken.length} of ${reports.length} organisation${reports.length === 1 ? '' : 's'} is broken: ` +
        'events were altered, removed, reordered or kept out of the chain. Keep a copy of the database as it is, ' +
        'and compare with a backup.',
    );
    return 1;
  }
  context.out(`All ${reports.length} audit trail${reports.length === 1 ? ' is' : 's are'} intact.`);
  return 0;
}

async function runAuditHead(values: Values, context: Context): Promise<number> {
  const { reports } = await chainReports(values, context, 'audit head');
  const { GENESIS_HASH, UNCHAINED_GRACE_MS } = await vigil();
  const exportedAt = new Date().toISOString();
  let status = 0;
  for (const report of reports) {
    if (report.firstBroken) {
      context.err(
        `Organisation ${report.organisationId}: the audit trail is broken at seq ${report.firstBroken.seq}, so its head ` +
          "is not exported. Run 'vigil audit verify' for details.",
      );
      status = 1;
      continue;
    }
    if (report.unchained) {
      // The head still commits to every event chained so far, so it is exported; the gap needs a look.
      context.err(
        `Organisation ${report.organisationId}: ${unchainedProblem(report, UNCHAINED_GRACE_MS)}. ` +
          "Run 'vigil audit verify' for details.",
      );
      status = 1;
    }
    context.out(
      JSON.stringify({
        organisationId: report.organisationId,
        seq: report.head?.seq ?? 0,
        hash: report.head?.hash ?? GENESIS_HASH,
        exportedAt,
      }),
    );
  }
  if (reports.length === 0) context.log('There are no organisations yet.');
  return status;
}

async function runStatus(_values: Values, context: Context): Promise<number> {
  const settings = await loadSettings();
  const { readLiveLock, pendingMigrations } = await vigil();
  const row = (label: string, value: string) => context.out(`${`${label}:`.padEnd(21)}${value}`);
  const server = settings.databaseUrl ? undefined : readLiveLock(settings.dataDir);
  try {
    requireExistingInstallation(settings);
  } catch (error) {
    row('Database', `not found. ${(error as Error).message}`);
    row('Data folder', settings.dataDir);
    return 1;
  }
  let reached = false;
  try {
    await withDatabase(settings, context, { migrate: false }, async (database) => {
      reached = true;
      const ownerDb = asDatabase(database.ownerDb);
      const where = settings.databaseUrl
        ? 'PostgreSQL from DATABASE_URL'
        : server
          ? `embedded PostgreSQL of the running Vigil server (pid ${server.pid})`
          : 'embedded PostgreSQL in the data folder (Vigil is not running; started for this command)';
      row('Database', `reachable, ${where}`);
      const pending = await pendingMigrations(database.ownerDb);
      row(
        'Pending migrations',
        pending.length ? `${pending.length} (${pending.join(', ')}); run 'vigil migrate'` : '0',
      );
      try {
        const { count } = await ownerDb
          .selectFrom('organisations')
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .executeTakeFirstOrThrow();
        row('Organisations', String(count));
        const installation = await ownerDb
          .selectFrom('installation')
          .select('setup_completed_at')
          .executeTakeFirst();
        row(
          'First-run setup',
          installation?.setup_completed_at
            ? `done (${installation.setup_completed_at.toISOString()})`
            : "not done; run 'vigil setup-link' for a setup link",
        );
      } catch (error) {
        if (!pending.length) throw error;
        row('Organisations', 'unknown until migrations are applied');
        row('First-run setup', 'unknown until migrations are applied');
      }
    });
  } catch (error) {
    if (reached) throw error;
    row('Database', `NOT reachable. ${error instanceof Failure ? error.message : describeError(error)}`);
    row('Data folder', settings.dataDir);
    return 1;
  }
  row('Data folder', settings.dataDir);
  return 0;
}

async function runSetupLink(_values: Values, context: Context): Promise<number> {
  const { loadMasterKey, createServices } = await vigil();
  const settings = await loadSettings();
  requireExistingInstallation(settings);
  const masterKey = loadMasterKey(settings, context.log);
  const { token, embeddedStartedHere } = await withDatabase(
    settings,
    context,
    { migrate: false, asApplication: true },
    async (database) => {
      const services = createServices({
        db: database.db,
        clock: systemClock,
        masterKey,
        publicUrl: settings.publicUrl,
      });
      return { token: await services.setup.issueSetupToken(), embeddedStartedHere: database.embedded };
    },
  );
  if (!token) {
    context.err(
      "First-run setup is already done. To add another organisation, use 'vigil organisation create'; " +
        'to add staff, an administrator invites them from the Staff page.',
    );
    return 1;
  }
  context.out('Open this one-time link to create the organisation and its first administrator:');
  context.out(`  ${settings.publicUrl}${paths.setup(token)}`);
  context.out('Any earlier setup link has stopped working.');
  if (embeddedStartedHere) {
    context.err(
      'Note: Vigil is not running. Starting it prints a new link, and this one then stops working.',
    );
  }
  return 0;
}

async function runBundleVerify(values: Values, context: Context, zip?: string): Promise<number> {
  const [{ verifyBundle }, keys, { createPublicKey }] = await Promise.all([
    import('../src/modules/bundles/verify.ts'),
    import('../src/modules/bundles/signing-keys.ts'),
    import('node:crypto'),
  ]);
  if (!zip || !existsSync(zip)) throw new Failure(`There is no file ${JSON.stringify(zip ?? '')}.`);
  const check = async (lookup: Parameters<typeof verifyBundle>[1]) =>
    verifyBundle({ kind: 'file', path: zip }, lookup);
  let result: Awaited<ReturnType<typeof verifyBundle>>;
  const keyFile = values['public-key'];
  if (typeof keyFile === 'string') {
    let publicKey: ReturnType<typeof createPublicKey>;
    try {
      publicKey = createPublicKey(readFileSync(keyFile, 'utf8'));
    } catch (error) {
      throw new Failure(`The public key in ${keyFile} cannot be read: ${describeError(error)}`);
    }
    const keyId = keys.keyIdOf(publicKey);
    result = await check(async (wanted) =>
      wanted === keyId
        ? {
            keyId,
            publicKey,
            organisationName: `the key in ${keyFile}`,
            createdAt: new Date(0),
            retiredAt: null,
          }
        : null,
    );
  } else {
    const settings = await loadSettings();
    requireExistingInstallation(settings);
    result = await withDatabase(settings, context, { migrate: false, asApplication: true }, (database) =>
      check((keyId) => keys.publishedKey(database.db, keyId)),
    );
  }
  for (const file of result.files)
    context.out(`${file.ok ? 'OK    ' : 'FAILED'} ${file.file} ${file.sha256}`);
  for (const problem of result.problems) context.out(`${problem.file}: ${problem.problem}`);
  if (result.ok) {
    context.out(
      `The bundle is intact: ${result.files.length} files match the manifest, signed by ${result.signedBy?.organisationName ?? 'its key'} (key ${result.manifest?.signingKey.keyId ?? ''}).`,
    );
    return 0;
  }
  context.err(
    `The bundle is not intact: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}.`,
  );
  return 1;
}

// ---------------------------------------------------------------------------------------------------------
// Errors and the entry point

function describeError(error: unknown): string {
  if (error instanceof AggregateError && !error.message) {
    return [...new Set(error.errors.map(describeError))].join('; ');
  }
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

function report(error: unknown, debug: boolean, context: Context): number {
  const details = () => {
    if (debug && error instanceof Error && error.stack) context.err(error.stack);
  };
  if (error instanceof UsageError) {
    context.err(`vigil: ${error.message} ${helpHint(error.commandName)}`);
    details();
    return 2;
  }
  if (error instanceof SettingsError) {
    context.err(error.message);
    return 2;
  }
  if (error instanceof Failure) {
    context.err(`vigil: ${error.message}`);
    if (debug && error.cause instanceof Error && error.cause.stack) context.err(error.cause.stack);
    else details();
    return 1;
  }
  context.err(`vigil: the command failed: ${describeError(error)}`);
  if (debug && error instanceof Error && error.stack) context.err(error.stack);
  else context.err('Run it again with --debug for the full details.');
  return 1;
}

const context: Context = {
  out: (line = '') => void process.stdout.write(`${line}\n`),
  err: (line = '') => void process.stderr.write(`${line}\n`),
  log: (message) => void process.stderr.write(`${message}\n`),
};

process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  // Output piped into a command that stopped reading (head, for example) is not a failure of Vigil's.
  if (error.code !== 'EPIPE') throw error;
});

const args = process.argv.slice(2);
const debug = args.slice(0, args.includes('--') ? args.indexOf('--') : undefined).includes('--debug');

const onStray = (error: unknown) => {
  if (isTerminatedWhileClosing(error)) return;
  process.exit(report(error, debug, context));
};
process.on('uncaughtException', onStray);
process.on('unhandledRejection', onStray);
const status = await dispatch(args, context).catch((error: unknown) => report(error, debug, context));
// Exit explicitly, once the output has been written: the embedded PostgreSQL package's exit hook would
// otherwise end the process with status 0 whatever process.exitCode says.
const flushed = (stream: NodeJS.WriteStream) =>
  new Promise<void>((resolve) => stream.write('', () => resolve()));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(status);
