/** Run `work` with SIGTERM and SIGINT held off: while it runs they do not end the process (the
 * default), they are only reported to `onSignal`; once it is done the handlers go and the caller
 * returns as usual. For work that must not stop halfway, such as mailing a summary to some of
 * its recipients and not the others. */
export async function holdSignals<T>(work: () => Promise<T>, onSignal: (signal: NodeJS.Signals) => void): Promise<T> {
  const handler = (signal: NodeJS.Signals): void => onSignal(signal);
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  try {
    return await work();
  } finally {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  }
}
