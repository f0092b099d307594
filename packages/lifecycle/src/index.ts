export { withDeadline } from "./deadline.ts";
export { logFatalExits, type FatalExitHost, type ProcessLogger } from "./fatal-exits.ts";
export {
  runMain,
  type MainContext,
  type MainHost,
  type MainOptions,
  type StopPlan,
  type StopSignal,
  type Stopping,
} from "./run-main.ts";
