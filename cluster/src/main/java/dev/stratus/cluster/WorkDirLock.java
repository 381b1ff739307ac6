package dev.stratus.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The one supervisor of a work directory: an exclusive lock on {@code .supervisor.lock} in it,
 * holding the supervisor's pid. The operating system releases the lock however the process ends,
 * kill -9 included, so a held lock always means a live supervisor.
 */
final class WorkDirLock implements AutoCloseable {
    static final String FILE = ".supervisor.lock";
    private final FileChannel channel;
    private final FileLock lock;

    private WorkDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock, or fails naming the supervisor that holds it. */
    static WorkDirLock acquire(Path workDir) {
        try {
            Files.createDirectories(workDir);
            Path file = workDir.resolve(FILE);
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException sameJvm) {
                lock = null;
            }
            if (lock == null) {
                String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
                channel.close();
                throw new StartupFailedException("another up --distributed (pid " + (holder.isEmpty() ? "?" : holder)
                        + ") is running with " + workDir + "; stop it, or give this one another --work-dir");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)), 0);
            return new WorkDirLock(channel, lock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + workDir, e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
