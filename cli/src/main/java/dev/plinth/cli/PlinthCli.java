package dev.plinth.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code main}: dispatches to the subcommands. */
@Command(name = "plinth", mixinStandardHelpOptions = true, version = "plinth 0.1.0",
        description = "Plinth: identity, tenancy, context and routing decided by policy from control-plane data.",
        subcommands = {RunCommand.class, TokenCommand.class, StopCommand.class, ContractCommand.class})
public final class PlinthCli implements Runnable {

    public static void main(String[] args) {
        System.exit(new CommandLine(new PlinthCli()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
