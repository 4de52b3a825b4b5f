# xsell in a container: Debian 12, built from this repository, `xsell serve`
# as the entry point (README.md, "Packaging").
#
#   docker build -t xsell .
#   docker run -p 8080:8080 -v "$PWD/data:/data" xsell --db /data/store.db
#
# The build stage installs the build dependencies with scripts/install-deps
# (the same list as a developer machine, minus the browser test), builds the
# dashboard and the program, and installs them under /opt/xsell; the run
# stage has only the shared libraries xsell links against.
FROM debian:12 AS build
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends \
        build-essential cmake pkg-config libsqlite3-dev libjansson-dev libgsl-dev \
        libxgboost-dev libmicrohttpd-dev libglpk-dev libxxhash-dev libpq-dev libssl-dev libcurl4-openssl-dev zlib1g-dev nodejs npm ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cd web && npm ci --no-audit --no-fund \
    && cd .. && make install BUILD=/tmp/build PREFIX=/opt/xsell

FROM debian:12
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends \
        libsqlite3-0 libjansson4 libgsl27 libxgboost0 libmicrohttpd12 libglpk40 libxxhash0 libpq5 libssl3 libcurl4 zlib1g \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/xsell /opt/xsell
ENV PATH=/opt/xsell/bin:$PATH
EXPOSE 8080
VOLUME /data
ENTRYPOINT ["xsell", "serve", "--listen", "0.0.0.0:8080", "--web", "/opt/xsell/share/xsell/web"]
