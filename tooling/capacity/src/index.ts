export { planCapacity, type Demand, type Plan } from "./plan.ts";
export { MEASURED, UNIT_COSTS } from "./unit-costs.ts";
export { parseDemand } from "./demand-args.ts";
