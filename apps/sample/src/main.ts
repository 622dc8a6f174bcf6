import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { provideLocalDatabases } from './local-databases';

async function bootstrap(): Promise<void> {
  const embedded = await provideLocalDatabases();
  const app = await NestFactory.create(AppModule);
  app.enableShutdownHooks();
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port);
  const base = `http://localhost:${port}`;
  console.log(`Conductor sample listening on ${base}`);
  console.log(`  GET  ${base}/health`);
  if (embedded) console.log(`  embedded PostgreSQL on port ${embedded.port} (data in .data/postgres)`);
  const stopEmbedded = async (): Promise<void> => {
    await app.close();
    await embedded?.stop();
    process.exit(0);
  };
  if (embedded) {
    process.once('SIGINT', () => void stopEmbedded());
    process.once('SIGTERM', () => void stopEmbedded());
  }
}

void bootstrap().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
