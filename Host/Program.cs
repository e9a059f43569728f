using DaxHolder.Host.Cli;

return DaxHolderCli.Run(args, CliContext.FromProcess());
