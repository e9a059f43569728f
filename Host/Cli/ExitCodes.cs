namespace DaxHolder.Cli;

/// <summary>The exit codes of daxholder.</summary>
public static class ExitCodes
{
    /// <summary>Everything worked.</summary>
    public const int Ok = 0;

    /// <summary>Decisions differ from the approved ones (check).</summary>
    public const int DecisionsDiffer = 1;

    /// <summary>Bad input or usage: a malformed scenario, an unknown option, a broken plugin.</summary>
    public const int BadInput = 2;
}
