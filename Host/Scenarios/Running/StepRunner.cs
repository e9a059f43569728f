using System.Globalization;
using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel.Arch.X86;
using DaxHolder.Kernel.Fs;
using DaxHolder.Kernel.Mm;
using DaxHolder.Kernel.Mm.Tasks;
using DaxHolder.Kernel.Units;
using DaxHolder.Scenarios.Language;
using DaxHolder.Scenarios.Reports;

namespace DaxHolder.Scenarios.Running;

/// <summary>
/// Runs one step on a cell's machine, as the process or administrator the step names would:
/// tasks (spawn, fork, set, exit), mappings (mmap, munmap, touch), file syscalls, caches; the
/// events live in StepRunner.Events.cs. Returns what was done and its result.
/// </summary>
internal sealed partial class StepRunner(RunState state)
{
    private Kernel.Machine Machine => state.Machine;

    public (string What, StepResult Result) Run(Step step) => step switch
    {
        SpawnStep s => Spawn(s),
        ForkStep f => Fork(f),
        SetTaskStep s => Set(s),
        ExitStep e => Exit(e),
        MmapStep m => Mmap(m),
        MunmapStep m => Munmap(m),
        TouchStep t => Touch(t),
        FileIoStep io => ($"{io.Kind} {io.File} {Sz(io.Offset.Value)}+{Sz(io.Length.Value)}", StepResult.Of(FileIo.ReadWrite(state.RequireMount(), io.File, io.Offset, io.Length, io.Write))),
        FileChangeStep c => FileChange(c),
        CacheStep c => Cache(c),
        MadviseStep m => Madvise(m),
        PoisonStep p => Poison(p),
        AccessMceStep a => AccessMce(a),
        UnbindStep u => Unbind(u),
        SkippedStep s => (s.Kind, new StepResult("skipped", $": {s.Why}")),
        _ => RunFileStep(step),
    };

    private (string What, StepResult Result) RunFileStep(Step step) => state.Mount is null && LooksUp(step) is { } path
        ? ($"{step.Kind} {path}", StepResult.Of(Errno.ENOENT, "not mounted: the path is looked up in the empty mount point"))
        : step switch
    {
        PathStep { Operation: "mkdir" } p => ($"mkdir {p.Path}", StepResult.Of(state.RequireMount().FileSystem.Files.Mkdir(p.Path))),
        PathStep { Operation: "readdir" } p => ReadDir(p),
        PathStep p => Stat(p),
        CreateStep c => Create(c),
        ChattrStep c => Chattr(c),
        OpenStep o => Open(o),
        CloseStep c => Close(c),
        FsyncStep f => Fsync(f),
        SyncStep => ("sync", new StepResult("0", $" ({Machine.Sync.SyncAll()})")),
        UmountStep u => Umount(u),
        MountStep m => MountAgain(m),
        CloneStep c => Clone(c),
        _ => throw new InvalidOperationException($"no runner for {step.Kind}"),
    };

    private (string, StepResult) Spawn(SpawnStep s)
    {
        var task = Machine.Tasks.Spawn(s.Pid, s.Comm);
        task.Group.SigbusAction = s.Sigbus;
        state.AddTask(s.Task, task);
        if (s.EarlyKill is { } policy)
        {
            Prctl.MceKill(task, Prctl.PR_MCE_KILL_SET, (long)policy);
        }

        foreach (var thread in s.Threads)
        {
            state.AddTask(thread.Name, Machine.Tasks.CloneThread(task, thread.Tid));
        }

        var threads = s.Threads.Count == 0 ? "" : $" with threads {string.Join(", ", s.Threads.Select(t => t.Tid))}";
        return ($"{s.Task} = {task}{threads}, SIGBUS {Disposition(s.Sigbus)}{Policy(s.EarlyKill)}", StepResult.Ok);
    }

    private (string, StepResult) Fork(ForkStep f)
    {
        var parent = state.Task(f.Parent);
        var child = Machine.Fork(parent, f.Pid, f.Comm);
        if (f.Sigbus is { } action)
        {
            child.Group.SigbusAction = action;
        }

        state.AddTask(f.Child, child);
        return ($"{f.Parent} ({parent}) forks {f.Child} = {child}{(f.Sigbus is { } a ? $", SIGBUS {Disposition(a)}" : "")}", StepResult.Ok);
    }

