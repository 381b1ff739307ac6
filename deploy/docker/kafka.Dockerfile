# Apache Kafka in KRaft mode (no ZooKeeper) from the same Maven-resolved jars that the local
# stack and the tests run (org.apache.kafka:kafka_2.13, copied by ./mvnw -pl cluster package into
# cluster/target/kafka-lib). Configured by environment, as the apache/kafka image is: every
# KAFKA_FOO_BAR is the property foo.bar; CLUSTER_ID and KAFKA_NODE_ID are required. The data
# directory /var/lib/kafka is the one writable path (a volume); the root filesystem may be
# read-only. Build from the repository root:
#   ./mvnw -pl cluster -am package -Dmaven.test.skip=true
#   docker build -f deploy/docker/kafka.Dockerfile -t REGISTRY/stratus-kafka:4.1.1 .
ARG JRE_BASE=eclipse-temurin:17.0.16_8-jre-noble
FROM ${JRE_BASE}
RUN groupadd --gid 10001 kafka \
 && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin kafka \
 && mkdir -p /var/lib/kafka && chown 10001:10001 /var/lib/kafka
COPY cluster/target/kafka-lib/ /opt/kafka/lib/
COPY deploy/docker/kafka/log4j2.xml deploy/docker/kafka/entrypoint.sh /opt/kafka/
USER 10001:10001
VOLUME /var/lib/kafka
EXPOSE 9092 9093
ENTRYPOINT ["/opt/kafka/entrypoint.sh"]
