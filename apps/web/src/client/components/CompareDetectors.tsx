import { formatOffset, offsetOf } from "../highlights/stream-time.ts";
import { trpc } from "../trpc.ts";

/** How many surges the A/B lists by name (the counts cover all). */
const LISTED = 8;

/**
 * The A/B of one stream (streams.compare): moments per hour of each detector, and which
 * highlights each found. `refetchMs`: a live stream's is asked again as often as its
 * timeline, whose summary line shows the same counts.
 */
export function CompareDetectors({ streamId, refetchMs }: { streamId: string; refetchMs: number | false }) {
  const compare = trpc.streams.compare.useQuery({ streamId }, { refetchInterval: refetchMs });
  if (compare.error) {
    return (
      <p className="form-error" role="alert">
        Could not compare the detectors: {compare.error.message}
      </p>
    );
  }
  const c = compare.data;
  if (!c) return <p className="empty">Comparing…</p>;
  const rows = [
    { name: "Surge (highlights)", d: c.surge },
    { name: "Threshold (original rule)", d: c.threshold },
  ];
  const total = c.surges.length;
  return (
    <>
      <table className="compare" data-testid="compare">
        <caption className="visually-hidden">Moments of each detector in this stream</caption>
        <thead>
          <tr>
            <th scope="col">Detector</th>
            <th scope="col">Moments</th>
            <th scope="col">Per hour</th>
            <th scope="col">Highlights found</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ name, d }) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td>{d.moments.toLocaleString("en")}</td>
              <td>{d.perHour.toFixed(1)}</td>
              <td>
                {d.surgesFound} of {total}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {total > 0 ? (
        <ul className="compare__surges" aria-label="Highlights and whether the original rule found them">
          {c.surges.slice(0, LISTED).map(({ moment: m, foundByThreshold }) => (
            <li key={m.id}>
              {formatOffset(offsetOf(c.stream.startedAt, m.surge?.startedAt ?? m.timestamp))} {m.emote}:{" "}
              {foundByThreshold ? "the rule found it too" : "only the surge detector"}
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}
