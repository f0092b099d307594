import { describeBusContract } from "../contract-tests.ts";
import { memoryBus } from "./memory-bus.ts";

describeBusContract("in-process", (topicPrefix) => memoryBus({ partitions: 4, topicPrefix }), 5_000);
