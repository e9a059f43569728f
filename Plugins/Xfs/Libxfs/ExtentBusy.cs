namespace DaxHolder.Plugins.Xfs.Libxfs;

/// <summary>
/// fs/xfs/xfs_extent_busy.c: the extents of one AG that transactions have freed but whose freeing is
/// not yet on disk in a log checkpoint. They are back in the free-space btrees at once, yet until
/// the checkpoint commits (xlog_cil_committed() -&gt; xfs_extent_busy_clear()) the allocator must
/// not hand them out again: a crash would replay the old owner over the new data.
/// xfs_extent_busy_trim() cuts them out of a candidate free extent, and when nothing else fits
/// the allocator forces the log (xfs_extent_busy_flush()) and tries again.
/// </summary>
internal sealed class ExtentBusy
{
    private readonly SortedDictionary<uint, uint> busy = [];

    /// <summary>The busy extents in block order.</summary>
    public IEnumerable<(uint Start, uint Length)> Extents => busy.Select(e => (e.Key, e.Value));

    /// <summary>Whether any extent is busy.</summary>
    public bool Any => busy.Count > 0;

    /// <summary>xfs_extent_busy_insert(): blocks a transaction freed.</summary>
    public void Insert(uint start, uint length)
    {
        if (length > 0)
        {
            busy[start] = busy.TryGetValue(start, out var had) ? Math.Max(had, length) : length;
        }
    }

    /// <summary>xfs_extent_busy_clear() for every extent: the log checkpoint that freed them is on disk.</summary>
    public void Clear() => busy.Clear();

    /// <summary>Whether any block of [start, start+length) is busy.</summary>
    public bool Overlaps(uint start, uint length) =>
        busy.Any(b => b.Key < (ulong)start + length && start < (ulong)b.Key + b.Value);

    /// <summary>xfs_extent_busy_trim(): the parts of the free extent [start, start+length) that are not busy, in block order.</summary>
    public IEnumerable<(uint Start, uint Length)> Trim(uint start, uint length)
    {
        var at = (ulong)start;
        var end = (ulong)start + length;
        foreach (var (s, l) in busy)
        {
            var bEnd = (ulong)s + l;
            if (bEnd <= at || s >= end)
            {
                continue;
            }

            if (s > at)
            {
                yield return ((uint)at, (uint)(s - at));
            }

            at = Math.Max(at, bEnd);
        }

        if (at < end)
        {
            yield return ((uint)at, (uint)(end - at));
        }
    }
}
