package dev.stratus.training.spark;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.ParameterList;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import dev.stratus.core.image.Mnist;
import dev.stratus.core.model.ModelCard;
import dev.stratus.training.CnnTrainer;
import dev.stratus.training.TrainingData;
import dev.stratus.training.TrainingOptions;
import dev.stratus.training.TrainingRun;
import dev.stratus.training.network.Architecture;
import dev.stratus.training.network.DjlNetwork;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

/**
 * Data-parallel training on Spark, synchronous local SGD: the training set is split into one
 * shard per replica and cached on the executors; every round the driver broadcasts the model
 * (parameters, Adam's moments, the update count), each replica takes a fixed number of Adam
 * steps on its own shard, and the driver averages what comes back, weighted by images. With
 * one replica this is exactly single-machine training; with W replicas a round is W times the
 * work of one replica's steps, and the averaging costs one broadcast and one collect.
 */
public final class SparkTrainer {
    private final TrainingOptions options;
    private final SparkSettings settings;
    private final Path djlCache;
    private final PrintStream progress;

    /** The trained network and what the model card records about the distributed run. */
    public record Result(TrainingRun run, Map<String, Object> distributed) {
    }

    /** {@code djlCache}: where the executors' DJL unpacks PyTorch. */
    public SparkTrainer(TrainingOptions options, SparkSettings settings, Path djlCache, PrintStream progress) {
        this.options = options;
        this.settings = settings;
        this.djlCache = djlCache;
        this.progress = progress;
    }

