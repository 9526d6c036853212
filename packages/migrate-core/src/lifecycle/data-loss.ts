import { ErrorCodes, MigrateError } from '../errors.js';
import { extensionsCreatedBy, historyScripts, withoutExtensionsAlreadyThere } from '../schema/extensions.js';
import type { Prompter } from './prompter.js';
import type { Session } from './session.js';

/** What a new migration would do to the rows of the development database (the engine's evaluateDataLoss). */
export interface DataLossEvaluation {
  migrationSteps: number;
  /** Data the migration drops (`You are about to drop the column ..., which still contains 2 non-null values.`). */
  warnings: string[];
  /** Steps that cannot run on the rows there (`Added the required column ... There are 2 rows in this table ...`). */
  unexecutable: { stepIndex: number; message: string }[];
}

/** The schema as the engine compares it with the replayed history, whose extensions it loses (schema/extensions.ts). */
export function schemaAgainstHistory(session: Session): { files: { path: string; content: string }[] } {
  return { files: withoutExtensionsAlreadyThere(session.schema().files, extensionsCreatedBy(historyScripts(session.folder, session.source.shadowDbInitScript))) };
}

/**
 * Counts what the next migration would drop or could not do on the development database's rows.
 * The engine needs a devDiagnostic of the same migration list first, in the same engine (its
 * shadow replay is cached by that list).
 */
export async function evaluateDataLoss(session: Session, schema: { files: { path: string; content: string }[] }): Promise<DataLossEvaluation> {
  const evaluation = await session.engine.evaluateDataLoss({ migrationsList: session.migrationList(), schema, filters: session.filters });
  return {
    migrationSteps: evaluation.migrationSteps,
    warnings: evaluation.warnings.map((w) => w.message),
    unexecutable: evaluation.unexecutableSteps.map((s) => ({ stepIndex: s.stepIndex, message: s.message })),
  };
}

/**
 * Prisma's data-loss question (`migrate dev`): the warnings, then "Are you sure you want to
 * create [and apply] this migration?". `--accept-data-loss` answers it; without a TTY and without
 * the flag the prompter refuses at once, naming the flag. A "no" cancels (exit 130). Nothing is
 * asked when there is nothing to warn about.
 */
export async function confirmDataLoss(
  prompter: Prompter,
  messages: { warnings: readonly string[]; unexecutable?: readonly string[] },
  options: { action: 'create this migration' | 'create and apply this migration'; acceptDataLoss: boolean | undefined },
): Promise<void> {
  const unexecutable = messages.unexecutable ?? [];
  if ((messages.warnings.length === 0 && unexecutable.length === 0) || options.acceptDataLoss) return;
  const listed = [...messages.warnings, ...unexecutable].map((w) => `  • ${w}`).join('\n');
  const editFirst = unexecutable.length ? '\n\nThe steps that are not possible on the rows there fail when the migration is applied: edit the migration before applying it.' : '';
  const ok = await prompter.confirm({
    message: `Warnings for the current datasource:\n\n${listed}${editFirst}\n\nAre you sure you want to ${options.action}?`,
    flag: '--accept-data-loss',
  });
  if (!ok) throw new MigrateError(ErrorCodes.cancelled, 'Migration cancelled.', { exitCode: 130 });
}
