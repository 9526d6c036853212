import { join } from 'node:path';
import { type CliRun, createProjectDir, describeRun, jsonOf, SilentServer, spawnNodeCli, writeFile } from '@migrate-kit/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, runBin } from './helpers/project.js';

/** A PostgreSQL project folder (the URL comes from DATABASE_URL). */
function projectDir(): string {
  const dir = createProjectDir();
  writeFile(join(dir, 'prisma', 'schema.prisma'), 'datasource db {\n  provider = "postgresql"\n}\n\nmodel User {\n  id Int @id\n}\n');
  return dir;
}

/** Every verb that connects to the database. */
const VERBS = [['deploy'], ['status'], ['dev', '--name', 'x'], ['reset', '--force'], ['resolve', '--applied', 'x'], ['push'], ['check'], ['execute', '--stdin']];

describe('a PostgreSQL server that accepts and never answers', () => {
  const servers: SilentServer[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.close();
  });

  /** Every verb at once, each against a silent server of its own (so that the server's clock tells when that verb connected). */
  async function runAll(query: string): Promise<{ args: string[]; run: CliRun; server: SilentServer; endedAt: number }[]> {
    const dir = projectDir();
    return Promise.all(
      VERBS.map(async (args) => {
        const server = await SilentServer.start();
        servers.push(server);
        const url = `postgresql://postgres:secret-pw@127.0.0.1:${server.port}/app${query}`;
        const running = spawnNodeCli([BIN, ...args, '--json'], { cwd: dir, env: { DATABASE_URL: url }, input: 'SELECT 1;' });
        const run = await running.exited;
        return { args, run, server, endedAt: running.startedAt + run.durationMs };
      }),
    );
  }

  for (const [label, query, seconds] of [
    ['with ?connect_timeout=2', '?connect_timeout=2', 2],
    ["with Prisma's default of 5 s", '', 5],
  ] as const) {
    it(`${label}: every verb ends with P1001 naming host and port, one timeout after it connected`, async () => {
      for (const { args, run, server, endedAt } of await runAll(query)) {
        const what = `${args.join(' ')}\n${describeRun(run)}`;
        expect(run.code, what).toBe(1);
        const json = jsonOf(run);
        expect(json.error?.code, what).toBe('P1001');
        expect(json.error?.message, what).toContain(`Can't reach database server at \`127.0.0.1:${server.port}\`: it did not answer within ${seconds} s (connect_timeout).`);
        expect(run.stdout + run.stderr, what).not.toContain('secret-pw');
        // One connection, given up after the timeout; the process then ends (the margins are for a
        // machine running eight of these at once: the test's own accept callback may run late).
        expect(server.accepted.length, what).toBe(1);
        const waited = endedAt - server.accepted[0]!;
        expect(waited, what).toBeGreaterThanOrEqual(seconds * 1000 - 750);
        expect(waited, what).toBeLessThan(seconds * 1000 + 4_000);
      }
    });
  }

  it('a connect_timeout that is not a number of seconds is refused before anything connects', async () => {
    const server = await SilentServer.start();
    servers.push(server);
    const run = await runBin(['status', '--json'], { cwd: projectDir(), env: { DATABASE_URL: `postgresql://postgres@127.0.0.1:${server.port}/app?connect_timeout=soon` } });
    expect(run.code, describeRun(run)).toBe(1);
    expect(jsonOf(run).error).toMatchObject({ code: 'MK_INVALID_URL', message: expect.stringContaining('connect_timeout "soon"') });
    expect(server.accepted).toEqual([]);
  });
});
