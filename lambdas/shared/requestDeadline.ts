import { OncegateGatewayError } from "./errors.ts";

/** Thrown when a request's deadline passed before an AWS call could be made or finished; the intake answers 503. */
export class DeadlineExceededError extends OncegateGatewayError {
  override readonly name: string = "DeadlineExceededError";
  constructor(what: string, options?: ErrorOptions) {
    super("deadline_exceeded", `Deadline exceeded: ${what}`, options);
  }
}

/** A monotonic time source in milliseconds (`performance.now`): a wall clock may jump, a deadline must not. */
export type MonotonicMs = () => number;

/**
 * One deadline for one request. Every AWS call is given the time left (`signal()`, an `AbortSignal` the AWS SDK
 * honours through `send(command, { abortSignal })`), and `race` makes sure the caller is back by the deadline even
 * if a call ignores its signal.
 */
export class RequestDeadline {
  readonly #endsAtMs: number;
  readonly #now: MonotonicMs;

  constructor(budgetMs: number, now: MonotonicMs = () => performance.now()) {
    this.#now = now;
    this.#endsAtMs = now() + budgetMs;
  }

  /** Milliseconds left before the deadline less `reserveMs`, never negative. */
  remainingMs(reserveMs = 0): number {
    return Math.max(0, this.#endsAtMs - reserveMs - this.#now());
  }

  /**
   * An abort signal that fires `reserveMs` before the deadline (the time a later step needs).
   * @throws DeadlineExceededError when that moment has already passed
   */
  signal(what: string, reserveMs = 0): AbortSignal {
    const remaining = this.remainingMs(reserveMs);
    if (remaining <= 0) throw new DeadlineExceededError(`no time left for ${what}`);
    return AbortSignal.timeout(Math.ceil(remaining));
  }

  /** `work`, or a {@link DeadlineExceededError} `reserveMs` before the deadline, whichever comes first. */
  async race<T>(what: string, work: Promise<T>, reserveMs = 0): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeadlineExceededError(what)), Math.ceil(this.remainingMs(reserveMs)));
    });
    try {
      return await Promise.race([work, expired]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** `send` options for an AWS call under `deadline` (none without one: the sweeper and the delivery have none). */
export function callOptions(
  deadline: RequestDeadline | undefined,
  what: string,
  reserveMs = 0,
): { abortSignal?: AbortSignal } {
  return deadline === undefined ? {} : { abortSignal: deadline.signal(what, reserveMs) };
}
