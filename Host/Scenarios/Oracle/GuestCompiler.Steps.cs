using System.Globalization;
using DaxHolder.Abstractions;
using DaxHolder.Kernel.Mm.Tasks;
using DaxHolder.Scenarios.Language;

namespace DaxHolder.Scenarios.Oracle;

/// <summary>Each step as the guest's case script runs it: an agent command, a daxprobe call or a lib.sh function, printing its RESULT line.</summary>
internal static partial class GuestCompiler
{
    private static string CompileStep(Scenario scenario, Step step, int n, Dictionary<string, ulong> sizes) => step switch
    {
        SpawnStep sp => $"o_spawn {n} {sp.Task} {Quote(Comm(sp.Comm))} {Sigbus(sp.Sigbus)} {Policy(sp.EarlyKill)}"
            + string.Concat(sp.Threads.Select(t => $"; o_thread {n} {sp.Task} {t.Name}")),
        ForkStep f => $"o_fork {n} {f.Parent} {f.Child} {Quote(f.Comm is null ? "-" : Comm(f.Comm))} {(f.Sigbus is { } a ? Sigbus(a) : "-")}",
        SetTaskStep t => $"o_send {t.Task} {n} set {(t.Sigbus is { } a ? Sigbus(a) : "-")} {Policy(t.EarlyKill)}",
        ExitStep e => $"o_exit {n} {e.Task}",
        MmapStep { File: null, Address: null } m => $"o_send {m.Task} {n} mmap {m.Name} $DAXDEV {m.Offset.Value} {MapLength(m, sizes)} shared pmd",
        MmapStep { Address: not null } => throw Refuse(step, "a fixed mmap address is not honoured by the guest yet"),
        MmapStep m => $"o_send {m.Task} {n} mmap {m.Name} {Mnt}{m.File} {m.Offset.Value} {MapLength(m, sizes)} {(m.Shared ? "shared" : "private")} {(m.Pmd ? "pmd" : "nopmd")}{Prot(m)}",
        MunmapStep u => $"o_send {u.Task} {n} munmap {u.Map}",
        TouchStep t => $"o_send {t.Task} {n} touch {t.Map} {t.Offset.Value} {t.Length.Value} {(t.Write ? "write" : "read")}",
        MadviseStep md => $"o_send {md.Task} {n} madvise {md.Map} {md.Offset.Value} {md.Length.Value} {(md.SoftOffline ? "soft-offline" : "hwpoison")}",
        PoisonStep { Target.Map: { } map, MachineCheck: true } p => $"if p=$(o_seen {map} {p.Target.Offset.Value}); then o_mce_at {n} $(printf '0x%x' $((p * 4096))); else {NotSeen(n, p)}; fi",
        PoisonStep { Target.Map: { } map, Task: { } task } p => $"if p=$(o_seen {map} {p.Target.Offset.Value}); then o_send {task} {n} corrupt @pfn $p $BASEPFN; else {NotSeen(n, p)}; fi",
        PoisonStep { MachineCheck: true, Target.File: not null } p => $"o_mce {n} {Mnt}{p.Target.File} {p.Target.Offset.Value}",
        PoisonStep { MachineCheck: true } p => AtDeviceOffset(scenario, p, n, "o_mce_dev {0} $d"),
        PoisonStep { Task: null } => throw Refuse(step, "corrupt-pfn needs a task that writes the pfn"),
        PoisonStep { Target.File: not null } p => $"o_send {p.Task} {n} corrupt {Mnt}{p.Target.File} {p.Target.Offset.Value} $BASEPFN",
        PoisonStep p => AtDeviceOffset(scenario, p, n, $"o_send {p.Task} {{0}} corrupt @dev $d $BASEPFN"),
        UnbindStep { Task: null } => throw Refuse(step, "unbind needs a task that writes to nd_pmem's unbind"),
        UnbindStep u => $"o_send {u.Task} {n} unbind",
        FileIoStep io => $"daxprobe {(io.Write ? "pwrite" : "pread")} {Mnt}{io.File} {io.Offset.Value} {io.Length.Value} {n}",
        FileChangeStep { Operation: "punch" } c => $"daxprobe punch {Mnt}{c.File} {c.Offset.Value} {c.Length.Value} {n}",
        FileChangeStep { Operation: "truncate" } c => $"daxprobe truncate {Mnt}{c.File} {c.Length.Value} {n}",
        FileChangeStep { Operation: "unlink" } c => $"daxprobe unlink {Mnt}{c.File} {n}",
        FileChangeStep { Operation: "setxattr" } c => $"daxprobe setxattr {Mnt}{c.File} {Quote(c.Name ?? "")} {c.Length.Value} {n}",
        FileChangeStep { Operation: "removexattr" } c => $"daxprobe removexattr {Mnt}{c.File} {Quote(c.Name ?? "")} {n}",
        CacheStep { CycleMount: true } => "o_umount; o_mount $MNTTYPE \"$MNTOPTS\"",
        CacheStep => "sync; echo 2 > /proc/sys/vm/drop_caches; echo \"RESULT step=" + n.ToString(CultureInfo.InvariantCulture) + " task=- event=result what=drop-caches rc=0\"",
        PathStep p => $"daxprobe {p.Operation} {Mnt}{p.Path} {n}",
        CreateStep c => $"daxprobe create {Mnt}{c.Path} {c.Size.Value} {n}",
        ChattrStep c => $"daxprobe chattr {Mnt}{c.Path} {(c.Dax ? 1 : 0)} {n}",
        OpenStep o => $"o_send {o.Task} {n} open {o.Name} {Mnt}{o.Path}",
        CloseStep c => $"o_send {c.Task} {n} close {c.Fd}",
        FsyncStep { Path: { } path } => $"daxprobe fsync {Mnt}{path} {n}",
        FsyncStep f => $"o_send {f.Task} {n} fsync {f.Fd}",
        SyncStep => $"daxprobe sync {n}",
        UmountStep { Task: not null } => throw Refuse(step, "the guest's umount is made by the case script, not by a scenario task"),
        UmountStep => $"daxprobe umount $MNT {n}",
        MountStep m => $"{(m.Options is { } o ? $"MNTOPTS={Quote(MountOptions(scenario.FileSystem! with { Mount = o }))}; " : "")}daxprobe mount /dev/pmem0 $MNT $MNTTYPE \"$MNTOPTS\" {n}",
        CloneStep c => $"daxprobe ficlone {Mnt}{c.From} {Mnt}{c.To} {n}",
        SkippedStep k => $"echo \"RESULT step={n} task=- event=result what={k.Kind} rc=skipped\"",
        _ => throw Refuse(step, "this step kind is not run by the guest yet"),
    };

