package dev.ecsmigrate.verdict;

import java.util.List;

/** How to find the container whose exit code decides a migration. */
public sealed interface MigrationContainer {

    /** The container is named: by the runner's configuration (ContainerName), or by the run. */
    record Named(String name) implements MigrationContainer {

        public Named {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("a named container needs a name");
            }
        }
    }

    /** No name: the only essential container of the task definition decides, and a sidecar never does. */
    record Essentials(List<String> names) implements MigrationContainer {

        public Essentials {
            names = List.copyOf(names);
        }
    }
}
