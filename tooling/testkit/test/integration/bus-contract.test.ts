import { describeBusContract } from "../../src/bus-contract.ts";
import { createKafka, kafkaBus } from "@emote/bus/kafka";
import { testInfraConfig } from "@emote/infra";

const infra = testInfraConfig();
const kafka = createKafka({ brokers: infra.brokers, clientId: "bus-contract-it" });

describeBusContract("Kafka", (topicPrefix) => kafkaBus(kafka, { partitions: 4, topicPrefix }), 20_000);
