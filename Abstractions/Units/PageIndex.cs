using System.Globalization;

namespace DaxHolder.Abstractions;

/// <summary>
/// A page index inside a file: the kernel's pgoff_t, page->index, the DAX xarray index and the
/// index mf_dax_kill_procs takes.
/// </summary>
/// <param name="Value">The page index.</param>
public readonly record struct PageIndex(ulong Value) : IComparable<PageIndex>
{
    /// <summary>The index <paramref name="count"/> pages further on.</summary>
    public PageIndex Add(PageCount count) => new(checked(Value + count.Value));

    /// <inheritdoc />
    public int CompareTo(PageIndex other) => Value.CompareTo(other.Value);

    /// <summary>Decimal index.</summary>
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);

#pragma warning disable CS1591
    public static bool operator <(PageIndex left, PageIndex right) => left.Value < right.Value;
    public static bool operator >(PageIndex left, PageIndex right) => left.Value > right.Value;
    public static bool operator <=(PageIndex left, PageIndex right) => left.Value <= right.Value;
    public static bool operator >=(PageIndex left, PageIndex right) => left.Value >= right.Value;
#pragma warning restore CS1591
}
