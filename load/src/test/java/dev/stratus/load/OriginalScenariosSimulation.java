package dev.stratus.load;

import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.feed;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.group;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.core.CoreDsl.uniformRandomSwitch;

import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * The original project's Locust test, rebuilt: two equally weighted tasks, {@code GET /} and
 * {@code POST /api/v1/predictions} with a 784-value digit, no think time, a closed population of
 * 10, then 25, then 50 concurrent users (the report's steps), then 1,000. Each step is a group in
 * the report ("10 users", ...). Any failed request fails the run.
 */
public class OriginalScenariosSimulation extends Simulation {

    private final LoadSettings settings = LoadSettings.fromSystemProperties();

    {
        setUp(StratusRequests.inSequence(settings.users().stream().map(this::step).toList()))
                .protocols(StratusRequests.protocol(settings))
                .assertions(global().failedRequests().count().is(0L));
    }

    /** {@code users} users, each doing one task and replaced at once when it is done, for the step's seconds. */
    private PopulationBuilder step(int users) {
        String name = users + " users";
        return scenario(name)
                .exec(group(name).on(uniformRandomSwitch().on(
                        exec(StratusRequests.page()),
                        feed(StratusRequests.digits()).exec(StratusRequests.predict()))))
                .injectClosed(constantConcurrentUsers(users).during(Duration.ofSeconds(settings.seconds())));
    }
}
