# xuejid and xuejictl on Debian 12 (bookworm).
#   docker build -t xueji .        (or: docker-compose up --build, see docker-compose.yml)

# ---- build stage: compilers and -dev packages, a release build ------------------
FROM debian:bookworm-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential pkg-config libh2o-dev libuv1-dev libssl-dev libpq-dev \
      libjansson-dev libjwt-dev libsodium-dev zlib1g-dev libexpat1-dev libcurl4-openssl-dev \
      libcairo2-dev libpango1.0-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make BUILD=release all

# ---- the provincial cluster's engines (docker-compose.yml, profile cluster) ------
# Debian's own packages, as scripts/cluster.sh runs them (ADR 0034).
FROM debian:bookworm-slim AS patroni
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      postgresql-15 patroni python3-etcd \
 && rm -rf /var/lib/apt/lists/*
COPY deploy/patroni.yml deploy/post-bootstrap.sh /etc/patroni/
USER postgres
EXPOSE 5432 8008
CMD ["patroni", "/etc/patroni/patroni.yml"]

FROM debian:bookworm-slim AS etcd
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends etcd-server \
 && rm -rf /var/lib/apt/lists/*
EXPOSE 2379
# the member's name, addresses and cluster come from ETCD_* variables
# (docker-compose.yml runs three members)
CMD ["etcd"]

FROM debian:bookworm-slim AS haproxy
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends haproxy \
 && rm -rf /var/lib/apt/lists/*
COPY deploy/haproxy.cfg deploy/xueji-503.http deploy/xueji-429.json /etc/haproxy/
EXPOSE 5000 5001 8080 8404
CMD ["haproxy", "-db", "-f", "/etc/haproxy/haproxy.cfg"]

# ---- runtime stage: shared libraries only -------------------------------------
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libh2o0.13 libuv1 libssl3 libpq5 libjansson4 libjwt0 libsodium23 zlib1g libexpat1 libcurl4 \
      libcairo2 libpango-1.0-0 libpangocairo-1.0-0 fonts-wqy-microhei \
      ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin xueji
COPY --from=build /src/build/release/xuejid /src/build/release/xuejictl /usr/local/bin/
USER xueji
EXPOSE 8080
ENV XUEJI_LISTEN=0.0.0.0:8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
CMD ["xuejid", "serve"]
