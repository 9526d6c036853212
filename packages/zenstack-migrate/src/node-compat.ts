/**
 * ZenStack's parser (chevrotain 12, through langium) calls `Object.groupBy` and `Map.groupBy`,
 * which arrived in Node 21, although ZenStack declares `node >= 20`. On Node 20.19+ we install
 * spec-conforming versions before ZenStack is loaded; on 21+ nothing changes.
 * Test: test/node-compat.test.ts.
 */
type KeyFn<T, K> = (item: T, index: number) => K;

export function installGroupByPolyfills(): void {
  const objectCtor = Object as unknown as { groupBy?: unknown };
  if (typeof objectCtor.groupBy !== 'function') {
    Object.defineProperty(Object, 'groupBy', {
      configurable: true,
      writable: true,
      value<T>(items: Iterable<T>, keyOf: KeyFn<T, PropertyKey>): Record<PropertyKey, T[]> {
        const groups = Object.create(null) as Record<PropertyKey, T[]>;
        let index = 0;
        for (const item of items) {
          const key = keyOf(item, index++);
          const group = groups[key];
          if (group) group.push(item);
          else groups[key] = [item];
        }
        return groups;
      },
    });
  }
  const mapCtor = Map as unknown as { groupBy?: unknown };
  if (typeof mapCtor.groupBy !== 'function') {
    Object.defineProperty(Map, 'groupBy', {
      configurable: true,
      writable: true,
      value<T, K>(items: Iterable<T>, keyOf: KeyFn<T, K>): Map<K, T[]> {
        const groups = new Map<K, T[]>();
        let index = 0;
        for (const item of items) {
          const key = keyOf(item, index++);
          const group = groups.get(key);
          if (group) group.push(item);
          else groups.set(key, [item]);
        }
        return groups;
      },
    });
  }
}
