import type { ChartModel } from "../chart-model.ts";
import { formatMinute } from "../format.ts";

/** The chart's numbers for screen readers. */
export function ChartTable({ model }: { model: ChartModel }) {
  return (
    <table className="visually-hidden">
      <caption>Emote counts per minute (moments marked with an asterisk)</caption>
      <thead>
        <tr>
          <th scope="col">Minute</th>
          {model.series.map((s) => (
            <th key={s.emote} scope="col">
              {s.emote}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {model.minutes.map((m, i) => (
          <tr key={m}>
            <th scope="row">{formatMinute(m)}</th>
            {model.series.map((s) => {
              const marked = model.marks.some((k) => k.minuteIndex === i && k.emote === s.emote);
              return (
                <td key={s.emote}>
                  {s.counts[i] ?? "no data"}
                  {marked ? " *" : ""}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
