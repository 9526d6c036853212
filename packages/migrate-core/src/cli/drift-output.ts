import type { SchemaSource } from '../source.js';
import type { DriftDifference, DriftReport } from '../lifecycle/drift.js';
import type { readMigrationsFolder } from '../history/migrations-folder.js';
import type { FlagDefinition, OperationContext } from './operations.js';
import type { Ui } from './ui.js';

/** `deploy --check-drift`, `status --drift`: the flags, the check and what is said about it. */
export const FAIL_ON_DRIFT_FLAG: FlagDefinition = {
  flags: '--fail-on-drift',
  description: 'With the drift check: exit 1 when the database differs from what its migrations produce, or when there is no snapshot to compare with (for CI)',
};

export interface DriftCheck {
  report: DriftReport;
  /** 1 when `--fail-on-drift` and the database drifted or could not be compared; 0 otherwise. */
  exitCode: number;
}

/** Runs the drift check when asked (`--fail-on-drift` asks too) and says what it found; undefined when not asked. */
export async function driftCheckIfAsked(
  asked: boolean,
  ctx: Pick<OperationContext, 'flags' | 'ui' | 'commandFor'>,
  source: SchemaSource,
  folder?: ReturnType<typeof readMigrationsFolder>,
): Promise<DriftCheck | undefined> {
  const failOnDrift = Boolean(ctx.flags.failOnDrift);
  if (!asked && !failOnDrift) return undefined;
  const { checkDrift } = await import('../lifecycle/drift.js');
  const report = await checkDrift(source, folder);
  const failed = failOnDrift && (report.state === 'drifted' || report.state === 'noSnapshot');
  sayDrift(ctx.ui, report, failed, ctx.commandFor);
  return { report, exitCode: failed ? 1 : 0 };
}

const CHANGE_WORDS: Record<DriftDifference['change'], string> = { added: 'added', removed: 'missing', changed: 'changed' };

function sayDrift(ui: Ui, report: DriftReport, failed: boolean, commandFor: OperationContext['commandFor']): void {
  const c = ui.colors;
  const tell = failed ? (text: string) => ui.say(c.red(text)) : (text: string) => ui.warn(c.yellow(text));
  ui.say('');
  switch (report.state) {
    case 'noMigrationApplied':
      ui.say(c.dim('Drift check: no migration is applied to the database yet, nothing to compare.'));
      return;
    case 'clean':
      ui.say(c.green(`No drift: the database is what its migrations produce (snapshot of ${report.migration}).`));
      return;
    case 'noSnapshot':
      tell(
        `Drift check: the last applied migration, ${report.migration}, has no schema snapshot (${report.snapshot}) to compare the database with.\n` +
          `It was written by stock Prisma, by --create-only or by hand, or before snapshots existed. Run ${commandFor('createMigration', 'applyDevelopment')} on a development database that holds the migrations to write it, and commit it.`,
      );
      return;
    case 'drifted': {
      const n = report.differences.length;
      tell(`Drift: the database differs from what its migrations produce (snapshot of ${report.migration}), ${n} difference${n === 1 ? '' : 's'}:`);
      for (const d of report.differences) ui.say(`  ${describeDifference(d)}`);
      if (!failed) ui.say(c.dim('\n(a warning; --fail-on-drift exits 1 on drift)'));
    }
  }
}

/** `[+] column User.nickname added: text`, `[~] column User.age changed: integer NOT NULL -> text NOT NULL`. */
export function describeDifference(d: DriftDifference): string {
  const mark = d.change === 'added' ? '[+]' : d.change === 'removed' ? '[-]' : '[~]';
  const detail = d.change === 'changed' ? `${d.expected} -> ${d.actual}` : (d.actual ?? d.expected);
  return `${mark} ${d.object} ${d.name} ${CHANGE_WORDS[d.change]}: ${detail}`;
}
