/** `work`, or what `onLate()` gives (or throws) once `ms` have passed first; the late answer of
 * `work`, if any, is ignored. The timer never keeps the process alive on its own. One helper for
 * every "answer or give up" wait: a DNS query, a PTR budget, an IMAP logout. */
export function withDeadline<T, L>(work: Promise<T>, ms: number, onLate: () => L): Promise<T | L> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<L>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(onLate());
      } catch (error) {
        reject(error as Error);
      }
    }, ms);
    timer.unref();
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
