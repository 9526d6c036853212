import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, MigrateError } from '../errors.js';
import { type LocalMigration, type MigrationsFolder, readMigrationsFolder } from './migrations-folder.js';
import { writeFileWhole } from './write-file-whole.js';

/**
 * `migrations/migrate-kit.sum`: the integrity file (Atlas's atlas.sum). Its first line is the
 * total, `h1:<hash>`; then one line per migration in apply order, `<name> h1:<hash>`, where each
 * hash runs over the one before it, the migration's name and its migration.sql. It is committed
 * with the migrations, so that an edited, deleted or reordered migration, or two branches that each
 * added one, are caught (deploy, status, check) instead of being applied out of order.
 */
export const SUM_FILE_NAME = 'migrate-kit.sum';

const PREFIX = 'h1:';

export interface SumEntry {
  name: string;
  hash: string;
}

/**
 * What the integrity file says about the folder. `absent`: the project has no integrity file
 * (nothing is checked; the next migration written creates it).
 */
export type IntegrityResult =
  | { state: 'absent' }
  | { state: 'ok'; migrations: number }
  | {
      state: 'mismatch';
      /** In the folder, content differs from what the file recorded. */
      edited: string[];
      /** Listed in the file, no longer in the folder. */
      deleted: string[];
      /** In the folder, not listed in the file (added by another branch, by hand, or copied in). */
      unlisted: string[];
      /** Both listed and present, but in another order than the file's. */
      reordered: string[];
      /** The migrations each side of a git merge conflict in the file added (`ours`: above `=======`). */
      conflict: { ours: string[]; theirs: string[] } | undefined;
      /** The file's lines agree with the folder but its total does not (edited by hand). */
      totalMismatch: boolean;
      /** Every finding as a sentence naming the migrations and the fix. */
      problems: string[];
    };

/** One step of the running hash; CRLF is read as LF, so that a checkout with git autocrlf verifies. */
function step(previous: string, migration: LocalMigration): string {
  const text = migration.script.ok ? migration.script.text.replace(/\r\n/g, '\n') : '\0missing migration.sql';
  return createHash('sha256').update(previous).update('\0').update(migration.name).update('\0').update(text).digest('base64');
}

function total(entries: readonly SumEntry[]): string {
  const hash = createHash('sha256');
  for (const e of entries) hash.update(`${e.name} ${PREFIX}${e.hash}\n`);
  return hash.digest('base64');
}

/** The entries the folder hashes to, in order. */
export function sumEntries(folder: MigrationsFolder): SumEntry[] {
  const entries: SumEntry[] = [];
  let previous = '';
  for (const m of folder.migrations) {
    previous = step(previous, m);
    entries.push({ name: m.name, hash: previous });
  }
  return entries;
}

function render(entries: readonly SumEntry[]): string {
  return `${PREFIX}${total(entries)}\n${entries.map((e) => `${e.name} ${PREFIX}${e.hash}\n`).join('')}`;
}

export function renderSumFile(folder: MigrationsFolder): string {
  return render(sumEntries(folder));
}

/** Writes (or rewrites) the integrity file for the folder as it is now. */
export function writeSumFile(folder: MigrationsFolder): void {
  writeFileWhole(join(folder.dir, SUM_FILE_NAME), renderSumFile(folder));
}

/**
 * Records a migration just written: creates the file from the whole folder when there is none;
 * otherwise appends the migration's line, chained from the last line as recorded, and leaves the
 * other lines as they are, so that an earlier edit, deletion or missing line is still reported
 * instead of being accepted in passing (only `hash` accepts the folder as it is). A file with a git
 * merge conflict is left alone: the conflict is the evidence the user has to resolve.
 */
export function recordInSumFile(dir: string, name: string, script: string): void {
  const path = join(dir, SUM_FILE_NAME);
  if (!existsSync(path)) {
    writeSumFile(readMigrationsFolder(dir));
    return;
  }
  const parsed = parseSumFile(readFileSync(path, 'utf8'));
  if (parsed.conflict) return;
  const entries = parsed.entries.filter((e) => e.name !== name);
  entries.push({ name, hash: step(entries.at(-1)?.hash ?? '', { name, script: { ok: true, text: script } }) });
  writeFileWhole(path, render(entries));
}

interface ParsedSum {
  total: string | undefined;
  entries: SumEntry[];
  conflict: { ours: string[]; theirs: string[] } | undefined;
}

