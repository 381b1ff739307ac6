package dev.stratus.training.spark;

import java.io.Serializable;

/**
 * What a replica sends back after its local steps.
 *
 * @param shard          which shard it trained on
 * @param state          its parameters and optimizer state after the round
 * @param images         images it trained on this round (the weight of its state in the average)
 * @param lossSum        the sum over those images of the training loss
 * @param correct        how many of them it classified correctly while training
 * @param computeNanos   time spent in its training steps
 * @param setupNanos     time spent building the replica (first round on an executor), else 0
 * @param executor       the executor that ran it
 */
public record RoundResult(int shard, ModelState state, long images, double lossSum, long correct,
                          long computeNanos, long setupNanos, String executor) implements Serializable {
}
