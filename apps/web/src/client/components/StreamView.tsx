import { useId, useMemo, useState } from "react";
import { formatDateTime } from "../format.ts";
import { youtubeChapters } from "../highlights/chapters.ts";
import { buildHeatmap, type HeatMarker } from "../highlights/heatmap-model.ts";
import { highlightsCsv, highlightsOf, mergeSurges, topHighlights } from "../highlights/highlights.ts";
import { formatOffset } from "../highlights/stream-time.ts";
import { trpc, type Moment, type StreamSummary } from "../trpc.ts";
import { CompareDetectors } from "./CompareDetectors.tsx";

/** Heatmap columns: fine enough on a desktop, still a few pixels each on a phone. */
const HEAT_COLUMNS = 120;
/** A live stream's timeline is asked again this often (new buckets, surges, their ends). */
const LIVE_REFRESH_MS = 10_000;
const TOP_HIGHLIGHTS = 5;

interface Props {
  streamerId: string;
  /** Surge moments that arrived live (merged into the current stream's markers at once). */
  liveSurges: readonly Moment[];
}

/** A streamer's streams: pick one, see its heatmap with highlight markers, the top highlights, exports and the A/B. */
export function StreamView({ streamerId, liveSurges }: Props) {
  const streams = trpc.streams.list.useQuery({ streamerId }, { refetchInterval: 30_000 });
  const [chosen, choose] = useState<string | null>(null);
  const selectId = useId();
  const list = streams.data?.items ?? [];
  const stream = list.find((s) => s.id === chosen) ?? list[0];
  if (streams.error) {
    return (
      <p className="form-error" role="alert">
        Could not load the streams: {streams.error.message}
      </p>
    );
  }
  if (!streams.data) return <p className="empty">Loading streams…</p>;
  if (!stream) {
    return (
      <p className="empty" data-testid="streams-empty">
        No streams of {streamerId} yet: one starts with the first emote after 10 minutes of silence.
      </p>
    );
  }
  return (
    <div className="streams">
      <div className="streams__pick">
        <label htmlFor={selectId}>Stream</label>
        <select id={selectId} value={stream.id} onChange={(e) => choose(e.target.value)}>
          {list.map((s, i) => (
            <option key={s.id} value={s.id}>
              {streamLabel(s, i === 0)}
            </option>
          ))}
        </select>
      </div>
      <StreamTimeline key={stream.id} stream={stream} liveSurges={stream.live ? liveSurges : []} />
    </div>
  );
}

function streamLabel(s: StreamSummary, newest: boolean): string {
  const length = formatOffset(Date.parse(s.lastEmoteAt) - Date.parse(s.startedAt));
  return `${formatDateTime(s.startedAt)} · ${length}${s.live && newest ? " · live now" : ""}`;
}

function StreamTimeline({ stream, liveSurges }: { stream: StreamSummary; liveSurges: readonly Moment[] }) {
  const timeline = trpc.streams.timeline.useQuery(
    { streamId: stream.id },
    { refetchInterval: stream.live ? LIVE_REFRESH_MS : false },
  );
  const data = timeline.data;
  const highlights = useMemo(() => {
    if (!data) return [];
    return highlightsOf(data.stream.startedAt, mergeSurges(data.surges, liveSurges, data.stream));
  }, [data, liveSurges]);
  const heatmap = useMemo(
    () =>
      data
        ? buildHeatmap(
            {
              startedAt: data.stream.startedAt,
              lastEmoteAt: data.stream.lastEmoteAt,
              slotMs: data.slotMs,
              slots: data.slots,
            },
            highlights,
            HEAT_COLUMNS,
          )
        : null,
    [data, highlights],
  );
  if (timeline.error) {
    return (
      <p className="form-error" role="alert">
        Could not load the stream's timeline: {timeline.error.message}
      </p>
    );
  }
  if (!data || !heatmap) return <p className="empty">Loading the timeline…</p>;
  const top = topHighlights(highlights, TOP_HIGHLIGHTS);
  return (
    <>
      <Heatmap
        heatmap={heatmap}
        label={`Chat intensity of the stream from ${formatDateTime(data.stream.startedAt)}`}
      />
      <p className="muted streams__summary">
        {data.stream.emotes.toLocaleString("en")} emotes · {highlights.length} highlights ·{" "}
        {data.thresholdMoments} moments of the original rule
        {data.surgesTruncated ? " · only the first 1,000 highlights are shown" : ""}
      </p>
      <div className="streams__columns">
        <section aria-labelledby={`${data.stream.id}-top`} className="streams__top">
          <h3 id={`${data.stream.id}-top`}>Top highlights</h3>
          {top.length === 0 ? (
            <p className="empty">No highlights in this stream yet.</p>
          ) : (
            <ol className="top-highlights" data-testid="top-highlights">
              {top.map((h) => (
                <li key={h.id}>
                  <span className="top-highlights__time">{formatOffset(h.offsetMs)}</span>{" "}
                  <span className="top-highlights__emote">{h.emote}</span> peak {h.peakRate.toFixed(1)}/s ·{" "}
                  {h.viewers} viewers · score {h.score.toFixed(1)}
                </li>
              ))}
            </ol>
          )}
          <Exports
            streamId={data.stream.id}
            chapters={youtubeChapters(highlights)}
            csv={highlightsCsv(data.stream.id, highlights)}
          />
        </section>
        <section aria-labelledby={`${data.stream.id}-ab`} className="streams__ab">
          <h3 id={`${data.stream.id}-ab`}>Detectors compared</h3>
          <CompareDetectors streamId={data.stream.id} refetchMs={stream.live ? LIVE_REFRESH_MS : false} />
        </section>
      </div>
    </>
  );
}

