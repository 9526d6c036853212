import { createRequire } from 'node:module';
import type PgModule from 'pg';

/**
 * The pg driver, loaded without its Cloudflare probe on Node 20: every module of ours uses this
 * one (and @prisma/adapter-pg, importing pg after it, gets the same instance from Node's cache).
 *
 * Why: when it loads, pg asks whether it runs in a Cloudflare Worker. Where `navigator` is not
 * defined (Node 20; Node 21 and later define it) it constructs a `Response`, which loads Node's
 * bundled fetch implementation (undici): ~20 ms of every PostgreSQL command's start-up (measured
 * in bench/RESULTS.md). A `navigator` whose userAgent is not Cloudflare's answers the question
 * the same way (no) without it; it exists only while pg's modules are evaluated (synchronously:
 * nothing else runs meanwhile) and is removed right after.
 * Test: test/engine-compat.test.ts ("pg loads without undici ...").
 */
function loadPg(): typeof PgModule {
  const require = createRequire(import.meta.url);
  const global = globalThis as { navigator?: unknown };
  if ('navigator' in globalThis) return require('pg') as typeof PgModule;
  Object.defineProperty(globalThis, 'navigator', { value: { userAgent: 'Node.js' }, configurable: true, enumerable: false, writable: true });
  try {
    return require('pg') as typeof PgModule;
  } finally {
    delete global.navigator;
  }
}

export const pg = loadPg();
