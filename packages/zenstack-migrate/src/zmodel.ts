import { ErrorCodes, MigrateError } from '@migrate-kit/migrate-core';
import { installGroupByPolyfills } from './node-compat.js';

/**
 * Turns a ZModel schema (imports merged) into Prisma schema text, in memory, with ZenStack's own
 * loader and generator: the text `zen` would write to `~schema.prisma`, without the file.
 * ZModel errors come back as ZenStack prints them (`file:line:column - message`); its warnings
 * (which `zen` prints in yellow and goes on) come back with the text.
 */
export async function zmodelToPrismaSchema(zmodelPath: string): Promise<{ prismaSchema: string; warnings: string[] }> {
  installGroupByPolyfills();
  const [{ loadDocument }, { PrismaSchemaGenerator }, ast] = await Promise.all([
    import('@zenstackhq/language'),
    import('@zenstackhq/sdk'),
    import('@zenstackhq/language/ast'),
  ]);
  const loaded = await loadDocument(zmodelPath, [], true);
  if (!loaded.success) {
    throw new MigrateError('MK_ZMODEL', `The ZModel schema has errors:\n\n${loaded.errors.map((e) => `  ${e}`).join('\n')}`, {
      hint: 'Fix the errors above (file:line:column) and run the command again.',
      details: { errors: loaded.errors },
    });
  }
  if (!loaded.model.declarations.some(ast.isDataSource)) {
    throw new MigrateError(ErrorCodes.usage, 'The ZModel schema must define a datasource.', {
      hint: "Add one, e.g. datasource db { provider = 'sqlite' url = 'file:./dev.db' }.",
    });
  }
  return { prismaSchema: await new PrismaSchemaGenerator(loaded.model).generate(), warnings: loaded.warnings };
}
