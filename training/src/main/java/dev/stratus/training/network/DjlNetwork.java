package dev.stratus.training.network;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;

/** Builds the DJL block of an {@link Architecture}: one child block per layer, in order. */
public final class DjlNetwork {
    /** Batch-norm epsilon, used by training and by the exporter that folds it away. */
    public static final float BATCH_NORM_EPSILON = 1e-5f;

    private DjlNetwork() {
    }

    public static SequentialBlock build(Architecture architecture) {
        SequentialBlock network = new SequentialBlock();
        for (Layer layer : architecture.layers()) {
            network.add(block(layer));
        }
        return network;
    }

    private static Block block(Layer layer) {
        if (layer instanceof Layer.Conv c) {
            return Conv2d.builder()
                    .setKernelShape(new Shape(c.kernel(), c.kernel()))
                    .setFilters(c.filters())
                    .optPadding(new Shape(c.padding(), c.padding()))
                    .build();
        } else if (layer instanceof Layer.BatchNorm) {
            return ai.djl.nn.norm.BatchNorm.builder().optEpsilon(BATCH_NORM_EPSILON).build();
        } else if (layer instanceof Layer.Relu) {
            return Activation.reluBlock();
        } else if (layer instanceof Layer.MaxPool p) {
            return Pool.maxPool2dBlock(new Shape(p.size(), p.size()), new Shape(p.size(), p.size()));
        } else if (layer instanceof Layer.Flatten) {
            return Blocks.batchFlattenBlock();
        } else if (layer instanceof Layer.Dense d) {
            return Linear.builder().setUnits(d.units()).build();
        } else if (layer instanceof Layer.Dropout d) {
            return ai.djl.nn.norm.Dropout.builder().optRate(d.rate()).build();
        }
        throw new IllegalArgumentException("no DJL block for " + layer);
    }
}
