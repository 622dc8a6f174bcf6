import { Module } from '@nestjs/common';
import { ConductorModule, databasesFromEnv } from '@conductor/nestjs';
import { Db } from './database-keys';
import { HealthController } from './health/health.controller';

@Module({
  imports: [
    ConductorModule.forRootAsync({
      databases: Object.values(Db),
      useFactory: () => ({ databases: databasesFromEnv(Db) }),
    }),
  ],
  controllers: [HealthController],
})
export class AppModule {}
