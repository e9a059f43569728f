using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Kernel.Fs;
using DaxHolder.Kernel.Printk;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;

namespace DaxHolder.Kernel.Mm.MemoryFailure;

/// <summary>mm/memory-failure.c: unmapping and signalling the collected tasks (unmap_and_kill(), kill_procs(), kill_proc()).</summary>
internal sealed partial class MemoryFailureHandler
{
    /// <summary>The entries one unmap_and_kill() removed, reused page after page (the trace copies them).</summary>
    private readonly List<UnmappedEntry> unmapped = [];

    /// <summary>
    /// mm/memory-failure.c: unmap_and_kill(to_kill, pfn, mapping, index, flags): if anyone was
    /// collected, unmap the size-aligned file range (the largest collected mapping) from every
    /// process that maps it, COW copies excepted; then kill_procs. Nobody collected: nothing is
    /// unmapped.
    /// </summary>
    internal void UnmapAndKill(List<ToKill> toKill, Pfn pfn, AddressSpace mapping, PageIndex index, MfFlags flags)
    {
        ulong size = 0;
        foreach (var tk in toKill)
        {
            size = Math.Max(size, tk.SizeShift == 0 ? 0 : 1UL << tk.SizeShift);
        }

        if (size != 0)
        {
            var start = new FileOffset((index.Value << PageGeometry.PageShift) & ~(size - 1));
            Unmap.UnmapMappingRange(mapping, start, new ByteLength(size), evenCows: false, unmapped);
            kernel.Trace.RangeUnmapped(mapping.Host, start, new ByteLength(size), unmapped);
            unmapped.Clear();
        }

        KillProcs(toKill, forceKill: (flags & MfFlags.MustKill) != 0, pfn, flags);
    }

    /// <summary>
    /// mm/memory-failure.c: kill_procs(to_kill, forcekill, fail=false, pfn, flags): in list order,
    /// an -EFAULT entry gets "forcibly killing" and SIGKILL, any other kill_proc(); a failed send
    /// logs "Cannot send advisory machine check signal".
    /// </summary>
    private void KillProcs(List<ToKill> toKill, bool forceKill, Pfn pfn, MfFlags flags)
    {
        if (!forceKill)
        {
            return;
        }

        foreach (var tk in toKill)
        {
            if (tk.Address.IsEfault)
            {
                kernel.Log.Printk(KernelLogLevel.Err, $"Memory failure: {pfn}: forcibly killing {tk.Task.Comm}:{tk.Task.Tid} because of failure to unmap corrupted page");
                signals.SendSigkill(tk.Task);
            }
            else if (KillProc(tk, pfn, flags) < 0)
            {
                kernel.Log.Printk(KernelLogLevel.Err, $"Memory failure: {pfn}: Cannot send advisory machine check signal to {tk.Task.Comm}:{tk.Task.Tid}");
            }
        }
    }

    /// <summary>
    /// mm/memory-failure.c: kill_proc(tk, pfn, flags): log "Sending SIGBUS", then BUS_MCEERR_AR
    /// forced when MF_ACTION_REQUIRED and the task is current, else BUS_MCEERR_AO to that thread.
    /// si_addr is the task's address of the page; si_addr_lsb the mapping shift.
    /// </summary>
    private int KillProc(ToKill tk, Pfn pfn, MfFlags flags)
    {
        var t = tk.Task;
        SendingSigbusLine.Printk(kernel.Log, pfn, t.Comm, t.Tid);
        var queueing = (flags & MfFlags.ActionRequired) != 0 && ReferenceEquals(t, Current)
            ? signals.ForceSigMceerr(t, Signals.BUS_MCEERR_AR, tk.Address, tk.SizeShift)
            : signals.SendSigMceerr(t, Signals.BUS_MCEERR_AO, tk.Address, tk.SizeShift);
        if (queueing == SignalQueueing.NoSuchProcess)
        {
            var ret = Errno.ESRCH.ToReturnCode();
            kernel.Log.Printk(KernelLogLevel.Info, $"Memory failure: Error sending signal to {t.Comm}:{t.Tid}: {ret}");
            return ret;
        }

        return 0;
    }
}

/// <summary>mm/memory-failure.c: kill_proc()'s "Sending SIGBUS" line, printed at KERN_ERR once per page and task: kept as its values, formatted when read.</summary>
internal sealed class SendingSigbusLine : LogFormat
{
    private static readonly SendingSigbusLine Format = new();

    private SendingSigbusLine()
    {
    }

    public static void Printk(KernelLog log, Pfn pfn, string comm, int tid) =>
        log.Printk(KernelLogLevel.Err, Format, comm, pfn.Value, tid);

    public override string Render(string text, ulong number, int small) =>
        $"Memory failure: {new Pfn(number)}: Sending SIGBUS to {text}:{small} due to hardware memory corruption";
}
