import { InvalidOptionsError } from './invalid-options.error';

/** Names an option for error messages: a path in `forRoot` options, or an environment variable. */
export type OptionNamer = (path: string) => string;

/** Throws unless every own key of `value` is one of `allowed`. */
export function checkKnownKeys(value: object, allowed: readonly string[], name: OptionNamer, prefix = ''): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new InvalidOptionsError(name(prefix + key), `unknown option (known: ${allowed.join(', ')})`);
    }
  }
}

/** Throws unless `value` is undefined or a plain object. */
export function checkObject(value: unknown, option: string): void {
  if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    throw new InvalidOptionsError(option, `expected an object, got ${describe(value)}`);
  }
}

/** Throws unless `value` is undefined or an integer within [min, max]. */
export function checkInteger(value: unknown, option: string, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
    throw new InvalidOptionsError(option, `expected an integer ${range}, got ${describe(value)}`);
  }
}

/** Throws unless `value` is undefined or a non-empty string. */
export function checkString(value: unknown, option: string): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidOptionsError(option, `expected a non-empty string, got ${describe(value)}`);
  }
}

/** Throws unless `value` is undefined or a boolean. */
export function checkBoolean(value: unknown, option: string): void {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new InvalidOptionsError(option, `expected true or false, got ${describe(value)}`);
  }
}

/** A short, safe rendering of a bad value for an error message. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  return Array.isArray(value) ? 'an array' : typeof value;
}
