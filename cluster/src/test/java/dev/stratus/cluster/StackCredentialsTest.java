package dev.stratus.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StackCredentialsTest {

    @Test
    void are_generated_once_per_work_dir_into_files_only_the_owner_reads(@TempDir Path work) throws Exception {
        StackCredentials first = StackCredentials.forWorkDir(work);
        StackCredentials again = StackCredentials.forWorkDir(work);

        assertThat(again).isEqualTo(first);
        assertThat(StackCredentials.forWorkDir(work.resolve("other"))).isNotEqualTo(first);
        Path secrets = work.resolve(StackCredentials.DIRECTORY);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets))).isEqualTo("rwx------");
        for (String file : new String[] {StackCredentials.FILE, StackCredentials.CLIENT_ENV_FILE}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets.resolve(file))))
                    .isEqualTo("rw-------");
        }
        assertThat(Files.readString(secrets.resolve(StackCredentials.CLIENT_ENV_FILE)))
                .contains("STRATUS_COUCHDB_PASSWORD='" + first.couchDb().password() + "'\n")
                .contains("STRATUS_KAFKA_SASL_MECHANISM='SCRAM-SHA-256'\n");
    }

    @Test
    void passwords_are_long_random_and_never_shown() {
        StackCredentials credentials = StackCredentials.generate();

        assertThat(credentials.couchDb().password()).hasSize(32).isNotEqualTo(credentials.kafka().password());
        assertThat(credentials.toString()).doesNotContain(credentials.couchDb().password(),
                credentials.kafka().password(), credentials.kafkaController().password());
    }

    @Test
    void the_client_environment_is_what_the_server_reads() {
        StackCredentials credentials = StackCredentials.generate();

        assertThat(credentials.clientEnvironment())
                .containsEntry("STRATUS_COUCHDB_USER", "stratus")
                .containsEntry("STRATUS_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
                .containsEntry("STRATUS_KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule"
                        + " required username=\"stratus\" password=\"" + credentials.kafka().password() + "\";");
    }

    @Test
    void a_damaged_file_is_refused_without_showing_what_is_in_it(@TempDir Path work) throws Exception {
        StackCredentials.forWorkDir(work);
        Path file = work.resolve(StackCredentials.DIRECTORY).resolve(StackCredentials.FILE);
        Files.writeString(file, Files.readString(file).replaceFirst("couchdb.password=.*", "couchdb.password=short-secret"));

        assertThatThrownBy(() -> StackCredentials.forWorkDir(work))
                .hasMessageContaining("is damaged").hasMessageContaining("delete it")
                .hasMessageNotContaining("short-secret");
    }
}
