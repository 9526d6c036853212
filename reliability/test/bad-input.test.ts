/**
 * Item 3, the bad-input corpus: every case in bad-input.cases.ts runs its CLI as a real process
 * (stdin a closed pipe: no TTY) on a fresh project and database, and must exit with its code,
 * say its message, never print the database password, and leave the database (tables, columns,
 * row counts, indexes, `_prisma_migrations`) and the project folder (every file's SHA-256) as
 * they were, except for what the case says may change.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CASES } from './bad-input.cases.js';
import { describeRun, output, runCli } from './helpers/cli.js';
import { type CorpusContext, createCaseProject } from './helpers/corpus.js';
import { POSTGRES_SERVER_URL, withPostgres } from './helpers/databases.js';
import { FULL } from './helpers/mode.js';
import { databaseSnapshot, folderChanges, folderSnapshot } from './helpers/snapshot.js';

const suffix = randomBytes(3).toString('hex');
const context: CorpusContext = {
  roleWithoutCreateDb: `mk_corpus_nocreatedb_${suffix}`,
  roleWithoutLogin: `mk_corpus_nologin_${suffix}`,
  roleWithoutPrivileges: `mk_corpus_noprivs_${suffix}`,
  passwordAuthentication: false,
};
const ROLES = [context.roleWithoutCreateDb, context.roleWithoutLogin, context.roleWithoutPrivileges];

beforeAll(async () => {
  await withPostgres(POSTGRES_SERVER_URL, async (c) => {
    await c.query(`CREATE ROLE "${context.roleWithoutCreateDb}" LOGIN NOCREATEDB PASSWORD 'right-password'`);
    await c.query(`CREATE ROLE "${context.roleWithoutLogin}" NOLOGIN`);
    await c.query(`CREATE ROLE "${context.roleWithoutPrivileges}" LOGIN NOCREATEDB PASSWORD 'right-password'`);
    // pg_hba.conf decides whether a wrong password can fail at all: `trust` accepts any.
    const { rows } = await c.query<{ type: string; address: string | null; netmask: string | null; auth_method: string }>(
      `SELECT type, address, netmask, auth_method FROM pg_hba_file_rules WHERE type LIKE 'host%' ORDER BY line_number`,
    );
    const rule = rows.find((r) => r.address === null || r.address === 'all' || r.address === 'samehost' || coversLocalhost(r.address, r.netmask));
    context.passwordAuthentication = rule !== undefined && rule.auth_method !== 'trust';
  });
});

/** Whether an IPv4 pg_hba.conf address/netmask covers 127.0.0.1. */
function coversLocalhost(address: string, netmask: string | null): boolean {
  const toInt = (ip: string) => ip.split('.').reduce((n, part) => (n << 8) + Number(part), 0) >>> 0;
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(address)) return false;
  const mask = netmask && /^\d+\.\d+\.\d+\.\d+$/.test(netmask) ? toInt(netmask) : 0xffffffff;
  return ((toInt('127.0.0.1') & mask) >>> 0) === ((toInt(address) & mask) >>> 0);
}

afterAll(async () => {
  await withPostgres(POSTGRES_SERVER_URL, async (c) => {
    for (const role of ROLES) {
      const { rows } = await c.query<{ datname: string }>('SELECT datname FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE r.rolname = $1', [role]);
      for (const { datname } of rows) await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      await c.query(`DROP OWNED BY "${role}"`).catch(() => undefined);
      await c.query(`DROP ROLE IF EXISTS "${role}"`);
    }
  });
});

describe('the corpus', () => {
  test('has at least 50 cases, unique ids, across the four CLIs', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(50);
    expect(new Set(CASES.map((c) => c.id)).size).toBe(CASES.length);
    expect(new Set(CASES.map((c) => c.cli))).toEqual(new Set(['migrate-kit', 'prisma-migrate', 'zen-migrate', 'keystone-migrate']));
  });

  test('a wrong password can fail on this server, or the case is replaced (pg_hba.conf trusts 127.0.0.1)', async () => {
    if (context.passwordAuthentication) return;
    // With `trust`, the server never asks for a password: a wrong one connects. This is why the
    // wrong-password case runs only where pg_hba.conf asks for one; the cases with a role that
    // does not exist or may not log in cover refusal at connection time instead.
    const url = new URL(POSTGRES_SERVER_URL);
    url.username = context.roleWithoutCreateDb;
    url.password = 'wrong-password';
    await expect(withPostgres(url.toString(), async (c) => (await c.query('SELECT current_user AS u')).rows)).resolves.toEqual([{ u: context.roleWithoutCreateDb }]);
  });
});

/**
 * Which cases run: RELIABILITY_CASES=<id>,<id> picks some; the quick run takes the cases marked
 * `quick` (every kind of input and every CLI at least once); the full run takes them all.
 */
const SELECTED = process.env.RELIABILITY_CASES
  ? CASES.filter((c) => process.env.RELIABILITY_CASES!.split(',').includes(c.id))
  : FULL
    ? CASES
    : CASES.filter((c) => c.quick);

describe.each(SELECTED.map((c) => [`${c.id}: ${c.cli} ${c.provider}: ${c.title}`, c] as const))('%s', (_, c) => {
  test.skipIf(c.requires === 'password-authentication' && !context.passwordAuthentication)(`exits ${c.exit} with its message, changes ${c.changes ? 'only what it may' : 'nothing'}`, async () => {
    const project = await createCaseProject(c.cli, c.provider, { folderName: c.folderName });
    try {
      await c.arrange?.(project, context);
      const dbBefore = await databaseSnapshot(project.db);
      const folderBefore = folderSnapshot(project.dir);

      const args = typeof c.args === 'function' ? c.args(project, context) : c.args;
      const run = await runCli(c.cli, args, {
        cwd: c.cwd ? join(project.dir, c.cwd) : project.dir,
        env: { ...project.env, ...c.env?.(project, context) },
        input: c.input,
        timeoutMs: c.timeoutMs,
      });
      const said = output(run);
      const account = `${c.id}: ${c.cli} ${args.join(' ')}\n${describeRun(run)}`;
      if (process.env.RELIABILITY_SHOW_OUTPUT === '1') console.log(account);

      expect(run.timedOut, account).toBe(false);
      expect(run.code, account).toBe(c.exit);
      for (const fragment of c.says) {
        const wanted = typeof fragment === 'function' ? fragment(project) : fragment;
        if (typeof wanted === 'string') expect(said, account).toContain(wanted);
        else expect(said, account).toMatch(wanted);
      }
      for (const fragment of c.never ?? []) {
        if (typeof fragment === 'string') expect(said, account).not.toContain(fragment);
        else expect(said, account).not.toMatch(fragment);
      }
      // Issue #6 item 5: no password from a connection string in any output.
      if (project.password) expect(said, account).not.toContain(project.password);
      expect(said, account).not.toContain('right-password');
      expect(said, account).not.toContain('unreachable-secret');

      const dbAfter = await databaseSnapshot(project.db);
      if (c.changes?.database) c.changes.database(dbBefore, dbAfter, project);
      else expect(dbAfter, `${account}\nthe database changed`).toEqual(dbBefore);
      const changes = folderChanges(folderBefore, folderSnapshot(project.dir));
      if (c.changes?.folder) c.changes.folder(changes, project);
      else expect(changes, `${account}\nthe folder changed`).toEqual({ added: [], removed: [], changed: [] });
    } finally {
      await project.cleanup();
    }
  });
});
