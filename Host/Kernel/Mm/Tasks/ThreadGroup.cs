namespace DaxHolder.Kernel.Mm.Tasks;

/// <summary>
/// A process: a thread group with its leader, its threads in creation order, its mm and its
/// SIGBUS disposition. for_each_process() walks these leaders in creation order.
/// </summary>
internal sealed class ThreadGroup
{
    private readonly List<TaskStruct> threads = [];

    internal ThreadGroup(int pid, MmStruct? mm, long creationOrder)
    {
        Pid = pid;
        Mm = mm;
        CreationOrder = creationOrder;
    }

    /// <summary>The tgid.</summary>
    public int Pid { get; }

    /// <summary>task->mm; null for kernel threads, which memory_failure never signals.</summary>
    public MmStruct? Mm { get; internal set; }

    public long CreationOrder { get; }

    public TaskStruct Leader => threads[0];

    /// <summary>Live threads, leader first, then in creation order (for_each_thread).</summary>
    public IReadOnlyList<TaskStruct> Threads => threads;

    public SigbusAction SigbusAction { get; set; } = SigbusAction.Handler;

    /// <summary>task-&gt;files: the process's open files.</summary>
    public Fs.FdTable Files { get; internal set; } = new();

    public bool Exited { get; internal set; }

    /// <summary>How the process ended, when it has.</summary>
    public string? ExitReason { get; internal set; }

    /// <summary>
    /// The process died inside the kernel, in an oops while it was current (make_task_dead(SIGKILL)):
    /// the system call it was in never returned, and a shell shows exit status 137 (128 + SIGKILL).
    /// </summary>
    public bool DiedInKernel { get; internal set; }

    internal void AddThread(TaskStruct thread) => threads.Add(thread);

    internal TaskStruct? FindThread(int tid) => threads.FirstOrDefault(t => t.Tid == tid);
}
