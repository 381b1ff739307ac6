package dev.stratus.server.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stratus.core.image.Strokes;
import dev.stratus.core.mnist.LabeledImages;
import dev.stratus.core.mnist.MnistFiles;
import dev.stratus.core.mnist.Scribbles;
import dev.stratus.core.mnist.Skeletons;
import dev.stratus.core.model.Model;
import dev.stratus.core.model.OnnxClassifier;
import dev.stratus.server.Backend;
import dev.stratus.server.ServerConfig;
import dev.stratus.server.StratusServer;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.StringJoiner;
import javax.imageio.ImageIO;

/**
 * Issue 17's measurement: MNIST test digits skeletonised into polylines ({@link Skeletons}) and
 * "drawn" as the page draws them, a 20 px round pen on a 280 px canvas (larger for 300 px
 * digits), at digit heights 20, 35, 70, 140 and 300 px; each sent to the embedded server once as
 * the canvas PNG (the image path) and once as its strokes. Then dots, blobs, scribbles and
 * two-digit drawings both ways. Prints the share read right (right digit, verdict digit) per
 * size and path, and the share of negatives not answered as a confident single digit. Run by
 * {@code scripts/drawn-digits.sh [PER_SIZE=500] [NEGATIVES=500]}.
 */
public final class DrawnDigits {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int[] SIZES = {20, 35, 70, 140, 300};
    static final float PEN = 20;
    static final int CANVAS = 280;

    private final HttpClient client = HttpClient.newHttpClient();
    private final String url;

    private DrawnDigits(String url) {
        this.url = url;
    }

    public static void main(String[] args) throws Exception {
        int perSize = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int negatives = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        String data = System.getenv().getOrDefault("STRATUS_DATA", System.getProperty("user.home") + "/.cache/stratus/mnist");
        LabeledImages test = new MnistFiles(Path.of(data)).test();
        Path dir = Files.createTempDirectory("stratus-drawn");
        Model model = args.length > 2 ? Model.load(Path.of(args[2]), OnnxClassifier.Threads.SERVING)
                : Model.loadDefault(OnnxClassifier.Threads.SERVING);
        ServerConfig config = ServerConfig.builder().port(0).dataDirectory(dir).rateLimit(0, 1).build();
        try (StratusServer server = StratusServer.start(config, Backend.embedded(config, model, false))) {
            new DrawnDigits(server.url()).run(test, perSize, negatives);
        } finally {
            model.close();
        }
    }

    private void run(LabeledImages test, int perSize, int negatives) throws Exception {
        System.out.println("| digit height | image path: read right | image path: right digit | strokes: read right"
                + " | strokes: right digit |");
        System.out.println("|---|---|---|---|---|");
        SplittableRandom pick = new SplittableRandom(2026);
        int[] indices = new int[perSize];
        for (int i = 0; i < perSize; i++) {
            indices[i] = pick.nextInt(test.count());
        }
        int[] mnist = new int[2];
        java.util.Map<String, Integer> mnistVerdicts = new java.util.TreeMap<>();
        for (int index : indices) {
            StringJoiner pixels = new StringJoiner(",", "{\"pixels\":[", "]}");
            for (int i = 0; i < 784; i++) {
                pixels.add(Integer.toString(test.pixels()[index * 784 + i] & 0xff));
            }
            JsonNode answer = post(pixels.toString());
            count(mnist, 0, answer, test.label(index));
            mnistVerdicts.merge(verdict(answer), 1, Integer::sum);
        }
        System.out.printf(Locale.ROOT, "| MNIST 28x28 as is | %s | %s | | | %s%n", share(mnist[0], perSize),
                share(mnist[1], perSize), mnistVerdicts);
        List<String> misses = new java.util.ArrayList<>();
        for (int size : SIZES) {
            int[] tally = new int[4];
            java.util.Map<String, Integer> imageVerdicts = new java.util.TreeMap<>();
            java.util.Map<String, Integer> strokeVerdicts = new java.util.TreeMap<>();
            for (int index : indices) {
                List<float[]> strokes = place(Skeletons.of(test.pixels(), index * 784), size, CANVAS / 2f, CANVAS / 2f);
                int label = test.label(index);
                JsonNode image = post(png(strokes, canvasFor(size)));
                JsonNode drawn = post(strokesJson(strokes));
                count(tally, 0, image, label);
                count(tally, 2, drawn, label);
                imageVerdicts.merge(verdict(image), 1, Integer::sum);
                strokeVerdicts.merge(verdict(drawn), 1, Integer::sum);
                if (size == SIZES[SIZES.length - 1] && !(drawn.path("digit").asInt(-1) == label
                        && "digit".equals(verdict(drawn)))) {
                    misses.add(String.format(Locale.ROOT, "test image %d, a %d: %s %s (%.3f)", index, label,
                            drawn.path("verdict").asText(), drawn.path("digit").asText("-"),
                            drawn.path("confidence").asDouble(Double.NaN)));
                }
            }
            System.out.printf(Locale.ROOT, "| %d px | %s | %s | %s | %s | %s / %s%n", size, share(tally[0], perSize),
                    share(tally[1], perSize), share(tally[2], perSize), share(tally[3], perSize), imageVerdicts,
                    strokeVerdicts);
        }
        System.out.println();
        System.out.println("Strokes path, " + SIZES[SIZES.length - 1] + " px, not read right: " + misses.size());
        misses.forEach(m -> System.out.println("  " + m));
        System.out.println();
        System.out.println("| negatives | image path: not a confident digit | strokes: not a confident digit |"
                + " verdicts (image / strokes) |");
        System.out.println("|---|---|---|---|");
        SplittableRandom random = new SplittableRandom(99);
        for (String kind : List.of("dot", "blob", "scribble", "two digits")) {
            int[] rejected = new int[2];
            java.util.Map<String, Integer> imageVerdicts = new java.util.TreeMap<>();
            java.util.Map<String, Integer> strokeVerdicts = new java.util.TreeMap<>();
            for (int i = 0; i < negatives; i++) {
                List<float[]> strokes = switch (kind) {
                    case "dot" -> Scribbles.dot(random).strokes();
                    case "blob" -> Scribbles.blob(random).strokes();
                    case "scribble" -> Scribbles.random(random).strokes();
                    default -> twoDigits(test, random);
                };
                String a = verdict(post(png(strokes, CANVAS)));
                String b = verdict(post(strokesJson(strokes)));
                rejected[0] += "digit".equals(a) ? 0 : 1;
                rejected[1] += "digit".equals(b) ? 0 : 1;
                imageVerdicts.merge(a, 1, Integer::sum);
                strokeVerdicts.merge(b, 1, Integer::sum);
            }
            System.out.printf(Locale.ROOT, "| %s (%d) | %s | %s | %s / %s |%n", kind, negatives, share(rejected[0], negatives),
                    share(rejected[1], negatives), imageVerdicts, strokeVerdicts);
        }
    }

