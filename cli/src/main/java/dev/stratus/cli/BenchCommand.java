package dev.stratus.cli;

import picocli.CommandLine.Command;

/** {@code stratus bench}: {@code bench model} for the classifier alone, {@code bench serve} for the whole app. */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = {ModelBenchmark.class, ServeBenchmark.class},
        description = {"Benchmarks. 'bench model': single-image latency and batch throughput of a model.",
                "'bench serve': starts the app and drives it at constant arrival rates."})
final class BenchCommand implements Runnable {
    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                "name a benchmark: bench model or bench serve");
    }
}
