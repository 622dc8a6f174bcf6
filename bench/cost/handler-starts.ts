/**
 * HandlerStarts counts a drain's handler starts and says when the count reaches a target from the handler
 * itself: polling the count would spend Node CPU inside the measured stretch.
 */
export class HandlerStarts {
  private count = 0;
  private readonly waiting = new Map<number, () => void>();

  /** `deadline` is a `performance.now()` time, `limitMs` how it is named in errors. */
  constructor(
    private readonly system: string,
    private readonly deadline: number,
    private readonly limitMs: number,
  ) {}

  /** The handler to give the workers. */
  readonly onStart = (): void => {
    this.count++;
    this.waiting.get(this.count)?.();
  };

  get started(): number {
    return this.count;
  }

  /** Resolves once `target` handlers have started; rejects when the deadline passes first. */
  reached(target: number): Promise<void> {
    if (this.count >= target) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => {
          this.waiting.delete(target);
          const limit = `${this.limitMs / 1000} s`;
          reject(new Error(`${this.system}: ${this.count} of ${target} handlers started within the limit of ${limit}`));
        },
        Math.max(0, this.deadline - performance.now()),
      );
      this.waiting.set(target, () => {
        clearTimeout(timer);
        this.waiting.delete(target);
        resolve();
      });
    });
  }
}
