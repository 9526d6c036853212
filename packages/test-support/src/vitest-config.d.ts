import type { TestUserConfig, ViteUserConfig } from 'vitest/config';

/**
 * The vitest config the packages share: the `.test.ts` files below test/, in forked workers two
 * at a time, 60 s per test and per hook; `overrides` replaces any of these or adds settings.
 */
export declare function packageTestConfig(overrides?: TestUserConfig): ViteUserConfig;
