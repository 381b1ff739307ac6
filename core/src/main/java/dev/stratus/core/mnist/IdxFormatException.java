package dev.stratus.core.mnist;

import java.io.IOException;
import java.nio.file.Path;

/** An IDX file that cannot be used; the message names the file and what is wrong with it. */
public final class IdxFormatException extends IOException {
    public IdxFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }
}
