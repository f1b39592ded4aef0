// The comparison table (Markdown) and the rows it is made from. Browser-safe.
import type { SideResult } from './interleave.js';

export interface PeerRow {
  key: string;
  name: string;
  ours: SideResult;
  tfjs?: SideResult;
  /** PyTorch on the CPU, measured separately (another process), when it ran. */
  torch?: { medianMs?: number; error?: string };
}

const ms = (v?: number) => (v === undefined ? '' : v < 10 ? v.toFixed(2) : v.toFixed(0));
const ratio = (a?: number, b?: number) => (a === undefined || b === undefined ? '' : `${(a / b).toFixed(2)}x`);

export function peerTable(rows: PeerRow[], withTorch: boolean): string {
  const head = ['workload', 'ours ms', 'TF.js WebGPU ms', 'TF.js / ours'];
  if (withTorch) head.push('PyTorch CPU ms', 'ours / PyTorch');
  const lines = [`| ${head.join(' | ')} |`, `|---|${'---:|'.repeat(head.length - 1)}`];
  for (const r of rows) {
    const o = r.ours.medianMs;
    const t = r.tfjs?.medianMs;
    const cells = [r.name, r.ours.error ? `error: ${r.ours.error}` : ms(o)];
    if (r.tfjs?.error) cells.push(`n/a (${r.tfjs.error})`, '');
    else cells.push(ms(t), ratio(t, o));
    if (withTorch) {
      if (r.torch?.error) cells.push(`n/a (${r.torch.error})`, '');
      else cells.push(ms(r.torch?.medianMs), ratio(o, r.torch?.medianMs));
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}
