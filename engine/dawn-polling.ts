// Dawn's Node bindings (npm `webgpu`) settle their promises (onSubmittedWorkDone, mapAsync, ...) by polling
// the Dawn instance from the event loop: while any promise is pending, each poll schedules the next one with
// setImmediate, a busy loop on the main thread. On a CPU adapter that loop competes with the driver's own
// threads: measured with perf on lavapipe (2 cores) during a matmul loop, the main thread took 77% of a core
// and lavapipe's two workers got about one core between them. matmul 1024^3 went from 98-118 ms to 53-65 ms
// once polls after the first few waited a millisecond.
//
// So in Node the engine routes Dawn's polls (the unnamed native callbacks it hands to setImmediate) through
// a 1 ms timer once a chain of polls has run QUICK_POLLS times (a few hundred microseconds) without the wait
// finishing: short waits, such as reading back a small result, still settle as fast as before; long ones
// cost at most a millisecond of latency. Every other setImmediate call is passed through untouched. A
// browser has no such loop; this is never installed there.

/** Polls of one wait that run immediately before the chain backs off to a timer. */
const QUICK_POLLS = 32;
const BACKOFF_MS = 1;

type Callback = (...args: unknown[]) => void;

let installed = false;

/** A callback Dawn's bindings schedule: created in native code, so it has no name and no JS source. */
function isNativePoll(fn: unknown): fn is Callback {
  return typeof fn === 'function' && fn.name === '' && Function.prototype.toString.call(fn) === 'function () { [native code] }';
}

/** Install the throttle (idempotent; a no-op where there is no setImmediate). */
export function throttleDawnPolling(): void {
  if (installed) return;
  const g = globalThis as { setImmediate?: (fn: Callback, ...args: unknown[]) => unknown };
  const immediate = g.setImmediate;
  if (typeof immediate !== 'function') return;
  // A poll that schedules the next one does so from inside its own callback: that marks a chain.
  let insidePoll = false;
  let chain = 0;
  const patched = (fn: Callback, ...args: unknown[]): unknown => {
    if (!isNativePoll(fn)) return immediate(fn, ...args);
    chain = insidePoll ? chain + 1 : 0;
    const poll = () => {
      insidePoll = true;
      try {
        fn(...args);
      } finally {
        insidePoll = false;
      }
    };
    return chain < QUICK_POLLS ? immediate(poll) : setTimeout(poll, BACKOFF_MS);
  };
  g.setImmediate = Object.assign(patched, immediate);
  installed = true;
}
