package dev.stratus.server;

import dev.stratus.server.kafka.KafkaSettings;
import dev.stratus.server.store.CouchDbSettings;
import picocli.CommandLine.Option;

/** Where Kafka and CouchDB are and how topics are laid out: shared by {@code up --pipeline kafka} and {@code worker}. */
final class ClusterOptions {

    @Option(names = "--bootstrap", defaultValue = "${env:STRATUS_KAFKA_BOOTSTRAP}",
            description = "Kafka bootstrap servers, host:port[,host:port] (or STRATUS_KAFKA_BOOTSTRAP).")
    String bootstrap;

    @Option(names = "--couchdb", defaultValue = "${env:STRATUS_COUCHDB_URL}",
            description = "CouchDB URL, e.g. http://127.0.0.1:5984 (or STRATUS_COUCHDB_URL); credentials from STRATUS_COUCHDB_USER/PASSWORD.")
    String couchDb;

    @Option(names = "--partitions", defaultValue = "6", description = "Partitions of digit-requests when it is created (default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--replication-factor", defaultValue = "0",
            description = "Replicas per partition when topics are created; 0 = min(3, brokers) (default ${DEFAULT-VALUE}).")
    int replicationFactor;

    KafkaSettings kafka() {
        return KafkaSettings.of(bootstrap, partitions, replicationFactor, System.getenv());
    }

    CouchDbSettings couchDb() {
        if (couchDb == null || couchDb.isBlank()) {
            throw new IllegalArgumentException("Kafka mode needs --couchdb URL (or STRATUS_COUCHDB_URL)");
        }
        return CouchDbSettings.fromEnvironment(System.getenv(), couchDb);
    }
}
