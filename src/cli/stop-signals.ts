/** SIGTERM and Ctrl-C during a command: the job is asked to stop at its next safe point (it
 * finishes the current message, commits, files it) instead of the process dying mid-way. */
export async function whileNotStopped<T>(job: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    return await job(stop.signal);
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}