    private static int canvasFor(int size) {
        return Math.max(CANVAS, size + 2 * (int) PEN + 20);
    }

    /** Two test digits side by side, each 120 px tall, 15 px of paper between their boxes. */
    private static List<float[]> twoDigits(LabeledImages test, SplittableRandom random) {
        List<float[]> left = place(Skeletons.of(test.pixels(), random.nextInt(test.count()) * 784), 120, 0, 140);
        List<float[]> right = place(Skeletons.of(test.pixels(), random.nextInt(test.count()) * 784), 120, 0, 140);
        float[] lb = new Strokes(left).bounds();
        float[] rb = new Strokes(right).bounds();
        float shiftLeft = 140 - 7.5f - PEN - lb[2];
        float shiftRight = 140 + 7.5f + PEN - rb[0];
        List<float[]> all = new ArrayList<>();
        for (float[] s : left) {
            all.add(shifted(s, shiftLeft));
        }
        for (float[] s : right) {
            all.add(shifted(s, shiftRight));
        }
        return all;
    }

    private static float[] shifted(float[] s, float dx) {
        float[] out = s.clone();
        for (int i = 0; i < out.length; i += 2) {
            out[i] += dx;
        }
        return out;
    }

    /** The polylines scaled so that their box is {@code height} tall, centred at (cx, cy). */
    static List<float[]> place(List<float[]> lines, float height, float cx, float cy) {
        float[] b = new Strokes(lines).bounds();
        float scale = height / Math.max(1e-3f, b[3] - b[1]);
        float mx = (b[0] + b[2]) / 2;
        float my = (b[1] + b[3]) / 2;
        List<float[]> out = new ArrayList<>();
        for (float[] line : lines) {
            float[] xy = new float[line.length];
            for (int i = 0; i < line.length; i += 2) {
                xy[i] = cx + (line[i] - mx) * scale;
                xy[i + 1] = cy + (line[i + 1] - my) * scale;
            }
            out.add(xy);
        }
        return out;
    }

    /** The strokes as the page's canvas holds them: white, a 20 px round pen, anti-aliased, on black. */
    static byte[] png(List<float[]> strokes, int side) throws IOException {
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.BLACK);
        g.fillRect(0, 0, side, side);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setColor(Color.WHITE);
        g.setStroke(new BasicStroke(PEN, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        float offset = (side - CANVAS) / 2f;
        for (float[] s : strokes) {
            Path2D.Float path = new Path2D.Float();
            path.moveTo(s[0] + offset, s[1] + offset);
            for (int i = 2; i < s.length; i += 2) {
                path.lineTo(s[i] + offset, s[i + 1] + offset);
            }
            if (s.length == 2) {
                path.lineTo(s[0] + offset + 0.01f, s[1] + offset);
            }
            g.draw(path);
        }
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    static String strokesJson(List<float[]> strokes) {
        StringJoiner all = new StringJoiner(",", "{\"strokes\":[", "]}");
        for (float[] s : strokes) {
            StringJoiner points = new StringJoiner(",", "[", "]");
            for (int i = 0; i < s.length; i += 2) {
                points.add("[" + s[i] + "," + s[i + 1] + "]");
            }
            all.add(points.toString());
        }
        return all.toString();
    }

    private JsonNode post(byte[] png) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url + "/api/v1/predictions")).header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.ofByteArray(png)));
    }

    private JsonNode post(String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url + "/api/v1/predictions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private JsonNode send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(request.timeout(java.time.Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(response.body());
        if (response.statusCode() != 200) {
            return JSON.createObjectNode().put("verdict", "error " + body.path("error").asText());
        }
        return body;
    }

    private static String verdict(JsonNode answer) {
        return answer.path("verdict").asText();
    }

    /** Tally slots {@code at}: read right (right digit and verdict digit), {@code at + 1}: right digit. */
    private static void count(int[] tally, int at, JsonNode answer, int label) {
        boolean right = answer.path("digit").asInt(-1) == label;
        tally[at] += right && "digit".equals(verdict(answer)) ? 1 : 0;
        tally[at + 1] += right ? 1 : 0;
    }

    private static String share(int n, int of) {
        return String.format(Locale.ROOT, "%.1f %% (%d/%d)", 100.0 * n / of, n, of);
    }
}
