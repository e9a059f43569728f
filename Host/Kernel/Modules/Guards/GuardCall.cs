namespace DaxHolder.Kernel.Modules.Guards;

/// <summary>
/// One call through a guard, from entry to return. A guard member reads:
/// <code>
/// using var call = Enter(nameof(Read), inode, position, length);
/// try
/// {
///     var result = Target.Read(inode, position, length);
///     call.Returned();
///     call.Check(ContractChecks.ErrnoViolation(result.Error));
///     return result;
/// }
/// catch (Exception e) when (IsPlugins(e))
/// {
///     throw call.Threw(e);
/// }
/// </code>
/// Entering records the call with <see cref="PluginCalls"/> (for the watchdog); disposing
/// leaves it. The names and the argument text are only formatted for a fault.
/// </summary>
internal readonly struct GuardCall : IDisposable
{
    private readonly Guard guard;
    private readonly string member;
    private readonly object?[] arguments;

    private GuardCall(Guard guard, string member, object?[] arguments)
    {
        this.guard = guard;
        this.member = member;
        this.arguments = arguments;
    }

    /// <summary>Records the call; throws <see cref="OperationCanceledException"/> if the machine was abandoned.</summary>
    public static GuardCall Enter(Guard guard, string member, object?[] arguments)
    {
        guard.Scope.Calls.Enter(guard.Scope.Module, guard.Contract, member, arguments);
        return new GuardCall(guard, member, arguments);
    }

    /// <summary>The plugin returned: if the machine was abandoned meanwhile (the watchdog gave up on the call), nothing more runs.</summary>
    public void Returned()
    {
        if (guard.Scope.Calls.IsAbandoned)
        {
            throw new OperationCanceledException("the machine was abandoned at its plugin call's deadline");
        }
    }

    /// <summary>A contract violation (<see cref="ContractChecks"/>) found in what the plugin returned, if any, is a fault.</summary>
    public void Check(string? violation)
    {
        if (violation is not null)
        {
            throw Fault(PluginFaultKind.ContractViolation, violation);
        }
    }

    /// <summary>The fault for an exception the plugin threw.</summary>
    public PluginFault Threw(Exception exception) =>
        Fault(PluginFaultKind.Threw, $"{exception.GetType().Name}: {exception.Message}", exception);

    /// <summary>The call is over (returned or threw).</summary>
    public void Dispose() => guard.Scope.Calls.Leave();

    private PluginFault Fault(PluginFaultKind kind, string detail, Exception? inner = null) =>
        new(guard.Scope.Module, $"{guard.Contract}.{member}", CallText.Arguments(arguments), kind, detail, inner);
}
