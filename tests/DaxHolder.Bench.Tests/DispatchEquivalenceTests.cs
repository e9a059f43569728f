using DaxHolder.Abstractions;
using DaxHolder.Bench.Baseline;
using DaxHolder.Bench.Support;
using DaxHolder.Kernel.Mm;

namespace DaxHolder.Bench.Tests;

/// <summary>
/// The host's collect (i_mmap first, processes in creation order) decides exactly as the kernel's
/// algorithm (for_each_process, then i_mmap per process, as collect_procs_fsdax() does) for every
/// faulted page's record: the same tasks, addresses, shifts and trace, in the same order.
/// </summary>
public sealed class DispatchEquivalenceTests
{
    public static TheoryData<string, bool> Shapes() => new()
    {
        { "smoke", false }, { "smoke", true },
        { "all-early", false }, { "none-early", false }, { "none-early", true },
        { "6.1-shared", false }, { "exits-and-current", false }, { "exits-and-current", true },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void HostCollect_DecidesAsTheKernelsForEachProcessWalk(string shape, bool preRemove)
    {
        var options = BenchMachines.Smoke with { BlocksPerExtent = 2 };
        options = shape switch
        {
            "all-early" => options with { EarlyKillFraction = 1 },
            "none-early" => options with { EarlyKillFraction = 0 },
            "6.1-shared" => options with { Kernel = "6.1", SharingRatio = 0.5, EarlyKillFraction = 0.5 },
            _ => options,
        };
        using var machine = BenchMachines.Build(options);
        if (shape == "exits-and-current")
        {
            // Processes leave (their mms leave i_mmap), a late process maps the busiest file again,
            // and current is a mapper: creation order and task_early_kill's current rule both matter.
            var tasks = machine.Machine.Tasks.Processes.Where(p => p.Mm is not null).ToList();
            machine.Machine.ExitProcess(tasks[1].Leader);
            machine.Machine.ExitProcess(tasks[4].Leader);
            var late = machine.Machine.Tasks.Spawn(5000, "late");
            var busiest = machine.Generated.FaultedPages[0].File;
            var file = DaxHolder.Kernel.Fs.Vfs.Open(machine.Mount, busiest).Value;
            Mmap.DoMmap(late.Group.Mm!, file, new PageIndex(0), new ByteLength(file.Size.Value), VmFlags.Read | VmFlags.Shared | VmFlags.NoHugePage, null).IsOk.ShouldBeTrue();
            machine.Machine.MemoryFailure.Current = tasks[2].Leader;
        }

        var collected = 0;
        var skipped = 0;
        foreach (var target in BenchMachines.Targets(machine, int.MaxValue))
        {
            var blocks = (ulong)options.BlocksPerExtent;
            var index = new PageIndex(target.Index.Value / (2 * blocks) * 2 * blocks);
            var host = HostCollect.KillProcsWalk(machine.Machine, target.Mapping, index, blocks, preRemove);
            var kernel = KernelCollect.KillProcsWalk(machine.Machine, target.Mapping, index, blocks, preRemove);

            Decisions.Difference(host, kernel).ShouldBeNull();
            collected += host.ToKill.Count;
            skipped += host.Trace.Count - host.ToKill.Count;
        }

        // With no early-kill process and no current mapper nobody is a candidate (task_early_kill).
        if (preRemove || shape != "none-early")
        {
            collected.ShouldBeGreaterThan(0, "some mapper is signalled");
        }

        if (!preRemove && shape != "all-early")
        {
            skipped.ShouldBeGreaterThan(0, "some mapper is skipped");
        }
    }
}
