using System.Collections;

namespace DaxHolder.Kernel.Trace;

/// <summary>
/// A list that grows at its end in fixed chunks of 4096 items, for the machine's trace and log:
/// appending never copies what is there and never allocates one large array (a
/// <see cref="List{T}"/> of millions of decisions re-allocates and copies its whole array on the
/// large-object heap each time it doubles). Items can be replaced in place and the end cut off.
/// </summary>
internal sealed class AppendList<T> : IReadOnlyList<T>
{
    private const int ChunkShift = 12;
    private const int ChunkSize = 1 << ChunkShift;

    private readonly List<T[]> chunks = [];

    public int Count { get; private set; }

    public T this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            return chunks[index >> ChunkShift][index & (ChunkSize - 1)];
        }

        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            chunks[index >> ChunkShift][index & (ChunkSize - 1)] = value;
        }
    }

    /// <summary>The item at <paramref name="index"/>, to read or change in place.</summary>
    public ref T At(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return ref chunks[index >> ChunkShift][index & (ChunkSize - 1)];
    }

    public void Add(T item)
    {
        if ((Count >> ChunkShift) == chunks.Count)
        {
            chunks.Add(new T[ChunkSize]);
        }

        chunks[Count >> ChunkShift][Count & (ChunkSize - 1)] = item;
        Count++;
    }

    /// <summary>Forgets the items from <paramref name="count"/> on.</summary>
    public void TruncateTo(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Count);
        for (var i = count; i < Count; i++)
        {
            chunks[i >> ChunkShift][i & (ChunkSize - 1)] = default!;
        }

        Count = count;
        chunks.RemoveRange((count + ChunkSize - 1) >> ChunkShift, chunks.Count - ((count + ChunkSize - 1) >> ChunkShift));
    }

    /// <summary>The <paramref name="count"/> items from <paramref name="start"/>, copied into an array.</summary>
    public T[] Slice(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, Count);
        if (count == 0)
        {
            return [];
        }

        var result = new T[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = chunks[(start + i) >> ChunkShift][(start + i) & (ChunkSize - 1)];
        }

        return result;
    }

    /// <summary>The items from <paramref name="start"/> to the end, copied.</summary>
    public List<T> From(int start)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        var result = new List<T>(Math.Max(0, Count - start));
        for (var i = start; i < Count; i++)
        {
            result.Add(chunks[i >> ChunkShift][i & (ChunkSize - 1)]);
        }

        return result;
    }

    public IEnumerator<T> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return chunks[i >> ChunkShift][i & (ChunkSize - 1)];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
