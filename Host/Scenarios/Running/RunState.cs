using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel;
using DaxHolder.Kernel.Drivers.Dax;
using DaxHolder.Kernel.Drivers.Nvdimm;
using DaxHolder.Kernel.Fs;
using DaxHolder.Kernel.Mm.Tasks;
using DaxHolder.Kernel.Units;
using DaxHolder.Scenarios.Language;

namespace DaxHolder.Scenarios.Running;

/// <summary>A named mapping: where its creator mapped it and how long it is.</summary>
internal sealed record NamedMapping(string Name, UserAddress Start, ulong Length);

/// <summary>A step that could not run in this cell (its task exited, its mapping is gone): said, not failed.</summary>
internal sealed class StepNotRunException(string why) : Exception(why)
{
    public StepNotRunException()
        : this("not run")
    {
    }

    public StepNotRunException(string message, Exception inner)
        : this(message + ": " + inner.Message)
    {
    }
}

/// <summary>
/// The machine one scenario cell runs on and what the scenario's names refer to: tasks by name,
/// mappings by name, the pmem (or devdax) namespace and the mounted filesystem.
/// </summary>
internal sealed class RunState(Scenario scenario, Machine machine, FileSystemTypeEntry? type)
{
    private readonly Dictionary<string, TaskStruct> tasks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NamedMapping> maps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (TaskStruct Task, int Fd)> fds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SeenPfns> seen = new(StringComparer.Ordinal);

    public Scenario Scenario { get; } = scenario;

    public Machine Machine { get; } = machine;

    /// <summary>The registered (guarded) filesystem type the scenario names, and its plugin.</summary>
    public FileSystemTypeEntry? Type { get; } = type;

    /// <summary>The name of the plugin providing the filesystem, as reports give it.</summary>
    public string? Plugin => Type?.Scope.Module.Name;

    public PmemDevice? Pmem { get; set; }

    public DeviceDax? Devdax { get; set; }

    public IFileSystemImage? Image { get; set; }

    public Mount? Mount { get; set; }

    /// <summary>The mount options in force: the scenario's, until a mount step gives others.</summary>
    public FsOptions? MountOptions { get; set; }

    public void AddTask(string name, TaskStruct task) => tasks.Add(name, task);

    /// <summary>The scenario's tasks by name, in the order they were created.</summary>
    public IEnumerable<KeyValuePair<string, TaskStruct>> Tasks => tasks;

    /// <summary>A task's open file, named by the open step.</summary>
    public void AddFd(string name, TaskStruct task, int fd) => fds[name] = (task, fd);

    /// <summary>The fd a task opened under <paramref name="name"/>, or why the step cannot run.</summary>
    public int Fd(TaskStruct task, string name) =>
        fds.TryGetValue(name, out var held) ? (ReferenceEquals(held.Task.Group, task.Group) ? held.Fd : throw new StepNotRunException($"{name} was opened by {held.Task}, not {task}"))
        : throw new StepNotRunException($"{name} was not opened");

    /// <summary>The pfns a named mapping saw (recorded by touches and accesses).</summary>
    public SeenPfns Seen(string map) => seen.TryGetValue(map, out var s) ? s : seen[map] = new SeenPfns();

    public void AddMap(NamedMapping map) => maps.Add(map.Name, map);

    /// <summary>The scenario's task by name, if it was created in this cell.</summary>
    public TaskStruct? FindTask(string name) => tasks.GetValueOrDefault(name);

    /// <summary>A live task by name, or the reason the step cannot run.</summary>
    public TaskStruct Task(string name)
    {
        var task = tasks.GetValueOrDefault(name) ?? throw new StepNotRunException($"task {name} was not created");
        return task.Exited || task.Group.Exited
            ? throw new StepNotRunException($"{name} ({task.Name}) has exited{(task.Group.ExitReason is { } why ? $": {why}" : "")}")
            : task;
    }

    /// <summary>The mapping by name as <paramref name="task"/> has it (its own, or inherited by fork), or why the step cannot run.</summary>
    public (NamedMapping Map, Kernel.Mm.VmArea Vma) Map(TaskStruct task, string name)
    {
        var map = maps.GetValueOrDefault(name) ?? throw new StepNotRunException($"mapping {name} was not created");
        var vma = task.Group.Mm?.FindVma(map.Start);
        return vma is null ? throw new StepNotRunException($"{task} has no mapping {name} at {map.Start}") : (map, vma);
    }

    /// <summary>The mounted filesystem, or why the step cannot run.</summary>
    public Mount RequireMount() => Mount ?? throw new StepNotRunException("the filesystem is not mounted");
}
