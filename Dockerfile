# syntax=docker/dockerfile:1
# llmtrace in a container: the proxy, the API and the web panel on port 8080, records in /data.
#
#     docker build -t llmtrace .
#     docker run --rm -p 8080:8080 -v llmtrace-data:/data llmtrace
#
# The build steps are the README's Install section (scripts/check-dockerfile keeps them in step).

# --- build: a static-stdlib release binary (the price table and the panel are compiled into it) ---
FROM swift:6.3-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends libsqlite3-dev libncurses-dev libmariadb-dev zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN swift build -c release --static-swift-stdlib \
    && install -D -m 755 .build/release/llmtrace /out/llmtrace

# --- run: a slim Debian with the C libraries llmtrace links, as a non-root user ---
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libsqlite3-0 libncursesw6 libmariadb3 zlib1g libstdc++6 ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin llmtrace \
    && install -d -o llmtrace -g llmtrace /data
COPY --from=build /out/llmtrace /usr/local/bin/llmtrace
USER llmtrace
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
ENTRYPOINT ["llmtrace"]
# The unix socket lands in /data/.llmtrace, so `docker exec -it CONTAINER llmtrace tui` finds the server.
CMD ["serve", "--host", "0.0.0.0", "--db", "/data/trace.db"]
