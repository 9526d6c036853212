import { installedExtensions } from '../engine/postgres-extensions.js';
import { ErrorCodes, MigrateError } from '../errors.js';
import { declaresExtensions, withoutExtensionsAlreadyThere } from '../schema/extensions.js';
import type { SchemaSource } from '../source.js';
import { type LifecycleOptions, withSession } from './session.js';

export interface PushOptions {
  acceptDataLoss?: boolean | undefined;
  /** Reset the database before pushing. */
  forceReset?: boolean | undefined;
}

export interface PushResult {
  reset: boolean;
  executedSteps: number;
  warnings: string[];
}

/** `db push`: makes the database match the schema without a migration. Asks before losing data. */
export async function push(source: SchemaSource, options: PushOptions & LifecycleOptions = {}): Promise<PushResult> {
  return withSession(source, { ...options, createDatabase: true }, async (session) => {
    if (options.forceReset) {
      await session.holdMigrationLock(); // as reset.ts does: the engine's reset takes no lock
      await session.engine.reset({ filter: session.filters });
    }
    const files = session.schema().files;
    const schema = { files: declaresExtensions(files) ? withoutExtensionsAlreadyThere(files, await installedExtensions(session.connection)) : files };
    const attempt = (force: boolean) => session.engine.schemaPush({ force, schema, filters: session.filters });
    let result = await attempt(Boolean(options.acceptDataLoss));
    if (result.unexecutable.length > 0) {
      throw new MigrateError(ErrorCodes.unexecutable, `We found changes that cannot be executed:\n\n${result.unexecutable.map((u) => `  • ${u}`).join('\n')}`, {
        hint: 'Use --force-reset to drop the database before the push. All data will be lost.',
      });
    }
    if (result.warnings.length > 0 && result.executedSteps === 0 && !options.acceptDataLoss) {
      const ok = await session.prompter.confirm({
        message: `There might be data loss when applying the changes:\n\n${result.warnings.map((w) => `  • ${w}`).join('\n')}\n\nDo you want to ignore the warning(s)?`,
        flag: '--accept-data-loss',
      });
      if (!ok) throw new MigrateError(ErrorCodes.cancelled, 'Push cancelled.', { exitCode: 130 });
      result = await attempt(true);
    }
    return { reset: Boolean(options.forceReset), executedSteps: result.executedSteps, warnings: result.warnings };
  });
}
