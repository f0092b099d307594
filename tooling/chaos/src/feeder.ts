import type { Bus, BusProducer } from "@emote/bus";
import type { ProducedEmote } from "@emote/worker/reference";

/**
 * Produces `messages` steadily (`chunk` every `everyMs`, keyed by streamer) with one
 * idempotent producer that retries for as long as the brokers are away, until they end
 * or `stop()` is called. `sent` is what Kafka acknowledged, in order.
 */
export class Feeder {
  readonly sent: ProducedEmote[] = [];
  /** Chunks sent again after kafkajs gave a send up. */
  resends = 0;
  private stopping = false;
  private readonly done: Promise<void>;

  private constructor(
    private readonly bus: Bus,
    private readonly producer: BusProducer,
    messages: Iterable<ProducedEmote>,
    chunk: number,
    everyMs: number,
  ) {
    this.done = this.feed(messages, chunk, everyMs);
  }

  static async start(
    bus: Bus,
    messages: Iterable<ProducedEmote>,
    opts: { chunk: number; everyMs: number },
  ): Promise<Feeder> {
    return new Feeder(bus, await bus.producer(), messages, opts.chunk, opts.everyMs);
  }

  private async feed(messages: Iterable<ProducedEmote>, chunk: number, everyMs: number): Promise<void> {
    const source = messages[Symbol.iterator]();
    try {
      while (!this.stopping) {
        const slice: ProducedEmote[] = [];
        for (let next = source.next(); !next.done; next = source.next()) {
          slice.push(next.value);
          if (slice.length === chunk) break;
        }
        if (slice.length === 0) return;
        const records = slice.map((m) => ({ key: m.streamerId ?? "default", value: JSON.stringify(m) }));
        await this.sendUntilAcknowledged(records);
        this.sent.push(...slice);
        await new Promise((r) => setTimeout(r, everyMs));
      }
    } finally {
      await this.producer.disconnect();
    }
  }

  /**
   * kafkajs gives a send up once its connection retries are spent (a broker away for
   * longer than ~25 s); the chunk is sent again. A chunk that did land before the error
   * is then on the topic twice, which is why the runs check against what they read back.
   */
  private async sendUntilAcknowledged(records: { key: string; value: string }[]): Promise<void> {
    for (;;) {
      try {
        await this.producer.send([{ topic: this.bus.topics.raw, records }]);
        return;
      } catch {
        this.resends++;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  /** Resolves when every message has been sent (or the feed was stopped). */
  finished(): Promise<void> {
    return this.done;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.done;
  }
}
