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

/** The generated JS glue, which the .wasm imports and which wraps its exports. */
const GLUE_URL = import.meta.resolve('@prisma/schema-engine-wasm/schema_engine_bg');

let loaded: WasmBindings | undefined;
let compiled: WebAssembly.Module | undefined;
let loadedVersion: string | undefined;
/** Bindings whose instance trapped: they must not be called again (see wasm-trap.ts). */
const crashed = new WeakSet<WasmBindings>();
let instancesAfterTrap = 0;

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
  loaded = instantiate(bindings);
  loadedVersion = loaded.version();
  return loaded;
}

/**
 * The engine's bindings, on a fresh instance if the last one trapped.
 *
 * Why: after a trap (a Rust panic) the instance's memory is left mid-operation; calling it again
 * may trap again or answer wrongly. The generated glue keeps its own module-level state (the
 * instance, views of its memory), so a fresh instance needs a fresh copy of the glue: the same file
 * imported under another URL. The compiled module is reused.
 * Test: test/engine-trap.test.ts ("after a trap, the next engine in the process works").
 */
export async function usableSchemaEngineWasm(): Promise<WasmBindings> {
  const current = loadSchemaEngineWasm();
  if (!crashed.has(current)) return current;
  instancesAfterTrap += 1;
  const glue = (await import(`${GLUE_URL}?instance-after-trap=${instancesAfterTrap}`)) as WasmBindings;
  loaded = instantiate(glue);
  return loaded;
}

/** Marks the bindings' instance as trapped: the next engine gets a fresh one. */
export function markSchemaEngineCrashed(wasm: WasmBindings): void {
  crashed.add(wasm);
}

export function isSchemaEngineCrashed(wasm: WasmBindings): boolean {
  return crashed.has(wasm);
}

function instantiate(glue: WasmBindings): WasmBindings {
  globalThis.PRISMA_WASM_PANIC_REGISTRY ??= {
    message: undefined,
    set_message(message: string) {
      this.message = message;
    },
  };
  compiled ??= new WebAssembly.Module(readFileSync(new URL('schema_engine_bg.wasm', GLUE_URL)));
  const instance = new WebAssembly.Instance(compiled, { './schema_engine_bg.js': withUnrefTimers(glue) });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return glue;
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
  loadSchemaEngineWasm();
  return loadedVersion as string;
}
