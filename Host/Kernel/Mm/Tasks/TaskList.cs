namespace DaxHolder.Kernel.Mm.Tasks;

/// <summary>
/// kernel/fork.c and the task list: the processes of one machine in creation order, as
/// for_each_process() walks them (mm/memory-failure.c: collect_procs_fsdax()), and the threads of
/// each.
/// </summary>
internal sealed class TaskList
{
    private readonly List<ThreadGroup> processes = [];
    private readonly Dictionary<int, TaskStruct> byTid = [];
    private long created;

    /// <summary>Live processes with an mm and kernel threads alike, in creation order.</summary>
    public IEnumerable<ThreadGroup> Processes => processes.Where(p => !p.Exited);

    /// <summary>Every process ever created, exited or not.</summary>
    public IReadOnlyList<ThreadGroup> AllProcesses => processes;

    /// <summary>The kernel worker that runs asynchronous memory-failure work (current has no mm).</summary>
    public TaskStruct Kworker { get; }

    public TaskList() => Kworker = NewProcess(2, "kworker/0:1", mm: false);

    /// <summary>A new process (fork+exec of a fresh program): its leader thread and an empty mm.</summary>
    public TaskStruct Spawn(int pid, string comm) => NewProcess(pid, comm, mm: true);

    /// <summary>clone(CLONE_THREAD): a thread sharing the group's mm, inheriting the creator's PF_MCE flags.</summary>
    public TaskStruct CloneThread(TaskStruct creator, int tid, string? comm = null)
    {
        ArgumentNullException.ThrowIfNull(creator);
        EnsureFree(tid);
        var thread = new TaskStruct(creator.Group, tid, comm ?? creator.Comm, creator.Flags & (TaskFlags.McePolicy | TaskFlags.MceEarly));
        creator.Group.AddThread(thread);
        byTid.Add(tid, thread);
        return thread;
    }

    /// <summary>fork(): a new process whose leader inherits the parent thread's comm and PF_MCE flags.</summary>
    public TaskStruct ForkProcess(TaskStruct parent, int pid, string? comm = null)
    {
        ArgumentNullException.ThrowIfNull(parent);
        var child = NewProcess(pid, comm ?? parent.Comm, mm: true);
        child.Flags = parent.Flags & (TaskFlags.McePolicy | TaskFlags.MceEarly);
        child.Group.SigbusAction = parent.Group.SigbusAction;
        return child;
    }

    /// <summary>The thread with tid <paramref name="tid"/>, live or exited.</summary>
    public TaskStruct? FindThread(int tid) => byTid.GetValueOrDefault(tid);

    private TaskStruct NewProcess(int pid, string comm, bool mm)
    {
        EnsureFree(pid);
        var group = new ThreadGroup(pid, null, created++);
        if (mm)
        {
            group.Mm = new MmStruct(pid) { Owner = group };
        }

        var leader = new TaskStruct(group, pid, comm, TaskFlags.None);
        group.AddThread(leader);
        byTid.Add(pid, leader);
        processes.Add(group);
        return leader;
    }

    private void EnsureFree(int tid)
    {
        if (tid <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(tid), tid, "pids are positive");
        }

        if (FindThread(tid) is not null)
        {
            throw new InvalidOperationException($"pid {tid} is already in use");
        }
    }
}
