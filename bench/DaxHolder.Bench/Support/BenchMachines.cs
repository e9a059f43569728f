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
    /// runs an event's methods first as unoptimized code and counts their calls only once no
    /// method has been called for the first time for 100 ms (the tiering delay); then it
    /// recompiles the hot ones on a background thread, instrumented first, then optimized with
    /// what the instrumentation saw. An event path keeps calling methods for the first time (a
    /// rare branch, a collection growing), so a busy loop of events can hold the delay off for
    /// tens of thousands of events: 70,000 warm-up events were seen to leave the first 0.25 s of
    /// the measured ones in unoptimized code. So the warm-up runs rounds of
    /// <see cref="SettleWindow"/> events, each followed by a <see cref="TieringPause"/> in which
    /// the delay runs out and the background compiles finish, until two rounds in a row compiled
    /// at most <see cref="SettledCompilations"/> methods. Answers how many events that took;
    /// throws if the pool runs out first.
    /// </summary>
    internal static int WarmUpUntilTiered(GeneratedMachine machine, IReadOnlyList<Target> pool)
    {
        var window = SmokeRun ? 1 : SettleWindow;
        var quietRounds = 0;
        var next = 0;
        while (next + window <= pool.Count)
        {
            var before = System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: false);
            for (var end = next + window; next < end; next++)
            {
                Poison(machine, pool[next]);
            }

            if (SmokeRun)
            {
                return next;
            }

            Thread.Sleep(TieringPause);
            quietRounds = System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: false) - before <= SettledCompilations ? quietRounds + 1 : 0;
            if (quietRounds == 2)
            {
                return next;
            }
        }

        throw new InvalidOperationException($"tiered compilation did not settle within {pool.Count} warm-up events");
    }

    /// <summary>
    /// One poison event: an asynchronous machine check on <paramref name="target"/>'s pfn, which
    /// must succeed. The warm-up and the measured loops all call this method, never inlined: a
    /// loop the runtime compiles optimized in the middle of running (on-stack replacement) may
    /// inline the machine check's first methods, which then never run often enough in the
    /// warm-up to be recompiled, and the measured loop would start in their unoptimized code.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    internal static Errno Poison(GeneratedMachine machine, Target target)
    {
        var rc = machine.Machine.Mce.AsyncMachineCheck(target.Pfn);
        return rc == Errno.Ok ? rc : throw new InvalidOperationException($"memory_failure({target.Pfn}) = {rc.ToKernelString()}");
    }

    /// <summary>The most pages a warm-up may poison (its pool, besides the measured targets).</summary>
    internal const int WarmUpPool = 150_000;

    /// <summary>The warm-up's round, in events (see <see cref="WarmUpUntilTiered"/>).</summary>
    internal const int SettleWindow = 10_000;

    /// <summary>The pause after each warm-up round: twice the runtime's tiering delay, for the background compiles.</summary>
    internal static readonly TimeSpan TieringPause = TimeSpan.FromMilliseconds(250);

    /// <summary>The most methods a round (with its pause) may compile for the warm-up to count it quiet.</summary>
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
