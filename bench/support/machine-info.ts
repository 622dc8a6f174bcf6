import { readFileSync } from 'node:fs';
import { cpus, totalmem, type as osType, release } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freshPageMicros } from './fresh-page-cost';
import { repoRoot } from './repo-root';

/** MachineInfo is what the report states about where it ran. */
export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  postgres: string;
  /** µs to touch a fresh 4 KiB page for the first time (a page fault): every new page a statement writes pays it. */
  freshPageMicros: number;
  /** Durability-related server settings, as the server reports them. */
  durability: Record<string, string>;
  /** Versions of the libraries measured. */
  packages: Record<string, string>;
}

const DURABILITY = ['fsync', 'synchronous_commit', 'full_page_writes', 'wal_level', 'shared_buffers', 'max_connections'];
const PACKAGES = ['graphile-worker', 'pg-boss', 'pg', 'typeorm', '@nestjs/core'];

/** Reads the machine, the server's version and durability settings, and the measured packages' versions. */
export async function machineInfo(adminUrl: string): Promise<MachineInfo> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const version = await client.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
    const settings = await client.query<{ name: string; setting: string; unit: string | null }>(
      'SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1)',
      [DURABILITY],
    );
    const root = repoRoot();
    const packageVersion = (name: string): string =>
      (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    return {
      cores: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      memoryGiB: totalmem() / 2 ** 30,
      os: `${osType()} ${release()}`,
      node: process.version,
      postgres: version.rows[0].v,
      freshPageMicros: freshPageMicros(),
      durability: Object.fromEntries(settings.rows.map((r) => [r.name, r.unit ? `${r.setting} × ${r.unit}` : r.setting])),
      packages: Object.fromEntries(PACKAGES.map((name) => [name, packageVersion(name)])),
    };
  } finally {
    await client.end();
  }
}
