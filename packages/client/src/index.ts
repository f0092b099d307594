export {
  TRPCClientError,
  closeEmotePulseClient,
  createEmotePulseClient,
  isResumePositionLost,
  type EmotePulseClient,
  type EmotePulseClientOptions,
  type WebSocketImplementation,
} from "./client.ts";
export type { AppRouter } from "./public-types.ts";
export type {
  AnalysisSettings,
  AuditEntry,
  ErrorData,
  Identity,
  Moment,
  MomentPage,
  RouterInputs,
  RouterOutputs,
  SentEmote,
  SettingsUpdate,
  Stream,
  StreamComparison,
  StreamPage,
  StreamTimeline,
  TrendingBoard,
  WindowStats,
} from "./data-types.ts";
