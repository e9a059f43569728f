using System.Globalization;

namespace DaxHolder.Abstractions;

/// <summary>
/// A physical page frame number. Only the pmem driver turns one into a device offset
/// (drivers/nvdimm/pmem.c: pmem_pagemap_memory_failure()), because that needs the
/// namespace base and the data offset; this type therefore offers no such conversion.
/// </summary>
/// <param name="Value">The frame number.</param>
public readonly record struct Pfn(ulong Value) : IComparable<Pfn>
{
    /// <summary>PFN_PHYS: the physical byte address of the frame's first byte.</summary>
    public ulong PhysicalAddress => checked(Value << PageGeometry.PageShift);

    /// <summary>PHYS_PFN: the frame holding a physical byte address.</summary>
    public static Pfn FromPhysicalAddress(ulong physicalAddress) => new(physicalAddress >> PageGeometry.PageShift);

    /// <summary>The frame <paramref name="pages"/> after this one.</summary>
    public Pfn Add(ulong pages) => new(checked(Value + pages));

    /// <inheritdoc />
    public int CompareTo(Pfn other) => Value.CompareTo(other.Value);

    /// <summary>Lowercase hex with 0x, as the kernel prints a pfn with %#lx.</summary>
    public override string ToString() => "0x" + Value.ToString("x", CultureInfo.InvariantCulture);

#pragma warning disable CS1591 // comparison operators document themselves
    public static bool operator <(Pfn left, Pfn right) => left.Value < right.Value;
    public static bool operator >(Pfn left, Pfn right) => left.Value > right.Value;
    public static bool operator <=(Pfn left, Pfn right) => left.Value <= right.Value;
    public static bool operator >=(Pfn left, Pfn right) => left.Value >= right.Value;
#pragma warning restore CS1591
}
