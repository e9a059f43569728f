using System.Globalization;

namespace DaxHolder.Abstractions;

/// <summary>An inode number within one filesystem (i_ino; the rmap owner of file data).</summary>
/// <param name="Value">The inode number.</param>
public readonly record struct InodeNumber(ulong Value) : IComparable<InodeNumber>
{
    /// <inheritdoc />
    public int CompareTo(InodeNumber other) => Value.CompareTo(other.Value);

    /// <summary>Decimal, as the kernel prints i_ino.</summary>
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);

#pragma warning disable CS1591
    public static bool operator <(InodeNumber left, InodeNumber right) => left.Value < right.Value;
    public static bool operator >(InodeNumber left, InodeNumber right) => left.Value > right.Value;
    public static bool operator <=(InodeNumber left, InodeNumber right) => left.Value <= right.Value;
    public static bool operator >=(InodeNumber left, InodeNumber right) => left.Value >= right.Value;
#pragma warning restore CS1591
}
