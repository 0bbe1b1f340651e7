import { seconds } from "../format.js";

// Small inline SVG charts: a cumulative line over time, horizontal bars.

export function LineChart({ series, width = 640, height = 220 }: { series: { name: string; cls: string; points: { at: string; count: number }[] }[]; width?: number; height?: number }) {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return <p class="quiet">Nothing finished yet.</p>;
  const times = all.map((p) => Date.parse(p.at));
  const t0 = Math.min(...times);
  const t1 = Math.max(...times, t0 + 1000);
  const top = Math.max(...all.map((p) => p.count), 1);
  const pad = { l: 40, r: 10, t: 10, b: 30 };
  const x = (t: number) => pad.l + ((t - t0) / (t1 - t0)) * (width - pad.l - pad.r);
  const y = (n: number) => height - pad.b - (n / top) * (height - pad.t - pad.b);
  return (
    <svg class="chart" viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label="projects over time">
      <line x1={pad.l} y1={y(0)} x2={width - pad.r} y2={y(0)} class="axis" />
      <line x1={pad.l} y1={y(0)} x2={pad.l} y2={pad.t} class="axis" />
      <text x={pad.l - 4} y={y(top) + 4} class="tick" text-anchor="end">
        {top}
      </text>
      <text x={pad.l - 4} y={y(0)} class="tick" text-anchor="end">
        0
      </text>
      <text x={pad.l} y={height - 8} class="tick">
        {new Date(t0).toISOString().slice(11, 19)}
      </text>
      <text x={width - pad.r} y={height - 8} class="tick" text-anchor="end">
        {new Date(t1).toISOString().slice(11, 19)} (+{seconds((t1 - t0) / 1000)})
      </text>
      {series.map((s) => (
        <polyline key={s.name} class={`series ${s.cls}`} points={s.points.map((p) => `${x(Date.parse(p.at)).toFixed(1)},${y(p.count).toFixed(1)}`).join(" ")} />
      ))}
      {series.map((s, i) => (
        <text key={s.name} x={pad.l + 8} y={pad.t + 14 + i * 16} class={`legend ${s.cls}`}>
          {s.name} ({s.points.at(-1)?.count ?? 0})
        </text>
      ))}
    </svg>
  );
}

export function Bars({ rows, width = 640, unit }: { rows: { label: string; value: number; cls?: string; note?: string }[]; width?: number; unit: (v: number) => string }) {
  if (rows.length === 0) return <p class="quiet">None.</p>;
  const max = Math.max(...rows.map((r) => r.value), 1e-9);
  const labelW = 170;
  const h = 22;
  return (
    <svg class="chart" viewBox={`0 0 ${width} ${rows.length * h + 4}`} width={width} height={rows.length * h + 4} role="img">
      {rows.map((r, i) => (
        <g key={r.label + i} transform={`translate(0 ${i * h + 2})`}>
          <text x={labelW - 6} y={h / 2 + 4} class="tick" text-anchor="end">
            {r.label}
          </text>
          <rect x={labelW} y={2} height={h - 6} width={Math.max(1, (r.value / max) * (width - labelW - 160))} class={`barfill ${r.cls ?? ""}`} />
          <text x={labelW + Math.max(1, (r.value / max) * (width - labelW - 160)) + 6} y={h / 2 + 4} class="tick">
            {unit(r.value)}
            {r.note ? ` ${r.note}` : ""}
          </text>
        </g>
      ))}
    </svg>
  );
}

export const asSeconds = (v: number) => seconds(v);
