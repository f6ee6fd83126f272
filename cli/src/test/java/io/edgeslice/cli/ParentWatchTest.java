package io.edgeslice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process started by {@link EdgeSliceProcess} ends with the JVM that started it, even when that
 * JVM is SIGKILLed and runs no shutdown hook: a killed demo or bench leaves no agents behind.
 */
class ParentWatchTest {
    @TempDir
    Path dir;

    /** The parent: starts an agent (of a broker that is not there, so it waits forever), prints its pid, sleeps. */
    public static void main(String[] args) throws Exception {
        EdgeSliceProcess agent = EdgeSliceProcess.agent("tcp://127.0.0.1:9", "orphan", Path.of(args[0], "cache"), Path.of(args[0], "agent.log"));
        System.out.println(agent.pid());
        Thread.sleep(TimeUnit.MINUTES.toMillis(5));
    }

    @Test
    void anAgentEndsWhenTheProcessThatStartedItIsKilled() throws Exception {
        List<String> cmd = EdgeSliceProcess.javaCommand(ParentWatchTest.class);
        cmd.add(dir.toString());
        Process parent = new ProcessBuilder(cmd).redirectError(dir.resolve("parent.log").toFile()).start();
        Optional<ProcessHandle> agent = Optional.empty();
        try {
            String line = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertThat(line).as("the agent's pid from the parent").isNotNull();
            agent = ProcessHandle.of(Long.parseLong(line.trim()));
            assertThat(agent).as("the agent is running").isPresent();
            Thread.sleep(1000); // the agent is up and watching

            parent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

            agent.get().onExit().get(20, TimeUnit.SECONDS);
            assertThat(agent.get().isAlive()).isFalse();
        } finally {
            parent.destroyForcibly();
            agent.ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
