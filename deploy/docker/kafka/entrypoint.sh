#!/bin/sh
# A KRaft Kafka node configured by its environment, in the convention of the apache/kafka image:
# every KAFKA_FOO_BAR variable becomes the broker property foo.bar. CLUSTER_ID names the cluster
# (the same 22-character id on every node). The data directory, the one writable path, is
# formatted on the first start and reused afterwards.
set -eu
DATA="${KAFKA_DATA_DIR:-/var/lib/kafka}"
CONFIG="$DATA/server.properties"
LIB=/opt/kafka/lib
: "${CLUSTER_ID:?set CLUSTER_ID: one id for every node of the cluster, e.g. from kafka-storage random-uuid}"
: "${KAFKA_NODE_ID:?set KAFKA_NODE_ID}"
if ! touch "$DATA/.writable" 2>/dev/null; then
  echo "kafka: $DATA is not writable by uid $(id -u); mount a volume there" >&2
  exit 1
fi

env | grep '^KAFKA_' | grep -v -e '^KAFKA_DATA_DIR=' -e '^KAFKA_HEAP_OPTS=' -e '^KAFKA_JVM_OPTS=' | sort |
  while IFS='=' read -r name value; do
    printf '%s=%s\n' "$(echo "${name#KAFKA_}" | tr 'A-Z_' 'a-z.')" "$value"
  done > "$CONFIG"
echo "log.dirs=$DATA/logs" >> "$CONFIG"

if [ ! -f "$DATA/logs/meta.properties" ]; then
  java -cp "$LIB/*" kafka.tools.StorageTool format --ignore-formatted -t "$CLUSTER_ID" -c "$CONFIG"
fi
# shellcheck disable=SC2086 # the option strings are lists of JVM flags
exec java ${KAFKA_HEAP_OPTS:--Xmx512m} ${KAFKA_JVM_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1} \
  -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
  -Dlog4j2.configurationFile=/opt/kafka/log4j2.xml -cp "$LIB/*" kafka.Kafka "$CONFIG"
