import { describeBusContract } from "@emote/bus/contract-tests";
import { createKafka, kafkaBus } from "@emote/bus/kafka";
import { testInfraConfig } from "../../src/test-env.ts";

const infra = testInfraConfig();
const kafka = createKafka({ brokers: infra.brokers, clientId: "bus-contract-it" });

describeBusContract("Kafka", (topicPrefix) => kafkaBus(kafka, { partitions: 4, topicPrefix }), 20_000);
