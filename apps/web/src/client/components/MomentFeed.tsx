import { formatMinute, formatPercent } from "../format.ts";
import { formatOffset, offsetOf } from "../highlights/stream-time.ts";
import type { FeedItem } from "../feed-state.ts";
import type { Moment } from "../trpc.ts";

interface Props {
  streamerId: string;
  items: FeedItem[];
  /** Whether the seed's rule's moments are shown too (else highlights only). */
  showsRule: boolean;
  /** The current stream's start, for a highlight's time into the stream (unknown: clock time). */
  streamStartedAt: string | undefined;
}

/** The streamer's moments, newest first: live ones as they are found, then recent stored ones. */
export function MomentFeed({ streamerId, items, showsRule, streamStartedAt }: Props) {
  if (items.length === 0) {
    return (
      <p className="empty" data-testid="feed-empty">
        {showsRule
          ? `Listening for ${streamerId}'s first moment…`
          : `Listening for ${streamerId}'s first highlight… (a surge of one emote that many viewers join)`}
      </p>
    );
  }
  return (
    <ol className="feed" aria-label="Live moments, newest first">
      {items.map(({ moment: m, live }) => (
        <li
          key={m.id}
          className={`feed__item${live ? " feed__item--live" : ""}${m.surge ? " feed__item--surge" : ""}`}
          data-testid="moment"
          data-kind={m.kind ?? "threshold"}
          data-live={live}
        >
          <span className="feed__emote" aria-hidden="true">
            {m.emote}
          </span>
          {m.surge ? (
            <SurgeBody moment={m} surge={m.surge} live={live} streamStartedAt={streamStartedAt} />
          ) : (
            <RuleBody moment={m} live={live} />
          )}
        </li>
      ))}
    </ol>
  );
}

function RuleBody({ moment: m, live }: { moment: Moment; live: boolean }) {
  return (
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
  );
}

function SurgeBody({
  moment: m,
  surge,
  live,
  streamStartedAt,
}: {
  moment: Moment;
  surge: NonNullable<Moment["surge"]>;
  live: boolean;
  streamStartedAt: string | undefined;
}) {
  const offset = streamStartedAt ? offsetOf(streamStartedAt, surge.startedAt) : -1;
  const lastedS = surge.endedAt
    ? Math.max(1, Math.round(offsetOf(surge.startedAt, surge.endedAt) / 1000))
    : null;
  return (
    <span className="feed__body">
      <span className="feed__headline">
        <span className="badge badge--surge">Highlight</span>{" "}
        <span className="visually-hidden">{m.emote} </span>
        peak {surge.peakRate.toFixed(1)}/s · {surge.viewers} viewers
      </span>
      <span className="feed__meta">
        <time dateTime={surge.startedAt} title={new Date(surge.startedAt).toLocaleString()}>
          {offset >= 0 ? `${formatOffset(offset)} into the stream` : formatMinute(surge.startedAt)}
        </time>
        {" · "}
        <span data-testid="surge-state">{lastedS === null ? "going on" : `lasted ${lastedS} s`}</span>
        {live ? null : " · earlier"}
      </span>
    </span>
  );
}
