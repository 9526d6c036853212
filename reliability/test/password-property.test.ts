/**
 * Issue 10 item 20, the password property test, through the four CLIs as real processes:
 * passwords drawn from every printable ASCII character (`/ @ : } # ? %`, quotes and spaces
 * included), written unencoded (mostly a URL that does not parse) or percent-encoded (a URL that
 * connects: the test server trusts 127.0.0.1), in every place each CLI reads a URL from (flags,
 * the schema's literal url, the ZModel datasource, prisma.config.ts, a prisma.config.ts that throws
 * with the URL in its message, DATABASE_URL / SHADOW_DATABASE_URL), main and shadow; every verb,
 * human and --json, errors too: no run prints 4 or more consecutive characters of the password.
 * Sizes: SIZES.passwordRuns / passwordRunsSlowCli (helpers/mode.ts). The pure redaction over
 * thousands of passwords: packages/migrate-core/test/redaction.test.ts.
 */
import { markedPassword, passwordLeaks } from '@migrate-kit/test-support';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type CliName, runCli } from './helpers/cli.js';
import { createCaseProject } from './helpers/corpus.js';
import { createPostgresDatabase, POSTGRES_SERVER_URL, type TestDatabase } from './helpers/databases.js';
import { SIZES } from './helpers/mode.js';

const PRINTABLE = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));
const URL_SPECIAL = fc.constantFrom(...'/@:}{#?%" \\\'&=');
const chars = (min: number, max: number) => fc.array(fc.oneof(PRINTABLE, URL_SPECIAL), { minLength: min, maxLength: max }).map((cs) => cs.join(''));
/** Every printable character, in any position; a marker (`~` or `^`) in every run of 4, so that a match in the output is a leak, not chance. */
const passwordArb = fc
  .tuple(chars(0, 3), fc.array(fc.record({ marker: fc.constantFrom(0 as const, 1 as const), text: chars(1, 3) }), { minLength: 2, maxLength: 6 }))
  .map(([lead, pieces]) => markedPassword(lead, pieces));

const INIT = '20240101000000_init';
const INIT_SQL = 'CREATE TABLE "User" ("id" SERIAL NOT NULL, "email" TEXT NOT NULL, CONSTRAINT "User_pkey" PRIMARY KEY ("id"));\nCREATE UNIQUE INDEX "User_email_key" ON "User"("email");\n';

/** Where a URL can come from, per CLI. */
type Position =
  | '--url'
  | '--shadow-database-url'
  | 'schema url'
  | 'schema shadowDatabaseUrl'
  | 'zmodel url'
  | 'prisma.config.ts url'
  | 'prisma.config.ts shadowDatabaseUrl'
  | 'prisma.config.ts that throws'
  | 'DATABASE_URL'
  | 'SHADOW_DATABASE_URL';

const CLIS: Record<CliName, { positions: Position[]; verbs: { args: string[]; input?: string }[]; runs: number }> = {
  'migrate-kit': {
    positions: ['--url', '--shadow-database-url', 'schema url', 'schema shadowDatabaseUrl', 'DATABASE_URL', 'SHADOW_DATABASE_URL'],
    verbs: [
      { args: ['deploy'] },
      { args: ['status'] },
      { args: ['dev', '--name', 'next'] },
      { args: ['resolve', '--applied', INIT] },
      { args: ['reset', '--force'] },
      { args: ['diff', '--from-migrations', 'prisma/migrations', '--to-config-datasource', '--exit-code'] },
      { args: ['push', '--accept-data-loss'] },
      { args: ['execute', '--stdin'], input: 'SELECT 1;' },
      { args: ['check'] },
    ],
    runs: SIZES.passwordRuns,
  },
  'prisma-migrate': {
    positions: ['--url', 'schema url', 'schema shadowDatabaseUrl', 'prisma.config.ts url', 'prisma.config.ts shadowDatabaseUrl', 'prisma.config.ts that throws', 'DATABASE_URL'],
    verbs: [
      { args: ['migrate', 'deploy'] },
      { args: ['migrate', 'status'] },
      { args: ['migrate', 'dev', '--name', 'next'] },
      { args: ['migrate', 'resolve', '--applied', INIT] },
      { args: ['migrate', 'reset', '--force'] },
      { args: ['migrate', 'diff', '--from-migrations', 'prisma/migrations', '--to-config-datasource', '--exit-code'] },
      { args: ['db', 'push', '--accept-data-loss'] },
      { args: ['db', 'execute', '--stdin'], input: 'SELECT 1;' },
      { args: ['migrate', 'check'] },
    ],
    runs: SIZES.passwordRuns,
  },
  'zen-migrate': {
    positions: ['zmodel url', 'DATABASE_URL'],
    verbs: [
      { args: ['migrate', 'deploy'] },
      { args: ['migrate', 'status'] },
      { args: ['migrate', 'dev', '--name', 'next'] },
      { args: ['migrate', 'resolve', '--applied', INIT] },
      { args: ['migrate', 'reset', '--force', '--skip-seed'] },
      { args: ['db', 'push', '--accept-data-loss'] },
      { args: ['migrate', 'check'] },
    ],
    runs: SIZES.passwordRunsSlowCli,
  },
  'keystone-migrate': {
    positions: ['prisma.config.ts url', 'prisma.config.ts shadowDatabaseUrl', 'prisma.config.ts that throws', 'DATABASE_URL', 'SHADOW_DATABASE_URL'],
    verbs: [{ args: ['deploy'] }, { args: ['status'] }, { args: ['create', '--name', 'next'] }, { args: ['apply'] }, { args: ['resolve', '--applied', INIT] }, { args: ['reset', '--force'] }, { args: ['push'] }, { args: ['check'] }],
    runs: SIZES.passwordRunsSlowCli,
  },
};

