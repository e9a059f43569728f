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
        var references = image.Ags.Select(ag => new uint[ag.Length]).ToArray();
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
                for (var b = agbno; b < agbno + e.BlockCount; b++)
                {
                    references[agno][b]++;
                }
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
            else if (references[ag.Agno].Any(n => n > 1))
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

    private static void CompareRefcount(AllocationGroup ag, uint[] references, List<string> problems)
    {
        var expected = new List<(uint Start, uint Length, uint Refcount)>();
        for (uint b = 0; b < references.Length; b++)
        {
            if (references[b] < 2)
            {
                continue;
            }

            if (expected.Count > 0 && expected[^1].Start + expected[^1].Length == b && expected[^1].Refcount == references[b])
            {
                expected[^1] = (expected[^1].Start, expected[^1].Length + 1, references[b]);
            }
            else
            {
                expected.Add((b, 1, references[b]));
            }
        }

        var actual = ag.Refcount.Records.ToList();
        if (!actual.SequenceEqual(expected))
        {
            problems.Add($"AG {ag.Agno}: refcountbt [{string.Join(" ", actual)}] should be [{string.Join(" ", expected)}]");
        }
    }

    private static void CompareFreeSpace(AllocationGroup ag, List<string> problems)
    {
        var owned = new bool[ag.Length];
        foreach (var r in ag.Rmap.Records)
        {
            for (var b = r.StartBlock; b < r.End && b < ag.Length; b++)
            {
                owned[b] = true;
            }
        }

        var free = new bool[ag.Length];
        foreach (var (start, length) in ag.FreeSpace.Extents)
        {
            for (var b = start; b < start + length; b++)
            {
                if (free[b])
                {
                    problems.Add($"AG {ag.Agno}: block {b} is free twice");
                }

                free[b] = true;
            }
        }

        for (uint b = 0; b < ag.Length; b++)
        {
            if (owned[b] == free[b])
            {
                problems.Add($"AG {ag.Agno}: block {b} is {(owned[b] ? "owned and free" : "neither owned nor free")}");
                return;
            }
        }
    }
}
