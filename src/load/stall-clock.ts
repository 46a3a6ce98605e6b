import { performance } from 'node:perf_hooks';

/**
 * How long this process could not run: a heartbeat timer every `periodMs` that fires late was
 * held up for the lateness (GC, a long callback, a starved or emulated CPU). An agent uses it so
 * that its own stalls are not charged to the target it measures: a deadline is extended by the
 * stall it lived through, and the total is reported beside the figures.
 */
export class StallClock {
  private total = 0;
  private longest = 0;
  private last = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly periodMs = 20, private readonly graceMs = 20) {
    this.timer = setInterval(() => this.beat(), periodMs);
    this.timer.unref();
  }

  private lateness(now: number): number {
    const late = now - this.last - this.periodMs;
    return late > this.graceMs ? late : 0;
  }

  private beat(): void {
    const now = performance.now();
    const late = this.lateness(now);
    this.total += late;
    this.longest = Math.max(this.longest, late);
    this.last = now;
  }

  /** stall so far, with one the heartbeat has not caught up on yet (it may run later in this turn) */
  get stalledMs(): number {
    return this.total + this.lateness(performance.now());
  }

  get summary(): { totalMs: number; longestMs: number } {
    return { totalMs: Math.round(this.stalledMs), longestMs: Math.round(Math.max(this.longest, this.lateness(performance.now()))) };
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
