import { Counter, type Registry } from "@emote/observability";

/** The generator's metrics; names are fixed (deploy/ dashboards and alerts use them). */
export interface GeneratorMetrics {
  /** Emotes Kafka acknowledged (all in-sync replicas), counted per acknowledged batch. */
  emotesProduced: Counter;
}

export function createGeneratorMetrics(registry: Registry): GeneratorMetrics {
  return {
    emotesProduced: new Counter({
      name: "emote_generator_emotes_produced_total",
      help: "Emotes produced to Kafka and acknowledged by it",
      registers: [registry],
    }),
  };
}
