# Gatehouse: one image, started exactly as the tests start production (node dist/src/server.js).

# Build: every dependency, compile TypeScript and the offline docs, then drop the dev dependencies.
# Native modules (better-sqlite3, bcrypt) are built here for the same Debian the runtime uses.
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json redocly.yaml openapi.yaml ./
COPY generated ./generated
COPY scripts ./scripts
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Run: Node 20 slim, production dependencies and what the server reads at start, as a non-root user.
FROM node:20-bookworm-slim
# Production needs its store named: the image's own is the SQLite file in the /app/data volume
# (compose points DATABASE_URL at PostgreSQL instead).
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATABASE_URL=sqlite:/app/data/gatehouse.db
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/openapi.yaml ./openapi.yaml
COPY --from=build /app/src/web ./src/web
COPY --from=build /app/src/passwords/common-passwords.txt ./src/passwords/common-passwords.txt
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
VOLUME ["/app/data"]
# The slim image has no curl: Node itself asks /healthz.
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/server.js"]
