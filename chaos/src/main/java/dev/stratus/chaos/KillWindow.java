package dev.stratus.chaos;

/**
 * One kill: which part, its pid, when it was killed and when it ran again. A request that
 * overlaps {@code [killedNanos, recoveredNanos + grace]} may fail with a documented status.
 */
record KillWindow(String role, long pid, long killedNanos, long recoveredNanos) {
    boolean overlaps(long fromNanos, long toNanos, long graceNanos) {
        return fromNanos <= recoveredNanos + graceNanos && toNanos >= killedNanos;
    }

    double recoverySeconds() {
        return (recoveredNanos - killedNanos) / 1e9;
    }
}
