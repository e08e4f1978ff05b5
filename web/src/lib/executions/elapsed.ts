/** A duration as a stopwatch shows it: 0:07, 2:05, 1:02:05. */
export function formatElapsed(milliseconds: number): string {
  const total = Math.max(0, Math.floor(milliseconds / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
}

/**
 * How long a step took or has taken: a finished step under a second reads "< 1 s" rather than a
 * stopwatch's 0:00, which looks as if it never ran; a running one ticks from 0:00.
 */
export function formatStepTime(milliseconds: number, finished: boolean): string {
  return finished && milliseconds < 1000 ? "< 1 s" : formatElapsed(milliseconds);
}
