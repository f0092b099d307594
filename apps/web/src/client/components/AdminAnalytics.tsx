import { useMemo } from "react";
import { trpc } from "../trpc.ts";

const DAY_MS = 24 * 3_600_000;

/** Admins only (the server checks): emote shares per streamer and streamers by highlights per hour, last 24 h. */
export function AdminAnalytics() {
  const range = useMemo(() => {
    const to = Date.now();
    return { from: new Date(to - DAY_MS).toISOString(), to: new Date(to).toISOString() };
  }, []);
  const shares = trpc.trending.emoteShare.useQuery({ ...range, limit: 20 });
  const rates = trpc.trending.highlightsPerHour.useQuery({ ...range, limit: 20 });
  return (
    <div className="analytics" data-testid="admin-analytics">
      <table className="history">
        <caption>Streamers by highlights per hour (last 24 h)</caption>
        <thead>
          <tr>
            <th scope="col">Streamer</th>
            <th scope="col">Highlights</th>
            <th scope="col">Per hour</th>
          </tr>
        </thead>
        <tbody>
          {(rates.data ?? []).map((r) => (
            <tr key={r.streamerId}>
              <td>
                <a href={`?streamer=${encodeURIComponent(r.streamerId)}`}>{r.streamerId}</a>
              </td>
              <td>{r.highlights}</td>
              <td>{r.perHour}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table className="history">
        <caption>Emote share per streamer (moments, last 24 h)</caption>
        <thead>
          <tr>
            <th scope="col">Streamer</th>
            <th scope="col">Emote</th>
            <th scope="col">Count</th>
            <th scope="col">Share</th>
          </tr>
        </thead>
        <tbody>
          {(shares.data ?? []).map((r) => (
            <tr key={`${r.streamerId}\u0000${r.emote}`}>
              <td>{r.streamerId}</td>
              <td className="emoji">{r.emote}</td>
              <td>{r.count}</td>
              <td>{Math.round(r.share * 100)} %</td>
            </tr>
          ))}
        </tbody>
      </table>
      {shares.error || rates.error ? <p className="error">{(shares.error ?? rates.error)?.message}</p> : null}
    </div>
  );
}
