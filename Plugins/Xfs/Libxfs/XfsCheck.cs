using DaxHolder.Abstractions.Fs;
using DaxHolder.Plugins.Xfs.Format;

namespace DaxHolder.Plugins.Xfs.Libxfs;

/// <summary>
/// A cross-check of the on-media structures, in the spirit of xfs_repair -n (fstests runs
/// _check_scratch_fs after every test): the rmapbt must be exactly what the AG headers, inode
/// chunks, data forks, attr forks, bmbt blocks and CoW forks own; the refcountbt must count each block's
/// data-fork mappings; the free space must be every block nobody owns; the inobt's used inodes
/// must be the allocated ones. The model runs it at unmount; a mismatch is a bug in the model.
/// </summary>
internal static class XfsCheck
{
    /// <summary>Checks the image and throws, listing the first problems, if it is inconsistent.</summary>
    /// <exception cref="InvalidOperationException">The structures disagree.</exception>
    public static void Verify(XfsImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var problems = Check(image);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("xfs: the on-media state is inconsistent (a model bug): " + string.Join("; ", problems.Take(8)));
        }
    }

    /// <summary>The problems found, empty when consistent.</summary>
    public static IReadOnlyList<string> Check(XfsImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var g = image.Geometry;
        var problems = new List<string>();
        var expected = image.Ags.Select(_ => new RmapBtree()).ToArray();
        var references = image.Ags.Select(_ => new List<(uint Start, uint Length)>()).ToArray();
        foreach (var ag in image.Ags)
        {
            var rmap = expected[ag.Agno];
            rmap.Map(AllocationGroup.SbBlock, 4, XfsRmapOwner.Fs, 0, 0);
            rmap.Map(AllocationGroup.BnoRoot, 2, XfsRmapOwner.Ag, 0, 0);
            rmap.Map(AllocationGroup.InoRoot, 2, XfsRmapOwner.Inobt, 0, 0);
            if (ag.RmapRoot is { } r)
            {
                rmap.Map(r, 1, XfsRmapOwner.Ag, 0, 0);
            }

            if (ag.RefcRoot is { } c)
            {
                rmap.Map(c, 1, XfsRmapOwner.Refc, 0, 0);
            }

            if (ag.Log is { } log)
            {
                rmap.Map(log.Start, log.Count, XfsRmapOwner.Log, 0, 0);
            }

            rmap.Map(ag.FreeList.Start, ag.FreeList.Count, XfsRmapOwner.Ag, 0, 0);
            foreach (var (startAgino, freeMask) in ag.Inobt.Chunks)
            {
                rmap.Map(XfsGeometry.AginoToAgbno(startAgino), XfsGeometry.ChunkBlocks, XfsRmapOwner.Inodes, 0, 0);
                for (var i = 0; i < XfsGeometry.InodesPerChunk; i++)
                {
                    var ino = g.AginoToIno(ag.Agno, startAgino + (uint)i);
                    var used = (freeMask & (1UL << i)) == 0;
                    if (used != image.Inodes.ContainsKey(ino))
                    {
                        problems.Add($"inobt says inode {ino} is {(used ? "used" : "free")} but it is {(used ? "not allocated" : "allocated")}");
                    }
                }
            }
        }

        foreach (var ip in image.Inodes.Values)
        {
            foreach (var e in ip.DataFork.Extents)
            {
                var agno = g.FsbToAgno(e.StartBlock);
                var agbno = g.FsbToAgbno(e.StartBlock);
                expected[agno].Map(agbno, (uint)e.BlockCount, ip.Ino, e.StartOff, e.Unwritten ? RmapRecordFlags.Unwritten : 0);
                references[agno].Add((agbno, (uint)e.BlockCount));
            }

            foreach (var b in ip.BmbtBlocks)
            {
                expected[g.FsbToAgno(b)].Map(g.FsbToAgbno(b), 1, ip.Ino, 0, RmapRecordFlags.BmbtBlock);
            }

            foreach (var e in ip.AttrFork.Extents)
            {
                expected[g.FsbToAgno(e.StartBlock)].Map(g.FsbToAgbno(e.StartBlock), (uint)e.BlockCount, ip.Ino, e.StartOff, RmapRecordFlags.AttrFork);
            }

            foreach (var e in ip.CowFork.Extents)
            {
                expected[g.FsbToAgno(e.StartBlock)].Map(g.FsbToAgbno(e.StartBlock), (uint)e.BlockCount, XfsRmapOwner.Cow, 0, 0);
            }
        }

        foreach (var ag in image.Ags)
        {
            CompareRmap(ag, expected[ag.Agno], problems);
            if (image.HasReflink)
            {
                CompareRefcount(ag, references[ag.Agno], problems);
            }
            else if (Overlaps(references[ag.Agno]).Any(r => r.Count > 1))
            {
                problems.Add($"AG {ag.Agno}: blocks shared without reflink");
            }

            CompareFreeSpace(ag, problems);
        }

        return problems;
    }

    private static void CompareRmap(AllocationGroup ag, RmapBtree expected, List<string> problems)
    {
        var actual = ag.Rmap.Records.ToHashSet();
        foreach (var missing in expected.Records.Where(r => !actual.Contains(r)).Take(3))
        {
            problems.Add($"AG {ag.Agno}: rmapbt lacks {missing}");
        }

        var wanted = expected.Records.ToHashSet();
        foreach (var extra in actual.Where(r => !wanted.Contains(r)).Take(3))
        {
            problems.Add($"AG {ag.Agno}: rmapbt has stray {extra}");
        }
    }

    private static void CompareRefcount(AllocationGroup ag, List<(uint Start, uint Length)> mappings, List<string> problems)
    {
        var expected = new List<(uint Start, uint Length, uint Refcount)>();
        foreach (var (start, end, count) in Overlaps(mappings))
        {
            if (count < 2)
            {
                continue;
            }

            if (expected.Count > 0 && expected[^1].Start + expected[^1].Length == start && expected[^1].Refcount == count)
            {
                expected[^1] = (expected[^1].Start, expected[^1].Length + (end - start), count);
            }
            else
            {
                expected.Add((start, end - start, count));
            }
        }

        var actual = ag.Refcount.Records.ToList();
        if (!actual.SequenceEqual(expected))
        {
            problems.Add($"AG {ag.Agno}: refcountbt [{string.Join(" ", actual)}] should be [{string.Join(" ", expected)}]");
        }
    }

    /// <summary>
    /// The free extents and the rmapbt's records must partition the AG: no block free twice, no
    /// block both owned and free, none neither. A sweep over the extents' edges (memory and time
    /// grow with the records, not with the AG's size).
    /// </summary>
    private static void CompareFreeSpace(AllocationGroup ag, List<string> problems)
    {
        var owned = ag.Rmap.Records.Where(r => r.StartBlock < ag.Length).Select(r => (r.StartBlock, Math.Min(r.End, ag.Length) - r.StartBlock)).ToList();
        var free = ag.FreeSpace.Extents.ToList();
        foreach (var (start, _, count) in Overlaps(free))
        {
            if (count > 1)
            {
                problems.Add($"AG {ag.Agno}: block {start} is free twice");
            }
        }

        var edges = new List<(uint At, int Owned, int Free)> { (0, 0, 0), (ag.Length, 0, 0) };
        edges.AddRange(owned.SelectMany(e => new[] { (e.StartBlock, 1, 0), (e.StartBlock + e.Item2, -1, 0) }));
        edges.AddRange(free.SelectMany(e => new[] { (e.Start, 0, 1), (e.Start + e.Length, 0, -1) }));
        edges.Sort((a, b) => a.At.CompareTo(b.At));
        int ownedDepth = 0, freeDepth = 0;
        for (var i = 0; i < edges.Count; i++)
        {
            ownedDepth += edges[i].Owned;
            freeDepth += edges[i].Free;
            var at = edges[i].At;
            if ((i + 1 < edges.Count && edges[i + 1].At == at) || at >= ag.Length)
            {
                continue;
            }

            if (ownedDepth > 0 == freeDepth > 0)
            {
                problems.Add($"AG {ag.Agno}: block {at} is {(ownedDepth > 0 ? "owned and free" : "neither owned nor free")}");
                return;
            }
        }
    }

    /// <summary>
    /// The runs [Start, End) over which the same number of the given extents overlap (Count &gt; 0),
    /// in block order: a sweep over the extents' edges.
    /// </summary>
    private static IEnumerable<(uint Start, uint End, uint Count)> Overlaps(List<(uint Start, uint Length)> extents)
    {
        var edges = new List<(uint At, int Delta)>(extents.Count * 2);
        foreach (var (start, length) in extents)
        {
            if (length > 0)
            {
                edges.Add((start, 1));
                edges.Add((start + length, -1));
            }
        }

        edges.Sort((a, b) => a.At.CompareTo(b.At));
        var depth = 0;
        for (var i = 0; i < edges.Count; i++)
        {
            depth += edges[i].Delta;
            if (i + 1 < edges.Count && edges[i + 1].At == edges[i].At)
            {
                continue;
            }

            if (depth > 0 && i + 1 < edges.Count)
            {
                yield return (edges[i].At, edges[i + 1].At, (uint)depth);
            }
        }
    }
}
