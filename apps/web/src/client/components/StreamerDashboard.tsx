import { useCallback, useMemo, useState } from "react";
import { buildChartModel, MINUTE_MS } from "../chart-model.ts";
import { FEED_KINDS, useFeedMode } from "../hooks/use-feed-mode.ts";
import { useLiveMoments } from "../hooks/use-live-moments.ts";
import { useNow } from "../hooks/use-now.ts";
import { useWindowStats } from "../hooks/use-window-stats.ts";
import { trpc, type Moment } from "../trpc.ts";
import { FloatingEmotes, makeFloater, type Floater } from "./FloatingEmotes.tsx";
import { HistoryView } from "./HistoryView.tsx";
import { LiveChart } from "./LiveChart.tsx";
import { MomentFeed } from "./MomentFeed.tsx";
import { Panel } from "./Panel.tsx";
import { ReactionBar } from "./ReactionBar.tsx";
import { SettingsPanel } from "./SettingsPanel.tsx";
import { FeedModeToggle } from "./FeedModeToggle.tsx";
import { StreamView } from "./StreamView.tsx";

/** At most this many emotes in the air at once; a flood of moments must not flood the page. */
const MAX_FLOATERS = 24;
/** How often the chart looks again for minutes without data (a stall shows as a growing gap). */
const CHART_TICK_MS = 15_000;

/** Everything about one streamer; remounted (state reset) when the selection changes. */
export function StreamerDashboard({ streamerId }: { streamerId: string }) {
  const [floaters, setFloaters] = useState<Floater[]>([]);
  const float = useCallback((emote: string) => {
    setFloaters((current) => [...current, makeFloater(emote)].slice(-MAX_FLOATERS));
  }, []);
  const onMoment = useCallback((m: Moment) => float(m.emote), [float]);
  const landed = useCallback(
    (key: string) => setFloaters((current) => current.filter((f) => f.key !== key)),
    [],
  );

  const [feedMode, chooseFeedMode] = useFeedMode();
  const { items: feed, arrivedLive, missed } = useLiveMoments(streamerId, FEED_KINDS[feedMode], onMoment);
  const moments = useMemo(() => feed.map((item) => item.moment), [feed]);
  const liveSurges = useMemo(() => moments.filter((m) => m.kind === "surge"), [moments]);
  // The newest stream, for a highlight's time into the stream in the feed.
  const streams = trpc.streams.list.useQuery({ streamerId }, { refetchInterval: 30_000 });
  const current = streams.data?.items[0];
  const latestLive = feed.find((item) => item.live)?.moment;
  const { stats, receivedAt } = useWindowStats(streamerId);
  const now = useNow(CHART_TICK_MS);
  const silentMinutes = receivedAt === null ? 0 : Math.floor((now - receivedAt) / MINUTE_MS);
  const settings = trpc.settings.get.useQuery({ streamerId });
  const allowed = settings.data?.allowedEmotes;
  const model = useMemo(
    () => (allowed ? buildChartModel(stats, allowed, moments, { silentMinutes }) : null),
    [stats, allowed, moments, silentMinutes],
  );

  return (
    <div className="dashboard">
      <Panel
        title="Emotes per minute"
        aside={<span className="muted">{streamerId}</span>}
        className="panel--chart"
      >
        <LiveChart model={model} streamerId={streamerId} />
      </Panel>
      <Panel
        title="Live moments"
        aside={
          <>
            <FeedModeToggle mode={feedMode} onChange={chooseFeedMode} />
            <span className="muted">{arrivedLive > 0 ? `${arrivedLive} since you opened` : streamerId}</span>
          </>
        }
        className="panel--feed"
      >
        <FloatingEmotes floaters={floaters} onDone={landed} />
        {missed ? (
          <p className="notice" role="status" data-testid="moments-missed">
            some moments were missed — see history
          </p>
        ) : null}
        <MomentFeed
          streamerId={streamerId}
          items={feed}
          showsRule={feedMode === "all"}
          streamStartedAt={current?.live ? current.startedAt : undefined}
        />
        <ReactionBar streamerId={streamerId} emotes={allowed} onSent={float} />
      </Panel>
      <Panel
        title="Streams and highlights"
        aside={<span className="muted">{streamerId}</span>}
        className="panel--streams"
      >
        <StreamView streamerId={streamerId} liveSurges={liveSurges} />
      </Panel>
      <Panel
        title="Analysis settings"
        aside={<span className="muted">{streamerId}</span>}
        className="panel--settings"
      >
        <SettingsPanel streamerId={streamerId} />
      </Panel>
      <Panel title="History" className="panel--history">
        <HistoryView streamerId={streamerId} latestLive={latestLive} />
      </Panel>
    </div>
  );
}
