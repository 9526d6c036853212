/**
 * Returns a view of `target` with some methods replaced. Every other method is called on the
 * original object (bound), so classes with private `#fields` keep working, which a prototype
 * wrapper (Object.create) would break.
 */
export function overrideMethods<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(obj, prop) {
      if (Object.hasOwn(overrides, prop)) return overrides[prop as keyof T];
      const value = Reflect.get(obj, prop, obj);
      return typeof value === 'function' ? value.bind(obj) : value;
    },
  });
}
