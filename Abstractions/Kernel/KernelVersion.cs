using System.Globalization;

namespace DaxHolder.Abstractions.Kernel;

/// <summary>A kernel release, e.g. 6.1.192 or 6.12.95 (the Debian kernels observed under QEMU with an emulated NVDIMM).</summary>
/// <param name="Major">The major number.</param>
/// <param name="Minor">The minor number.</param>
/// <param name="Patch">The stable patch level.</param>
public readonly record struct KernelVersion(int Major, int Minor, int Patch) : IComparable<KernelVersion>
{
    /// <inheritdoc />
    public int CompareTo(KernelVersion other) =>
        Major != other.Major ? Major.CompareTo(other.Major)
        : Minor != other.Minor ? Minor.CompareTo(other.Minor)
        : Patch.CompareTo(other.Patch);

    /// <summary>"6.1.192".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}.{Patch}");

#pragma warning disable CS1591
    public static bool operator <(KernelVersion left, KernelVersion right) => left.CompareTo(right) < 0;
    public static bool operator >(KernelVersion left, KernelVersion right) => left.CompareTo(right) > 0;
    public static bool operator <=(KernelVersion left, KernelVersion right) => left.CompareTo(right) <= 0;
    public static bool operator >=(KernelVersion left, KernelVersion right) => left.CompareTo(right) >= 0;
#pragma warning restore CS1591
}
