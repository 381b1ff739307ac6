package dev.stratus.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryTest {

    @Test
    void a_new_data_directory_is_made_owner_only() {
        Path created = DataDirectory.prepare(Path.of(System.getProperty("java.io.tmpdir"), "stratus-dd-" + System.nanoTime(),
                "data"));
        try {
            assertThat(permissions(created)).isEqualTo("rwx------");
        } finally {
            created.toFile().delete();
            created.getParent().toFile().delete();
        }
    }

    @Test
    void the_server_makes_an_open_data_directory_owner_only(@TempDir Path dir) throws IOException {
        Path data = Files.createDirectory(dir.resolve("data"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        try (StratusServer server = StratusServer.start(ServerConfig.builder().port(0).dataDirectory(data).build())) {
            assertThat(permissions(data)).isEqualTo("rwx------");
            assertThat(Files.list(data)).isNotEmpty();
        }
    }

    private static String permissions(Path path) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
