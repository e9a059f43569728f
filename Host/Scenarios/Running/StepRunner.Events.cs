using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel.Arch.X86;
using DaxHolder.Scenarios.Language;
using DaxHolder.Scenarios.Reports;

namespace DaxHolder.Scenarios.Running;

/// <summary>The events: the ways poison reaches mm/memory-failure.c: memory_failure(), and device unbind (drivers/dax/super.c: kill_dax()).</summary>
internal sealed partial class StepRunner
{
    /// <summary>madvise(MADV_HWPOISON or MADV_SOFT_OFFLINE) by the task on its own mapping: madvise's return.</summary>
    private (string, StepResult) Madvise(MadviseStep m)
    {
        var task = state.Task(m.Task);
        var (map, _) = state.Map(task, m.Map);
        var start = map.Start.AddWrapping(m.Offset.Value);
        var rc = m.SoftOffline ? Machine.Madvise.SoftOffline(task, start, m.Length) : Machine.Madvise.HwPoison(task, start, m.Length);
        return ($"{m.Task} ({task}) madvise({start}, {m.Length}, {(m.SoftOffline ? "MADV_SOFT_OFFLINE" : "MADV_HWPOISON")}) on {m.Map} {Sz(m.Offset.Value)}+{Sz(m.Length.Value)}", Returned(task, StepResult.Of(rc)));
    }

    /// <summary>
    /// echo pfn &gt; /sys/kernel/debug/hwpoison/corrupt-pfn (by the task), or an asynchronous machine
    /// check found by the platform (current is a kworker): memory_failure's return.
    /// </summary>
    private (string, StepResult) Poison(PoisonStep p)
    {
        var (pfn, where) = Resolve(p.Target);
        if (p.MachineCheck)
        {
            var rc = Machine.Mce.AsyncMachineCheck(pfn);
            return ($"asynchronous machine check at pfn {pfn} ({where})", StepResult.Of(rc));
        }

        var writer = state.Task(p.Task!);
        var result = Machine.HwpoisonInject.CorruptPfn(writer, pfn);
        return ($"{p.Task} ({writer}) writes {pfn} to hwpoison/corrupt-pfn ({where})", Returned(writer, StepResult.Of(result)));
    }

    /// <summary>A synchronous machine check: the memory behind the task's access goes bad, then it loads or stores there.</summary>
    private (string, StepResult) AccessMce(AccessMceStep a)
    {
        var task = state.Task(a.Task);
        var (map, _) = state.Map(task, a.Map);
        var address = map.Start.AddWrapping(a.Offset.Value);
        if (task.Group.Mm?.PageTable.Lookup(address) is not null)
        {
            RecordSeen(task, a.Map, map, address);
        }

        var result = Machine.SynchronousMachineCheck(task, address, a.Write);
        Machine.DeliverPendingSignals();
        var outcome = result switch
        {
            AccessResult.Done => "the access completed",
            AccessResult.Sigbus => "SIGBUS",
            AccessResult.Segv => "SIGSEGV",
            AccessResult.MachineCheck => "machine check",
            AccessResult.Blocked => "blocked",
            _ => "not modelled",
        };
        return ($"{a.Task} ({task}) {(a.Write ? "stores to" : "loads from")} {a.Map}+{Sz(a.Offset.Value)} at {address}, whose memory went bad", Returned(task, new StepResult(outcome)));
    }

    /// <summary>echo pfnX.Y &gt; /sys/bus/nd/drivers/nd_pmem/unbind, by the task if one is named.</summary>
    private (string, StepResult) Unbind(UnbindStep u)
    {
        var writer = u.Task is { } name ? state.Task(name) : null;
        if (state.Pmem is not { } pmem)
        {
            throw new ScenarioException(u.At, "unbind is modelled for fsdax namespaces (the pmem driver's teardown); a devdax namespace is not");
        }

        Machine.Unbind(pmem, writer);
        return ($"unbind {pmem.Name}{(writer is null ? "" : $" (written by {writer})")}", Returned(writer, StepResult.Ok));
    }

    /// <summary>
    /// What the caller's system call gave back: its return value, or, when the caller died in an
    /// oops inside it (arch/x86/kernel/dumpstack.c: oops_end() -&gt; make_task_dead(SIGKILL)), no value
    /// at all: the task was killed, and a shell shows exit status 137.
    /// </summary>
    private static StepResult Returned(Kernel.Mm.Tasks.TaskStruct? caller, StepResult returned) =>
        caller is { Group.DiedInKernel: true } ? new StepResult("killed", " by SIGKILL in the oops; the call never returned (exit status 137)") : returned;

    /// <summary>The pfn a target names, and how the report names it.</summary>
    private (Pfn Pfn, string Where) Resolve(PoisonTarget target)
    {
        if (target.Pfn is { } raw)
        {
            return (new Pfn(raw), target.ToString());
        }

        if (target.Map is { } name)
        {
            return state.Seen(name).Find(target.Offset.Value >> PageGeometry.PageShift) is { } seen
                ? (new Pfn(seen), target.ToString())
                : throw new ScenarioException(target.At, $"mapping {name} never saw a page at offset {Sz(target.Offset.Value)} before this step (touch it first)");
        }

        var offset = target.DeviceOffset is { } d ? new DeviceOffset(d) : DeviceOffsetOf(target);
        if (state.Pmem is { } pmem)
        {
            return (pmem.PfnOf(offset), target.DeviceOffset is null ? $"{target}, device offset {offset}" : target.ToString());
        }

        var devdax = state.Devdax!;
        return (Pfn.FromPhysicalAddress(state.Scenario.Device.PhysicalBase + state.Scenario.Device.DataOffset.Value + offset.Value), $"{target} of {devdax.Name}");
    }

    private DeviceOffset DeviceOffsetOf(PoisonTarget target)
    {
        var mount = state.Mount ?? throw new ScenarioException(target.At, $"{target} needs the filesystem mounted at this step");
        if (target.Metadata is { } name)
        {
            var located = mount.FileSystem.ReverseMap.LocateMetadata(name);
            if (!located.IsOk)
            {
                throw new ScenarioException(target.At, $"{mount.SuperBlock.FileSystemType} does not know metadata '{name}': {located.Message ?? located.Error.ToKernelString()}");
            }

            return target.Offset.Value < located.Value.Length.Value
                ? located.Value.Start.Add(new ByteLength(target.Offset.Value))
                : throw new ScenarioException(target.At, $"offset {target.Offset} is past the end of '{name}' ({located.Value})");
        }

        var fs = mount.FileSystem;
        var ino = fs.Files.Lookup(target.File!);
        if (!ino.IsOk)
        {
            throw new ScenarioException(target.At, $"{target.File}: {ino.Error.ToKernelString()} at this step");
        }

        var map = fs.Iomap.IomapBegin(ino.Value, target.Offset, ByteLength.Page, IomapRequest.Report);
        if (!map.IsOk || map.Value.Map.Address is not { } start || map.Value.Map.Type is IomapType.Hole or IomapType.Delalloc)
        {
            throw new ScenarioException(target.At, $"{target} has no block on the device at this step (a hole)");
        }

        return start.Add(new ByteLength(target.Offset.Value - map.Value.Map.Offset.Value));
    }
}
