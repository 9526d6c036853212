import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MigrateError } from '@migrate-kit/migrate-core/cli';

/** What `keystone-migrate dev` hands on to the withMigrations plugin (`useMigrations`) inside `keystone dev`. */
export interface DevAnswers {
  /** `--name`: the name of a migration generated at start (MIGRATE_KIT_MIGRATION_NAME). */
  migrationName?: string | undefined;
  /** `--accept-data-loss`: answers the data-loss question of a migration generated at start (MIGRATE_KIT_ACCEPT_DATA_LOSS=1). */
  acceptDataLoss?: boolean | undefined;
}

/**
 * Runs the project's own `keystone dev --no-db-push` (after keystone-migrate dev applied the
 * pending migrations): spawned with an argument array, stdio inherited, signals forwarded, the
 * answers handed on for the withMigrations plugin's `useMigrations` through the environment.
 */
export async function runKeystoneDev(cwd: string, extraArgs: string[], answers: DevAnswers = {}): Promise<number> {
  let bin: string;
  try {
    const require = createRequire(join(cwd, 'package.json'));
    const pkg = require.resolve('@keystone-6/core/package.json');
    bin = join(dirname(pkg), 'bin', 'cli.js');
  } catch {
    throw new MigrateError('MK_KEYSTONE_NOT_INSTALLED', 'Could not find @keystone-6/core from the project.', { hint: 'Install it: npm install @keystone-6/core@^8.' });
  }
  const env = {
    ...process.env,
    ...(answers.migrationName ? { MIGRATE_KIT_MIGRATION_NAME: answers.migrationName } : {}),
    ...(answers.acceptDataLoss ? { MIGRATE_KIT_ACCEPT_DATA_LOSS: '1' } : {}),
  };
  const child = spawn(process.execPath, [bin, 'dev', '--no-db-push', ...extraArgs], { cwd, stdio: 'inherit', env });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, forward);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 143)));
    });
  } finally {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, forward);
  }
}
