namespace DaxHolder.Abstractions;

/// <summary>A byte range of the pmem disk: where a file extent or a piece of metadata lives.</summary>
/// <param name="Start">The first byte.</param>
/// <param name="Length">The number of bytes.</param>
public readonly record struct DeviceExtent(DeviceOffset Start, ByteLength Length)
{
    /// <summary>The first byte past the extent.</summary>
    public DeviceOffset End => Start.Add(Length);

    /// <summary>Whether the extent holds <paramref name="offset"/>.</summary>
    public bool Contains(DeviceOffset offset) => offset >= Start && offset.Value - Start.Value < Length.Value;

    /// <summary>Whether the two extents share at least one byte.</summary>
    public bool Overlaps(DeviceExtent other) =>
        Length.Value != 0 && other.Length.Value != 0 && Start < other.End && other.Start < End;

    /// <summary>[start, end) in hex.</summary>
    public override string ToString() => $"[{Start}, {End})";
}
