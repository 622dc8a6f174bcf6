// pg's own conversion of a JavaScript value into a parameter (pg/lib/utils, exported by its package).
declare module 'pg/lib/utils' {
  export function prepareValue(value: unknown): string | Buffer | null;
}
