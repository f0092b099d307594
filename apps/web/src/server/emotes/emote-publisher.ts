import type { BusProducer, OutgoingRecord } from "@emote/bus";
import { EmoteRefusedError } from "@emote/api";

export interface PublisherOptions {
  /** Emotes queued or on the wire at most; past it a send is refused at once (queue_full). */
  maxPending: number;
  /** How long the first emote of a batch waits for others when nothing is on the wire. */
  lingerMs: number;
  /** Records per produce request at most. */
  maxBatch: number;
  /**
   * A produce request not acknowledged within this fails its emotes (unavailable), and until
   * it settles new emotes are refused at once instead of queueing behind it.
   */
  ackTimeoutMs: number;
  /** After a failed or late request, new emotes are refused for this long before one more try. */
  retryAfterMs: number;
}

export interface PublisherCounters {
  /** Acknowledged by Kafka and so answered as sent. */
  acknowledged: number;
  /** Answered unavailable: their request failed or was late, or Kafka was known to be away. */
  failed: number;
  /** Refused because the queue was full. */
  queueFull: number;
}

interface Pending {
  record: OutgoingRecord;
  resolve: () => void;
  reject: (err: EmoteRefusedError) => void;
  settled: boolean;
}

/**
 * One gateway's path to `raw-emote-data`: emotes are batched into few produce requests
 * (`acks: all`), one request on the wire at a time, the next batch filling meanwhile. The
 * queue is bounded; when Kafka is slow or away, sends fail fast with `unavailable` rather
 * than wait. An emote is answered as sent only after Kafka acknowledged its request; one
 * answered `unavailable` may still have been stored (its request was late, not lost).
 */
export class EmotePublisher {
  readonly counters: PublisherCounters = { acknowledged: 0, failed: 0, queueFull: 0 };
  private queue: Pending[] = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  /** The request on the wire has not been acknowledged within ackTimeoutMs. */
  private stalled = false;
  /** Until when new emotes are refused after a failed or late request (epoch ms). */
  private refuseUntil = 0;
  private closing: Promise<void> | undefined;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly producer: Pick<BusProducer, "send">,
    private readonly topic: string,
    private readonly opts: PublisherOptions,
  ) {}

  /** Emotes queued or on the wire now. */
  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  /** Resolves once Kafka has the record; rejects with EmoteRefusedError (queue_full, unavailable). */
  publish(record: OutgoingRecord): Promise<void> {
    if (this.closing) {
      return Promise.reject(new EmoteRefusedError("unavailable", "this server is shutting down"));
    }
    if (this.stalled || Date.now() < this.refuseUntil) {
      this.counters.failed++;
      return Promise.reject(this.unavailable());
    }
    if (this.pending >= this.opts.maxPending) {
      this.counters.queueFull++;
      return Promise.reject(
        new EmoteRefusedError(
          "queue_full",
          `this server has ${this.opts.maxPending} emotes waiting for Kafka: try again in a moment`,
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ record, resolve, reject, settled: false });
      if (this.inFlight > 0) return;
      if (this.queue.length >= this.opts.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.opts.lingerMs);
    });
  }

  /** Sends what is queued and waits for it; later sends are refused. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      while (this.inFlight > 0 || this.queue.length > 0) {
        this.flush();
        await this.sending;
      }
    })();
    return this.closing;
  }

  private unavailable(): EmoteRefusedError {
    return new EmoteRefusedError(
      "unavailable",
      "Kafka is not acknowledging emotes right now: try again in a moment",
      this.opts.retryAfterMs,
    );
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.inFlight > 0 || this.queue.length === 0) return;
    const batch =
      this.queue.length <= this.opts.maxBatch ? this.queue : this.queue.slice(0, this.opts.maxBatch);
    this.queue = batch === this.queue ? [] : this.queue.slice(this.opts.maxBatch);
    this.inFlight = batch.length;
    const records = batch.map((p) => p.record);
    const late = setTimeout(() => this.late(batch), this.opts.ackTimeoutMs);
    this.sending = this.producer.send([{ topic: this.topic, records }]).then(
      () => this.settle(batch, late, undefined),
      () => this.settle(batch, late, this.unavailable()),
    );
  }

  /** The request on the wire is late: its emotes and those queued behind it fail now. */
  private late(batch: Pending[]): void {
    this.stalled = true;
    this.failAll(batch, this.unavailable());
  }

  /** Kafka failed or is late: `batch` and those queued behind it fail, and new ones for a while. */
  private failAll(batch: Pending[], err: EmoteRefusedError): void {
    this.refuseUntil = Date.now() + this.opts.retryAfterMs;
    this.fail(batch, err);
    const queued = this.queue;
    this.queue = [];
    this.fail(queued, err);
  }

  private fail(batch: Pending[], err: EmoteRefusedError): void {
    for (const p of batch) {
      if (p.settled) continue;
      p.settled = true;
      this.counters.failed++;
      p.reject(err);
    }
  }

  private settle(batch: Pending[], late: NodeJS.Timeout, err: EmoteRefusedError | undefined): void {
    clearTimeout(late);
    this.inFlight = 0;
    this.stalled = false;
    if (err) {
      this.failAll(batch, err);
      return;
    }
    for (const p of batch) {
      if (p.settled) continue;
      p.settled = true;
      this.counters.acknowledged++;
      p.resolve();
    }
    // Those that queued meanwhile have waited a whole request already: no linger.
    if (this.queue.length > 0) this.flush();
  }
}
