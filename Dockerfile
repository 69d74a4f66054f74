# Build: one release binary; run: a slim image with only that binary.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p koppel && strip target/release/koppel

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/koppel --create-home koppel
COPY --from=build /src/target/release/koppel /usr/local/bin/koppel
USER koppel
WORKDIR /var/lib/koppel
ENV KOPPEL_LISTEN=0.0.0.0:8080 KOPPEL_DATA_DIR=/var/lib/koppel KOPPEL_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s CMD ["/bin/sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080"]
ENTRYPOINT ["koppel"]
CMD ["serve"]
