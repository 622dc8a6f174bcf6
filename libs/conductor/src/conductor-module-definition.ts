import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { ConductorModuleOptions } from './options/conductor-options.interface';

/** The options plumbing Nest generates for `ConductorModule` (forRoot / forRootAsync, global by default). */
export const {
  ConfigurableModuleClass: ConductorConfigurableModule,
  MODULE_OPTIONS_TOKEN: CONDUCTOR_OPTIONS,
  OPTIONS_TYPE: CONDUCTOR_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: CONDUCTOR_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ConductorModuleOptions>({ moduleName: 'Conductor' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
