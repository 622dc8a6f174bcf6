/** One call under a deadline: a node in its lane's list, oldest first. */
interface PendingCall {
  readonly deadline: number;
  readonly controller: AbortController;
  readonly timedOut: () => Error;
  readonly reject: (reason: unknown) => void;
  /** The caller's signal and the listener on it, removed as soon as the call ends, however it ends. */
  readonly caller?: AbortSignal;
  onCallerAbort?: () => void;
  prev?: PendingCall;
  next?: PendingCall;
  linked: boolean;
}

/** The calls of one timeout, which end in the order they started, and the one timer for the oldest. */
interface Lane {
  readonly timeoutMs: number;
  head?: PendingCall;
  tail?: PendingCall;
  timer?: NodeJS.Timeout;
}

/**
 * DeadlineClock runs calls with a signal that aborts after their timeout or as soon as the caller's signal
 * aborts, and settles each call at that moment whatever its work is still doing: with `timedOut()`'s
 * error, or with the caller's reason.
 *
 * NOTE: a timer per call (setTimeout, then clearTimeout) cost up to 6 µs of CPU per `SELECT 1` at
 * concurrency 1, where the loop arms and disarms libuv's timer every time, and about 1.7 µs at 32. Calls
 * with the same timeout expire in the order they started, so each timeout keeps a list (a lane) and one
 * timer, armed for its oldest call. A call that settles leaves the list without touching the timer; when
 * the timer fires it aborts what has expired and re-arms for the oldest left, or drops the lane when it is
 * empty. The timer holds the process open only while calls wait on it.
 */
export class DeadlineClock {
  private readonly lanes = new Map<number, Lane>();

  run<T>(
    timeoutMs: number,
    caller: AbortSignal | undefined,
    timedOut: () => Error,
    fn: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    if (caller?.aborted) return Promise.reject(caller.reason);
    const controller = new AbortController();
    return new Promise<T>((resolve, reject) => {
      const call: PendingCall = { deadline: performance.now() + timeoutMs, controller, timedOut, reject, caller, linked: false };
      const lane = this.enter(timeoutMs, call);
      if (caller) {
        call.onCallerAbort = (): void => {
          this.end(lane, call);
          controller.abort(caller.reason);
          reject(caller.reason);
        };
        caller.addEventListener('abort', call.onCallerAbort, { once: true });
      }
      let work: Promise<T>;
      try {
        work = fn(controller.signal);
      } catch (error) {
        work = Promise.reject(error);
      }
      work.then(
        (value) => {
          this.end(lane, call);
          resolve(value);
        },
        (error: unknown) => {
          this.end(lane, call);
          reject(error);
        },
      );
    });
  }

  /** Clears every timer; calls still running keep their signals, which then abort only by their callers. */
  close(): void {
    for (const lane of this.lanes.values()) clearTimeout(lane.timer);
    this.lanes.clear();
  }

  private enter(timeoutMs: number, call: PendingCall): Lane {
    let lane = this.lanes.get(timeoutMs);
    if (!lane) {
      lane = { timeoutMs };
      this.lanes.set(timeoutMs, lane);
    }
    call.prev = lane.tail;
    if (lane.tail) lane.tail.next = call;
    else lane.head = call;
    lane.tail = call;
    call.linked = true;
    if (!lane.timer) this.arm(lane, timeoutMs);
    else if (lane.head === call) lane.timer.ref();
    return lane;
  }

  /** The call is over (settled, expired or aborted by its caller): off its lane and off its caller's signal. */
  private end(lane: Lane, call: PendingCall): void {
    this.leave(lane, call);
    if (call.onCallerAbort) {
      call.caller?.removeEventListener('abort', call.onCallerAbort);
      call.onCallerAbort = undefined;
    }
  }

  private leave(lane: Lane, call: PendingCall): void {
    if (!call.linked) return;
    call.linked = false;
    if (call.prev) call.prev.next = call.next;
    else lane.head = call.next;
    if (call.next) call.next.prev = call.prev;
    else lane.tail = call.prev;
    call.prev = call.next = undefined;
    // Idle: the timer stays armed (re-arming per call is the cost this saves) but no longer holds the process.
    if (!lane.head) lane.timer?.unref();
  }

  private arm(lane: Lane, delayMs: number): void {
    lane.timer = setTimeout(() => this.fire(lane), Math.max(1, Math.ceil(delayMs)));
  }

  private fire(lane: Lane): void {
    lane.timer = undefined;
    const now = performance.now();
    while (lane.head && lane.head.deadline <= now) {
      const call = lane.head;
      // Its work may still be running: the caller's signal must not keep a listener until it settles.
      this.end(lane, call);
      const error = call.timedOut();
      call.controller.abort(error);
      call.reject(error);
    }
    if (lane.head) this.arm(lane, lane.head.deadline - now);
    else if (this.lanes.get(lane.timeoutMs) === lane) this.lanes.delete(lane.timeoutMs);
  }
}
