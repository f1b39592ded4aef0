// A one-line progress bar for long runs: iteration, loss, rate, ETA and GPU pool memory. Redraws in place
// on a terminal; on a pipe (CI, logs) it prints a plain line every `logEvery` steps instead.

export interface ProgressState {
  done: number;
  total: number;
  loss?: number;
  poolBytes?: number;
  note?: string;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

export class ProgressBar {
  private start = Date.now();
  private startDone: number | null = null;
  private lastLine = '';

  constructor(
    private label: string,
    private out: NodeJS.WriteStream = process.stderr,
    private logEvery = 10,
  ) {}

  /** Text of the line for a state (also used by the browser app). */
  line(s: ProgressState): string {
    if (this.startDone === null) this.startDone = s.done;
    const elapsed = (Date.now() - this.start) / 1000;
    const stepped = s.done - this.startDone;
    const rate = stepped > 0 ? stepped / elapsed : 0;
    const eta = rate > 0 ? (s.total - s.done) / rate : NaN;
    const width = 24;
    const filled = Math.round((width * s.done) / Math.max(1, s.total));
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    const parts = [
      `${this.label} [${bar}] ${s.done}/${s.total}`,
      s.loss !== undefined ? `loss ${s.loss.toPrecision(4)}` : '',
      rate > 0 ? `${rate >= 1 ? rate.toFixed(2) + ' it/s' : (1 / rate).toFixed(1) + ' s/it'}` : '',
      s.done < s.total ? `ETA ${formatDuration(eta)}` : '',
      s.poolBytes !== undefined ? `GPU ${formatBytes(s.poolBytes)}` : '',
      s.note ?? '',
    ];
    return parts.filter(Boolean).join('  ');
  }

  update(s: ProgressState): void {
    const text = this.line(s);
    if (this.out.isTTY) {
      this.out.write(`\r${text.padEnd(this.lastLine.length)}`);
    } else if (s.done % Math.max(1, Math.min(this.logEvery, Math.ceil(s.total / 20))) === 0 || s.done === s.total) {
      this.out.write(`${text}\n`);
    }
    this.lastLine = text;
  }

  finish(message?: string): void {
    if (this.out.isTTY) this.out.write('\n');
    if (message) this.out.write(`${message}\n`);
  }
}
