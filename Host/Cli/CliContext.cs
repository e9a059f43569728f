namespace DaxHolder.Cli;

/// <summary>What a CLI run talks to: its output streams and the environment it reads.</summary>
/// <param name="Output">Standard output.</param>
/// <param name="Error">Standard error.</param>
/// <param name="HostDirectory">Where daxholder lives; its <c>plugins/</c> folder is searched first.</param>
/// <param name="PluginsVariable">The value of DAXHOLDER_PLUGINS, or null.</param>
/// <param name="IsTerminal">Whether output goes to a terminal (tables use its width).</param>
public sealed record CliContext(TextWriter Output, TextWriter Error, string HostDirectory, string? PluginsVariable, bool IsTerminal)
{
    /// <summary>The real console and process environment.</summary>
    public static CliContext FromProcess() => new(
        Console.Out,
        Console.Error,
        AppContext.BaseDirectory,
        Environment.GetEnvironmentVariable(Scenarios.Running.PluginSet.EnvironmentVariable),
        !Console.IsOutputRedirected)
    {
        CiVariable = Environment.GetEnvironmentVariable("CI"),
        IsErrorTerminal = !Console.IsErrorRedirected,
        ExitsAfterCommand = true,
    };

    /// <summary>
    /// Whether the process ends with the command (the real CLI): its plugins are then loaded for
    /// good, not into collectible contexts, so their ReadyToRun code and tiered compilation are
    /// used. A host that runs many commands in one process (the tests) leaves it false.
    /// </summary>
    public bool ExitsAfterCommand { get; init; }

    /// <summary>Whether standard error goes to a terminal: only then is progress shown (on standard error).</summary>
    public bool IsErrorTerminal { get; init; }

    /// <summary>The value of CI, or null: when it says true, check --accept is refused.</summary>
    public string? CiVariable { get; init; }
}
