package dev.stratus.training.spark;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.nn.ParameterList;
import dev.stratus.core.image.Mnist;
import dev.stratus.core.image.Preprocessor;
import dev.stratus.training.CnnTrainer;
import dev.stratus.training.Schedule;
import dev.stratus.training.TrainingData;
import dev.stratus.training.augment.Augmentation;
import dev.stratus.training.augment.Augmenter;
import dev.stratus.training.network.Architecture;
import dev.stratus.training.network.DjlNetwork;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The executor's side of a round: a network and its optimizer for one shard, kept between
 * rounds in the executor's JVM (so PyTorch, the network and the preprocessed shard are set up
 * once), but holding no state a round depends on: each round starts from the broadcast
 * {@link ModelState}, so a shard that moves to another executor trains exactly the same.
 */
final class ShardReplica implements AutoCloseable {
    private static final Map<String, ShardReplica> REPLICAS = new ConcurrentHashMap<>();
    /**
     * PyTorch allows one gradient collector per process: replicas sharing a JVM ({@code local[N]})
     * take turns, each round whole, which also keeps the seeded dropout masks repeatable.
     */
    private static final Object ONE_AT_A_TIME = new Object();

    private final Shard shard;
    private final Model model;
    private final Trainer trainer;
    private final StateAdam optimizer;
    private final ParameterList parameters;
    private final float[] preprocessed;
    private final Augmenter augmenter;
    private final int batchesPerEpoch;
    private final long seed;
    private int orderEpoch = -1;
    private int[] order;

