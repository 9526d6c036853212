import type { DiffTarget, MigrationList } from '../engine/engine.js';
import { renderLockFile } from '../history/lock-file.js';
import { type DiffInput, diffRendered } from './diff.js';
import { redactSecrets } from '../redact.js';
import type { Session } from './session.js';

/**
 * A migration's `down.sql`: the engine's diff from the state the migration produces (the schema)
 * back to the state before it (the history replayed on a shadow database), headed with Prisma's
 * warnings comment when that step loses data.
 */
export interface DownScript {
  text: string;
  /** What running it drops (tables, columns, enum values), as the header lists it. */
  warnings: string[];
}

/** down.sql inside a session (`migrate dev`): the replay of `migrationsList` is the one the session's engine has cached. */
export async function downScriptInSession(
  session: Session,
  schema: { files: { path: string; content: string }[] },
  migrationsList: MigrationList = session.migrationList(),
): Promise<DownScript> {
  const from: DiffTarget = { tag: 'schemaDatamodel', files: schema.files };
  // The engine takes the connector from the lock file, which the first migration has not written yet.
  const lockfile = { ...migrationsList.lockfile, content: migrationsList.lockfile.content ?? renderLockFile(session.source.provider) };
  const to: DiffTarget = { tag: 'migrations', ...migrationsList, lockfile };
  const render = async (sides: { from: DiffTarget; to: DiffTarget }, script: boolean) =>
    (await session.engine.diff({ ...sides, script, exitCode: false, filters: session.filters })).stdout ?? '';
  const summary = await render({ from, to }, false);
  const script = await render({ from, to }, true);
  // SQLite: a redefined table's dropped columns show in no summary; the state it starts from names them.
  const startState = REDEFINED.test(summary) ? await render({ from: { tag: 'empty' }, to: from }, true) : '';
  return renderDownScript(summary, script, startState);
}

/** down.sql without a session (keystone's `create`): the reverse of the diff the migration itself was drafted from. */
export async function downScriptOf(historyToSchema: DiffInput): Promise<DownScript> {
  const [summary, script] = await diffRendered({ ...historyToSchema, from: historyToSchema.to, to: historyToSchema.from }, [false, true]);
  const summaryText = summary!.empty ? '' : summary!.text;
  const startState = REDEFINED.test(summaryText) ? (await diffRendered({ ...historyToSchema, from: { kind: 'empty' }, to: historyToSchema.to }, [true]))[0]!.text : '';
  return renderDownScript(summaryText, script!.empty ? '' : script!.text, startState);
}

/**
 * down.sql is an extra the migration does not depend on: when the engine cannot compute it, the
 * migration is written without one (and `down` refuses it by name), never not written at all.
 */
export async function downScriptOrReason(compute: () => Promise<DownScript>): Promise<{ text: string | undefined; skipped: string | undefined }> {
  try {
    return { text: (await compute()).text, skipped: undefined };
  } catch (error) {
    return { text: undefined, skipped: redactSecrets((error as Error).message ?? String(error)) };
  }
}

const REDEFINED = /^\[\*\] Redefined table `/m;

/** The script with the warnings header (the shape of Prisma's own, so it reads the same in a review). */
export function renderDownScript(summary: string, script: string, startState = ''): DownScript {
  const warnings = [...dataLossOfSummary(summary), ...columnsDroppedByRedefinitions(script, startState)];
  const body = script.trim() === '' ? '-- This is an empty migration.\n' : script.endsWith('\n') ? script : `${script}\n`;
  const header = warnings.length ? `/*\n  Warnings:\n\n${warnings.map((w) => `  - ${w}`).join('\n')}\n\n*/\n` : '';
  return { text: `${header}${body}`, warnings };
}

/**
 * The data a diff drops, read from the engine's summary of it (`[-] Removed tables`, `[-] Removed
 * column`, `[-] Removed variant`): the engine's diff returns no warnings of its own, and reading
 * the summary covers SQLite, whose dropped columns only show in the script as a table redefined.
 */
export function dataLossOfSummary(summary: string): string[] {
  const warnings: string[] = [];
  let section: { kind: 'removedTables' } | { kind: 'table' | 'enum'; name: string } | undefined;
  for (const line of summary.split('\n')) {
    const header = /^\[[-+*]\] (.*)$/.exec(line);
    if (header) {
      const changed = /^Changed the `(.+)` (table|enum)$/.exec(header[1]!);
      section = header[1] === 'Removed tables' ? { kind: 'removedTables' } : changed ? { kind: changed[2] as 'table' | 'enum', name: changed[1]! } : undefined;
      continue;
    }
    if (section?.kind === 'removedTables') {
      const table = /^\s+- (.+)$/.exec(line)?.[1];
      if (table) warnings.push(`You are about to drop the \`${table}\` table. If the table is not empty, all the data it contains will be lost.`);
    } else if (section?.kind === 'table') {
      const column = /^\s+\[-\] Removed column `(.+)`$/.exec(line)?.[1];
      if (column) warnings.push(`You are about to drop the column \`${column}\` on the \`${section.name}\` table. All the data in the column will be lost.`);
    } else if (section?.kind === 'enum') {
      const variant = /^\s+\[-\] Removed variant `(.+)`$/.exec(line)?.[1];
      if (variant) warnings.push(`The value \`${variant}\` of the enum \`${section.name}\` will be removed. If it is still used in the database, this will fail.`);
    }
  }
  return warnings;
}

/**
 * SQLite changes a table by redefining it (`CREATE TABLE "new_X"`, `INSERT INTO "new_X" (<columns>)
 * SELECT ... FROM "X"`, `DROP TABLE "X"`): the columns of X (read from `startState`, the script that
 * creates the state the down step starts from) that the INSERT does not copy are dropped with their data.
 */
export function columnsDroppedByRedefinitions(script: string, startState: string): string[] {
  if (!startState) return [];
  const columnsOf = new Map<string, string[]>();
  for (const table of startState.matchAll(/CREATE TABLE "([^"]+)" \(\n([\s\S]*?)\n\);/g)) {
    columnsOf.set(table[1]!, [...table[2]!.matchAll(/^\s+"([^"]+)" /gm)].map((c) => c[1]!));
  }
  const warnings: string[] = [];
  for (const redefined of script.matchAll(/ALTER TABLE "new_([^"]+)" RENAME TO "([^"]+)"/g)) {
    const table = redefined[2]!;
    const copied = new RegExp(`INSERT INTO "new_${escapeRegExp(redefined[1]!)}" \\(([^)]*)\\) SELECT`).exec(script)?.[1] ?? '';
    const kept = new Set([...copied.matchAll(/"([^"]+)"/g)].map((c) => c[1]!));
    for (const column of columnsOf.get(table) ?? []) {
      if (!kept.has(column)) warnings.push(`You are about to drop the column \`${column}\` on the \`${table}\` table. All the data in the column will be lost.`);
    }
  }
  return warnings;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
