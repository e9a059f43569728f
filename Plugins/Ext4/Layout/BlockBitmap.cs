using System.Collections;

namespace DaxHolder.Plugins.Ext4.Layout;

/// <summary>
/// Which blocks are in use, as the per-group block bitmaps together say, plus the blocks freed in
/// the running transaction: mballoc does not hand those out again until the journal commits them
/// (fs/ext4/mballoc.c: ext4_mb_free_metadata and the per-group busy extents).
/// </summary>
internal sealed class BlockBitmap
{
    private readonly BitArray used;
    private readonly BitArray busy;

    public BlockBitmap(ulong blocks)
    {
        Blocks = blocks;
        used = new BitArray(checked((int)blocks));
        busy = new BitArray(checked((int)blocks));
    }

    /// <summary>The number of blocks the bitmaps cover.</summary>
    public ulong Blocks { get; }

    /// <summary>Whether a block is allocated.</summary>
    public bool IsUsed(ulong block) => used[(int)block];

    /// <summary>Whether a block was freed in the running transaction (not reusable yet).</summary>
    public bool IsBusy(ulong block) => busy[(int)block];

    /// <summary>Whether the allocator may hand out this block now.</summary>
    public bool IsAvailable(ulong block) => !used[(int)block] && !busy[(int)block];

    /// <summary>Marks [start, start+count) allocated.</summary>
    public void Take(ulong start, ulong count)
    {
        for (var b = start; b < start + count; b++)
        {
            if (used[(int)b])
            {
                throw new InvalidOperationException($"ext4 model: block {b} allocated twice");
            }

            used[(int)b] = true;
        }
    }

    /// <summary>Frees [start, start+count): free in the bitmap, busy until the next commit.</summary>
    public void Free(ulong start, ulong count)
    {
        for (var b = start; b < start + count; b++)
        {
            if (!used[(int)b])
            {
                throw new InvalidOperationException($"ext4 model: block {b} freed twice");
            }

            used[(int)b] = false;
            busy[(int)b] = true;
        }
    }

    /// <summary>jbd2 committed the running transaction: the freed blocks become reusable.</summary>
    public void Commit() => busy.SetAll(false);

    /// <summary>Free (not allocated) blocks in [start, start+count).</summary>
    public ulong CountFree(ulong start, ulong count)
    {
        ulong free = 0;
        for (var b = start; b < start + count; b++)
        {
            free += used[(int)b] ? 0UL : 1UL;
        }

        return free;
    }

    /// <summary>The first block at or after <paramref name="from"/> (and before <paramref name="limit"/>) that starts a run of <paramref name="length"/> available blocks.</summary>
    public ulong? FindRun(ulong from, ulong limit, ulong length)
    {
        var b = from;
        while (b + length <= limit)
        {
            var run = 0UL;
            while (run < length && IsAvailable(b + run))
            {
                run++;
            }

            if (run == length)
            {
                return b;
            }

            b += run + 1;
        }

        return null;
    }

    /// <summary>How many available blocks follow <paramref name="start"/> (itself included), up to <paramref name="max"/>.</summary>
    public ulong RunLength(ulong start, ulong max)
    {
        ulong run = 0;
        while (run < max && start + run < Blocks && IsAvailable(start + run))
        {
            run++;
        }

        return run;
    }
}