    private ShardReplica(Shard shard, RoundPlan plan) {
        if (plan.threads() > 0) {
            // Read when PyTorch loads; executors also get it on their command line.
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(plan.threads()));
        }
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        this.shard = shard;
        this.seed = plan.seed();
        Architecture architecture = Architecture.byName(plan.architecture());
        this.model = Model.newInstance(architecture.name() + "-shard-" + shard.index());
        SequentialBlock network = DjlNetwork.build(architecture);
        model.setBlock(network);
        this.optimizer = new StateAdam(Schedule.valueOf(plan.schedule())
                .tracker(plan.learningRate(), plan.totalUpdates()));
        this.trainer = model.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(optimizer));
        trainer.initialize(new Shape(1, 1, Mnist.SIDE, Mnist.SIDE));
        this.parameters = network.getParameters();
        Preprocessor preprocessor = new Preprocessor();
        if (plan.augment()) {
            this.augmenter = new Augmenter(Augmentation.DRAWN_DIGITS, preprocessor, plan.seed());
            this.preprocessed = null;
        } else {
            this.augmenter = null;
            this.preprocessed = new float[shard.count() * Mnist.PIXELS];
            for (int i = 0; i < shard.count(); i++) {
                System.arraycopy(preprocessor.apply(shard.image(i)).pixels(), 0, preprocessed, i * Mnist.PIXELS,
                        Mnist.PIXELS);
            }
        }
        this.batchesPerEpoch = (shard.count() + plan.batchSize() - 1) / plan.batchSize();
    }

    /** Builds the replica of {@code shard} unless it exists; returns the nanoseconds that took. */
    static long prepare(Shard shard, RoundPlan plan) {
        synchronized (ONE_AT_A_TIME) {
            long start = System.nanoTime();
            replica(shard, plan);
            return System.nanoTime() - start;
        }
    }

    /** Trains {@code shard}'s replica for the round's steps, starting from {@code state}. */
    static RoundResult train(Shard shard, ModelState state, RoundPlan plan) {
        synchronized (ONE_AT_A_TIME) {
            long start = System.nanoTime();
            boolean existed = REPLICAS.containsKey(key(shard.index(), plan.runId()));
            ShardReplica replica = replica(shard, plan);
            long setup = existed ? 0 : System.nanoTime() - start;
            return replica.round(state, plan, setup);
        }
    }

    /** Frees the replicas of a run held by this JVM. */
    static void release(String runId) {
        synchronized (ONE_AT_A_TIME) {
            REPLICAS.entrySet().removeIf(e -> {
                if (e.getKey().startsWith(runId + "/")) {
                    e.getValue().close();
                    return true;
                }
                return false;
            });
        }
    }

    private static String key(int shard, String runId) {
        return runId + "/" + shard;
    }

    private static ShardReplica replica(Shard shard, RoundPlan plan) {
        ShardReplica existing = REPLICAS.get(key(shard.index(), plan.runId()));
        if (existing != null) {
            return existing;
        }
        // A new run in a long-lived executor: the replicas of earlier runs are done.
        REPLICAS.keySet().stream().filter(k -> !k.startsWith(plan.runId() + "/")).map(k -> k.split("/")[0])
                .distinct().toList().forEach(ShardReplica::release);
        ShardReplica created = new ShardReplica(shard, plan);
        REPLICAS.put(key(shard.index(), plan.runId()), created);
        return created;
    }

    private RoundResult round(ModelState state, RoundPlan plan, long setupNanos) {
        if (plan.threads() > 0) {
            // OpenMP's thread count belongs to the calling thread, and Spark runs each task on a
            // thread of its own pool: without this, a task thread would use one OpenMP thread
            // per core of the machine, and executors sharing cores would spin against each other.
            JniUtils.setNumThreads(plan.threads());
        }
        load(state);
        // Dropout masks: a function of the run, the shard and the step, whichever executor runs it.
        Engine.getInstance().setRandomSeed((int) (seed * 7_919 + shard.index() * 104_729L + plan.firstStep()));
        long start = System.nanoTime();
        double lossSum = 0;
        long correct = 0;
        long images = 0;
        for (int s = 0; s < plan.steps(); s++) {
            long step = plan.firstStep() + s;
            int epoch = (int) (step / batchesPerEpoch);
            int batch = (int) (step % batchesPerEpoch);
            int[] indices = order(epoch);
            int from = batch * plan.batchSize();
            int n = Math.min(plan.batchSize(), indices.length - from);
            float[] pixels = new float[n * Mnist.PIXELS];
            float[] labels = new float[n];
            SplittableRandom random = new SplittableRandom(seed * 1_000_003L + shard.index() * 10_007L + step);
            for (int i = 0; i < n; i++) {
                int index = indices[from + i];
                labels[i] = shard.label(index);
                if (augmenter != null) {
                    System.arraycopy(augmenter.apply(shard.image(index), random).pixels(), 0, pixels,
                            i * Mnist.PIXELS, Mnist.PIXELS);
                } else {
                    System.arraycopy(preprocessed, index * Mnist.PIXELS, pixels, i * Mnist.PIXELS, Mnist.PIXELS);
                }
            }
            float[] stats = CnnTrainer.step(model, trainer, pixels, labels);
            lossSum += (double) stats[0] * n;
            correct += (long) stats[1];
            images += n;
        }
        long compute = System.nanoTime() - start;
        return new RoundResult(shard.index(), export(state.updates() + optimizer.updatesSinceStart()), images,
                lossSum, correct, compute, setupNanos, executorId());
    }

    /** The shard's image order in a shard-local epoch: a seeded shuffle, the same on every executor. */
    private int[] order(int epoch) {
        if (epoch != orderEpoch) {
            order = TrainingData.shuffle(java.util.stream.IntStream.range(0, shard.count()).toArray(),
                    new SplittableRandom(seed * 31 + shard.index() * 1_009L + epoch));
            orderEpoch = epoch;
        }
        return order;
    }

    private void load(ModelState state) {
        state.loadValues(parameters);
        for (int p = 0; p < parameters.size(); p++) {
            Parameter parameter = parameters.get(p).getValue();
            if (parameter.requiresGradient()) {
                optimizer.load(parameter.getId(), parameter.getArray(), state.means()[p], state.variances()[p]);
            }
        }
        optimizer.startAt(state.updates());
    }

    private ModelState export(long updates) {
        int n = parameters.size();
        float[][] values = new float[n][];
        float[][] means = new float[n][];
        float[][] variances = new float[n][];
        for (int p = 0; p < n; p++) {
            Parameter parameter = parameters.get(p).getValue();
            values[p] = parameter.getArray().toFloatArray();
            if (parameter.requiresGradient()) {
                means[p] = optimizer.mean(parameter.getId());
                variances[p] = optimizer.variance(parameter.getId());
            }
        }
        return new ModelState(values, means, variances, updates);
    }

    private static String executorId() {
        org.apache.spark.SparkEnv env = org.apache.spark.SparkEnv.get();
        return env == null ? "local" : env.executorId();
    }

    @Override
    public void close() {
        trainer.close();
        model.close();
    }
}
