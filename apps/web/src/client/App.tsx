import { ApiProvider } from "./api-provider.tsx";
import { ConnectionIndicator } from "./components/ConnectionIndicator.tsx";
import { SignIn } from "./components/SignIn.tsx";
import { StreamerDashboard } from "./components/StreamerDashboard.tsx";
import { StreamerSelect } from "./components/StreamerSelect.tsx";
import { useStoredToken } from "./hooks/use-stored-token.ts";
import { useStreamerParam } from "./hooks/use-streamer-param.ts";

export function App() {
  const [token, setToken] = useStoredToken();
  const [streamerId, setStreamerId] = useStreamerParam();
  return (
    <ApiProvider token={token}>
      <header className="topbar">
        <div className="brand">
          <span className="brand__mark" aria-hidden="true">
            🔥
          </span>
          <h1>Emote Pulse</h1>
        </div>
        <div className="topbar__controls">
          <StreamerSelect value={streamerId} onChange={setStreamerId} />
          <ConnectionIndicator />
          <SignIn token={token} onToken={setToken} />
        </div>
      </header>
      <main>
        <StreamerDashboard key={streamerId} streamerId={streamerId} />
      </main>
    </ApiProvider>
  );
}
