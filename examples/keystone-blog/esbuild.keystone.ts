// keystone build / keystone dev bundle keystone.ts into CommonJS and leave whatever sits in
// node_modules to Node. A package linked from a workspace (this example's `workspace:*`, or
// `npm link`) would be bundled instead; keystone-migrate must not be (it is ESM and loads the
// schema engine's WebAssembly through import.meta). Not needed when it is installed from a registry.
export default (config: { external?: string[] }) => ({ ...config, external: [...(config.external ?? []), '@migrate-kit/*'] });
