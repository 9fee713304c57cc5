// The subset of node:assert/strict the engine tests use, written portably so the same test
// files run inside XS (bundled by esbuild with 'node:assert/strict' aliased to this file).

export class AssertionError extends Error {}

function fail(message: string | undefined, detail: string): never {
  throw new AssertionError(message ? `${message}: ${detail}` : detail);
}

function show(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v) => (v instanceof Uint8Array ? Array.from(v) : v));
  } catch {
    return String(value);
  }
}

function deepEqualValues(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    return x.length === y.length && x.every((v, i) => v === y[i]);
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqualValues((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function equal(actual: unknown, expected: unknown, message?: string): void {
  if (!Object.is(actual, expected)) fail(message, `${show(actual)} !== ${show(expected)}`);
}

function notEqual(actual: unknown, expected: unknown, message?: string): void {
  if (Object.is(actual, expected)) fail(message, `${show(actual)} === ${show(expected)}`);
}

function deepEqual(actual: unknown, expected: unknown, message?: string): void {
  if (!deepEqualValues(actual, expected)) fail(message, `${show(actual)} is not deep-equal to ${show(expected)}`);
}

function ok(value: unknown, message?: string): void {
  if (!value) fail(message, `${show(value)} is not truthy`);
}

function throws(fn: () => unknown, expected?: RegExp | (new (...args: never[]) => Error), message?: string): void {
  try {
    fn();
  } catch (err) {
    if (expected instanceof RegExp && !expected.test(String((err as Error).message ?? err))) {
      fail(message, `error ${show(String(err))} does not match ${expected}`);
    }
    if (typeof expected === 'function' && !(err instanceof expected)) fail(message, `wrong error type: ${String(err)}`);
    return;
  }
  fail(message, 'missing expected exception');
}

function doesNotThrow(fn: () => unknown, message?: string): void {
  try {
    fn();
  } catch (err) {
    fail(message, `unexpected exception: ${String(err)}`);
  }
}

const assert = Object.assign(ok, { equal, notEqual, deepEqual, ok, throws, doesNotThrow, AssertionError, strict: undefined as unknown });
assert.strict = assert;
export default assert;
export { deepEqual, doesNotThrow, equal, notEqual, ok, throws };
