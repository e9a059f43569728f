namespace DaxHolder.Kernel.Drivers.Nvdimm;

/// <summary>
/// A sparse set of page numbers, kept as one 512-bit bitmap per 2 MiB of the device that holds any
/// of them (the granularity of the bad-range lists the pmem driver keeps: a machine check marks a
/// page, ARS marks ranges). Adding, removing and testing a page cost a hash lookup and allocate
/// nothing once its 2 MiB has a bitmap; ordered reads and range queries walk the bitmaps of the
/// range in order. Memory follows the poisoned 2 MiB areas, never the device size.
/// </summary>
internal sealed class PageSet
{
    private const int ChunkShift = 9;
    private const ulong ChunkPages = 1UL << ChunkShift;
    private const int WordsPerChunk = (int)(ChunkPages / 64);

    private readonly Dictionary<ulong, ulong[]> chunks = [];

    // The chunk numbers in order, for ordered reads and range queries; rebuilt only when a read
    // needs it after chunks were added or dropped.
    private ulong[] order = [];
    private bool orderStale;

    /// <summary>How many pages the set holds.</summary>
    public int Count { get; private set; }

    /// <summary>Adds <paramref name="page"/>; false if it was already there.</summary>
    public bool Add(ulong page)
    {
        var key = page >> ChunkShift;
        if (!chunks.TryGetValue(key, out var bits))
        {
            bits = new ulong[WordsPerChunk];
            chunks.Add(key, bits);
            orderStale = true;
        }

        var (word, mask) = Bit(page);
        if ((bits[word] & mask) != 0)
        {
            return false;
        }

        bits[word] |= mask;
        Count++;
        return true;
    }

    /// <summary>Removes <paramref name="page"/>; false if it was not there.</summary>
    public bool Remove(ulong page)
    {
        var key = page >> ChunkShift;
        if (!chunks.TryGetValue(key, out var bits))
        {
            return false;
        }

        var (word, mask) = Bit(page);
        if ((bits[word] & mask) == 0)
        {
            return false;
        }

        bits[word] &= ~mask;
        Count--;
        if (Array.TrueForAll(bits, w => w == 0))
        {
            chunks.Remove(key);
            orderStale = true;
        }

        return true;
    }

    /// <summary>Whether <paramref name="page"/> is in the set.</summary>
    public bool Contains(ulong page)
    {
        if (!chunks.TryGetValue(page >> ChunkShift, out var bits))
        {
            return false;
        }

        var (word, mask) = Bit(page);
        return (bits[word] & mask) != 0;
    }

    /// <summary>The first page of the set in [<paramref name="first"/>, <paramref name="last"/>], or null.</summary>
    public ulong? FirstBetween(ulong first, ulong last)
    {
        if (Count == 0 || first > last)
        {
            return null;
        }

        var firstKey = first >> ChunkShift;
        var lastKey = last >> ChunkShift;
        if (lastKey - firstKey < 4)
        {
            // A short range: look its few chunks up directly.
            for (var key = firstKey; key <= lastKey; key++)
            {
                if (chunks.TryGetValue(key, out var bits) && FirstIn(key, bits, first, last) is { } found)
                {
                    return found;
                }
            }

            return null;
        }

        var sorted = Ordered();
        for (var i = LowerBound(sorted, firstKey); i < sorted.Length && sorted[i] <= lastKey; i++)
        {
            if (FirstIn(sorted[i], chunks[sorted[i]], first, last) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>The pages of the set, in order.</summary>
    public IEnumerable<ulong> InOrder()
    {
        foreach (var key in Ordered())
        {
            var bits = chunks[key];
            for (var w = 0; w < WordsPerChunk; w++)
            {
                for (var rest = bits[w]; rest != 0; rest &= rest - 1)
                {
                    yield return (key << ChunkShift) + ((ulong)w * 64) + (ulong)System.Numerics.BitOperations.TrailingZeroCount(rest);
                }
            }
        }
    }

    private static (int Word, ulong Mask) Bit(ulong page)
    {
        var within = (int)(page & (ChunkPages - 1));
        return (within >> 6, 1UL << (within & 63));
    }

    private static ulong? FirstIn(ulong key, ulong[] bits, ulong first, ulong last)
    {
        var start = key << ChunkShift;
        var from = first > start ? (int)(first - start) : 0;
        var to = last - start < ChunkPages - 1 ? (int)(last - start) : (int)(ChunkPages - 1);
        for (var w = from >> 6; w <= to >> 6; w++)
        {
            var word = bits[w];
            if (w == from >> 6)
            {
                word &= ~0UL << (from & 63);
            }

            if (w == to >> 6 && (to & 63) != 63)
            {
                word &= (1UL << ((to & 63) + 1)) - 1;
            }

            if (word != 0)
            {
                return start + ((ulong)w * 64) + (ulong)System.Numerics.BitOperations.TrailingZeroCount(word);
            }
        }

        return null;
    }

    private static int LowerBound(ulong[] sorted, ulong key)
    {
        var index = Array.BinarySearch(sorted, key);
        return index >= 0 ? index : ~index;
    }

    private ulong[] Ordered()
    {
        if (orderStale)
        {
            order = [.. chunks.Keys];
            Array.Sort(order);
            orderStale = false;
        }

        return order;
    }
}
