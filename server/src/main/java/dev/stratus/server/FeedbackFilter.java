package dev.stratus.server;

import dev.stratus.server.store.LabelChange;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which labelled predictions {@code export-feedback} passes on to training. Labels come from
 * anyone who knows an id, so a label is left out when its prediction was relabelled more than
 * {@code maxRelabels} times (a tug of war, or one client walking labels round) or when any of
 * its labels came from a flagged client address. A label recorded before histories were kept
 * has an empty history and passes.
 */
record FeedbackFilter(int maxRelabels, Set<String> flaggedClients) {
    /** Why a prediction was left out; {@link #KEPT} when it was not. */
    enum Verdict {
        KEPT, RELABELLED, FLAGGED_CLIENT
    }

    FeedbackFilter {
        if (maxRelabels < 0) {
            throw new IllegalArgumentException("--max-relabels must be >= 0, got " + maxRelabels);
        }
        flaggedClients = Set.copyOf(flaggedClients);
    }

    Verdict judge(List<LabelChange> history) {
        return judgeClients(history.stream().map(LabelChange::client).toList());
    }

    /** The same for a history of any kind of label: the client of each change, oldest first. */
    Verdict judgeClients(List<String> clients) {
        if (clients.stream().anyMatch(flaggedClients::contains)) {
            return Verdict.FLAGGED_CLIENT;
        }
        return clients.size() - 1 > maxRelabels ? Verdict.RELABELLED : Verdict.KEPT;
    }

    /** Client addresses, one a line; blank lines and lines starting with '#' are skipped. */
    static Set<String> readClients(Path file) throws IOException {
        return Files.readAllLines(file).stream().map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#")).collect(Collectors.toSet());
    }
}
