import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import type { SampleSettings } from '../config/sample-settings';
import { SAMPLE_SETTINGS } from '../config/sample-settings.token';

/** The domain whose mail server times out on every first attempt, to show retries. */
export const FLAKY_DOMAIN = 'flaky.example';

/**
 * MailGateway stands in for an e-mail provider: sending takes `mailLatencyMs`, and addresses at
 * `flaky.example` time out on the first attempt of each execution (deterministic, so tests can rely on it).
 */
@Injectable()
export class MailGateway {
  private readonly latencyMs: number;

  constructor(@Inject(SAMPLE_SETTINGS) settings: SampleSettings) {
    this.latencyMs = settings.mailLatencyMs ?? 50;
  }

  /** "Sends" one e-mail; rejects when `signal` aborts (shutdown, timeout, lost lease). */
  async send(mail: { to: string; subject: string; attempt: number }, signal: AbortSignal): Promise<void> {
    await sleep(this.latencyMs, undefined, { signal });
    if (mail.to.endsWith(`@${FLAKY_DOMAIN}`) && mail.attempt === 1) {
      throw new Error(`mail server of ${FLAKY_DOMAIN} timed out (simulated: it fails every first attempt)`);
    }
  }
}
