package dev.stratus.training.spark;

import java.io.Serializable;

/**
 * What every replica needs to know about the run and the current round, small enough to ship
 * with each task.
 *
 * @param runId         tells one run's cached replicas from another's in a long-lived executor
 * @param architecture  the network's name ({@code stratus} or {@code paper})
 * @param batchSize     images per local step
 * @param learningRate  Adam's base rate
 * @param schedule      the schedule's name
 * @param totalUpdates  updates in the whole run, for the schedule
 * @param seed          the run's seed; batches and augmentation derive from it, the shard, the step
 * @param augment       distort the digits like drawn ones
 * @param threads       PyTorch threads per executor (0: its default)
 * @param firstStep     the shard-local step this round starts at (steps count from 0 over the run)
 * @param steps         local steps in this round
 */
public record RoundPlan(String runId, String architecture, int batchSize, float learningRate, String schedule,
                        int totalUpdates, long seed, boolean augment, int threads, long firstStep, int steps)
        implements Serializable {

    RoundPlan forRound(long first, int count) {
        return new RoundPlan(runId, architecture, batchSize, learningRate, schedule, totalUpdates, seed, augment,
                threads, first, count);
    }
}
