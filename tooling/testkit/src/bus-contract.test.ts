import { memoryBus } from "@emote/bus/memory";
import { describeBusContract } from "./bus-contract.ts";

describeBusContract("in-process", (topicPrefix) => memoryBus({ partitions: 4, topicPrefix }), 5_000);
