namespace DaxHolder.Plugins.Ext4.Layout;

/// <summary>
/// Which blocks are in use, as the per-group block bitmaps together say, plus the blocks freed in
/// the running transaction: mballoc does not hand those out again until the journal commits them
/// (fs/ext4/mballoc.c: ext4_mb_free_metadata and the per-group busy extents). Both are kept as
/// runs (<see cref="BlockRuns"/>), so memory follows what is allocated, not the device's size.
/// </summary>
internal sealed class BlockBitmap
{
    private readonly BlockRuns used = new();
    private readonly BlockRuns busy = new();

    public BlockBitmap(ulong blocks) => Blocks = blocks;

    /// <summary>The number of blocks the bitmaps cover.</summary>
    public ulong Blocks { get; }

    /// <summary>Whether some block freed in the running transaction waits for the commit.</summary>
    public bool HasBusy => !busy.IsEmpty;

    /// <summary>Whether a block is allocated.</summary>
    public bool IsUsed(ulong block) => used.Contains(block);

    /// <summary>Whether a block was freed in the running transaction (not reusable yet).</summary>
    public bool IsBusy(ulong block) => busy.Contains(block);

    /// <summary>Whether the allocator may hand out this block now.</summary>
    public bool IsAvailable(ulong block) => !used.Contains(block) && !busy.Contains(block);

    /// <summary>Marks [start, start+count) allocated.</summary>
    public void Take(ulong start, ulong count)
    {
        if (used.FirstIn(start, start + count) is { } twice)
        {
            throw new InvalidOperationException($"ext4 model: block {twice} allocated twice");
        }

        used.Add(start, start + count);
    }

    /// <summary>Frees [start, start+count): free in the bitmap, busy until the next commit.</summary>
    public void Free(ulong start, ulong count)
    {
        if (count == 0)
        {
            return;
        }

        if (!used.Covers(start, start + count))
        {
            var b = start;
            while (used.Contains(b))
            {
                b++;
            }

            throw new InvalidOperationException($"ext4 model: block {b} freed twice");
        }

        used.Remove(start, start + count);
        busy.Add(start, start + count);
    }

    /// <summary>jbd2 committed the running transaction: the freed blocks become reusable.</summary>
    public void Commit() => busy.Clear();

    /// <summary>Free (not allocated) blocks in [start, start+count).</summary>
    public ulong CountFree(ulong start, ulong count) => count - used.CountIn(start, start + count);

    /// <summary>The first block at or after <paramref name="from"/> (and before <paramref name="limit"/>) that starts a run of <paramref name="length"/> available blocks.</summary>
    public ulong? FindRun(ulong from, ulong limit, ulong length) => FindAlignedRun(from, limit, length, 1);

    /// <summary>
    /// The first multiple of <paramref name="align"/> at or after <paramref name="from"/> that
    /// starts a run of <paramref name="length"/> available blocks ending by <paramref name="limit"/>:
    /// a walk over the gaps between allocated and busy runs.
    /// </summary>
    public ulong? FindAlignedRun(ulong from, ulong limit, ulong length, ulong align)
    {
        var b = RoundUp(from, align);
        while (b + length <= limit)
        {
            if (NextUnavailable(b) is not { } blocked || blocked.Start >= b + length)
            {
                return b;
            }

            b = RoundUp(Math.Max(blocked.End, b + 1), align);
        }

        return null;
    }

    /// <summary>How many available blocks follow <paramref name="start"/> (itself included), up to <paramref name="max"/>.</summary>
    public ulong RunLength(ulong start, ulong max)
    {
        var end = Math.Min(start + max, Blocks);
        if (start >= end)
        {
            return 0;
        }

        var stop = NextUnavailable(start) is { } blocked ? Math.Min(Math.Max(blocked.Start, start), end) : end;
        return stop - start;
    }

    /// <summary>The first used or busy run ending after <paramref name="block"/> (the earlier of the two), or null.</summary>
    private (ulong Start, ulong End)? NextUnavailable(ulong block)
    {
        var u = used.NextFrom(block);
        var k = busy.NextFrom(block);
        return (u, k) switch
        {
            (null, null) => null,
            ({ } a, null) => a,
            (null, { } c) => c,
            ({ } a, { } c) => a.Start <= c.Start ? a : c,
        };
    }

    private static ulong RoundUp(ulong value, ulong align) => align <= 1 ? value : (value + align - 1) / align * align;
}
