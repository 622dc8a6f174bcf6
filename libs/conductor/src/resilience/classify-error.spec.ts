import { DatabaseError } from 'pg';
import { QueryFailedError } from 'typeorm';
import { CircuitOpenError } from './circuit-open.error';
import { type ErrorClass, classifyError, isContention } from './classify-error';
import { DatabaseCallError } from './database-call.error';

/** An error as node-postgres raises it when the server answers with `code`. */
function serverError(code: string, message = `server said ${code}`): DatabaseError {
  const error = new DatabaseError(message, message.length, 'error');
  error.code = code;
  error.severity = 'ERROR';
  return error;
}

/** An error as Node raises it for a socket or DNS failure. */
function nodeError(code: string, message = `${code} 127.0.0.1:5432`): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

const SQLSTATES: [string, ErrorClass][] = [
  ['08000', 'transient'], // connection_exception
  ['08001', 'transient'], // sqlclient_unable_to_establish_sqlconnection
  ['08003', 'transient'], // connection_does_not_exist
  ['08004', 'transient'], // sqlserver_rejected_establishment_of_sqlconnection
  ['08006', 'transient'], // connection_failure
  ['57P01', 'transient'], // admin_shutdown
  ['57P02', 'transient'], // crash_shutdown
  ['57P03', 'transient'], // cannot_connect_now
  ['53300', 'transient'], // too_many_connections
  ['53400', 'transient'], // configuration_limit_exceeded
  ['40001', 'transient'], // serialization_failure
  ['40P01', 'transient'], // deadlock_detected
  ['42601', 'permanent'], // syntax_error
  ['42P01', 'permanent'], // undefined_table
  ['42703', 'permanent'], // undefined_column
  ['42501', 'permanent'], // insufficient_privilege
  ['23505', 'permanent'], // unique_violation
  ['23503', 'permanent'], // foreign_key_violation
  ['23502', 'permanent'], // not_null_violation
  ['22P02', 'permanent'], // invalid_text_representation
  ['22012', 'permanent'], // division_by_zero
  ['22001', 'permanent'], // string_data_right_truncation
  ['28P01', 'misconfiguration'], // invalid_password
  ['28000', 'misconfiguration'], // invalid_authorization_specification
  ['3D000', 'misconfiguration'], // invalid_catalog_name
  ['57014', 'unknown'], // query_canceled: a statement timeout, not worth running again blindly
];

const NODE_CODES: [string, ErrorClass][] = [
  ['ECONNRESET', 'transient'],
  ['ECONNREFUSED', 'transient'],
  ['ETIMEDOUT', 'transient'],
  ['EPIPE', 'transient'],
  ['EHOSTUNREACH', 'transient'],
  ['ENOTFOUND', 'misconfiguration'],
  ['EAI_AGAIN', 'misconfiguration'],
  // TLS: a certificate or protocol problem is for a human to fix.
  ['DEPTH_ZERO_SELF_SIGNED_CERT', 'misconfiguration'],
  ['SELF_SIGNED_CERT_IN_CHAIN', 'misconfiguration'],
  ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'misconfiguration'],
  ['CERT_HAS_EXPIRED', 'misconfiguration'],
  ['ERR_TLS_CERT_ALTNAME_INVALID', 'misconfiguration'],
  ['ERR_SSL_WRONG_VERSION_NUMBER', 'misconfiguration'],
];

const MESSAGES: [string, ErrorClass][] = [
  ['Connection terminated unexpectedly', 'transient'],
  ['Connection terminated due to connection timeout', 'transient'],
  ['Connection terminated', 'transient'],
  ['timeout exceeded when trying to connect', 'transient'], // pg-pool acquire timeout
  ['Client has encountered a connection error and is not queryable', 'transient'],
  ['The server does not support SSL connections', 'misconfiguration'],
  ['self-signed certificate in certificate chain', 'misconfiguration'],
  ["Hostname/IP does not match certificate's altnames", 'misconfiguration'],
  ['password authentication failed for user "app"', 'misconfiguration'],
  // An application's own error must not be mistaken for a TLS failure because of a word in it.
  ['certificate not found for this customer', 'unknown'],
  ['SSL is not enabled for this tenant', 'unknown'],
  ['boom', 'unknown'],
];

describe('classifyError', () => {
  it.each(SQLSTATES)('SQLSTATE %s is %s', (code, kind) => {
    expect(classifyError(serverError(code))).toEqual({ kind, reason: `SQLSTATE ${code}` });
  });

  it.each(NODE_CODES)('code %s is %s', (code, kind) => {
    expect(classifyError(nodeError(code))).toEqual({ kind, reason: code });
  });

  it.each(MESSAGES)('message "%s" is %s', (message, kind) => {
    expect(classifyError(new Error(message)).kind).toBe(kind);
  });

  it('looks through TypeORM QueryFailedError to the driver error', () => {
    const wrapped = new QueryFailedError('INSERT INTO t VALUES (1)', [], serverError('23505'));
    expect(classifyError(wrapped)).toEqual({ kind: 'permanent', reason: 'SQLSTATE 23505' });
  });

  it('follows a chain of causes', () => {
    const deep = new Error('outer', { cause: new Error('middle', { cause: nodeError('ECONNRESET') }) });
    expect(classifyError(deep)).toEqual({ kind: 'transient', reason: 'ECONNRESET' });
    const auth = new Error('could not connect', { cause: serverError('28P01') });
    expect(classifyError(auth).kind).toBe('misconfiguration');
  });

  it('reads the first error of an AggregateError (IPv4 and IPv6 both refused)', () => {
    const both = new AggregateError([nodeError('ECONNREFUSED'), nodeError('ECONNREFUSED', 'connect ECONNREFUSED ::1:5432')]);
    expect(classifyError(both).kind).toBe('transient');
  });

  it('stops on a cause cycle', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(classifyError(a).kind).toBe('unknown');
  });

  it('keeps the verdict of an error a policy already decided', () => {
    expect(classifyError(new DatabaseCallError('reference', 'permanent', 'bad', serverError('42601'))).kind).toBe('permanent');
    expect(classifyError(new CircuitOpenError('reference', 'ECONNREFUSED')).kind).toBe('transient');
  });

  it('classifies what is not an error at all as unknown', () => {
    for (const value of [undefined, null, 'text', 42, {}]) expect(classifyError(value).kind).toBe('unknown');
  });

  it('tells contention apart from an outage', () => {
    expect(isContention(classifyError(serverError('40001')))).toBe(true);
    expect(isContention(classifyError(serverError('40P01')))).toBe(true);
    expect(isContention(classifyError(serverError('08006')))).toBe(false);
    expect(isContention(classifyError(nodeError('ECONNRESET')))).toBe(false);
  });
});
