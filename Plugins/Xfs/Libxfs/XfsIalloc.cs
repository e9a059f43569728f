using DaxHolder.Abstractions;
using DaxHolder.Plugins.Xfs.Format;

namespace DaxHolder.Plugins.Xfs.Libxfs;

/// <summary>
/// libxfs/xfs_ialloc.c: inode allocation. A file's inode goes in its parent's AG, a directory's
/// in the next AG of the mount's rotor (xfs_dialloc); a free inode of an existing chunk is used
/// first; otherwise a new 64-inode chunk (8 blocks, inode-aligned) is allocated right after the
/// AG's newest chunk if that is free, else first fit. A chunk whose inodes are all free again
/// gives its blocks back (no ikeep).
/// </summary>
internal static class XfsIalloc
{
    /// <summary>xfs_dialloc: a new inode number, or -ENOSPC.</summary>
    public static ErrnoOr<ulong> Dialloc(XfsImage image, ulong parent, bool directory, ref uint rotor)
    {
        ArgumentNullException.ThrowIfNull(image);
        var g = image.Geometry;
        var parentAg = g.InoToAgno(parent);
        var start = directory ? rotor++ % g.AgCount : parentAg;
        for (uint i = 0; i < g.AgCount; i++)
        {
            var agno = (start + i) % g.AgCount;
            var ag = image.Ags[(int)agno];
            var near = agno == parentAg ? g.InoToAgino(parent) : 0;
            if (ag.Inobt.FirstFree(near) is not { } agino)
            {
                var newest = ag.Inobt.NewestChunk is { } n ? XfsGeometry.AginoToAgbno(n) + XfsGeometry.ChunkBlocks : (uint?)null;
                var chunk = newest is { } exact && exact + XfsGeometry.ChunkBlocks <= ag.Length && ag.FreeSpace.IsFree(exact, XfsGeometry.ChunkBlocks)
                    ? exact
                    : FindChunkSpace(ag, near: AllocationGroup.InoRoot);
                if (chunk is not { } c)
                {
                    continue;
                }

                ag.Allocate(c, XfsGeometry.ChunkBlocks, XfsRmapOwner.Inodes);
                agino = XfsGeometry.AgbToAgino(c);
                ag.Inobt.AddChunk(agino);
            }

            ag.Inobt.Use(agino);
            return ErrnoOr<ulong>.Ok(g.AginoToIno(agno, agino));
        }

        return ErrnoOr<ulong>.Fail(Errno.ENOSPC, "xfs: no space for a new inode chunk");
    }

    /// <summary>xfs_difree: the inode is free; a chunk left with no inode in use gives its blocks back.</summary>
    public static void Difree(XfsImage image, ulong ino)
    {
        ArgumentNullException.ThrowIfNull(image);
        var g = image.Geometry;
        var ag = image.Ags[(int)g.InoToAgno(ino)];
        if (ag.Inobt.Free(g.InoToAgino(ino)) is { } chunk)
        {
            ag.Release(XfsGeometry.AginoToAgbno(chunk), XfsGeometry.ChunkBlocks, XfsRmapOwner.Inodes);
        }
    }

    /// <summary>The first inode-aligned run of 8 free blocks in the AG at or after <paramref name="near"/>, then from 0.</summary>
    public static uint? FindChunkSpace(AllocationGroup ag, uint near)
    {
        ArgumentNullException.ThrowIfNull(ag);
        foreach (var from in new[] { near, 0u })
        {
            foreach (var (s, l) in ag.Allocatable)
            {
                var start = Math.Max(s, from);
                start = (start + XfsGeometry.ChunkBlocks - 1) / XfsGeometry.ChunkBlocks * XfsGeometry.ChunkBlocks;
                if ((ulong)start + XfsGeometry.ChunkBlocks <= (ulong)s + l)
                {
                    return start;
                }
            }
        }

        return null;
    }
}
