import { messageOf } from '../core/errors.js';

export interface InterruptOptions {
  log(message: string): void;
  /** what the first Ctrl-C does, said to the user */
  stopping: string;
  /**
   * The second Ctrl-C: removes what the command created, at once, and says what it removed.
   * The process exits 130 afterwards even when this fails (the failure is logged).
   */
  cleanNow(): Promise<string> | string;
  /** tests replace process.exit */
  exit?(code: number): void;
}

/**
 * The Ctrl-C contract of bench and perf: the first SIGINT/SIGTERM aborts `signal` (the command
 * stops, keeps what it measured and tears down in order); the second runs cleanNow() and
 * exits 130 without waiting for the orderly teardown. Further signals while cleaning are ignored.
 */
export class Interrupts {
  private readonly controller = new AbortController();
  readonly signal = this.controller.signal;
  private count = 0;

  constructor(private readonly o: InterruptOptions) {}

  readonly onSignal = (sig: NodeJS.Signals): void => {
    this.count++;
    if (this.count === 1) {
      this.o.log(`${sig}: ${this.o.stopping}`);
      this.controller.abort();
      return;
    }
    if (this.count > 2) return;
    this.o.log('second interrupt: removing everything of this run now');
    const exit = this.o.exit ?? ((code: number) => process.exit(code));
    void (async () => {
      try {
        this.o.log(await this.o.cleanNow());
      } catch (err) {
        this.o.log(`warning: cleanup: ${messageOf(err)}`);
      }
      exit(130);
    })();
  };

  /** Handles SIGINT and SIGTERM of this process until dispose(). */
  listen(): this {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
    return this;
  }

  dispose(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }
}
