import { formatMinute, formatPercent } from "../format.ts";
import type { FeedItem } from "../hooks/use-live-moments.ts";

interface Props {
  streamerId: string;
  items: FeedItem[];
}

/** The streamer's moments, newest first: live ones as they are found, then recent stored ones. */
export function MomentFeed({ streamerId, items }: Props) {
  if (items.length === 0) {
    return (
      <p className="empty" data-testid="feed-empty">
        Listening for {streamerId}'s first moment…
      </p>
    );
  }
  return (
    <ol className="feed" aria-label="Live moments, newest first">
      {items.map(({ moment: m, live }) => (
        <li
          key={m.id}
          className={`feed__item${live ? " feed__item--live" : ""}`}
          data-testid="moment"
          data-live={live}
        >
          <span className="feed__emote" aria-hidden="true">
            {m.emote}
          </span>
          <span className="feed__body">
            <span className="feed__headline">
              <span className="visually-hidden">{m.emote} </span>
              {formatPercent(m.ratio)} of the minute
            </span>
            <span className="feed__meta">
              {m.count} of {m.total} emotes ·{" "}
              <time dateTime={m.timestamp} title={new Date(m.timestamp).toLocaleString()}>
                {formatMinute(m.timestamp)}
              </time>
              {live ? null : " · earlier"}
            </span>
          </span>
        </li>
      ))}
    </ol>
  );
}
