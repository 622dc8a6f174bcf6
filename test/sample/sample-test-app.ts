import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../apps/sample/src/app.module';
import type { SampleSettings } from '../../apps/sample/src/config/sample-settings';
import { quietLogger } from '../support/app';
import { FAST_QUEUE } from '../support/queue-app';

/** Starts the real sample app in this process, listening on no port (supertest binds its own); close it with `app.close()`. */
export async function startSampleApp(
  urls: { main: string; reference: string },
  settings: SampleSettings = {},
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      AppModule.forRoot({
        env: { CONDUCTOR_MAIN_URL: urls.main, CONDUCTOR_REFERENCE_URL: urls.reference },
        instance: 'test',
        mailLatencyMs: 5,
        ...settings,
        queue: { ...FAST_QUEUE, ...settings.queue },
      }),
    ],
  })
    .setLogger(quietLogger)
    .compile();
  const app = moduleRef.createNestApplication({ logger: quietLogger });
  await app.init();
  return app;
}
