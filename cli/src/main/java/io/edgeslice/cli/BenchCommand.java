package io.edgeslice.cli;

import picocli.CommandLine.Command;

/** {@code edgeslice bench}: end-to-end harnesses measured on this machine. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "End-to-end benchmarks on this machine (see docs/benchmarks.md).",
        subcommands = {PipelineBenchCommand.class})
final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
