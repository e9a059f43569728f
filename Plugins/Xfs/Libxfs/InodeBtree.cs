using System.Numerics;
using DaxHolder.Plugins.Xfs.Format;

namespace DaxHolder.Plugins.Xfs.Libxfs;

/// <summary>
/// One AG's inode btree (libxfs/xfs_ialloc.c): a record per 64-inode chunk with a mask of its
/// free inodes. The free-inode btree (finobt) holds the records that have a free inode, so the
/// model derives it.
/// </summary>
internal sealed class InodeBtree
{
    private readonly SortedDictionary<uint, ulong> chunks = [];

    /// <summary>The chunks: first agino and free mask (bit i set: inode first+i is free).</summary>
    public IEnumerable<(uint StartAgino, ulong FreeMask)> Chunks => chunks.Select(c => (c.Key, c.Value));

    /// <summary>The chunk holding <paramref name="agino"/>, if allocated.</summary>
    public uint? ChunkOf(uint agino)
    {
        var start = agino & ~(uint)(XfsGeometry.InodesPerChunk - 1);
        return chunks.ContainsKey(start) ? start : null;
    }

    /// <summary>The last chunk allocated (agi_newino's role: new chunks go right after it when they can).</summary>
    public uint? NewestChunk { get; private set; }

    /// <summary>xfs_ialloc_ag_alloc's insert: a new chunk of free inodes.</summary>
    public void AddChunk(uint startAgino)
    {
        chunks.Add(startAgino, ulong.MaxValue);
        NewestChunk = startAgino;
    }

    /// <summary>The lowest free agino, searching from the chunk holding <paramref name="near"/> (xfs_dialloc_ag_finobt_near, simplified).</summary>
    public uint? FirstFree(uint near)
    {
        var start = near & ~(uint)(XfsGeometry.InodesPerChunk - 1);
        foreach (var (s, mask) in chunks.Where(c => c.Key >= start).Concat(chunks.Where(c => c.Key < start)))
        {
            if (mask != 0)
            {
                return s + (uint)BitOperations.TrailingZeroCount(mask);
            }
        }

        return null;
    }

    /// <summary>Marks an inode in use.</summary>
    public void Use(uint agino)
    {
        var start = ChunkOf(agino) ?? throw new InvalidOperationException($"xfs: agino {agino} has no chunk");
        chunks[start] &= ~(1UL << (int)(agino - start));
    }

    /// <summary>
    /// xfs_difree_inobt: the inode is free again. Returns the chunk's first agino when the whole
    /// chunk is now free, so the caller frees its blocks (no ikeep).
    /// </summary>
    public uint? Free(uint agino)
    {
        var start = ChunkOf(agino) ?? throw new InvalidOperationException($"xfs: agino {agino} has no chunk");
        var mask = chunks[start] | (1UL << (int)(agino - start));
        if (mask == ulong.MaxValue)
        {
            chunks.Remove(start);
            return start;
        }

        chunks[start] = mask;
        return null;
    }
}
