// What the app (main.ts) publishes on window.__hmnApp for the browser test (test/web/app.test.ts).
export interface AppState {
  /** The engine started on a WebGPU adapter. */
  ready: boolean;
  /** The message shown when there is no WebGPU. */
  noWebGpu: string | null;
  status: 'idle' | 'running' | 'pausing' | 'paused' | 'stopping' | 'stopped' | 'done' | 'failed';
  iteration: number;
  iterations: number;
  /** The training matching loss per iteration (loss.csv). */
  lossCurve: number[];
  /** [iteration, distance on fixed networks], from iteration 0. */
  tracked: [number, number][];
  /** Condensation steps per second (steps alone). */
  iterationsPerSecond: number | null;
  poolBytes: number;
  peakPoolBytes: number;
  checkpointIteration: number;
  /** Every error shown in the page, as shown. */
  errors: string[];
  /** "34.1 ± 0.8 %" after an evaluation. */
  evaluation: string | null;
  /** What the viewer shows about a loaded result. */
  viewer: string | null;
  savedOffer?: { iteration: number; iterations: number; dataset: string } | null;
}

declare global {
  interface Window {
    __hmnApp?: AppState;
    __hmnLoseDevice?: () => void;
  }
}
