package dev.stratus.core.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * An environment variable a program honours: its name, what it sets, and what applies when it is
 * unset. Each program lists its variables once; the same constants parse the environment (here,
 * with a message that names the variable and the bad value) and render the {@code --help} footer.
 *
 * @param name      the variable, e.g. {@code STRATUS_PORT}; a family of variables ends in a
 *                  placeholder, e.g. {@code STRATUS_KAFKA_<PROPERTY>}
 * @param meaning   what it sets, one sentence
 * @param byDefault what applies when it is unset, in words
 */
public record EnvVar(String name, String meaning, String byDefault) {
    private static final Pattern NAME = Pattern.compile("[A-Z][A-Z0-9_]*(<[A-Z]+>)?");
    private static final String INDENT = "      ";
    private static final int WIDTH = 79;

    public EnvVar {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("an environment variable is named A-Z, 0-9 and _, got " + name);
        }
        if (meaning == null || meaning.isBlank() || byDefault == null || byDefault.isBlank()) {
            throw new IllegalArgumentException(name + " needs a meaning and a default, in words");
        }
    }

    /** The value, or empty when the variable is unset or blank. */
    public Optional<String> read(Map<String, String> env) {
        String value = env.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
    }

    public String text(Map<String, String> env, String fallback) {
        return read(env).orElse(fallback);
    }

    /** The value as a path, or null when unset. */
    public Path path(Map<String, String> env) {
        return parsed(env, null, "a file system path", Path::of);
    }

    /** The value as a whole number from {@code min} to {@code max}, or {@code fallback} when unset. */
    public long wholeNumber(Map<String, String> env, long fallback, long min, long max, String unit) {
        String expected = "a whole number" + (unit.isEmpty() ? "" : " of " + unit) + " from " + min + " to " + max;
        long value = parsed(env, fallback, expected, Long::parseLong);
        if (value < min || value > max) {
            throw invalid(expected, Long.toString(value));
        }
        return value;
    }

    /**
     * The value through {@code parser}, or {@code fallback} when unset. A parser that throws
     * (NumberFormatException, IllegalArgumentException, InvalidPathException) makes the value invalid.
     */
    public <T> T parsed(Map<String, String> env, T fallback, String expected, Function<String, T> parser) {
        Optional<String> value = read(env);
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            return parser.apply(value.get().strip());
        } catch (IllegalArgumentException e) {
            throw invalid(expected, value.get());
        }
    }

    /** The error for a value that is not {@code expected}: names the variable and the value. */
    public IllegalArgumentException invalid(String expected, String value) {
        return new IllegalArgumentException(name + " must be " + expected + ", got '" + value + "'");
    }

    /**
     * The variables for a usage footer: each name on its line, then what it sets and its default,
     * indented and wrapped to 80 columns. {@code %} is doubled: picocli formats its footer like printf.
     */
    public static String[] helpLines(List<EnvVar> variables) {
        List<String> lines = new ArrayList<>();
        for (EnvVar variable : variables) {
            lines.add("  " + variable.name());
            StringBuilder line = new StringBuilder(INDENT);
            for (String word : (variable.meaning() + " Default: " + variable.byDefault() + ".").split(" ")) {
                if (line.length() > INDENT.length() && line.length() + 1 + word.length() > WIDTH) {
                    lines.add(line.toString());
                    line = new StringBuilder(INDENT);
                }
                line.append(line.length() > INDENT.length() ? " " : "").append(word);
            }
            lines.add(line.toString());
        }
        return lines.stream().map(text -> text.replace("%", "%%")).toArray(String[]::new);
    }
}
