// The recall report's chart: units accounted for vs still outstanding over time, as inline SVG (no script, no
// library), with a text summary for screen readers and the numbers in a table beside it.
import { Time } from './layout.js';

export interface ProgressPoint {
  readonly at: string;
  readonly accounted: number;
  readonly outstanding: number;
}

const W = 640;
const H = 240;
const LEFT = 44;
const RIGHT = 12;
const TOP = 12;
const BOTTOM = 34;

function stepPath(points: readonly { x: number; y: number }[], endX: number): string {
  if (points.length === 0) return '';
  let d = `M${points[0]!.x.toFixed(1)},${points[0]!.y.toFixed(1)}`;
  for (let i = 1; i < points.length; i++) d += ` H${points[i]!.x.toFixed(1)} V${points[i]!.y.toFixed(1)}`;
  return `${d} H${endX.toFixed(1)}`;
}

/** Minutes, or seconds too when the whole chart spans less than an hour. */
const stamp = (iso: string, short: boolean) => iso.slice(0, short ? 19 : 16).replace('T', ' ');

export function RecallChart(p: { readonly points: readonly ProgressPoint[]; readonly total: number }) {
  const pts = p.points;
  if (pts.length === 0) return <p>No progress to chart yet.</p>;
  const t0 = Date.parse(pts[0]!.at);
  const t1 = Date.parse(pts.at(-1)!.at);
  const span = Math.max(t1 - t0, 1);
  const day = (iso: string) => stamp(iso, span < 3600_000);
  const max = Math.max(p.total, 1);
  const x = (iso: string) => LEFT + ((Date.parse(iso) - t0) / span) * (W - LEFT - RIGHT);
  const y = (n: number) => TOP + (1 - n / max) * (H - TOP - BOTTOM);
  const base = y(0);
  const endX = W - RIGHT;
  const accounted = pts.map((q) => ({ x: x(q.at), y: y(q.accounted) }));
  const outstanding = pts.map((q) => ({ x: x(q.at), y: y(q.outstanding) }));
  const area = `${stepPath(accounted, endX)} V${base.toFixed(1)} H${LEFT} Z`;
  const first = pts[0]!;
  const last = pts.at(-1)!;
  const summary =
    `From ${day(first.at)} UTC to ${day(last.at)} UTC, units accounted for went from ${first.accounted} to ${last.accounted} of ${p.total}; ` +
    `${last.outstanding} still outstanding.`;
  const ticks = [...new Set([0, Math.round(max / 2), max])];
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="chart-title chart-desc" preserveAspectRatio="xMidYMid meet">
        <title id="chart-title">Units accounted for and outstanding over time</title>
        <desc id="chart-desc">{summary}</desc>
        {ticks.map((t) => (
          <g class="chart-grid">
            <line x1={LEFT} x2={endX} y1={y(t)} y2={y(t)} />
            <text x={LEFT - 6} y={y(t) + 4} text-anchor="end">
              {String(t)}
            </text>
          </g>
        ))}
        <path class="chart-accounted-area" d={area} />
        <path class="chart-accounted" d={stepPath(accounted, endX)} />
        <path class="chart-outstanding" d={stepPath(outstanding, endX)} />
        <text class="chart-axis" x={LEFT} y={H - 10}>
          {day(first.at)}
        </text>
        <text class="chart-axis" x={endX} y={H - 10} text-anchor="end">
          {day(last.at)}
        </text>
      </svg>
      <figcaption>
        <span class="legend legend--accounted">Accounted for (dispensed, destroyed, returned…)</span>{' '}
        <span class="legend legend--outstanding">Outstanding (in stock or in transit)</span>
        <p class="help">{summary}</p>
      </figcaption>
      <details>
        <summary>Chart data</summary>
        <div class="table-wrap">
          <table class="data">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Accounted for</th>
                <th scope="col">Outstanding</th>
              </tr>
            </thead>
            <tbody>
              {pts.map((q) => (
                <tr>
                  <td>
                    <Time iso={q.at} />
                  </td>
                  <td>{q.accounted}</td>
                  <td>{q.outstanding}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
