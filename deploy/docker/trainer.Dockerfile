# Stratus trainer: DJL + PyTorch (CPU) training that writes a model directory
# (model.onnx, model-card.json, plots). Its entry point, TrainingCli, takes the command first
# (train, retrain, train-verifier, compare-runs); the retraining Job (deploy/k8s/base/training)
# runs "retrain".
# PyTorch's native library (~430 MB unpacked) is extracted at run time into DJL_CACHE_DIR,
# which must be writable (an emptyDir in Kubernetes; the root filesystem stays read-only).
#
# Built from jars made on the host, from the repository root (trainer.Dockerfile.dockerignore
# narrows the context):
#   ./mvnw -pl training -am package -Dmaven.test.skip=true
#   docker build -f deploy/docker/trainer.Dockerfile -t REGISTRY/stratus-trainer:0.1.0 .
# or ./stratus images build trainer.
ARG JRE_BASE=eclipse-temurin:17.0.16_8-jre-noble
FROM ${JRE_BASE}
RUN groupadd --gid 10001 stratus \
 && useradd --uid 10001 --gid 10001 --home-dir /home/stratus --create-home --shell /usr/sbin/nologin stratus
WORKDIR /app
COPY training/target/lib/ /app/lib/
COPY training/target/stratus-training-0.1.0.jar /app/stratus-training-0.1.0.jar
# OPT_OUT_TRACKING: no DJL telemetry. ai.djl.offline: PyTorch comes from the jar on the class
# path, never from a download at run time.
ENV OPT_OUT_TRACKING=true \
    DJL_CACHE_DIR=/var/cache/djl \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
USER 10001:10001
ENTRYPOINT ["java", "-Dai.djl.offline=true", "-cp", "/app/stratus-training-0.1.0.jar:/app/lib/*", "dev.stratus.training.TrainingCli"]
CMD ["--help"]
