import { conductorNoRetentionSpec, conductorSpec } from './conductor/conductor.system';
import { graphileDefaultsSpec, graphileTunedSpec } from './graphile-worker.system';
import { pgBossDefaultsSpec, pgBossTunedSpec } from './pg-boss.system';
import type { QueueSystemSpec } from './queue-system.interface';
import { rawSqlSpec } from './raw-sql/raw-sql.system';

/** Every queue under test, in report order: ours, the peers, then the raw-SQL limit. */
export const queueSystems: QueueSystemSpec[] = [
  conductorSpec,
  conductorNoRetentionSpec,
  graphileDefaultsSpec,
  graphileTunedSpec,
  pgBossDefaultsSpec,
  pgBossTunedSpec,
  rawSqlSpec,
];
