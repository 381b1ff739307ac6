package dev.stratus.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The embedded store's directory, readable by its owner only (0700): it holds every prediction
 * and label, and the database file inside is created with the process's umask (0644, mostly).
 * On a file system without POSIX permissions it is only created.
 */
public final class DataDirectory {
    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private DataDirectory() {
    }

    /** Creates {@code directory} if needed and makes it 0700; returns it. */
    public static Path prepare(Path directory) {
        try {
            Files.createDirectories(directory);
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(directory, OWNER_ONLY);
            }
            return directory;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the data directory " + directory + ": " + e.getMessage(), e);
        }
    }
}
