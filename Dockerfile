# drpbot's container image: the static binary and nothing else (no shell,
# no OS). Build the binary first, then the image:
#
#   packaging/release v1.2.0
#   podman build -t drpbot:v1.2.0 .        (or docker build)
#
# Run it with the config and secrets mounted, and a volume for the store:
#
#   podman run -d --name drpbot -v /etc/drpbot:/etc/drpbot:ro \
#     -v drpbot-state:/var/lib/drpbot --env-file /etc/drpbot/secrets.env drpbot:v1.2.0
#
# The config's store.path must be in /var/lib/drpbot (e.g.
# "/var/lib/drpbot/drpbot.db"); the process runs as uid 65532, not root.
FROM scratch
ARG TARGETARCH=amd64
COPY dist/rootfs-${TARGETARCH}/ /
COPY --chown=65532:65532 dist/rootfs-${TARGETARCH}/var/lib/drpbot/ /var/lib/drpbot/
USER 65532:65532
ENV DRPBOT_CONFIG=/etc/drpbot/config.toml
VOLUME /var/lib/drpbot
ENTRYPOINT ["/usr/local/bin/drpbot"]
CMD ["run"]
