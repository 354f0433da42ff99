# The bot as a container: compiled JavaScript, the built-in model, a non-root user.
# Untested here (no Docker engine on the machines this project is built on); see README "Deploy".

# --- build: compile hnswlib-node and src/ ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
# hnswlib-node compiles at install time.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
# npm 11 runs only the install scripts package.json allows (allowScripts).
RUN npm install -g npm@11
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
RUN npm run build && npm prune --omit=dev

# --- run ---
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
  CORPUS_DIR=/app/corpus \
  INDEX_DIR=/app/embeddings \
  DATA_DIR=/app/data \
  WEBHOOK_PORT=8080 \
  METRICS_PORT=9090
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY models/arabic-news-static-256 ./models/arabic-news-static-256
COPY corpus ./corpus
RUN mkdir -p /app/embeddings /app/data && chown -R node:node /app/corpus /app/embeddings /app/data
USER node
VOLUME ["/app/corpus", "/app/embeddings", "/app/data"]
EXPOSE 8080 9090
# /healthz answers in webhook mode on WEBHOOK_PORT, and on METRICS_PORT in polling mode.
HEALTHCHECK --interval=30s --timeout=5s --start-period=180s --retries=3 CMD ["node", "bin/healthcheck.js"]
CMD ["node", "bin/arabic-news-qa.js", "start"]
