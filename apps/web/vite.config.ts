import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

/**
 * The dashboard. `vite build` writes apps/web/dist, which the web server serves at `/`;
 * `vite` (npm run dev:client) proxies the API, WebSocket included, to a server on :3000.
 */
export default defineConfig({
  root,
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    proxy: {
      "/trpc": { target: "http://127.0.0.1:3000", ws: true, changeOrigin: false },
    },
  },
});
