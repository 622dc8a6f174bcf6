/** SqlClient is one way of sending `SELECT 1`, measured for the policy overhead. */
export interface SqlClient {
  selectOne(): Promise<unknown>;
  close(): Promise<void>;
}

/** SqlClientSpec names a client and builds it on a database with a pool of `poolMax` connections. */
export interface SqlClientSpec {
  id: string;
  label: string;
  create(url: string, poolMax: number): Promise<SqlClient>;
}
