package dev.stratus.cluster;

import java.util.List;

/**
 * Which JIT compilers the local stack's JVMs (brokers, gateways, workers) run with. By default
 * C1 only: on two cores a fresh stack starts in half the CPU time, and a short-lived test or
 * benchmark stack never earns back C2's compilation. {@code STRATUS_STACK_JIT=full} gives them
 * the JVM's tiered compilation (C1 then C2), the choice for a long-running stack
 * (docs/benchmarks.md, "CPU per prediction", compares the two after a long warm-up).
 */
final class StackJit {
    static final String VARIABLE = "STRATUS_STACK_JIT";

    private StackJit() {
    }

    /** The JIT options for a child JVM, from {@value #VARIABLE} ({@code c1}, the default, or {@code full}). */
    static List<String> options() {
        String chosen = System.getenv().getOrDefault(VARIABLE, "c1");
        return switch (chosen) {
            case "c1" -> List.of("-XX:TieredStopAtLevel=1");
            case "full" -> List.of();
            default -> throw new IllegalArgumentException(VARIABLE + " must be c1 or full, got '" + chosen + "'");
        };
    }
}
