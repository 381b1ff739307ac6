package dev.stratus.core.mnist;

import dev.stratus.core.image.GreyPng;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A directory of number images: PNG files and {@code labels.csv} ({@code file,label}, the label
 * the digits as text, leading zeros kept). The generator writes it, {@code evaluate --numbers}
 * reads it.
 */
public final class NumberSet {
    public static final String LABELS_FILE = "labels.csv";
    static final String HEADER = "file,label";

    /** One image of the set: its file, relative to the directory, and its label. */
    public record Entry(String file, String label) {
        public Entry {
            if (file == null || file.isBlank() || file.contains(",")) {
                throw new IllegalArgumentException("a file name must be non-empty and without commas, got '" + file
                        + "'");
            }
            if (label == null || !label.matches("[0-9]+")) {
                throw new IllegalArgumentException("a label is one or more digits 0-9, got '" + label + "'");
            }
        }
    }

    private NumberSet() {
    }

    /** Writes {@code count} numbers from {@code composer} to {@code directory} as PNGs and labels.csv. */
    public static List<Entry> write(Path directory, NumberComposer composer, int count) throws IOException {
        if (count < 1) {
            throw new IllegalArgumentException("--count must be at least 1, got " + count);
        }
        Files.createDirectories(directory);
        List<Entry> entries = new ArrayList<>(count);
        int digits = Integer.toString(count - 1).length();
        for (int i = 0; i < count; i++) {
            NumberComposer.Composed number = composer.next();
            String file = String.format("number-%0" + digits + "d.png", i);
            GreyPng.write(number.image(), directory.resolve(file));
            entries.add(new Entry(file, number.label()));
        }
        try (BufferedWriter out = Files.newBufferedWriter(directory.resolve(LABELS_FILE), StandardCharsets.UTF_8)) {
            out.write(HEADER);
            out.newLine();
            for (Entry e : entries) {
                out.write(e.file() + "," + e.label());
                out.newLine();
            }
        }
        return entries;
    }

    /** The entries of {@code directory}'s labels.csv; every error names the file and line. */
    public static List<Entry> read(Path directory) throws IOException {
        Path labels = directory.resolve(LABELS_FILE);
        if (!Files.isRegularFile(labels)) {
            throw new IOException(labels + ": missing; a numbers directory holds PNG files and " + LABELS_FILE
                    + " (file,label)");
        }
        List<String> lines = Files.readAllLines(labels, StandardCharsets.UTF_8);
        List<Entry> entries = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (line.isEmpty() || n == 0 && line.equals(HEADER)) {
                continue;
            }
            String[] fields = line.split(",", -1);
            if (fields.length != 2) {
                throw new IOException(labels + " line " + (n + 1) + ": expected 'file,label', got '" + line + "'");
            }
            try {
                entries.add(new Entry(fields[0].strip(), fields[1].strip()));
            } catch (IllegalArgumentException e) {
                throw new IOException(labels + " line " + (n + 1) + ": " + e.getMessage(), e);
            }
        }
        if (entries.isEmpty()) {
            throw new IOException(labels + ": no images listed");
        }
        return entries;
    }
}
