/**
 * keystone-migrate must be loaded by Node as an ES module: the schema engine's WebAssembly and
 * this package's own files are found through `import.meta`. `keystone build` and `keystone dev`
 * bundle keystone.ts into CommonJS with esbuild, leaving out what sits in node_modules, but
 * bundling packages linked from a workspace (pnpm `workspace:*`, `npm link`): there `import.meta`
 * is empty and the build would fail later with an unreadable "Invalid URL". Say what to do.
 * Test: test/plugin.test.ts ("a workspace-linked keystone-migrate needs esbuild.keystone.ts").
 */
if (typeof import.meta.url !== 'string') {
  throw new Error(
    [
      "@migrate-kit/keystone-migrate was bundled into Keystone's CommonJS build of keystone.ts (it is linked from a workspace, so Keystone's esbuild does not leave it out as it does for node_modules). It has to be loaded by Node instead.",
      'Add esbuild.keystone.ts beside keystone.ts:',
      '',
      "  export default (config: { external?: string[] }) => ({ ...config, external: [...(config.external ?? []), '@migrate-kit/*'] });",
    ].join('\n'),
  );
}
