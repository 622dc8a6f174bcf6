import { type DynamicModule, Module } from '@nestjs/common';
import { ConductorModule } from '@conductor/nestjs';
import { AdminController } from './admin/admin.controller';
import { CatalogueModule } from './catalogue/catalogue.module';
import { conductorOptions } from './config/conductor-options.factory';
import type { SampleSettings } from './config/sample-settings';
import { SampleSettingsModule } from './config/sample-settings.module';
import { Db } from './database-keys';
import { HealthModule } from './health/health.module';
import { MetricsController } from './metrics/metrics.controller';
import { OrdersModule } from './orders/orders.module';
import { SchemaInitializer } from './schema/schema.initializer';

/** The sample: orders in `main`, a catalogue in `reference`, confirmations through the queue. */
@Module({})
export class AppModule {
  static forRoot(settings: SampleSettings = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        SampleSettingsModule.forRoot(settings),
        ConductorModule.forRootAsync({
          databases: Object.values(Db),
          useFactory: () => conductorOptions(settings),
        }),
        HealthModule.forRoot(settings.shutdownDelayMs),
        CatalogueModule,
        OrdersModule,
      ],
      controllers: [AdminController, MetricsController],
      providers: [SchemaInitializer],
    };
  }
}
