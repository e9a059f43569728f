using System.Globalization;

namespace DaxHolder.Abstractions;

/// <summary>
/// A length in bytes (the kernel's u64 len or size_t). <see cref="Max"/> is the U64_MAX length
/// drivers/dax/super.c: kill_dax() passes to mean "the whole device".
/// </summary>
/// <param name="Value">The number of bytes.</param>
public readonly record struct ByteLength(ulong Value) : IComparable<ByteLength>
{
    /// <summary>No bytes.</summary>
    public static ByteLength Zero => default;

    /// <summary>U64_MAX: kill_dax's whole-device length (drivers/dax/super.c).</summary>
    public static ByteLength Max => new(ulong.MaxValue);

    /// <summary>One PAGE_SIZE.</summary>
    public static ByteLength Page => new(PageGeometry.PageSize);

    /// <summary>A length of whole pages.</summary>
    public static ByteLength FromPages(PageCount pages) => new(checked(pages.Value << PageGeometry.PageShift));

    /// <summary>Whole pages in this length, rounded down.</summary>
    public PageCount ToPagesRoundedDown() => new(Value >> PageGeometry.PageShift);

    /// <summary>Whether the length is a whole number of pages.</summary>
    public bool IsPageAligned => (Value & (PageGeometry.PageSize - 1)) == 0;

    /// <inheritdoc />
    public int CompareTo(ByteLength other) => Value.CompareTo(other.Value);

    /// <summary>Decimal bytes.</summary>
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);

#pragma warning disable CS1591
    public static ByteLength operator +(ByteLength left, ByteLength right) => new(checked(left.Value + right.Value));
    public static ByteLength operator -(ByteLength left, ByteLength right) => new(checked(left.Value - right.Value));
    public static bool operator <(ByteLength left, ByteLength right) => left.Value < right.Value;
    public static bool operator >(ByteLength left, ByteLength right) => left.Value > right.Value;
    public static bool operator <=(ByteLength left, ByteLength right) => left.Value <= right.Value;
    public static bool operator >=(ByteLength left, ByteLength right) => left.Value >= right.Value;
#pragma warning restore CS1591
}
