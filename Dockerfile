# syntax=docker/dockerfile:1
# One image build for every app: one target each, all from the same install and build stages.
#   docker build --target web -t emote-pulse/web:<version> .
#   docker build --target worker -t emote-pulse/worker:<version> .   (also runs the migrations)
#   docker build --target generator -t emote-pulse/generator:<version> .
#   docker build --target trending -t emote-pulse/trending:<version> .
# docker-compose.yml and deploy/k8s use these targets; tooling/k8s-check tests this file.
# Pinned to a patch release so a rebuild brings no surprise; bump it with the Node in CI.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# Just the files npm ci reads (root manifest, lockfile, every workspace's package.json, the
# postinstall's dependency patches), gathered by glob so a new workspace needs no edit here;
# the install layer below is reused until one of them changes.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir -p /out/tooling && cp package.json package-lock.json /out/ \
 && cp -r tooling/patches /out/tooling/ \
 && for f in apps/*/package.json packages/*/package.json tooling/*/package.json examples/*/package.json; do \
      mkdir -p "/out/${f%/package.json}" && cp "$f" "/out/$f"; \
    done

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY --from=manifests /out/ ./
# Dev dependencies are kept on purpose: the apps run from TypeScript source through tsx,
# a root devDependency (internal packages export ./src/*.ts; there is no compile step).
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

FROM deps AS build
COPY . .
# The dashboard's static files (apps/web/dist), served by the web server at runtime.
RUN npm run build -w @emote/web

# What every app image shares: the dependencies and the packages, root-owned (read-only to the
# app), run as the image's unprivileged `node` user by number, so Kubernetes' runAsNonRoot can
# check it. tsx caches in /tmp, the one place the app writes (an emptyDir on Kubernetes).
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json /app/tsconfig*.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/packages ./packages
USER 1000:1000

FROM runtime AS web
COPY --from=build /app/apps/web ./apps/web
# HTTP + WebSocket + probes + /metrics (PORT).
EXPOSE 3000
# node itself, not npm/npx, so SIGTERM reaches the app and it can drain before exiting.
CMD ["node", "--import", "tsx", "apps/web/src/server/main.ts"]

FROM runtime AS worker
COPY --from=build /app/apps/worker ./apps/worker
# Metrics and probes (METRICS_PORT) on every interface, so Prometheus and the orchestrator's
# probes reach them from outside the container.
ENV METRICS_HOST=0.0.0.0
EXPOSE 9464
CMD ["node", "--import", "tsx", "apps/worker/src/main.ts"]

FROM runtime AS generator
COPY --from=build /app/apps/generator ./apps/generator
ENV METRICS_HOST=0.0.0.0
EXPOSE 9465
CMD ["node", "--import", "tsx", "apps/generator/src/main.ts"]

FROM runtime AS trending
COPY --from=build /app/apps/trending ./apps/trending
ENV METRICS_HOST=0.0.0.0
EXPOSE 9466
CMD ["node", "--import", "tsx", "apps/trending/src/main.ts"]
