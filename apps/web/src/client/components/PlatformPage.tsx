import { useMemo, useState } from "react";
import { useNow } from "../hooks/use-now.ts";
import { useTrendingBoard } from "../hooks/use-trending.ts";
import { INTENSITY_SPAN_MS, intensitySeries } from "../intensity-model.ts";
import { trpc, type TrendingBoard } from "../trpc.ts";
import { AdminAnalytics } from "./AdminAnalytics.tsx";
import { IntensityChart } from "./IntensityChart.tsx";
import { MovingList } from "./MovingList.tsx";
import { Panel } from "./Panel.tsx";

type TrendingEmote = TrendingBoard["windows"][number]["emotes"][number];
type Surge = TrendingBoard["surging"][number];

/** How often the stored hour of intensity is read again (the live board adds the newest minute). */
const HISTORY_REFRESH_MS = 60_000;

interface Props {
  /** Opens a streamer's dashboard (the links also work as plain links). */
  onOpenStreamer(streamerId: string): void;
}

/** The platform view: what is trending across every streamer, who surges now, and how intense it is. */
export function PlatformPage({ onOpenStreamer }: Props) {
  const board = useTrendingBoard();
  const [windowMinutes, setWindowMinutes] = useState(1);
  const now = useNow(HISTORY_REFRESH_MS);
  const history = trpc.trending.history.useQuery(
    { from: new Date(now - INTENSITY_SPAN_MS).toISOString(), to: new Date(now).toISOString(), limit: 1 },
    { refetchInterval: HISTORY_REFRESH_MS },
  );
  const series = useMemo(
    () => intensitySeries(history.data?.intensity ?? [], board?.intensity ?? []),
    [history.data, board],
  );
  const window = board?.windows.find((w) => w.minutes === windowMinutes);
  const whoami = trpc.auth.whoami.useQuery();

  return (
    <div className="platform" data-testid="platform-page">
      <Panel
        title="Trending emotes"
        className="panel--trending"
        aside={
          <div className="segmented" role="group" aria-label="Window">
            {(board?.windows ?? [{ minutes: 1 }, { minutes: 10 }]).map((w) => (
              <button
                key={w.minutes}
                type="button"
                aria-pressed={w.minutes === windowMinutes}
                onClick={() => setWindowMinutes(w.minutes)}
              >
                {w.minutes} min
              </button>
            ))}
          </div>
        }
      >
        {!window || window.emotes.length === 0 ? (
          <p className="empty" data-testid="trending-empty">
            {board ? "Nothing above its usual level right now." : "Waiting for the first trending board…"}
          </p>
        ) : (
          <>
            <MovingList
              label={`Emotes trending over the last ${windowMinutes} minutes`}
              testId="trending-emotes"
              items={window.emotes}
              keyOf={(e: TrendingEmote) => e.emote}
              render={(e: TrendingEmote, i) => (
                <div className="trend-row">
                  <span className="trend-row__rank">{i + 1}</span>
                  <span className="trend-row__emote">{e.emote}</span>
                  <span className="trend-row__bar" aria-hidden="true">
                    <span style={{ width: `${barWidth(e.score, window.emotes)}%` }} />
                  </span>
                  <span className="trend-row__stat" title="how far above its usual level">
                    ×{ratio(e.count, e.expected)}
                  </span>
                  <span className="trend-row__stat muted">{e.count}</span>
                  <span className="trend-row__stat muted">
                    {e.surgingIn > 0 ? `surging in ${e.surgingIn}` : ""}
                  </span>
                </div>
              )}
            />
            {window.error > 0 ? (
              <p className="muted small">Counts are estimates, at most {window.error} too high.</p>
            ) : null}
          </>
        )}
      </Panel>

      <Panel
        title="Streamers surging now"
        className="panel--surging"
        aside={
          <span className="muted">
            {board ? `${board.liveSurges} live surge${board.liveSurges === 1 ? "" : "s"}` : ""}
          </span>
        }
      >
        {!board || board.surging.length === 0 ? (
          <p className="empty" data-testid="surging-empty">
            No streamer is surging right now.
          </p>
        ) : (
          <MovingList
            label="Strongest live surges, one per streamer"
            testId="surging-streamers"
            items={board.surging}
            keyOf={(s: Surge) => s.streamerId}
            render={(s: Surge) => (
              <div className="surge-row">
                <span className="trend-row__emote">{s.emote}</span>
                <a
                  className="surge-row__streamer"
                  href={`?streamer=${encodeURIComponent(s.streamerId)}`}
                  onClick={(ev) => {
                    ev.preventDefault();
                    onOpenStreamer(s.streamerId);
                  }}
                >
                  {s.streamerId}
                </a>
                <span className="trend-row__stat" title="surge score">
                  {s.score.toFixed(1)}
                </span>
                <span className="trend-row__stat muted">{s.viewers} viewers</span>
              </div>
            )}
          />
        )}
      </Panel>

      <Panel
        title="Platform intensity"
        className="panel--intensity"
        aside={<span className="muted">last hour</span>}
      >
        <IntensityChart series={series} />
      </Panel>

      <Panel title="Cross-streamer analytics" className="panel--analytics">
        {whoami.data?.role === "admin" ? (
          <AdminAnalytics />
        ) : (
          <p className="empty" data-testid="analytics-locked">
            For platform admins: sign in with an admin token to see emote shares per streamer and highlights
            per hour.
          </p>
        )}
      </Panel>
    </div>
  );
}

function barWidth(score: number, all: readonly TrendingEmote[]): number {
  const top = Math.max(...all.map((e) => e.score), 1e-9);
  return Math.max(4, Math.min(100, (Math.max(0, score) / top) * 100));
}

function ratio(count: number, expected: number): string {
  if (expected <= 0) return "new";
  const r = count / expected;
  return r >= 10 ? r.toFixed(0) : r.toFixed(1);
}
