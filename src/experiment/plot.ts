// Accuracy against budget as a self-contained SVG: one line per method with ±std bars, IPC on a log axis
// (it spans 1 to 50). No plotting library: a few dozen elements are all it takes.
import { METHOD_LABELS } from './spec.js';
import type { ResultTable } from './table.js';

const COLOURS = ['#d62728', '#ff7f0e', '#1f77b4', '#2ca02c', '#7f7f7f', '#9467bd'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function accuracyPlotSvg(t: ResultTable): string {
  const W = 640, H = 400, left = 60, right = 200, top = 30, bottom = 50;
  const pw = W - left - right, ph = H - top - bottom;
  const done = t.entries.filter((e) => e.test);
  const lows = done.map((e) => e.test!.mean - e.test!.std);
  const highs = done.map((e) => e.test!.mean + e.test!.std);
  const yMin = Math.max(0, Math.floor((Math.min(0.1, ...lows) * 100) / 10) * 10) / 100;
  const yMax = Math.min(1, Math.ceil((Math.max(0.2, ...highs) * 100) / 10) * 10 / 100);
  const logs = t.ipc.map(Math.log);
  const xMin = Math.min(...logs), xMax = Math.max(...logs);
  const x = (ipc: number) => left + (xMax === xMin ? pw / 2 : ((Math.log(ipc) - xMin) / (xMax - xMin)) * pw);
  const y = (acc: number) => top + ph - ((acc - yMin) / (yMax - yMin)) * ph;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${left + pw / 2}" y="18" text-anchor="middle" font-size="14">${esc(`${t.dataset}: test accuracy vs budget (${t.experiment})`)}</text>`,
  ];
  for (let v = yMin; v <= yMax + 1e-9; v += 0.1) {
    out.push(`<line x1="${left}" x2="${left + pw}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`);
    out.push(`<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${Math.round(v * 100)}%</text>`);
  }
  for (const ipc of t.ipc) out.push(`<text x="${x(ipc).toFixed(1)}" y="${top + ph + 18}" text-anchor="middle">${ipc}</text>`);
  out.push(`<text x="${left + pw / 2}" y="${H - 12}" text-anchor="middle">images per class (storage budget)</text>`);
  out.push(`<rect x="${left}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  t.methods.forEach((m, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const points = t.entries.filter((e) => e.method === m && e.test).map((e) => ({ x: x(e.ipc), mean: e.test!.mean, std: e.test!.std }));
    if (points.length > 1) out.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points.map((p) => `${p.x.toFixed(1)},${y(p.mean).toFixed(1)}`).join(' ')}"/>`);
    for (const p of points) {
      out.push(`<line x1="${p.x.toFixed(1)}" x2="${p.x.toFixed(1)}" y1="${y(p.mean - p.std).toFixed(1)}" y2="${y(p.mean + p.std).toFixed(1)}" stroke="${colour}"/>`);
      out.push(`<circle cx="${p.x.toFixed(1)}" cy="${y(p.mean).toFixed(1)}" r="4" fill="${colour}"><title>${esc(`${METHOD_LABELS[m]}: ${(p.mean * 100).toFixed(1)} ± ${(p.std * 100).toFixed(1)} %`)}</title></circle>`);
    }
    const ly = top + 10 + i * 20;
    out.push(`<rect x="${left + pw + 15}" y="${ly - 8}" width="12" height="12" fill="${colour}"/>`);
    out.push(`<text x="${left + pw + 32}" y="${ly + 2}">${esc(METHOD_LABELS[m])}${points.length ? '' : ' (no result)'}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
