// Plain JavaScript, unlike the rest of the package: Vite bundles a vitest.config.ts but leaves
// its package imports to Node, which (Node 20) cannot load TypeScript. Types: vitest-config.d.ts.
import { defineConfig } from 'vitest/config';

/**
 * The vitest config the packages share: the `.test.ts` files below test/, in forked workers two
 * at a time, 60 s per test and per hook; `overrides` replaces any of these or adds settings.
 * @param {import('vitest/config').TestUserConfig} [overrides]
 */
export function packageTestConfig(overrides = {}) {
  return defineConfig({
    test: {
      include: ['test/**/*.test.ts'],
      testTimeout: 60_000,
      hookTimeout: 60_000,
      pool: 'forks',
      maxWorkers: 2,
      ...overrides,
    },
  });
}
