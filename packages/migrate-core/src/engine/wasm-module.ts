import { readFileSync } from 'node:fs';
import * as bindings from '@prisma/schema-engine-wasm/schema_engine_bg';

export type WasmBindings = typeof bindings;

interface PanicRegistry {
  message: string | undefined;
  set_message(message: string): void;
}

declare global {
  // Read by the engine's generated bindings when Rust panics (see takePanicMessage).
  var PRISMA_WASM_PANIC_REGISTRY: PanicRegistry | undefined;
}

let loaded: WasmBindings | undefined;

/**
 * Instantiates the schema engine's WebAssembly module, once per process.
 *
 * Why by hand: the package's ESM entry does `import * as wasm from "./schema_engine_bg.wasm"`,
 * which Node refuses. So we read the .wasm, instantiate it with the generated JS glue as its
 * imports, and call `__wbg_set_wasm` and `__wbindgen_start` ourselves. The panic registry must
 * exist first, or a Rust panic surfaces as an unreadable TypeError.
 * Test: test/engine-compat.test.ts ("the Wasm module loads and reports its version").
 */
export function loadSchemaEngineWasm(): WasmBindings {
  if (loaded) return loaded;
  globalThis.PRISMA_WASM_PANIC_REGISTRY ??= {
    message: undefined,
    set_message(message: string) {
      this.message = message;
    },
  };
  const wasmUrl = new URL('schema_engine_bg.wasm', import.meta.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
  const module = new WebAssembly.Module(readFileSync(wasmUrl));
  const instance = new WebAssembly.Instance(module, { './schema_engine_bg.js': withUnrefTimers(bindings) });
  bindings.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  loaded = bindings;
  return loaded;
}

/**
 * The engine's timers, unref'd.
 *
 * Why: the engine arms timeouts (60 s in `evaluateDataLoss` on an engine opened with a schema,
 * for one) and has no clearTimeout import, so a finished CLI process would wait a minute before
 * exiting. Unref'd timers do not hold the process open; while an engine call is in flight,
 * WasmEngine keeps it alive itself.
 * Test: test/engine-compat.test.ts ("the process exits as soon as the command is done").
 */
function withUnrefTimers(glue: WasmBindings): WebAssembly.ModuleImports {
  const imports: WebAssembly.ModuleImports = { ...glue };
  for (const key of Object.keys(imports)) {
    if (!key.startsWith('__wbg_setTimeout_')) continue;
    const original = imports[key] as (callback: () => void, ms: number) => NodeJS.Timeout;
    imports[key] = (callback: () => void, ms: number) => {
      const timer = original(callback, ms);
      timer.unref?.();
      return timer;
    };
  }
  return imports;
}

/** The message of the last Rust panic, if one happened since the last call. */
export function takePanicMessage(): string | undefined {
  const registry = globalThis.PRISMA_WASM_PANIC_REGISTRY;
  const message = registry?.message;
  if (registry) registry.message = undefined;
  return message;
}

/** Version (git hash) of the loaded engine. */
export function schemaEngineVersion(): string {
  return loadSchemaEngineWasm().version();
}
