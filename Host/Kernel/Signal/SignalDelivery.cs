using DaxHolder.Kernel.Mm.Tasks;
using DaxHolder.Kernel.Trace;
using DaxHolder.Kernel.Units;

namespace DaxHolder.Kernel.Signal;

/// <summary>
/// kernel/signal.c: sending the signals memory failure and faults raise, and their delivery when
/// a thread returns to user space. SIGBUS is a legacy signal: while one is pending for a thread, a
/// second is not queued (legacy_queue), so a handler runs once (xfstests tests/xfs/550, run 2).
/// </summary>
internal sealed class SignalDelivery(KernelContext kernel, Exit exit)
{
    /// <summary>Threads a signal was queued on since the last walk found them empty: when none, no thread has anything to deliver.</summary>
    private readonly HashSet<TaskStruct> queuedOn = new(ReferenceEqualityComparer.Instance);
    private List<(long CreationOrder, int Index, int Sequence, TaskStruct Thread)>? walkScratch;

    /// <summary>
    /// kernel/signal.c: force_sig_mceerr(code, addr, lsb) to <paramref name="thread"/> (current):
    /// a blocked or ignored SIGBUS is unblocked and reset to SIG_DFL (force_sig_info_to_task).
    /// </summary>
    public SignalQueueing ForceSigMceerr(TaskStruct thread, int code, UserAddress address, int lsb) =>
        Send(thread, Signals.SIGBUS, code, address, lsb, forced: true);

    /// <summary>kernel/signal.c: send_sig_mceerr(code, addr, lsb, t): to that thread, not forced (blockable, ignorable).</summary>
    public SignalQueueing SendSigMceerr(TaskStruct thread, int code, UserAddress address, int lsb) =>
        Send(thread, Signals.SIGBUS, code, address, lsb, forced: false);

    /// <summary>kernel/signal.c: force_sig_fault(SIGBUS, code, addr): lsb 0.</summary>
    public SignalQueueing ForceSigFault(TaskStruct thread, int code, UserAddress address) =>
        Send(thread, Signals.SIGBUS, code, address, 0, forced: true);

    /// <summary>arch/x86/mm/fault.c: bad_area_nosemaphore() -&gt; force_sig_fault(SIGSEGV, SEGV_MAPERR, addr): no VMA at the address.</summary>
    public SignalQueueing ForceSigSegv(TaskStruct thread, UserAddress address) =>
        Send(thread, Signals.SIGSEGV, Signals.SEGV_MAPERR, address, 0, forced: true);

    /// <summary>arch/x86/mm/fault.c: bad_area_access_error() -&gt; force_sig_fault(SIGSEGV, SEGV_ACCERR, addr): the VMA does not allow the access (access_error()).</summary>
    public SignalQueueing ForceSigSegvAccess(TaskStruct thread, UserAddress address) =>
        Send(thread, Signals.SIGSEGV, Signals.SEGV_ACCERR, address, 0, forced: true);

    /// <summary>kernel/signal.c: force_sig(SIGBUS): si_code SI_KERNEL, no address.</summary>
    public SignalQueueing ForceSig(TaskStruct thread, int signal) =>
        Send(thread, signal, Signals.SI_KERNEL, null, 0, forced: true);

    /// <summary>do_send_sig_info(SIGKILL, SEND_SIG_PRIV, t, PIDTYPE_PID): kills the whole process.</summary>
    public SignalQueueing SendSigkill(TaskStruct thread) =>
        Send(thread, Signals.SIGKILL, Signals.SI_KERNEL, null, 0, forced: true);

    /// <summary>
    /// Return to user space for every live thread, in process creation order: each pending,
    /// unblocked signal is delivered. SIGKILL and a default SIGBUS end the process; a SIGBUS
    /// with a handler runs it.
    /// </summary>
    public void DeliverPending(TaskList tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);

        // Only threads a signal was queued on can have one pending: visit those, in the walk's
        // order (live processes in creation order, each one's threads in order), instead of every
        // task. Delivery queues nothing new, so the result is the full walk's.
        if (queuedOn.Count == 0)
        {
            return;
        }

        // A list kept between walks (taken while in use); the sequence number keeps the set's
        // order among equal keys, as the stable sort this replaces did.
        var threads = walkScratch ?? [];
        walkScratch = null;
        threads.Clear();
        foreach (var t in queuedOn)
        {
            if (!t.Group.Exited)
            {
                threads.Add((t.Group.CreationOrder, IndexIn(t.Group, t), threads.Count, t));
            }
        }

