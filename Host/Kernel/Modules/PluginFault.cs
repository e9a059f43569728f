namespace DaxHolder.Kernel.Modules;

/// <summary>How a call into a plugin failed.</summary>
internal enum PluginFaultKind
{
    /// <summary>The plugin threw.</summary>
    Threw,

    /// <summary>The call did not return before its deadline and was abandoned.</summary>
    TimedOut,

    /// <summary>The call returned something the contract does not allow.</summary>
    ContractViolation,
}

/// <summary>
/// A call into a plugin failed: it threw, ran past its deadline, or returned something the
/// contract forbids. It ends the scenario cell that made the call (what ran so far is kept);
/// it never ends the host. The message names the plugin, its version, the call with its
/// arguments, and what went wrong.
/// </summary>
internal sealed class PluginFault : Exception
{
    public PluginFault(ModuleIdentity module, string call, string arguments, PluginFaultKind kind, string detail, Exception? inner = null)
        : base($"{module} faulted in {call}({arguments}): {detail}", inner)
    {
        Module = module;
        Call = call;
        Arguments = arguments;
        Kind = kind;
        Detail = detail;
    }

    /// <summary>The plugin.</summary>
    public ModuleIdentity Module { get; }

    /// <summary>The call, as Interface.Member ("IDaxHolderOperations.NotifyFailure").</summary>
    public string Call { get; }

    /// <summary>The call's arguments as text.</summary>
    public string Arguments { get; }

    /// <summary>How it failed.</summary>
    public PluginFaultKind Kind { get; }

    /// <summary>What went wrong: the exception's type and message, the deadline, or the contract rule broken.</summary>
    public string Detail { get; }

    /// <summary>A fault for an exception the plugin threw.</summary>
    public static PluginFault Threw(ModuleIdentity module, string call, string arguments, Exception thrown) =>
        new(module, call, arguments, PluginFaultKind.Threw, $"{thrown.GetType().Name}: {thrown.Message}", thrown);
}
