package dev.stratus.core.mnist;

import dev.stratus.core.config.EnvVar;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where the MNIST files are kept and where they are fetched from, as the environment says.
 *
 * @param directory the data directory when no flag names one
 * @param mirrors   base URLs to download from, in order, each ending in {@code /}
 */
public record MnistSource(Path directory, List<String> mirrors) {
    public static final EnvVar DATA = new EnvVar("STRATUS_DATA",
            "Directory of the four MNIST files when --data is not given.", "~/.cache/stratus/mnist");
    public static final EnvVar MIRROR = new EnvVar("STRATUS_MNIST_MIRROR",
            "An http(s) base URL tried before the public MNIST mirrors.", "the public mirrors only");
    public static final List<EnvVar> VARIABLES = List.of(DATA, MIRROR);

    public MnistSource {
        if (directory == null || mirrors == null || mirrors.isEmpty()) {
            throw new IllegalArgumentException("MNIST needs a directory and at least one mirror");
        }
        mirrors = List.copyOf(mirrors);
    }

    public static MnistSource from(Map<String, String> env) {
        Path directory = DATA.path(env);
        String own = MIRROR.parsed(env, null, "an http(s) URL", MnistSource::httpUrl);
        return new MnistSource(directory != null ? directory : defaultDirectory(),
                own == null ? MnistFiles.MIRRORS : Stream.concat(Stream.of(own), MnistFiles.MIRRORS.stream()).toList());
    }

    /** {@code ~/.cache/stratus/mnist}. */
    public static Path defaultDirectory() {
        return Path.of(System.getProperty("user.home"), ".cache", "stratus", "mnist");
    }

    /** The files in {@code flag} when given, else in this source's directory. */
    public MnistFiles files(Path flag) {
        return new MnistFiles(flag != null ? flag : directory);
    }

    private static String httpUrl(String text) {
        URI uri = URI.create(text);
        if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            throw new IllegalArgumentException("not an http(s) URL: " + text);
        }
        return text.endsWith("/") ? text : text + "/";
    }
}
