/**
 * Item 20 of issue 10, quick size, through the `migrate-kit` CLI: passwords drawn from every
 * printable ASCII character, written unencoded (mostly a URL that does not parse) or
 * percent-encoded (a URL that connects: the test server trusts 127.0.0.1), in the main or the shadow
 * URL, given as a flag, in the schema's literal url, or in the environment; every verb, human and
 * --json, errors too: no run prints 4 consecutive characters of the password.
 * The four CLIs at full size: reliability/test/password-property.test.ts.
 */
import { join } from 'node:path';
import {
  createPostgresDatabase,
  createProjectDir,
  markedPassword,
  POSTGRES_SERVER_URL,
  passwordLeaks,
  prismaLockFile,
  runNodeCli,
  type TestPostgresDatabase,
  writeFile,
} from '@migrate-kit/test-support';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from './helpers/project.js';

const RUNS = Number(process.env.PASSWORD_CLI_RUNS ?? 20);

const PRINTABLE = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));
const URL_SPECIAL = fc.constantFrom(...'/@:}{#?%" \\\'&=');
const chars = (min: number, max: number) => fc.array(fc.oneof(PRINTABLE, URL_SPECIAL), { minLength: min, maxLength: max }).map((cs) => cs.join(''));
/** Every printable character, in any position; a marker (`~` or `^`) in every run of 4, so that a match in the output is a leak, not chance. */
const passwordArb = fc
  .tuple(chars(0, 3), fc.array(fc.record({ marker: fc.constantFrom(0 as const, 1 as const), text: chars(1, 3) }), { minLength: 2, maxLength: 6 }))
  .map(([lead, pieces]) => markedPassword(lead, pieces));

const POSITIONS = ['--url', '--shadow-database-url', 'schema url', 'schema shadowDatabaseUrl', 'DATABASE_URL', 'SHADOW_DATABASE_URL'] as const;
const VERBS: Record<string, { args: string[]; input?: string }> = {
  deploy: { args: ['deploy'] },
  status: { args: ['status'] },
  dev: { args: ['dev', '--name', 'next'] },
  resolve: { args: ['resolve', '--applied', '20240101000000_init'] },
  reset: { args: ['reset', '--force'] },
  diff: { args: ['diff', '--from-migrations', 'prisma/migrations', '--to-config-datasource', '--exit-code'] },
  push: { args: ['push', '--accept-data-loss'] },
  execute: { args: ['execute', '--stdin'], input: 'SELECT 1;' },
  check: { args: ['check'] },
};

const MODEL = 'model User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n}\n';
const INIT_SQL = 'CREATE TABLE "User" ("id" SERIAL NOT NULL, "email" TEXT NOT NULL, CONSTRAINT "User_pkey" PRIMARY KEY ("id"));\nCREATE UNIQUE INDEX "User_email_key" ON "User"("email");\n';

let main: TestPostgresDatabase;
let shadow: TestPostgresDatabase;
beforeAll(async () => {
  main = await createPostgresDatabase('mk_pw_main');
  shadow = await createPostgresDatabase('mk_pw_shadow');
});
afterAll(async () => {
  await main?.drop();
  await shadow?.drop();
});

/** `postgresql://<user>:<password>@<test server>/<database>`, the password as given (unencoded or encoded). */
function urlWithPassword(database: string, password: string | undefined): string {
  const server = new URL(POSTGRES_SERVER_URL);
  const credentials = password === undefined ? server.username : `${server.username}:${password}`;
  return `postgresql://${credentials}@${server.host}/${database}`;
}

describe('no password is ever printed (migrate-kit)', () => {
  it('whatever the password, wherever it is, whatever the verb and the output mode', async () => {
    await fc.assert(
      fc.asyncProperty(
        passwordArb,
        fc.constantFrom(...POSITIONS),
        fc.boolean(),
        fc.constantFrom(...Object.keys(VERBS)),
        fc.boolean(),
        async (password, position, encoded, verb, json) => {
          const written = encoded ? encodeURIComponent(password) : password;
          const secretInShadow = position.toLowerCase().includes('shadow');
          const mainUrl = urlWithPassword(main.name, secretInShadow ? undefined : written);
          const shadowUrl = urlWithPassword(shadow.name, secretInShadow ? written : undefined);
          const dir = createProjectDir('mk-pw-');
          const datasource = ['datasource db {', '  provider = "postgresql"'];
          if (position === 'schema url') datasource.push(`  url = ${JSON.stringify(mainUrl)}`);
          if (position === 'schema shadowDatabaseUrl') datasource.push(`  shadowDatabaseUrl = ${JSON.stringify(shadowUrl)}`);
          writeFile(join(dir, 'prisma', 'schema.prisma'), `${datasource.join('\n')}\n}\n\n${MODEL}`);
          writeFile(join(dir, 'prisma', 'migrations', 'migration_lock.toml'), prismaLockFile('postgresql'));
          writeFile(join(dir, 'prisma', 'migrations', '20240101000000_init', 'migration.sql'), INIT_SQL);

          const args = [...VERBS[verb]!.args, '--schema', 'prisma/schema.prisma'];
          const env: Record<string, string | undefined> = { MIGRATE_KIT_HISTORY_CACHE: 'off' };
          if (position === '--url' || position === '--shadow-database-url' || position === 'SHADOW_DATABASE_URL' || position === 'schema shadowDatabaseUrl') {
            args.push('--url', mainUrl);
          }
          if (position === '--shadow-database-url') args.push('--shadow-database-url', shadowUrl);
          if (position === 'DATABASE_URL') env.DATABASE_URL = mainUrl;
          if (position === 'SHADOW_DATABASE_URL') env.SHADOW_DATABASE_URL = shadowUrl;
          if (json) args.push('--json');

          const run = await runNodeCli([BIN, ...args], {
            cwd: dir,
            env,
            notInherited: ['DATABASE_URL', 'SHADOW_DATABASE_URL'],
            input: VERBS[verb]!.input ?? '',
            timeoutMs: 60_000,
          });
          const printed = `${run.stdout}\n${run.stderr}`;
          const what = `${verb}${json ? ' --json' : ''}, password ${JSON.stringify(password)} ${encoded ? 'encoded' : 'unencoded'} in ${position}`;
          expect(run.timedOut, what).toBe(false);
          expect(passwordLeaks(password, printed), `${what}\n${printed}`).toEqual([]);
          expect(printed, what).not.toContain('MK_UNEXPECTED');
        },
      ),
      { numRuns: RUNS },
    );
  }, 600_000);
});
