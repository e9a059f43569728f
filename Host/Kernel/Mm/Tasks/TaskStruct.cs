using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;

namespace DaxHolder.Kernel.Mm.Tasks;

/// <summary>include/linux/sched.h: the per-thread PF_* flags the model uses.</summary>
[Flags]
internal enum TaskFlags : uint
{
    None = 0,

    /// <summary>PF_MCE_PROCESS: this thread has its own early/late-kill policy (mm/memory-failure.c: find_early_kill_thread()).</summary>
    McePolicy = 0x00000080,

    /// <summary>PF_MCE_EARLY: early kill (only meaningful with PF_MCE_PROCESS).</summary>
    MceEarly = 0x08000000,
}

/// <summary>What a thread group does with SIGBUS (its sighand, shared by all threads).</summary>
internal enum SigbusAction
{
    /// <summary>SIG_DFL: terminate with a core dump.</summary>
    Default,

    /// <summary>A handler is installed; delivery runs it.</summary>
    Handler,

    /// <summary>SIG_IGN.</summary>
    Ignore,
}

/// <summary>
/// include/linux/sched.h: struct task_struct, one thread. comm is cut to TASK_COMM_LEN-1 (15)
/// characters, as the kernel stores and prints it.
/// </summary>
internal sealed class TaskStruct
{
    /// <summary>TASK_COMM_LEN - 1.</summary>
    public const int CommLength = 15;

    internal TaskStruct(ThreadGroup group, int tid, string comm, TaskFlags flags)
    {
        Group = group;
        Tid = tid;
        Comm = comm.Length > CommLength ? comm[..CommLength] : comm;
        Flags = flags;
    }

    public ThreadGroup Group { get; }

    /// <summary>task->pid: the thread id; equal to the tgid for the leader.</summary>
    public int Tid { get; }

    public string Comm { get; }

    public TaskFlags Flags { get; set; }

    /// <summary>SIGBUS is in this thread's blocked mask.</summary>
    public bool SigbusBlocked { get; set; }

    /// <summary>Signals queued for this thread and not yet delivered, in the order queued.</summary>
    public List<SignalRecord> Pending { get; } = [];

    /// <summary>The thread has exited.</summary>
    public bool Exited { get; internal set; }

    public bool IsLeader => ReferenceEquals(Group.Leader, this);

    public TaskName Name => new(Comm, Group.Pid, Tid);

    public override string ToString() => Name.ToString();
}