        threads.Sort(static (a, b) =>
            a.CreationOrder != b.CreationOrder ? a.CreationOrder.CompareTo(b.CreationOrder)
            : a.Index != b.Index ? a.Index.CompareTo(b.Index)
            : a.Sequence.CompareTo(b.Sequence));
        foreach (var (_, _, _, thread) in threads)
        {
            DeliverPending(thread);
        }

        threads.Clear();
        walkScratch = threads;

        // Blocked signals stay pending: keep those threads for the next walk.
        queuedOn.RemoveWhere(t => t.Pending.Count == 0);
    }

    private static int IndexIn(ThreadGroup group, TaskStruct thread)
    {
        for (var i = 0; i < group.Threads.Count; i++)
        {
            if (ReferenceEquals(group.Threads[i], thread))
            {
                return i;
            }
        }

        return int.MaxValue;
    }

    /// <summary>get_signal() for one thread returning to user space.</summary>
    public void DeliverPending(TaskStruct thread)
    {
        ArgumentNullException.ThrowIfNull(thread);
        while (!thread.Exited && thread.Pending.FirstOrDefault(s => s.Signal == Signals.SIGKILL || !thread.SigbusBlocked) is { } signal)
        {
            thread.Pending.Remove(signal);
            if (signal.Signal == Signals.SIGKILL)
            {
                kernel.Trace.Add(new SignalDelivered(thread.Name, signal.Signal, "killed"));
                exit.DoGroupExit(thread.Group, "killed by SIGKILL");
                return;
            }

            if (signal.Signal == Signals.SIGSEGV)
            {
                // Scenarios give tasks a SIGBUS disposition only: SIGSEGV keeps SIG_DFL (core dump).
                kernel.Trace.Add(new SignalDelivered(thread.Name, signal.Signal, "killed (core dumped)"));
                exit.DoGroupExit(thread.Group, "killed by SIGSEGV");
                return;
            }

            switch (thread.Group.SigbusAction)
            {
                case SigbusAction.Handler:
                    kernel.Trace.Add(new SignalDelivered(thread.Name, signal.Signal, "handler ran"));
                    break;
                case SigbusAction.Ignore:
                    kernel.Trace.Add(new SignalDelivered(thread.Name, signal.Signal, "ignored"));
                    break;
                default:
                    kernel.Trace.Add(new SignalDelivered(thread.Name, signal.Signal, "killed (core dumped)"));
                    exit.DoGroupExit(thread.Group, "killed by SIGBUS");
                    return;
            }
        }
    }

    /// <summary>Whether <paramref name="signal"/> is already pending on the thread (legacy signals are not queued twice).</summary>
    private static bool HasPending(TaskStruct thread, int signal)
    {
        foreach (var pending in thread.Pending)
        {
            if (pending.Signal == signal)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Sends the signal and records it; answers what queueing did (a record is made only for a queued signal, which waits on the thread).</summary>
    private SignalQueueing Send(TaskStruct thread, int signal, int code, UserAddress? address, int lsb, bool forced)
    {
        ArgumentNullException.ThrowIfNull(thread);
        SignalQueueing queueing;
        if (thread.Exited)
        {
            queueing = SignalQueueing.NoSuchProcess;
        }
        else
        {
            if (forced && signal == Signals.SIGBUS && (thread.SigbusBlocked || thread.Group.SigbusAction == SigbusAction.Ignore))
            {
                // force_sig_info_to_task: unblock, and reset the action to SIG_DFL.
                thread.SigbusBlocked = false;
                thread.Group.SigbusAction = SigbusAction.Default;
            }

            if (signal == Signals.SIGBUS && !forced && thread.Group.SigbusAction == SigbusAction.Ignore && !thread.SigbusBlocked)
            {
                queueing = SignalQueueing.Ignored;
            }
            else if (HasPending(thread, signal))
            {
                queueing = SignalQueueing.AlreadyPending;
            }
            else
            {
                queueing = SignalQueueing.Queued;
            }
        }

        if (queueing == SignalQueueing.Queued)
        {
            thread.Pending.Add(new SignalRecord(thread.Name, signal, code, address, lsb, forced, queueing));
            queuedOn.Add(thread);
        }

        kernel.Trace.SignalSent(thread.Name, signal, code, address, lsb, forced, queueing);
        return queueing;
    }
}