function parseSumFile(text: string): ParsedSum {
  let total: string | undefined;
  const entries: SumEntry[] = [];
  let side: 'ours' | 'theirs' | undefined;
  let conflict: ParsedSum['conflict'];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('<<<<<<<')) {
      side = 'ours';
      conflict ??= { ours: [], theirs: [] };
      continue;
    }
    if (line.startsWith('=======') && side) {
      side = 'theirs';
      continue;
    }
    if (line.startsWith('>>>>>>>')) {
      side = undefined;
      continue;
    }
    if (line.startsWith('|||||||')) continue; // diff3 style: the common ancestor's lines follow until =======
    const parts = line.split(/\s+/);
    if (parts.length === 1 && parts[0]!.startsWith(PREFIX)) {
      if (!side) total = parts[0]!.slice(PREFIX.length);
      continue;
    }
    if (parts.length === 2 && parts[1]!.startsWith(PREFIX)) {
      const entry = { name: parts[0]!, hash: parts[1]!.slice(PREFIX.length) };
      if (side && conflict) conflict[side].push(entry.name);
      if (!entries.some((e) => e.name === entry.name)) entries.push(entry);
    }
  }
  if (conflict) {
    // Git widens a conflict region over lines both sides share: those are no side's addition.
    const ours = new Set(conflict.ours);
    const theirs = new Set(conflict.theirs);
    conflict = { ours: conflict.ours.filter((n) => !theirs.has(n)), theirs: conflict.theirs.filter((n) => !ours.has(n)) };
  }
  return { total, entries, conflict };
}

/**
 * Checks the folder against its integrity file. Reads only; `absent` when there is none.
 * Edited migrations are found one by one: each line's hash is recomputed from the line before it
 * as recorded, so an edit does not make every later migration look edited too.
 */
export function verifyIntegrity(folder: MigrationsFolder): IntegrityResult {
  const path = join(folder.dir, SUM_FILE_NAME);
  if (!existsSync(path)) return { state: 'absent' };
  const parsed = parseSumFile(readFileSync(path, 'utf8'));
  const listed = new Map(parsed.entries.map((e, i) => [e.name, i]));
  const present = new Set(folder.migrations.map((m) => m.name));
  const deleted = parsed.entries.filter((e) => !present.has(e.name)).map((e) => e.name);
  // A folder without a readable migration.sql is left to the engine, which names the missing file (P3015).
  const unlisted = folder.migrations.filter((m) => !listed.has(m.name) && m.script.ok).map((m) => m.name);
  const commonFolder = folder.migrations.filter((m) => listed.has(m.name)).map((m) => m.name);
  const commonFile = parsed.entries.filter((e) => present.has(e.name)).map((e) => e.name);
  const reordered = commonFolder.filter((name, i) => commonFile[i] !== name);

  const edited: string[] = [];
  const byName = new Map(folder.migrations.map((m) => [m.name, m]));
  for (const [i, entry] of parsed.entries.entries()) {
    const migration = byName.get(entry.name);
    if (!migration?.script.ok) continue;
    const previous = i === 0 ? '' : parsed.entries[i - 1]!.hash;
    if (step(previous, migration) !== entry.hash) edited.push(entry.name);
  }
  // Only meaningful when every line matched: an edited line changes the total too.
  const totalMismatch = parsed.conflict === undefined && parsed.total !== total(parsed.entries);

  const clean = !parsed.conflict && !deleted.length && !unlisted.length && !reordered.length && !edited.length && !totalMismatch;
  if (clean) return { state: 'ok', migrations: folder.migrations.length };
  return { state: 'mismatch', edited, deleted, unlisted, reordered, conflict: parsed.conflict, totalMismatch, problems: describeProblems(parsed, { edited, deleted, unlisted, reordered, totalMismatch }) };
}

const list = (names: readonly string[]) => names.map((n) => `\`${n}\``).join(', ');
const REBASE = 'recreate yours on top of theirs: delete your migration folder, pull, and run dev again (it writes your change as a new migration after theirs)';