    private (string, StepResult) Set(SetTaskStep s)
    {
        var task = state.Task(s.Task);
        var rc = Errno.Ok;
        if (s.Sigbus is { } action)
        {
            task.Group.SigbusAction = action;
        }

        if (s.EarlyKill is { } policy)
        {
            rc = Prctl.MceKill(task, Prctl.PR_MCE_KILL_SET, (long)policy);
        }

        return ($"{s.Task} ({task}){(s.Sigbus is { } a ? $": SIGBUS {Disposition(a)}" : "")}{Policy(s.EarlyKill)}", StepResult.Of(rc));
    }

    private (string, StepResult) Exit(ExitStep e)
    {
        var task = state.Task(e.Task);
        Machine.ExitProcess(task);
        return ($"{e.Task} ({task}) exits", StepResult.Ok);
    }

    private (string, StepResult) Mmap(MmapStep m)
    {
        var task = state.Task(m.Task);
        OpenFile file;
        if (m.File is { } path)
        {
            var opened = Vfs.Open(state.RequireMount(), path);
            if (!opened.IsOk)
            {
                return ($"{m.Task} mmap {path}", StepResult.Of(opened.Error, opened.Message));
            }

            file = opened.Value;
        }
        else
        {
            file = state.Devdax!.Open();
        }

        var length = m.Length ?? new ByteLength(((file.Size.Value - m.Offset.Value) + PageGeometry.PageSize - 1) & ~(PageGeometry.PageSize - 1));
        var prot = m.Prot switch
        {
            MmapProt.Read => VmFlags.Read,
            MmapProt.Write => VmFlags.Write,
            _ => VmFlags.Read | VmFlags.Write,
        };
        var flags = prot | (m.Shared ? VmFlags.Shared : VmFlags.None) | (m.Pmd ? VmFlags.None : VmFlags.NoHugePage);
        var at = m.Address is { } a ? new UserAddress(a) : (UserAddress?)null;
        var vma = Kernel.Mm.Mmap.DoMmap(task.Group.Mm!, file, new PageIndex(m.Offset.Value >> PageGeometry.PageShift), length, flags, at);
        Vfs.Close(file);
        var what = $"{m.Task} ({task}) mmap {file.Path} {Sz(m.Offset.Value)}+{Sz(length.Value)} {(m.Shared ? "MAP_SHARED" : "MAP_PRIVATE")}{(m.Pmd ? "" : " MADV_NOHUGEPAGE")}{m.Prot switch { MmapProt.Read => " PROT_READ", MmapProt.Write => " PROT_WRITE", _ => "" }} as {m.Name}";
        if (!vma.IsOk)
        {
            return (what, StepResult.Of(vma.Error, vma.Message));
        }

        state.AddMap(new NamedMapping(m.Name, vma.Value.Start, length.Value));
        return ($"{what} at {vma.Value.Start}", StepResult.Ok);
    }

    private (string, StepResult) Munmap(MunmapStep m)
    {
        var task = state.Task(m.Task);
        var (map, _) = state.Map(task, m.Map);
        var rc = Kernel.Mm.Mmap.DoMunmap(task.Group.Mm!, map.Start, new ByteLength(map.Length));
        return ($"{m.Task} ({task}) munmap {m.Map} {map.Start}+{Sz(map.Length)}", StepResult.Of(rc));
    }

    private (string, StepResult) Touch(TouchStep t)
    {
        var task = state.Task(t.Task);
        var (map, _) = state.Map(task, t.Map);
        var what = $"{t.Task} ({task}) {(t.Write ? "stores to" : "loads from")} {t.Map} {Sz(t.Offset.Value)}+{Sz(t.Length.Value)}";
        var first = t.Offset.Value & ~(PageGeometry.PageSize - 1);
        var end = (UInt128)t.Offset.Value + t.Length.Value;
        for (UInt128 offset = first; offset < end; )
        {
            var address = map.Start.AddWrapping((ulong)offset);
            var result = Machine.Fault.UserAccess(task, address, t.Write, out var reach);
            var touched = (ulong)(UInt128.Min(offset + reach, end) - offset);
            RecordSeen(task, t.Map, map, address, (touched + PageGeometry.PageSize - 1) >> PageGeometry.PageShift);
            offset += reach;
            Machine.DeliverPendingSignals();
            if (result != AccessResult.Done || task.Group.Exited)
            {
                return (what, new StepResult(Describe(result), $" at {address}{(task.Group.Exited ? "; the process exited" : "; the access stops here")}"));
            }
        }

        return (what, StepResult.Done);
    }

