# Stratus gateway and inference worker: one image, two entry points.
#   gateway: <image> up --pipeline kafka ...      (ServerCli up)
#   worker:  <image> worker ...                    (ServerCli worker)
# It carries the server artifact only: no DJL, no PyTorch, no Spark (the container tests check).
# The network a worker serves comes from a model image (model.Dockerfile) selected by
# STRATUS_MODEL; without it the worker falls back to the model shipped inside the jar.
#
# The jars are built on the host first, as CI pipelines do, and copied in; the build context is
# the repository root, narrowed by server.Dockerfile.dockerignore to what is copied:
#   ./mvnw -pl server -am package -Dmaven.test.skip=true
#   docker build -f deploy/docker/server.Dockerfile -t REGISTRY/stratus-server:0.1.0 .
# or ./stratus images build server. Pin the base by digest in your registry mirror
# (JRE_BASE=eclipse-temurin:17.0.16_8-jre-noble@sha256:...) once you have resolved it.
ARG JRE_BASE=eclipse-temurin:17.0.16_8-jre-noble
FROM ${JRE_BASE}
# A fixed numeric user: Kubernetes' runAsNonRoot can only verify a numeric USER.
RUN groupadd --gid 10001 stratus \
 && useradd --uid 10001 --gid 10001 --home-dir /home/stratus --create-home --shell /usr/sbin/nologin stratus
WORKDIR /app
COPY server/target/lib/ /app/lib/
COPY server/target/stratus-server-0.1.0.jar /app/stratus-server-0.1.0.jar
# The heap follows the container's memory limit; an OutOfMemoryError ends the process so that
# Kubernetes restarts it instead of leaving a half-working JVM. java.io.tmpdir (/tmp) is where
# ONNX Runtime unpacks its native library: the one writable path the image needs (a volume).
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=70 -XX:+ExitOnOutOfMemoryError" \
    STRATUS_ACCESS_LOG=INFO
USER 10001:10001
EXPOSE 8080 8081
ENTRYPOINT ["java", "-cp", "/app/stratus-server-0.1.0.jar:/app/lib/*", "dev.stratus.server.ServerCli"]
CMD ["--help"]
