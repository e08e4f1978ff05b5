/**
 * How a kick reaches a running delivery pass. A kick that arrives while the pass waits ends the
 * wait; one that arrives while it works is kept for its next wait. A pass that cannot claim (every
 * slot in flight) does not answer the bell: returning at once would make its loop spin on promises
 * that are already settled, and the jobs' network I/O, which only runs between such turns, would
 * never finish. The kept kick is answered once a slot frees.
 */
export class Doorbell {
  private rung = false;
  private answer: (() => void) | null = null;

  ring(): void {
    this.rung = true;
    this.answer?.();
  }

  /** Clears the bell; true when it had rung. */
  take(): boolean {
    const rung = this.rung;
    this.rung = false;
    return rung;
  }

  /** Waits for `ms`, the first of `others` to settle, or (when `answerRing`) a ring, past or new. */
  async wait(ms: number, others: Iterable<Promise<unknown>>, answerRing: boolean): Promise<void> {
    if (answerRing && this.rung) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ms);
        if (answerRing) this.answer = resolve;
      }),
      ...others,
    ]);
    clearTimeout(timer);
    this.answer = null;
  }
}
