import type { BusConsumer } from "./port.ts";

/**
 * A readiness check (the shape `Readiness.add` of @emote/observability takes) that passes
 * while `consumer` is a member of its group.
 */
export function groupMembershipCheck(consumer: BusConsumer, label: string) {
  return {
    name: "kafka",
    label,
    check: async () => {
      if (!consumer.joined()) throw new Error("not a member of the group (joining, rebalancing or stopped)");
    },
  };
}
