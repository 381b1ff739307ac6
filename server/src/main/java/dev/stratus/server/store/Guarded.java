package dev.stratus.server.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JDBC connection that one thread uses at a time, taken in turn for at most a bounded wait.
 * Every failure, of the wait or of the SQL, comes out as a {@link StoreException} that says
 * what was being done.
 */
final class Guarded implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Guarded.class);

    /** Work on the connection. */
    @FunctionalInterface
    interface Work<T> {
        T apply(Connection connection) throws SQLException;
    }

    private final Connection connection;
    private final String verb;
    private final Duration wait;
    private final ReentrantLock lock = new ReentrantLock();

    /** {@code verb} completes "cannot ... the prediction store", e.g. "write to". */
    Guarded(Connection connection, String verb, Duration wait) {
        this.connection = connection;
        this.verb = verb;
        this.wait = wait;
    }

    <T> T use(String action, Work<T> work) {
        try {
            if (!lock.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new StoreException("cannot " + action + ": the prediction store was busy for "
                        + wait.toSeconds() + " s", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("cannot " + action + ": interrupted while waiting for the store", e);
        }
        try {
            return work.apply(connection);
        } catch (SQLException e) {
            throw new StoreException("cannot " + action + " (" + verb + " the prediction store): " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        boolean locked = false;
        try {
            locked = lock.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!locked) {
            LOG.warn("closing the prediction store while a call still holds it");
        }
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.warn("closing the prediction store: {}", e.getMessage());
        } finally {
            if (locked) {
                lock.unlock();
            }
        }
    }
}