function describeProblems(
  parsed: ParsedSum,
  found: { edited: string[]; deleted: string[]; unlisted: string[]; reordered: string[]; totalMismatch: boolean },
): string[] {
  const problems: string[] = [];
  if (parsed.conflict) {
    const { ours, theirs } = parsed.conflict;
    problems.push(
      `${SUM_FILE_NAME} has a git merge conflict: two branches each added migrations (${list(ours) || 'none'} on one side, ${list(theirs) || 'none'} on the other). Applied in name order they would run in an order neither branch tested; ${REBASE}.`,
    );
  } else if (found.unlisted.length) {
    const last = parsed.entries.at(-1)?.name;
    problems.push(
      `${found.unlisted.length === 1 ? 'The migration' : 'The migrations'} ${list(found.unlisted)} ${found.unlisted.length === 1 ? 'is' : 'are'} in the folder but not in ${SUM_FILE_NAME}${last ? ` (whose last migration is \`${last}\`)` : ''}: another branch added migrations alongside yours, or a migration was added by hand. If two branches each added a migration, ${REBASE}. If the migration was added on purpose, run hash.`,
    );
  }
  if (found.deleted.length) {
    problems.push(`${found.deleted.length === 1 ? 'The migration' : 'The migrations'} ${list(found.deleted)} ${found.deleted.length === 1 ? 'is' : 'are'} listed in ${SUM_FILE_NAME} but missing from the folder: restore ${found.deleted.length === 1 ? 'it' : 'them'} (e.g. from git). If the deletion was deliberate and no database has ${found.deleted.length === 1 ? 'it' : 'them'} applied, run hash.`);
  }
  if (found.reordered.length) {
    problems.push(`The migrations ${list(found.reordered)} are in another order in the folder than in ${SUM_FILE_NAME} (a folder was renamed): restore the old names, or run hash if the new order is deliberate and no database has them applied.`);
  }
  if (found.edited.length) {
    problems.push(`${found.edited.length === 1 ? 'The migration' : 'The migrations'} ${list(found.edited)} ${found.edited.length === 1 ? 'was' : 'were'} edited after ${SUM_FILE_NAME} was written: restore ${found.edited.length === 1 ? 'it' : 'them'} (e.g. from git), or run hash if the edit is deliberate.`);
  }
  if (found.totalMismatch && problems.length === 0) {
    problems.push(`${SUM_FILE_NAME} was edited by hand (its total does not match its lines): run hash to rewrite it.`);
  }
  return problems;
}

/** What a development command recorded in the integrity file on its own (see recordNewlyApplied). */
export interface RecordedByDevelopment {
  /** Migrations edited after they were written and first applied by this run. */
  edits: string[];
  /** Unlisted migrations after every listed one, first applied by this run. */
  additions: string[];
}

/**
 * The development commands (`dev`, Keystone's `apply`) record two changes of the folder
 * themselves, and only when this very run applied the migrations concerned for the first time
 * (never one applied before, never with a deleted or reordered migration or a merge conflict):
 * - edits: Prisma's workflow is `dev --create-only`, edit the migration, `dev` applies it;
 * - additions: migrations missing from the file that come after every migration it lists (not
 *   counting `created`, the one this run wrote). That is what a dev killed between writing its
 *   migration's folder and recording it leaves (reliability/test/dev-crash.test.ts); a migration
 *   that another branch slipped in between recorded ones stays reported.
 * Anything else is left for `hash`, and reported.
 */
export function recordNewlyApplied(dir: string, applied: readonly string[], created?: string): RecordedByDevelopment {
  const none = { edits: [], additions: [] };
  const folder = readMigrationsFolder(dir);
  const result = verifyIntegrity(folder);
  if (result.state !== 'mismatch' || result.conflict || result.deleted.length || result.reordered.length || result.totalMismatch) return none;
  if (result.edited.length === 0 && result.unlisted.length === 0) return none;
  const unlisted = new Set(result.unlisted);
  const lastListed = folder.migrations.findLastIndex((m) => !unlisted.has(m.name) && m.name !== created);
  const trailing = result.unlisted.every((name) => folder.migrations.findIndex((m) => m.name === name) > lastListed);
  if (!trailing || ![...result.edited, ...result.unlisted].every((name) => applied.includes(name))) return none;
  writeSumFile(folder);
  return { edits: result.edited, additions: result.unlisted };
}

/** The error deploy (and dev before writing a migration) stops with; the hint names the CLI's hash verb. */
export function integrityError(result: Extract<IntegrityResult, { state: 'mismatch' }>): MigrateError {
  return new MigrateError(ErrorCodes.integrity, `The migrations folder does not match ${SUM_FILE_NAME}:\n\n${result.problems.map((p) => `  • ${p}`).join('\n')}`, {
    hint: (command) => `Nothing was applied. Fix the folder as said above, or run ${command('hash')} to accept the folder as it is.`,
    details: { integrity: result },
  });
}

/** Throws integrityError when the folder has an integrity file it does not match. */
export function assertIntegrity(folder: MigrationsFolder): IntegrityResult {
  const result = verifyIntegrity(folder);
  if (result.state === 'mismatch') throw integrityError(result);
  return result;
}
