# syntax=docker/dockerfile:1.7
#
# Stratus gateway and inference worker: one image, two entry points.
#   gateway: <image> up --pipeline kafka ...      (ServerCli up)
#   worker:  <image> worker ...                    (ServerCli worker)
# It carries the server artifact only: no DJL, no PyTorch, no Spark. The network a worker
# serves comes from a model image (model.Dockerfile) selected by STRATUS_MODEL; without it the
# worker falls back to the model shipped inside the jar.
#
# Build from the repository root (BuildKit reads server.Dockerfile.dockerignore beside this file):
#   docker build -f deploy/docker/server.Dockerfile -t REGISTRY/stratus-server:0.1.0 .

# Maven matches .mvn/wrapper/maven-wrapper.properties; pin by digest in your registry mirror
# (FROM maven:3.9.11-eclipse-temurin-17@sha256:...) once you have resolved it.
FROM maven:3.9.11-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    mvn -q -B -pl server -am package -Dmaven.test.skip=true

FROM eclipse-temurin:17.0.16_8-jre-noble
# A fixed numeric user: Kubernetes' runAsNonRoot can only verify a numeric USER.
RUN groupadd --gid 10001 stratus \
 && useradd --uid 10001 --gid 10001 --home-dir /home/stratus --create-home --shell /usr/sbin/nologin stratus
WORKDIR /app
COPY --from=build /src/server/target/stratus-server-0.1.0.jar /app/stratus-server-0.1.0.jar
COPY --from=build /src/server/target/lib/ /app/lib/
# The heap follows the container's memory limit; an OutOfMemoryError ends the process so that
# Kubernetes restarts it instead of leaving a half-working JVM.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=70 -XX:+ExitOnOutOfMemoryError" \
    STRATUS_ACCESS_LOG=INFO
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["java", "-cp", "/app/stratus-server-0.1.0.jar:/app/lib/*", "dev.stratus.server.ServerCli"]
CMD ["--help"]
