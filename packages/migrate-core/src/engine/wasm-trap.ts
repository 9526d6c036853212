/**
 * Turns a trap of the schema engine's WebAssembly instance into a rejection of the engine calls in
 * flight, instead of a crash of the process.
 *
 * Why: a Rust panic in the engine ends in a Wasm `unreachable` trap (a `WebAssembly.RuntimeError`).
 * The engine's methods return promises, but the Rust futures behind them are polled from microtasks
 * that the wasm-bindgen glue queues (`queueMicrotask`) and from promise callbacks. A panic there
 * traps in that microtask, not in the method: the trap is an uncaught exception of the whole
 * process (Node prints a Wasm stack trace and exits) and the method's promise never settles.
 * So while an engine call is in flight we listen for uncaught exceptions and unhandled rejections:
 * a `WebAssembly.RuntimeError` rejects every call in flight (a trap leaves the instance unusable,
 * whichever call caused it); anything else goes on as if we had not listened.
 * Test: test/engine-trap.test.ts.
 */

type RejectOnTrap = (trap: WebAssembly.RuntimeError) => void;

const inFlight = new Set<RejectOnTrap>();
let listening = false;

/** Runs one engine call; a trap of the engine while it runs rejects it with the `WebAssembly.RuntimeError`. */
export async function withTrapsAsRejections<T>(call: () => Promise<T>, onTrap: () => void): Promise<T> {
  let rejectOnTrap: RejectOnTrap = () => undefined;
  const trapped = new Promise<never>((_, reject) => {
    rejectOnTrap = (trap) => {
      onTrap();
      reject(trap);
    };
  });
  inFlight.add(rejectOnTrap);
  listen();
  try {
    return await Promise.race([call(), trapped]);
  } catch (error) {
    // A trap in the synchronous part of a call (argument conversion) is thrown by the call itself.
    if (isWasmTrap(error)) onTrap();
    throw error;
  } finally {
    inFlight.delete(rejectOnTrap);
    if (inFlight.size === 0) stopListening();
  }
}

export function isWasmTrap(error: unknown): error is WebAssembly.RuntimeError {
  return error instanceof WebAssembly.RuntimeError;
}

function onUncaughtException(error: unknown): void {
  if (isWasmTrap(error) && inFlight.size > 0) rejectAllInFlight(error);
  else passOn('uncaughtException', error);
}

function onUnhandledRejection(reason: unknown): void {
  if (isWasmTrap(reason) && inFlight.size > 0) rejectAllInFlight(reason);
  else passOn('unhandledRejection', reason);
}

function rejectAllInFlight(trap: WebAssembly.RuntimeError): void {
  for (const reject of [...inFlight]) reject(trap);
  inFlight.clear();
  stopListening();
}

/**
 * Not the engine's: when another listener is there, it handles the error; otherwise Node's own
 * behaviour (print, exit 1; an unhandled rejection becomes an uncaught exception) follows once we
 * stop listening and throw it again.
 */
function passOn(event: 'uncaughtException' | 'unhandledRejection', error: unknown): void {
  if (process.listenerCount(event) > 1) return;
  stopListening();
  process.nextTick(() => {
    throw error;
  });
}

function listen(): void {
  if (listening) return;
  listening = true;
  process.on('uncaughtException', onUncaughtException);
  process.on('unhandledRejection', onUnhandledRejection);
}

function stopListening(): void {
  if (!listening) return;
  listening = false;
  process.removeListener('uncaughtException', onUncaughtException);
  process.removeListener('unhandledRejection', onUnhandledRejection);
}
