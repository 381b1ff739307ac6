package dev.stratus.containers;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/** What every Stratus image must be, checked on the built image rather than on its Dockerfile. */
public final class ImagePolicy {
    private static final Pattern NUMERIC_NON_ROOT = Pattern.compile("[1-9][0-9]*(:[1-9][0-9]*)?");
    private final Podman podman;

    public ImagePolicy(Podman podman) {
        this.podman = podman;
    }

    /** The image exists and runs as a numeric non-root user (what Kubernetes' runAsNonRoot can verify). */
    public void requireNonRootUser(String image) {
        Podman.Result user = podman.run(Duration.ofSeconds(30), "image", "inspect", "--format", "{{.Config.User}}", image);
        if (!user.ok()) {
            throw new ContainerFailure("image " + image + " does not exist: " + user.output().strip());
        }
        String value = user.output().strip();
        if (!NUMERIC_NON_ROOT.matcher(value).matches()) {
            throw new ContainerFailure("image " + image + " runs as user '" + (value.isEmpty() ? "root (no USER)" : value)
                    + "'; it must be a numeric non-root USER (10001:10001) for runAsNonRoot");
        }
    }

    /** No file in {@code directory} of the image has a name matching {@code forbidden}. */
    public void requireNone(String image, String directory, Pattern forbidden) {
        String listing = podman.run(Duration.ofSeconds(60), "run", "--rm", "--network", "none", "--entrypoint", "ls",
                image, "-1", directory).orThrow();
        List<String> found = listing.lines().filter(file -> forbidden.matcher(file).find()).toList();
        if (!found.isEmpty()) {
            throw new ContainerFailure("image " + image + " carries " + found + " in " + directory
                    + "; it must not contain " + forbidden.pattern());
        }
        if (listing.isBlank()) {
            throw new ContainerFailure("image " + image + " has nothing in " + directory);
        }
    }
}
