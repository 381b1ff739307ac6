package dev.stratus.server;

import dev.stratus.server.kafka.KafkaEnvironment;
import dev.stratus.server.kafka.KafkaSettings;
import dev.stratus.server.store.CouchDbEnvironment;
import dev.stratus.server.store.CouchDbSettings;
import picocli.CommandLine.Option;

/** Where Kafka and CouchDB are and how topics are laid out: shared by {@code up --pipeline kafka} and {@code worker}. */
final class ClusterOptions {

    @Option(names = "--bootstrap", description = "Kafka bootstrap servers, host:port[,host:port] (default: $STRATUS_KAFKA_BOOTSTRAP).")
    String bootstrap;

    @Option(names = "--couchdb",
            description = "CouchDB URL, e.g. http://127.0.0.1:5984 (default: $STRATUS_COUCHDB_URL); credentials from STRATUS_COUCHDB_USER/PASSWORD.")
    String couchDb;

    @Option(names = "--partitions", defaultValue = "6", description = "Partitions of digit-requests when it is created (default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--replication-factor", defaultValue = "0",
            description = "Replicas per partition when topics are created; 0 = min(3, brokers) (default ${DEFAULT-VALUE}).")
    int replicationFactor;

    KafkaSettings kafka(KafkaEnvironment env) {
        return env.settings(bootstrap, partitions, replicationFactor);
    }

    CouchDbSettings couchDb(CouchDbEnvironment env) {
        return env.settings(couchDb);
    }
}
