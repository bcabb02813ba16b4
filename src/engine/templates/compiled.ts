/**
 * What a template works out once from its params and then uses for every order: rates as plain
 * numbers of ppm (money/rate.ts ppmOf), lookups by level, filter sets. A plan version's params are
 * parsed once and never change, so the params object itself is the key.
 */
export function compiledParams<P extends object, C>(cache: WeakMap<P, C>, params: P, compile: (params: P) => C): C {
  let compiled = cache.get(params);
  if (compiled === undefined) cache.set(params, (compiled = compile(params)));
  return compiled;
}
