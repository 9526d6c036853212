import pc from 'picocolors';
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
  confirm: async (q) => (await import('@inquirer/prompts')).confirm({ message: q.message, default: false }),
  text: async (q) => (await import('@inquirer/prompts')).input({ message: q.message }),
};

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
