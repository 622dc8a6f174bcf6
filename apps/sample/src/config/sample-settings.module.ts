import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { SampleSettings } from './sample-settings';
import { SAMPLE_SETTINGS } from './sample-settings.token';

/** Makes the app's `SampleSettings` injectable everywhere as `SAMPLE_SETTINGS`. */
@Global()
@Module({})
export class SampleSettingsModule {
  static forRoot(settings: SampleSettings): DynamicModule {
    return {
      module: SampleSettingsModule,
      providers: [{ provide: SAMPLE_SETTINGS, useValue: settings }],
      exports: [SAMPLE_SETTINGS],
    };
  }
}
