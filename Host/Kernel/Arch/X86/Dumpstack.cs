using DaxHolder.Abstractions.Kernel;
using DaxHolder.Kernel.Mm.Tasks;
using DaxHolder.Kernel.Trace;

namespace DaxHolder.Kernel.Arch.X86;

/// <summary>arch/x86/kernel/dumpstack.c: what an oops does to the machine and to current.</summary>
internal sealed class Dumpstack(KernelContext kernel, Exit exit)
{
    /// <summary>
    /// Runs <paramref name="body"/> as kernel code on behalf of <paramref name="current"/> (the
    /// injector, the task whose access machine-checked, the writer to sysfs; null for a kworker),
    /// with memory-failure's `current` set for its duration. An oops inside ends in
    /// <see cref="OopsEnd"/> for that task and the call gives <paramref name="afterOops"/>.
    /// </summary>
    public T RunAsCurrent<T>(Mm.MemoryFailure.MemoryFailureHandler memoryFailure, TaskStruct? current, Func<T> body, T afterOops)
    {
        ArgumentNullException.ThrowIfNull(body);
        return RunAsCurrent(memoryFailure, current, body, static b => b(), afterOops);
    }

    /// <summary>
    /// <see cref="RunAsCurrent{T}(Mm.MemoryFailure.MemoryFailureHandler, TaskStruct?, Func{T}, T)"/>
    /// with the body's arguments passed in <paramref name="state"/>, so that a static body
    /// captures nothing (a machine check runs this once per event).
    /// </summary>
    public T RunAsCurrent<TState, T>(Mm.MemoryFailure.MemoryFailureHandler memoryFailure, TaskStruct? current, TState state, Func<TState, T> body, T afterOops)
    {
        ArgumentNullException.ThrowIfNull(memoryFailure);
        ArgumentNullException.ThrowIfNull(body);
        memoryFailure.Current = current;
        kernel.CurrentPid = current?.Group.Pid;
        try
        {
            return body(state);
        }
        catch (KernelOops oops)
        {
            OopsEnd(oops, current);
            return afterOops;
        }
        finally
        {
            memoryFailure.Current = null;
            kernel.CurrentPid = null;
        }
    }

    /// <summary>
    /// oops_end() → make_task_dead(SIGKILL): the oops is printed, the kernel is tainted, and the
    /// task that was current dies; nobody is signalled by the code that crashed (as Debian's
    /// 6.12.95 was seen to do under QEMU). Only the BUG line is printed: the register dump and
    /// offsets of a real report are not modelled.
    /// </summary>
    public void OopsEnd(KernelOops oops, TaskStruct? current)
    {
        ArgumentNullException.ThrowIfNull(oops);
        kernel.Log.Printk(KernelLogLevel.Alert, oops.BugLine);
        kernel.Trace.Add(new KernelHealthEvent(KernelHealthKind.Oops, oops.BugLine, oops.CallChain));
        kernel.Tainted = true;
        if (current is { Group.Mm: not null })
        {
            exit.DoGroupExit(current.Group, "killed by an oops in the kernel");
            current.Group.DiedInKernel = true;
            kernel.Trace.Add(new SignalDelivered(current.Name, Signal.Signals.SIGKILL, "died in the oops (make_task_dead)"));
        }
    }
}
