namespace DaxHolder.Kernel.Modules;

/// <summary>
/// Runs a body (a scenario cell) on its own thread and watches the machine's plugin calls: a
/// call still running at its deadline is abandoned and reported as a <see cref="PluginFault"/>
/// of kind <see cref="PluginFaultKind.TimedOut"/>. .NET cannot stop a thread, so the abandoned
/// one is left to finish on its own: the machine is marked abandoned (every later call into or
/// out of a plugin stops it), its cancellation is signalled for a plugin that honours it, and
/// nothing reads the machine's state after that but what the caller took before.
/// </summary>
internal static class PluginWatchdog
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    /// <summary>The default deadline of one call into a plugin.</summary>
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Runs <paramref name="body"/>; returns normally, rethrows what it threw, or throws a
    /// timed-out <see cref="PluginFault"/> when a plugin call outlives <paramref name="deadline"/>.
    /// </summary>
    public static T Run<T>(PluginCalls calls, TimeSpan deadline, Func<T> body)
    {
        ArgumentNullException.ThrowIfNull(calls);
        ArgumentNullException.ThrowIfNull(body);
        T result = default!;
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? failure = null;
        var worker = new Thread(() =>
        {
            try
            {
                result = body();
            }
#pragma warning disable CA1031 // whatever the body throws is rethrown on the caller's thread
            catch (Exception e)
#pragma warning restore CA1031
            {
                failure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
            }
        }, maxStackSize: 64 << 20)
        {
            IsBackground = true,
            Name = "daxholder cell",
        };
        worker.Start();
        while (!worker.Join(Poll))
        {
            if (calls.Running is { } call && calls.RunningFor >= deadline)
            {
                calls.Abandon();
                throw new PluginFault(call.Module, call.Name, call.ArgumentText, PluginFaultKind.TimedOut,
                    $"did not return within {deadline.TotalSeconds:0.###} s (--plugin-timeout); the call was abandoned");
            }
        }

        failure?.Throw();
        return result;
    }
}
