import { ErrorCodes, MigrateError } from '@migrate-kit/migrate-core/cli';
import { installGroupByPolyfills } from './node-compat.js';

/**
 * Turns a ZModel schema (imports merged) into Prisma schema text, in memory, with ZenStack's own
 * loader and generator: the text `zen` would write to `~schema.prisma`, without the file.
 * ZModel errors come back as ZenStack prints them (`file:line:column - message`); its warnings
 * (which `zen` prints in yellow and goes on) come back with the text.
 */
export async function zmodelToPrismaSchema(zmodelPath: string): Promise<{ prismaSchema: string; warnings: string[]; dropped: DroppedDatasourceFields }> {
  installGroupByPolyfills();
  const [{ loadDocument }, { PrismaSchemaGenerator }, ast] = await Promise.all([
    import('@zenstackhq/language'),
    import('@zenstackhq/sdk'),
    import('@zenstackhq/language/ast'),
  ]);
  const loaded = await loadDocument(zmodelPath, [], true);
  if (!loaded.success) {
    // Some of ZenStack's checks (a second `@@auth`, list types on SQLite, ...) carry no position.
    const located = loaded.errors.some((e) => /:\d+:\d+ - /.test(e));
    throw new MigrateError('MK_ZMODEL', `The ZModel schema ${zmodelPath} has errors:\n\n${loaded.errors.map((e) => `  ${e}`).join('\n')}`, {
      hint: located ? 'Fix the errors above (file:line:column) and run the command again.' : 'Fix the errors above and run the command again.',
      details: { errors: loaded.errors },
    });
  }
  if (!loaded.model.declarations.some(ast.isDataSource)) {
    throw new MigrateError(ErrorCodes.usage, 'The ZModel schema must define a datasource.', {
      hint: "Add one, e.g. datasource db { provider = 'sqlite' url = 'file:./dev.db' }.",
    });
  }
  const datasource = loaded.model.declarations.find(ast.isDataSource);
  const field = (name: string) => datasource?.fields.find((f) => f.name === name)?.value;
  const defaultSchema = field('defaultSchema');
  const dropped: DroppedDatasourceFields = {
    defaultSchema: defaultSchema && ast.isStringLiteral(defaultSchema) ? defaultSchema.value : undefined,
    hasSchemas: field('schemas') !== undefined,
  };
  return { prismaSchema: await new PrismaSchemaGenerator(loaded.model).generate(), warnings: loaded.warnings, dropped };
}

/** What ZenStack's generator leaves out of the Prisma schema without a word (its NON_PRISMA_DATASOURCE_FIELDS). */
export interface DroppedDatasourceFields {
  /** `defaultSchema` of the datasource: the schema ZenStack's ORM queries. */
  defaultSchema: string | undefined;
  /** Whether the datasource lists `schemas` (then the generator puts `@@schema(defaultSchema)` on every model itself). */
  hasSchemas: boolean;
}
