package dev.stratus.server.kafka;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;

/** A worker's counters, served with its health at {@code /metrics} in Prometheus' format. */
record WorkerMetrics(Counter processed, Counter deadLetters, Counter storeRetries, Counter rewinds,
                     Counter redelivered, DistributionSummary batchSizes) {
    static WorkerMetrics of(MeterRegistry registry) {
        return new WorkerMetrics(
                Counter.builder("stratus.worker.processed").description("requests classified, stored and answered")
                        .register(registry),
                Counter.builder("stratus.worker.dead.letters").description("undecodable requests sent to the DLQ")
                        .register(registry),
                Counter.builder("stratus.worker.store.retries").description("bulk writes retried while the store was down")
                        .register(registry),
                Counter.builder("stratus.worker.rewinds").description("batches processed again after a failure")
                        .register(registry),
                Counter.builder("stratus.worker.redelivered")
                        .description("requests found already stored (delivered before); answered with the stored record")
                        .register(registry),
                DistributionSummary.builder("stratus.worker.batch.size").description("requests per polled batch")
                        .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64).register(registry));
    }
}
