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
}

/// <summary>A poison target: a faulted file page and its pfn.</summary>
internal sealed record Target(AddressSpace Mapping, PageIndex Index, Pfn Pfn);
