import { formatDateTime, formatPercent } from "../format.ts";
import type { Moment } from "../trpc.ts";

export function HistoryTable({ moments }: { moments: Moment[] }) {
  return (
    <div className="table-wrap">
      <table className="history">
        <caption className="visually-hidden">Moments, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Minute</th>
            <th scope="col">Streamer</th>
            <th scope="col">Emote</th>
            <th scope="col" className="num">
              Share
            </th>
            <th scope="col" className="num">
              Count
            </th>
          </tr>
        </thead>
        <tbody>
          {moments.map((m) => (
            <tr key={m.id} data-testid="history-row">
              <td>
                <time dateTime={m.timestamp}>{formatDateTime(m.timestamp)}</time>
              </td>
              <td>{m.streamerId}</td>
              <td className="history__emote">
                {m.emote}
                {m.kind === "surge" ? <span className="badge badge--surge">Highlight</span> : null}
              </td>
              <td className="num">{formatPercent(m.ratio)}</td>
              <td className="num">
                {m.count}
                <span className="muted"> / {m.total}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
