# certfleet's container image: see docs/deployment.md.
#   podman build --format docker -t localhost/certfleet:0.1.0 .
# Machines that cannot pull images build the same base locally:
#   podman build --format docker --build-arg BASE_IMAGE="$(scripts/base-image.sh | tail -n 1)" ...
# BASE_IMAGE is a Debian 12 image with Node.js at /usr/local/bin/node and npm (the official node image's layout).
ARG BASE_IMAGE=docker.io/library/node:24.21.0-bookworm-slim

# Build: dependencies before sources, so a source change reuses the dependency layer.
FROM ${BASE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# extra_ca (optional build secret): a CA bundle for registries behind a TLS-intercepting proxy; never in a layer.
RUN --mount=type=cache,id=certfleet-npm,target=/root/.npm \
    --mount=type=secret,id=extra_ca,required=false \
    if [ -f /run/secrets/extra_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/extra_ca; fi; \
    npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# Then the bundle (scripts/bundle.mjs): the CLI with its production dependencies inside and their
# licences beside it, so the image carries no node_modules at all.
COPY scripts/bundle.mjs ./scripts/
RUN npx tsc -p tsconfig.build.json && node scripts/bundle.mjs

# Runtime file system: the base without npm, yarn, corepack, headers, docs or package lists, with tini
# and openssl (PKCS#12 export), and a dedicated user of a fixed UID/GID. /var/lib/certfleet is the
# store (mount a volume); /certs is for `copy` targets that other containers mount read-only.
FROM ${BASE_IMAGE} AS runtime-root
ARG UID=1000
ARG GID=1000
# WITH_LEXICON=true adds Debian's python3-lexicon for `type: lexicon` providers (docs/providers/lexicon.md).
ARG WITH_LEXICON=false
RUN set -eu; \
    rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
      /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-* /usr/local/include /root/.npm \
      /usr/share/doc/* /usr/share/man/* /var/cache/apt/* /var/lib/apt/lists/*; \
    if ! command -v tini >/dev/null || ! command -v openssl >/dev/null; then \
      apt-get update && apt-get install -y --no-install-recommends tini openssl ca-certificates \
      && rm -rf /var/lib/apt/lists/* /var/cache/apt/*; \
    fi; \
    if [ "$WITH_LEXICON" = true ]; then \
      apt-get update && apt-get install -y --no-install-recommends python3-lexicon \
      && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /usr/share/doc/* /usr/share/man/*; \
    fi; \
    old_user=$(getent passwd "$UID" | cut -d: -f1); if [ -n "$old_user" ]; then userdel -r "$old_user"; fi; \
    old_group=$(getent group "$GID" | cut -d: -f1); if [ -n "$old_group" ]; then groupdel "$old_group"; fi; \
    groupadd -g "$GID" certfleet; \
    useradd -u "$UID" -g "$GID" -d /var/lib/certfleet -M -s /usr/sbin/nologin certfleet; \
    install -d -m 0750 -o "$UID" -g "$GID" /var/lib/certfleet; \
    install -d -m 0755 -o "$UID" -g "$GID" /certs; \
    install -d -m 0755 /etc/certfleet /app

# The image: one layer of the runtime file system (nothing removed above survives in a lower layer),
# then the bundled app and the healthcheck, owned by root and read-only to certfleet.
FROM scratch
ARG UID=1000
ARG GID=1000
COPY --from=runtime-root / /
COPY --from=build /src/dist/bundle /app/dist/bundle
COPY --from=build /src/dist/container/healthcheck.js /app/dist/container/healthcheck.js
COPY package.json /app/package.json
COPY bin/certfleet bin/container-entrypoint /app/bin/
ENV PATH=/app/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    NODE_ENV=production \
    CERTFLEET_ENV=production \
    CERTFLEET_HEALTH_URL=http://127.0.0.1:9180/healthz
LABEL org.opencontainers.image.title="certfleet" \
      org.opencontainers.image.description="ACME DNS-01 certificates: issue, renew, deploy; ExternalDNS webhook" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="0.1.0"
USER ${UID}:${GID}
# No VOLUME: an anonymous volume would hide a missing store mount, which the entrypoint reports instead.
WORKDIR /var/lib/certfleet
EXPOSE 9180
HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD ["node", "/app/dist/container/healthcheck.js"]
ENTRYPOINT ["/usr/bin/tini", "--", "/app/bin/container-entrypoint"]
CMD ["run", "--config", "/etc/certfleet/config.yml"]
