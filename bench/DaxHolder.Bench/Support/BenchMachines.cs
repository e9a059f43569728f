using DaxHolder.Abstractions;
using DaxHolder.Kernel.Fs;
using DaxHolder.PluginLoading;
using DaxHolder.Scenarios.Generating;

namespace DaxHolder.Bench.Support;

/// <summary>
/// The machines the benchmarks run on, all made by <c>daxholder generate</c>'s generator and
/// built in memory as <c>daxholder run</c> would set them up.
/// </summary>
public static class BenchMachines
{
    private static readonly Lazy<PluginCatalog> Catalog = new(() =>
        PluginLoader.Load(PluginSource.Resolve(AppContext.BaseDirectory, environmentValue: null, [])));

    /// <summary>
    /// The reference machine for (a) and (b): 100k files of 10 one-block extents (10% reflink
    /// copies: 1M file rmap records), 10k processes with 10 whole-file mappings each (100k VMAs),
    /// half of the mapped pages faulted, a tenth of the processes early-kill.
    /// </summary>
    internal static GeneratorOptions Reference { get; } = new(
        Files: 100_000, ExtentsPerFile: 10, BlocksPerExtent: 1, SharingRatio: 0.1,
        Processes: 10_000, MappingsPerProcess: 10, FaultedFraction: 0.5, EarlyKillFraction: 0.1,
        Seed: 8, Event: GeneratedEvent.None);

    /// <summary>The smallest machine, for CI's smoke run of every benchmark body.</summary>
    internal static GeneratorOptions Smoke { get; } = new(
        Files: 40, ExtentsPerFile: 4, BlocksPerExtent: 2, SharingRatio: 0.25,
        Processes: 12, MappingsPerProcess: 4, FaultedFraction: 0.5, EarlyKillFraction: 0.25,
        Seed: 8, Event: GeneratedEvent.None);

    /// <summary>The shipped plugins beside the bench, loaded once.</summary>
    internal static PluginCatalog Plugins => Catalog.Value;

    /// <summary>Set by the smoke test: every benchmark uses <see cref="Smoke"/> sizes.</summary>
    public static bool SmokeRun { get; set; }

    internal static GeneratedMachine Build(GeneratorOptions options, IDictionary<string, TimeSpan>? timings = null) =>
        GeneratedMachine.Build(ScenarioGenerator.Generate(options), Catalog.Value, timings);

    /// <summary>
    /// The pfns of the faulted pages, with the mapping and index each belongs to, spread evenly
    /// over the list, each pfn once (at most <paramref name="count"/>).
    /// </summary>
    internal static List<Target> Targets(GeneratedMachine machine, int count)
    {
        var pages = machine.Generated.FaultedPages;
        var step = Math.Max(1, pages.Count / Math.Max(1, count));
        var targets = new List<Target>();
        var pfns = new HashSet<Pfn>();
        for (var i = 0; i < pages.Count && targets.Count < count; i += step)
        {
            // A reflinked block is faulted through several files: each pfn is a target once.
            var page = pages[i];
            var pfn = machine.State.Pmem!.PfnOf(machine.OffsetOf(page.File, page.Offset));
            if (pfns.Add(pfn))
            {
                targets.Add(new Target(machine.MappingOf(page.File), new PageIndex(page.Offset.Value >> PageGeometry.PageShift), pfn));
            }
        }

        return targets;
    }

    /// <summary>
    /// Poisons pages of <paramref name="pool"/> until tiered compilation has settled. The runtime
    /// compiles an event's methods first without optimization, recompiles the hot ones on a
    /// background thread once no new method has been compiled for 100 ms (instrumented first,
    /// then optimized with what the instrumentation saw), and compiles a rare path only when an
    /// event first takes it. On the reference machine that goes on for some 50,000 events, so a
    /// fixed count of warm-up events can leave the measured ones running unoptimized code.
    /// Settled means the JIT compiled at most <see cref="SettledCompilations"/> methods over the
    /// last two windows of <see cref="SettleWindow"/> events. Answers how many events that took;
    /// throws if the pool runs out first.
    /// </summary>
    internal static int WarmUpUntilTiered(GeneratedMachine machine, IReadOnlyList<Target> pool)
    {
        var window = SmokeRun ? 1 : SettleWindow;
        long twoBack = -1, oneBack = System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: false);
        for (var i = 0; i < pool.Count; i++)
        {
            var rc = machine.Machine.Mce.AsyncMachineCheck(pool[i].Pfn);
            if (rc != Errno.Ok)
            {
                throw new InvalidOperationException($"memory_failure({pool[i].Pfn}) = {rc.ToKernelString()}");
            }

            if ((i + 1) % window == 0)
            {
                var now = System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: false);
                if (twoBack >= 0 && now - twoBack <= SettledCompilations || SmokeRun)
                {
                    return i + 1;
                }

                (twoBack, oneBack) = (oneBack, now);
            }
        }

        throw new InvalidOperationException($"tiered compilation did not settle within {pool.Count} warm-up events");
    }

    /// <summary>The warm-up's window, in events (see <see cref="WarmUpUntilTiered"/>).</summary>
    internal const int SettleWindow = 10_000;

    /// <summary>The most methods two windows may compile for the warm-up to count as settled.</summary>
    internal const int SettledCompilations = 2;

    /// <summary>
    /// Splits <paramref name="targets"/> into <paramref name="count"/> measured ones spread evenly
    /// over them and the rest, a pool for <see cref="WarmUpUntilTiered"/>.
    /// </summary>
    internal static (List<Target> Measured, List<Target> WarmUp) Split(List<Target> targets, int count)
    {
        var stride = Math.Max(1, targets.Count / Math.Max(1, count));
        var measured = new List<Target>(count);
        var warmUp = new List<Target>(targets.Count);
        for (var i = 0; i < targets.Count; i++)
        {
            (i % stride == 0 && measured.Count < count ? measured : warmUp).Add(targets[i]);
        }

        return (measured, warmUp);
    }
}

/// <summary>A poison target: a faulted file page and its pfn.</summary>
internal sealed record Target(AddressSpace Mapping, PageIndex Index, Pfn Pfn);
