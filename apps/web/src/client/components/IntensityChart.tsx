import { useId } from "react";
import { BUCKET_MS, type IntensitySeries } from "../intensity-model.ts";
import { formatMinute } from "../format.ts";

const WIDTH = 720;
const HEIGHT = 160;
const PAD = { top: 10, right: 8, bottom: 22, left: 40 };

/**
 * Emotes per 10 s across the platform over the last hour, one bar per bucket, and distinct
 * viewers as a line on the same scale; gaps left empty.
 */
export function IntensityChart({ series }: { series: IntensitySeries }) {
  const titleId = useId();
  if (series.values.length === 0) {
    return (
      <p className="empty" data-testid="intensity-empty">
        No platform intensity yet: it appears once the trending stage has seen window stats.
      </p>
    );
  }
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const barW = plotW / series.values.length;
  const yMax = Math.max(1, series.max);
  const last = series.values.findLastIndex((v) => v !== null);
  const latest = last >= 0 ? (series.values[last] ?? 0) : 0;
  const lastViewers = series.viewers.findLastIndex((v) => v !== null);
  const latestViewers = lastViewers >= 0 ? (series.viewers[lastViewers] ?? 0) : undefined;
  const y = (v: number) => PAD.top + plotH - (v / yMax) * plotH;
  // One path, a new segment after each gap.
  const viewersPath = series.viewers
    .map((v, i) => {
      if (v === null) return "";
      const move = i === 0 || series.viewers[i - 1] === null ? "M" : "L";
      return `${move}${(PAD.left + (i + 0.5) * barW).toFixed(1)},${y(v).toFixed(1)}`;
    })
    .join("");
  const axis = [0, 15, 30, 45, 59].map((m) => series.start + m * 60_000);
  return (
    <figure className="intensity" data-testid="intensity-chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={titleId} className="intensity__svg">
        <title id={titleId}>
          {`Platform emotes and distinct viewers per 10 seconds over the last hour; latest ${latest} emotes` +
            (latestViewers === undefined ? "" : `, ${latestViewers} viewers`) +
            `, highest ${series.max}.`}
        </title>
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line
              className="chart__grid"
              x1={PAD.left}
              x2={WIDTH - PAD.right}
              y1={PAD.top + plotH * (1 - f)}
              y2={PAD.top + plotH * (1 - f)}
            />
            <text
              className="chart__axis"
              x={PAD.left - 6}
              y={PAD.top + plotH * (1 - f)}
              dy="0.32em"
              textAnchor="end"
            >
              {Math.round(yMax * f)}
            </text>
          </g>
        ))}
        {series.values.map((v, i) =>
          v === null || v <= 0 ? null : (
            <rect
              key={series.start + i * BUCKET_MS}
              className="intensity__bar"
              x={PAD.left + i * barW}
              width={Math.max(1, barW - 0.5)}
              y={y(v)}
              height={(v / yMax) * plotH}
            />
          ),
        )}
        {viewersPath !== "" && (
          <path className="intensity__viewers" d={viewersPath} data-testid="intensity-viewers-line" />
        )}
        {axis.map((t) => (
          <text
            key={t}
            className="chart__axis"
            x={PAD.left + ((t - series.start) / BUCKET_MS) * barW}
            y={HEIGHT - 6}
            textAnchor="middle"
          >
            {formatMinute(new Date(t).toISOString())}
          </text>
        ))}
      </svg>
      <figcaption className="muted">
        Per 10 s, all streamers: <strong data-testid="intensity-latest">{latest}</strong> emotes (bars)
        {latestViewers !== undefined && (
          <>
            {" "}
            from <strong data-testid="intensity-viewers">{latestViewers}</strong> distinct viewers (line; a
            viewer on several streams counts once)
          </>
        )}{" "}
        in the latest bucket.
      </figcaption>
    </figure>
  );
}
