using BenchmarkDotNet.Attributes;
using DaxHolder.Abstractions;
using DaxHolder.Bench.Baseline;
using DaxHolder.Bench.Support;
using DaxHolder.Scenarios.Generating;

namespace DaxHolder.Bench.Benchmarks;

/// <summary>A machine shape for the dispatch comparison, named for the summary table.</summary>
public sealed class DispatchCase
{
    internal DispatchCase(string axis, GeneratorOptions options)
    {
        Axis = axis;
        Options = options;
    }

    public string Axis { get; }

    internal GeneratorOptions Options { get; }

    public override string ToString() =>
        $"{Axis}: {Options.Processes} proc, {Options.Files * Options.ExtentsPerFile} rec";
}

/// <summary>
/// Dispatch, host against the kernel's algorithm: for a faulted page, the
/// mf_dax_kill_procs page loop over its rmap record (two one-block pages here) and, per page
/// with an entry, collect_procs_fsdax, deciding whom to signal at which address and shift. The
/// host asks i_mmap once and visits its processes in creation order; the baseline walks every
/// process for every page (for_each_process). Decisions are checked identical for every target
/// before measuring. Nothing is unmapped or signalled, so the walk can be replayed. Three
/// sizes along each axis: processes (one file per process, ten mappings each, so a page keeps
/// about ten mappers) and extents (records per file at 1000 processes).
/// </summary>
[Config(typeof(ThroughputConfig))]
public class DispatchBenchmarks
{
    private const int TargetCount = 256;
    private DaxHolder.Scenarios.Generating.GeneratedMachine machine = null!;
    private List<Target> targets = [];
    private int next;

    [ParamsSource(nameof(Cases))]
    public DispatchCase Case { get; set; } = null!;

    public static IEnumerable<DispatchCase> Cases() => BenchMachines.SmokeRun
        ? [new DispatchCase("smoke", BenchMachines.Smoke with { BlocksPerExtent = 2 })]
        : [
            Processes(1), Processes(100), Processes(1_000), Processes(10_000), Processes(100_000),
            Extents(1), Extents(100),
        ];

    /// <summary>The processes axis: P processes and P files of 10 two-block extents, 10 mappings each (no reflink copies with one file: a copy needs a source).</summary>
    internal static DispatchCase Processes(int processes) => new("processes", new GeneratorOptions(
        Files: processes, ExtentsPerFile: 10, BlocksPerExtent: 2, SharingRatio: processes < 2 ? 0 : 0.1, Processes: processes,
        MappingsPerProcess: 10, FaultedFraction: 0.25, EarlyKillFraction: 0.1, Seed: 8, Event: GeneratedEvent.None));

    /// <summary>The extents axis: 1000 processes and files, E extents per file (the middle size is Processes(1000)).</summary>
    internal static DispatchCase Extents(int extents) => new("extents", Processes(1_000).Options with { ExtentsPerFile = extents, FaultedFraction = 2.5 / extents > 0.25 ? 0.25 : 2.5 / extents });

    [GlobalSetup]
    public void Setup()
    {
        machine = BenchMachines.Build(Case.Options);
        targets = BenchMachines.Targets(machine, TargetCount);
        foreach (var target in targets)
        {
            var (index, count) = Record(target);
            var host = HostCollect.KillProcsWalk(machine.Machine, target.Mapping, index, count, preRemove: false);
            var kernel = KernelCollect.KillProcsWalk(machine.Machine, target.Mapping, index, count, preRemove: false);
            if (Decisions.Difference(host, kernel) is { } difference)
            {
                throw new InvalidOperationException($"{Case}: the host and the kernel algorithm decide differently at {target}: {difference}");
            }
        }
    }

    [Benchmark(Baseline = true, Description = "kernel algorithm (for_each_process per page)")]
    public int Kernel()
    {
        var target = targets[next++ % targets.Count];
        var (index, count) = Record(target);
        return KernelCollect.KillProcsWalk(machine.Machine, target.Mapping, index, count, preRemove: false).ToKill.Count;
    }

    [Benchmark(Description = "host (i_mmap first)")]
    public int Host()
    {
        var target = targets[next++ % targets.Count];
        var (index, count) = Record(target);
        return HostCollect.KillProcsWalk(machine.Machine, target.Mapping, index, count, preRemove: false).ToKill.Count;
    }

    [GlobalCleanup]
    public void Cleanup() => machine.Dispose();

    /// <summary>The target page's extent: extents start at even multiples of the extent length.</summary>
    private (PageIndex Index, ulong Count) Record(Target target)
    {
        var blocks = (ulong)Case.Options.BlocksPerExtent;
        return (new PageIndex(target.Index.Value / (2 * blocks) * 2 * blocks), blocks);
    }
}
