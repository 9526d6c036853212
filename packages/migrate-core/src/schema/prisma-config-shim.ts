/**
 * What `prisma/config` (and `@prisma/config`) resolve to while the quick config loader
 * (prisma-config-quick.ts) evaluates a project's `prisma.config.ts`: `defineConfig` and `env` as
 * a config file uses them, without loading Prisma's own package (about 0.6 s of module loading,
 * most of it the `effect` library).
 *
 * Anything this cannot answer as Prisma would throws, and the loader then hands the file to
 * Prisma's own loader: `env()` of an unset variable, a feature the config needs `experimental`
 * for (checked after loading), a name this module does not export (a TypeError on use).
 */
export class PrismaConfigEnvError extends Error {
  constructor(name: string) {
    super(`Cannot resolve environment variable: ${name}.`);
    this.name = 'PrismaConfigEnvError';
  }
}

/** Prisma's `env()`: the variable's value; unset or empty throws. */
export function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new PrismaConfigEnvError(name);
  return value;
}

/** Prisma's `defineConfig`: the loader applies its defaults and checks, so the input is returned as is. */
export function defineConfig<T>(input: T): T {
  return input;
}
