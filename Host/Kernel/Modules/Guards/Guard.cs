using System.Diagnostics.CodeAnalysis;
using DaxHolder.Abstractions;

namespace DaxHolder.Kernel.Modules.Guards;

/// <summary>
/// A guarded plugin object (<see cref="ModuleGuard"/>): the plugin's own object, the plugin it
/// belongs to and the contract interface it is guarded as. Each contract interface has one
/// sealed guard class deriving from <see cref="Guard{T}"/>, which implements every member of
/// the interface, default members included, by forwarding through a <see cref="GuardCall"/>.
/// </summary>
internal abstract class Guard
{
    private protected Guard(object pluginObject, GuardScope scope, string contract)
    {
        PluginObject = pluginObject;
        Scope = scope;
        Contract = contract;
    }

    /// <summary>The plugin's object behind the guard.</summary>
    public object PluginObject { get; }

    /// <summary>Its plugin and the machine's plugin calls.</summary>
    public GuardScope Scope { get; }

    /// <summary>The contract interface's name, as calls and faults name it ("IFileOperations").</summary>
    public string Contract { get; }
}

/// <summary>The guard of one contract interface <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The contract interface.</typeparam>
internal abstract class Guard<T> : Guard
    where T : class
{
    private protected Guard(T target, GuardScope scope, string contract)
        : base(target, scope, contract) =>
        Target = target;

    /// <summary>
    /// The plugin's object as <typeparamref name="T"/>: calling through the interface runs the
    /// plugin's implementation of a default member if it has one and the interface's default otherwise.
    /// </summary>
    protected T Target { get; }

    /// <summary>A call of <paramref name="member"/> starts (a property reads as its name).</summary>
    protected GuardCall Enter(string member, params object?[] arguments) => GuardCall.Enter(this, member, arguments);

    /// <summary>
    /// A member that answers an errno: the call of <paramref name="member"/> with
    /// <paramref name="arguments"/> recorded, <paramref name="body"/> run on the plugin's object
    /// with <paramref name="state"/> (a static lambda, so nothing is captured per call), the errno
    /// checked against the contract, and an exception of the plugin's turned into a fault.
    /// </summary>
    protected Errno ErrnoCall<TState>(string member, TState state, Func<T, TState, Errno> body, params object?[] arguments)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var call = Enter(member, arguments);
        try
        {
            var result = body(Target, state);
            call.Returned();
            call.Check(ContractChecks.ErrnoViolation(result));
            return result;
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }

    /// <summary>Whether an exception is the plugin's, to become a fault, rather than the kernel model's own.</summary>
    protected static bool IsPlugins(Exception exception) => !ModuleGuard.IsKernels(exception);

    /// <summary>A guarded object handed back to its plugin as an argument: the plugin's own object.</summary>
    [return: NotNullIfNotNull(nameof(value))]
    protected static TArgument? ForPlugin<TArgument>(TArgument? value)
        where TArgument : class =>
        value is Guard g ? (TArgument)g.PluginObject : value;

    /// <summary>A contract object the plugin returned, guarded (null and the kernel's own objects stay as they are).</summary>
    [return: NotNullIfNotNull(nameof(value))]
    protected TResult? Guarded<TResult>(TResult? value)
        where TResult : class =>
        ModuleGuard.GuardResult(value, Scope);

    /// <summary>A contract object the plugin returned inside <see cref="ErrnoOr{T}"/>, guarded.</summary>
    protected ErrnoOr<TResult> Guarded<TResult>(ErrnoOr<TResult> value)
        where TResult : class =>
        value.IsOk ? ErrnoOr<TResult>.Ok(ModuleGuard.GuardResult(value.Value, Scope)) : value;

    /// <summary>A list of contract objects the plugin returned: a new array of each guarded (a list of the kernel's own stays as it is).</summary>
    [return: NotNullIfNotNull(nameof(values))]
    protected IReadOnlyList<TResult>? GuardedList<TResult>(IReadOnlyList<TResult>? values)
        where TResult : class
    {
        if (values is null || ModuleGuard.IsKernelObject(values))
        {
            return values;
        }

        var guarded = new TResult[values.Count];
        for (var i = 0; i < guarded.Length; i++)
        {
            guarded[i] = ModuleGuard.GuardResult(values[i], Scope);
        }

        return guarded;
    }
}