function Heatmap({
  heatmap,
  label,
}: {
  heatmap: NonNullable<ReturnType<typeof buildHeatmap>>;
  label: string;
}) {
  const [active, setActive] = useState<HeatMarker | null>(null);
  const detailsId = useId();
  return (
    <div className="heatmap" data-testid="heatmap">
      <div className="heatmap__track">
        <div className="heatmap__cells" role="img" aria-label={`${label}: darker is busier`}>
          {heatmap.cells.map((c) => (
            <span
              key={c.offsetMs}
              className={`heatmap__cell heatmap__cell--l${c.level}`}
              title={`${formatOffset(c.offsetMs)}: ${c.emotes} emotes, ${c.viewers} viewers${c.leading ? `, mostly ${c.leading}` : ""}`}
            />
          ))}
        </div>
        <ul className="heatmap__markers" aria-label="Highlights on the timeline">
          {heatmap.markers.map((m) => (
            <li key={m.id} style={{ left: `${m.leftPercent}%` }}>
              <button
                type="button"
                className="heatmap__marker"
                data-testid="heatmap-marker"
                aria-describedby={active?.id === m.id ? detailsId : undefined}
                aria-label={`${m.emote} highlight at ${formatOffset(m.offsetMs)}`}
                onMouseEnter={() => setActive(m)}
                onFocus={() => setActive(m)}
                onClick={() => setActive(m)}
              >
                {m.emote}
              </button>
            </li>
          ))}
        </ul>
      </div>
      <div className="heatmap__axis muted" aria-hidden="true">
        <span>00:00:00</span>
        <span>{formatOffset(heatmap.spanMs)}</span>
      </div>
      <p id={detailsId} className="heatmap__details" role="status" data-testid="marker-details">
        {active
          ? `${active.emote} at ${formatOffset(active.offsetMs)} into the stream: peak ${active.peakRate.toFixed(1)}/s against ${active.baselineRate.toFixed(1)}/s before, ${active.viewers} viewers, score ${active.score.toFixed(1)}${active.endedAt ? "" : ", going on"}`
          : heatmap.markers.length > 0
            ? "Point at or tab to a marker for its details."
            : ""}
      </p>
    </div>
  );
}

function Exports({ streamId, chapters, csv }: { streamId: string; chapters: string; csv: string }) {
  const [copied, setCopied] = useState(false);
  const chaptersId = useId();
  const file = streamId.replace(/[^\w.-]+/g, "_");
  return (
    <div className="exports">
      <label htmlFor={chaptersId}>YouTube chapters</label>
      <textarea
        id={chaptersId}
        readOnly
        value={chapters}
        rows={Math.min(8, chapters.split("\n").length)}
        data-testid="chapters"
      />
      <div className="exports__actions">
        <button
          type="button"
          className="button"
          onClick={() => {
            void navigator.clipboard?.writeText(chapters).then(
              () => setCopied(true),
              () => setCopied(false),
            );
          }}
        >
          Copy chapters
        </button>
        <button
          type="button"
          className="button"
          onClick={() => download(`${file}-chapters.txt`, chapters, "text/plain")}
        >
          Download chapters
        </button>
        <button
          type="button"
          className="button"
          onClick={() => download(`${file}-highlights.csv`, csv, "text/csv")}
        >
          Download CSV
        </button>
        <span role="status" className="muted">
          {copied ? "Copied." : ""}
        </span>
      </div>
    </div>
  );
}

function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  // After the click has started the download.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
