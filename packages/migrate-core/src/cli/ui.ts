import pc from 'picocolors';
import { describeLockHolder, MIGRATION_LOCK_TIMEOUT_MS } from '../engine/adapters/postgres-migration-lock.js';
import { ErrorCodes, MigrateError } from '../errors.js';
import { nonInteractivePrompter, type Prompter } from '../lifecycle/prompter.js';
import type { ProgressEvent } from '../lifecycle/session.js';
import { redactSecrets } from '../redact.js';

export type Colors = ReturnType<typeof pc.createColors>;

/** Where a command's words go: stdout for results, stderr for progress and errors, and the prompter. */
export interface Ui {
  json: boolean;
  colors: Colors;
  prompter: Prompter;
  /** A result line (stdout). Suppressed in --json mode, where the final JSON document is the output. */
  say(text: string): void;
  /** A warning or a note (stderr). */
  warn(text: string): void;
  progress(event: ProgressEvent): void;
}

export interface UiStreams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** Prompts only where a person can answer: a TTY on both ends, not CI, not TERM=dumb (as Prisma's canPrompt). */
export function canPrompt(streams: UiStreams): boolean {
  const { env } = streams;
  return Boolean(streams.stdin.isTTY && streams.stdout.isTTY) && env.TERM !== 'dumb' && !env.CI && !env.MIGRATE_KIT_NON_INTERACTIVE;
}

/** Colour when writing to a terminal, never with NO_COLOR, always with FORCE_COLOR (picocolors' rules, per stream). */
function colorsFor(stream: UiStreams['stdout'], env: NodeJS.ProcessEnv): Colors {
  const enabled = !('NO_COLOR' in env) && ('FORCE_COLOR' in env || Boolean(stream.isTTY));
  return pc.createColors(enabled);
}

// @inquirer/prompts is imported when a question is asked: most runs never ask one.
const terminalPrompter: Prompter = {
  confirm: (q) => cancellable(async () => (await import('@inquirer/prompts')).confirm({ message: q.message, default: false })),
  text: (q) => cancellable(async () => (await import('@inquirer/prompts')).input({ message: q.message })),
};

/**
 * Ctrl-C at a prompt is the user's "no, stop": cancelled, exit 130 (as a shell reports SIGINT).
 * Why: the terminal is in raw mode while @inquirer/prompts asks, so Ctrl-C arrives as a key, not
 * a signal, and the prompt throws ExitPromptError, which reached the user as MK_UNEXPECTED.
 * Test: test/cancellation.test.ts ("Ctrl-C at the reset question ...").
 */
async function cancellable<T>(ask: () => Promise<T>): Promise<T> {
  try {
    return await ask();
  } catch (error) {
    if ((error as Error)?.name === 'ExitPromptError') throw new MigrateError(ErrorCodes.cancelled, 'Cancelled: nothing was changed.', { exitCode: 130, cause: error });
    throw error;
  }
}

/** The terminal prompter where a person can answer, the one that fails at once naming the flag elsewhere. */
export function prompterFor(streams: UiStreams): Prompter {
  return canPrompt(streams) ? terminalPrompter : nonInteractivePrompter;
}

export function createUi(streams: UiStreams, options: { json: boolean }): Ui {
  const colors = colorsFor(streams.stderr, streams.env);
  const live = Boolean(streams.stderr.isTTY) && !options.json;
  let applied = 0;
  return {
    json: options.json,
    colors,
    prompter: options.json ? nonInteractivePrompter : prompterFor(streams),
    say(text) {
      if (!options.json) streams.stdout.write(`${redactSecrets(text)}\n`);
    },
    warn(text) {
      streams.stderr.write(`${redactSecrets(text)}\n`);
    },
    progress(event) {
      if (event.kind === 'waitingForMigrationLock') {
        // Said wherever stderr goes (logs and --json runs too): a wait nobody explains looks like a hang.
        const line = `Waiting for the migration lock, held by ${describeLockHolder(event.holder)}. Another migrate command may be running; giving up after ${MIGRATION_LOCK_TIMEOUT_MS / 1000} s.`;
        streams.stderr.write(`${live ? '\r\x1b[2K' : ''}${colors.yellow(redactSecrets(line))}\n`);
        return;
      }
      // A live line on a terminal; logs get the per-migration timings in the final summary instead.
      if (!live) return;
      if (event.kind === 'migrationStarted') {
        applied++;
        streams.stderr.write(`\r\x1b[2K${colors.dim(`  applying ${event.name} (${applied})`)}`);
      } else {
        streams.stderr.write('\r\x1b[2K');
      }
    },
  };
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}
