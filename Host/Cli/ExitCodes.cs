namespace DaxHolder.Cli;

/// <summary>The exit codes of daxholder (README: "Exit codes").</summary>
public static class ExitCodes
{
    /// <summary>It ran, and every expectation and approval held.</summary>
    public const int Ok = 0;

    /// <summary>Decisions differ from the approved ones (check), or an inline expectation failed (run, check).</summary>
    public const int DecisionsDiffer = 1;

    /// <summary>Bad input or usage: a malformed scenario, an unknown command or option, a broken plugin, a file or folder that cannot be read or written.</summary>
    public const int BadInput = 2;

    /// <summary>A plugin faulted: it threw, ran past its deadline, or returned what the contract forbids.</summary>
    public const int PluginFault = 3;

    /// <summary>An internal error in DaxHolder itself: a bug to report.</summary>
    public const int InternalError = 4;

    /// <summary>Interrupted by SIGINT (Ctrl-C) or SIGTERM before it finished: 128 + SIGINT, as shells report it; nothing is left behind.</summary>
    public const int Interrupted = 130;
}
