package io.edgeslice.cli;

import io.edgeslice.cli.slicing.AnalyzeCommand;
import io.edgeslice.cli.slicing.PlanCommand;
import io.edgeslice.cli.slicing.ProfileCommand;
import io.edgeslice.cli.slicing.SliceCommand;
import io.edgeslice.cli.slicing.VerifyCommand;
import io.edgeslice.slicer.OrtNatives;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code edgeslice} command: one entry point for every role and tool. */
@Command(name = "edgeslice", mixinStandardHelpOptions = true, version = "EdgeSlice 0.1.0",
        description = "Sliced deep-learning inference across a fleet of edge devices.",
        subcommands = {BrokerCommand.class, AgentCommand.class, SubmitCommand.class, TopCommand.class, DemoCommand.class, ConsoleCommand.class,
                DeployCommand.class, RoutesCommand.class, UndeployCommand.class, BenchCommand.class,
                AnalyzeCommand.class, SliceCommand.class, VerifyCommand.class, ProfileCommand.class, PlanCommand.class,
                CommandLine.HelpCommand.class})
public final class EdgeSliceCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        OrtNatives.useCache(); // before anything loads ONNX Runtime
        ParentWatch.start();
        System.exit(commandLine().execute(args));
    }

    /** The command line with EdgeSlice's error handling: bad input prints one line and exits 2. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new EdgeSliceCommand());
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (System.getenv("EDGESLICE_DEBUG") != null) {
                e.printStackTrace(commandLine.getErr());
            }
            return e instanceof IllegalArgumentException || e instanceof java.io.IOException ? 2 : 1;
        });
        return cl;
    }
}
