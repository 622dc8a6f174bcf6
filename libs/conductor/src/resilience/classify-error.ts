import { isDatabaseCallError } from './database-call.error';

/** What a failure means for the caller: retry, fail at once, or escalate to a human. */
export type ErrorClass = 'transient' | 'permanent' | 'misconfiguration' | 'unknown';

/** The class of an error and the code or message it was decided on. */
export interface Classification {
  kind: ErrorClass;
  /** The SQLSTATE, driver code or message fragment that decided, for logs. */
  reason: string;
}

/** SQLSTATEs decided exactly, before their class prefix is looked at. */
const EXACT_SQLSTATES: Record<string, ErrorClass> = {
  '28000': 'misconfiguration', // invalid_authorization_specification
  '28P01': 'misconfiguration', // invalid_password
  '3D000': 'misconfiguration', // invalid_catalog_name: the database does not exist
  '57P01': 'transient', // admin_shutdown
  '57P02': 'transient', // crash_shutdown
  '57P03': 'transient', // cannot_connect_now: starting up or shutting down
  '57P05': 'transient', // idle_session_timeout
  '57014': 'unknown', // query_canceled (statement_timeout): running it again rarely helps
  '40001': 'transient', // serialization_failure
  '40P01': 'transient', // deadlock_detected
  '55P03': 'transient', // lock_not_available
  '25006': 'permanent', // read_only_sql_transaction
};

/** SQLSTATE classes (first two characters). */
const SQLSTATE_CLASSES: Record<string, ErrorClass> = {
  '08': 'transient', // connection_exception
  '53': 'transient', // insufficient_resources: too many connections, out of memory, disk full
  '58': 'transient', // system_error (I/O)
  '22': 'permanent', // data_exception
  '23': 'permanent', // integrity_constraint_violation
  '42': 'permanent', // syntax_error_or_access_rule_violation
  '0A': 'permanent', // feature_not_supported
  '21': 'permanent', // cardinality_violation
  '25': 'permanent', // invalid_transaction_state
  '26': 'permanent', // invalid_sql_statement_name
  '2B': 'permanent',
  '2D': 'permanent',
  '2F': 'permanent',
  '34': 'permanent', // invalid_cursor_name
  '3B': 'permanent',
  '3F': 'permanent', // invalid_schema_name
  '44': 'permanent', // with_check_option_violation
  P0: 'permanent', // plpgsql raise
  XX: 'permanent', // internal_error
  '28': 'misconfiguration',
};

/** Node and driver error codes. */
const NODE_CODES: Record<string, ErrorClass> = {
  ECONNRESET: 'transient',
  ECONNREFUSED: 'transient',
  ECONNABORTED: 'transient',
  ETIMEDOUT: 'transient',
  EPIPE: 'transient',
  EHOSTUNREACH: 'transient',
  ENETUNREACH: 'transient',
  ENETDOWN: 'transient',
  EHOSTDOWN: 'transient',
  ENOTFOUND: 'misconfiguration',
  EAI_AGAIN: 'misconfiguration',
  EAI_NONAME: 'misconfiguration',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'misconfiguration',
  SELF_SIGNED_CERT_IN_CHAIN: 'misconfiguration',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'misconfiguration',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'misconfiguration',
  CERT_HAS_EXPIRED: 'misconfiguration',
  ERR_TLS_CERT_ALTNAME_INVALID: 'misconfiguration',
};

/** Messages of errors that carry no code (node-postgres raises plain Errors for these). */
const MESSAGES: [RegExp, ErrorClass][] = [
  [/Connection terminated unexpectedly/i, 'transient'],
  [/Connection terminated due to connection timeout/i, 'transient'],
  [/timeout exceeded when trying to connect/i, 'transient'],
  [/Connection terminated/i, 'transient'],
  [/Client has encountered a connection error and is not queryable/i, 'transient'],
  [/Query read timeout/i, 'transient'],
  [/connect ECONNREFUSED/i, 'transient'],
  [/The server does not support SSL connections/i, 'misconfiguration'],
  // NOTE: only phrases of TLS failures: a bare /SSL|certificate/ would catch an application's own
  // errors thrown inside a transaction ("certificate not found") and retry them as misconfiguration.
  [/self[- ]signed certificate|certificate has expired|unable to verify the first certificate/i, 'misconfiguration'],
  [/does not match certificate|SSL routines|wrong version number|TLS handshake|secure TLS connection/i, 'misconfiguration'],
  [/password authentication failed|no pg_hba\.conf entry/i, 'misconfiguration'],
];

/** SQLSTATEs of contention between transactions: retried, but no sign that the database is unwell. */
const CONTENTION_SQLSTATES = new Set(['40001', '40P01', '55P03']);

/**
 * Classifies a database error by its SQLSTATE, then its Node/driver code, then its message.
 * Transient errors are worth retrying, permanent ones never, misconfiguration a few times at most.
 */
export function classifyError(error: unknown): Classification {
  const visited = new Set<unknown>();
  let current: unknown = error;
  // Follow `cause` a few levels: wrappers (TypeORM's QueryFailedError, AggregateError) hide the driver error.
  for (let depth = 0; depth < 5 && current && !visited.has(current); depth++) {
    visited.add(current);
    const found = classifyOne(current);
    if (found) return found;
    current = nextCause(current);
  }
  return { kind: 'unknown', reason: errorName(error) };
}

/** Tells whether a classified failure is contention (serialization failure, deadlock, lock timeout), not an outage. */
export function isContention(classification: Classification): boolean {
  return CONTENTION_SQLSTATES.has(classification.reason.replace(/^SQLSTATE /, ''));
}

function classifyOne(error: unknown): Classification | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  // Already decided by a policy (possibly of another key): keep its verdict.
  if (isDatabaseCallError(error)) return { kind: error.kind, reason: error.code ?? error.name };
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (/^[0-9A-Z]{5}$/.test(code)) {
      const kind = EXACT_SQLSTATES[code] ?? SQLSTATE_CLASSES[code.slice(0, 2)];
      if (kind) return { kind, reason: `SQLSTATE ${code}` };
    }
    const nodeKind =
      NODE_CODES[code] ?? (code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_') ? 'misconfiguration' : undefined);
    if (nodeKind) return { kind: nodeKind, reason: code };
  }
  const message = (error as { message?: unknown }).message;
  if (typeof message === 'string') {
    for (const [pattern, kind] of MESSAGES) {
      if (pattern.test(message)) return { kind, reason: message.slice(0, 80) };
    }
  }
  return undefined;
}

function nextCause(error: unknown): unknown {
  if (typeof error !== 'object' || error === null) return undefined;
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors[0];
  return (error as { cause?: unknown; driverError?: unknown }).driverError ?? (error as { cause?: unknown }).cause;
}

function errorName(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message.slice(0, 80)}`;
  return typeof error;
}
