// The loss curves as an SVG: the training matching loss of every outer iteration (what loss.csv holds; each
// iteration draws a fresh network, so it is noisy) and, when tracked, the matching distance on fixed
// networks and batches after every iteration (comparable from one iteration to the next).
const NS = 'http://www.w3.org/2000/svg';
const W = 480, H = 220, PAD = { left: 52, right: 12, top: 30, bottom: 28 };

export interface Series {
  name: string;
  /** x = the iteration the value belongs to (0 = before the first). */
  points: [number, number][];
  colour: string;
}

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3));

export function drawLossCurves(svg: SVGSVGElement, series: Series[], iterations: number): void {
  svg.replaceChildren();
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  const all = series.flatMap((s) => s.points);
  const ys = all.map(([, y]) => y);
  const lo = ys.length ? Math.min(...ys) : 0;
  const hi = ys.length ? Math.max(...ys) : 1;
  const span = hi - lo || Math.abs(hi) || 1;
  const x = (i: number) => PAD.left + (i / Math.max(1, iterations)) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - (v - (lo - 0.05 * span)) / (1.1 * span)) * (H - PAD.top - PAD.bottom);
  svg.append(
    el('rect', { x: PAD.left, y: PAD.top, width: W - PAD.left - PAD.right, height: H - PAD.top - PAD.bottom, fill: '#fafafa', stroke: '#ccc' }),
    el('text', { x: PAD.left - 4, y: y(hi) + 4, 'text-anchor': 'end', 'font-size': 10 }, fmt(hi)),
    el('text', { x: PAD.left - 4, y: y(lo) + 4, 'text-anchor': 'end', 'font-size': 10 }, fmt(lo)),
    el('text', { x: x(0), y: H - 10, 'font-size': 10 }, '0'),
    el('text', { x: x(iterations), y: H - 10, 'text-anchor': 'end', 'font-size': 10 }, `${iterations} iterations`),
  );
  series.forEach((s, k) => {
    if (s.points.length === 0) return;
    const points = s.points.map(([i, v]) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    const line = el('polyline', { points, fill: 'none', stroke: s.colour, 'stroke-width': 1.5, 'data-series': s.name, 'data-count': s.points.length });
    svg.append(line);
    for (const [i, v] of s.points) svg.append(el('circle', { cx: x(i), cy: y(v), r: 2.5, fill: s.colour }));
    // Legend above the plot, one entry per series side by side.
    svg.append(el('text', { x: PAD.left + k * ((W - PAD.left) / 2), y: 14, 'font-size': 11, fill: s.colour }, `— ${s.name}`));
  });
}
