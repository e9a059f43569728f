using DaxHolder.Cli;

namespace DaxHolder.Tests.Support;

/// <summary>Runs daxholder in process with captured output, as if installed beside the test assembly.</summary>
public static class CliRun
{
    public static (int Exit, string Out, string Err) Run(params string[] args) => RunWith(null, args);

    public static (int Exit, string Out, string Err) RunWith(string? pluginsVariable, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = DaxHolderCli.Run(args, new CliContext(output, error, AppContext.BaseDirectory, pluginsVariable, IsTerminal: false));
        return (exit, output.ToString(), error.ToString());
    }
}
