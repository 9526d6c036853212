import { relative } from 'node:path';
import { ErrorCodes, MigrateError } from '../errors.js';
import { DOWN_FILE_NAME } from '../history/migrations-folder.js';
import type { Operation, OperationContext, Outcome } from './operations.js';

/** `down [--to <name>] [--steps N] [--force]`: runs the down.sql of the last applied migrations (lifecycle/down.ts). */
export const downOperation: Operation = {
  flags: [
    { flags: '--to <name>', description: 'Roll back every applied migration after this one (it stays applied)' },
    { flags: '--steps <n>', description: 'How many of the last applied migrations to roll back (default: 1)' },
    { flags: '-f, --force', description: 'Skip the confirmation prompt' },
  ],
  async run({ flags, loadSource, ui, commandFor }) {
    const steps = flags.steps === undefined ? undefined : Number(flags.steps);
    if (steps !== undefined && !/^\d+$/.test(String(flags.steps))) {
      throw new MigrateError(ErrorCodes.usage, `--steps must be a whole number (got ${String(flags.steps)}).`, { hint: 'e.g. --steps 2' });
    }
    const source = await loadSource();
    const { down } = await import('../lifecycle/down.js');
    const result = await down(source, { to: flags.to as string | undefined, steps, force: Boolean(flags.force), prompter: ui.prompter, onProgress: ui.progress });
    ui.say(`The following migration(s) have been rolled back, in this order:\n\n${relative(process.cwd(), source.migrationsDir) || '.'}/`);
    for (const name of result.rolledBack) ui.say(`  └─ ${name}/\n    └─ ${DOWN_FILE_NAME}`);
    ui.say(`\n${ui.colors.green('Rolled back.')} ${commandFor('status')} shows ${result.rolledBack.length === 1 ? 'it' : 'them'} pending; ${commandFor('deploy')} applies ${result.rolledBack.length === 1 ? 'it' : 'them'} again.`);
    return { exitCode: 0, json: { ...result } };
  },
};

/** `check --down`: each down.sql checked by a round trip on the shadow database (lifecycle/check-down.ts). */
export async function runCheckDown({ loadSource, ui }: OperationContext): Promise<Outcome> {
  const source = await loadSource();
  const { checkDown } = await import('../lifecycle/check-down.js');
  const result = await checkDown(source);
  const c = ui.colors;
  if (result.checked.length === 0) ui.say('No migration has a down.sql to check.');
  else if (result.ok) ui.say(c.green(`${result.checked.length === 1 ? 'The down.sql checked returns' : `Each of the ${result.checked.length} down.sql files returns`} the database to the state before its migration.`));
  for (const failing of result.failing) {
    ui.say(c.red(`${failing.name}/${DOWN_FILE_NAME} does not return to the state before the migration. Left different:`));
    ui.say(`${failing.difference}\n`);
  }
  if (result.withoutDown.length) ui.say(c.dim(`Without a ${DOWN_FILE_NAME} (down refuses to roll them back): ${result.withoutDown.join(', ')}`));
  return { exitCode: result.ok ? 0 : 1, json: { ...result } };
}