    private (string, StepResult) FileChange(FileChangeStep c)
    {
        var mount = state.RequireMount();
        var files = mount.FileSystem.Files;
        return c.Operation switch
        {
            "punch" => ($"fallocate(PUNCH_HOLE|KEEP_SIZE) {c.File} {Sz(c.Offset.Value)}+{Sz(c.Length.Value)}",
                StepResult.Of(FileIo.WithOpen(mount, c.File, ino => files.Fallocate(ino, FallocateMode.PunchHole | FallocateMode.KeepSize, c.Offset, c.Length)))),
            "truncate" => ($"truncate {c.File} to {Sz(c.Length.Value)}", StepResult.Of(FileIo.WithOpen(mount, c.File, ino => files.Truncate(ino, c.Length)))),
            "setxattr" => ($"setxattr {c.File} {c.Name} size {Sz(c.Length.Value)}", StepResult.Of(FileIo.WithOpen(mount, c.File, ino => files.SetXattr(ino, c.Name!, c.Length)))),
            "removexattr" => ($"removexattr {c.File} {c.Name}", StepResult.Of(FileIo.WithOpen(mount, c.File, ino => files.RemoveXattr(ino, c.Name!)))),
            _ => ($"unlink {c.File}", StepResult.Of(files.Unlink(c.File))),
        };
    }

    private (string, StepResult) Cache(CacheStep c)
    {
        if (!c.CycleMount)
        {
            return ("echo 2 > /proc/sys/vm/drop_caches", new StepResult(Machine.Vfs.DropCaches().ToString(CultureInfo.InvariantCulture), " inode(s) evicted"));
        }

        var mount = state.RequireMount();
        var caller = c.Task is { } name ? state.Task(name) : null;
        var unmounted = Machine.Umount(mount, caller);
        if (unmounted is { } rc && rc != Errno.Ok)
        {
            return ("umount; mount", StepResult.Of(rc) with { Prefix = "umount: " });
        }

        state.Mount = null;
        if (caller is { Group.DiedInKernel: true })
        {
            return ($"{c.Task} ({caller}): umount; mount -o {(state.MountOptions ?? state.Scenario.FileSystem!.Mount)}", new StepResult("killed", " by SIGKILL in the oops; umount never returned (exit status 137)", "umount: "));
        }

        var mounted = ScenarioSetup.Mount(state);
        return ($"{(caller is null ? "" : $"{c.Task} ({caller}): ")}umount; mount -o {(state.MountOptions ?? state.Scenario.FileSystem!.Mount)}", unmounted is null
            ? mounted with { Prefix = "umount: killed by SIGKILL in the oops (exit status 137); mount: " + mounted.Prefix.Replace("mount: ", "", StringComparison.Ordinal) }
            : mounted);
    }

    /// <summary>The existing path a file step looks up (none for those that make one, or take no path).</summary>
    private static string? LooksUp(Step step) => step switch
    {
        PathStep { Operation: not "mkdir" } p => p.Path,
        ChattrStep c => c.Path,
        OpenStep o => o.Path,
        FsyncStep { Path: { } path } => path,
        CloneStep c => c.From,
        _ => null,
    };

    /// <summary>
    /// What pfns the mapping's <paramref name="pages"/> pages from <paramref name="address"/> are
    /// backed by now (one leaf maps them all: a touch steps by a present leaf's reach), for pfn-of targets.
    /// </summary>
    private void RecordSeen(Kernel.Mm.Tasks.TaskStruct task, string name, NamedMapping map, UserAddress address, ulong pages = 1)
    {
        if (pages > 0 && task.Group.Mm?.PageTable.Lookup(address) is { Pfn: { } pfn } leaf)
        {
            state.Seen(name).Record((address.Value - map.Start.Value) >> PageGeometry.PageShift, pfn.Value + ((address.Value - leaf.Address.Value) >> PageGeometry.PageShift), pages);
        }
    }

    private static string Sz(ulong bytes) => Quantities.FormatSize(bytes);

    private static string Disposition(SigbusAction action) => action switch
    {
        SigbusAction.Default => "SIG_DFL",
        SigbusAction.Handler => "handler",
        _ => "SIG_IGN",
    };

    private static string Policy(MceKillPolicy? policy) => policy switch
    {
        MceKillPolicy.Early => ", PR_MCE_KILL_EARLY",
        MceKillPolicy.Late => ", PR_MCE_KILL_LATE",
        MceKillPolicy.Default => ", PR_MCE_KILL_DEFAULT",
        _ => "",
    };

    private static string Describe(AccessResult result) => result switch
    {
        AccessResult.Sigbus => "SIGBUS",
        AccessResult.MachineCheck => "machine check",
        AccessResult.Blocked => "blocked",
        AccessResult.NotModelled => "not modelled",
        AccessResult.Segv => "SIGSEGV",
        _ => "done",
    };
}
