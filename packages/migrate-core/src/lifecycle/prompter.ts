import { ErrorCodes, MigrateError } from '../errors.js';

/** A question the lifecycle may ask; `flag` is how to answer it without a prompt. */
export interface Question {
  message: string;
  flag: string;
}

/**
 * How the lifecycle asks a person. The CLI passes a terminal prompter when stdin is a TTY and
 * `nonInteractivePrompter` otherwise, so that nothing ever waits for input that cannot come.
 */
export interface Prompter {
  confirm(question: Question): Promise<boolean>;
  /** `fallback` is used when nobody can be asked (Prisma's unnamed migration in CI). */
  text(question: Question & { fallback?: string }): Promise<string>;
}

/** Fails at once, naming the flag that answers the question. */
export const nonInteractivePrompter: Prompter = {
  async confirm(question) {
    throw new MigrateError(ErrorCodes.nonInteractive, `${question.message}\nThis needs an answer, and the environment is not interactive.`, {
      hint: `Pass ${question.flag} to answer it from the command line.`,
      details: { flag: question.flag },
    });
  },
  async text(question) {
    if (question.fallback !== undefined) return question.fallback;
    throw new MigrateError(ErrorCodes.nonInteractive, `${question.message}\nThis needs an answer, and the environment is not interactive.`, {
      hint: `Pass ${question.flag} <value>.`,
      details: { flag: question.flag },
    });
  },
};
