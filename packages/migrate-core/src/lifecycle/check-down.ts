import { type MigrationsFolder, readDownScript, readMigrationsFolder, toEngineMigrationList } from '../history/migrations-folder.js';
import { renderLockFile } from '../history/lock-file.js';
import type { SchemaSource } from '../source.js';
import { diffTargets, historyToSchema } from './diff.js';

export interface CheckDownResult {
  /** Every migration whose down.sql returns the database to the state before the migration. */
  ok: boolean;
  /** Migrations whose down.sql was checked, in order. */
  checked: string[];
  /** Migrations whose down.sql does not return to the state before them: what is left different (the engine's summary). */
  failing: { name: string; difference: string }[];
  /** Migrations without a down.sql (not a failure: `down` refuses to roll them back). */
  withoutDown: string[];
}

/**
 * `check --down`: each down.sql (written by `dev`, or edited by hand) checked by a round trip on
 * the shadow database: the history up to and including the migration, then its down.sql, must
 * leave the schema the history before the migration leaves. Touches neither the main database nor
 * the folder.
 */
export async function checkDown(source: SchemaSource): Promise<CheckDownResult> {
  const input = historyToSchema(source);
  const folder = readMigrationsFolder(source.migrationsDir);
  const withDown = folder.migrations.map((m, index) => ({ index, name: m.name, down: readDownScript(source.migrationsDir, m.name) }));
  const checked = withDown.filter((m): m is typeof m & { down: string } => m.down !== undefined);
  const list = (migrations: MigrationsFolder['migrations']) => toEngineMigrationList({ ...folder, lockFile: folder.lockFile ?? renderLockFile(source.provider), migrations }, source.shadowDbInitScript);
  const outputs = await diffTargets(
    input,
    checked.map((m) => ({
      from: { tag: 'migrations', ...list(folder.migrations.slice(0, m.index)) },
      to: { tag: 'migrations', ...list([...folder.migrations.slice(0, m.index + 1), { name: `${m.name}_down`, script: { ok: true, text: m.down } }]) },
    })),
  );
  const failing = checked.flatMap((m, i) => (outputs[i]!.empty ? [] : [{ name: m.name, difference: outputs[i]!.text.trim() }]));
  return { ok: failing.length === 0, checked: checked.map((m) => m.name), failing, withoutDown: withDown.filter((m) => m.down === undefined).map((m) => m.name) };
}
