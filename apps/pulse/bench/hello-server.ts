/** The baseline of bench:startup: node + tsx starting a bare HTTP server, nothing else. */
import { createServer } from "node:http";

const server = createServer((_req, res) => res.end("hello"));
server.listen(Number(process.argv[2]), "127.0.0.1");
process.on("SIGTERM", () => server.close(() => process.exit(0)));
