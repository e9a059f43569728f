using BenchmarkDotNet.Attributes;
using DaxHolder.Bench.Support;
using DaxHolder.Plugins.Xfs.Libxfs;

namespace DaxHolder.Bench.Benchmarks;

/// <summary>
/// (e) Memory per rmap record from 10k to 10M records: the XFS plugin's rmap store (RmapBtree, one per
/// AG) filled through xfs_rmap_map with N file records, N/10 owners of 10 one-block extents
/// each separated by a hole (so none merge), spread over 4 AGs as on the generated machines.
/// "Retained B/record" is what stays reachable after a full GC; "Allocated" (the diagnoser)
/// also counts what the build threw away.
/// </summary>
[Config(typeof(MemoryConfig))]
public class RmapMemoryBenchmarks
{
    private const int Ags = 4;
    private const int ExtentsPerOwner = 10;
    private RmapBtree[]? kept;

    /// <summary>The last measurement per size, read by the summary's column (benchmarks run in process).</summary>
    public static Dictionary<int, double> RetainedPerRecord { get; } = [];

    /// <summary>How many records fill the store.</summary>
    [ParamsSource(nameof(Sizes))]
    public int Records { get; set; } = 1_000;

    public static IEnumerable<int> Sizes() => BenchMachines.SmokeRun ? [1_000] : [10_000, 100_000, 1_000_000, 10_000_000];

    [Benchmark(Description = "fill the rmap store")]
    public long Fill()
    {
        kept = null;
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var trees = new RmapBtree[Ags];
        for (var i = 0; i < Ags; i++)
        {
            trees[i] = new RmapBtree();
        }

        var owners = Records / ExtentsPerOwner;
        for (var owner = 0; owner < owners; owner++)
        {
            var tree = trees[owner % Ags];
            var first = (uint)(owner / Ags * ExtentsPerOwner * 2);
            for (var e = 0u; e < ExtentsPerOwner; e++)
            {
                // Block 2e of the owner's run at file block 2e: a hole after each, nothing merges.
                tree.Map(first + (2 * e), 1, 131 + (ulong)owner, 2 * e, Abstractions.Fs.RmapRecordFlags.None);
            }
        }

        var count = trees.Sum(t => (long)t.Count);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        kept = trees;
        RetainedPerRecord[Records] = (after - before) / (double)count;
        return count == Records ? count : throw new InvalidOperationException($"{count} records, {Records} expected");
    }

    [GlobalCleanup]
    public void Cleanup() => kept = null;
}
