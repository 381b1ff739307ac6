package dev.stratus.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stratus.cluster.LocalCouchDb;
import dev.stratus.core.image.DigitImage;
import dev.stratus.core.image.Preprocessor;
import dev.stratus.core.mnist.FeedbackFiles;
import dev.stratus.core.mnist.Idx;
import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.core.model.Prediction;
import dev.stratus.server.Digits;
import dev.stratus.server.ServerCli;
import dev.stratus.server.predict.PredictionIds;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code export-feedback --couchdb}: the distributed stack's corrections, read from a real
 * CouchDB-API server behind its login, as the IDX pair that {@code retrain} and {@code train
 * --extra} read; what the Kubernetes retraining job runs.
 */
class CouchDbExportTest {
    @TempDir
    Path dir;

    @Test
    void exports_the_labelled_predictions_of_couchdb_as_idx() throws Exception {
        try (LocalCouchDb couchDb = LocalCouchDb.start(Files.createDirectories(dir.resolve("couchdb")))) {
            Map<String, String> env = couchDb.clientEnvironment();
            Preprocessor preprocessor = new Preprocessor();
            DigitImage first = preprocessor.apply(Digits.mnist().image(0));
            DigitImage second = preprocessor.apply(Digits.mnist().image(1));
            float[] sure = new float[10];
            sure[7] = 1f;
            String a = PredictionIds.next();
            String b = PredictionIds.next();
            try (CouchDbPredictionStore store = CouchDbPredictionStore.open(
                    CouchDbSettings.fromEnvironment(env, couchDb.url()))) {
                store.saveAll(List.of(
                        PredictionRecord.classified(a, Instant.now(), "v1", Prediction.of(sure), first),
                        PredictionRecord.classified(b, Instant.now(), "v1", Prediction.of(sure), second),
                        PredictionRecord.classified(PredictionIds.next(), Instant.now(), "v1", Prediction.of(sure), first)));
                store.label(a, new LabelChange(3, Instant.now(), "192.0.2.1"));
                store.label(b, new LabelChange(2, Instant.now(), "192.0.2.2"));
            }

            StringWriter out = new StringWriter();
            var line = ServerCli.commandLine(env);
            line.setOut(new PrintWriter(out));
            int code = line.execute("export-feedback", "--couchdb", couchDb.url(),
                    "--out", dir.resolve("export").toString());

            assertThat(code).as(out.toString()).isZero();
            assertThat(out.toString()).contains("Exported 2 labelled predictions");
            LabeledImages exported = Idx.read(dir.resolve("export").resolve(FeedbackFiles.IMAGES),
                    dir.resolve("export").resolve(FeedbackFiles.LABELS));
            assertThat(exported.labels()).containsExactlyInAnyOrder(3, 2);

            var both = ServerCli.commandLine(env);
            both.setErr(new PrintWriter(new StringWriter()));
            assertThat(both.execute("export-feedback", "--couchdb", couchDb.url(), "--data-dir",
                    dir.toString(), "--out", dir.resolve("x").toString())).isEqualTo(2);
        }
    }
}
