package dev.stratus.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code members.tsv} in a stack's work directory: role, pid, port and log of every running
 * process, one a line, tab-separated. The stack rewrites it (atomically) after its start and
 * after each restart; tools that watch the stack ({@code stratus chaos}) read it.
 */
public final class MembersFile {
    public static final String NAME = "members.tsv";

    private MembersFile() {
    }

    static void write(Path workDir, List<DistributedStack.Member> members) {
        StringBuilder text = new StringBuilder();
        for (DistributedStack.Member member : members) {
            text.append(member.role()).append('\t').append(member.pid()).append('\t').append(member.port())
                    .append('\t').append(member.log()).append('\n');
        }
        Path file = workDir.resolve(NAME);
        try {
            Path temporary = Files.writeString(workDir.resolve(NAME + ".tmp"), text);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The members listed in {@code workDir}; empty when the file is not there (yet). */
    public static List<DistributedStack.Member> read(Path workDir) {
        Path file = workDir.resolve(NAME);
        List<DistributedStack.Member> members = new ArrayList<>();
        try {
            if (!Files.exists(file)) {
                return members;
            }
            for (String line : Files.readAllLines(file)) {
                String[] fields = line.split("\t");
                if (fields.length != 4) {
                    throw new IllegalStateException(file + ": expected role, pid, port and log, got '" + line + "'");
                }
                members.add(new DistributedStack.Member(fields[0], Long.parseLong(fields[1]),
                        Integer.parseInt(fields[2]), Path.of(fields[3])));
            }
            return members;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
