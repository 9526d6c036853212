import type { SqlDriverAdapter } from '@prisma/driver-adapter-utils';
import { overrideMethods } from './override.js';

/**
 * Remembers every adapter a factory hands out so that they can all be closed when the engine is
 * disposed: freeing the Wasm engine does not dispose its adapters, and an open pg pool keeps the
 * process alive while an open SQLite connection keeps the file's exclusive lock.
 */
export class AdapterTracker {
  private readonly open = new Set<SqlDriverAdapter>();

  track(adapter: SqlDriverAdapter): SqlDriverAdapter {
    let disposed = false;
    const tracked = overrideMethods(adapter, {
      dispose: async () => {
        if (disposed) return;
        disposed = true;
        this.open.delete(tracked);
        await adapter.dispose();
      },
    });
    this.open.add(tracked);
    return tracked;
  }

  async closeAll(): Promise<void> {
    const all = [...this.open];
    await Promise.allSettled(all.map((a) => a.dispose()));
  }
}
