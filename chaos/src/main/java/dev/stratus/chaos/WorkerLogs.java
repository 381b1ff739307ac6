package dev.stratus.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** What the workers' logs say (they append across restarts, so a killed worker's lines stay). */
final class WorkerLogs {
    /** The line a worker logs when part of a batch was stored before (see the server's BatchHandler). */
    private static final Pattern REDELIVERED = Pattern.compile("redelivered: (\\d+) request");

    private WorkerLogs() {
    }

    /** Requests the workers found stored already (processed again after a kill or a rebalance). */
    static int redelivered(Path logs) throws IOException {
        int total = 0;
        try (Stream<Path> files = Files.list(logs)) {
            for (Path log : files.filter(p -> p.getFileName().toString().startsWith("worker-")).toList()) {
                Matcher matcher = REDELIVERED.matcher(Files.readString(log));
                while (matcher.find()) {
                    total += Integer.parseInt(matcher.group(1));
                }
            }
        }
        return total;
    }
}
