using System.Diagnostics;

namespace DaxHolder.Kernel.Modules;

/// <summary>
/// The calls into plugins on one machine: which one is running and since when, so a watchdog
/// can see a call that does not return, and the cancellation a plugin may honour. Entering and
/// leaving a call costs two field writes; nested calls (a plugin calling the kernel, which calls
/// a plugin again) keep the outermost one's start.
/// </summary>
internal sealed class PluginCalls : IDisposable
{
    private readonly CancellationTokenSource cancellation = new();
    private int depth;
    private long startedAt;
    private PluginCall? running;
    private volatile bool abandoned;

    /// <summary>Cancelled once the machine's current call is abandoned; handed to plugins through IKernelServices.</summary>
    public CancellationToken Cancellation => cancellation.Token;

    /// <summary>Whether the machine was abandoned: any further call into or out of a plugin stops.</summary>
    public bool IsAbandoned => abandoned;

    /// <summary>The outermost call running now, or null.</summary>
    public PluginCall? Running => Volatile.Read(ref running);

    /// <summary>How long the outermost call has been running, or zero.</summary>
    public TimeSpan RunningFor =>
        Volatile.Read(ref running) is null ? TimeSpan.Zero : Stopwatch.GetElapsedTime(Volatile.Read(ref startedAt));

    /// <summary>
    /// A call starts; only the outermost one is recorded. <paramref name="member"/> is null for
    /// plugin code run outside a contract call, named by <paramref name="contractInterface"/> alone.
    /// </summary>
    public void Enter(ModuleIdentity module, string contractInterface, string? member, object?[]? arguments)
    {
        if (abandoned)
        {
            throw new OperationCanceledException("the machine was abandoned");
        }

        if (depth++ == 0)
        {
            Volatile.Write(ref startedAt, Stopwatch.GetTimestamp());
            Volatile.Write(ref running, new PluginCall(module, contractInterface, member, arguments));
        }
    }

    /// <summary>The call returned (or threw).</summary>
    public void Leave()
    {
        if (--depth == 0)
        {
            Volatile.Write(ref running, null);
        }
    }

    /// <inheritdoc />
    public void Dispose() => cancellation.Dispose();

    /// <summary>Gives up on the machine: the running call is cancelled and every later call stops.</summary>
    public void Abandon()
    {
        abandoned = true;
        cancellation.Cancel();
    }
}

/// <summary>A call into a plugin: whose, which member, with what. Its texts are made only when asked for.</summary>
/// <param name="Module">The plugin.</param>
/// <param name="Interface">The contract interface ("IDaxHolderOperations"), or what ran outside a contract call ("module init").</param>
/// <param name="Member">The member ("NotifyFailure"; a property by its name), or null outside a contract call.</param>
/// <param name="Arguments">The arguments as the kernel passed them, or null.</param>
internal sealed record PluginCall(ModuleIdentity Module, string Interface, string? Member, object?[]? Arguments)
{
    /// <summary>"IDaxHolderOperations.NotifyFailure"; for code run outside a contract call, what ran ("module init").</summary>
    public string Name => Member is null ? Interface : $"{Interface}.{Member}";

    /// <summary>The arguments as text, each shortened.</summary>
    public string ArgumentText => CallText.Arguments(Arguments);
}
