package dev.stratus.cluster;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/** The classpath that the stack's gateways and workers run from. */
final class ServerClasspath {
    private ServerClasspath() {
    }

    /**
     * The classpath with each plain jar entry copied into {@code dir} (wildcard entries, the
     * dependencies, stay as they are). Gateways and workers then run from the copies, so rebuilding
     * the server module while the stack runs does not pull its classes from under them (which made
     * every gateway answer 500 with NoClassDefFoundError).
     */
    static String snapshot(String classpath, Path dir) {
        if (classpath == null || classpath.isBlank()) {
            return classpath;
        }
        List<String> entries = new ArrayList<>();
        try {
            for (String entry : classpath.split(File.pathSeparator)) {
                Path jar = Path.of(entry);
                if (entry.endsWith("*") || !entry.endsWith(".jar") || !Files.isRegularFile(jar)) {
                    entries.add(entry);
                    continue;
                }
                Files.createDirectories(dir);
                Path copy = dir.resolve(jar.getFileName());
                Files.copy(jar, copy, StandardCopyOption.REPLACE_EXISTING);
                entries.add(copy.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the server's jar into " + dir, e);
        }
        return String.join(File.pathSeparator, entries);
    }
}
