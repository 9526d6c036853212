import { setFlagsFromString } from 'node:v8';

/**
 * V8's budget before a hot Wasm function is recompiled by its optimizing compiler (TurboFan);
 * V8's own default is 1,800,000 on Node 20 (roughly bytes of Wasm code executed).
 */
const SHORT_RUN_WASM_TIERING_BUDGET = 1_000_000_000;

/**
 * For a process that runs one command and exits (the CLIs, through runCli): the engine's Wasm
 * stays on V8's baseline compiler (Liftoff) instead of being recompiled by TurboFan once hot.
 * Functions Liftoff cannot compile still go to TurboFan (the budget only delays tier-up).
 *
 * Why: with V8's default budget, a `deploy` recompiles a few dozen of the engine's functions with
 * TurboFan on background threads, which on a 2-core machine compete with the command itself and
 * never pay for themselves in a run this short. Measured (bench/RESULTS.md): process CPU of a
 * deploy of 3 migrations on 300 applied -13%, applyMigrations' own CPU 200 -> 80 ms; `dev
 * --create-only` on a 300-migration history -22%. Not done for a library user's process (the
 * Keystone plugin runs deploy inside the app): the flag is V8's, for every Wasm module of the process.
 * Test: test/wasm-tiering.test.ts.
 */
export function keepWasmOnBaselineCompiler(): void {
  setFlagsFromString(`--wasm-tiering-budget=${SHORT_RUN_WASM_TIERING_BUDGET}`);
}
