package dev.stratus.training.spark;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A standalone master ({@code spark://host:port[,host:port...]}) is asked for before training
 * starts. Spark's own client would retry its registration for a minute and then fail the first
 * job with "SparkContext was shut down", which names neither the master nor the reason.
 */
public final class StandaloneMaster {
    private static final String SCHEME = "spark://";
    private static final int DEFAULT_PORT = 7077;

    private StandaloneMaster() {
    }

    /**
     * Returns when one of the master's addresses accepts a connection within {@code timeout};
     * other masters (local, k8s) are not checked.
     */
    public static void requireReachable(String master, Duration timeout) throws IOException {
        if (!master.startsWith(SCHEME)) {
            return;
        }
        List<String> failures = new ArrayList<>();
        for (String address : master.substring(SCHEME.length()).split(",")) {
            int colon = address.lastIndexOf(':');
            String host = colon < 0 ? address : address.substring(0, colon);
            int port = colon < 0 ? DEFAULT_PORT : Integer.parseInt(address.substring(colon + 1));
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
                return;
            } catch (IOException e) {
                failures.add(host + ":" + port + ": " + (e.getMessage() == null ? e.getClass().getSimpleName()
                        : e.getMessage()));
            }
        }
        throw new IOException("the Spark master " + master + " is not reachable (" + String.join("; ", failures)
                + " within " + timeout.toSeconds() + " s); start one with 'stratus spark-cluster up' or give --spark"
                + " a running master");
    }
}
