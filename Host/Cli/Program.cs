using DaxHolder.Cli;

return DaxHolderCli.Run(args, CliContext.FromProcess());
