#!/usr/bin/env node
// Stand-in for Prisma's native schema-engine binary, named by PRISMA_SCHEMA_ENGINE_BINARY when
// prisma-migrate hands a command to the prisma CLI. Commands that really need the native engine
// (db pull, and migrate verbs run through stock prisma) end here with an explanation.
process.stderr.write(
  'This command needs Prisma\'s native schema engine, which prisma-migrate does not download.\n' +
    'prisma-migrate runs migrate dev/deploy/status/resolve/reset/diff, db push and db execute in-process;\n' +
    'for other engine commands (e.g. db pull), install the engine or set PRISMA_SCHEMA_ENGINE_BINARY to it.\n',
);
process.exit(1);
