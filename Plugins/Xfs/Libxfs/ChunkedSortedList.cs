using System.Collections;

namespace DaxHolder.Plugins.Xfs.Libxfs;

/// <summary>
/// A sorted set of small structs kept in sorted chunks of at most 256 items, as a btree keeps
/// records in leaf blocks: an item is found by bisecting the chunks' first items (kept together
/// in one array, as a btree node keeps its keys, so the bisection reads one run of memory), then
/// the chunk. Inserts move at most a chunk; a range is read from a cursor without allocating; each
/// item costs its own size plus a share of its chunk (a node-per-item tree costs far more).
/// </summary>
/// <typeparam name="T">The item: its order is the comparer's, and equal items are one item.</typeparam>
/// <typeparam name="TComparer">The order, a struct so that every comparison is a direct, inlinable call.</typeparam>
internal sealed class ChunkedSortedList<T, TComparer>(TComparer comparer) : IEnumerable<T>
    where T : struct
    where TComparer : struct, IComparer<T>
{
    private const int ChunkSize = 256;
    private readonly List<List<T>> chunks = [];

    // firsts[c] is chunks[c][0].
    private readonly List<T> firsts = [];

    public int Count { get; private set; }

    /// <summary>The first item (the set is not empty).</summary>
    public T Min => chunks[0][0];

    /// <summary>The last item (the set is not empty).</summary>
    public T Max => chunks[^1][^1];

    /// <summary>Adds the item; false when an equal item is already there.</summary>
    public bool Add(T item)
    {
        if (chunks.Count == 0)
        {
            chunks.Add([item]);
            firsts.Add(item);
            Count++;
            return true;
        }

        var c = ChunkFor(item);
        var chunk = chunks[c];
        var at = Find(chunk, item);
        if (at >= 0)
        {
            return false;
        }

        if (~at == chunk.Count && c == chunks.Count - 1 && chunk.Count >= ChunkSize)
        {
            // An append to a full last chunk starts a new one and leaves the full chunk full, so a
            // store filled in key order (files written one after another) has no half-empty chunks.
            chunks.Add([item]);
            firsts.Add(item);
            Count++;
            return true;
        }

        chunk.Insert(~at, item);
        if (~at == 0)
        {
            firsts[c] = item;
        }

        Count++;
        if (chunk.Count > ChunkSize)
        {
            var half = chunk.Count / 2;
            chunks.Insert(c + 1, chunk.GetRange(half, chunk.Count - half));
            firsts.Insert(c + 1, chunk[half]);
            chunk.RemoveRange(half, chunk.Count - half);
        }

        return true;
    }

    /// <summary>Removes the item; false when it is not there.</summary>
    public bool Remove(T item)
    {
        if (chunks.Count == 0)
        {
            return false;
        }

        var c = ChunkFor(item);
        var at = Find(chunks[c], item);
        if (at < 0)
        {
            return false;
        }

        chunks[c].RemoveAt(at);
        Count--;
        if (chunks[c].Count == 0)
        {
            chunks.RemoveAt(c);
            firsts.RemoveAt(c);
        }
        else if (at == 0)
        {
            firsts[c] = chunks[c][0];
        }

        return true;
    }

    /// <summary>A cursor at the first item not less than <paramref name="key"/>.</summary>
    public Cursor From(T key)
    {
        if (chunks.Count == 0)
        {
            return new Cursor(chunks, 0, 0);
        }

        var c = ChunkFor(key);
        var at = Find(chunks[c], key);
        return new Cursor(chunks, c, at >= 0 ? at : ~at);
    }

    public IEnumerator<T> GetEnumerator()
    {
        foreach (var chunk in chunks)
        {
            foreach (var item in chunk)
            {
                yield return item;
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The chunk an item belongs in: the last whose first item is not greater than it (or the first).</summary>
    private int ChunkFor(T item)
    {
        var keys = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(firsts);
        int lo = 0, hi = keys.Length - 1, found = 0;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (comparer.Compare(keys[mid], item) <= 0)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }

    /// <summary>List.BinarySearch's answer (the index, or the complement of where it would go), without boxing the comparer.</summary>
    private int Find(List<T> chunk, T item) =>
        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(chunk).BinarySearch(item, comparer);

    /// <summary>Reads items in order from a position; a struct, so a range read allocates nothing.</summary>
    internal struct Cursor(List<List<T>> chunks, int chunk, int index)
    {
        private int chunk = chunk;
        private int index = index;

        /// <summary>The next item, or false past the last.</summary>
        public bool Next(out T item)
        {
            while (chunk < chunks.Count && index >= chunks[chunk].Count)
            {
                chunk++;
                index = 0;
            }

            if (chunk >= chunks.Count)
            {
                item = default;
                return false;
            }

            item = chunks[chunk][index++];
            return true;
        }
    }
}
