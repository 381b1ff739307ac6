package dev.stratus.server.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stratus.cluster.StackCredentials;
import dev.stratus.server.store.CouchDbEnvironment;
import dev.stratus.server.store.CouchDbSettings;
import org.junit.jupiter.api.Test;

/** The environment {@code up --distributed} gives its gateways and workers is the one they read. */
class LocalStackEnvironmentTest {

    @Test
    void gateways_and_workers_read_the_stacks_logins_from_their_environment() {
        StackCredentials credentials = StackCredentials.generate();

        KafkaEnvironment kafka = KafkaEnvironment.from(credentials.clientEnvironment());
        CouchDbEnvironment couchDb = CouchDbEnvironment.from(credentials.clientEnvironment());

        assertThat(kafka.client()).isEqualTo(credentials.kafkaClientProperties());
        assertThat(couchDb.user()).isEqualTo(credentials.couchDb().user());
        assertThat(couchDb.password()).isEqualTo(credentials.couchDb().password());
        assertThat(StackCredentials.COUCHDB_USER_VARIABLE).isEqualTo(CouchDbSettings.USER_VARIABLE);
        assertThat(StackCredentials.COUCHDB_PASSWORD_VARIABLE).isEqualTo(CouchDbSettings.PASSWORD_VARIABLE);
        // Neither shows a password.
        assertThat(kafka.toString() + couchDb).doesNotContain(credentials.kafka().password(),
                credentials.couchDb().password());
    }
}
