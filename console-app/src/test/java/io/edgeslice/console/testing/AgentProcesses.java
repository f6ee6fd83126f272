package io.edgeslice.console.testing;

import io.edgeslice.console.AgentLauncher;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts {@link TestAgent}s as separate processes from this JVM's class path, as the demo starts {@code edgeslice agent}. */
public final class AgentProcesses implements AgentLauncher {

    @Override
    public RunningAgent start(String broker, String name, Path cacheDir, Path log) throws IOException {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), TestAgent.class.getName(), broker, name,
                cacheDir.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new RunningAgent() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean isAlive() {
                return p.isAlive();
            }

            @Override
            public Path log() {
                return log;
            }

            @Override
            public void kill() throws InterruptedException {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }

            @Override
            public void close() {
                p.destroy();
                try {
                    if (!p.waitFor(5, TimeUnit.SECONDS)) {
                        kill();
                    }
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
        };
    }
}
