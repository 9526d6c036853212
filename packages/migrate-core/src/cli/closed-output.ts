import type { UiStreams } from './ui.js';

type Output = UiStreams['stdout'];

/**
 * The CLI's streams, with stdout and stderr that go quiet once their reader is gone
 * (`migrate-kit deploy | head -1`): what is written after that is dropped, and the command goes on
 * to the end, its own outcome deciding the exit code.
 *
 * Why: a write to a pipe whose reader has exited fails with EPIPE, which Node emits as an 'error'
 * event on process.stdout; with no listener that event crashed the process with a stack trace,
 * half way through a deploy.
 * Test: test/closed-stdout.test.ts.
 */
export function quietWhenClosed(streams: UiStreams): UiStreams {
  return { ...streams, stdout: quietOutput(streams.stdout), stderr: quietOutput(streams.stderr) };
}

const guarded = new WeakMap<Output, Output>();

function quietOutput(stream: Output): Output {
  const known = guarded.get(stream);
  if (known) return known;
  let closed = false;
  // Any write error means nobody reads this stream any more (EPIPE, ERR_STREAM_DESTROYED, ...).
  stream.on('error', () => {
    closed = true;
  });
  const write = (chunk: unknown, ...rest: unknown[]): boolean => {
    if (closed || (stream as { destroyed?: boolean }).destroyed) {
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }
    return Reflect.apply(stream.write, stream, [chunk, ...rest]) as boolean;
  };
  const quiet = new Proxy(stream, {
    get(target, prop) {
      if (prop === 'write') return write;
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  guarded.set(stream, quiet);
  return quiet;
}
