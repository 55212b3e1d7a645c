# Production image of the Paved backend, which also serves the frontend.
# Build the host artefacts first (same Node major as below), then the image from the repo root:
#   scripts/paved test            # or: yarn install --immutable && yarn tsc && yarn build:all
#   docker build -t paved .
# Run it with app-config.production.yaml's environment variables (see README, "Production").

FROM node:22-bookworm-slim

# better-sqlite3 is built from source; the rest is what node-gyp needs.
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends python3 g++ make libsqlite3-dev && \
    rm -rf /var/lib/apt/lists/* && \
    corepack enable yarn

USER node
WORKDIR /app
ENV NODE_ENV=production COREPACK_ENABLE_DOWNLOAD_PROMPT=0

# The skeleton holds every package.json: enough to install, and cached until dependencies change.
COPY --chown=node:node .yarnrc.yml backstage.json yarn.lock package.json ./
COPY --chown=node:node packages/backend/dist/skeleton.tar.gz ./
RUN tar xzf skeleton.tar.gz && rm skeleton.tar.gz
RUN --mount=type=cache,target=/home/node/.cache/yarn,sharing=locked,uid=1000,gid=1000 \
    yarn workspaces focus --all --production && rm -rf "$(yarn cache clean)"

COPY --chown=node:node packages/backend/dist/bundle.tar.gz app-config.yaml app-config.production.yaml catalog-info.yaml ./
RUN tar xzf bundle.tar.gz && rm bundle.tar.gz
# Golden-path templates, registered by app-config.production.yaml.
COPY --chown=node:node templates ./templates

EXPOSE 7007
CMD ["node", "packages/backend", "--config", "app-config.yaml", "--config", "app-config.production.yaml"]
