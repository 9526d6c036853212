import { Command, CommanderError, Option } from 'commander';
import { type CommandNamer, isMigrateError, MigrateError } from '../errors.js';
import { redactSecrets } from '../redact.js';
import type { SchemaSource } from '../source.js';
import { type FlagDefinition, type OperationName, operations } from './operations.js';
import { createUi, type Ui, type UiStreams } from './ui.js';

/** One verb of a CLI: its words, the lifecycle operation behind it, and its help. */
export interface VerbDefinition {
  /** The words that name it, e.g. `['migrate', 'dev']`. */
  path: string[];
  operation: OperationName;
  summary: string;
  /** Flags besides the operation's own (rarely needed). */
  extraFlags?: FlagDefinition[];
  /** Long names of the operation's flags this CLI does not offer (e.g. `--from-url` under Prisma 7 rules). */
  omitFlags?: string[];
  /** Flags this CLI's users may still type from an older version: refused with a message naming the new spelling. */
  rejectedFlags?: { flag: string; takesValue: boolean; message: string }[];
  /**
   * Runs after the operation succeeded (e.g. zen's seed after `migrate reset`); its exit code,
   * when not 0, becomes the command's.
   */
  afterRun?(context: { flags: Record<string, unknown>; ui: Ui; source: () => Promise<SchemaSource> }): Promise<number>;
}

/** A framework's CLI as data: its name, the flags that locate its schema, its verbs. */
export interface CliDefinition {
  name: string;
  version: string;
  description: string;
  /** Flags every verb takes to find the schema and the database (`--schema`, `--url`, ...). */
  sourceFlags: FlagDefinition[];
  loadSource(flags: Record<string, unknown>): Promise<SchemaSource>;
  verbs: VerbDefinition[];
  /**
   * Runs any command line whose words name none of the verbs (a passthrough to another CLI);
   * without it, unknown verbs are usage errors.
   */
  passthrough?(argv: string[]): Promise<number>;
}

/** Whether the leading words of argv name one of the verbs (or a group of them). */
function namesVerb(definition: CliDefinition, argv: string[]): boolean {
  const words = argv.filter((a) => !a.startsWith('-'));
  return definition.verbs.some((v) => words.length > 0 && v.path[0] === words[0] && (v.path.length === 1 || words.length < 2 || v.path[1] === words[1]));
}

const TOP_LEVEL_OWN = new Set(['-h', '--help', 'help', '-v', '--version']);

const defaultStreams = (): UiStreams => ({ stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });

/**
 * Runs a CLI defined by a verb table and returns the exit code. This is the one place where
 * errors become exit codes: usage errors 1, MigrateError its own code (1, or 130 when a human
 * has to decide), anything unexpected 1; a verb's outcome decides otherwise.
 */
export async function runCli(definition: CliDefinition, argv: string[], streams: UiStreams = defaultStreams()): Promise<number> {
  const verbPath = (operation: OperationName) => definition.verbs.find((v) => v.operation === operation)?.path;
  const command: CommandNamer = (operation) => `${definition.name} ${(verbPath(operation) ?? [operation]).join(' ')}`;
  if (definition.passthrough && argv.length > 0 && !TOP_LEVEL_OWN.has(argv[0]!) && !namesVerb(definition, argv)) {
    try {
      return await definition.passthrough(argv);
    } catch (error) {
      return reportError(error, streams, false, command);
    }
  }
  let exitCode = 0;
  let json = argv.includes('--json');
  const program = new Command(definition.name)
    .description(definition.description)
    .version(definition.version, '-v, --version')
    .showHelpAfterError(`(run ${definition.name} <command> --help for the flags of a command)`)
    .exitOverride()
    .configureOutput({ writeOut: (s) => streams.stdout.write(s), writeErr: (s) => streams.stderr.write(s) });

  const groups = new Map<string, Command>();
  for (const verb of definition.verbs) {
    let parent = program;
    for (const word of verb.path.slice(0, -1)) {
      const key = `${groups.size}:${word}`;
      const existing = [...groups.entries()].find(([k, c]) => k.endsWith(`:${word}`) && c.parent === parent)?.[1];
      const group = existing ?? parent.command(word).description(`${word} commands`).exitOverride();
      if (!existing) groups.set(key, group);
      parent = group;
    }
    const operation = operations[verb.operation];
    const command = parent.command(verb.path.at(-1)!).description(verb.summary).exitOverride();
    const omitted = new Set(verb.omitFlags ?? []);
    for (const flag of [...operation.flags, ...(verb.extraFlags ?? []), ...definition.sourceFlags]) {
      if (![...omitted].some((name) => flag.flags.split(/[ ,]+/).includes(name))) command.addOption(new Option(flag.flags, flag.description));
    }
    for (const rejected of verb.rejectedFlags ?? []) {
      command.addOption(new Option(`${rejected.flag}${rejected.takesValue ? ' [value]' : ''}`).hideHelp());
    }
    command.addOption(new Option('--json', 'Print the result as one JSON document on stdout'));
    command.action(async (flags: Record<string, unknown>) => {
      json = Boolean(flags.json);
      for (const rejected of verb.rejectedFlags ?? []) {
        const key = rejected.flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
        if (flags[key] !== undefined) throw new MigrateError('MK_USAGE', rejected.message, { hint: `Remove ${rejected.flag}.` });
      }
      const ui = createUi(streams, { json });
      const outcome = await operation.run({
        flags,
        ui,
        loadSource: async () => {
          const source = await definition.loadSource(flags);
          for (const warning of source.warnings ?? []) ui.warn(ui.colors.yellow(warning));
          return source;
        },
        commandFor: (...names) => {
          const path = names.map(verbPath).find(Boolean);
          return path ? `${definition.name} ${path.join(' ')}` : definition.name;
        },
      });
      exitCode = outcome.exitCode;
      if (exitCode === 0 && verb.afterRun) exitCode = await verb.afterRun({ flags, ui, source: () => definition.loadSource(flags) });
      if (json) streams.stdout.write(`${redactSecrets(JSON.stringify({ ok: true, exitCode, ...outcome.json }, null, 2))}\n`);
    });
  }

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    return reportError(error, streams, json, command);
  }
}

function reportError(error: unknown, streams: UiStreams, json: boolean, command: CommandNamer): number {
  if (error instanceof CommanderError) {
    // --help and --version end here too, with exit code 0.
    if (error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
    if (error.code === 'commander.help' || error.code === 'commander.executeSubCommandAsync') return error.exitCode;
    if (json) streams.stdout.write(`${JSON.stringify({ ok: false, exitCode: 1, error: { code: 'MK_USAGE', message: error.message } }, null, 2)}\n`);
    return 1;
  }
  const failure = isMigrateError(error)
    ? error
    : new MigrateError('MK_UNEXPECTED', `Unexpected error: ${(error as Error)?.stack ?? String(error)}`, {
        hint: 'This is a bug in migrate-kit; please report it with the command you ran.',
      });
  const hint = failure.hintFor(command);
  if (json) {
    const body = { ok: false, exitCode: failure.exitCode, error: { code: failure.code, message: failure.message, hint, ...failure.details } };
    streams.stdout.write(`${redactSecrets(JSON.stringify(body, null, 2))}\n`);
  } else {
    const ui = createUi(streams, { json: false });
    ui.warn(`${ui.colors.red(`Error: ${failure.code}`)}\n\n${failure.message}${hint ? `\n\n${ui.colors.bold('Hint:')} ${hint}` : ''}`);
  }
  return failure.exitCode;
}
