package dev.stratus.server.web;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The page's files, from the classpath folder {@code /public}: read once, kept in memory with
 * their type and an ETag. {@code /} is {@code index.html}. Names outside a plain character set
 * (no {@code ..}, no backslash, no percent escapes) are not looked up at all.
 */
final class StaticFiles {
    private static final Pattern SAFE = Pattern.compile("(/[A-Za-z0-9_-][A-Za-z0-9._-]*)+");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html;charset=utf-8",
            "js", "text/javascript;charset=utf-8",
            "css", "text/css;charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "json", "application/json",
            "txt", "text/plain;charset=utf-8");

    /** One file: its bytes, media type and entity tag. */
    record File(byte[] bytes, String type, String etag) {
    }

    private final String root;
    private final Map<String, File> cache = new ConcurrentHashMap<>();

    StaticFiles(String root) {
        this.root = root;
    }

    Optional<File> find(String path) {
        String name = "/".equals(path) ? "/index.html" : path;
        if (!SAFE.matcher(name).matches() || name.length() > 200) {
            return Optional.empty();
        }
        File known = cache.get(name);
        if (known != null) {
            return Optional.of(known);
        }
        // Only files that exist are kept: the map cannot be grown by asking for names that do not.
        Optional<File> loaded = load(name);
        loaded.ifPresent(file -> cache.put(name, file));
        return loaded;
    }

    private Optional<File> load(String name) {
        try (InputStream in = StaticFiles.class.getResourceAsStream(root + name)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readAllBytes();
            String extension = name.substring(name.lastIndexOf('.') + 1);
            String etag = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 8) + "\"";
            return Optional.of(new File(bytes, TYPES.getOrDefault(extension, "application/octet-stream"), etag));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + root + name + " from the classpath", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
