using DaxHolder.Abstractions;

namespace DaxHolder.Plugins.Xfs.Format;

/// <summary>
/// How mkfs.xfs chooses the allocation groups (xfsprogs 6.1 mkfs/xfs_mkfs.c:
/// calculate_initial_ag_geometry(), calc_default_ag_geometry(), align_ag_geometry() and
/// validate_ag_geometry()), for 4 KiB blocks. Checked against mkfs.xfs 6.1 -N on sparse files
/// from 300 MiB to 64 TiB, with and without a stripe unit (tests/DaxHolder.Tests/Xfs/XfsAgGeometryTests.cs).
/// </summary>
internal static class XfsAgGeometry
{
    /// <summary>XFS_AG_MAX_BLOCKS(12): (XFS_AG_MAX_BYTES - 1) &gt;&gt; blocklog, one block short of 1 TiB.</summary>
    public const ulong AgMaxBlocks = ((1UL << 40) - 1) >> XfsGeometry.BlockLog;

    /// <summary>XFS_MAX_AGNUMBER + 1: agno is a 32-bit number with the last value reserved (NULLAGNUMBER).</summary>
    public const ulong MaxAgCount = uint.MaxValue;

    /// <summary>XFS_NOMULTIDISK_AGLOG: a single disk gets 2^2 AGs.</summary>
    private const int NoMultidiskAgLog = 2;

    /// <summary>XFS_MULTIDISK_AGLOG: a striped device gets up to 2^5 AGs.</summary>
    private const int MultidiskAgLog = 5;

    /// <summary>
    /// The AG size and count for <paramref name="dblocks"/> data blocks: an explicit agcount
    /// divides the blocks (rounding the size up); otherwise calc_default_ag_geometry(), where a
    /// stripe unit (<paramref name="stripeUnit"/> blocks, "multidisk") asks for more AGs. Then
    /// align_ag_geometry() rounds the size to the stripe unit and, when it is a multiple of a
    /// wider stripe width, takes one stripe unit off; and a last AG shorter than
    /// XFS_AG_MIN_BLOCKS is dropped with its blocks.
    /// </summary>
    public static ErrnoOr<(ulong AgSize, ulong AgCount, ulong DataBlocks)> Compute(ulong dblocks, uint? agcount, ulong stripeUnit, ulong stripeWidth)
    {
        ulong agsize;
        if (agcount is { } n)
        {
            agsize = (dblocks / n) + (dblocks % n != 0 ? 1UL : 0);
        }
        else
        {
            agsize = DefaultAgSize(dblocks, multidisk: stripeUnit > 0);
        }

        var count = Count(dblocks, agsize);
        if (stripeUnit > 0 && agsize % stripeUnit != 0)
        {
            var aligned = (agsize + stripeUnit - 1) / stripeUnit * stripeUnit;
            if (aligned > AgMaxBlocks)
            {
                aligned = agsize / stripeUnit * stripeUnit;
            }

            if (aligned >= XfsGeometry.AgMinBlocks || agsize < XfsGeometry.AgMinBlocks)
            {
                agsize = aligned;
                count = Count(dblocks, agsize);
            }
        }
        else if (stripeUnit > 0 && stripeWidth != stripeUnit && agsize % stripeWidth == 0 && count > 1 && agcount is null)
        {
            var shifted = agsize - stripeUnit;
            if (shifted < XfsGeometry.AgMinBlocks)
            {
                shifted = dblocks < agsize ? agsize : agsize + stripeUnit;
            }

            agsize = shifted;
            count = Count(dblocks, agsize);
        }

        if (agsize < XfsGeometry.AgMinBlocks)
        {
            return Fail($"agsize ({agsize} blocks) too small, need at least {XfsGeometry.AgMinBlocks} blocks");
        }

        if (agsize > AgMaxBlocks)
        {
            return Fail($"agsize ({agsize} blocks) too big, maximum is {AgMaxBlocks} blocks");
        }

        if (agsize > dblocks)
        {
            return Fail($"agsize ({agsize} blocks) too big, data area is {dblocks} blocks");
        }

        if (count > MaxAgCount)
        {
            return Fail($"{count} allocation groups is too many, maximum is {MaxAgCount}");
        }

        var tail = dblocks % agsize;
        if (tail != 0 && tail < XfsGeometry.AgMinBlocks && count > 1)
        {
            dblocks -= tail;
            count--;
        }

        return ErrnoOr<(ulong, ulong, ulong)>.Ok((agsize, count, dblocks));
    }

    /// <summary>
    /// calc_default_ag_geometry(): the largest AGs from 4 TiB up on a single disk and from 32 TiB
    /// up on a striped one; below, 2^shift AGs, the shift 2 on a single disk and, striped, 5 less
    /// one at or below 512 GiB, another at or below 8 GiB, and one more below each of 128, 64 and
    /// 32 MiB. The size is rounded up (unless already the largest) so no block is left over.
    /// </summary>
    private static ulong DefaultAgSize(ulong dblocks, bool multidisk)
    {
        if (dblocks >= (multidisk ? Tebibytes(32) : Tebibytes(4)))
        {
            return AgMaxBlocks;
        }

        var shift = NoMultidiskAgLog;
        if (multidisk)
        {
            shift = MultidiskAgLog;
            shift -= dblocks <= Gibibytes(512) ? 1 : 0;
            shift -= dblocks <= Gibibytes(8) ? 1 : 0;
            shift -= dblocks < Mebibytes(128) ? 1 : 0;
            shift -= dblocks < Mebibytes(64) ? 1 : 0;
            shift -= dblocks < Mebibytes(32) ? 1 : 0;
        }

        var blocks = dblocks >> shift;
        if ((dblocks & ((1UL << shift) - 1)) != 0 && blocks < AgMaxBlocks)
        {
            blocks++;
        }

        return Math.Min(blocks, AgMaxBlocks);
    }

    private static ulong Count(ulong dblocks, ulong agsize) => (dblocks / agsize) + (dblocks % agsize != 0 ? 1UL : 0);

    private static ulong Mebibytes(ulong n) => (n << 20) >> XfsGeometry.BlockLog;

    private static ulong Gibibytes(ulong n) => (n << 30) >> XfsGeometry.BlockLog;

    private static ulong Tebibytes(ulong n) => (n << 40) >> XfsGeometry.BlockLog;

    private static ErrnoOr<(ulong, ulong, ulong)> Fail(string message) =>
        ErrnoOr<(ulong, ulong, ulong)>.Fail(Errno.EINVAL, "mkfs.xfs: " + message);
}
