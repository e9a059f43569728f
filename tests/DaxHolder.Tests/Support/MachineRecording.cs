using DaxHolder.Kernel;
using DaxHolder.Kernel.Trace;

namespace DaxHolder.Tests.Support;

/// <summary>The one way test machines slice off what an action decided and printed.</summary>
internal static class MachineRecording
{
    /// <summary>The decisions and log lines of one action, with pending signals delivered at its end (return to user space).</summary>
    public static (IReadOnlyList<Decision> Decisions, IReadOnlyList<string> Log) Record(this Machine machine, Action action)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(action);
        var decisions = machine.Trace.Mark;
        var log = machine.Kernel.Log.Mark;
        action();
        machine.DeliverPendingSignals();
        return (machine.Trace.Since(decisions), machine.Kernel.Log.Since(log).Select(l => l.Text).ToList());
    }
}
