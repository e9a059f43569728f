using DaxHolder.Abstractions;

namespace DaxHolder.Plugins.Xfs.Format;

/// <summary>
/// The superblock geometry (libxfs/xfs_format.h, xfs_types.h) and the unit conversions that go
/// with it. A filesystem block number (fsbno) is <c>agno &lt;&lt; agblklog | agbno</c>, not linear;
/// a disk address (daddr) counts 512-byte basic blocks from the start of the device.
/// </summary>
internal sealed class XfsGeometry
{
    /// <summary>sb_blocklog: 4 KiB blocks, the only size DAX takes (fs/xfs/xfs_super.c: xfs_setup_dax_always()).</summary>
    public const int BlockLog = 12;

    /// <summary>sb_blocksize.</summary>
    public const ulong BlockSize = 1UL << BlockLog;

    /// <summary>BBSHIFT: a basic block is 512 bytes.</summary>
    public const int BbShift = 9;

    /// <summary>sb_inodesize: 512 bytes (V5).</summary>
    public const int InodeSize = 512;

    /// <summary>sb_inopblog: 8 inodes per block.</summary>
    public const int InodesPerBlockLog = 3;

    /// <summary>XFS_INODES_PER_CHUNK.</summary>
    public const int InodesPerChunk = 64;

    /// <summary>Blocks in one inode chunk (64 x 512 bytes = 32 KiB), also sb_inoalignmt.</summary>
    public const uint ChunkBlocks = InodesPerChunk >> InodesPerBlockLog;

    /// <summary>XFS_AG_MIN_BLOCKS: an AG is at least 16 MiB.</summary>
    public const uint AgMinBlocks = (16u << 20) >> BlockLog;

    /// <summary>xfsprogs 5.19+: a filesystem is at least 300 MB.</summary>
    public const ulong MinDataBlocks = (300UL << 20) >> BlockLog;

    /// <summary>XFS_MIN_REALISTIC_LOG_BLOCKS since xfsprogs 5.15: 64 MiB.</summary>
    public const uint MinRealisticLogBlocks = (64u << 20) >> BlockLog;

    /// <summary>XFS_MAX_LOG_BYTES: 2 GiB less XFS_MIN_LOG_BYTES (10 MiB), 521728 blocks (libxfs/xfs_log_format.h).</summary>
    public const ulong MaxLogBlocks = ((2UL << 30) - (10UL << 20)) >> BlockLog;

    public XfsGeometry(uint agCount, uint agBlocks, ulong dataBlocks)
    {
        AgCount = agCount;
        AgBlocks = agBlocks;
        DataBlocks = dataBlocks;
        AgBlkLog = 0;
        while ((1UL << AgBlkLog) < agBlocks)
        {
            AgBlkLog++;
        }
    }

    /// <summary>sb_agcount.</summary>
    public uint AgCount { get; }

    /// <summary>sb_agblocks: the size of every AG but possibly the last.</summary>
    public uint AgBlocks { get; }

    /// <summary>sb_agblklog: log2 of AgBlocks, rounded up.</summary>
    public int AgBlkLog { get; }

    /// <summary>sb_dblocks: blocks in the data device's filesystem.</summary>
    public ulong DataBlocks { get; }

    /// <summary>agf_length: the blocks of AG <paramref name="agno"/> (the last AG may be short).</summary>
    public uint AgLength(uint agno) =>
        agno + 1 < AgCount ? AgBlocks : (uint)(DataBlocks - ((ulong)agno * AgBlocks));

    /// <summary>XFS_AGB_TO_FSB.</summary>
    public ulong AgbToFsb(uint agno, uint agbno) => ((ulong)agno << AgBlkLog) | agbno;

    /// <summary>XFS_FSB_TO_AGNO.</summary>
    public uint FsbToAgno(ulong fsbno) => (uint)(fsbno >> AgBlkLog);

    /// <summary>XFS_FSB_TO_AGBNO.</summary>
    public uint FsbToAgbno(ulong fsbno) => (uint)(fsbno & ((1UL << AgBlkLog) - 1));

    /// <summary>The block's linear number on the device (XFS_FSB_TO_DADDR in blocks).</summary>
    public ulong FsbToLinear(ulong fsbno) => ((ulong)FsbToAgno(fsbno) * AgBlocks) + FsbToAgbno(fsbno);

    /// <summary>The fsbno of a linear block number.</summary>
    public ulong LinearToFsb(ulong block) => AgbToFsb((uint)(block / AgBlocks), (uint)(block % AgBlocks));

    /// <summary>XFS_DADDR_TO_FSB: the block holding a 512-byte basic block.</summary>
    public ulong DaddrToFsb(ulong daddr) => LinearToFsb(daddr >> (BlockLog - BbShift));

    /// <summary>The byte offset of a block from the start of the data device.</summary>
    public ByteLength FsbToByteOffset(ulong fsbno) => new(FsbToLinear(fsbno) << BlockLog);

    /// <summary>XFS_INO_TO_AGNO.</summary>
    public uint InoToAgno(ulong ino) => (uint)(ino >> (AgBlkLog + InodesPerBlockLog));

    /// <summary>XFS_INO_TO_AGINO.</summary>
    public uint InoToAgino(ulong ino) => (uint)(ino & ((1UL << (AgBlkLog + InodesPerBlockLog)) - 1));

    /// <summary>XFS_AGINO_TO_INO.</summary>
    public ulong AginoToIno(uint agno, uint agino) => ((ulong)agno << (AgBlkLog + InodesPerBlockLog)) | agino;

    /// <summary>XFS_AGINO_TO_AGBNO: the block holding an inode.</summary>
    public static uint AginoToAgbno(uint agino) => agino >> InodesPerBlockLog;

    /// <summary>XFS_AGB_TO_AGINO: the first inode of a block.</summary>
    public static uint AgbToAgino(uint agbno) => agbno << InodesPerBlockLog;

    /// <summary>XFS_INO_TO_FSB: the block holding an inode.</summary>
    public ulong InoToFsb(ulong ino) => AgbToFsb(InoToAgno(ino), AginoToAgbno(InoToAgino(ino)));

    /// <summary>
    /// mkfs.xfs's geometry for a device of <paramref name="deviceBlocks"/> blocks (at least 300 MB,
    /// as xfsprogs 5.19+ requires): the AGs as <see cref="XfsAgGeometry"/> chooses them.
    /// </summary>
    public static ErrnoOr<XfsGeometry> Compute(ulong deviceBlocks, uint? agcount, ulong stripeUnitBlocks = 0, ulong stripeWidthBlocks = 0)
    {
        if (deviceBlocks < MinDataBlocks)
        {
            return ErrnoOr<XfsGeometry>.Fail(Errno.EINVAL, "mkfs.xfs: Filesystem must be larger than 300MB.");
        }

        var ags = XfsAgGeometry.Compute(deviceBlocks, agcount, stripeUnitBlocks, stripeWidthBlocks);
        return ags.IsOk
            ? ErrnoOr<XfsGeometry>.Ok(new XfsGeometry((uint)ags.Value.AgCount, (uint)ags.Value.AgSize, ags.Value.DataBlocks))
            : ErrnoOr<XfsGeometry>.Fail(ags.Error, ags.Message);
    }
}