    public Result train(TrainingData data) {
        long wallStart = System.nanoTime();
        Architecture architecture = options.architecture();
        Engine.getInstance().setRandomSeed((int) options.seed());
        Model model = Model.newInstance(architecture.name());
        SequentialBlock network = DjlNetwork.build(architecture);
        model.setBlock(network);
        Trainer trainer = model.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()));
        trainer.initialize(new Shape(1, 1, Mnist.SIDE, Mnist.SIDE));
        ParameterList parameters = network.getParameters();
        try {
            return train(data, model, network, trainer, parameters, wallStart);
        } catch (RuntimeException | Error e) {
            trainer.close();
            model.close();
            throw e;
        }
    }

    private Result train(TrainingData data, Model model, SequentialBlock network, Trainer trainer,
                         ParameterList parameters, long wallStart) {
        List<Shard> shards = shard(data, settings.workers(), options.seed());
        int largest = shards.stream().mapToInt(Shard::count).max().orElse(0);
        int stepsPerEpoch = (largest + options.batchSize() - 1) / options.batchSize();
        int totalSteps = stepsPerEpoch * options.epochs();
        String runId = UUID.randomUUID().toString();
        RoundPlan plan = new RoundPlan(runId, options.architecture().name(), options.batchSize(),
                options.learningRate(), options.schedule().name(), totalSteps, options.seed(),
                options.augmentation().enabled(), executorThreads(), 0, 0);
        ModelState state = ModelState.initial(parameters);
        int roundsPerEpoch = (stepsPerEpoch + settings.localSteps() - 1) / settings.localSteps();
        long trainable = parameters.values().stream().filter(ai.djl.nn.Parameter::requiresGradient)
                .mapToLong(p -> p.getArray().size()).sum();
        long stateBytes = state.bytes() + 2 * 4 * trainable;
        progress.printf("Spark %s: %d replicas of ~%,d images, %d local steps of %d images per round, "
                        + "%d rounds per epoch; %,d bytes of model state each way per replica and round%n",
                settings.master(), shards.size(), largest, settings.localSteps(), options.batchSize(), roundsPerEpoch,
                stateBytes);

        List<ModelCard.Epoch> epochs = new ArrayList<>();
        List<ModelCard.Checkpoint> checkpoints = new ArrayList<>();
        List<Map<String, Object>> rounds = new ArrayList<>();
        TreeSet<String> executors = new TreeSet<>();
        Double secondsToReference = null;
        double setupSeconds;
        long trainingNanos = 0;
        long imagesSeen = 0;
        try (JavaSparkContext spark = new JavaSparkContext(conf())) {
            spark.setLogLevel("WARN");
            // The shards travel as broadcasts (each executor fetches the one it trains on, once); the
            // cached RDD of replica numbers pins each replica to the executor that built it.
            List<Broadcast<Shard>> shardData = shards.stream().map(spark::broadcast).toList();
            JavaRDD<Integer> replicas = spark.parallelize(IntStream.range(0, shards.size()).boxed().toList(),
                    shards.size()).persist(StorageLevel.MEMORY_ONLY());
            long setupStart = System.nanoTime();
            RoundPlan setupPlan = plan;
            List<Long> setups = replicas.map(i -> ShardReplica.prepare(shardData.get(i).value(), setupPlan)).collect();
            setupSeconds = (System.nanoTime() - setupStart) / 1e9;
            progress.printf("Replicas ready in %.1f s (slowest build %.1f s: PyTorch, network, shard)%n", setupSeconds,
                    setups.stream().mapToLong(Long::longValue).max().orElse(0) / 1e9);

            int round = 0;
            for (int epoch = 1; epoch <= options.epochs(); epoch++) {
                double lossSum = 0;
                long correct = 0;
                long seen = 0;
                long epochNanos = 0;
                long epochEnd = (long) epoch * stepsPerEpoch;
                for (long first = (long) (epoch - 1) * stepsPerEpoch; first < epochEnd; first += settings.localSteps()) {
                    round++;
                    RoundPlan roundPlan = plan.forRound(first, (int) Math.min(settings.localSteps(), epochEnd - first));
                    long roundStart = System.nanoTime();
                    Broadcast<ModelState> broadcast = spark.broadcast(state);
                    List<RoundResult> results = replicas
                            .map(i -> ShardReplica.train(shardData.get(i).value(), broadcast.value(), roundPlan))
                            .collect();
                    state = ModelState.average(results.stream().map(RoundResult::state).toList(),
                            results.stream().mapToLong(RoundResult::images).toArray());
                    long roundNanos = System.nanoTime() - roundStart;
                    broadcast.destroy();
                    trainingNanos += roundNanos;
                    epochNanos += roundNanos;

                    long roundImages = 0;
                    long maxCompute = 0;
                    for (RoundResult r : results) {
                        lossSum += r.lossSum();
                        correct += r.correct();
                        roundImages += r.images();
                        maxCompute = Math.max(maxCompute, r.computeNanos());
                        executors.add(r.executor());
                    }
                    seen += roundImages;
                    imagesSeen += roundImages;

                    state.loadValues(parameters);
                    double accuracy = CnnTrainer.onnxAccuracy(options.architecture(), network, data.test());
                    checkpoints.add(new ModelCard.Checkpoint(trainingNanos / 1e9, imagesSeen, accuracy));
                    if (secondsToReference == null && accuracy >= TrainingOptions.REFERENCE_ACCURACY) {
                        secondsToReference = trainingNanos / 1e9;
                    }
                    Map<String, Object> timing = new LinkedHashMap<>();
                    timing.put("round", round);
                    timing.put("epoch", epoch);
                    timing.put("steps", roundPlan.steps());
                    timing.put("images", roundImages);
                    timing.put("seconds", roundNanos / 1e9);
                    timing.put("slowestReplicaSeconds", maxCompute / 1e9);
                    timing.put("overheadSeconds", Math.max(0, roundNanos - maxCompute) / 1e9);
                    timing.put("trainLoss", results.stream().mapToDouble(RoundResult::lossSum).sum() / roundImages);
                    timing.put("testAccuracy", accuracy);
                    rounds.add(timing);
                    progress.printf("  round %3d (epoch %d): loss %.4f, test acc %.2f%%, %.2f s "
                                    + "(slowest replica %.2f s, Spark and averaging %.2f s)%n", round, epoch,
                            timing.get("trainLoss"), 100 * accuracy, roundNanos / 1e9, maxCompute / 1e9,
                            Math.max(0, roundNanos - maxCompute) / 1e9);
                }
                Double validationLoss = null;
                Double validationAccuracy = null;
                if (data.validation().count() > 0) {
                    double[] v = CnnTrainer.lossAndAccuracy(trainer, model, data.validation());
                    validationLoss = v[0];
                    validationAccuracy = v[1];
                }
                double testAccuracy = checkpoints.get(checkpoints.size() - 1).testAccuracy();
                epochs.add(new ModelCard.Epoch(epoch, lossSum / seen, (double) correct / seen, validationLoss,
                        validationAccuracy, epochNanos / 1e9, seen / (epochNanos / 1e9)));
                progress.printf("  epoch %d: train loss %.4f acc %.2f%%%s, test acc %.2f%%, %.1f s%n", epoch,
                        lossSum / seen, 100.0 * correct / seen,
                        validationAccuracy == null ? "" : String.format(", validation loss %.4f acc %.2f%%",
                                validationLoss, 100 * validationAccuracy),
                        100 * testAccuracy, epochNanos / 1e9);
            }
            replicas.foreachPartition(ignored -> ShardReplica.release(runId));
        }

        Map<String, Object> distributed = new LinkedHashMap<>();
        distributed.put("engine", "Apache Spark " + org.apache.spark.package$.MODULE$.SPARK_VERSION());
        distributed.put("method", "synchronous local SGD: each round every replica starts from the averaged "
                + "parameters and Adam moments, takes the local steps on its own shard, and the driver averages "
                + "the results weighted by images");
        distributed.put("master", settings.master());
        distributed.put("workers", settings.workers());
        distributed.put("executors", List.copyOf(executors));
        distributed.put("localSteps", settings.localSteps());
        distributed.put("batchSizePerReplica", options.batchSize());
        distributed.put("imagesPerRound", (long) settings.workers() * settings.localSteps() * options.batchSize());
        distributed.put("rounds", rounds.size());
        distributed.put("stateBytesPerReplica", state.bytes());
        distributed.put("setupSeconds", setupSeconds);
        distributed.put("totalSeconds", (System.nanoTime() - wallStart) / 1e9);
        distributed.put("roundTimings", rounds);
        TrainingRun run = new TrainingRun(options, model, network, trainer, epochs, checkpoints, trainingNanos / 1e9,
                secondsToReference);
        return new Result(run, distributed);
    }

    /**
     * Deals the training images to {@code count} shards after a seeded shuffle, so every shard
     * is a fair sample of the digits.
     */
    static List<Shard> shard(TrainingData data, int count, long seed) {
        int[] indices = TrainingData.shuffle(data.trainIndices(), new SplittableRandom(seed ^ 0x5DEECE66DL));
        byte[] all = data.raw().pixels();
        List<Shard> shards = new ArrayList<>(count);
        for (int s = 0; s < count; s++) {
            int n = (indices.length - s + count - 1) / count;
            byte[] pixels = new byte[n * Mnist.PIXELS];
            byte[] labels = new byte[n];
            for (int i = 0; i < n; i++) {
                int index = indices[s + i * count];
                System.arraycopy(all, index * Mnist.PIXELS, pixels, i * Mnist.PIXELS, Mnist.PIXELS);
                labels[i] = (byte) data.raw().label(index);
            }
            shards.add(new Shard(s, Mnist.SIDE, pixels, labels));
        }
        return shards;
    }

    private int executorThreads() {
        if (settings.threads() > 0) {
            return settings.threads();
        }
        if (settings.local()) {
            return 0;
        }
        return Integer.parseInt(settings.conf().getOrDefault("spark.executor.cores", "1"));
    }

    SparkConf conf() {
        SparkConf conf = new SparkConf()
                .setAppName("stratus-train-" + options.architecture().name())
                .setMaster(settings.master())
                // No web UI unless asked for: nothing listens that nobody uses.
                .set("spark.ui.enabled", "false")
                .set("spark.executor.cores", "1")
                .set("spark.executor.memory", settings.executorMemory())
                .set("spark.executorEnv.OPT_OUT_TRACKING", "true")
                .set("spark.executorEnv.DJL_CACHE_DIR", djlCache.toString())
                // Start the rounds only when every replica has an executor.
                .set("spark.scheduler.minRegisteredResourcesRatio", "1.0")
                .set("spark.scheduler.maxRegisteredResourcesWaitingTime", "120s");
        int threads = executorThreads();
        if (threads > 0) {
            // Every thread an executor starts gets this many OpenMP threads, not one per core.
            conf.set("spark.executorEnv.OMP_NUM_THREADS", Integer.toString(threads));
        }
        conf.set("spark.executor.extraJavaOptions", "-Dai.djl.offline=true -Dai.djl.pytorch.num_interop_threads=1"
                + (threads > 0 ? " -Dai.djl.pytorch.num_threads=" + threads : ""));
        if (!settings.local()) {
            conf.set("spark.cores.max", Integer.toString(settings.workers()));
        }
        if (settings.onThisMachine()) {
            conf.set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
        }
        // The executors need this module's classes: its jar, or (tests, IDEs) its class directory,
        // which only executors on this machine can read.
        Path code = jobLocation();
        if (code.toString().endsWith(".jar")) {
            conf.set("spark.jars", code.toString());
        } else {
            conf.set("spark.executor.extraClassPath", code.toString());
        }
        settings.conf().forEach(conf::set);
        return conf;
    }

    private static Path jobLocation() {
        try {
            return Path.of(SparkTrainer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("cannot locate the training classes", e);
        }
    }
}
