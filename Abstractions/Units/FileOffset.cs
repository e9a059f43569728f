using System.Globalization;

namespace DaxHolder.Abstractions;

/// <summary>A byte offset inside a file (the kernel's loff_t, never negative here).</summary>
/// <param name="Value">The byte offset.</param>
public readonly record struct FileOffset(ulong Value) : IComparable<FileOffset>
{
    /// <summary>The file's first byte.</summary>
    public static FileOffset Zero => default;

    /// <summary>The first byte of a page of the file.</summary>
    public static FileOffset Of(PageIndex index) => new(checked(index.Value << PageGeometry.PageShift));

    /// <summary>The page holding this byte (offset &gt;&gt; PAGE_SHIFT).</summary>
    public PageIndex ToPageIndex() => new(Value >> PageGeometry.PageShift);

    /// <summary>The offset <paramref name="length"/> bytes further on.</summary>
    public FileOffset Add(ByteLength length) => new(checked(Value + length.Value));

    /// <summary>The distance from <paramref name="start"/> to this offset.</summary>
    public ByteLength Since(FileOffset start) => new(checked(Value - start.Value));

    /// <summary>Whether the offset falls on a page boundary.</summary>
    public bool IsPageAligned => (Value & (PageGeometry.PageSize - 1)) == 0;

    /// <inheritdoc />
    public int CompareTo(FileOffset other) => Value.CompareTo(other.Value);

    /// <summary>Decimal bytes.</summary>
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);

#pragma warning disable CS1591
    public static bool operator <(FileOffset left, FileOffset right) => left.Value < right.Value;
    public static bool operator >(FileOffset left, FileOffset right) => left.Value > right.Value;
    public static bool operator <=(FileOffset left, FileOffset right) => left.Value <= right.Value;
    public static bool operator >=(FileOffset left, FileOffset right) => left.Value >= right.Value;
#pragma warning restore CS1591
}
