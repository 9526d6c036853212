#!/usr/bin/env node
// Stand-in for Prisma's native schema-engine binary, named by PRISMA_SCHEMA_ENGINE_BINARY when
// prisma-migrate hands a command to the prisma CLI. Commands that really need the native engine
// (migrate and db verbs run through stock prisma) end here with an explanation.
import { createInterface } from 'node:readline';

const explanation =
  "This command needs Prisma's native schema engine, which prisma-migrate does not download.\n" +
  'prisma-migrate runs migrate dev/deploy/status/resolve/reset/diff, db push, db pull and db execute in-process:\n' +
  'run them as `prisma-migrate ...`; for other engine commands, install the engine or set PRISMA_SCHEMA_ENGINE_BINARY to it.';

// `prisma version` (and `prisma-migrate --version`, handed over as it is) asks the engine for its
// version and fails the whole command when it cannot answer.
if (process.argv[2] === '--version') {
  process.stdout.write('schema-engine-cli none (prisma-migrate runs the Wasm schema engine in-process)\n');
  process.exit(0);
}

process.stderr.write(`${explanation}\n`);
if (process.stdin.isTTY) process.exit(1);

// Prisma speaks JSON-RPC on stdin/stdout. Exiting at once is not enough: prisma 7 then waits on an
// engine that already exited, and ends with exit code 0 and no message (seen with `db pull`).
// Answering every request with an error makes it print the explanation and exit 1; when prisma
// closes stdin, the stand-in is done (and has done nothing: exit 1).
createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })
  .on('line', (line) => {
    let request;
    try {
      request = JSON.parse(line);
    } catch {
      return;
    }
    if (request?.id === undefined) return;
    const error = { code: 4466, message: 'An error happened. Check the data field for details.', data: { is_panic: false, message: explanation, meta: {} } };
    process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id: request.id, error })}\n`);
  })
  .on('close', () => process.exit(1));
