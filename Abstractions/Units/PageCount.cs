using System.Globalization;

namespace DaxHolder.Abstractions;

/// <summary>A number of pages (mf_dax_kill_procs' count, nr_pages).</summary>
/// <param name="Value">The number of pages.</param>
public readonly record struct PageCount(ulong Value) : IComparable<PageCount>
{
    /// <summary>One page.</summary>
    public static PageCount One => new(1);

    /// <inheritdoc />
    public int CompareTo(PageCount other) => Value.CompareTo(other.Value);

    /// <summary>Decimal count.</summary>
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);

#pragma warning disable CS1591
    public static bool operator <(PageCount left, PageCount right) => left.Value < right.Value;
    public static bool operator >(PageCount left, PageCount right) => left.Value > right.Value;
    public static bool operator <=(PageCount left, PageCount right) => left.Value <= right.Value;
    public static bool operator >=(PageCount left, PageCount right) => left.Value >= right.Value;
#pragma warning restore CS1591
}
