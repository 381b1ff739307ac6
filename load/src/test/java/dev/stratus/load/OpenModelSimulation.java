package dev.stratus.load;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.feed;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.group;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * Predictions at constant arrival rates, one step per rate ({@code -Drates=}), each a group in the
 * report ("1000/s"). Open model: a new request starts on schedule whether or not the earlier ones
 * have been answered, so a slow server cannot slow the load down and hide its own queueing. The
 * run fails when more than {@code -DmaxErrorPercent} of the requests fail: raise the rates until it
 * does to find saturation.
 */
public class OpenModelSimulation extends Simulation {

    private final LoadSettings settings = LoadSettings.fromSystemProperties();

    {
        setUp(StratusRequests.inSequence(settings.rates().stream().map(this::step).toList()))
                .protocols(StratusRequests.protocol(settings))
                .assertions(global().failedRequests().percent().lte(settings.maxErrorPercent()));
    }

    private PopulationBuilder step(int rate) {
        String name = rate + "/s";
        return scenario(name)
                .exec(group(name).on(feed(StratusRequests.digits()).exec(StratusRequests.predict())))
                .injectOpen(constantUsersPerSec(rate).during(Duration.ofSeconds(settings.seconds())));
    }
}
