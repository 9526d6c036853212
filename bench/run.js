#!/usr/bin/env node
// Runs every benchmark: our command and its floor in the same run, alternating, several times;
// reports medians and the ratio ours/floor, and regenerates RESULTS.md.
//
//   node run.js            deploy 10/100/300/1000, noop, create-with-history 100/300, adapters
//   node run.js --quick    smaller sizes, fewer rounds (a smoke run; RESULTS.md is not written)
//   node run.js --only=peers   the rows against dbmate (deploy-300, typical deploy, no-op per CLI)
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveBinary } from 'dbmate';
import { writeDbmateHistory, writeHistory } from './history.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const work = join(here, '.work');
const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
const PG = process.env.MIGRATE_KIT_BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const MIGRATE_KIT = join(root, 'packages', 'migrate-core', 'bin', 'migrate-kit.js');
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

const pgUrl = (db) => Object.assign(new URL(PG), { pathname: `/${db}` }).toString();
function psql(sql) {
  const r = spawnSync('psql', [PG, '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
}
function freshPostgres(db) {
  psql(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  psql(`CREATE DATABASE "${db}"`);
}
function freshSqlite(file) {
  for (const s of ['', '-journal', '-wal', '-shm']) rmSync(file + s, { force: true });
}

/** Runs a whole process, cold; returns wall milliseconds and peak RSS (MB) when /usr/bin/time is there. */
function measure(cmd, args, env = {}, cwd = work) {
  const argv = TIME ? [TIME, '-f', 'MAXRSS_KB=%M', cmd, ...args] : [cmd, ...args];
  const start = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, cwd, maxBuffer: 64 << 20 });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  const kb = /MAXRSS_KB=(\d+)/.exec(r.stderr ?? '')?.[1];
  return { ms, rssMb: kb ? Number(kb) / 1024 : undefined };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Alternates ours and floor `rounds` times, each after its own `prepare`. */
function compare(name, rounds, { prepare, ours, floor }) {
  const o = [];
  const f = [];
  for (let i = 0; i < rounds; i++) {
    prepare?.('ours');
    o.push(ours());
    prepare?.('floor');
    f.push(floor());
  }
  const row = {
    name,
    ours: median(o.map((x) => x.ms)),
    floor: median(f.map((x) => x.ms)),
    oursRss: o.some((x) => x.rssMb) ? Math.max(...o.map((x) => x.rssMb ?? 0)) : undefined,
    rounds,
  };
  row.ratio = row.ours / row.floor;
  console.log(`${name.padEnd(36)} ours ${fmt(row.ours).padStart(9)}  floor ${fmt(row.floor).padStart(9)}  ratio ${row.ratio.toFixed(2)}x${row.oursRss ? `  peak ${row.oursRss.toFixed(0)} MB` : ''}`);
  return row;
}
const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

const sqliteFloorScript = `const D=require('better-sqlite3');const fs=require('fs');const db=new D(process.argv[1]);for(const f of process.argv.slice(2))db.exec(fs.readFileSync(f,'utf8'));db.close();`;
const sqliteQueryScript = `const D=require('better-sqlite3');const db=new D(process.argv[1]);db.prepare('SELECT 1').get();db.close();`;
const pgQueryScript = `const {Client}=require('pg');const c=new Client({connectionString:process.argv[1]});c.connect().then(()=>c.query('SELECT 1')).then(()=>c.end());`;

function migrateKit(args, dir, url) {
  return measure(process.execPath, [MIGRATE_KIT, ...args, '--schema', join(dir, 'schema.prisma'), '--url', url]);
}

function deployBench(provider, n, rounds) {
  const dir = join(work, `history-${provider}-${n}`);
  const files = writeHistory(dir, provider, n);
  if (provider === 'postgresql') {
    const db = `mk_bench_deploy_${n}`;
    const row = compare(`deploy-${n} postgresql`, rounds, {
      prepare: () => freshPostgres(db),
      ours: () => migrateKit(['deploy'], dir, pgUrl(db)),
      floor: () => measure('psql', [pgUrl(db), '-q', '-v', 'ON_ERROR_STOP=1', ...files.flatMap((f) => ['-f', f])]),
    });
    psql(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    return row;
  }
  const file = join(work, `deploy-${n}.db`);
  return compare(`deploy-${n} sqlite`, rounds, {
    prepare: () => freshSqlite(file),
    ours: () => migrateKit(['deploy'], dir, `file:${file}`),
    floor: () => measure(process.execPath, ['-e', sqliteFloorScript, file, ...files], { NODE_PATH: join(here, 'node_modules') }),
  });
}

function upToDate(provider, n) {
  const dir = join(work, `history-${provider}-${n}`);
  writeHistory(dir, provider, n);
  const url = provider === 'postgresql' ? pgUrl(`mk_bench_uptodate_${n}`) : `file:${join(work, `uptodate-${n}.db`)}`;
  if (provider === 'postgresql') freshPostgres(`mk_bench_uptodate_${n}`);
  else freshSqlite(url.slice(5));
  migrateKit(['deploy'], dir, url);
  return { dir, url };
}

function noopBench(provider, rounds) {
  const { dir, url } = upToDate(provider, 300);
  const floor = () =>
    provider === 'postgresql'
      ? measure(process.execPath, ['-e', pgQueryScript, url], { NODE_PATH: join(here, 'node_modules') })
      : measure(process.execPath, ['-e', sqliteQueryScript, url.slice(5)], { NODE_PATH: join(here, 'node_modules') });
  return [
    compare(`noop-deploy-300 ${provider}`, rounds, { ours: () => migrateKit(['deploy'], dir, url), floor }),
    compare(`noop-status-300 ${provider}`, rounds, { ours: () => migrateKit(['status'], dir, url), floor }),
  ];
}

function createBench(provider, n, rounds, deployRow) {
  const { dir, url } = upToDate(provider, n);
  // The schema gains one model: `dev --create-only` replays the history (diagnose, data loss,
  // create) and writes a migration; it is removed again after each round.
  writeFileSync(join(dir, 'schema.prisma'), `datasource db {\n  provider = "${provider}"\n}\n\nmodel Extra {\n  id Int @id\n}\n`);
  const files = writeHistoryFiles(dir);
  const cleanNew = () => {
    for (const f of readdirNames(join(dir, 'migrations'))) if (f.endsWith('_bench_extra')) rmSync(join(dir, 'migrations', f), { recursive: true, force: true });
  };
  const floorDb = `mk_bench_create_floor_${n}`;
  const floorFile = join(work, `create-floor-${n}.db`);
  const create = (env) => measure(process.execPath, [MIGRATE_KIT, 'dev', '--create-only', '--accept-data-loss', '--name', 'bench_extra', '--schema', join(dir, 'schema.prisma'), '--url', url], env);
  const floor = () =>
    provider === 'postgresql'
      ? measure('psql', [pgUrl(floorDb), '-q', '-v', 'ON_ERROR_STOP=1', ...files.flatMap((f) => ['-f', f])])
      : measure(process.execPath, ['-e', sqliteFloorScript, floorFile, ...files], { NODE_PATH: join(here, 'node_modules') });
  const prepare = (which) => {
    cleanNew();
    if (which === 'floor') provider === 'postgresql' ? freshPostgres(floorDb) : freshSqlite(floorFile);
  };
  // Cold: the history cache off, every replay from scratch (what a first `dev` on a clone pays).
  const cold = compare(`create-with-history-${n} ${provider}`, rounds, { prepare, ours: () => create({ MIGRATE_KIT_HISTORY_CACHE: 'off' }), floor });
  // Repeat: the same `dev` again with the history unchanged, the replay kept by the run before.
  cleanNew();
  create({});
  const repeat = compare(`create-repeat-${n} ${provider}`, rounds, { prepare, ours: () => create({}), floor });
  cleanNew();
  if (provider === 'postgresql') psql(`DROP DATABASE IF EXISTS "${floorDb}" WITH (FORCE)`);
  if (deployRow) cold.note = `${(cold.ours / deployRow.ours).toFixed(2)}x deploy-${n} (ours)`;
  repeat.note = 'second `dev` in a row, history unchanged (history cache)';
  return [cold, repeat];
}

function readdirNames(dir) {
  return existsSync(dir) ? spawnSync('ls', [dir], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean) : [];
}
function writeHistoryFiles(dir) {
  return readdirNames(join(dir, 'migrations'))
    .filter((d) => /^\d{14}_/.test(d))
    .map((d) => join(dir, 'migrations', d, 'migration.sql'));
}

// --- Peers: the tool a user would pick instead. dbmate (a native Go migrator, from npm; its own
// binary is run, not the npm launcher) on the same SQL, each migration in its own transaction
// as dbmate does by default; `--no-dump-schema`, since ours writes no schema dump either.
const DBMATE = resolveBinary();
const dbmateUrl = (db) => `${pgUrl(db)}?sslmode=disable`;
const dbmate = (dir, db) => measure(DBMATE, ['--no-dump-schema', '--migrations-dir', join(dir, 'dbmate'), '--url', dbmateUrl(db), 'migrate']);
function templateFrom(template, db) {
  psql(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  psql(`CREATE DATABASE "${db}" TEMPLATE "${template}"`);
}
/** A bench project for prisma-migrate: schema, migrations and a prisma.config.ts reading DATABASE_URL. */
function prismaProject(dir) {
  writeFileSync(join(dir, 'prisma.config.ts'), "export default {\n  schema: 'schema.prisma',\n  migrations: { path: 'migrations' },\n  datasource: { url: process.env.DATABASE_URL },\n};\n");
}
const PRISMA_MIGRATE = join(root, 'examples', 'prisma-blog', 'node_modules', '.bin', 'prisma-migrate');
const prismaMigrate = (args, dir, db) => measure(PRISMA_MIGRATE, args, { DATABASE_URL: pgUrl(db) }, dir);
const migrateKitPg = (args, dir, db) => migrateKit(args, dir, pgUrl(db));

function peerBench(rounds) {
  const rows = [];
  const n = 300;
  const dir = join(work, `peer-${n}`);
  writeHistory(dir, 'postgresql', n);
  writeDbmateHistory(dir, n);
  prismaProject(dir);
  const tools = { 'migrate-kit': migrateKitPg, 'prisma-migrate': (args, d, db) => prismaMigrate(['migrate', ...args], d, db) };
  // deploy-300 on an empty database.
  for (const [name, run] of Object.entries(tools)) {
    const db = 'mk_bench_peer_deploy';
    rows.push(compare(`deploy-${n} postgresql ${name} vs dbmate`, quick ? 2 : 5, { prepare: () => freshPostgres(db), ours: () => run(['deploy'], dir, db), floor: () => dbmate(dir, db) }));
  }
  // The typical production deploy: 3 pending on top of 300 applied (each tool on a copy of a
  // database its own kind of deploy brought to 300).
  const typical = join(work, `peer-${n}-plus-3`);
  writeHistory(typical, 'postgresql', n + 3);
  writeDbmateHistory(typical, n + 3);
  prismaProject(typical);
  freshPostgres('mk_bench_tmpl_ours');
  migrateKitPg(['deploy'], dir, 'mk_bench_tmpl_ours');
  freshPostgres('mk_bench_tmpl_dbmate');
  dbmate(dir, 'mk_bench_tmpl_dbmate');
  for (const [name, run] of Object.entries(tools)) {
    const db = 'mk_bench_peer_typical';
    rows.push(
      compare(`typical deploy (3 on ${n}) ${name} vs dbmate`, rounds, {
        prepare: (which) => templateFrom(which === 'ours' ? 'mk_bench_tmpl_ours' : 'mk_bench_tmpl_dbmate', db),
        ours: () => run(['deploy'], typical, db),
        floor: () => dbmate(typical, db),
      }),
    );
  }
  // No-op deploy through each CLI; dbmate's no-op on its up-to-date 300.
  templateFrom('mk_bench_tmpl_ours', 'mk_bench_peer_noop');
  templateFrom('mk_bench_tmpl_dbmate', 'mk_bench_peer_noop_dbmate');
  const dbmateNoop = () => dbmate(dir, 'mk_bench_peer_noop_dbmate');
  for (const [name, run] of Object.entries(tools)) {
    rows.push(compare(`noop-deploy-${n} postgresql ${name} vs dbmate`, rounds, { ours: () => run(['deploy'], dir, 'mk_bench_peer_noop'), floor: dbmateNoop }));
  }
  // zen-migrate and keystone-migrate: their examples (a copy, sharing node_modules), one
  // migration created and applied on PostgreSQL first.
  const adapters = [
    ['zen-migrate', 'zenstack-todo', ['migrate', 'dev', '--name', 'init', '--schema', 'zenstack/postgresql/schema.zmodel'], ['migrate', 'deploy', '--schema', 'zenstack/postgresql/schema.zmodel']],
    ['keystone-migrate', 'keystone-blog', ['create', '--name', 'init'], ['deploy']],
  ];
  for (const [bin, example, init, deployArgs] of adapters) {
    const project = copyExample(example, `peer-${example}`);
    if (!project) continue;
    const db = `mk_bench_peer_${example.replace('-', '_')}`;
    freshPostgres(db);
    const env = { DATABASE_URL: pgUrl(db) };
    const binPath = join(project, 'node_modules', '.bin', bin);
    measure(binPath, init, env, project);
    measure(binPath, deployArgs, env, project);
    rows.push(compare(`noop-deploy ${bin} (${example}) vs dbmate`, rounds, { ours: () => measure(binPath, deployArgs, env, project), floor: dbmateNoop }));
    psql(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  }
  for (const db of ['mk_bench_peer_deploy', 'mk_bench_peer_typical', 'mk_bench_peer_noop', 'mk_bench_peer_noop_dbmate', 'mk_bench_tmpl_ours', 'mk_bench_tmpl_dbmate']) psql(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  for (const r of rows) r.note = r.note ?? 'ratio to dbmate';
  return rows;
}

/** A copy of an example without its node_modules (linked to the example's own). */
function copyExample(example, name) {
  const from = join(root, 'examples', example);
  if (!existsSync(join(from, 'node_modules'))) {
    console.log(`peer: example ${example} not installed, skipped`);
    return undefined;
  }
  const to = join(work, name);
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true, filter: (src) => !/[/\\](node_modules|\.keystone|migrations)([/\\]|$)|\.db(-journal)?$/.test(src.slice(from.length)) });
  symlinkSync(join(from, 'node_modules'), join(to, 'node_modules'));
  return to;
}

function adapterBench(rounds) {
  const rows = [];
  const examples = [
    ['prisma-migrate', 'prisma-blog', ['migrate', 'status']],
    ['zen-migrate', 'zenstack-todo', ['migrate', 'status']],
    ['keystone-migrate', 'keystone-blog', ['status']],
  ];
  for (const [bin, example, args] of examples) {
    const cwd = join(root, 'examples', example);
    const binPath = join(cwd, 'node_modules', '.bin', bin);
    if (!existsSync(binPath)) {
      console.log(`adapter ${bin}: example ${example} not found, skipped`);
      continue;
    }
    const db = join(work, `adapter-${example}.db`);
    freshSqlite(db);
    const env = { DATABASE_URL: `file:${db}` };
    spawnSync(binPath, bin === 'keystone-migrate' ? ['deploy'] : ['migrate', 'deploy'], { cwd, env: { ...process.env, ...env } });
    rows.push(
      compare(`startup ${bin} status sqlite`, rounds, {
        ours: () => {
          const start = performance.now();
          const r = spawnSync(binPath, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });
          if (r.error) throw r.error;
          return { ms: performance.now() - start };
        },
        floor: () => measure(process.execPath, ['-e', sqliteQueryScript, db], { NODE_PATH: join(here, 'node_modules') }),
      }),
    );
  }
  return rows;
}

mkdirSync(work, { recursive: true });
const rows = [];
const sizes = quick ? [10, 100] : [10, 100, 300, 1000];
const roundsFor = (n) => (quick ? 2 : n >= 1000 ? 3 : n >= 300 ? 5 : 7);
const want = (group) => !only || only.split(',').includes(group);
const deployRows = {};
if (want('deploy'))
  for (const provider of ['postgresql', 'sqlite'])
    for (const n of sizes) {
      const row = deployBench(provider, n, roundsFor(n));
      deployRows[`${provider}-${n}`] = row;
      rows.push(row);
    }
if (want('noop')) for (const provider of ['postgresql', 'sqlite']) rows.push(...noopBench(provider, quick ? 2 : 7));
if (want('create'))
  for (const provider of ['postgresql', 'sqlite'])
    for (const n of quick ? [100] : [100, 300]) rows.push(...createBench(provider, n, quick ? 1 : 3, deployRows[`${provider}-${n}`]));
if (want('adapters')) rows.push(...adapterBench(quick ? 2 : 5));
if (want('peers')) rows.push(...peerBench(quick ? 2 : 7));

for (const db of ['mk_bench_uptodate_300', 'mk_bench_uptodate_100']) psql(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);

if (!quick && !only) {
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const date = new Date().toISOString().slice(0, 10);
  const table = [
    '| benchmark | ours | floor | ratio | peak memory (ours) | machine | date | note |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.name} | ${fmt(r.ours)} | ${fmt(r.floor)} | ${r.ratio.toFixed(2)}x | ${r.oursRss ? `${r.oursRss.toFixed(0)} MB` : '-'} | ${machine} | ${date} | ${r.note ?? ''} |`),
  ].join('\n');
  const previous = existsSync(join(here, 'RESULTS.md')) ? readFileSync(join(here, 'RESULTS.md'), 'utf8') : '';
  const notes = previous.includes('<!-- notes -->') ? previous.slice(previous.indexOf('<!-- notes -->')) : '<!-- notes -->\n';
  writeFileSync(
    join(here, 'RESULTS.md'),
    `# Benchmark results\n\nGenerated by \`npm run bench\` (bench/run.js): medians of alternating runs, whole processes, cold. The floor is the same SQL run by a plain client (psql -f per file in one session; better-sqlite3 exec), or one connection and one query for the no-op and start-up rows.\n\n${table}\n\n${notes}`,
  );
  console.log('\nWrote bench/RESULTS.md');
}
