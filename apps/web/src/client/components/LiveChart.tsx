import { useId } from "react";
import { dataRuns, type ChartModel } from "../chart-model.ts";
import { formatMinute, formatPercent } from "../format.ts";
import { ChartTable } from "./ChartTable.tsx";

const WIDTH = 640;
const HEIGHT = 250;
const PAD = { top: 16, right: 24, bottom: 30, left: 44 };
const PLOT_W = WIDTH - PAD.left - PAD.right;
const PLOT_H = HEIGHT - PAD.top - PAD.bottom;

interface Props {
  model: ChartModel | null;
  streamerId: string;
}

/** Every allowed emote's count per minute, moments ringed; an SVG line chart, broken where there is no data. */
export function LiveChart({ model, streamerId }: Props) {
  const titleId = useId();
  const descId = useId();
  if (!model) {
    return (
      <p className="empty" data-testid="chart-empty">
        Waiting for {streamerId}'s emote counts…
      </p>
    );
  }
  const { minutes, series, marks, yMax } = model;
  const x = (i: number) => PAD.left + (minutes.length > 1 ? (i * PLOT_W) / (minutes.length - 1) : PLOT_W / 2);
  const y = (count: number) => PAD.top + PLOT_H - (count / yMax) * PLOT_H;
  const ticks = [0, 1, 2, 3, 4, 5].map((k) => (k * yMax) / 5);
  const lastMinute = minutes.at(-1) ?? "";
  const slot = minutes.length > 1 ? PLOT_W / (minutes.length - 1) : PLOT_W;
  const countAt = (emote: string, i: number) => series.find((s) => s.emote === emote)?.counts[i] ?? null;

  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-labelledby={titleId}
        aria-describedby={descId}
        className="chart__svg"
      >
        <title id={titleId}>Emotes per minute for {streamerId}</title>
        <desc id={descId}>
          {`Counts of ${series.length} emotes over the ${minutes.length} minutes up to ${formatMinute(lastMinute)}; ${marks.length} moments marked. The table after the chart has the numbers.`}
        </desc>
        <rect
          className="chart__now"
          x={x(minutes.length - 1) - slot / 2}
          y={PAD.top}
          width={slot / 2}
          height={PLOT_H}
        />
        {ticks.map((t) => (
          <g key={t}>
            <line className="chart__grid" x1={PAD.left} x2={WIDTH - PAD.right} y1={y(t)} y2={y(t)} />
            <text className="chart__axis" x={PAD.left - 8} y={y(t)} dy="0.32em" textAnchor="end">
              {t}
            </text>
          </g>
        ))}
        {minutes.map((m, i) => (
          <text key={m} className="chart__axis" x={x(i)} y={HEIGHT - PAD.bottom + 18} textAnchor="middle">
            {formatMinute(m)}
          </text>
        ))}
        {series.map((s) => (
          <g key={s.emote} className="chart__series">
            {dataRuns(s.counts).map(([first, last]) => (
              <polyline
                key={first}
                fill="none"
                stroke={s.color}
                strokeWidth={2}
                strokeLinejoin="round"
                points={s.counts
                  .slice(first, last + 1)
                  .map((c, k) => `${x(first + k)},${y(c ?? 0)}`)
                  .join(" ")}
              />
            ))}
            {s.counts.map((c, i) =>
              c === null ? null : <circle key={i} cx={x(i)} cy={y(c)} r={2.5} fill={s.color} />,
            )}
          </g>
        ))}
        {marks.map((mark) => {
          const cx = x(mark.minuteIndex);
          const cy = y(countAt(mark.emote, mark.minuteIndex) ?? mark.count);
          return (
            <g key={`${mark.minuteIndex}-${mark.emote}`} className="chart__mark" data-testid="chart-mark">
              <circle
                cx={cx}
                cy={cy}
                r={7}
                className="chart__mark-ring"
                stroke={mark.color}
                strokeWidth={2.5}
              />
              <title>{`Moment: ${mark.emote} at ${formatMinute(minutes[mark.minuteIndex] ?? "")}, ${formatPercent(mark.ratio)} of its batch`}</title>
            </g>
          );
        })}
      </svg>
      <figcaption className="legend">
        <ul aria-label="Legend: latest minute's counts">
          {series.map((s) => (
            <li key={s.emote}>
              <span className="legend__swatch" style={{ background: s.color }} aria-hidden="true" />
              <span className="legend__emote">{s.emote}</span>
              <span className="legend__count">{s.counts.at(-1) ?? "–"}</span>
            </li>
          ))}
          <li className="legend__moment">
            <span className="legend__ring" aria-hidden="true" />
            moment
          </li>
        </ul>
      </figcaption>
      <ChartTable model={model} />
    </figure>
  );
}
