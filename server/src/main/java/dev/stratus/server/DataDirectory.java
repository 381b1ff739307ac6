package dev.stratus.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded store's directory, readable by its owner only (0700): it holds every prediction
 * and label, and the database file inside is created with the process's umask (0644, mostly).
 * On a file system without POSIX permissions it is only created.
 */
public final class DataDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(DataDirectory.class);
    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private DataDirectory() {
    }

    /**
     * Creates {@code directory} if needed and makes it 0700; returns it. A directory that this
     * user may write but not change the mode of (a volume owned by another user, as a container
     * or Kubernetes mounts it) is used as it is, with a warning: its permissions are its owner's.
     */
    public static Path prepare(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the data directory " + directory + ": " + e.getMessage(), e);
        }
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            try {
                Files.setPosixFilePermissions(directory, OWNER_ONLY);
            } catch (IOException e) {
                if (!Files.isWritable(directory)) {
                    throw new UncheckedIOException("cannot prepare the data directory " + directory + ": "
                            + e.getMessage(), e);
                }
                LOG.warn("the data directory {} is used with the permissions its owner gave it: {}", directory,
                        e.getMessage());
            }
        }
        return directory;
    }
}
