namespace DaxHolder.Plugins.Ext4.Extents;

/// <summary>
/// struct ext4_extent: <paramref name="Length"/> file blocks from <paramref name="Logical"/>
/// stored at <paramref name="Physical"/>; an unwritten extent reads as zeroes (fallocate).
/// </summary>
/// <param name="Logical">ee_block.</param>
/// <param name="Physical">ee_start.</param>
/// <param name="Length">ee_len without the unwritten bit.</param>
/// <param name="Unwritten">Whether ee_len carries EXT_INIT_MAX_LEN (the unwritten mark).</param>
internal readonly record struct Extent(ulong Logical, ulong Physical, ulong Length, bool Unwritten)
{
    /// <summary>EXT_INIT_MAX_LEN: the longest written extent.</summary>
    public const ulong InitMaxLength = 32768;

    /// <summary>EXT_UNWRITTEN_MAX_LEN: the longest unwritten extent.</summary>
    public const ulong UnwrittenMaxLength = 32767;

    /// <summary>The first file block past the extent.</summary>
    public ulong End => Logical + Length;

    /// <summary>The longest extent of this kind.</summary>
    public ulong MaxLength => Unwritten ? UnwrittenMaxLength : InitMaxLength;

    /// <summary>The physical block of file block <paramref name="logical"/> (inside the extent).</summary>
    public ulong PhysicalOf(ulong logical) => Physical + (logical - Logical);

    /// <summary>The part of the extent inside [from, to), or null.</summary>
    public Extent? Clip(ulong from, ulong to)
    {
        var start = Math.Max(from, Logical);
        var end = Math.Min(to, End);
        return start >= end ? null : new Extent(start, PhysicalOf(start), end - start, Unwritten);
    }

    /// <summary>ext4_can_extents_be_merged: logically and physically adjacent, the same state, not too long.</summary>
    public bool CanAppend(Extent next) =>
        End == next.Logical && Physical + Length == next.Physical && Unwritten == next.Unwritten && Length + next.Length <= MaxLength;

    /// <summary>"[lblk, +len) at pblk" with "unwritten" where it applies.</summary>
    public override string ToString() => $"[{Logical}, +{Length}) at {Physical}{(Unwritten ? " unwritten" : "")}";
}