    /// <summary>
    /// Metadata the guest finds on the real filesystem (lib.sh: o_meta, with xfs_db, dumpe2fs and
    /// debugfs), per type: XFS's AG headers and btree roots of an AG, the log, and a file's inode,
    /// inode chunk and attr fork; ext4's inode table and block bitmap of a group and a file's xattr block;
    /// EROFS's on-disk inode of a file.
    /// </summary>
    private static readonly Dictionary<string, string[]> GuestMetadata = new()
    {
        ["xfs"] = ["sb", "agf", "agi", "agfl", "bnobt", "cntbt", "rmapbt", "refcountbt", "inobt", "finobt", "log", "inodes", "inode", "attr"],
        ["ext4"] = ["inode-table", "block-bitmap", "xattr-block"],
        ["erofs"] = ["inode"],
    };

    /// <summary>
    /// A poison step at a device offset (<c>$d</c> in <paramref name="command"/>): given as such, as
    /// a pfn (relative to the model's first data pfn: the real one is the pfn device's), or as
    /// metadata the guest locates on the real filesystem.
    /// </summary>
    private static string AtDeviceOffset(Scenario scenario, PoisonStep p, int n, string command)
    {
        var run = string.Format(CultureInfo.InvariantCulture, command, n);
        var target = p.Target;
        if (target.DeviceOffset is { } offset)
        {
            return $"d={offset + target.Offset.Value}; {run}";
        }

        if (target.Pfn is { } pfn)
        {
            var first = (scenario.Device.PhysicalBase + scenario.Device.DataOffset.Value) / PageGeometry.PageSize;
            var last = (scenario.Device.PhysicalBase + scenario.Device.Size.Value) / PageGeometry.PageSize;
            return pfn >= first && pfn < last
                ? $"d={(pfn - first) * PageGeometry.PageSize}; {run}"
                : throw Refuse(p, $"pfn 0x{pfn:x} is not in the namespace's data (pfns 0x{first:x}-0x{last - 1:x})");
        }

        var parts = (target.Metadata ?? "").Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
        parts = parts is ["log"] ? ["log", "-"] : parts;
        var type = scenario.FileSystem?.Type ?? "";
        if (parts.Length != 2 || !GuestMetadata.TryGetValue(type, out var known) || !known.Contains(parts[0]))
        {
            throw Refuse(p, $"the guest locates {(GuestMetadata.TryGetValue(type, out var names) ? string.Join(", ", names.Select(x => $"'{x} ...'")) : "no metadata")} on the real {type}, not '{target.Metadata}'");
        }

        return $"if d=$(o_meta {Quote(parts[0])} {Quote(parts[1])}); then d=$((d + {target.Offset.Value})); {run}; " +
               $"else echo \"RESULT step={n} task=- event=result what={p.Kind} rc=metadata-not-found\"; fi";
    }

    /// <summary>The agent's prot argument; absent for the default read-write, so the commands of older scenarios stay as they were.</summary>
    private static string Prot(MmapStep m) => m.Prot switch
    {
        MmapProt.Read => " read",
        MmapProt.Write => " write",
        _ => "",
    };

    /// <summary>What the guest reports when no agent recorded the page a pfn-of map target names.</summary>
    private static string NotSeen(int n, PoisonStep p) => $"echo \"RESULT step={n} task=- event=result what={p.Kind} rc=not-seen\"";

    private static ScenarioException Refuse(Step step, string why) =>
        new(step.At, $"oracle: step '{step.Kind}' cannot run on the real kernel: {why}");

    private static ulong MapLength(MmapStep m, Dictionary<string, ulong> sizes)
    {
        if (m.Length is { } length)
        {
            return length.Value;
        }

        var size = sizes.TryGetValue(m.File!, out var v) ? v : throw Refuse(m, $"the size of {m.File} is not known at set-up; give the mapping a length");
        return (size - m.Offset.Value + PageGeometry.PageSize - 1) & ~(PageGeometry.PageSize - 1);
    }

    /// <summary>The comm the kernel keeps: TASK_COMM_LEN is 16, so 15 characters.</summary>
    private static string Comm(string comm) => comm.Length > 15 ? comm[..15] : comm;

    private static string Sigbus(SigbusAction a) => a switch
    {
        SigbusAction.Handler => "handler",
        SigbusAction.Default => "default",
        _ => "ignore",
    };

    private static string Policy(MceKillPolicy? p) => p switch
    {
        MceKillPolicy.Early => "early",
        MceKillPolicy.Late => "late",
        MceKillPolicy.Default => "default",
        _ => "-",
    };
}
