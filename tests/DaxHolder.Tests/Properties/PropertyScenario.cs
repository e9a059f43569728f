using System.Globalization;
using System.Text;

namespace DaxHolder.Tests.Properties;

/// <summary>The shipped filesystems and the mkfs options the properties cover.</summary>
public enum FsKind
{
    /// <summary>XFS, reflink=1,rmapbt=1 (notify_failure walks the rmapbt).</summary>
    XfsReflinkRmapbt,

    /// <summary>XFS, reflink=1,rmapbt=0 (no rmapbt: the generic path).</summary>
    XfsReflink,

    /// <summary>XFS, reflink=0,rmapbt=1.</summary>
    XfsRmapbt,

    /// <summary>XFS, reflink=0,rmapbt=0.</summary>
    XfsPlain,

    /// <summary>ext4 (the generic page->mapping path).</summary>
    Ext4,

    /// <summary>EROFS, flat files.</summary>
    Erofs,

    /// <summary>EROFS with chunksize=4096 (identical chunks stored once).</summary>
    ErofsChunks,
}

/// <summary>A file of whole pages: written data, a reflink copy of an earlier file, or (EROFS) named content.</summary>
internal sealed record PropFile(int Pages, int CloneOf, int Content);

/// <summary>A process: its early-kill policy (0 default, 1 early, 2 late) and SIGBUS action (0 handler, 1 default, 2 ignore).</summary>
internal sealed record PropTask(int EarlyKill, int Sigbus);

/// <summary>One mmap of a file range by a task; every index is taken modulo what exists, so any numbers are valid.</summary>
internal sealed record PropMap(int Task, int File, int FirstPage, int Pages, bool Shared);

/// <summary>A step after the mappings: a touch, munmap, exit, or an event.</summary>
internal abstract record PropAction;

internal sealed record TouchAction(int Map, int Page, int Pages, bool Write) : PropAction;

internal sealed record MunmapAction(int Map) : PropAction;

internal sealed record ExitAction(int Task) : PropAction;

internal sealed record MachineCheckAction(int File, int Page) : PropAction;

internal sealed record AccessMceAction(int Map, int Page, bool Write) : PropAction;

internal sealed record MadviseAction(int Map, int Page) : PropAction;

internal sealed record UnbindAction : PropAction;

/// <summary>
/// How tasks and files are called: the scenario's task names, comms, pids and file paths. The
/// metamorphic properties swap one naming for another; file names keep their length and sort
/// order (EROFS lays files out by name).
/// </summary>
internal sealed record Naming(string TaskPrefix, string CommPrefix, int FirstPid, int PidStep, char FileLetter)
{
    public static Naming Default { get; } = new("tsk", "cm", 1000, 1, 'f');

    public static Naming Renamed { get; } = new("job", "pr", 20011, 7, 'g');

    public string Task(int i) => $"{TaskPrefix}{i}";

    public string Comm(int i) => $"{CommPrefix}{i}";

    public int Pid(int i) => FirstPid + (i * PidStep);

    public string File(int i) => $"/{FileLetter}{i}";

    public static string Map(int i) => $"m{i}";
}

