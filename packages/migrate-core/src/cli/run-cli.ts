import { Argument, Command, CommanderError, Option } from 'commander';
import { interruptingSignal, onInterruption, signalExitCode } from '../engine/cleanup.js';
import { onHistoryCacheKept } from '../engine/shadow/history-cache.js';
import { keepWasmOnBaselineCompiler } from '../engine/wasm-tiering.js';
import { type CommandNamer, ErrorCodes, isMigrateError, MigrateError } from '../errors.js';
import { redactJsonValue, redactSecrets, registerSecretsOfInputs } from '../redact.js';
import type { SchemaSource } from '../source.js';
import { quietWhenClosed } from './closed-output.js';
import { type FlagDefinition, type OperationName, operations } from './operations.js';
import { createUi, type Ui, type UiStreams } from './ui.js';

/** One verb of a CLI: its words, the lifecycle operation behind it, and its help. */
export interface VerbDefinition {
  /** The words that name it, e.g. `['migrate', 'dev']`. */
  path: string[];
  /**
   * Other words that name the same verb, e.g. `[['migrate', 'create']]` for Keystone's spellings
   * of `create`: they run it, and `--help` shows them on its line (`create|migrate create`). A
   * group only aliases use (`migrate`) is left out of the top-level list; its own help lists them.
   */
  aliases?: string[][];
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
  return definition.verbs.some((v) =>
    [v.path, ...(v.aliases ?? [])].some((path) => words.length > 0 && path[0] === words[0] && (path.length === 1 || words.length < 2 || path[1] === words[1])),
  );
}

const TOP_LEVEL_OWN = new Set(['-h', '--help', 'help', '-v', '--version']);

const defaultStreams = (): UiStreams => ({ stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });

/**
 * Runs a CLI defined by a verb table and returns the exit code. This is the one place where
 * errors become exit codes: usage errors 1, MigrateError its own code (1, or 130 when a human
 * has to decide), anything unexpected 1; a verb's outcome decides otherwise.
 */
export async function runCli(definition: CliDefinition, argv: string[], givenStreams: UiStreams = defaultStreams()): Promise<number> {
  const streams = quietWhenClosed(givenStreams);
  const verbPath = (operation: OperationName) => definition.verbs.find((v) => v.operation === operation)?.path;
  const command: CommandNamer = (...names) => `${definition.name} ${(names.map(verbPath).find(Boolean) ?? [names[0]!]).join(' ')}`;
  registerSecretsOfInputs(argv, streams.env);
  // The CLI's process runs this one command: no tier-up of the engine's Wasm (engine/wasm-tiering.ts).
  keepWasmOnBaselineCompiler();
  if (definition.passthrough && argv.length > 0 && !TOP_LEVEL_OWN.has(argv[0]!) && !namesVerb(definition, argv)) {
    try {
      return await definition.passthrough(argv);
    } catch (error) {
      return reportError(error, streams, false, command);
    }
  }
  let exitCode = 0;
  let json = argv.includes('--json');
  // A signal's cleanups may end the process before the interrupted operation's error arrives here,
  // or after: whichever comes first says "cancelled", once.
  let cancelReported = false;
  const reportCancelled = (signal: NodeJS.Signals, cause?: unknown): number => {
    const failure = cancelledBy(signal, cause);
    if (!cancelReported) reportError(failure, streams, json, command);
    cancelReported = true;
    return failure.exitCode;
  };
  onInterruption((signal) => reportCancelled(signal));
  const program = new Command(definition.name)
    .description(definition.description)
    .version(definition.version, '-v, --version')
    .showHelpAfterError(`(run ${definition.name} <command> --help for the flags of a command)`)
    .exitOverride()
    .configureOutput({ writeOut: (s) => streams.stdout.write(s), writeErr: (s) => streams.stderr.write(redactSecrets(s)) });

  // A verb's aliases are shown on its line of the command list: `create|migrate generate|migrate create`.
  const aliasesOf = new Map<Command, string[]>();
  program.configureHelp({
    subcommandTerm(cmd) {
      const args = cmd.registeredArguments.map((a) => (a.required ? `<${a.name()}${a.variadic ? '...' : ''}>` : `[${a.name()}${a.variadic ? '...' : ''}]`)).join(' ');
      return [cmd.name(), ...(aliasesOf.get(cmd) ?? [])].join('|') + (cmd.options.length ? ' [options]' : '') + (args ? ` ${args}` : '');
    },
  });
  const groups = new Map<string, Command>();
  for (const verb of definition.verbs) {
    const commands = [verb.path, ...(verb.aliases ?? [])].map((path, index) => verbCommand(path, index > 0, verb, index > 0 ? `Same as \`${definition.name} ${verb.path.join(' ')}\`: ${verb.summary.charAt(0).toLowerCase()}${verb.summary.slice(1)}` : verb.summary));
    const aliases = (verb.aliases ?? []).map((path) => path.join(' '));
    if (aliases.length) aliasesOf.set(commands[0]!, aliases);
  }

  /** One spelling of a verb, under its group commands (created on first use; a group only aliases use is hidden from the top-level list). */
  function verbCommand(path: string[], isAlias: boolean, verb: VerbDefinition, description: string): Command {
    let parent = program;
    for (const word of path.slice(0, -1)) {
      const key = `${groups.size}:${word}`;
      const existing = [...groups.entries()].find(([k, c]) => k.endsWith(`:${word}`) && c.parent === parent)?.[1];
      const group = existing ?? parent.command(word, { hidden: isAlias }).description(`${word} commands`).exitOverride();
      if (!existing) groups.set(key, group);
      parent = group;
    }
    const operation = operations[verb.operation];
    const command = parent.command(path.at(-1)!).description(description).exitOverride();
    const omitted = new Set(verb.omitFlags ?? []);
    for (const flag of [...operation.flags, ...(verb.extraFlags ?? []), ...definition.sourceFlags]) {
      if (![...omitted].some((name) => flag.flags.split(/[ ,]+/).includes(name))) command.addOption(new Option(flag.flags, flag.description));
    }
    for (const rejected of verb.rejectedFlags ?? []) {
      command.addOption(new Option(`${rejected.flag}${rejected.takesValue ? ' [value]' : ''}`).hideHelp());
    }
    command.addOption(new Option('--json', 'Print the result as one JSON document on stdout'));
    const argument = operation.argument;
    if (argument) command.addArgument(new Argument(argument.name, argument.description).choices(argument.choices).default(argument.default));
    command.action(async (...received: unknown[]) => {
      // commander passes the argument (if any) first, then the flags.
      const flags = (argument ? { ...(received[1] as Record<string, unknown>), [argument.key]: received[0] } : received[0]) as Record<string, unknown>;
      json = Boolean(flags.json);
      for (const rejected of verb.rejectedFlags ?? []) {
        const key = rejected.flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
        if (flags[key] !== undefined) throw new MigrateError('MK_USAGE', rejected.message, { hint: `Remove ${rejected.flag}.` });
      }
      const ui = createUi(streams, { json });
      // Said once, when a run first keeps a history cache for a database (engine/shadow/history-cache.ts).
      const cacheVerb = `${definition.name} ${(verbPath('historyCache') ?? ['cache']).join(' ')}`;
      const stopNoting = onHistoryCacheKept((kept) => ui.warn(ui.colors.dim(historyCacheNote(kept.database, kept.name, cacheVerb))));
      const outcome = await operation
        .run({
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
      })
        .finally(stopNoting);
      exitCode = outcome.exitCode;
      if (exitCode === 0 && verb.afterRun) exitCode = await verb.afterRun({ flags, ui, source: () => definition.loadSource(flags) });
      if (json) streams.stdout.write(`${JSON.stringify(redactJsonValue({ ok: true, exitCode, ...outcome.json }), null, 2)}\n`);
    });
    return command;
  }

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    const signal = interruptingSignal();
    return signal ? reportCancelled(signal, error) : reportError(error, streams, json, command);
  }
}

