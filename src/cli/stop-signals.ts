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

/** Resolves at the first SIGTERM or SIGINT: when a long-running front end (serve, web) should
 * stop listening and close. */
export function untilStopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