let shadow: TestDatabase;
beforeAll(async () => {
  shadow = await createPostgresDatabase('mk_rel_pw_shadow');
});
afterAll(async () => {
  await shadow?.drop();
});

/** `postgresql://<user>:<password>@<test server>/<database>`, the password as given (unencoded or encoded). */
function urlWithPassword(database: string, password: string | undefined): string {
  const server = new URL(POSTGRES_SERVER_URL);
  const credentials = password === undefined ? server.username : `${server.username}:${password}`;
  return `postgresql://${credentials}@${server.host}/${database}`;
}

const SCHEMA_MODEL = 'model User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n}\n';

describe.each(Object.keys(CLIS) as CliName[])('no password is ever printed by %s', (cli) => {
  const { positions, verbs, runs } = CLIS[cli];
  test(`${runs} random runs: every printable password, in ${positions.join(', ')}; every verb, human and --json`, async () => {
    await fc.assert(
      fc.asyncProperty(passwordArb, fc.constantFrom(...positions), fc.boolean(), fc.constantFrom(...verbs), fc.boolean(), async (password, position, encoded, verb, json) => {
        const p = await createCaseProject(cli, 'postgresql');
        try {
          const written = encoded ? encodeURIComponent(password) : password;
          const inShadow = position.toLowerCase().includes('shadow');
          const mainUrl = urlWithPassword(p.db.name, inShadow ? undefined : written);
          const plainMainUrl = urlWithPassword(p.db.name, undefined);
          const shadowUrl = urlWithPassword(shadow.name, inShadow ? written : undefined);
          p.writeMigration(INIT, INIT_SQL);
          const args = [...verb.args];
          const env: Record<string, string | undefined> = { ...p.env, MIGRATE_KIT_HISTORY_CACHE: 'off', DATABASE_URL: plainMainUrl };
          switch (position) {
            case '--url':
              args.push('--url', mainUrl);
              break;
            case '--shadow-database-url':
              args.push('--shadow-database-url', shadowUrl);
              break;
            case 'schema url':
              env.DATABASE_URL = undefined;
              p.write('prisma/schema.prisma', `datasource db {\n  provider = "postgresql"\n  url      = ${JSON.stringify(mainUrl)}\n}\n\n${SCHEMA_MODEL}`);
              break;
            case 'schema shadowDatabaseUrl':
              p.write('prisma/schema.prisma', `datasource db {\n  provider = "postgresql"\n  shadowDatabaseUrl = ${JSON.stringify(shadowUrl)}\n}\n\n${SCHEMA_MODEL}`);
              break;
            case 'zmodel url':
              env.DATABASE_URL = undefined;
              p.write('zenstack/schema.zmodel', `datasource db {\n  provider = 'postgresql'\n  url      = ${JSON.stringify(mainUrl)}\n}\n\n${SCHEMA_MODEL}`);
              break;
            case 'prisma.config.ts url':
            case 'prisma.config.ts shadowDatabaseUrl': {
              const schema = cli === 'prisma-migrate' ? "schema: 'prisma/schema.prisma', " : '';
              p.write('prisma.config.ts', `export default { ${schema}datasource: { url: ${JSON.stringify(mainUrl)}, shadowDatabaseUrl: ${JSON.stringify(shadowUrl)} } };\n`);
              break;
            }
            case 'prisma.config.ts that throws':
              p.write('prisma.config.ts', `const url = ${JSON.stringify(mainUrl)};\nthrow new Error('cannot reach ' + url + ' today');\nexport default {};\n`);
              break;
            case 'DATABASE_URL':
              env.DATABASE_URL = mainUrl;
              break;
            case 'SHADOW_DATABASE_URL':
              env.SHADOW_DATABASE_URL = shadowUrl;
              break;
          }
          if (json) args.push('--json');
          const run = await runCli(cli, args, { cwd: p.dir, env, input: verb.input ?? '' });
          const printed = `${run.stdout}\n${run.stderr}`;
          const what = `${cli} ${args.join(' ')}: password ${JSON.stringify(password)} ${encoded ? 'encoded' : 'unencoded'} in ${position}`;
          expect(run.timedOut, what).toBe(false);
          expect(passwordLeaks(password, printed), `${what}\n${printed}`).toEqual([]);
          expect(printed, `${what}\n${printed}`).not.toContain('MK_UNEXPECTED');
        } finally {
          await p.cleanup();
        }
      }),
      { numRuns: runs },
    );
  });
});