/// <summary>
/// A generated scenario: a valid scenario for any field values (indices wrap, lengths clamp),
/// written as the scenario language by <see cref="ToYaml"/>, which is what runs and what a
/// failing property prints.
/// </summary>
internal sealed record PropScenario(
    string Kernel,
    FsKind Fs,
    int EarlyKillSysctl,
    ulong Base,
    IReadOnlyList<PropFile> Files,
    IReadOnlyList<PropTask> Tasks,
    IReadOnlyList<PropMap> Maps,
    IReadOnlyList<PropAction> Actions)
{
    /// <summary>The device's physical bases the generator picks from (2 MiB-aligned, far from any file offset or user address).</summary>
    public static IReadOnlyList<ulong> Bases { get; } = [0x1_0000_0000, 0x4_4000_0000, 0x10_0020_0000];

    public const ulong DeviceSize = 1UL << 30;

    public Naming Naming { get; init; } = Naming.Default;

    /// <summary>A task with no mapping, spawned after the others (early-kill, so a wrong walk would pick it).</summary>
    public bool IdleTask { get; init; }

    public bool IsErofs => Fs is FsKind.Erofs or FsKind.ErofsChunks;

    /// <summary>The pid of the idle task.</summary>
    public const int IdlePid = 9999;

    public string ToYaml()
    {
        var y = new StringBuilder();
        y.Append("name: property\n");
        y.Append(CultureInfo.InvariantCulture, $"kernel: \"{Kernel}\"\n");
        y.Append(CultureInfo.InvariantCulture, $"sysctls: {{ vm: {{ memory_failure_early_kill: {EarlyKillSysctl}, memory_failure_recovery: 1 }} }}\n");
        y.Append(CultureInfo.InvariantCulture, $"device: {{ size: 1GiB, mode: fsdax, data-offset: 2MiB, base: 0x{Base:x} }}\n");
        var (type, mkfs) = Fs switch
        {
            FsKind.XfsReflinkRmapbt => ("xfs", "reflink=1,rmapbt=1"),
            FsKind.XfsReflink => ("xfs", "reflink=1,rmapbt=0"),
            FsKind.XfsRmapbt => ("xfs", "reflink=0,rmapbt=1"),
            FsKind.XfsPlain => ("xfs", "reflink=0,rmapbt=0"),
            FsKind.Ext4 => ("ext4", ""),
            FsKind.Erofs => ("erofs", ""),
            _ => ("erofs", "chunksize=4096"),
        };
        y.Append(CultureInfo.InvariantCulture, $"filesystem: {{ type: {type}, mkfs: \"{mkfs}\", mount: \"dax=always\" }}\n");
        y.Append("files:\n");
        for (var i = 0; i < Files.Count; i++)
        {
            var source = SourceOf(i);
            y.Append(source != i
                ? $"  - {{ path: {Naming.File(i)}, clone-of: {Naming.File(source)}, fallback: copy }}\n"
                : $"  - {{ path: {Naming.File(i)}, size: {PagesOf(i) * 4}KiB{(IsErofs && Files[i].Content % 3 != 0 ? $", content: {(char)('A' + (Files[i].Content % 3))}" : "")} }}\n");
        }

        y.Append("steps:\n");
        for (var t = 0; t < Tasks.Count; t++)
        {
            var task = Tasks[t];
            var early = (task.EarlyKill % 3) switch { 1 => "early", 2 => "late", _ => "default" };
            var sigbus = (task.Sigbus % 3) switch { 1 => "default", 2 => "ignore", _ => "handler" };
            y.Append(CultureInfo.InvariantCulture, $"  - spawn: {{ task: {Naming.Task(t)}, comm: {Naming.Comm(t)}, pid: {Naming.Pid(t)}, early-kill: {early}, sigbus: {sigbus} }}\n");
        }

        if (IdleTask)
        {
            y.Append(CultureInfo.InvariantCulture, $"  - spawn: {{ task: idle, comm: idle, pid: {IdlePid}, early-kill: early, sigbus: handler }}\n");
        }

        for (var m = 0; m < Maps.Count; m++)
        {
            var (task, file, first, pages) = MapOf(m);
            var shared = Maps[m].Shared || IsErofs ? "shared" : "private";
            y.Append(CultureInfo.InvariantCulture, $"  - mmap: {{ task: {Naming.Task(task)}, as: {Naming.Map(m)}, file: {Naming.File(file)}, offset: {first * 4}KiB, length: {pages * 4}KiB, type: {shared}, pmd: false }}\n");
        }

        foreach (var action in Actions)
        {
            y.Append("  - ").Append(Step(action)).Append('\n');
            if (action is UnbindAction)
            {
                break;  // the device is gone: a later target by file would be a scenario error (-EIO)
            }
        }

        return y.ToString();
    }

    public override string ToString() => ToYaml();

    /// <summary>The file a file's data comes from: itself, or (not EROFS) an earlier file it is a reflink copy of.</summary>
    public int SourceOf(int file)
    {
        var clone = Files[file].CloneOf;
        return IsErofs || clone <= 0 || file == 0 ? file : SourceOf(file - 1 - ((clone - 1) % file));
    }

    public int PagesOf(int file) => 1 + (Files[SourceOf(file)].Pages % 8);

    /// <summary>A mapping's task, file, first page and page count, wrapped into range.</summary>
    public (int Task, int File, int FirstPage, int Pages) MapOf(int m)
    {
        var map = Maps[m];
        var file = map.File % Files.Count;
        var filePages = PagesOf(file);
        var first = map.FirstPage % filePages;
        return (map.Task % Tasks.Count, file, first, 1 + (map.Pages % (filePages - first)));
    }

    private string Step(PropAction action)
    {
        switch (action)
        {
            case TouchAction t when Maps.Count > 0:
                {
                    var (task, _, _, pages) = MapOf(t.Map % Maps.Count);
                    var page = t.Page % pages;
                    var length = 1 + (t.Pages % (pages - page));
                    return $"touch: {{ task: {Naming.Task(task)}, map: {Naming.Map(t.Map % Maps.Count)}, offset: {page * 4}KiB, length: {length * 4}KiB, access: {(t.Write && !IsErofs ? "write" : "read")} }}";
                }

            case MunmapAction u when Maps.Count > 0:
                return $"munmap: {{ task: {Naming.Task(MapOf(u.Map % Maps.Count).Task)}, map: {Naming.Map(u.Map % Maps.Count)} }}";
            case ExitAction e:
                return $"exit: {{ task: {Naming.Task(e.Task % Tasks.Count)} }}";
            case AccessMceAction a when Maps.Count > 0:
                {
                    var (task, _, _, pages) = MapOf(a.Map % Maps.Count);
                    return $"access-mce: {{ task: {Naming.Task(task)}, map: {Naming.Map(a.Map % Maps.Count)}, offset: {(a.Page % pages) * 4}KiB, access: {(a.Write && !IsErofs ? "write" : "read")} }}";
                }

            case MadviseAction a when Maps.Count > 0:
                {
                    var (task, _, _, pages) = MapOf(a.Map % Maps.Count);
                    return $"madvise-hwpoison: {{ task: {Naming.Task(task)}, map: {Naming.Map(a.Map % Maps.Count)}, offset: {(a.Page % pages) * 4}KiB, length: 4KiB }}";
                }

            case UnbindAction:
                return "unbind:";
            case MachineCheckAction mc:
            default:
                {
                    var (file, page) = action is MachineCheckAction c ? (c.File % Files.Count, c.Page) : (0, 0);
                    return $"machine-check: {{ target: {{ file: {Naming.File(file)}, offset: {(page % PagesOf(file)) * 4}KiB }} }}";
                }
        }
    }
}
