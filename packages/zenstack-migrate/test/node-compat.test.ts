import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { installGroupByPolyfills } from '../src/node-compat.js';
import { makeTmpDir, PACKAGE_DIR } from './helpers/project.js';

type GroupBy = { groupBy?: unknown };
const objectCtor = Object as unknown as GroupBy;
const mapCtor = Map as unknown as GroupBy;
const original = { object: Object.getOwnPropertyDescriptor(Object, 'groupBy'), map: Object.getOwnPropertyDescriptor(Map, 'groupBy') };

function restore(target: object, descriptor: PropertyDescriptor | undefined): void {
  if (descriptor) Object.defineProperty(target, 'groupBy', descriptor);
  else delete (target as GroupBy).groupBy;
}

describe('Object.groupBy / Map.groupBy for ZenStack on Node 20', () => {
  afterEach(() => {
    restore(Object, original.object);
    restore(Map, original.map);
  });

  // On this machine's Node (20.x) ZenStack's parser fails without them; through the adapter it
  // loads the same schema. Both in a fresh process, as the CLI runs.
  it("ZenStack's loader needs them on this machine's Node, and loads through the adapter", () => {
    const dir = makeTmpDir();
    const schema = join(dir, 'schema.zmodel');
    writeFileSync(schema, "datasource db {\n  provider = 'sqlite'\n  url = 'file:./dev.db'\n}\n\nmodel User {\n  id Int @id\n}\n");
    const node = (script: string) => spawnSync(process.execPath, ['--input-type=module', '-e', script, schema], { cwd: PACKAGE_DIR, encoding: 'utf8' });
    try {
      const facts = node('console.log(JSON.stringify([process.versions.node, typeof Object.groupBy, typeof Map.groupBy]))');
      const [version, objectGroupBy, mapGroupBy] = JSON.parse(facts.stdout) as string[];
      const missing = Number(version!.split('.')[0]) < 21;
      expect([objectGroupBy, mapGroupBy]).toEqual(missing ? ['undefined', 'undefined'] : ['function', 'function']);

      const bare = node(
        "const { loadDocument } = await import('@zenstackhq/language'); try { console.log((await loadDocument(process.argv[1], [], true)).success); } catch (e) { console.log(String(e)); }",
      );
      expect(bare.stdout.trim()).toBe(missing ? 'TypeError: Object.groupBy is not a function' : 'true');

      const adapted = node("const { zmodelToPrismaSchema } = await import('./dist/zmodel.js'); console.log((await zmodelToPrismaSchema(process.argv[1])).prismaSchema);");
      expect(adapted.status, adapted.stderr).toBe(0);
      expect(adapted.stdout).toMatch(/model User \{\s+id Int @id\(\)\s+\}/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('are installed when missing, grouping as the spec says (null-prototype object, insertion order, index)', () => {
    delete objectCtor.groupBy;
    delete mapCtor.groupBy;
    installGroupByPolyfills();

    const groupBy = objectCtor.groupBy as <T>(items: Iterable<T>, key: (item: T, index: number) => PropertyKey) => Record<PropertyKey, T[]>;
    const byParity = groupBy([1, 2, 3, 4, 5], (n) => (n % 2 ? 'odd' : 'even'));
    expect(Object.getPrototypeOf(byParity)).toBeNull();
    expect(Object.keys(byParity)).toEqual(['odd', 'even']);
    expect({ ...byParity }).toEqual({ odd: [1, 3, 5], even: [2, 4] });
    expect(groupBy(new Set(['a', 'b', 'c']), (_, i) => i % 2)).toEqual(Object.assign(Object.create(null), { 0: ['a', 'c'], 1: ['b'] }));
    expect(Object.getOwnPropertyDescriptor(Object, 'groupBy')).toMatchObject({ enumerable: false, writable: true, configurable: true });

    const mapGroupBy = mapCtor.groupBy as <T, K>(items: Iterable<T>, key: (item: T, index: number) => K) => Map<K, T[]>;
    const key = { id: 1 };
    const byObject = mapGroupBy([{ k: key, v: 1 }, { k: key, v: 2 }, { k: { id: 1 }, v: 3 }], (e) => e.k);
    expect(byObject).toBeInstanceOf(Map);
    expect(byObject.size).toBe(2);
    expect(byObject.get(key)!.map((e) => e.v)).toEqual([1, 2]);
  });

  it('are left alone where Node has them (21+)', () => {
    const nativeObject = () => 'native';
    const nativeMap = () => 'native';
    Object.defineProperty(Object, 'groupBy', { value: nativeObject, writable: true, configurable: true });
    Object.defineProperty(Map, 'groupBy', { value: nativeMap, writable: true, configurable: true });
    installGroupByPolyfills();
    expect(objectCtor.groupBy).toBe(nativeObject);
    expect(mapCtor.groupBy).toBe(nativeMap);
  });
});