function historyCacheNote(database: string, cache: string, cacheVerb: string): string {
  return `Note: the replayed migration history of database "${database}" was kept on its server as database "${cache}", to make the next dev, check and diff fast (it holds what the migrations insert). MIGRATE_KIT_HISTORY_CACHE=off turns this off; \`${cacheVerb} list\` shows the caches and \`${cacheVerb} clear\` drops them.`;
}

/**
 * Why: on SIGINT/SIGTERM the cleanups (engine/cleanup.ts) drop the temporary shadow database under
 * a running replay, which then fails, and its error (P3006 naming a healthy migration) was printed
 * as the reason. Once a signal arrived, the operation was cancelled, and that is what is reported.
 * Test: test/cancellation.test.ts ("SIGINT during a shadow replay ...").
 */
function cancelledBy(signal: NodeJS.Signals, error: unknown): MigrateError {
  return new MigrateError(ErrorCodes.cancelled, `Cancelled (${signal}): the operation was interrupted before it finished.`, {
    exitCode: signalExitCode(signal),
    cause: error,
  });
}

function reportError(error: unknown, streams: UiStreams, json: boolean, command: CommandNamer): number {
  if (error instanceof CommanderError) {
    // --help and --version end here too, with exit code 0.
    if (error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
    if (error.code === 'commander.help' || error.code === 'commander.executeSubCommandAsync') return error.exitCode;
    if (json) streams.stdout.write(`${JSON.stringify(redactJsonValue({ ok: false, exitCode: 1, error: { code: 'MK_USAGE', message: error.message } }), null, 2)}\n`);
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
    streams.stdout.write(`${JSON.stringify(redactJsonValue(body), null, 2)}\n`);
  } else {
    const ui = createUi(streams, { json: false });
    ui.warn(`${ui.colors.red(`Error: ${failure.code}`)}\n\n${failure.message}${hint ? `\n\n${ui.colors.bold('Hint:')} ${hint}` : ''}`);
  }
  return failure.exitCode;
}
