package dev.stratus.load;

import java.util.Arrays;
import java.util.List;

/**
 * The settings of a load run, read once from system properties: {@code -DbaseUrl=},
 * {@code -Dseconds=} (per step), {@code -Dusers=10,25,50,1000} (closed-model steps),
 * {@code -Drates=250,500,...} (open-model steps, requests per second) and
 * {@code -DmaxErrorPercent=} (the open model's error budget).
 */
record LoadSettings(String baseUrl, int seconds, List<Integer> users, List<Integer> rates, double maxErrorPercent) {
    static final String DEFAULT_BASE_URL = "http://127.0.0.1:8080";

    LoadSettings {
        if (seconds <= 0 || users.isEmpty() || rates.isEmpty() || maxErrorPercent < 0) {
            throw new IllegalArgumentException("need seconds > 0, at least one users and rates step and a"
                    + " non-negative error budget; got seconds=" + seconds + " users=" + users + " rates=" + rates
                    + " maxErrorPercent=" + maxErrorPercent);
        }
        if (users.stream().anyMatch(n -> n <= 0) || rates.stream().anyMatch(r -> r <= 0)) {
            throw new IllegalArgumentException("users and rates must be positive: " + users + ", " + rates);
        }
        baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    static LoadSettings fromSystemProperties() {
        return new LoadSettings(
                System.getProperty("baseUrl", DEFAULT_BASE_URL),
                Integer.parseInt(System.getProperty("seconds", "20")),
                numbers(System.getProperty("users", "10,25,50,1000")),
                numbers(System.getProperty("rates", "250,500,1000,2000,4000")),
                Double.parseDouble(System.getProperty("maxErrorPercent", "1")));
    }

    private static List<Integer> numbers(String list) {
        return Arrays.stream(list.split(",")).map(String::strip).filter(s -> !s.isEmpty()).map(Integer::valueOf).toList();
    }
}
